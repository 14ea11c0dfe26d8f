#!/usr/bin/env python3
"""Turn a saved page into a golden case: tests/pages/<slug>/ with a first draft of what it should give.

    python3 scripts/new-golden-case.py SLUG PAGE.html [--url URL]   # a new case from a saved page
    python3 scripts/new-golden-case.py SLUG [--url URL] --force     # redo the drafts from the case's source

Writes source.html (the page's bytes, unchanged), and from the current pipeline's output expected.txt,
expected-metadata.json and a starting case.json. The drafts are what the engine does today, not what it
should do: read expected.txt against the page, delete what is clutter, add what is missing, then fill
case.json's must_contain / must_not_contain (the removals it prints are candidates for the latter).
Existing drafts are kept unless --force: they may hold a person's corrections. An existing case.json is
never replaced; --url updates its url. See docs/testing.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from declutter.errors import DeclutterError  # noqa: E402
from declutter.pipeline import extract  # noqa: E402

PAGES = ROOT / "tests" / "pages"
DEFAULT_URL = "http://fakehost/test/page.html"  # Mozilla's test-page base URL: matches no site rule
METADATA_FIELDS = ("title", "byline", "site_name", "lang", "published_time", "confidence")
DRAFTS = ("expected.txt", "expected-metadata.json")


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _opening(paragraph: str, limit: int = 80) -> str:
    """The start of a paragraph, cut at a word: a phrase the case can require."""
    return paragraph if len(paragraph) <= limit else paragraph[:limit].rsplit(" ", 1)[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("slug", help="the case's folder name, e.g. de-regional-news")
    parser.add_argument("page", nargs="?", type=Path, help="the saved page (omit to reuse the case's source)")
    parser.add_argument("--url", help=f"the page's address (default: case.json's, else {DEFAULT_URL})")
    parser.add_argument("--force", action="store_true", help="overwrite existing source and drafts")
    args = parser.parse_args(argv)

    if "/" in args.slug or args.slug.startswith("."):
        parser.error("the slug is a folder name, not a path")
    folder = PAGES / args.slug
    source = folder / "source.html"
    if args.page is None and not source.is_file():
        parser.error(f"{source} does not exist: give the saved page")
    taken = [name for name in DRAFTS + (("source.html",) if args.page else ()) if (folder / name).exists()]
    if taken and not args.force:
        parser.error(f"{folder} already has {', '.join(taken)}; --force overwrites them")

    case_path = folder / "case.json"
    case = json.loads(case_path.read_text(encoding="utf-8")) if case_path.exists() else {}
    url = args.url or case.get("url") or DEFAULT_URL
    folder.mkdir(parents=True, exist_ok=True)
    if args.page is not None:
        shutil.copyfile(args.page, source)
    try:
        article = extract(source.read_bytes(), url=url)
    except DeclutterError as exc:
        print(f"the pipeline found no article ({exc}); the source is saved, write expected.txt by hand",
              file=sys.stderr)
        return 1

    paragraphs = [p for p in article.text.split("\n\n") if p.strip()]
    (folder / "expected.txt").write_text(article.text + "\n", encoding="utf-8")
    _write_json(folder / "expected-metadata.json",
                {name: getattr(article, name) for name in METADATA_FIELDS if getattr(article, name)})
    started = not case
    if started:
        openings = [_opening(paragraphs[0]), _opening(paragraphs[-1])]
        case = {"must_contain": list(dict.fromkeys(openings)), "must_not_contain": []}
    _write_json(case_path, {"url": url, **{key: value for key, value in case.items() if key != "url"}})

    print(f"wrote {folder.relative_to(ROOT)}/: {', '.join(DRAFTS)}; "
          f"case.json {'started' if started else 'kept, url updated'}")
    print(f"{len(paragraphs)} paragraphs, {article.word_count} words; removed before scoring:")
    for removal in article.removed:
        print(f"  {removal.rule:<24} {removal.match[:30]:<30} {removal.text[:70]}")
    print("Now review expected.txt against the page, and fill must_not_contain in case.json.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
