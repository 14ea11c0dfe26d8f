#!/usr/bin/env python3
"""Copies the reader files the extension and the service share from extension/ to server/static/ (stdlib only).

    python3 scripts/sync-reader-files.py           copy every source over its copy
    python3 scripts/sync-reader-files.py --check   copy nothing; exit 1 if a copy differs

The extension's reader and the service's /read page build, show and style the article with the same files,
and name the reading settings with the same vocabulary.
The source of each lives in extension/reader/, because the extension must be self-contained to pack and
to load unpacked; the service serves a byte-identical copy from server/static/, because the installed
Python package cannot reach extension/. Edit the source, run this, commit both.
tests/test_shared_reader_files.py fails while a copy differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# source -> copy, relative to the repository's root
SHARED = {
    "extension/reader/article.js": "server/static/article.js",
    "extension/reader/render.js": "server/static/render.js",
    "extension/reader/removed.js": "server/static/removed.js",
    "extension/reader/corrections.js": "server/static/corrections.js",
    "extension/reader/site-rules.js": "server/static/site-rules.js",
    "extension/reader/listen.js": "server/static/listen.js",
    "extension/reader/reading-settings.js": "server/static/reading-settings.js",
    "extension/reader/article.css": "server/static/article.css",
    "extension/reader/controls.css": "server/static/controls.css",
}


def stale(root: Path = ROOT) -> list[str]:
    """The copies under `root` that are missing or differ from their source."""
    return [copy for source, copy in SHARED.items()
            if not (root / copy).is_file() or (root / copy).read_bytes() != (root / source).read_bytes()]


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="copy nothing; exit 1 if a copy differs")
    args = parser.parse_args(argv)

    outdated = stale(root)
    if args.check:
        for copy in outdated:
            print(f"{copy} differs from its source; run python3 scripts/sync-reader-files.py", file=sys.stderr)
        return 1 if outdated else 0
    sources = {copy: source for source, copy in SHARED.items()}
    for copy in outdated:
        (root / copy).write_bytes((root / sources[copy]).read_bytes())
        print(f"{sources[copy]} -> {copy}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
