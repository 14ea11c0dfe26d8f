"""Extraction quality and speed over a corpus of saved pages, with other extractors as anchors.

    python bench/extract.py --corpus DIR [--only ID ...] [--types TYPE ...] [--rounds N] [--site-rules]
                            [--list-misses] [--json FILE] [--quiet]

Two corpus layouts, told apart by what DIR holds:
- Mozilla Readability's test pages: one folder per page with `source.html`, `expected.html` and
  `expected-metadata.json`. Pages are parsed at the corpus base URL http://fakehost/test/page.html, with the
  generic engine only (that URL matches no site rule); the pages carry no type.
- modern-web-2025 (the scrapinghub benchmark's layout): `ground-truth.json` mapping id -> {url, articleBody,
  title, author, publish_date, with, without, page_type} and `html/<id>.html.gz`. Each page is extracted at
  its own `url`, so declutter runs with its default options, site rules on; the expected text is `articleBody`.

Extractors, run on the same decoded page in the same run: declutter (`extract`); readability-lxml
(`Document(html, url=url).summary(html_partial=True)`, as text); trafilatura (`extract(html, url=url,
include_comments=False, include_tables=True)`), a dependency of declutter itself, skipped with a note if missing;
Readability.js (Mozilla's @mozilla/readability on jsdom, one node process for all pages, bench/readability_js/;
its `npm install` runs on first use), skipped with a note if node is missing or the install fails.

Scoring (the method of the scrapinghub article-extraction benchmark):
- text is split into `\\w+` tokens, lower-cased; a page's units are its token 4-grams (as a multiset);
- per page: precision = shared 4-grams / extracted 4-grams, recall = shared 4-grams / expected 4-grams
  (a page where both sides are empty scores 1; one side empty scores 0);
- corpus (or page type): mean precision and mean recall over pages; F1 = their harmonic mean.
Per extractor also:
- failures: pages where it raised an error or returned no text;
- catastrophic misses: pages where some other extractor scores F1 >= 0.8 and this one below 0.5;
- segments (modern-web only, the method of trafilatura's evaluation): the share of all `with` sentences found
  in the extracted text and the share of all `without` boilerplate absent from it, pooled over pages, compared
  after folding whitespace and case.
Metadata agreement (Mozilla layout only): for each field the expected file fills (title, byline, excerpt, lang,
siteName, publishedTime), the share of pages where declutter's is equal after folding case and whitespace.
Metadata match (both layouts), declutter against trafilatura's `extract_metadata(html, default_url=url)` in the
same run, over the pages whose expected value is not empty (modern-web: the ground truth's title, author,
publish_date): a title matches when, folded (case, punctuation, whitespace), the two are equal or one contains the
other; a byline when one contains the other, folded; a date when it falls on the same calendar day.

Site rules (Mozilla layout): with --site-rules each page is run again at its own address (its canonical URL),
so that its host's rule applies; pages with a rule are listed with both scores, and the corpus F1 is given
with and without. The modern-web layout always runs with site rules, so the flag changes nothing there.

Speed: each page is extracted by each extractor (declutter: the whole pipeline, parse, metadata, rules,
scoring, sanitize; readability-lxml: `summary()` without the text conversion; trafilatura: its `extract`) and
parsed by bare lxml, in the same process and interleaved, `--rounds` times (default 3); the per-page time is
the fastest round: one round times each page's first, cold run, and moved the modern-web ratios by a tenth
from run to run. The table gives the median ms per page and the total, and two ratios to readability-lxml: the median of
the per-page ratios, and the ratio of the medians. Readability.js runs once a page whatever --rounds; its time
is measured inside node (jsdom parse plus Readability) and is not comparable, so it has no ratio.

--list-misses prints declutter's catastrophic misses and failures, and the pages where no extractor reaches
F1 0.5. --json FILE writes the per-page scores (id, type, url, and per extractor P, R, F1, error, ms, segments).
--quiet prints the totals only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from readability import Document

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from declutter import Options, extract  # noqa: E402
from declutter.pipeline.postclean import plain_text  # noqa: E402
from declutter.rules.sites import rule_for  # noqa: E402

BASE_URL = "http://fakehost/test/page.html"
METADATA_FIELDS = {"title": "title", "byline": "byline", "excerpt": "excerpt", "lang": "lang",
                   "siteName": "site_name", "publishedTime": "published_time"}
TOKEN = re.compile(r"\w+")
GOOD, BAD = 0.8, 0.5  # a catastrophic miss: another extractor reaches GOOD, this one stays below BAD
READABILITY_JS = Path(__file__).resolve().parent / "readability_js"
JS_TIMEOUT = 120  # seconds for one page in node before it is killed and the page counted as an error
DECLUTTER, RL, JS = "declutter", "readability-lxml", "readability.js"

warnings.filterwarnings("ignore")
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


# --- scoring ----------------------------------------------------------------------------------------------


def ngrams(text: str, n: int = 4) -> Counter:
    tokens = TOKEN.findall(text.lower())
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def precision_recall(ours: str, expected: str) -> tuple[float, float]:
    got, want = ngrams(ours), ngrams(expected)
    if not got and not want:
        return 1.0, 1.0
    shared = sum((got & want).values())
    return (shared / sum(got.values()) if got else 0.0), (shared / sum(want.values()) if want else 0.0)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def html_text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    return plain_text(lxml.html.fragment_fromstring(fragment, create_parent="div"))


def fold(value) -> str:
    return " ".join(str(value or "").split()).casefold()


def fold_words(value) -> str:
    """Case, punctuation and spacing folded away: "Hello, World!" and "hello world" are the same."""
    return " ".join(TOKEN.findall(str(value or "").casefold()))


def one_contains_other(ours, expected) -> bool:
    ours, expected = fold_words(ours), fold_words(expected)
    return bool(ours and expected) and (ours in expected or expected in ours)


def date_matches(ours, expected) -> bool:
    return bool(ours and expected) and str(ours)[:10] == str(expected)[:10]


# field -> (modern-web ground-truth key, Mozilla expected key, Article attribute, trafilatura attribute, match)
METADATA_MATCHES = {
    "title": ("title", "title", "title", "title", one_contains_other),
    "byline": ("author", "byline", "byline", "author", one_contains_other),
    "date": ("publish_date", "publishedTime", "published_time", "date", date_matches),
}


# --- corpus layouts ---------------------------------------------------------------------------------------


@dataclass
class Page:
    id: str
    type: str
    url: str
    html: str
    expected: str
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # Mozilla's expected-metadata.json; modern-web's title, author, date


def layout(corpus: Path) -> str:
    if (corpus / "ground-truth.json").exists() and (corpus / "html").is_dir():
        return "modern-web"
    if any((p / "source.html").exists() for p in corpus.iterdir()):
        return "mozilla"
    raise SystemExit(f"{corpus}: neither folders with source.html nor ground-truth.json with html/")


def mozilla_pages(corpus: Path, wanted) -> list[Page]:
    pages = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "source.html").exists()):
        if wanted(folder.name, "test-page"):
            pages.append(Page(
                id=folder.name, type="test-page", url=BASE_URL,
                html=(folder / "source.html").read_text(encoding="utf-8", errors="replace"),
                expected=html_text((folder / "expected.html").read_text(encoding="utf-8")),
                meta=json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))))
    return pages


def modern_web_pages(corpus: Path, wanted) -> list[Page]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, entry in sorted(truth.items()):
        if wanted(page_id, entry.get("page_type") or "-"):
            raw = gzip.decompress((corpus / "html" / f"{page_id}.html.gz").read_bytes())
            pages.append(Page(
                id=page_id, type=entry.get("page_type") or "-", url=entry["url"],
                html=raw.decode("utf-8", errors="replace"), expected=entry.get("articleBody") or "",
                with_=entry.get("with") or [], without=entry.get("without") or [],
                meta={key: entry.get(key) for key in ("title", "author", "publish_date")}))
    return pages


# --- extractors: each returns a Result for one page -------------------------------------------------------


@dataclass
class Result:
    text: str = ""
    error: str = ""
    seconds: float = 0.0
    article: object = None  # declutter's Article, for the metadata check


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:80]


def timed(fn, *args, **kwargs) -> Result:
    start = time.perf_counter()
    try:
        value = fn(*args, **kwargs)
    except Exception as exc:  # a failure is a result here, not a crash of the benchmark
        return Result(error=describe(exc), seconds=time.perf_counter() - start)
    return Result(text=value, seconds=time.perf_counter() - start)


def run_declutter(html: str, url: str, options: Options) -> Result:
    result = timed(extract, html, url=url, options=options)
    if not result.error:
        result.article, result.text = result.text, result.text.text
    return result


def run_readability_lxml(html: str, url: str) -> Result:
    result = timed(lambda: Document(html, url=url).summary(html_partial=True))
    if not result.error:
        try:
            result.text = html_text(result.text)
        except Exception as exc:
            result.text, result.error = "", describe(exc)
    return result


def trafilatura_runner():
    try:
        import trafilatura
    except ImportError:
        print("note: trafilatura is not installed (pip install -e .); its column is skipped")
        return None

    def run(html: str, url: str) -> Result:
        result = timed(trafilatura.extract, html, url=url, include_comments=False, include_tables=True)
        result.text = result.text or ""
        return result
    return run


def trafilatura_metadata():
    """trafilatura's `extract_metadata` as a function of (html, url), or None when it is not installed."""
    try:
        from trafilatura import extract_metadata
    except ImportError:
        return None

    def read(html: str, url: str):
        try:
            return extract_metadata(html, default_url=url)
        except Exception:  # a failure is a miss here, not a crash of the benchmark
            return None
    return read


