"""The per-site rule of the page's host, applied on top of the generic engine and never making a page worse.

`site_for` returns a `Site` for every page; a page whose host has no rule (or with site rules switched off)
gets `NO_SITE`, whose steps change nothing, so the pipeline reads the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lxml.html import HtmlElement

from ..rules import sites
from ..text import readable_length
from .metadata import Metadata
from .models import Removal

BODY_MIN_SHARE = 0.5  # a site's body rule must keep at least this share of the generic result's text


@dataclass(frozen=True)
class Site:
    rule: sites.SiteRule | None = None

    @property
    def name(self) -> str:
        return f"site:{self.rule.name}" if self.rule else "site:none"

    def fix_text(self, page: str) -> str:
        """The rule's find/replace pairs, which work on the source text, so before the parse."""
        return sites.find_replace(self.rule, page) if self.rule else page

    def metadata(self, meta: Metadata, root: HtmlElement) -> Metadata:
        """The rule's title, author and date, over the generic ones."""
        if not self.rule:
            return meta
        found = sites.read_metadata(self.rule, root)
        return replace(meta, title=found.get("title", meta.title), byline=found.get("author", meta.byline),
                       published_time=found.get("date", meta.published_time))

    def strip_marks(self, root: HtmlElement) -> list:
        """The rule's strip targets, as marks for the one clutter sweep."""
        if not self.rule:
            return []
        return [(element, self.name, match) for element, match in sites.strip_targets(self.rule, root)]

    def body(self, root: HtmlElement, generic: HtmlElement) -> tuple[HtmlElement, list[Removal]]:
        """The rule's body when it holds at least half the generic result's text; else the generic result,
        with a note saying why."""
        if not self.rule:
            return generic, []
        body = sites.select_body(self.rule, root)
        if body is None:
            note = "body rule selected nothing; generic result kept"
            return generic, ([Removal.of(self.name, "body", note)] if self.rule.body else [])
        kept, generic_length = readable_length(body), readable_length(generic)
        if kept < BODY_MIN_SHARE * generic_length:
            note = f"body rule kept {kept} of the generic result's {generic_length} characters; generic result kept"
            return generic, [Removal.of(self.name, "body", note)]
        return body, []


NO_SITE = Site()


def site_for(url: str | None, options) -> Site:
    rule = sites.rule_for(url) if (url and options.site_rules) else None
    return Site(rule) if rule else NO_SITE
