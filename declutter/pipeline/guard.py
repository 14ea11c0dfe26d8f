"""Exact, cheap checks that refuse input whose processing would take unbounded time or memory.

Each check has its own error code (all are HostileInput, 422), so a client can tell what was refused:

- `too_many_elements`: more start tags than `options.max_elements`. Every step after the parse walks the
  tree, at roughly 0.1-0.2 ms per element, so a page of a million tiny elements would take minutes.
- `too_many_attributes`: a tag with more than `options.max_attributes` attributes. libxml2 checks each
  new attribute against the earlier ones: 40,000 distinct attributes on one tag take seconds to parse.
  Also more than `options.max_total_attributes` in the page: the parse and each copy of the tree hold
  every one, and 1,500 tags of 999 attributes took a worker to 937 MB.
- `too_deep`: nesting past `options.max_depth`. Below it every step is safe (the recursive ones stay far
  from Python's recursion limit); above it libxml2 would drop the rest of the page without a word. Also
  elements x depth summed past `options.max_nesting`: the steps that read each element's text (scoring,
  link density) pay for its whole subtree, so 99 chains of 500 nested <div>s (0.55 MB) took 7 s.
- `too_many_entities`: article markup on which the sanitizer would rescan too much text. nh3 (html5ever)
  pays, for every special character in a text node or attribute value, for the rest of it: 800,000 bare
  `&` in one paragraph take 15 s, 600,000 soft hyphens 9 s. The special characters were found by timing
  nh3 on every code point (`bench/hostile.py scan`): `&`, NUL and U+0080-U+00BF, the characters UTF-8
  writes with the lead byte C2. Text is cut into short runs before the sanitizer
  (`sanitize.bound_text_runs`), so in practice this refuses long attribute values full of them.

Elements and attributes are counted on the raw text before the parse, by a tokenizer that follows the HTML5 rules
libxml2 (2.14+) follows: quotes only open a value after `=`, `<script>`, `<style>`, `<textarea>`...
hold text not tags, comments end at `-->` or `--!>`, and anything unterminated runs to the end of the
input. Every pattern is possessive and every token is consumed once, so the scan is linear in the input.
Depth is checked after the parse, on the tree itself: before tree construction it cannot be exact,
since most end tags are implied (`<p>` closes an open `<p>`) and counting raw tags would refuse normal
pages.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml.html import HtmlElement

from ..errors import TooDeep, TooManyAttributes, TooManyElements, TooManyEntities

_WS = r"\t\n\f\r "  # HTML whitespace; `\s` would also split on no-break and other Unicode spaces
_ATTRIBUTE = (
    rf"[{_WS}/]*+[^{_WS}/>][^{_WS}/>=]*+[{_WS}]*+"
    rf"""(?:=[{_WS}]*+(?:"[^"]*+"?|'[^']*+'?|[^{_WS}>]*+))?"""
)
# Elements whose content is text up to their own end tag (skipped inside the token, to that end tag);
# <plaintext> has no end tag: the rest of the input is its text.
RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
_TOKEN = re.compile(
    rf"""<(?:
        !--(?:-?>|.*?--!?>|.*)                 # a comment (<!--> and <!---> are empty ones)
      | [!?][^>]*+>?                           # doctype, processing instruction, bogus comment
      | /(?![A-Za-z])[^>]*+>?                  # </> and other bogus end tags
      | /[A-Za-z][^{_WS}/>]*+(?:{_ATTRIBUTE})*+[{_WS}/]*+>?  # an end tag
      | (?P<name>(?P<raw>{"|".join(RAW_TEXT)})(?![^{_WS}/>])  # a start tag; a longer name is no raw-text element
               |(?P<plain>plaintext)(?![^{_WS}/>])|[A-Za-z][^{_WS}/>]*+)
        (?P<attributes>(?:{_ATTRIBUTE})*+)[{_WS}/]*+>?
        (?(raw)(?:[^<]++|<(?!/(?P=raw)[{_WS}/>]))*+)  # raw text, up to its end tag or the end of the input
        (?(plain).*+)
    )""",
    re.S | re.X | re.A | re.I,
)
_ATTRIBUTES = re.compile(_ATTRIBUTE, re.A)
SHORT_MARKUP_CHARS = 4096
TOKENS_LISTED = 80_000  # up to this many "<" in the page, its tokens are listed at C speed (a few MB at most)
# What nh3 rescans the rest of a text node or attribute value for, as UTF-8 bytes (see the module's docstring).
SANITIZER_SPECIALS = (b"&", b"\x00", b"\xc2")


