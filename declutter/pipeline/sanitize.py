"""The one allowlist for article markup, and the only module that imports the sanitizer (nh3).

nh3 rather than bleach: bleach is deprecated (since 2023), keeps the text of <script>/<style>
and `href="javascript:123"`, and nh3 was 12x faster on the median of 130 real articles.
"""

from __future__ import annotations

import re

import nh3
from lxml import etree
from lxml.html import HtmlElement

from . import guard
from .options import DEFAULT_OPTIONS

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    "var", "wbr",
})

# Dropped together with everything inside them; other unknown tags are unwrapped, keeping their text.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "form",
    "textarea", "select", "button", "input", "frame", "frameset", "applet", "audio", "video",
    "canvas", "dialog", "head", "title", "meta", "link", "base",
})

ALLOWED_ATTRIBUTES = {
    "*": {"lang", "dir", "title", "data-selector"},  # data-selector: a block's name on its site (block_names.py)
    "a": {"href"},
    "img": {"src", "srcset", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "wbr": {"data-removed"},  # where a removed block stood (declutter/pipeline/restorable.py)
}

# The one shape of a block's name (pipeline/block_names.py): an id, or classes.
SELECTOR = re.compile(r"(#-?[A-Za-z_][A-Za-z0-9_-]*|(\.-?[A-Za-z_][A-Za-z0-9_-]*)+)\Z")

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = ("http://", "https://")


def _web_url(value: str) -> bool:
    return value.strip().lower().startswith(IMAGE_SCHEMES)


def _srcset(value: str) -> str | None:
    """Keeps only the http(s) candidates of a srcset."""
    kept = [c.strip() for c in value.split(",") if _web_url(c.strip())]
    return ", ".join(kept) or None


# Numbers as a browser reads them. Others go: "²" passes str.isdigit() and fails int(), and int() refuses
# over 4,300 digits, which would fail the Markdown renderer (markdownify reads start and colspan).
NUMBER_ATTRIBUTES = frozenset({"start", "value", "colspan", "rowspan", "span"})
NUMBER = re.compile(r"-?[0-9]{1,9}\Z")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if (tag == "img" and attribute == "src") or attribute == "cite":  # nh3 checks no scheme in cite
        return value if _web_url(value) else None
    if attribute in NUMBER_ATTRIBUTES:
        return value if NUMBER.match(value.strip()) else None
    if attribute == "srcset":
        return _srcset(value)
    if attribute == "data-removed":
        return value if value.isascii() and value.isdigit() else None
    if attribute == "data-selector":
        return value if SELECTOR.match(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(LINK_SCHEMES),
    url_relative="deny",  # URLs were made absolute against the page; a relative one has no meaning here
    link_rel="noopener noreferrer",
    strip_comments=True,
)


# nh3 pays, for each `&` or U+0080-U+00BF character in a text node, for the rest of the node (guard.py);
# text cut into runs this long costs it linear time, whatever the characters.
TEXT_RUN_CHARS = 1_000
# Elements whose content html5ever reads as text, where a comment would show as "<!---->".
RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext",
                      "textarea", "title"})


def _runs(text: str) -> list[str]:
    runs, start = [], 0
    while len(text) - start > TEXT_RUN_CHARS:
        cut = start + TEXT_RUN_CHARS
        if text[cut - 1] == "\r":  # a CR LF pair stays one line break
            cut -= 1
        runs.append(text[start:cut])
        start = cut
    runs.append(text[start:])
    return runs


def bound_text_runs(container: HtmlElement) -> None:
    """Cuts long text with empty comments, which end a text node for nh3 and which it then drops."""
    stack = [container]
    while stack:
        element = stack.pop()
        if element is not container and element.tail and len(element.tail) > TEXT_RUN_CHARS:
            first, *rest = _runs(element.tail)
            element.tail = first
            for run in reversed(rest):
                cut = etree.Comment()
                cut.tail = run
                element.addnext(cut)
        if element.tag in RAW_TEXT:
            continue
        children = [child for child in element if isinstance(child.tag, str)]
        if element.text and len(element.text) > TEXT_RUN_CHARS:
            first, *rest = _runs(element.text)
            element.text = first
            for index, run in enumerate(rest):
                cut = etree.Comment()
                cut.tail = run
                element.insert(index, cut)
        stack.extend(children)


def sanitize_html(fragment: str, options=DEFAULT_OPTIONS) -> str:
    """Untrusted HTML in, markup safe to show in a reader page out."""
    guard.check_fragment(fragment, options)  # nh3's time grows with specials x length of their text run
    return _CLEANER.clean(fragment)
