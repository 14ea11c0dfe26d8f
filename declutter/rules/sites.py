"""Per-site rules: the rule model, a strict loader, an index by host, and pure functions the pipeline calls.

A rule is one TOML file per domain in `declutter/rules/sites/`:

    example.com.toml      applies to example.com and www.example.com
    _.example.com.toml    applies to every subdomain of example.com (news.example.com, a.b.example.com),
                          but not to example.com or www.example.com (FiveFilters' `.example.com.txt`)

The keys are FiveFilters-compatible (see docs/rules.md). Every file is checked when it is loaded:
unknown keys, wrong types and XPath that lxml cannot run are errors naming the file and line.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import re
import threading
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

log = logging.getLogger(__name__)

SITES_DIR = Path(__file__).with_name("sites")
RULE_SUFFIX = ".toml"
ANY_SUBDOMAIN = "_."  # file-name prefix of a rule that applies to every subdomain

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
_HOST_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_NAME_RE = re.compile(rf"(?:_\.)?{_LABEL}(?:\.{_LABEL})+|{_LABEL}")


class RuleError(ValueError):
    """A rule file that cannot be used: the file, the line when known, and what is wrong."""

    def __init__(self, path: str | os.PathLike | None, message: str, line: int | None = None):
        self.path = str(path) if path is not None else "<rule>"
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


# --- XPath: compiled once, checked for what lxml only notices when it runs ------------------------------

_XPATH_FUNCTIONS = frozenset(
    "last position count id local-name namespace-uri name string concat starts-with contains "
    "substring-before substring-after substring string-length normalize-space translate boolean not "
    "true false lang number sum floor ceiling round".split()
)
_NOT_FUNCTIONS = frozenset({"node", "text", "comment", "processing-instruction", "and", "or", "div", "mod"})
_LITERAL_RE = re.compile(r"\"[^\"]*\"|'[^']*'")
_CALL_RE = re.compile(r"(?<![\w.:$-])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_PREFIX_RE = re.compile(r"(?<![\w.:$-])([A-Za-z_][\w.-]*):(?![:=])")
_PROBE = etree.fromstring(
    "<html lang='en'><head><title>t</title><meta name='m' content='c'/></head>"
    "<body class='b' id='b'><article><h1>h</h1><div class='d'><p>p<a href='#'>a</a></p>"
    "<img src='i'/></div></article></body></html>"
)


def compile_xpath(expr: str) -> etree.XPath:
    """The compiled XPath, or ValueError saying why lxml could not run it on an HTML page."""
    if not isinstance(expr, str) or not expr.strip():
        raise ValueError("empty XPath")
    try:
        compiled = etree.XPath(expr, smart_strings=False)
    except etree.XPathError as err:
        raise ValueError(f"invalid XPath {expr!r}: {err}") from None
    code = _LITERAL_RE.sub("''", expr)
    for name in _CALL_RE.findall(code):
        if name not in _XPATH_FUNCTIONS and name not in _NOT_FUNCTIONS:
            raise ValueError(f"invalid XPath {expr!r}: unknown function {name}()")
    for prefix in _PREFIX_RE.findall(code):
        if prefix != "xml":
            raise ValueError(f"invalid XPath {expr!r}: namespace prefix {prefix!r} is undefined in HTML")
    if "$" in code:
        raise ValueError(f"invalid XPath {expr!r}: variables are not supported")
    try:
        compiled(_PROBE)
    except etree.XPathError as err:
        raise ValueError(f"invalid XPath {expr!r}: {err}") from None
    return compiled


def _evaluate(xpath: etree.XPath, root) -> list:
    """Run a rule's XPath; a page that makes it fail counts as no match, never as an error."""
    try:
        result = xpath(root)
    except (etree.XPathError, ValueError, TypeError) as err:
        log.debug("site rule XPath %s failed: %s", xpath.path, err)
        return []
    if isinstance(result, list):
        return result
    if isinstance(result, str):
        return [result]
    return []  # numbers and booleans name nothing


# --- the rule model --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteTest:
    """An embedded test: the page at `url` must yield text holding every `contains` phrase.

    `fixture` names a saved copy of the page in `sites/fixtures/`, which `declutter rules check` runs offline.
    """

    url: str
    contains: tuple[str, ...] = ()
    fixture: str | None = None


