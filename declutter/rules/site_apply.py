"""Applying a site rule: small pure functions over the lxml tree of the page's one parse.

The pipeline calls them in FiveFilters' order: `find_replace` on the text, parse, `read_metadata`,
`strip_targets` (it removes them), then `select_body` on what is left. An XPath that fails on a page
counts as no match.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Iterator

from lxml import etree

from .site_rule import SiteRule
from .xpath import evaluate


def find_replace(rule: SiteRule, text: str) -> str:
    """The page's HTML text with the rule's string replacements made in order (before parsing)."""
    for find, replace in rule.find_replace:
        text = text.replace(find, replace)
    return text


_WITH_ID_OR_CLASS = etree.XPath("//*[@class or @id]", smart_strings=False)
_NEVER_STRIPPED = frozenset({"html", "body"})
_NO_TEXT = frozenset({"script", "style", "template"})
_SPACE = re.compile(r"\s+")  # Unicode whitespace, so "Read&nbsp;more" is "Read more"


@functools.lru_cache(maxsize=4096)
def _any_of(values: tuple[str, ...]) -> re.Pattern:
    """One pattern finding any of the strings: one pass over the page for all of a rule's strings."""
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))


def _elements(nodes: Iterable) -> list:
    return [n for n in nodes if isinstance(n, etree._Element) and isinstance(n.tag, str)]


def _normalize_space(text: str) -> str:
    """Runs of whitespace (non-breaking spaces included) as one space, none at the ends."""
    return _SPACE.sub(" ", text).strip(" ")


def _innermost(elements: list) -> list:
    """The elements that hold no other element of the list (the smallest blocks owning a phrase)."""
    chosen = set(elements)
    holders = {anc for el in elements for anc in el.iterancestors() if anc in chosen}
    return [el for el in elements if el not in holders]


def _outermost(elements: Iterable) -> list:
    """The elements that sit inside no other element of the list (the outer one already holds them)."""
    elements = list(elements)
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _id_or_class_matches(values: tuple[str, ...], root) -> Iterator[tuple[etree._Element, str]]:
    """FiveFilters' strip_id_or_class: elements whose class or id attribute contains one of the strings."""
    pattern = _any_of(values)
    for el in _elements(evaluate(_WITH_ID_OR_CLASS, root)):
        found = pattern.search(el.get("class") or "") or pattern.search(el.get("id") or "")
        if found:
            yield el, found.group(0)


def _image_src_matches(values: tuple[str, ...], root) -> Iterator[tuple[etree._Element, str]]:
    pattern = _any_of(values)
    for img in root.iter("img"):
        found = pattern.search(img.get("src") or "")
        if found:
            yield img, found.group(0)


def _short_texts(root, limit: int) -> dict:
    """Whitespace-collapsed text of each element in <body> whose text is at most `limit` characters.
    One pass from the leaves up; elements with longer text (so all their ancestors) are left out."""
    body = next(root.iter("body"), None)
    texts: dict = {}
    for el in reversed(list(body.iter()) if body is not None else []):
        if not isinstance(el.tag, str):
            continue
        if el.tag in _NO_TEXT:
            texts[el] = ""
            continue
        parts = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str):
                if child not in texts:
                    break
                parts.append(texts[child])
            parts.append(child.tail or "")
        else:
            text = _SPACE.sub(" ", "".join(parts))
            if len(text) <= limit + 2:
                texts[el] = text
    return texts


def _whole_text_matches(phrases: tuple[str, ...], root) -> Iterator[tuple[etree._Element, str]]:
    """strip_text: for each phrase, the smallest elements whose whole text is the phrase."""
    wanted = {_normalize_space(p): p for p in phrases}
    owners: dict[str, list] = {}
    for el, text in reversed(_short_texts(root, max(map(len, wanted))).items()):  # document order
        phrase = wanted.get(text.strip(" "))
        if phrase is not None:
            owners.setdefault(phrase, []).append(el)
    for phrase in phrases:
        for el in _innermost(owners.get(phrase, [])):
            yield el, phrase


def strip_targets(rule: SiteRule, root) -> list[tuple[etree._Element, str]]:
    """Elements the rule removes, each with the rule line that matched ("strip_id_or_class: share").

    In rule order: strip, strip_id_or_class (the string inside @class or @id, as FiveFilters matches it),
    strip_image_src (img whose src holds the string), strip_text (the smallest element whose whole text is
    the phrase). An element is listed once; elements inside another listed element are left out, and
    <html> and <body> are never listed. The tree is not changed.
    """
    found: list[tuple[etree._Element, str]] = []
    for xpath in rule.strip:
        found += [(el, f"strip: {xpath.path}") for el in _elements(evaluate(xpath, root))]
    for directive, values, matches in (
        ("strip_id_or_class", rule.strip_id_or_class, _id_or_class_matches),
        ("strip_image_src", rule.strip_image_src, _image_src_matches),
        ("strip_text", rule.strip_text, _whole_text_matches),
    ):
        if values:
            found += [(el, f"{directive}: {value}") for el, value in matches(values, root)]

    targets: dict[etree._Element, str] = {}
    for el, match in found:
        if el.tag not in _NEVER_STRIPPED and el not in targets:
            targets[el] = match
    return [(el, targets[el]) for el in _outermost(targets)]


def _has_content(el) -> bool:
    return el.tag == "img" or bool(el.text_content().strip()) or el.find(".//img") is not None


def select_body(rule: SiteRule, root):
    """The article element the rule's body XPaths pick, or None.

    The first XPath that matches an element with text or an image wins. One match: that element, still
    in `root`'s tree. Several: as FiveFilters does, a new <div>, not attached to the tree, holding copies
    of the matches in document order (matches inside another match are left out).
    """
    for xpath in rule.body:
        matches = [el for el in _outermost(_elements(evaluate(xpath, root))) if _has_content(el)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            wrapper = root.makeelement("div", {})
            for el in matches:
                clone = copy.deepcopy(el)
                clone.tail = None
                wrapper.append(clone)
            return wrapper
    return None


def _text_of(node) -> str:
    text = node if isinstance(node, str) else node.text_content() if isinstance(node, etree._Element) else ""
    return " ".join(str(text).split())


def read_metadata(rule: SiteRule, root) -> dict[str, str]:
    """Title, author and date as the rule's XPaths read them (strings or elements' text); only found keys.

    title and date: the first XPath that yields a non-empty value, first match. author: every match of
    the first XPath that yields one, joined with ", " (pages often list several authors).
    """
    found: dict[str, str] = {}
    for key in ("title", "author", "date"):
        for xpath in getattr(rule, key):
            values = [v for v in (_text_of(n) for n in evaluate(xpath, root)) if v]
            if key == "date":
                values = [v.strip("; ") for v in values if v.strip("; ")]
            if values:
                found[key] = ", ".join(dict.fromkeys(values)) if key == "author" else values[0]
                break
    return found