def run_parse(html: str, url: str) -> Result:
    result = timed(lambda: lxml.html.document_fromstring(html.encode("utf-8")))
    result.text = ""
    return result


class ReadabilityJs:
    """One node process running bench/readability_js/extract.js: a JSON line in, a JSON line out, per page."""

    def __init__(self):
        self.process = None
        self.stderr = tempfile.TemporaryFile()

    @staticmethod
    def ready() -> bool:
        if not shutil.which("node"):
            print("note: node is not installed; the Readability.js column is skipped")
            return False
        if (READABILITY_JS / "node_modules" / "@mozilla" / "readability").is_dir():
            return True
        if not shutil.which("npm"):
            print("note: npm is not installed; the Readability.js column is skipped")
            return False
        print(f"note: installing Readability.js (npm install in {READABILITY_JS})")
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=READABILITY_JS,
                              capture_output=True, text=True)
        if done.returncode:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
            print(f"note: npm install failed in {READABILITY_JS} ({' '.join(tail)}); Readability.js is skipped")
            return False
        return True

    def start(self):
        self.process = subprocess.Popen(["node", "extract.js"], cwd=READABILITY_JS, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.stderr, text=True, encoding="utf-8")

    def stop(self):
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None

    def last_words(self) -> str:
        self.stderr.seek(0)
        lines = self.stderr.read().decode("utf-8", errors="replace").strip().splitlines()
        return lines[-1][:80] if lines else "no message"

    def __call__(self, html: str, url: str) -> Result:
        if self.process is None or self.process.poll() is not None:
            self.start()
        try:
            self.process.stdin.write(json.dumps({"html": html, "url": url}) + "\n")
            self.process.stdin.flush()
            if not select.select([self.process.stdout], [], [], JS_TIMEOUT)[0]:
                self.stop()
                return Result(error=f"timed out after {JS_TIMEOUT} s", seconds=JS_TIMEOUT)
            line = self.process.stdout.readline()
        except OSError as exc:
            line, error = "", describe(exc)
        else:
            error = "node exited"
        try:
            reply = json.loads(line)
        except ValueError:
            self.stop()
            return Result(error=f"{error}: {self.last_words()}" if not line else f"not a reply: {line[:60]}")
        return Result(text=reply.get("text") or "", error=reply.get("error", ""), seconds=reply["ms"] / 1000)


