"""Exact, cheap checks that refuse input whose processing would take unbounded time or memory.

Each check has its own error code (all are HostileInput, 422), so a client can tell what was refused:

- `too_many_elements`: more start tags than `options.max_elements`. Every step after the parse walks the
  tree, at roughly 0.1-0.2 ms per element, so a page of a million tiny elements would take minutes.
- `too_many_attributes`: a tag with more than `options.max_attributes` attributes. libxml2 checks each
  new attribute against the earlier ones: 40,000 distinct attributes on one tag take seconds to parse.
- `too_deep`: nesting past `options.max_depth`. Below it every step is safe (the recursive ones stay far
  from Python's recursion limit); above it libxml2 would drop the rest of the page without a word.
- `too_many_entities`: article markup on which the sanitizer would rescan too much text. nh3 (html5ever)
  pays, for every `&` or no-break space in a run of text, for the rest of that run: 800,000 bare `&`
  in one paragraph take 15 s.

The first two are counted on the raw text before the parse, by a tokenizer that follows the HTML5 rules
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

from lxml import etree
from lxml.html import HtmlElement

from ..errors import TooDeep, TooManyAttributes, TooManyElements, TooManyEntities

_WS = r"\t\n\f\r "  # HTML whitespace; `\s` would also split on no-break and other Unicode spaces
_ATTRIBUTE = (
    rf"[{_WS}/]*+[^{_WS}/>][^{_WS}/>=]*+[{_WS}]*+"
    rf"""(?:=[{_WS}]*+(?:"[^"]*+"?|'[^']*+'?|[^{_WS}>]*+))?"""
)
_TOKEN = re.compile(
    rf"""<(?:
        !--(?:-?>|.*?--!?>|.*)                 # a comment (<!--> and <!---> are empty ones)
      | [!?][^>]*+>?                           # doctype, processing instruction, bogus comment
      | /(?![A-Za-z])[^>]*+>?                  # </> and other bogus end tags
      | (?P<end>/)?(?P<name>[A-Za-z][^{_WS}/>]*+)(?P<attributes>(?:{_ATTRIBUTE})*+)[{_WS}/]*+>?
    )""",
    re.S | re.X | re.A,
)
_ATTRIBUTES = re.compile(_ATTRIBUTE, re.A)
# Elements whose content is text up to their own end tag; <plaintext> has no end tag.
_RAW_TEXT_END = {name: re.compile(rf"</{name}[{_WS}/>]", re.I | re.A)
                 for name in ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")}
_SANITIZER_SPECIALS = ("&", "\xa0")


def start_tags(text: str):
    """(name, attribute markup) of every start tag the parser will see, in one linear pass."""
    position = 0
    while True:
        for match in _TOKEN.finditer(text, position):
            name = match.group("name")
            if name is None or match.group("end"):
                continue
            yield name, match.group("attributes")
            name = name.lower()
            if name == "plaintext":
                return
            end = _RAW_TEXT_END.get(name)
            if end is not None:  # skip the element's text, and go on from its end tag
                found = end.search(text, match.end())
                if found is None:
                    return
                position = found.start()
                break
        else:
            return


def count_attributes(markup: str, limit: int | None = None) -> int:
    """Attributes in a start tag's attribute markup, counting stopped past `limit`."""
    return sum(1 for _ in islice(_ATTRIBUTES.finditer(markup), None if limit is None else limit + 1))


def check_markup(text: str, options) -> None:
    """Before the parse: start tags, and attributes per tag."""
    # An attribute takes at least two characters (a separator, or `=`, and a name), so a shorter tag
    # cannot be over the limit and is not counted attribute by attribute.
    long_tag = 2 * options.max_attributes
    for elements, (name, attributes) in enumerate(start_tags(text), start=1):
        if elements > options.max_elements:
            raise TooManyElements(f"The page has more than {options.max_elements} elements; it would take too long "
                                  "to process.")
        if len(attributes) > long_tag and count_attributes(attributes, options.max_attributes) > \
                options.max_attributes:
            raise TooManyAttributes(f"A <{name[:40]}> tag has more than {options.max_attributes} attributes.")


def check_tree(root: HtmlElement, options) -> None:
    """After the parse: elements, attributes per element and nesting depth, on the tree itself."""
    count = depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        count += 1
        if count > options.max_elements:
            raise TooManyElements(f"The page has more than {options.max_elements} elements; it would take too long "
                                  "to process.")
        if depth > options.max_depth:
            raise TooDeep(f"The page nests elements more than {options.max_depth} deep; refusing it rather than "
                "dropping what lies deeper.")
        if len(element.attrib) > options.max_attributes:
            raise TooManyAttributes(f"A <{element.tag}> element has more than {options.max_attributes} attributes.")


def check_fragment(fragment: str, options) -> None:
    """Before the sanitizer: the text it would rescan after each `&` or no-break space, within budget.

    The sanitizer's cost grows with (specials in a run) x (length of the run), where a run ends at the
    next tag; splitting at `<` bounds every text run and every attribute value (serialized markup has no
    raw `<` in either), so the sum below is an upper bound of that work.
    """
    work = 0
    for run in fragment.split("<"):
        specials = run.count("&") + run.count("\xa0")
        if specials:
            work += specials * len(run)
    if work > options.max_sanitizer_work:
        raise TooManyEntities("The article text has too many '&' or no-break-space characters in one run to be "
                              "sanitized in reasonable time.")
