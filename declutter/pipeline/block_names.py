"""Names for blocks that hold on every page of a site: what a reader saves a correction as.

A reader's "Remove this" and "Keep this" become `remove` / `keep` selectors sent with each request for the
site (pipeline/corrections.py), so the selector must name the block in the page's own markup, and name the
same kind of block on the site's next page. The sanitizer drops classes and ids, so only the service can
name a block; with `Options.block_selectors` it names:

  - each element of the article that has a stable id or classes, as `data-selector="#id"` or
    `data-selector=".a.b"` (the sanitizer keeps that attribute, and only in this shape);
  - each removed block with a stable id or classes, as `selector` in its `removed` entry.

Stable: an id or class that is a plain CSS name, each of its dash- or underscore-separated parts letters
only or a number of one or two digits (`col-md-8`). `post-12345` or `css-1x2y3z` change from page to
page or from build to build, so they name nothing. Positions (`:nth-child`) are not used for the same
reason: the third paragraph of one article is not clutter on the next. A block of the article with no
stable name gets none; the reader offers the nearest named block around it. A name that takes in half of
the article's text or more names the article itself, not a block of it, and is not given.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree
from lxml.html import HtmlElement

from .corrections import MAX_SELECTOR_CHARS, RULE, compiled
from .sanitize import ALLOWED_TAGS

ATTRIBUTE = "data-selector"
CSS_NAME = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*\Z")
STABLE_PART = re.compile(r"[A-Za-z]*\Z|[0-9]{1,2}\Z")
MAX_SHARE = 0.5  # of the article's text


def _stable(token: str) -> bool:
    return bool(CSS_NAME.match(token)) and all(STABLE_PART.match(part) for part in re.split(r"[-_]", token) if part)


def name_of(element: HtmlElement) -> str | None:
    """`#id` for a stable id, else `.a.b` for the stable classes, else None."""
    element_id = (element.get("id") or "").strip()
    if _stable(element_id) and len(element_id) < MAX_SELECTOR_CHARS:
        return f"#{element_id}"
    classes = dict.fromkeys(c for c in (element.get("class") or "").split() if _stable(c))
    name = "".join(f".{c}" for c in classes)
    return name if 0 < len(name) <= MAX_SELECTOR_CHARS else None


def name_article_blocks(root: HtmlElement, container: HtmlElement, options) -> None:
    """With `block_selectors`, marks each named element of the article with its name, unless the name takes
    in the article. The page's own data-selector attributes go in any case: only the service names blocks."""
    for element in container.iter(etree.Element):  # elements only: comments have no attributes
        element.attrib.pop(ATTRIBUTE, None)
    if not options.block_selectors:
        return
    text = len(container.text_content()) or 1
    verdicts: dict[str, bool] = {}
    for element in container.iterdescendants():
        if not isinstance(element.tag, str) or element.tag not in ALLOWED_TAGS:
            continue
        name = name_of(element)
        if name is None:
            continue
        if name not in verdicts:
            matches = set(compiled(name)(root))
            outermost = [m for m in matches if not any(a in matches for a in m.iterancestors())]
            verdicts[name] = sum(len(m.text_content()) for m in outermost) < MAX_SHARE * text
        if verdicts[name]:
            element.set(ATTRIBUTE, name)


def name_removed(removed: list, blocks: list[HtmlElement]) -> list:
    """The removals, each block with a stable name carrying it; the reader's own by the selector it gave."""
    named = [replace(removal, selector=removal.match if removal.rule == RULE else name_of(block))
             for removal, block in zip(removed, blocks, strict=False)]
    return named + removed[len(blocks):]
