"""Declutter: the article from any page, without the clutter.

    >>> from declutter import extract
    >>> article = extract(html, url="https://example.com/story")
    >>> article.title, article.text, article.content

The library never imports Flask or the web service (`server/`), which is built on top of it.
"""

from .errors import DeclutterError
from .pipeline import extract
from .pipeline.models import Article, Removal
from .pipeline.options import Options

__all__ = ["extract", "Article", "Removal", "Options", "DeclutterError"]
