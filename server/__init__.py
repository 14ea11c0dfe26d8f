"""Declutter: the article from any page, without the clutter."""

from .app import create_app

__all__ = ["create_app"]
