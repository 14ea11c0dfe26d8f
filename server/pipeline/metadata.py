"""Page metadata from JSON-LD, OpenGraph, <meta>, <time> and rel=author; read before scripts are removed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml.html import HtmlElement

ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|Report|Posting|Review|WebPage|Recipe)$")
TITLE_SEPARATOR = re.compile(r"\s+(?:[|\-–—·•»:/\\]|::)\s+")


@dataclass
class Metadata:
    title: str | None = None
    byline: str | None = None
    site_name: str | None = None
    lang: str | None = None
    dir: str | None = None
    published_time: str | None = None
    excerpt: str | None = None
    lead_image_url: str | None = None
    canonical_url: str | None = None


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _json_ld_objects(root: HtmlElement):
    """Every JSON object in the page's JSON-LD, @graph members included."""
    for script in root.iterfind(".//script[@type]"):
        if "ld+json" not in script.get("type", "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def _names(value) -> list[str]:
    """Names from a JSON-LD person/organization value: a string, an object or a list of either."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [value["name"]] if isinstance(value.get("name"), str) else []
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _first_url(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _first_url(value.get("url") or value.get("contentUrl"))
    if isinstance(value, list) and value:
        return _first_url(value[0])
    return None


def _from_json_ld(root: HtmlElement) -> dict:
    for obj in _json_ld_objects(root):
        types = obj.get("@type")
        types = types if isinstance(types, list) else [types]
        if not any(isinstance(t, str) and ARTICLE_TYPES.search(t) and t != "WebPage" for t in types):
            continue
        authors = _names(obj.get("author"))
        publisher = _names(obj.get("publisher"))
        return {
            "title": _clean(obj.get("headline")) or _clean(obj.get("name")),
            "byline": _clean(", ".join(dict.fromkeys(authors))) if authors else None,
            "site_name": _clean(publisher[0]) if publisher else None,
            "published_time": _clean(obj.get("datePublished")),
            "excerpt": _clean(obj.get("description")),
            "lead_image_url": _clean(_first_url(obj.get("image"))),
        }
    return {}


def _meta_tags(root: HtmlElement) -> dict[str, str]:
    """<meta> values by lower-cased property/name/itemprop; the first one of a name wins."""
    found: dict[str, str] = {}
    for meta in root.iterfind(".//meta"):
        content = _clean(meta.get("content"))
        if not content:
            continue
        for key in (meta.get("property"), meta.get("name"), meta.get("itemprop")):
            for name in (key or "").lower().split():
                found.setdefault(name, content)
    return found


def _first(*values) -> str | None:
    return next((v for v in values if v), None)


def _text_of_first(root: HtmlElement, xpath: str) -> str | None:
    for node in root.xpath(xpath):
        text = _clean(node if isinstance(node, str) else node.text_content())
        if text and len(text) < 200:
            return text
    return None


def strip_site_suffix(title: str | None, site_name: str | None) -> str | None:
    """"Headline | Site" to "Headline": drop a trailing or leading part that names the site or is short."""
    if not title:
        return title
    parts = TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    site = (site_name or "").casefold()
    if site:
        kept = [p for p in parts if p.casefold() != site and site not in p.casefold()]
        if kept and len(kept) < len(parts):
            return " - ".join(kept) if len(kept) > 1 else kept[0]
    last = parts[-1]
    head = title[: title.rfind(last)].rstrip(" |-–—·•»:/\\")
    return head if len(head.split()) >= 3 and len(last.split()) <= 4 else title


def read_metadata(root: HtmlElement, url: str | None) -> Metadata:
    meta = _meta_tags(root)
    ld = _from_json_ld(root)
    title_tag = _text_of_first(root, "//head/title")
    site_name = _first(meta.get("og:site_name"), ld.get("site_name"), meta.get("application-name"))
    title = _first(meta.get("og:title"), ld.get("title"), meta.get("twitter:title"), title_tag,
                   _text_of_first(root, "//h1"))
    body = root.find("body")
    canonical = _first(meta.get("og:url"), *root.xpath("//link[@rel='canonical']/@href")[:1])
    image = _first(meta.get("og:image"), meta.get("og:image:url"), meta.get("twitter:image"),
                   meta.get("twitter:image:src"), ld.get("lead_image_url"))
    return Metadata(
        title=strip_site_suffix(title, site_name),
        byline=_first(
            ld.get("byline"), meta.get("author"), meta.get("article:author") if not
            (meta.get("article:author") or "").startswith("http") else None,
            meta.get("dc.creator"), meta.get("parsely-author"), meta.get("sailthru.author"),
            _text_of_first(root, "//*[@rel='author' or @itemprop='author']"),
            _text_of_first(root, "//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]"),
        ),
        site_name=site_name,
        lang=_first(root.get("lang"), root.get("xml:lang"), meta.get("content-language"),
                    (meta.get("og:locale") or "").replace("_", "-") or None),
        dir=_first(root.get("dir"), body.get("dir") if body is not None else None),
        published_time=_first(
            meta.get("article:published_time"), ld.get("published_time"), meta.get("datepublished"),
            meta.get("date"), meta.get("dc.date"), meta.get("dc.date.issued"), meta.get("publish-date"),
            meta.get("parsely-pub-date"), meta.get("sailthru.date"),
            *root.xpath("(//time[@datetime])[1]/@datetime"),
        ),
        excerpt=_first(meta.get("og:description"), ld.get("excerpt"), meta.get("description"),
                       meta.get("twitter:description")),
        lead_image_url=urljoin(url, image) if (image and url) else image,
        canonical_url=canonical,
    )
