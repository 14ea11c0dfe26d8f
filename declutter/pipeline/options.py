"""One frozen options object for extraction, validated once; vary it with dataclasses.replace."""

from __future__ import annotations

from dataclasses import dataclass

PARSER_MAX_DEPTH = 2048  # libxml2 with huge_tree drops what lies deeper without an error; 256 without it


@dataclass(frozen=True)
class Options:
    clutter_rules: bool = True  # generic phrase and selector rules
    site_rules: bool = True  # per-site rules looked up by host
    removed_html: bool = False  # each removed block's sanitized HTML in `removed`, and a marker where it stood
    block_selectors: bool = False  # stable CSS names of the article's and the removed blocks (pipeline/block_names.py)
    remove: tuple[str, ...] = ()  # the reader's own CSS selectors of blocks to remove (pipeline/corrections.py)
    keep: tuple[str, ...] = ()  # and of blocks to keep
    # Limits on hostile input (declutter/pipeline/guard.py; measurements in docs/security.md).
    max_elements: int = 20_000  # start tags; the corpora peak at 15.8k; 49k took the whole 10 s deadline
    max_depth: int = 512  # nesting; the corpus peaks at 38, recursive steps fail near 1,000
    max_attributes: int = 256  # attributes on one tag; the corpora peak at 70, the parser is quadratic
    max_total_attributes: int = 200_000  # in the page; the corpora peak at 39k, each tree copy costs ~100 B each
    max_nesting: int = 1_500_000  # elements x their depth, summed; the corpora peak at 263k
    max_sanitizer_work: int = 20_000_000_000  # chars nh3 rescans after entities; ~0.5 s at the limit
    words_per_minute: int = 230
    cjk_chars_per_minute: int = 500

    def __post_init__(self):
        for name in ("max_elements", "max_depth", "max_attributes", "max_total_attributes", "max_nesting",
                     "max_sanitizer_work", "words_per_minute", "cjk_chars_per_minute"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Options.{name} must be positive")
        if self.max_depth >= PARSER_MAX_DEPTH:
            raise ValueError(f"Options.max_depth must be below the parser's own limit, {PARSER_MAX_DEPTH}")


DEFAULT_OPTIONS = Options()
