"""The article among the candidates: readability's container, trafilatura's content, the page's main region.

    readability's pick holds at least half of the main region's text  -> it stands        (confidence high)
    else trafilatura finds clearly more text than readability          -> trafilatura's    (medium)
         (on the decluttered page for articles, whose clutter our vocabularies know; else on the page as it came,
          since on product, service and listing pages the vocabularies would take content with the clutter)
    else readability's pick, if it found one                           -> it stands        (medium)
    else the main region, if it has running text                       -> the region       (low)
    else                                                               -> no article
"""

from __future__ import annotations

import copy

from lxml.html import HtmlElement

from . import regions, second_opinion

PARTIAL_SHARE = 0.5  # readability's pick with less of the main region's text than this may be a fragment
CLEARLY_MORE = 1.2  # trafilatura's content must hold this many times readability's text to replace it
REGION_MIN_CHARS = 200  # a main region with less text than this, that no extractor took, is not an article
PROSE_PARAGRAPH_CHARS = 150  # a paragraph this long is running text
ARTICLE_PARAGRAPHS = 5  # readability's pick with this many of them is an article, whatever the page says


def _chars(element: HtmlElement | None) -> int:
    return len("".join(element.xpath("string()").split())) if element is not None else 0


def _is_prose(picked: HtmlElement | None) -> bool:
    long = (p for p in picked.iter("p") if _chars(p) >= PROSE_PARAGRAPH_CHARS) if picked is not None else ()
    return sum(1 for _ in long) >= ARTICLE_PARAGRAPHS


def choose(root: HtmlElement, picked: HtmlElement | None, untouched: HtmlElement | None,
           url: str | None, *, discussion: str | None = None) -> tuple[HtmlElement | None, str]:
    """(container, confidence) from readability's `picked` container (or None), the decluttered `root`, and
    `untouched`, a copy of the page from before clutter removal for trafilatura (which edits it), or None to
    give trafilatura the decluttered page."""
    posts = regions.thread(root) if discussion == "thread" else None
    if posts is not None and _chars(posts) >= _chars(picked):
        return posts, "high"
    region = regions.main_region(root)
    picked_chars, region_chars = _chars(picked), _chars(region)
    if picked is not None and picked_chars >= PARTIAL_SHARE * region_chars:
        return picked, "high"
    if untouched is None or _is_prose(picked):
        untouched = copy.deepcopy(root)
    other = second_opinion.extract_container(untouched, url)
    if other is not None and _chars(other) > CLEARLY_MORE * picked_chars:
        return other, "medium"
    if picked is not None:
        return picked, "medium"
    if region is not None and region_chars >= REGION_MIN_CHARS:
        return region, "low"
    return None, "low"
