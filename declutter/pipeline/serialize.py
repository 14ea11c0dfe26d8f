"""Renderers of an Article, by format name. The registry is the dict below; add a function to add a format."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

import lxml.html
from markdownify import MarkdownConverter

from ..errors import TooDeep
from .models import Article

# Markdown renderers pass raw HTML through and decode character references, so in text `<` and `&` before
# what reads as a reference are written as references; URLs are percent-encoded past what a URL may hold.
_CHARACTER_REFERENCE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_URL_SAFE = "!#$%&'*+,/:;=?@[]~"  # everything else (space, <, >, parentheses, quotes) is encoded


def _markdown_text(text: str) -> str:
    return _CHARACTER_REFERENCE.sub("&amp;", text).replace("<", "&lt;")


def _markdown_url(url: str) -> str:
    return quote(url, safe=_URL_SAFE)


class _MarkdownConverter(MarkdownConverter):
    """markdownify, with the page's text kept as text in every place it can reach the Markdown."""

    def escape(self, text, parent_tags):
        return _markdown_text(super().escape(text, parent_tags))

    def _clean_attributes(self, el):
        for name in ("href", "src"):
            if el.get(name):
                el[name] = _markdown_url(el[name])
        for name in ("alt", "title"):
            if el.get(name):
                el[name] = _markdown_text(el[name])

    def convert_a(self, el, text, parent_tags):
        self._clean_attributes(el)
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):
        self._clean_attributes(el)
        return super().convert_img(el, text, parent_tags)

    def convert_li(self, el, text, parent_tags):
        # markdownify numbers an item from its list's start and position; the number the page shows
        # (postclean.keep_item_numbers) wins, so Markdown and text agree where an ad left a gap in a list.
        value, parent = el.get("value"), el.parent
        if parent is not None and parent.name == "ol" and value and value.isdigit():
            parent["start"] = str(max(int(value) - len(el.find_previous_siblings("li")), 0))
        return super().convert_li(el, text, parent_tags)

    def convert_pre(self, el, text, parent_tags):
        # A fence ends at the first line of as many backticks: make it longer than any run inside.
        block = super().convert_pre(el, text, parent_tags)
        longest = max((len(run) for run in re.findall("`+", text or "")), default=0)
        if longest < 3:
            return block
        fence = "`" * (longest + 1)
        return f"\n\n{fence}{block.strip()[3:-3]}{fence}\n\n"


def render_json(article: Article) -> tuple[dict, str]:
    return article.to_dict(), "application/json"


def render_text(article: Article) -> tuple[str, str]:
    head = "\n".join(part for part in (article.title, article.byline) if part)
    return (f"{head}\n\n{article.text}\n" if head else f"{article.text}\n"), "text/plain"


def _without_wrappers(content: str) -> str:
    """The content without <div> and <span>, which Markdown has no use for and which can nest hundreds deep."""
    if not content.strip():
        return content
    fragment = lxml.html.fragment_fromstring(content, create_parent="div")
    for wrapper in list(fragment.iter("div", "span")):
        if wrapper is not fragment:
            wrapper.drop_tag()
    return lxml.html.tostring(fragment, encoding="unicode", method="html")


def render_markdown(article: Article) -> tuple[str, str]:
    converter = _MarkdownConverter(heading_style="ATX", bullets="-", strip=["span", "div"])
    try:
        body = converter.convert(_without_wrappers(article.content)).strip()
    except RecursionError:  # markdownify recurses once per level of nesting
        raise TooDeep("The article nests too deep to be written as Markdown; ask for json, html or text.") from None
    lines = [f"# {_markdown_text(article.title)}" if article.title else "",
             f"*{_markdown_text(article.byline)}*" if article.byline else "",
             f"<{_markdown_url(article.url)}>" if article.url else ""]
    head = "\n\n".join(line for line in lines if line)
    return (f"{head}\n\n{body}\n" if head else f"{body}\n"), "text/markdown"


def render_html(article: Article) -> tuple[str, str]:
    """A standalone page; `content` is already sanitized, everything else is escaped here."""
    title = escape(article.title or "Article")
    meta = " · ".join(escape(part) for part in (article.byline, article.site_name, article.published_time) if part)
    lang = f' lang="{escape(article.lang)}"' if article.lang else ""
    direction = f' dir="{escape(article.dir)}"' if article.dir else ""
    source = f'<p><a href="{escape(article.url)}" rel="noopener noreferrer">Original</a></p>' if article.url else ""
    page = (
        f"<!DOCTYPE html>\n<html{lang}{direction}><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src https: http:; "
        "style-src 'unsafe-inline'\">"
        f"<title>{title}</title><style>body{{max-width:40em;margin:2em auto;padding:0 1em;"
        "font:1.1em/1.6 Georgia,serif}img{max-width:100%;height:auto}</style></head>"
        f"<body><article><h1>{title}</h1>"
        + (f"<p><small>{meta}</small></p>" if meta else "")
        + f"{article.content}{source}</article></body></html>\n"
    )
    return page, "text/html"


RENDERERS = {
    "json": render_json,
    "html": render_html,
    "text": render_text,
    "markdown": render_markdown,
}


def render(article: Article, fmt: str):
    return RENDERERS[fmt](article)
