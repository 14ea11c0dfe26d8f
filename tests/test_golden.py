"""Golden pages: each folder in tests/pages is a saved page and the article it should give.

A case folder holds
- `source.html`: the page, as the browser rendered it;
- `expected.txt`: the article as `Article.text` should be (paragraphs separated by blank lines);
- `expected-metadata.json`: the Article fields the case asserts (title, byline, site_name, lang, confidence, ...);
- `case.json` (optional): see CASE_KEYS;
- `SOURCE.md` (optional): where a page taken from elsewhere comes from, its license, and how it was cut down.

Each case is four tests, so that a known engine failure in one aspect does not hide the others:
text (token 4-gram F1 against expected.txt, the method of bench/extract.py), phrases (required and
forbidden phrases in the text), content (required and forbidden markup in the sanitized HTML) and metadata.
docs/testing.md says how to add a case; scripts/new-golden-case.py writes a first draft of one.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from declutter.pipeline import Article, extract

PAGES = Path(__file__).parent / "pages"
DEFAULT_URL = "http://fakehost/test/page.html"  # Mozilla's test-page base URL; matches no site rule
DEFAULT_MIN_F1 = 0.97
ASPECTS = ("text", "phrases", "content", "metadata")
CASE_KEYS = {
    "url": str,  # the page's address: resolves links and picks site rules
    "min_f1": float,  # the text's F1 threshold, when not DEFAULT_MIN_F1
    "must_contain": list,  # exact substrings of Article.text (whitespace included: code blocks keep theirs)
    "must_not_contain": list,  # case-sensitive substrings that must not be in Article.text
    "content_must_contain": list,  # substrings of Article.content
    "content_must_not_contain": list,
    "xfail": dict,  # aspect -> why the engine fails it today; each is a strict xfail
}
METADATA_KEYS = {"title", "byline", "site_name", "lang", "dir", "published_time", "excerpt", "lead_image_url",
                 "url", "confidence"}
TOKEN = re.compile(r"\w+")


def ngrams(text: str, n: int = 4) -> Counter:
    tokens = TOKEN.findall(text.lower())
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def f1_score(ours: str, expected: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of our text's token 4-grams against the expected text's."""
    got, want = ngrams(ours), ngrams(expected)
    if not got and not want:
        return 1.0, 1.0, 1.0
    shared = sum((got & want).values())
    precision = shared / sum(got.values()) if got else 0.0
    recall = shared / sum(want.values()) if want else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if shared else 0.0)


def load_case(folder: Path) -> dict:
    """The case's settings, checked: a typo in case.json is an error, not a check that silently never runs."""
    path = folder / "case.json"
    case = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for key, value in case.items():
        if key not in CASE_KEYS:
            raise ValueError(f"{path}: unknown key {key!r} (known: {sorted(CASE_KEYS)})")
        wanted = CASE_KEYS[key]
        if not isinstance(value, wanted) and not (wanted is float and isinstance(value, int)):
            raise ValueError(f"{path}: {key!r} must be a {wanted.__name__}")
    unknown = set(case.get("xfail", {})) - set(ASPECTS)
    if unknown:
        raise ValueError(f"{path}: xfail names unknown aspects {sorted(unknown)} (aspects: {ASPECTS})")
    for name in ("source.html", "expected.txt", "expected-metadata.json"):
        if not (folder / name).is_file():
            raise ValueError(f"{folder}: missing {name}")
    metadata = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    unknown_fields = sorted(set(metadata) - METADATA_KEYS)
    if unknown_fields:
        raise ValueError(f"{folder}/expected-metadata.json: unknown fields {unknown_fields}")
    return case


FOLDERS = sorted(p for p in PAGES.iterdir() if p.is_dir())
CASES = {folder.name: load_case(folder) for folder in FOLDERS}


def params(aspect: str, only=lambda case: True) -> list:
    """One pytest param per case, strictly xfailed where case.json says the engine fails this aspect."""
    found = []
    for slug, case in CASES.items():
        if not only(case):
            continue
        reason = case.get("xfail", {}).get(aspect)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        found.append(pytest.param(slug, marks=marks, id=slug))
    return found


@cache
def article(slug: str) -> Article:
    return extract((PAGES / slug / "source.html").read_bytes(), url=CASES[slug].get("url", DEFAULT_URL))


def expected_text(slug: str) -> str:
    return (PAGES / slug / "expected.txt").read_text(encoding="utf-8")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_there_are_golden_cases():
    assert len(CASES) >= 12
    assert all(_paragraphs(expected_text(slug)) for slug in CASES), "an expected.txt is empty"


@pytest.mark.parametrize("slug", params("text"))
def test_text(slug):
    ours, wanted = article(slug).text, expected_text(slug)
    precision, recall, f1 = f1_score(ours, wanted)
    threshold = CASES[slug].get("min_f1", DEFAULT_MIN_F1)
    missing = [p[:100] for p in _paragraphs(wanted) if p not in ours]
    extra = [p[:100] for p in _paragraphs(ours) if p not in wanted]
    assert f1 >= threshold, (
        f"F1 {f1:.3f} < {threshold} (precision {precision:.3f}, recall {recall:.3f})\n"
        f"missing paragraphs: {missing}\nextra paragraphs: {extra}"
    )


@pytest.mark.parametrize("slug", params("phrases"))
def test_phrases(slug):
    text, case = article(slug).text, CASES[slug]
    missing = [phrase for phrase in case.get("must_contain", []) if phrase not in text]
    leaked = [phrase for phrase in case.get("must_not_contain", []) if phrase in text]
    assert not missing and not leaked, f"missing: {missing}\nleaked: {leaked}"


@pytest.mark.parametrize("slug", params("content", lambda case: "content_must_contain" in case
                                        or "content_must_not_contain" in case))
def test_content(slug):
    content, case = article(slug).content, CASES[slug]
    missing = [snippet for snippet in case.get("content_must_contain", []) if snippet not in content]
    leaked = [snippet for snippet in case.get("content_must_not_contain", []) if snippet in content]
    assert not missing and not leaked, f"missing: {missing}\nleaked: {leaked}"


def _folded(value):
    return " ".join(value.split()) if isinstance(value, str) else value


@pytest.mark.parametrize("slug", params("metadata"))
def test_metadata(slug):
    wanted = json.loads((PAGES / slug / "expected-metadata.json").read_text(encoding="utf-8"))
    ours = article(slug).to_dict()
    differences = {key: (ours[key], value) for key, value in wanted.items()
                   if _folded(ours[key]) != _folded(value)}
    assert not differences, f"field: (ours, expected) {differences}"