def extractors(page_layout: str) -> dict:
    """Name -> runner(html, url) -> Result, in column order; the anchors that cannot run are left out."""
    options = Options(site_rules=page_layout == "modern-web")
    runners = {DECLUTTER: lambda html, url: run_declutter(html, url, options), RL: run_readability_lxml}
    trafilatura = trafilatura_runner()
    if trafilatura:
        runners["trafilatura"] = trafilatura
    if ReadabilityJs.ready():
        runners[JS] = ReadabilityJs()
    return runners


# --- running ----------------------------------------------------------------------------------------------


@dataclass
class Score:
    p: float
    r: float
    f1: float
    error: str
    failed: bool
    ms: float
    with_found: int
    without_absent: int


def score(result: Result, page: Page) -> Score:
    p, r = precision_recall(result.text, page.expected)
    text = fold(result.text)
    return Score(p, r, f1(p, r), result.error, bool(result.error or not result.text.strip()), result.seconds * 1000,
                 sum(fold(s) in text for s in page.with_), sum(fold(s) not in text for s in page.without))


def run_page(page: Page, runners: dict, rounds: int) -> tuple[dict, dict, float]:
    """Scores by extractor, the results themselves, and the bare parse time; the fastest of `rounds` rounds."""
    results, parse = {}, float("inf")
    for _ in range(rounds):
        for name, run in runners.items():
            if name == JS and name in results:
                continue  # its time is not comparable anyway: one run a page
            result = run(page.html, page.url)
            if name not in results or result.seconds < results[name].seconds:
                results[name] = result
        parse = min(parse, run_parse(page.html, page.url).seconds)
    return {name: score(result, page) for name, result in results.items()}, results, parse