def start_tags(text: str):
    """(name, attribute markup) of every start tag the parser will see, in one linear pass."""
    for match in _TOKEN.finditer(text):
        name, attributes = match.group("name", "attributes")
        if name:
            yield name, attributes


def count_attributes(markup: str, limit: int | None = None) -> int:
    """Attributes in a start tag's attribute markup, counting stopped past `limit`. The usual short markup is
    counted at C speed in one call (a third of this check's time); a long one lazily, so that a hostile tag
    never becomes a list of a million matches."""
    if len(markup) <= SHORT_MARKUP_CHARS:
        return len(_ATTRIBUTES.findall(markup))
    return sum(1 for _ in islice(_ATTRIBUTES.finditer(markup), None if limit is None else limit + 1))


def check_markup(text: str, options) -> None:
    """Before the parse: start tags, attributes per tag and in all."""
    attributes, short = 0, []
    if text.count("<") <= TOKENS_LISTED:  # the usual page: listed in one call, in half the time
        tags = [(name, markup) for name, _, _, markup in _TOKEN.findall(text) if name]
    else:
        tags = start_tags(text)  # lazily, stopping at the limit
    for elements, (name, markup) in enumerate(tags, start=1):
        if elements > options.max_elements:
            raise TooManyElements(f"The page has more than {options.max_elements} elements; it would take too long "
                                  "to process.")
        if len(markup) <= 2 * options.max_attributes:  # every attribute takes two characters at least
            short.append(markup)
        elif markup:
            found = count_attributes(markup, options.max_attributes)
            if found > options.max_attributes:
                raise TooManyAttributes(f"A <{name[:40]}> tag has more than {options.max_attributes} attributes.")
            attributes += found
            _check_total(attributes, options)
    # Every attribute but a tag's last takes two characters at least, so a tag's markup of n characters holds
    # (n + 1) // 2 at most: when that bound keeps the page within the limit, counting cannot refuse it.
    if attributes + (sum(map(len, short)) + len(short)) // 2 > options.max_total_attributes:
        # Counted at C speed in one call: a ">" between two tags' attribute markup ends the one and cannot
        # start or continue an attribute, so each tag counts as it would alone.
        _check_total(attributes + len(_ATTRIBUTES.findall(">".join(short))), options)


def _check_total(attributes: int, options) -> None:
    if attributes > options.max_total_attributes:
        raise TooManyAttributes(f"The page has more than {options.max_total_attributes} attributes; it "
                                "would take too much memory to process.")


def check_tree(root: HtmlElement, options) -> None:
    """After the parse: elements and nesting depth, on the tree itself, a level at a time (a list per level
    at C speed, where a walk paid a Python step per element). Attributes need no second count: the parser
    builds no attribute that `check_markup` did not count (docs/security.md)."""
    count = nesting = depth = 0
    level = [root]
    while level:
        depth += 1
        count += len(level)
        nesting += depth * len(level)
        if count > options.max_elements:
            raise TooManyElements(f"The page has more than {options.max_elements} elements; it would take too long "
                                  "to process.")
        if depth > options.max_depth:
            raise TooDeep(f"The page nests elements more than {options.max_depth} deep; refusing it rather than "
                "dropping what lies deeper.")
        if nesting > options.max_nesting:
            raise TooDeep("The page nests too many elements too deep (elements x depth is over "
                          f"{options.max_nesting}); it would take too long to process.")
        level = [child for element in level for child in element]


def check_fragment(fragment: str, options) -> None:
    """Before the sanitizer: the text it would rescan after each special character, within budget.

    The sanitizer's cost grows with (specials in a run) x (length of the run), where a run ends at the
    next tag or comment; splitting at `<` bounds every text run and every attribute value (serialized
    markup has no raw `<` in either), so the sum below, in UTF-8 bytes, is an upper bound of that work.
    """
    data = fragment.encode("utf-8", "surrogatepass")
    if sum(data.count(special) for special in SANITIZER_SPECIALS) * len(data) <= options.max_sanitizer_work:
        return  # all the specials times all the text bounds the sum below: the usual article, in three counts
    work = 0
    for run in data.split(b"<"):
        specials = sum(run.count(special) for special in SANITIZER_SPECIALS)
        if specials:
            work += specials * len(run)
    if work > options.max_sanitizer_work:
        raise TooManyEntities("The article has a text or attribute value with too many '&', no-break spaces or "
                              "other characters the sanitizer rescans to be sanitized in reasonable time.")
