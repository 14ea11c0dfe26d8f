"""One frozen options object for extraction, validated once; vary it with dataclasses.replace."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    clutter_rules: bool = True  # generic phrase and selector rules
    site_rules: bool = True  # per-site rules looked up by host
    max_elements: int = 200_000  # elements after parse; more is refused as hostile
    max_depth: int = 2_000  # nesting; lxml silently drops content past its own limit
    max_attributes: int = 1_000  # attributes on one tag; many make the parser quadratic
    words_per_minute: int = 230
    cjk_chars_per_minute: int = 500

    def __post_init__(self):
        for name in ("max_elements", "max_depth", "max_attributes", "words_per_minute", "cjk_chars_per_minute"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Options.{name} must be positive")


DEFAULT_OPTIONS = Options()
