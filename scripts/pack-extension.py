#!/usr/bin/env python3
"""Packs extension/ into dist/declutter-chrome.zip and dist/declutter-firefox.zip (stdlib only).

    python3 scripts/pack-extension.py [--out DIR]

One manifest serves both browsers (Chrome reads background.service_worker, Firefox reads
background.scripts and browser_specific_settings), so the two archives hold the same files; they are
named per store so each upload is obvious. The archives are reproducible: sorted entries, fixed
timestamps, no build-only files.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "extension"
TARGETS = ("chrome", "firefox")
# Files that build the extension but are not part of it.
EXCLUDED_SUFFIXES = (".py", ".pyc", ".md")
EPOCH = (1980, 1, 1, 0, 0, 0)


def extension_files(source: Path) -> list[Path]:
    files = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        if path.suffix in EXCLUDED_SUFFIXES:
            continue
        files.append(relative)
    return files


def check_manifest(source: Path, files: list[Path]) -> dict:
    """The manifest, after checking that every file it names is packed."""
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    named = {*manifest["icons"].values(), *manifest["action"]["default_icon"].values(),
             manifest["background"]["service_worker"], *manifest["background"]["scripts"],
             manifest["options_ui"]["page"]}
    missing = sorted(name for name in named if Path(name) not in files)
    if missing:
        raise SystemExit(f"manifest.json names files that are not in extension/: {', '.join(missing)}")
    return manifest


def write_zip(target: Path, source: Path, files: list[Path]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for relative in files:
            info = zipfile.ZipInfo(relative.as_posix(), date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (source / relative).read_bytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output directory (default: dist/)")
    args = parser.parse_args(argv)

    files = extension_files(SOURCE)
    manifest = check_manifest(SOURCE, files)
    for target in TARGETS:
        path = args.out / f"declutter-{target}.zip"
        write_zip(path, SOURCE, files)
        print(f"{path} ({len(files)} files, version {manifest['version']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