def with_site_rules(page: Page, plain: Score) -> tuple[Score, str | None]:
    """The page again at its own address (canonical or og:url), if that host has a rule (Mozilla layout)."""
    root = lxml.html.document_fromstring(page.html.encode("utf-8"))
    url = next((u.strip() for u in root.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
                if u.startswith(("http://", "https://"))), BASE_URL)
    rule = rule_for(url)
    if not rule:
        return plain, None
    return score(run_declutter(page.html, url, Options(site_rules=True)), page), rule.name


# --- reporting --------------------------------------------------------------------------------------------


def corpus_f1(scores: list[Score]) -> tuple[float, float, float]:
    if not scores:
        return 0.0, 0.0, 0.0
    mp, mr = statistics.fmean(s.p for s in scores), statistics.fmean(s.r for s in scores)
    return mp, mr, f1(mp, mr)


def catastrophic(row: dict, name: str) -> bool:
    return row[name].f1 < BAD and any(s.f1 >= GOOD for other, s in row.items() if other != name)


def print_pages(pages, rows, names):
    short = {RL: "rl-lxml", JS: "rd.js"}
    print(f"{'page':30} {'type':13} {'P':>6} {'R':>6} " + " ".join(f"{short.get(n, n)[:11]:>11}" for n in names)
          + f" {'ms':>7} {'rl ms':>7}  error  (P, R, ms: declutter; then F1 by extractor)")
    for page, row in zip(pages, rows, strict=True):
        ours = row[DECLUTTER]
        print(f"{page.id[:30]:30} {page.type[:13]:13} {ours.p:6.3f} {ours.r:6.3f} "
              + " ".join(f"{row[n].f1:11.3f}" for n in names)
              + f" {ours.ms:7.1f} {row[RL].ms:7.1f}  {ours.error}")


def print_types(pages, rows, names):
    types = sorted(Counter(p.type for p in pages).items(), key=lambda kv: (-kv[1], kv[0]))
    print("\nF1 by page type (corpus F1 = harmonic mean of mean precision and mean recall)")
    print(f"{'type':14} {'pages':>5} " + " ".join(f"{n:>16}" for n in names))
    groups = [(t, [row for page, row in zip(pages, rows, strict=True) if page.type == t]) for t, _ in types]
    if len(groups) == 1:
        groups = []  # a single type is the whole corpus
    for label, group in groups + [("all", rows)]:
        print(f"{label:14} {len(group):5} " + " ".join(f"{corpus_f1([r[n] for r in group])[2]:16.3f}" for n in names))


