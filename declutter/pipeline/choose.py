"""The article among the candidates: readability's container, trafilatura's content, the page's main region.

    a forum thread marked up post by post                               -> all its posts   (confidence high)
    readability's pick lies in the main region and holds at least half
      of its text                                                       -> it stands        (high)
    else, on a page that is no article (by its schema.org/og:type, or a pick of long paragraphs) and no
      forum thread, the main region of the page decluttered as a whole
      page, if it holds more text than the pick                         -> the region       (medium)
    else readability's pick, in the main region, holding most of the
      page's one <article>                                              -> it stands        (high)
    else readability's pick, in the main region, of 500 characters at
      least, when the page has less than a fifth of its text besides    -> it stands        (medium)
    else trafilatura finds clearly more text than readability's pick
      (counted as nothing when it lies outside a declared <main>)       -> trafilatura's    (medium)
    else readability's pick, if it lies in the main region              -> it stands        (medium)
    else a declared <main> with running text                            -> the region       (low)
    else readability's pick, if it found one                            -> it stands        (low)
    else                                                                -> no article

An article's clutter is what our vocabularies were written for; on product, service, listing and
documentation pages the same class words ("menu", "promo", "related") and hidden panels (tabs, carousels)
name content as often as clutter, so such pages are decluttered as a whole page (`whole_page`): landmarks,
ads, cookie banners, newsletter boxes, share bars, AI promos and boilerplate phrases still go.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from ..text import element_length, unlinked_length
from . import regions, second_opinion
from .declutter import remove_clutter

NOT_CONTENT = ("script", "style", "noscript", "template", "svg")  # never text a reader shows
WHOLE_OUTWEIGHS = 2  # the whole region's text outside links, against the pick's text
SHORT_PICK_CHARS = 500  # a pick shorter than this is a snippet, not an article a link-rich region would dilute
PARTIAL_SHARE = 0.5  # readability's pick with less of the main region's text than this may be a fragment
CLEARLY_MORE = 1.2  # trafilatura's content must hold this many times readability's text to replace it
REGION_MIN_CHARS = 200  # a main region with less text than this, that no extractor took, is not an article
PROSE_PARAGRAPH_CHARS = 150  # a paragraph this long is running text
ARTICLE_PARAGRAPHS = 5  # readability's pick with this many of them is an article, whatever the page says
WITHIN_SHARE = 0.8  # of the pick's words, found in the region: the pick lies in it
MOST_OF_ARTICLE = 0.8  # of the page's one <article>'s text, held by readability's pick: the pick is that article
TEXT_BLOCKS = frozenset({"p", "li", "td", "th", "dd", "dt", "pre", "blockquote", "figcaption",
                         "h1", "h2", "h3", "h4", "h5", "h6"})
UNREAD = frozenset({"script", "style", "template", "noscript"})
SEARCH_CHARS = 50_000_000  # characters of the pick read looking for the page's text in it (the corpus peaks at 15M)


def _is_prose(picked: HtmlElement | None) -> bool:
    long = (p for p in picked.iter("p") if element_length(p) >= PROSE_PARAGRAPH_CHARS) if picked is not None else ()
    return sum(1 for _ in long) >= ARTICLE_PARAGRAPHS


def _words(element: HtmlElement | None) -> list[str]:
    return element.xpath("string()").split() if element is not None else []


def _within(picked: HtmlElement, region_words: list[str]) -> bool:
    """Is readability's pick (made on its own copy of the tree, which it reshapes) text from the region?"""
    words = set(_words(picked))
    return bool(words) and len(words & set(region_words)) >= WITHIN_SHARE * len(words)


def whole_page_region(untouched: HtmlElement, title: str | None, options) -> HtmlElement | None:
    """The main region of the page decluttered as a whole page, not as an article."""
    for element in list(untouched.iter(*NOT_CONTENT)):  # one walk; a union of `//` paths walks once per path
        element.drop_tree()
    remove_clutter(untouched, [], title, options, whole_page=True)
    return regions.main_region(untouched)


