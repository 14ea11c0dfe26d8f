"""Extraction quality and speed over a corpus of saved pages.

    python bench/extract.py --corpus DIR [--only NAME ...] [--site-rules] [--rounds N]

DIR holds one folder per page with `source.html`, `expected.html` and `expected-metadata.json`
(the layout of Mozilla Readability's test pages). Pages are parsed with the base URL
http://fakehost/test/page.html, as in that corpus.

Scoring (the method of the scrapinghub article-extraction benchmark):
- text is split into `\\w+` tokens, lower-cased; a page's units are its token 4-grams (as a multiset);
- per page: precision = shared 4-grams / our 4-grams, recall = shared 4-grams / expected 4-grams
  (a page where both sides are empty scores 1; one side empty scores 0);
- corpus: mean precision and mean recall over pages; corpus F1 = their harmonic mean.
Metadata agreement: for each field the expected file fills (title, byline, excerpt, lang, siteName,
publishedTime), the share of pages where ours is equal after folding case and whitespace.

Site rules: the main run uses the generic engine only (the corpus base URL matches no site). With
--site-rules each page is run again at its own address (its canonical URL), so that its host's rule applies;
pages with a rule are listed with both scores, and the corpus F1 is given with and without.

Speed: each page is extracted by ours (the whole pipeline: parse, metadata, rules, scoring,
sanitize), by plain readability-lxml (`Document(html).summary()`), and by the bare lxml parse, in the
same process and interleaved, `--rounds` times; the per-page time is the fastest round, and the table
gives the median and the total over pages, with ratios to readability-lxml.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from dataclasses import replace
from pathlib import Path

import lxml.html
from readability import Document

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from declutter.pipeline import extract  # noqa: E402
from declutter.pipeline.options import DEFAULT_OPTIONS  # noqa: E402
from declutter.pipeline.postclean import plain_text  # noqa: E402
from declutter.rules.sites import rule_for  # noqa: E402

BASE_URL = "http://fakehost/test/page.html"
METADATA_FIELDS = {"title": "title", "byline": "byline", "excerpt": "excerpt", "lang": "lang",
                   "siteName": "site_name", "publishedTime": "published_time"}
TOKEN = re.compile(r"\w+")

warnings.filterwarnings("ignore")


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


def timed(fn, *args):
    start = time.perf_counter()
    try:
        result = fn(*args)
    except Exception as exc:  # a failure is a result here, not a crash of the benchmark
        result = exc
    return result, time.perf_counter() - start


def page_url(html: str) -> str:
    """The page's own address (canonical or og:url), so that its site rule applies; else the corpus base URL."""
    root = lxml.html.document_fromstring(html.encode("utf-8"))
    for found in root.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"):
        if found.startswith(("http://", "https://")):
            return found.strip()
    return BASE_URL


def run_ours(html: str, options, url: str = BASE_URL):
    return extract(html, url=url, options=options)


def run_readability(html: str) -> str:
    return Document(html, url=BASE_URL).summary(html_partial=True)


