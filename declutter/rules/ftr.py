"""Reading FiveFilters Full-Text RSS site configs (`directive: value` lines) and importing them as site rules.

The directives our pipeline can honour become rule keys; the ones it cannot are listed in IGNORED with the
reason, counted and dropped; anything else (a typo such as `titl:`) is an error with its file and line,
and the importer skips that file rather than guess.
"""

from __future__ import annotations

import difflib
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .site_loader import parse_rule
from .site_rule import ANY_SUBDOMAIN, RULE_SUFFIX, RuleError, is_rule_name
from .site_writer import dump_rule
from .xpath import compile_xpath

SOURCE = "ftr-site-config"
UPSTREAM = "fivefilters/ftr-site-config"

XPATH_DIRECTIVES = ("body", "strip", "title", "author", "date")
STRING_DIRECTIVES = ("strip_id_or_class", "strip_image_src")
BOOL_DIRECTIVES = ("prune", "tidy")
HONOURED = frozenset(
    XPATH_DIRECTIVES + STRING_DIRECTIVES + BOOL_DIRECTIVES
    + ("find_string", "replace_string", "test_url", "test_contains")
)

_FETCHING = "we read the page the browser already rendered; the service fetches nothing"
_LOGIN = "logging in happens in the user's browser, whose DOM we are sent"
_RESHAPE = "restructures the tree; our pipeline removes and selects but does not move elements"

IGNORED: dict[str, str] = {
    "single_page_link": _FETCHING,
    "single_page_link_in_feed": _FETCHING,
    "next_page_link": _FETCHING,
    "autodetect_next_page": _FETCHING,
    "if_page_contains": "a condition on single_page_link/next_page_link, which we ignore",
    "http_header": _FETCHING,
    "requires_login": _LOGIN,
    "not_logged_in_xpath": _LOGIN,
    "login_uri": _LOGIN,
    "login_username_field": _LOGIN,
    "login_password_field": _LOGIN,
    "login_extra_fields": _LOGIN,
    "native_ad_clue": "flags sponsored articles; the reply has no field for that",
    "autodetect_on_failure": "readability scoring always runs when a rule picks no body",
    "parser": "one lxml parse for every page; there is no parser to choose",
    "convert_double_br_tags": "readability-lxml already turns <br><br> runs into paragraphs",
    "src_lazy_load_attr": "post-clean already promotes data-src, data-srcset and <noscript> images",
    "insert_detected_image": "the lead image is reported apart, as lead_image_url",
    "skip_json_ld": "metadata reads JSON-LD first; a rule's title/author/date XPaths are read as well",
    "strip_attr": "attributes: post-clean and the sanitizer drop classes, styles and unsafe attributes",
    "post_strip_attr": "attributes: post-clean and the sanitizer drop classes, styles and unsafe attributes",
    "dissolve": _RESHAPE,
    "wrap_in": _RESHAPE,
    "move_into": _RESHAPE,
    "footnotes": "Full-Text RSS output option with no counterpart here",
    "strip_comments": "HTML comments never reach the reply (the sanitizer drops them)",
    "skip_id_or_class": "Full-Text RSS option with no counterpart here",
}

KNOWN = HONOURED | IGNORED.keys()
_TRUE, _FALSE = ("yes", "true"), ("no", "false")
_CALL = re.compile(r"([a-z0-9_]+)\((.*?)\)\s*:(.*)", re.S)
_PLAIN = re.compile(r"([^:]*):(.*)", re.S)


@dataclass
class FtrConfig:
    """One FiveFilters file, read: what we honour, what we ignored (directive -> count), and the errors."""

    name: str  # our rule name: "example.com" or "_.example.com"
    filename: str
    body: list[str] = field(default_factory=list)
    strip: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    date: list[str] = field(default_factory=list)
    strip_id_or_class: list[str] = field(default_factory=list)
    strip_image_src: list[str] = field(default_factory=list)
    find_replace: list[tuple[str, str]] = field(default_factory=list)
    prune: bool | None = None
    tidy: bool | None = None
    tests: list[dict] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)
    errors: list[RuleError] = field(default_factory=list)

    def rule_data(self) -> dict:
        """The project's rule keys, ready for `site_writer.dump_rule`."""
        data = {"source": SOURCE}
        for key in XPATH_DIRECTIVES + STRING_DIRECTIVES + ("find_replace", "prune", "tidy", "tests"):
            data[key] = getattr(self, key)
        return data

    def to_toml(self) -> str:
        header = f"Converted from {UPSTREAM} {self.filename} (CC0) by `declutter rules import`."
        return dump_rule(self.rule_data(), header=header)


