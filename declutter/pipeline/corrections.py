"""The reader's own corrections for a site: CSS selectors of blocks to remove and of blocks to keep.

A reader saves them per site and sends them with each request for it (`Options.remove`, `Options.keep`).
`remove` works like a site rule's `strip`: its blocks go in the one clutter sweep and appear in `removed`
as rule "reader". `keep` works like the article hint: a kept block, and all inside it, is safe from every
rule, and one that stood outside the article is put at the article's start or end, on its side.
"""

from __future__ import annotations

import copy
from functools import lru_cache

import lxml.html
from cssselect import SelectorError
from cssselect.xpath import ExpressionError
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from ..errors import BadInput

RULE = "reader"
MAX_SELECTORS = 50  # per list and request
MAX_SELECTOR_CHARS = 200


# lxml's own :contains(), which no browser knows, calls a Python function from XPath: lxml 6.2, evaluating
# one such selector on document after document, looks the function up on every other one under a namespace
# read from freed memory ("{-//W3C//DTD HTML 4.0 Transitional//EN}lower-case" not found).
LXML_EXTENSIONS = "__lxml_internal_css:"
_PROBE = lxml.html.fragment_fromstring("<div></div>")


@lru_cache(maxsize=1024)
def compiled(selector: str) -> CSSSelector:
    try:
        found = CSSSelector(selector, translator="html")
    except ExpressionError as error:  # cssselect's word for pseudo-elements, and for unknown functions
        raise BadInput(f"The selector {selector!r} is not supported: {error}") from None
    except SelectorError as error:
        raise BadInput(f"The selector {selector!r} is not valid CSS: {error}") from None
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \ud800 escape can carry
        raise BadInput(f"The selector {selector!r} is not valid CSS: it holds a lone surrogate.") from None
    if LXML_EXTENSIONS in found.path:
        raise BadInput(f"The selector {selector!r} is not supported: :contains() is not CSS.")
    try:
        found(_PROBE)  # a namespace prefix ("svg|a") fails only when evaluated: HTML has none
    except etree.XPathError as error:
        raise BadInput(f"The selector {selector!r} is not supported: {error}.") from None
    return found


def checked(name: str, selectors) -> tuple[str, ...]:
    """`selectors` as a tuple, if it is a list of at most 50 valid CSS selectors of at most 200 characters."""
    if not isinstance(selectors, (list, tuple)) or not all(isinstance(s, str) for s in selectors):
        raise BadInput(f"'{name}' must be a list of CSS selectors.")
    if len(selectors) > MAX_SELECTORS:
        raise BadInput(f"'{name}' holds {len(selectors)} selectors; at most {MAX_SELECTORS} are allowed.")
    for selector in selectors:
        if not selector.strip() or len(selector) > MAX_SELECTOR_CHARS:
            raise BadInput(f"Each selector in '{name}' must have 1 to {MAX_SELECTOR_CHARS} characters.")
        compiled(selector)
    return tuple(selectors)


def _matches(root: HtmlElement, selectors) -> list[tuple[HtmlElement, str]]:
    body = root.find("body")
    if body is None:
        return []
    return [(element, selector) for selector in selectors for element in compiled(selector)(body)]


def remove_marks(root: HtmlElement, selectors) -> list:
    """Marks for the clutter sweep, like a site rule's strip targets."""
    return [(element, RULE, selector) for element, selector in _matches(root, selectors)]


def kept(root: HtmlElement, selectors) -> set:
    """The kept blocks, all inside them and the elements that hold them: what no rule may remove."""
    safe = set()
    for element, _ in _matches(root, selectors):
        safe.update(element.iter())
        safe.update(element.iterancestors())
    return safe


def place_kept_outside(root: HtmlElement, container: HtmlElement, hint: HtmlElement | None, selectors) -> None:
    """Copies into the article the kept blocks that stood outside it, at its start or end, on their side."""
    if hint is None or not selectors:  # most requests: no reading of the article's text for nothing
        return
    blocks = {element for element, _ in _matches(root, selectors)}
    blocks = {b for b in blocks if not any(a in blocks for a in b.iterancestors())}
    text = container.text_content()
    before, after, passed = [], [], False
    for element in root.iter():
        if element is hint:
            passed = True
        elif element in blocks and element.text_content().strip() not in text:
            (after if passed else before).append(element)
    for element in reversed(before):
        block = copy.deepcopy(element)
        block.tail = None
        container.insert(0, block)
    for element in after:
        block = copy.deepcopy(element)
        block.tail = None
        container.append(block)
