"""What a reader needs to show a removed block again: its sanitized HTML, and a marker where it stood.

With `Options.removed_html`, each element the clutter sweep takes out leaves `<wbr data-removed="N">` in
its place, N being its index in `removed`: an empty inline element, valid wherever the block stood (inside a
paragraph too), invisible, and on the sanitizer's allowlist. A block that stood outside the article (a
banner above it, a promo below it) gets its marker at the start or the end of the article, on the side where
it stood.
"""

from __future__ import annotations

from dataclasses import replace

from lxml.html import HtmlElement

from .postclean import absolute_urls, to_html
from .sanitize import sanitize_html

MARKER_TAG = "wbr"
MARKER_ATTRIBUTE = "data-removed"


def take_out(element: HtmlElement, index: int, *, marker: bool) -> None:
    """Removes the element (its tail text stays), leaving a marker numbered `index` when asked to."""
    if marker:
        element.addprevious(element.makeelement(MARKER_TAG, {MARKER_ATTRIBUTE: str(index)}))
    element.drop_tree()


def _marker(element: HtmlElement) -> bool:
    return element.tag == MARKER_TAG and element.get(MARKER_ATTRIBUTE) is not None


def mark_outside_blocks(root: HtmlElement, container: HtmlElement, hint: HtmlElement | None) -> None:
    """Markers for the blocks that stood outside the article, at its start or end, in page order.

    The container may be a copy (readability reshapes its own), so the side is judged against the
    article hint, the element of the page with the densest paragraphs."""
    if hint is None:
        return
    placed = {e.get(MARKER_ATTRIBUTE) for e in container.iter(MARKER_TAG)}
    before, after, passed = [], [], False
    for element in root.iter(MARKER_TAG, hint.tag):
        if element is hint:
            passed = True
        elif _marker(element) and element.get(MARKER_ATTRIBUTE) not in placed:
            (after if passed else before).append(element.get(MARKER_ATTRIBUTE))
    for index in reversed(before):  # each goes in front of the article's first text
        marker = container.makeelement(MARKER_TAG, {MARKER_ATTRIBUTE: index})
        marker.tail, container.text = container.text, None
        container.insert(0, marker)
    for index in after:
        container.append(container.makeelement(MARKER_TAG, {MARKER_ATTRIBUTE: index}))


def with_html(removed: list, blocks: list[HtmlElement], url: str | None, options) -> list:
    """The removals, each of the first len(blocks) with its block's HTML, as safe as the article's."""
    shown = []
    for removal, block in zip(removed, blocks, strict=False):
        block.tail = None  # the text after the block stayed in the page
        absolute_urls(block, url)
        shown.append(replace(removal, html=sanitize_html(to_html(block), options)))
    return shown + removed[len(blocks):]