def rule_name_for(filename: str) -> str:
    """`example.com.txt` -> "example.com"; `.example.com.txt` (any subdomain) -> "_.example.com"."""
    stem = filename.removesuffix(".txt")
    return ANY_SUBDOMAIN + stem[1:] if stem.startswith(".") else stem


def _split(line: str) -> tuple[str, str | None, str] | None:
    """(directive, argument of directive(arg), value) of one line, or None if it is no `directive: value`."""
    call = _CALL.fullmatch(line)
    if call:
        return call.group(1), call.group(2), call.group(3).strip()
    plain = _PLAIN.fullmatch(line)
    if plain:
        return plain.group(1).strip(), None, plain.group(2).strip()
    return None


def read_ftr(text: str, filename: str) -> FtrConfig:
    """Read one FiveFilters site config. Errors are collected in `.errors` (file and line), not raised."""
    cfg = FtrConfig(name=rule_name_for(filename), filename=filename)
    pending_find: tuple[str, int] | None = None

    def error(message: str, lineno: int) -> None:
        cfg.errors.append(RuleError(filename, message, lineno))

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = _split(line)
        if parts is None:
            error(f"not a 'directive: value' line: {line[:60]!r}", lineno)
            continue
        directive, argument, value = parts

        if directive not in KNOWN:
            close = difflib.get_close_matches(directive, sorted(KNOWN), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            error(f"unknown directive {directive!r}{hint}", lineno)
        elif directive in IGNORED:
            cfg.ignored[directive] += 1
        elif argument is not None and directive != "replace_string":
            error(f"{directive} takes no argument in parentheses", lineno)
        elif directive == "replace_string" and argument is not None:
            # replace_string(find): replace -- the same pair as find_string + replace_string
            if not argument:
                error("replace_string(...) with an empty find string", lineno)
            elif pending_find:
                error(f"find_string on line {pending_find[1]} has no replace_string before this line", lineno)
                pending_find = None
            else:
                cfg.find_replace.append((argument, value))
        elif directive == "find_string":
            if pending_find:
                error(f"find_string on line {pending_find[1]} has no replace_string", lineno)
            pending_find = (value, lineno) if value else None
            if not value:
                error("find_string is empty", lineno)
        elif directive == "replace_string":
            # An empty value means "replace with nothing" (Full-Text RSS drops such lines, which leaves its
            # find/replace lists of unequal length, and then it skips every replacement of the file).
            if pending_find is None:
                error("replace_string without a find_string before it", lineno)
            else:
                cfg.find_replace.append((pending_find[0], value))
                pending_find = None
        elif not value:
            error(f"{directive} has no value", lineno)
        elif directive in XPATH_DIRECTIVES:
            try:
                compile_xpath(value)
            except ValueError as err:
                error(f"{directive}: {err}", lineno)
            else:
                getattr(cfg, directive).append(value)
        elif directive in STRING_DIRECTIVES:
            cleaned = value.replace("'", "").replace('"', "")  # Full-Text RSS drops quotes from these
            if cleaned:
                getattr(cfg, directive).append(cleaned)
            else:
                error(f"{directive} has no value once quotes are dropped", lineno)
        elif directive in BOOL_DIRECTIVES:
            if value.lower() in _TRUE + _FALSE:
                setattr(cfg, directive, value.lower() in _TRUE)
            else:
                error(f"{directive} must be yes or no, not {value!r}", lineno)
        elif directive == "test_url":
            if urlsplit(value).scheme in ("http", "https") and urlsplit(value).netloc:
                cfg.tests.append({"url": value, "contains": []})
            else:
                error(f"test_url must be an absolute http(s) URL, not {value[:60]!r}", lineno)
        elif directive == "test_contains":
            if cfg.tests:
                cfg.tests[-1]["contains"].append(value)
            else:
                error("test_contains before any test_url", lineno)
    if pending_find:
        error("find_string has no replace_string", pending_find[1])
    return cfg


# --- importing a directory ---------------------------------------------------------------------------------

_NOT_SITES = {
    "global": "Full-Text RSS's defaults for every site, not a site; generic.toml does that job here",
    "license": "the licence of the set, copied as LICENSE.ftr-site-config.txt",
}
LICENSE_COPY = "LICENSE.ftr-site-config.txt"


@dataclass
class ImportReport:
    files: int = 0
    converted: list[str] = field(default_factory=list)
    skipped: list[tuple[str, list[str]]] = field(default_factory=list)  # (file, reasons)
    kept: list[str] = field(default_factory=list)  # hand-written rules of the same name, left alone
    removed: list[str] = field(default_factory=list)  # earlier imports whose source file is gone
    ignored: Counter = field(default_factory=Counter)  # directive -> lines dropped
    ignored_files: Counter = field(default_factory=Counter)  # directive -> files using it

    def summary(self) -> str:
        lines = [
            f"{self.files} .txt files read: {len(self.converted)} converted, {len(self.skipped)} skipped, "
            f"{len(self.kept)} kept (hand-written), {len(self.removed)} removed (gone upstream)",
        ]
        if self.skipped:
            lines.append("skipped:")
            for filename, reasons in self.skipped:
                lines.append(f"  {filename}: {reasons[0]}")
                lines += [f"  {filename}: {reason}" for reason in reasons[1:]]
        if self.kept:
            lines.append("kept: " + ", ".join(self.kept))
        if self.removed:
            lines.append("removed: " + ", ".join(self.removed))
        if self.ignored:
            lines.append("ignored directives (lines, files):")
            lines += [
                f"  {directive}: {count}, {self.ignored_files[directive]}"
                for directive, count in sorted(self.ignored.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
        return "\n".join(lines)


def _existing_source(path: Path) -> str | None:
    try:
        match = re.search(r'^source\s*=\s*"([^"]*)"', path.read_text(encoding="utf-8"), re.M)
    except (OSError, UnicodeDecodeError):
        return None
    return match.group(1) if match else None


def import_directory(src: str | Path, out: str | Path) -> ImportReport:
    """Convert every FiveFilters file in `src` into `out/<name>.toml`.

    Files with any error are skipped (with the reasons). A rule in `out` whose source is not
    ftr-site-config was written by hand and is never overwritten. Earlier imports whose FiveFilters file
    is gone are removed, so the directory always mirrors the set it was imported from.
    """
    src, out = Path(src), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = ImportReport()
    written: set[str] = set()
    for path in sorted(p for p in src.iterdir() if p.name.endswith(".txt") and p.is_file()):
        report.files += 1
        stem = path.name.removesuffix(".txt").lower()
        if stem in _NOT_SITES:
            report.skipped.append((path.name, [_NOT_SITES[stem]]))
            if stem == "license":
                shutil.copyfile(path, out / LICENSE_COPY)
            continue
        if not is_rule_name(rule_name_for(path.name)):
            report.skipped.append((path.name, ["not named <domain>.txt or .<domain>.txt"]))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            report.skipped.append((path.name, [f"cannot read: {err}"]))
            continue
        cfg = read_ftr(text, path.name)
        if cfg.errors:
            report.skipped.append((path.name, [f"line {e.line}: {e.message}" for e in cfg.errors]))
            continue
        target = out / f"{cfg.name}{RULE_SUFFIX}"
        if target.exists() and _existing_source(target) != SOURCE:
            report.kept.append(target.name)
            continue
        toml_text = cfg.to_toml()
        try:
            parse_rule(toml_text, cfg.name, target)  # what we write must load
        except RuleError as err:
            report.skipped.append((path.name, [f"converted rule does not load: {err.message}"]))
            continue
        if not target.exists() or target.read_text(encoding="utf-8") != toml_text:
            target.write_text(toml_text, encoding="utf-8")
        written.add(target.name)
        report.converted.append(path.name)
        report.ignored.update(cfg.ignored)
        report.ignored_files.update(cfg.ignored.keys())
    for stale in sorted(out.glob(f"*{RULE_SUFFIX}")):
        if stale.name not in written and _existing_source(stale) == SOURCE:
            stale.unlink()
            report.removed.append(stale.name)
    return report
