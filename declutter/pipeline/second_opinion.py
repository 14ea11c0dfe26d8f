"""trafilatura as a second opinion, asked only when readability's pick looks like a part of the content.

readability-lxml picks the one densest container, which is the article on a news page. On documentation,
product, service and listing pages, and on forum threads, the content is spread over sibling blocks and its
pick is a fragment. trafilatura (Apache-2.0, maintained, the best plain extractor on such pages in our
benchmark) walks the whole main region instead; this module is the only importer of it.
"""

from __future__ import annotations

import logging
import re

import lxml.html
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.core import determine_returnstring
from trafilatura.settings import Extractor

from ..text import element_length

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def extract_container(page: HtmlElement) -> HtmlElement | None:
    """trafilatura's content of the page as a <div>, or None. `page` stays as it is: trafilatura (2.3 and later)
    works on a copy of a tree it is given. It is not given the page's URL: it would resolve links against the
    host alone (on `/a/b.html`, `c.html` and `#notes` became `/c.html` and `/#notes`), through courlan, a
    twentieth of its time here. Its links stay as the page wrote them, for post-clean to resolve against the
    document's base URL as it does every candidate's."""
    numbers = _ordered_item_numbers(page)
    # What trafilatura.extract does, less the fingerprint of the text it adds to every result (a tenth of
    # its time here, for a deduplication we never ask for); these three are the same in trafilatura 2.0-2.3.
    options = Extractor(output_format="html", comments=False, tables=True, links=True, images=True)
    try:
        document = trafilatura.bare_extraction(page, options=options)
        markup = determine_returnstring(document, options) if document else None
    except Exception:  # a second opinion that fails is no opinion; the first one stands
        return None
    if not markup:
        return None
    body = lxml.html.document_fromstring(markup).find("body")
    if body is None:
        return None
    body.tag = "div"
    _drop_link_lists(body)
    _restore_ordered_lists(body, numbers)
    _restore_protocol_relative_images(body, page)
    return body


IMAGE_SOURCES = etree.XPath("//img/@*[name() = 'src' or starts-with(name(), 'data-src')]")


def _restore_protocol_relative_images(container: HtmlElement, page: HtmlElement) -> None:
    """Without the page's URL, trafilatura writes an image at `//cdn.example/a.jpg` as `http://cdn.example/a.jpg`;
    such an image gets its page's address back, to be resolved with the page's scheme."""
    written = [img for img in container.iter("img") if (img.get("src") or "").startswith("http://")]
    if not written:
        return
    relative = {value for value in IMAGE_SOURCES(page) if value.startswith("//")}
    for img in written:
        if img.get("src")[len("http:"):] in relative:
            img.set("src", img.get("src")[len("http:"):])


SHOWN_WORDS = etree.XPath(".//text()[not(ancestor::style or ancestor::script)]", smart_strings=False)
WORD = re.compile(r"\w+")


def _folded(element: HtmlElement) -> str:
    """An item's words, which trafilatura keeps while it respaces the text and drops inline styles."""
    return " ".join(WORD.findall(" ".join(SHOWN_WORDS(element))))


def _ordered_item_numbers(page: HtmlElement) -> dict:
    """The page's numbered list items, by their text: their number (`value`, see postclean.keep_item_numbers)."""
    return {_folded(item): item.get("value") for item in page.xpath("//ol/li[@value]")}


def _restore_ordered_lists(container: HtmlElement, numbers: dict) -> None:
    """trafilatura writes every list as <ul>: a list whose items are all the page's numbered items is an <ol>
    again, each item with its number."""
    if not numbers:  # the page has no numbered list: nothing to restore
        return
    for block in container.iter("ul"):
        items = block.findall("li")
        values = [numbers.get(_folded(item)) for item in items]
        if items and all(values):
            block.tag = "ol"
            for item, value in zip(items, values, strict=True):
                item.set("value", value)


LINK_LIST_SHARE = 0.8  # a list whose text is this much link text is a list of other pages: "related", "popular"
LINK_LIST_ITEMS = 3


def _drop_link_lists(container: HtmlElement) -> None:
    """trafilatura keeps lists of links to other stories below an article; a reader does not."""
    for block in list(container.iter("ul", "ol")):
        items = block.findall("li")
        text = element_length(block)
        links = sum(element_length(a) for a in block.iter("a"))
        if len(items) >= LINK_LIST_ITEMS and text and links >= LINK_LIST_SHARE * text:
            block.drop_tree()