@dataclass(frozen=True, eq=False)
class SiteRule:
    """One domain's rule. XPath keys hold compiled `etree.XPath` objects; `.path` gives the source text."""

    name: str  # "example.com", or "_.example.com" for any subdomain
    path: Path | None = None
    body: tuple[etree.XPath, ...] = ()
    strip: tuple[etree.XPath, ...] = ()
    strip_id_or_class: tuple[str, ...] = ()
    strip_image_src: tuple[str, ...] = ()
    strip_text: tuple[str, ...] = ()
    title: tuple[etree.XPath, ...] = ()
    author: tuple[etree.XPath, ...] = ()
    date: tuple[etree.XPath, ...] = ()
    find_replace: tuple[tuple[str, str], ...] = ()
    prune: bool | None = None
    tidy: bool | None = None
    tests: tuple[SiteTest, ...] = ()
    source: str | None = None

    @property
    def subdomains(self) -> bool:
        """True for a rule that applies to the subdomains of `domain` rather than to `domain` itself."""
        return self.name.startswith(ANY_SUBDOMAIN)

    @property
    def domain(self) -> str:
        return self.name.removeprefix(ANY_SUBDOMAIN)


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
_TESTS_TABLE = re.compile(r"^[ \t]*\[\[[ \t]*tests[ \t]*\]\]", re.M)


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


def is_rule_name(name: str) -> bool:
    """Is `name` a domain in lowercase, or `_.` and a domain ("example.com", "_.example.com")?"""
    return bool(_NAME_RE.fullmatch(name))


def rule_name(path: Path) -> str:
    """The rule name of a file: example.com.toml -> "example.com"; _.example.com.toml -> "_.example.com"."""
    name = path.name.removesuffix(RULE_SUFFIX)
    if not path.name.endswith(RULE_SUFFIX) or not is_rule_name(name):
        raise RuleError(path, "a rule file is named <domain>.toml or _.<domain>.toml (lowercase)")
    return name


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
        fields[key] = _checked(kind, key, value, text, where, line)
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


# --- writing: a small emitter for exactly the shapes a rule holds --------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(value: str) -> str:
    """`value` as a TOML basic string."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def dump_rule(data: dict, header: str = "") -> str:
    """TOML text for a rule given as plain data (keys of KEYS, written in KEYS order); parse_rule reads it."""
    unknown = set(data) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown rule keys: {sorted(unknown)}")
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for key, kind in KEYS.items():
        value = data.get(key)
        if value is None or value == [] or value == () or kind == "tests":
            continue
        if kind == "string":
            lines.append(f"{key} = {toml_string(value)}")
        elif kind == "bool":
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif kind == "pairs":
            lines.append(f"{key} = [")
            lines += [f"    [{toml_string(find)}, {toml_string(replace)}]," for find, replace in value]
            lines.append("]")
        else:
            lines.append(f"{key} = [")
            lines += [f"    {toml_string(v)}," for v in value]
            lines.append("]")
    for test in data.get("tests") or ():
        lines += ["", "[[tests]]", f"url = {toml_string(test['url'])}"]
        if test.get("contains"):
            lines.append("contains = [")
            lines += [f"    {toml_string(c)}," for c in test["contains"]]
            lines.append("]")
        if test.get("fixture"):
            lines.append(f"fixture = {toml_string(test['fixture'])}")
    return "\n".join(lines) + "\n"


# --- the index: which rule applies to a host -------------------------------------------------------------


def normalize_host(host_or_url: str | None) -> str | None:
    """The lowercase ASCII host of a URL or host name (port, trailing dot and credentials dropped)."""
    if not host_or_url or not isinstance(host_or_url, str):
        return None
    value = host_or_url.strip()
    if "/" in value or "@" in value:
        try:
            value = urlsplit(value if "//" in value else f"//{value}").hostname or ""
        except ValueError:
            return None
    else:
        value = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    value = value.strip().rstrip(".").lower()
    if not value.isascii():
        try:
            value = value.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return value if _HOST_RE.fullmatch(value) else None


def candidate_names(host: str) -> list[str]:
    """Rule names to try for `host`, best first: exact host, host without www., then subdomain rules of
    each parent domain, nearest first (a.b.example.com -> _.b.example.com, _.example.com)."""
    names = [host]
    bare = host.removeprefix("www.") if host.startswith("www.") and host.count(".") >= 2 else host
    if bare != host:
        names.append(bare)
    labels = bare.split(".")
    names += [ANY_SUBDOMAIN + ".".join(labels[i:]) for i in range(1, len(labels) - 1)]
    return names


class SiteIndex:
    """Rule files of one directory, indexed by name at first use; each file is parsed once, when a host
    first needs it. Safe to share between threads."""

    def __init__(self, directory: str | os.PathLike = SITES_DIR):
        self.directory = Path(directory)
        self._files: dict[str, Path] | None = None
        self._rules: dict[str, SiteRule | None] = {}
        self._lock = threading.Lock()

    @property
    def files(self) -> dict[str, str]:
        """Rule name -> file name, read from the directory listing once."""
        if self._files is None:
            with self._lock:
                if self._files is None:
                    self._files = dict(self._scan())
        return self._files

    def _scan(self) -> Iterator[tuple[str, str]]:
        try:
            filenames = os.listdir(self.directory)
        except FileNotFoundError:
            return
        for filename in filenames:
            name = filename.removesuffix(RULE_SUFFIX)
            if name == filename:
                continue
            if is_rule_name(name):
                yield name, filename
            else:
                log.warning("ignoring site rule %s: not named <domain>.toml or _.<domain>.toml", filename)

    def get(self, name: str) -> SiteRule | None:
        """The rule called `name`; None if there is none, or if its file is broken (logged)."""
        try:
            return self._rules[name]
        except KeyError:
            pass
        filename = self.files.get(name)
        rule = None
        if filename is not None:
            try:
                rule = load_rule(self.directory / filename)
            except RuleError as err:
                log.warning("ignoring site rule: %s", err)
        self._rules[name] = rule
        return rule

    def rule_for(self, host_or_url: str | None) -> SiteRule | None:
        """The rule that applies to a URL or host: exact host, then without www., then parent domains."""
        host = normalize_host(host_or_url)
        if host is None:
            return None
        for name in candidate_names(host):
            if name in self.files:
                rule = self.get(name)
                if rule is not None:
                    return rule
        return None

    def load_all(self) -> tuple[list[SiteRule], list[RuleError]]:
        """Every rule file parsed now (for checks): the rules that load and the errors of those that don't."""
        rules, errors = [], []
        for path in sorted(self.directory.glob(f"*{RULE_SUFFIX}")):
            try:
                rules.append(load_rule(path))
            except RuleError as err:
                errors.append(err)
        return rules, errors