def run_parse(html: str):
    return lxml.html.document_fromstring(html.encode("utf-8"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--only", nargs="*", help="page folder names to run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--site-rules", action="store_true",
                        help="also score with site rules, each page at its own address (canonical or og:url)")
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args(argv)
    options = replace(DEFAULT_OPTIONS, site_rules=False)
    with_rules = replace(DEFAULT_OPTIONS, site_rules=True)

    pages = sorted(p for p in args.corpus.iterdir() if (p / "source.html").exists())
    if args.only:
        pages = [p for p in pages if p.name in set(args.only)]
    rows, meta_hits, meta_total, ruled = [], Counter(), Counter(), []
    times = {"ours": [], "readability": [], "parse": []}
    rows_with_rules = []
    for page in pages:
        html = (page / "source.html").read_text(encoding="utf-8", errors="replace")
        expected_text = html_text((page / "expected.html").read_text(encoding="utf-8"))
        expected_meta = json.loads((page / "expected-metadata.json").read_text(encoding="utf-8"))
        best = {name: float("inf") for name in times}
        for _ in range(args.rounds):
            ours, t = timed(run_ours, html, options)
            best["ours"] = min(best["ours"], t)
            theirs, t = timed(run_readability, html)
            best["readability"] = min(best["readability"], t)
            _, t = timed(run_parse, html)
            best["parse"] = min(best["parse"], t)
        for name, value in best.items():
            times[name].append(value)
        our_text = "" if isinstance(ours, Exception) else ours.text
        their_text = "" if isinstance(theirs, Exception) else html_text(theirs)
        p, r = precision_recall(our_text, expected_text)
        rp, rr = precision_recall(their_text, expected_text)
        for field, ours_field in METADATA_FIELDS.items():
            if expected_meta.get(field):
                meta_total[field] += 1
                if not isinstance(ours, Exception) and fold(getattr(ours, ours_field)) == fold(expected_meta[field]):
                    meta_hits[field] += 1
        error = f"{type(ours).__name__}: {ours}"[:60] if isinstance(ours, Exception) else ""
        if args.site_rules:
            url = page_url(html)
            if rule_for(url):
                ruled_article, _ = timed(run_ours, html, with_rules, url)
                sp, sr = precision_recall("" if isinstance(ruled_article, Exception) else ruled_article.text,
                                          expected_text)
                ruled.append((page.name, rule_for(url).name, f1(p, r), f1(sp, sr)))
            else:
                sp, sr = p, r
            rows_with_rules.append((sp, sr))
        rows.append((page.name, p, r, f1(p, r), rp, rr, f1(rp, rr), best["ours"], best["readability"], error))

    if not args.quiet:
        print(f"{'page':34} {'P':>6} {'R':>6} {'F1':>6} | {'rl P':>6} {'rl R':>6} {'rl F1':>6} | "
              f"{'ms':>6} {'rl ms':>6}")
        for name, p, r, f, rp, rr, rf, t, rt, error in rows:
            print(f"{name[:34]:34} {p:6.3f} {r:6.3f} {f:6.3f} | {rp:6.3f} {rr:6.3f} {rf:6.3f} | "
                  f"{t * 1000:6.1f} {rt * 1000:6.1f} {error}")
    mean = lambda i: statistics.fmean(row[i] for row in rows)  # noqa: E731
    print(f"\npages: {len(rows)}")
    print(f"{'extractor':14} {'mean P':>7} {'mean R':>7} {'F1':>7} {'median ms':>10} {'total s':>8} "
          f"{'median ratio':>13}")
    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"{'declutter':14} {mean(1):7.3f} {mean(2):7.3f} {f1(mean(1), mean(2)):7.3f} {med['ours'] * 1000:10.1f} "
          f"{sum(times['ours']):8.2f} {med['ours'] / med['readability']:13.2f}")
    print(f"{'readability':14} {mean(4):7.3f} {mean(5):7.3f} {f1(mean(4), mean(5)):7.3f} "
          f"{med['readability'] * 1000:10.1f} {sum(times['readability']):8.2f} {1:13.2f}")
    print(f"{'lxml parse':14} {'':7} {'':7} {'':7} {med['parse'] * 1000:10.1f} {sum(times['parse']):8.2f} "
          f"{med['parse'] / med['readability']:13.2f}")
    if args.site_rules:
        print(f"\npages with a site rule: {len(ruled)}")
        for name, rule, without, with_ in ruled:
            print(f"  {name:30} {rule:30} F1 without {without:.3f}  with {with_:.3f}")
        mp = statistics.fmean(p for p, _ in rows_with_rules)
        mr = statistics.fmean(r for _, r in rows_with_rules)
        print(f"corpus F1 without site rules {f1(mean(1), mean(2)):.3f}, with site rules {f1(mp, mr):.3f}")
    print("\nmetadata agreement: " + ", ".join(
        f"{field} {meta_hits[field]}/{meta_total[field]}" for field in METADATA_FIELDS))
    failures = [row[0] for row in rows if row[-1]]
    if failures:
        print(f"errors on {len(failures)} pages: {', '.join(failures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
