"""The page's regions: content a script-less browser shows, and the main region a page declares.

Readability's one densest container is the article on a news page; on a documentation, product, service or
listing page, and on a forum thread, the content is spread over sibling blocks inside the region the page
marks as its main one. These steps find that region; `choose.py` decides between it and readability's pick.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from ..text import element_length

FORM_CONTENT_CHARS = 1000  # a <form> with more text than this wraps content; a search or login box has little
NOSCRIPT_MIN_CHARS = 500  # a <noscript> with this much text is the page's server-rendered content
DISCUSSION_KINDS = frozenset({"DiscussionForumPosting", "QAPage", "SocialMediaPosting"})
ARTICLE_KINDS = frozenset({"Article", "NewsArticle", "BlogPosting", "Report", "ReportageNewsArticle", "TechArticle",
                           "ScholarlyArticle", "OpinionNewsArticle", "AnalysisNewsArticle", "og:article"})
MAIN_REGION = "//main | //*[@role='main']"


def reveal_noscript_content(root: HtmlElement) -> None:
    """Unwraps a <noscript> that holds more of the page's text than everything else in <body>.

    Script-driven sites (forums, shops) render their content for crawlers and script-less browsers inside
    <noscript>; fetched without scripts, that is the page. When the page was captured from a browser that ran
    its scripts, the rendered copy outweighs the <noscript> one, and it is left alone.
    """
    body = root.find("body")
    if body is None:
        return
    total = element_length(body)
    for noscript in list(body.iter("noscript")):
        chars = element_length(noscript)
        if chars >= NOSCRIPT_MIN_CHARS and chars > total - chars:
            noscript.drop_tag()


def unwrap_content_forms(root: HtmlElement) -> None:
    """A <form> around the content (ASP.NET pages wrap the whole page in one, forums their posts for
    moderation) is unwrapped: forms are clutter to the clutter rules and dropped whole by the sanitizer."""
    for form in list(root.iter("form")):
        if element_length(form) > FORM_CONTENT_CHARS:
            form.drop_tag()


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
    marked = root.xpath(MAIN_REGION)
    outermost = [e for e in marked if not any(a in marked for a in e.iterancestors())]
    return outermost[0] if len(outermost) == 1 else root.find("body")
