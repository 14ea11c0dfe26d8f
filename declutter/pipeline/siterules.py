"""The per-site rule of the page's host, applied on top of the generic engine and never making a page worse."""

from __future__ import annotations

from dataclasses import replace

from lxml.html import HtmlElement

from ..rules import sites
from .metadata import Metadata
from .models import Removal
from .score import text_length

BODY_MIN_SHARE = 0.5  # a site's body rule must keep at least this share of the generic result's text


def rule_for(url: str | None, options):
    return sites.rule_for(url) if (url and options.site_rules) else None


def with_site_metadata(meta: Metadata, rule, root: HtmlElement) -> Metadata:
    found = sites.read_metadata(rule, root)
    return replace(meta, title=found.get("title", meta.title), byline=found.get("author", meta.byline),
                   published_time=found.get("date", meta.published_time))


def strip_marks(rule, root: HtmlElement) -> list:
    return [(element, f"site:{rule.name}", match) for element, match in sites.strip_targets(rule, root)]


def choose_body(rule, root: HtmlElement, generic: HtmlElement) -> tuple[HtmlElement, list[Removal]]:
    """The rule's body when it holds at least half the generic result's text; else the generic result, said why."""
    body = sites.select_body(rule, root)
    if body is None:
        return generic, ([Removal.of(f"site:{rule.name}", "body", "body rule selected nothing; generic result kept")]
                         if rule.body else [])
    kept, generic_length = text_length(body), text_length(generic)
    if kept < BODY_MIN_SHARE * generic_length:
        note = f"body rule kept {kept} of the generic result's {generic_length} characters; generic result kept"
        return generic, [Removal.of(f"site:{rule.name}", "body", note)]
    return body, []
