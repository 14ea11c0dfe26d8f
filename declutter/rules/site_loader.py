"""The strict site rule loader: TOML text to a SiteRule, or RuleError naming the file and line.

The keys are FiveFilters-compatible (see docs/rules.md). Every file is checked when it is loaded:
unknown keys, wrong types and XPath that lxml cannot run are errors naming the file and line.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from .site_rule import RULE_SUFFIX, RuleError, SiteRule, SiteTest, rule_name
from .xpath import compile_xpath

# Every key a rule file may hold, and its kind. Anything else is an error.
KEYS: dict[str, str] = {
    "source": "string",
    "body": "xpaths",
    "title": "xpaths",
    "author": "xpaths",
    "date": "xpaths",
    "strip": "xpaths",
    "strip_id_or_class": "strings",
    "strip_image_src": "strings",
    "strip_text": "strings",
    "find_replace": "pairs",
    "prune": "bool",
    "tidy": "bool",
    "tests": "tests",
}
TEST_KEYS = ("url", "contains", "fixture")

# FiveFilters' `prune` and `tidy` switch passes of its own extractor (HTML Tidy before extraction, pruning
# of non-content elements after) that this pipeline does not have, so a rule has no use for them. Imported
# files carry them as upstream wrote them (`declutter rules import` copies them), so the loader still
# accepts and type-checks them like any key, then drops them.
IGNORED_KEYS = frozenset({"prune", "tidy"})

_TESTS_TABLE = re.compile(r"^[ \t]*\[\[[ \t]*tests[ \t]*\]\]", re.M)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(value: str) -> str:
    """`value` as a TOML basic string (how the loader finds a value's line, and how the writer writes it)."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key_line(text: str, key: str) -> int | None:
    match = re.search(rf"^[ \t]*(?:\[\[)?[ \t]*{re.escape(key)}[ \t]*(?:=|\]\])", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _value_line(text: str, value: str, near: int | None) -> int | None:
    """The line where `value` is written (as a TOML basic or literal string), searching from `near`."""
    start = 0
    if near:
        start = sum(len(line) for line in text.splitlines(keepends=True)[: near - 1])
    for written in (toml_string(value), f"'{value}'"):
        at = text.find(written, start)
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return near


def parse_rule(text: str, name: str, path: Path | None = None) -> SiteRule:
    """The rule in TOML `text`; RuleError for unknown keys, wrong types or XPath lxml cannot run."""
    where = path or f"{name}{RULE_SUFFIX}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"line (\d+)", str(err))
        raise RuleError(where, f"not valid TOML: {err}", int(line.group(1)) if line else None) from None

    fields: dict = {}
    for key, value in data.items():
        kind = KEYS.get(key)
        line = _key_line(text, key)
        if kind is None:
            raise RuleError(where, f"unknown key {key!r} (allowed: {', '.join(KEYS)})", line)
        checked = _checked(kind, key, value, text, where, line)
        if key not in IGNORED_KEYS:
            fields[key] = checked
    return SiteRule(name=name, path=path, **fields)


def _checked(kind: str, key: str, value, text: str, where, line: int | None):
    def fail(expected: str) -> RuleError:
        return RuleError(where, f"{key!r} must be {expected}", line)

    if kind == "string":
        if not isinstance(value, str) or not value:
            raise fail("a non-empty string")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if kind in ("strings", "xpaths"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail("a list of non-empty strings")
        if kind == "strings":
            return tuple(value)
        compiled = []
        for expr in value:
            try:
                compiled.append(compile_xpath(expr))
            except ValueError as err:
                raise RuleError(where, f"{key}: {err}", _value_line(text, expr, line)) from None
        return tuple(compiled)
    if kind == "pairs":
        pairs = []
        for pair in value if isinstance(value, list) else [None]:
            ok = isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)
            if not ok or not pair[0]:
                raise fail('a list of ["find", "replace"] string pairs with a non-empty find')
            pairs.append((pair[0], pair[1]))
        return tuple(pairs)
    if kind == "tests":
        entries = value if isinstance(value, list) else [None]
        tables = [text.count("\n", 0, m.start()) + 1 for m in _TESTS_TABLE.finditer(text)]
        lines = [tables[i] if i < len(tables) else line for i in range(len(entries))]
        return tuple(_checked_test(entry, where, at) for entry, at in zip(entries, lines, strict=True))
    raise AssertionError(kind)


def _checked_test(entry, where, line) -> SiteTest:
    if not isinstance(entry, dict):
        raise RuleError(where, "'tests' must be a list of tables ([[tests]] with url and contains)", line)
    unknown = sorted(set(entry) - set(TEST_KEYS))
    if unknown:
        allowed = ", ".join(TEST_KEYS)
        raise RuleError(where, f"unknown key {unknown[0]!r} in [[tests]] (allowed: {allowed})", line)
    url, contains, fixture = entry.get("url"), entry.get("contains", []), entry.get("fixture")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise RuleError(where, "a [[tests]] entry needs url = an absolute http(s) URL", line)
    if not isinstance(contains, list) or not all(isinstance(c, str) and c.strip() for c in contains):
        raise RuleError(where, "[[tests]] contains must be a list of non-empty strings", line)
    if fixture is not None and (not isinstance(fixture, str) or not re.fullmatch(r"[\w.-]+\.html", fixture)):
        raise RuleError(where, "[[tests]] fixture must be a file name like 'example.com-1.html'", line)
    return SiteTest(url=url, contains=tuple(contains), fixture=fixture)


def load_rule(path: str | os.PathLike) -> SiteRule:
    path = Path(path)
    name = rule_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RuleError(path, f"cannot read: {err}") from None
    return parse_rule(text, name, path)