def _holds_the_article(root: HtmlElement, picked: HtmlElement, picked_chars: int) -> bool:
    """Does readability's pick hold most of the page's one <article> (articles inside it aside), the text the
    page marks as its article? Then trafilatura, asked, found the same text: on modern-web-2025 it was asked on
    12 such pages and never found more, and on 18 of Mozilla's test pages, at two fifths of their time."""
    articles = [a for a in root.iter("article") if not any(above.tag == "article" for above in a.iterancestors())]
    if len(articles) != 1:
        return False  # none, or a list of them: cards, posts
    words = _words(articles[0])
    return picked_chars >= MOST_OF_ARTICLE * sum(map(len, words)) and _within(picked, words)


def _text_beside(root: HtmlElement, picked: HtmlElement, enough: float) -> bool:
    """Does the page hold `enough` characters of text that readability's pick does not: blocks of text
    (paragraphs, items, cells, headings) that are not in it, and text outside them and outside links? Asked
    before trafilatura, whose reading replaces the pick only with a fifth more text than it: where the page has
    none to give, it is not asked (on modern-web-2025, 47 pages where it was asked and lost had less than a fifth
    outside the pick; it never won with less than a third).

    The page's text comes in the pick's order, so each piece is looked for after the last one found; a piece
    found nowhere there is looked for in the whole pick, which bounds the work by the pieces times the pick: a
    page made for that (thousands of pieces that lie at the end of a long pick) stops at SEARCH_CHARS, some
    tens of milliseconds, and trafilatura is asked, as it would be."""
    held = " ".join(picked.xpath("string()").split())
    found = searched = at = 0
    stack: list = [root.find("body")]  # elements, and the tail texts between them, in document order
    while stack and found < enough:
        item = stack.pop()
        if isinstance(item, str):
            piece = item
        elif item is None or item.tag in UNREAD or not isinstance(item.tag, str):
            continue
        elif item.tag in TEXT_BLOCKS:
            piece = item.xpath("string()")
        else:
            piece = item.text if item.tag != "a" else None
            for child in reversed(item):
                stack.extend((child.tail or "", child))
        text = " ".join((piece or "").split())
        if text:
            place = held.find(text, at)
            if place >= 0:
                searched += place + len(text) - at
                at = place + len(text)
            else:
                searched += len(held)
                found += len(text) if text not in held else 0
            if searched > SEARCH_CHARS:
                return True
    return found >= enough


def choose(root: HtmlElement, picked: HtmlElement | None, untouched: HtmlElement | None,
           title: str | None, options, *, discussion: str | None = None) -> tuple[HtmlElement | None, str]:
    """(container, confidence) from readability's `picked` container (or None), the decluttered `root`, and
    `untouched`, a copy of the page from before clutter removal (edited here), or None for an article."""
    posts = regions.thread(root) if discussion == "thread" else None
    if posts is not None and element_length(posts) >= element_length(picked):
        return posts, "high"
    region = regions.main_region(root)
    declared = region is not None and region.tag != "body"
    region_words = _words(region)  # read once, for its length and its vocabulary
    region_chars = sum(map(len, region_words))
    inside = picked is not None and (not declared or _within(picked, region_words))
    picked_chars = element_length(picked) if inside else 0
    if inside and picked_chars >= PARTIAL_SHARE * region_chars:
        return picked, "high"
    prose = _is_prose(picked)
    if untouched is not None and not discussion and not prose:
        whole = whole_page_region(untouched, title, options)  # edits the copy
        if (whole is not None and element_length(whole) >= max(REGION_MIN_CHARS, WHOLE_OUTWEIGHS * picked_chars)
                and (unlinked_length(whole) >= picked_chars or picked_chars < SHORT_PICK_CHARS)):
            return whole, "medium"
    if inside and _holds_the_article(root, picked, picked_chars):
        return picked, "high"
    beside_needed = (CLEARLY_MORE - 1) * picked_chars  # for trafilatura to find clearly more
    if inside and picked_chars >= SHORT_PICK_CHARS and not _text_beside(root, picked, beside_needed):
        return picked, "medium"
    other = second_opinion.extract_container(root)
    if other is not None and element_length(other) > CLEARLY_MORE * picked_chars:
        return other, "medium"
    if inside:
        return picked, "medium"
    if declared and region_chars >= REGION_MIN_CHARS:
        return region, "low"
    if picked is not None:
        return picked, "low"
    if region is not None and region_chars >= REGION_MIN_CHARS:
        return region, "low"
    return None, "low"