def print_extractors(pages, rows, names, parse_times):
    with_total = sum(len(p.with_) for p in pages)
    without_total = sum(len(p.without) for p in pages)
    rl_ms = [row[RL].ms for row in rows]
    print(f"\n{'extractor':16} {'mean P':>6} {'mean R':>6} {'F1':>6} {'fails':>5} {'catas':>5} {'with':>6} "
          f"{'w/out':>6} {'med ms':>7} {'total s':>7} {'ratio':>6} {'ratio':>6}")
    for name in names + ["lxml parse"]:
        if name == "lxml parse":
            ms, quality = parse_times, f"{'':6} {'':6} {'':6} {'':5} {'':5} {'':6} {'':6}"
        else:
            ms = [row[name].ms for row in rows]
            mp, mr, mf = corpus_f1([row[name] for row in rows])
            found = f"{sum(row[name].with_found for row in rows) / with_total:6.3f}" if with_total else f"{'-':>6}"
            absent = (f"{sum(row[name].without_absent for row in rows) / without_total:6.3f}" if without_total
                      else f"{'-':>6}")
            quality = (f"{mp:6.3f} {mr:6.3f} {mf:6.3f} {sum(row[name].failed for row in rows):5} "
                       f"{sum(catastrophic(row, name) for row in rows):5} {found} {absent}")
        if name == JS:
            speed = f"{statistics.median(ms):6.1f}* {sum(ms) / 1000:7.2f} {'-':>6} {'-':>6}"
        else:
            per_page = statistics.median(t / r for t, r in zip(ms, rl_ms, strict=True) if r)
            speed = (f"{statistics.median(ms):7.1f} {sum(ms) / 1000:7.2f} {per_page:6.2f} "
                     f"{statistics.median(ms) / statistics.median(rl_ms):6.2f}")
        print(f"{name:16} {quality} {speed}")
    print(f"fails: error or empty text; catas: catastrophic misses (another extractor F1 >= {GOOD}, this one < {BAD});"
          + (f"\nwith: share of {with_total} `with` sentences found; w/out: share of {without_total} `without` "
             "segments absent;" if with_total or without_total else "")
          + "\nratio: to readability-lxml, first the median of per-page ratios, then the ratio of medians"
          + ("; * measured inside node, not comparable" if JS in names else ""))


def print_misses(pages, rows, names):
    print("\ndeclutter's catastrophic misses and failures (F1, then the best anchor's):")
    for page, row in zip(pages, rows, strict=True):
        ours = row[DECLUTTER]
        if ours.failed or catastrophic(row, DECLUTTER):
            best = max((n for n in names if n != DECLUTTER), key=lambda n: row[n].f1, default=None)
            anchor = f"{best} {row[best].f1:.3f}" if best else "-"
            why = ours.error or ("no text" if ours.failed else "miss")
            print(f"  {page.id:30} {page.type:13} {ours.f1:6.3f}  {anchor:24} {why}")
    hopeless = [(page, row) for page, row in zip(pages, rows, strict=True) if max(s.f1 for s in row.values()) < BAD]
    print(f"\npages where no extractor reaches F1 {BAD}: {len(hopeless)}")
    for page, row in hopeless:
        print(f"  {page.id:30} {page.type:13} " + " ".join(f"{n} {row[n].f1:.3f}" for n in names))


def print_metadata(pages, results):
    hits, total = Counter(), Counter()
    for page, result in zip(pages, results, strict=True):
        for key, attribute in METADATA_FIELDS.items():
            if page.meta.get(key):
                total[key] += 1
                article = result[DECLUTTER].article
                hits[key] += bool(article) and fold(getattr(article, attribute)) == fold(page.meta[key])
    print("\nmetadata agreement: " + ", ".join(f"{key} {hits[key]}/{total[key]}" for key in METADATA_FIELDS))


def print_metadata_matches(pages, results, theirs, page_layout):
    """declutter's and trafilatura's title, byline and date against the expected ones (see METADATA_MATCHES)."""
    print(f"\nmetadata match{'' if any(theirs) else ' (trafilatura not installed)'}:")
    print(f"{'field':8} {'pages':>5} {'declutter':>10} {'trafilatura':>12}")
    expected_key = 0 if page_layout == "modern-web" else 1
    for name, (*keys, ours_attribute, their_attribute, matches) in METADATA_MATCHES.items():
        ours = their = total = 0
        for page, result, meta in zip(pages, results, theirs, strict=True):
            expected = page.meta.get(keys[expected_key])
            if not expected:
                continue
            article = result[DECLUTTER].article
            total += 1
            ours += bool(article) and matches(getattr(article, ours_attribute), expected)
            their += bool(meta) and matches(getattr(meta, their_attribute), expected)
        if total:
            print(f"{name:8} {total:5} {ours / total:10.3f} {their / total:12.3f}")
    if page_layout == "modern-web":  # its ground truth leaves the date out where the page has none
        undated = [(result, meta) for page, result, meta in zip(pages, results, theirs, strict=True)
                   if not page.meta.get("publish_date")]
        ours = sum(1 for result, _ in undated if getattr(result[DECLUTTER].article, "published_time", None))
        their = sum(1 for _, meta in undated if meta and meta.date)
        print(f"{'dated':8} {len(undated):5} {ours:10} {their:12}   (pages without a date, given one anyway)")