@functools.cache
def default_index() -> SiteIndex:
    """The index of the rules shipped in declutter/rules/sites."""
    return SiteIndex(SITES_DIR)


def rule_for(host_or_url: str | None) -> SiteRule | None:
    """The shipped site rule for a URL or host name, or None."""
    return default_index().rule_for(host_or_url)


# --- applying a rule: small pure functions over an lxml tree ----------------------------------------------


def find_replace(rule: SiteRule, text: str) -> str:
    """The page's HTML text with the rule's string replacements made in order (before parsing)."""
    for find, replace in rule.find_replace:
        text = text.replace(find, replace)
    return text


_WITH_ID_OR_CLASS = etree.XPath("//*[@class or @id]", smart_strings=False)
_NEVER_STRIPPED = frozenset({"html", "body"})
_NO_TEXT = frozenset({"script", "style", "template"})
_SPACE = re.compile(r"\s+")  # Unicode whitespace, so "Read&nbsp;more" is "Read more"


@functools.lru_cache(maxsize=4096)
def _any_of(values: tuple[str, ...]) -> re.Pattern:
    """One pattern finding any of the strings: one pass over the page for all of a rule's strings."""
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))


def _elements(nodes: Iterable) -> list:
    return [n for n in nodes if isinstance(n, etree._Element) and isinstance(n.tag, str)]


def _normalize_space(text: str) -> str:
    """Runs of whitespace (non-breaking spaces included) as one space, none at the ends."""
    return _SPACE.sub(" ", text).strip(" ")


def _innermost(elements: list) -> list:
    """The elements that hold no other element of the list (the smallest blocks owning a phrase)."""
    chosen = set(elements)
    holders = {anc for el in elements for anc in el.iterancestors() if anc in chosen}
    return [el for el in elements if el not in holders]


def _outermost(elements: Iterable) -> list:
    """The elements that sit inside no other element of the list (the outer one already holds them)."""
    elements = list(elements)
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _id_or_class_matches(values: tuple[str, ...], root) -> Iterator[tuple[etree._Element, str]]:
    """FiveFilters' strip_id_or_class: elements whose class or id attribute contains one of the strings."""
    pattern = _any_of(values)
    for el in _elements(_evaluate(_WITH_ID_OR_CLASS, root)):
        found = pattern.search(el.get("class") or "") or pattern.search(el.get("id") or "")
        if found:
            yield el, found.group(0)


