"""The page's regions: content a script-less browser shows, and the main region a page declares.

Readability's one densest container is the article on a news page; on a documentation, product, service or
listing page, and on a forum thread, the content is spread over sibling blocks inside the region the page
marks as its main one. These steps find that region; `choose.py` decides between it and readability's pick.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from ..text import element_length

FORM_CONTENT_CHARS = 1000  # a <form> with more text than this wraps content; a search or login box has little
FOLD_HEADING_TAG = "h3"
QUESTION_MARKS = ("?", "？", "؟")  # Latin, full-width (CJK) and Arabic question marks
NOSCRIPT_MIN_CHARS = 500  # a <noscript> with this much text is the page's server-rendered content
DISCUSSION_KINDS = frozenset({"DiscussionForumPosting", "QAPage", "SocialMediaPosting"})
ARTICLE_KINDS = frozenset({"Article", "NewsArticle", "BlogPosting", "Report", "ReportageNewsArticle", "TechArticle",
                           "ScholarlyArticle", "OpinionNewsArticle", "AnalysisNewsArticle", "og:article"})
# <main> and role=main, each by the cheaper path: libxml2 tests a predicate on an attribute's value
# (`//*[@role='main']`) at twice the cost of reading every role by the attribute axis.
MAINS = etree.XPath("/descendant::main")
ROLES = etree.XPath("/descendant::*/@role")
# React's streaming server rendering: $RS(segment, placeholder) and $RC/$RR(boundary, segment) move a hidden
# <div id="S:…"> from the end of <body> into place. A third argument to $RC is an error: the fallback stays.
STREAMED_PROSE_CHARS = 500  # paragraphs' text in a streamed part that is the page's reading, not a widget
STREAMED_NESTING = 50  # parts streamed into parts: deeper ones are not counted
STREAMED_SEGMENT = re.compile(r'\$R([CRS])\("([^"]+)","([^"]+)"(?:\)|,\[)')


def reveal_noscript_content(root: HtmlElement) -> None:
    """Unwraps a <noscript> that holds more of the page's text than everything else in <body>.

    Script-driven sites (forums, shops) render their content for crawlers and script-less browsers inside
    <noscript>; fetched without scripts, that is the page. When the page was captured from a browser that ran
    its scripts, the rendered copy outweighs the <noscript> one, and it is left alone.
    """
    body = root.find("body")
    if body is None:
        return
    total = None  # the body's text, read only for a <noscript> long enough (most hold a tracking pixel)
    for noscript in list(body.iter("noscript")):
        chars = element_length(noscript)
        if chars >= NOSCRIPT_MIN_CHARS:
            total = element_length(body) if total is None else total  # unwrapping keeps it the same
            if chars > total - chars:
                noscript.drop_tag()


def reveal_streamed_segments(root: HtmlElement) -> None:
    """Moves the parts of a page that React streamed late into the places its scripts would put them.

    Such a page (Next.js and others) sends what was not ready at first as hidden <div>s at the end of <body>,
    each followed by a script that moves it into its <template> placeholder; a browser shows them in order.
    The placeholder's fallback ("Loading…") stays: the parse has dropped the comments that delimit it. Only
    parts that hold prose, their own or that of the parts streamed into them, are moved: what a shop streams
    late is its recommendations.
    """
    moves = [match.groups() for script in root.iter("script") if "$R" in (script.text or "")
             for match in STREAMED_SEGMENT.finditer(script.text)]
    if not moves:
        return
    by_id = {element.get("id"): element for element in root.iterfind(".//*[@id]")}
    parts = [(by_id.get(first), by_id.get(second)) if kind == "S" else (by_id.get(second), by_id.get(first))
             for kind, first, second in moves]
    parts = [(segment, place) for segment, place in parts if segment is not None and place is not None]
    filled_by = {place: segment for segment, place in parts}
    prose: dict = {}

    def prose_of(segment: HtmlElement, depth: int = 0) -> int:
        if segment not in prose:
            prose[segment] = 0  # a part that would hold itself counts for nothing
            nested = (filled_by[place] for place in segment.iter("template") if place in filled_by)
            prose[segment] = sum(map(element_length, segment.iter("p"))) + (
                sum(prose_of(part, depth + 1) for part in nested) if depth < STREAMED_NESTING else 0)
        return prose[segment]

    for segment, place in parts:  # in the scripts' order, as a browser runs them
        if prose_of(segment) < STREAMED_PROSE_CHARS or place.getparent() is None or segment.getparent() is None:
            continue  # a late carousel or widget stays hidden, as clutter is
        if any(ancestor is segment for ancestor in place.iterancestors()):
            continue  # a part streamed into itself: a page's mistake or a trap, not a browser's move
        if segment.text and segment.text.strip():
            _add_text_before(place, segment.text)
        for child in list(segment):
            place.addprevious(child)  # its tail text moves with it
        segment.getparent().remove(segment)
        place.drop_tree()


def _add_text_before(element: HtmlElement, text: str) -> None:
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent = element.getparent()
        parent.text = (parent.text or "") + text


def unwrap_content_forms(root: HtmlElement) -> None:
    """A <form> around the content (ASP.NET pages wrap the whole page in one, forums their posts for
    moderation) is unwrapped: forms are clutter to the clutter rules and dropped whole by the sanitizer."""
    for form in list(root.iter("form")):
        if _prose_length(form) > FORM_CONTENT_CHARS:
            form.drop_tag()


def name_fold_headings(root: HtmlElement) -> None:
    """A button that opens a fold (aria-expanded, aria-controls) and asks a question is the fold's heading
    (an FAQ's question), not a control: it becomes one, since buttons are clutter to the clutter rules and
    dropped whole by the sanitizer. Labels ("Menu", "Filter by brand", "Find your store") stay buttons."""
    for button in [b for b in root.iter("button") if b.get("aria-expanded") is not None
                   or b.get("aria-controls") is not None]:  # a list: the buttons change tag on the way
        if button.text_content().rstrip().endswith(QUESTION_MARKS):
            button.tag = FOLD_HEADING_TAG
            for name in set(button.attrib) - {"aria-controls"}:  # its answer is still a fold a reader opens
                del button.attrib[name]


def _prose_length(form: HtmlElement) -> int:
    """A form's text outside its controls: a lead form's drop-down of a hundred industries is not content."""
    return element_length(form) - sum(map(element_length, form.iter("select", "textarea", "datalist")))


def discussion_kind(kinds: frozenset) -> str | None:
    """"qa" for a question-and-answer page (its answers are the content, its comments are not), "thread" for a
    forum thread (every post is the content), None for other pages."""
    if "QAPage" in kinds:
        return "qa"
    if kinds & DISCUSSION_KINDS or ("Comment" in kinds and not is_article(kinds)):  # a page of comments is a thread
        return "thread"
    return None


def is_article(kinds: frozenset) -> bool:
    """The page says it is an article: the clutter vocabularies were written for pages like it."""
    return bool(kinds & ARTICLE_KINDS)


POST_ITEMS = ("//*[@itemtype][contains(@itemtype, 'DiscussionForumPosting') or contains(@itemtype, 'Comment')"
              " or contains(@itemtype, 'Answer') or contains(@itemtype, 'Question')]")


def thread(root: HtmlElement) -> HtmlElement | None:
    """The smallest element holding every post of a forum thread or Q&A page (schema.org microdata), each
    with its author line; None when the page marks fewer than two posts."""
    posts = root.xpath(POST_ITEMS)
    if len(posts) < 2:
        return None
    common = {posts[0], *posts[0].iterancestors()}
    for post in posts[1:]:
        common &= {post, *post.iterancestors()}
    return next((e for e in (posts[0], *posts[0].iterancestors()) if e in common), None)


def main_region(root: HtmlElement) -> HtmlElement | None:
    """The one element the page marks as its main content (<main>, role=main), else <body>."""
    marked = {*MAINS(root), *(role.getparent() for role in ROLES(root) if role == "main")}
    outermost = [e for e in marked if not any(a in marked for a in e.iterancestors())]
    return outermost[0] if len(outermost) == 1 else root.find("body")
