"""Exact, cheap checks that refuse input whose processing would take unbounded time or memory."""

from __future__ import annotations

from lxml.html import HtmlElement

from ..errors import HostileInput


def check_markup(text: str, options) -> None:
    """Before the parse: checks on the raw text (placeholder for pre-parse checks)."""


def check_tree(root: HtmlElement, options) -> None:
    """After the parse: element count."""
    count = 0
    for _ in root.iter():
        count += 1
        if count > options.max_elements:
            raise HostileInput(f"The page has more than {options.max_elements} elements.")