def _image_src_matches(values: tuple[str, ...], root) -> Iterator[tuple[etree._Element, str]]:
    pattern = _any_of(values)
    for img in root.iter("img"):
        found = pattern.search(img.get("src") or "")
        if found:
            yield img, found.group(0)


def _short_texts(root, limit: int) -> dict:
    """Whitespace-collapsed text of each element in <body> whose text is at most `limit` characters.
    One pass from the leaves up; elements with longer text (so all their ancestors) are left out."""
    body = next(root.iter("body"), None)
    texts: dict = {}
    for el in reversed(list(body.iter()) if body is not None else []):
        if not isinstance(el.tag, str):
            continue
        if el.tag in _NO_TEXT:
            texts[el] = ""
            continue
        parts = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str):
                if child not in texts:
                    break
                parts.append(texts[child])
            parts.append(child.tail or "")
        else:
            text = _SPACE.sub(" ", "".join(parts))
            if len(text) <= limit + 2:
                texts[el] = text
    return texts


def _whole_text_matches(phrases: tuple[str, ...], root) -> Iterator[tuple[etree._Element, str]]:
    """strip_text: for each phrase, the smallest elements whose whole text is the phrase."""
    wanted = {_normalize_space(p): p for p in phrases}
    owners: dict[str, list] = {}
    for el, text in reversed(_short_texts(root, max(map(len, wanted))).items()):  # document order
        phrase = wanted.get(text.strip(" "))
        if phrase is not None:
            owners.setdefault(phrase, []).append(el)
    for phrase in phrases:
        for el in _innermost(owners.get(phrase, [])):
            yield el, phrase


def strip_targets(rule: SiteRule, root) -> list[tuple[etree._Element, str]]:
    """Elements the rule removes, each with the rule line that matched ("strip_id_or_class: share").

    In rule order: strip, strip_id_or_class (the string inside @class or @id, as FiveFilters matches it),
    strip_image_src (img whose src holds the string), strip_text (the smallest element whose whole text is
    the phrase). An element is listed once; elements inside another listed element are left out, and
    <html> and <body> are never listed. The tree is not changed.
    """
    found: list[tuple[etree._Element, str]] = []
    for xpath in rule.strip:
        found += [(el, f"strip: {xpath.path}") for el in _elements(_evaluate(xpath, root))]
    for directive, values, matches in (
        ("strip_id_or_class", rule.strip_id_or_class, _id_or_class_matches),
        ("strip_image_src", rule.strip_image_src, _image_src_matches),
        ("strip_text", rule.strip_text, _whole_text_matches),
    ):
        if values:
            found += [(el, f"{directive}: {value}") for el, value in matches(values, root)]

    targets: dict[etree._Element, str] = {}
    for el, match in found:
        if el.tag not in _NEVER_STRIPPED and el not in targets:
            targets[el] = match
    return [(el, targets[el]) for el in _outermost(targets)]


def _has_content(el) -> bool:
    return el.tag == "img" or bool(el.text_content().strip()) or el.find(".//img") is not None


def select_body(rule: SiteRule, root):
    """The article element the rule's body XPaths pick, or None.

    The first XPath that matches an element with text or an image wins. One match: that element, still
    in `root`'s tree. Several: as FiveFilters does, a new <div>, not attached to the tree, holding copies
    of the matches in document order (matches inside another match are left out).
    """
    for xpath in rule.body:
        matches = [el for el in _outermost(_elements(_evaluate(xpath, root))) if _has_content(el)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            wrapper = root.makeelement("div", {})
            for el in matches:
                clone = copy.deepcopy(el)
                clone.tail = None
                wrapper.append(clone)
            return wrapper
    return None


def _text_of(node) -> str:
    text = node if isinstance(node, str) else node.text_content() if isinstance(node, etree._Element) else ""
    return " ".join(str(text).split())


def read_metadata(rule: SiteRule, root) -> dict[str, str]:
    """Title, author and date as the rule's XPaths read them (strings or elements' text); only found keys.

    title and date: the first XPath that yields a non-empty value, first match. author: every match of
    the first XPath that yields one, joined with ", " (pages often list several authors).
    """
    found: dict[str, str] = {}
    for key in ("title", "author", "date"):
        for xpath in getattr(rule, key):
            values = [v for v in (_text_of(n) for n in _evaluate(xpath, root)) if v]
            if key == "date":
                values = [v.strip("; ") for v in values if v.strip("; ")]
            if values:
                found[key] = ", ".join(dict.fromkeys(values)) if key == "author" else values[0]
                break
    return found