def write_json(target: Path, corpus: Path, pages, rows):
    out = {"corpus": str(corpus), "pages": [
        {"id": page.id, "type": page.type, "url": page.url,
         "scores": {name: {"p": s.p, "r": s.r, "f1": s.f1, "error": s.error, "failed": s.failed, "ms": s.ms,
                           "with_found": s.with_found, "with_total": len(page.with_),
                           "without_absent": s.without_absent, "without_total": len(page.without)}
                    for name, s in row.items()}}
        for page, row in zip(pages, rows, strict=True)]}
    target.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--only", nargs="*", help="page ids (folder names) to run")
    parser.add_argument("--types", nargs="*", help="page types to run (modern-web: article, forum, product, ...)")
    parser.add_argument("--rounds", type=int, help="timing rounds per page (default 3)")
    parser.add_argument("--site-rules", action="store_true",
                        help="Mozilla layout: also score with site rules, each page at its own address")
    parser.add_argument("--list-misses", action="store_true",
                        help="list declutter's catastrophic misses and failures")
    parser.add_argument("--json", type=Path, help="write per-page scores to this file")
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args(argv)

    page_layout = layout(args.corpus)
    rounds = args.rounds or 3
    only, types = set(args.only or ()), set(args.types or ())

    def wanted(page_id, page_type):
        return (not only or page_id in only) and (not types or page_type in types)
    pages = (modern_web_pages if page_layout == "modern-web" else mozilla_pages)(args.corpus, wanted)
    if not pages:
        raise SystemExit("no pages selected")
    runners = extractors(page_layout)
    names = list(runners)
    read_their_metadata = trafilatura_metadata()
    rows, results, parse_times, ruled, rows_with_rules, their_metadata = [], [], [], [], [], []
    try:
        for run in runners.values():  # warm-up: lazy imports and first-call setup stay out of the timings
            run(pages[0].html, pages[0].url)
        for page in pages:
            row, result, parse = run_page(page, runners, rounds)
            rows.append(row)
            results.append(result)
            parse_times.append(parse * 1000)
            their_metadata.append(read_their_metadata(page.html, page.url) if read_their_metadata else None)
            if args.site_rules and page_layout == "mozilla":
                ruled_score, rule = with_site_rules(page, row[DECLUTTER])
                rows_with_rules.append(ruled_score)
                if rule:
                    ruled.append((page.id, rule, row[DECLUTTER].f1, ruled_score.f1))
    finally:
        if JS in runners:
            runners[JS].stop()

    if not args.quiet:
        print_pages(pages, rows, names)
    rule_note = "site rules on, each page at its url" if page_layout == "modern-web" else "generic engine, base URL"
    print(f"\npages: {len(pages)} ({page_layout} layout, {rule_note}; {rounds} round{'s' * (rounds > 1)})")
    print_types(pages, rows, names)
    print_extractors(pages, rows, names, parse_times)
    if args.site_rules and page_layout == "mozilla":
        print(f"\npages with a site rule: {len(ruled)}")
        for page_id, rule, without, with_ in ruled:
            print(f"  {page_id:30} {rule:30} F1 without {without:.3f}  with {with_:.3f}")
        print(f"corpus F1 without site rules {corpus_f1([r[DECLUTTER] for r in rows])[2]:.3f}, "
              f"with site rules {corpus_f1(rows_with_rules)[2]:.3f}")
    if page_layout == "mozilla":
        print_metadata(pages, results)
    print_metadata_matches(pages, results, their_metadata, page_layout)
    errors = [page.id for page, row in zip(pages, rows, strict=True) if row[DECLUTTER].error]
    if errors:
        print(f"declutter errors on {len(errors)} pages: {', '.join(errors)}")
    if args.list_misses:
        print_misses(pages, rows, names)
    if args.json:
        write_json(args.json, args.corpus, pages, rows)
        print(f"per-page scores written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
