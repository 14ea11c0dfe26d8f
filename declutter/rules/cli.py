"""`declutter rules import DIR` and `declutter rules check`: import FiveFilters configs, validate site rules.

server/cli.py calls `register(subparsers)`; `python -m declutter.rules.cli rules ...` works on its own too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import lxml.html

from .ftr import import_directory
from .site_apply import find_replace, select_body, strip_targets
from .site_index import SITES_DIR, SiteIndex
from .site_rule import RuleError, SiteRule, SiteTest

FIXTURES = "fixtures"


def _import(args) -> int:
    src = Path(args.dir)
    if not src.is_dir():
        print(f"declutter: {src} is not a directory", file=sys.stderr)
        return 2
    report = import_directory(src, args.out)
    print(report.summary())
    return 0


def _rule_alone_text(rule: SiteRule, page: str) -> str:
    """The text the rule alone yields: replacements, one parse, strip, body (the whole page if no body)."""
    root = lxml.html.document_fromstring(find_replace(rule, page))
    for element, _ in strip_targets(rule, root):
        element.drop_tree()
    body = select_body(rule, root)
    return (body if body is not None else root).text_content()


def _missing(phrases: tuple[str, ...], text: str) -> list[str]:
    text = " ".join(text.split())
    return [phrase for phrase in phrases if " ".join(phrase.split()) not in text]


def _run_fixture(rule: SiteRule, test: SiteTest, directory: Path) -> str | None:
    """Extract the saved page of an embedded test; None if every `contains` phrase is in the text."""
    from ..errors import DeclutterError
    from ..pipeline import extract

    page = directory / FIXTURES / test.fixture
    if not page.is_file():
        return f"fixture {page} is missing"
    try:
        missing = _missing(test.contains, extract(page.read_bytes(), url=test.url).text)
    except DeclutterError as err:
        missing, failure = list(test.contains), f"extraction failed: {err.message}"
    else:
        failure = f"extracted text lacks {missing[0]!r}" if missing else None
    if failure is None:
        return None
    alone = _missing(missing, _rule_alone_text(rule, page.read_text(encoding="utf-8", errors="replace")))
    hint = "the rule alone lacks it too" if alone else "the rule alone yields it: is the rule applied?"
    return f"{test.fixture}: {failure} ({hint})"


def check(directory: Path) -> tuple[list[str], str]:
    """Load every rule in `directory` and run the embedded tests that have a saved page.
    Returns (errors, summary)."""
    rules, load_errors = SiteIndex(directory).load_all()
    errors = [str(err) for err in load_errors]
    tests = offline = passed = 0
    for rule in rules:
        for test in rule.tests:
            tests += 1
            if test.fixture is None:
                continue  # a live url: the loader checked the entry's shape; nothing to fetch offline
            offline += 1
            failure = _run_fixture(rule, test, directory)
            if failure:
                errors.append(str(RuleError(rule.path, f"test {test.url}: {failure}")))
            else:
                passed += 1
    summary = (
        f"{len(rules) + len(load_errors)} rule files: {len(rules)} loaded, {len(load_errors)} with errors; "
        f"{tests} embedded tests: {offline} with a saved page ({passed} passed, {offline - passed} failed), "
        f"{tests - offline} need the live page (shape checked only)"
    )
    return errors, summary


def _check(args) -> int:
    errors, summary = check(Path(args.dir))
    for error in errors:
        print(error)
    print(summary)
    return 1 if errors else 0


def register(subparsers) -> argparse.ArgumentParser:
    """Add `rules import` and `rules check` to the `declutter` command's subparsers."""
    rules = subparsers.add_parser("rules", help="import and check per-site rules")
    commands = rules.add_subparsers(dest="rules_command", required=True)

    imp = commands.add_parser("import", help="convert a directory of FiveFilters site configs to site rules")
    imp.add_argument("dir", help="FiveFilters .txt files, e.g. a clone of fivefilters/ftr-site-config")
    imp.add_argument("--out", default=str(SITES_DIR), help="where the rules go (default: %(default)s)")
    imp.set_defaults(run=_import)

    chk = commands.add_parser("check", help="validate every site rule; run the tests that have a saved page")
    chk.add_argument("--dir", default=str(SITES_DIR), help="rules directory (default: %(default)s)")
    chk.set_defaults(run=_check)
    return rules


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="declutter")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
