"""The one adapter around readability-lxml: it scores the already-parsed, already-decluttered tree."""

from __future__ import annotations

import logging

from lxml.html import HtmlElement
from readability import Document
from readability.readability import Unparseable

from ..errors import NoArticle

logging.getLogger("readability.readability").setLevel(logging.CRITICAL)


class _Chosen:
    """What summary() returns instead of a string: the element, sized by its text for readability's retry."""

    def __init__(self, element: HtmlElement):
        self.element = element

    def __len__(self) -> int:
        return len(self.element.text_content())


class _TreeDocument(Document):
    """readability's Document, handing back its chosen container as an element, not as a string."""

    def get_clean_html(self):
        return _Chosen(self.html)


def best_container(root: HtmlElement) -> HtmlElement:
    """The element readability-lxml judges to hold the article (a <div> of the chosen nodes)."""
    try:
        chosen = _TreeDocument(root).summary(html_partial=True)
    except Unparseable as exc:
        raise NoArticle(f"No article could be found in the page ({exc}).") from None
    return chosen.element
