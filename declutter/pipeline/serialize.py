"""Renderers of an Article, by format name. The registry is the dict below; add a function to add a format."""

from __future__ import annotations

from html import escape

from markdownify import markdownify

from .models import Article


def render_json(article: Article) -> tuple[dict, str]:
    return article.to_dict(), "application/json"


def render_text(article: Article) -> tuple[str, str]:
    head = "\n".join(part for part in (article.title, article.byline) if part)
    return (f"{head}\n\n{article.text}\n" if head else f"{article.text}\n"), "text/plain"


def render_markdown(article: Article) -> tuple[str, str]:
    body = markdownify(article.content, heading_style="ATX", bullets="-", strip=["span", "div"]).strip()
    lines = [f"# {article.title}" if article.title else "", f"*{article.byline}*" if article.byline else "",
             f"<{article.url}>" if article.url else ""]
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
