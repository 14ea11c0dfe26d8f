"""trafilatura as a second opinion, asked only when readability's pick looks like a part of the content.

readability-lxml picks the one densest container, which is the article on a news page. On documentation,
product, service and listing pages, and on forum threads, the content is spread over sibling blocks and its
pick is a fragment. trafilatura (Apache-2.0, maintained, the best plain extractor on such pages in our
benchmark) walks the whole main region instead; this module is the only importer of it.
"""

from __future__ import annotations

import logging

import lxml.html
import trafilatura
from lxml.html import HtmlElement

from ..text import element_length

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def extract_container(untouched: HtmlElement, url: str | None) -> HtmlElement | None:
    """trafilatura's content of the page as a <div>, or None. `untouched` is consumed: trafilatura edits it."""
    try:
        markup = trafilatura.extract(untouched, url=url, output_format="html", include_comments=False,
                                     include_tables=True, include_links=True, include_images=True)
    except Exception:  # a second opinion that fails is no opinion; the first one stands
        return None
    if not markup:
        return None
    body = lxml.html.document_fromstring(markup).find("body")
    if body is None:
        return None
    body.tag = "div"
    _drop_link_lists(body)
    return body


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
