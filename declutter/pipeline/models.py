"""The Article: what extraction returns, and exactly the JSON reply body."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..text import fold


@dataclass(frozen=True)
class Removal:
    rule: str  # which rule group removed it, e.g. "phrase:related" or "selector:comments"
    match: str  # the phrase, selector or token that matched
    text: str  # the first 120 characters of what went
    html: str | None = None  # the block itself, sanitized, when Options.removed_html asks for it
    selector: str | None = None  # its stable name on the site's pages, when Options.block_selectors asks for it

    @classmethod
    def of(cls, rule: str, match: str, text: str) -> Removal:
        return cls(rule, match, fold(text)[:120])


@dataclass(frozen=True)
class Article:
    url: str | None
    title: str | None
    byline: str | None
    site_name: str | None
    lang: str | None
    dir: str | None
    published_time: str | None  # ISO 8601: "2025-01-17", or a date-time with the page's offset
    modified_time: str | None  # the same, for the last change the page states
    excerpt: str | None
    lead_image_url: str | None
    content: str
    text: str
    word_count: int
    reading_time_minutes: int
    confidence: str  # "high": readability's pick holds the page's content; "medium": a second opinion was
    # needed; "low": only the page's main region was found, read it with care
    removed: list[Removal] = field(default_factory=list)

    def to_dict(self) -> dict:
        reply = asdict(self)
        optional = ("html", "selector")
        reply["removed"] = [{k: v for k, v in r.items() if k not in optional or v is not None}
                            for r in reply["removed"]]
        return reply
