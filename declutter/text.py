"""The text helpers every step shares: whitespace folding and visible length, of strings and of elements."""

from __future__ import annotations

from functools import lru_cache, wraps

from lxml.html import HtmlElement

UNREAD = frozenset({"script", "style", "template"})  # raw text, or markup a browser does not show
CACHED_VALUE_CHARS = 256  # longer class names, ids and labels are a page's own: computed, not kept


def fold(text: str | None) -> str:
    """Whitespace runs folded to one space, ends trimmed: text as a reader sees it."""
    return " ".join(text.split()) if text else ""


def folded_length(text: str | None) -> int:
    return len(fold(text))


def visible_length(text: str | None) -> int:
    """Characters that are not whitespace."""
    if not text or text.isspace():  # most text nodes of a page are indentation
        return 0
    return len("".join(text.split()))


def element_text(element: HtmlElement | None) -> str:
    """An element's text, whitespace folded (script and style text included: callers drop those first)."""
    return fold(element.xpath("string()")) if element is not None else ""


def element_length(element: HtmlElement | None) -> int:
    """An element's visible characters (script and style text included)."""
    return visible_length(element.xpath("string()")) if element is not None else 0


def readable_length(element: HtmlElement) -> int:
    """An element's visible characters outside scripts and styles (whose text, raw in HTML, has no elements
    inside: each one's characters are taken away once)."""
    unread = sum(element_length(code) for code in element.iter("script", "style"))
    return element_length(element) - unread


def unlinked_length(element: HtmlElement) -> int:
    """An element's visible characters outside links."""
    return element_length(element) - sum(element_length(a) for a in element.iter("a"))


def text_lengths(root: HtmlElement) -> dict:
    """Visible characters of every element under `root` (script, style and template text not counted), in one
    pass from the leaves up (reversed document order). visible_length is written out here: this runs on every
    element of the page, and the calls were a sixth of its time."""
    lengths: dict = {}
    for element in reversed(list(root.iter())):
        tag = element.tag
        if tag in UNREAD or tag.__class__ is not str:  # comments and processing instructions have no text
            lengths[element] = 0
            continue
        text = element.text
        total = len("".join(text.split())) if text else 0
        for child in element:
            tail = child.tail
            total += (lengths[child] + len("".join(tail.split()))) if tail else lengths[child]
        lengths[element] = total
    return lengths


def short_values_cached(maxsize: int):
    """lru_cache for a function of one string, which pages repeat ("Share", "menu-item"), skipped for strings
    over CACHED_VALUE_CHARS: a page's long values would stay in memory after it, up to `maxsize` of them."""
    def decorate(function):
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(value):
            return function(value) if value is not None and len(value) > CACHED_VALUE_CHARS else cached(value)
        call.cache_info = cached.cache_info
        return call
    return decorate
