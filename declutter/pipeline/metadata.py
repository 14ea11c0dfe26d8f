"""Page metadata from JSON-LD, OpenGraph, <meta>, <time> and rel=author; read before scripts are removed."""

from __future__ import annotations

import html
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from . import dates

ORGANIZATION_TYPES = re.compile(r"(Organization|Corporation|Business|Brand)$")
ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|Report|Posting|Review|WebPage|Recipe)$")
JSON_WRAPPERS = re.compile(r"^\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*$")
BYLINES = tomllib.loads((Path(__file__).parents[1] / "rules" / "bylines.toml").read_text(encoding="utf-8"))
PREFIXES = "|".join(re.escape(p) for p in sorted(BYLINES["prefixes"], key=len, reverse=True))
BYLINE_PREFIX = re.compile(rf"^(?:(?:{PREFIXES})(?:\s*[:：]\s*|\s+))+", re.I)  # "作者：" has a full-width colon
# Where a name ends in a byline line: a separator, a number, or a date ("Jane Doe - Apr 16", "Jo Roe22 Dec 2016");
# digits inside a word are a username's ("reefkeeper22").
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
BYLINE_END = re.compile(
    rf"\s+[-–—•|·»]\s+|\s*[•|·»\n]|(?<!\w)\d|\d{{1,2}}\s*{MONTH}\s|\d{{4}}|\s+{MONTH}\s+\d", re.I)
NOT_A_NAME = re.compile(r"(?:about the author|follow|share|comments?|posted|updated|published)\b", re.I)
BYLINE_EDGES = re.compile(r"^[\s|·•—–\-,:]+|[\s|·•—–\-,:]+$")
NAME_LIST = re.compile(r"\s*,\s*|\s+(?:and|und|et|y|e|&)\s+")  # "Ann Lee, Bo Chen and Cy Doe"
JOB_PART = re.compile(r"\s*,\s*|\s+at\s+")  # "Jo Roe, Senior Reporter at The Paper"
JOB_WORDS = frozenset(BYLINES["job_words"])
PLACEHOLDERS = frozenset(BYLINES["placeholders"])
NAME_PARTICLES = frozenset(BYLINES["name_particles"])
DATE_WORDS = frozenset(BYLINES["date_words"])
MAX_NAME_WORDS = 6
DOM_BYLINE_TRIES = 8  # byline-like nodes read, in page order, before giving up
BY_LINE_CHARS = 80  # a "By Jane Doe" line is short; a paragraph that starts with "By" is the story's
BYLINE_LINE_REACH = 4  # elements after the headline where its "source · time" line may stand
TIME_WORDS = re.compile(
    r"\b(?:ago|yesterday|today|updated|published|min read|\d{1,2}:\d{2}|\d{4})\b|前|전|vor |il y a|hace ", re.I)
# What a reader sees of the page: no script or style text (JSON-LD repeats the headline, CSS-in-JS sits in <body>).
# The descendant axis, not `//`: libxml2 reads `//x` as the x children of every node, gathered and sorted
# (a third more time on a whole page, for the same nodes).
SHOWN_TEXT = etree.XPath("/html/body/descendant::text()[not(parent::script or parent::style or parent::template)]",
                         smart_strings=False)
# Asked only of the elements that a quick look at their rel, itemprop and class finds (byline_nodes): libxml2
# evaluating a predicate on every element of the page took 2.6 ms on the mean page, the look 0.9.
IS_BYLINE = etree.XPath(
    "self::*[@rel='author' or (@itemprop='name' and ancestor::*[contains(@itemprop, 'author')]) or "
    "(contains(@itemprop, 'author') and not(.//*[@itemprop='name'])) or (@class and "
    "(contains(@class, 'byline') or contains(@class, 'uthor') or contains(@class, 'written-by')) and ("
    "contains(concat(' ', normalize-space(@class), ' '), ' byline ') or contains(@class, 'byline-name') or "
    "contains(@class, 'author-name') or @class='author' or "
    "contains(concat(' ', normalize-space(@class), ' '), ' author ') or "
    "((contains(@class, 'author') or contains(@class, 'Author') or contains(@class, 'written-by')) and "
    "not(self::body or self::article or self::html))))]")  # compiled once, run if needed
# A forum's name for a poster: the last resort, since on an article it names a commenter.
USERNAME_NODES = etree.XPath("//*[contains(concat(' ', normalize-space(@class), ' '), ' username ')]")
TITLE_SEPARATOR = re.compile(r"\s+(?:[|\-–—·•»:/\\]|::)\s+")
WORD = re.compile(r"\w+")
HEADING_MARKS = " \t\n¶#§🔗"  # a permalink sign after a heading's words is not part of them


@dataclass
class Metadata:
    title: str | None = None
    byline: str | None = None
    site_name: str | None = None
    lang: str | None = None
    dir: str | None = None
    published_time: str | None = None  # ISO 8601, see dates.py
    modified_time: str | None = None
    excerpt: str | None = None
    lead_image_url: str | None = None
    canonical_url: str | None = None
    kinds: frozenset = frozenset()  # what the page says it is: schema.org types (JSON-LD, microdata), og:type

    def __post_init__(self):
        # A site rule's date (set with dataclasses.replace, which comes through here) is text like any other.
        self.published_time = dates.normalise(self.published_time)
        self.modified_time = dates.normalise(self.modified_time)


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _unescaped(value: str | None) -> str | None:
    """"Tom &amp;#038; Jerry" to "Tom & Jerry": some sites escape the entities of their <meta> values again."""
    for _ in range(2):
        if not value or "&" not in value:
            break
        value = html.unescape(value)
    return value


def _json_ld_objects(root: HtmlElement):
    """Every JSON object in the page's JSON-LD, @graph members included."""
    for script in root.iterfind(".//script[@type]"):
        if "ld+json" not in script.get("type", "").lower() or not script.text:
            continue
        try:
            data = json.loads(JSON_WRAPPERS.sub("", script.text), strict=False)  # raw newlines in strings
        except (ValueError, RecursionError):  # RecursionError: arrays nested a thousand deep
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
    """Names from a JSON-LD person/organization value: a string, an object or a list of either (and no
    deeper: the page's JSON may nest as deep as the decoder allows, past Python's recursion limit)."""
    names = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str):
            names.append(item)
    return names


def _first_url(value) -> str | None:
    """An image's URL: a string, an ImageObject's url, or the first of a list of either."""
    for _ in range(4):  # a list of objects whose url is a list of strings is as deep as images go
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            value = value.get("url") or value.get("contentUrl")
        elif isinstance(value, list) and value:
            value = value[0]
        else:
            return None
    return None


def _types(obj: dict) -> list:
    types = obj.get("@type")
    return types if isinstance(types, list) else [types]


def _with_main_entities(objects: list[dict]):
    """The objects, each followed by its mainEntity: a forum's WebPage holds its thread's first post there."""
    for obj in objects:
        yield obj
        main = obj.get("mainEntity")
        yield from (item for item in (main if isinstance(main, list) else [main]) if isinstance(item, dict))


def _from_json_ld(objects: list[dict], page_title: str | None, headings: list[str]) -> dict:
    for obj in _with_main_entities(objects):
        if not any(isinstance(t, str) and ARTICLE_TYPES.search(t) and t != "WebPage" for t in _types(obj)):
            continue
        author = obj.get("author")
        authors = author if isinstance(author, list) else [author]
        companies = [a for a in authors if isinstance(a, dict) and not {"Person"} & set(_types(a))
                     and any(isinstance(t, str) and ORGANIZATION_TYPES.search(t) for t in _types(a))]
        people = _names([a for a in authors if a not in companies])
        publisher = _names(obj.get("publisher"))
        headline, name = _clean(obj.get("headline")), _clean(obj.get("name"))
        if (headline and name and headline != name and name.casefold() in (page_title or "").casefold()
                and name not in publisher and headline not in headings):
            headline = name  # some sites put a description in headline and the title in name
        return {
            "title": headline or name,
            "authors": list(dict.fromkeys(filter(None, map(_clean, people)))),
            "author_companies": _names(companies),
            "site_name": _clean(publisher[0]) if publisher else None,
            "site_names": publisher,
            "published_time": _clean(obj.get("datePublished")),
            "modified_time": _clean(obj.get("dateModified")),
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


def strip_site_suffix(title: str | None, site_name: str | None, headings: tuple = ()) -> str | None:
    """"Headline | Site" to "Headline": the part that is the page's heading, else drop a part that names the
    site, else a short trailing part."""
    if not title:
        return title
    parts = TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    folded_headings = {" ".join(h.split()).casefold() for h in headings}
    for part in parts:
        if part.casefold() in folded_headings:
            return part
    site = (site_name or "").casefold()
    if site:
        kept = [p for p in parts if p.casefold() != site and not (site in p.casefold() and len(p) <= len(site) + 12)]
        if kept and len(kept) < len(parts):
            return " - ".join(kept) if len(kept) > 1 else kept[0]
    last = parts[-1]
    head = title[: title.rfind(last)].rstrip(" |-–—·•»:/\\")
    return head if len(head.split()) >= 3 and len(last.split()) <= 4 else title


def _links_elsewhere(heading: HtmlElement, url: str | None) -> bool:
    """A heading that is one link to another page is the site's name or a teaser's, not this page's heading."""
    links = heading.findall(".//a[@href]")
    if len(links) != 1 or " ".join(links[0].text_content().split()) != " ".join(heading.text_content().split()):
        return False
    target = _web_url(links[0].get("href"), url)
    return target is None or urlsplit(target).path.rstrip("/") != urlsplit(url or "").path.rstrip("/")


def page_headings(root: HtmlElement, url: str | None) -> list[str]:
    """The texts of the page's <h1> headings, those that name a site or another page left out."""
    found = []
    for heading in root.iterfind(".//h1"):
        text = _clean(heading.text_content().strip(HEADING_MARKS))
        if text and len(text) <= 300 and not _links_elsewhere(heading, url):
            found.append(text)
    return found


def _words(value: str | None) -> str:
    return " ".join(WORD.findall((value or "").casefold()))


def _headline(title: str | None, headings: list[str], site_name: str | None, url: str | None) -> str | None:
    """The page's own heading when the metadata title is that heading and the site's name ("Site: Headline",
    "Headline (Site)"): what a reader sees on the page, without the branding."""
    folded = _words(title)
    brands = {_words(site_name), _words(urlsplit(url or "").hostname).removeprefix("www ")} - {""}
    for heading in headings:
        words = _words(heading)
        if not words or words == folded or not (folded.startswith(words) or folded.endswith(words)):
            continue
        rest = f" {folded.removeprefix(words).removesuffix(words).strip()} "
        if any(rest in f" {brand} " for brand in brands):
            return heading
    return title


def document_url(root: HtmlElement, url: str | None) -> str | None:
    """The address the page's relative links resolve against, as a browser resolves them: its first
    `<base href>` joined to the page's URL, else the page's URL (None without one)."""
    base = next((b.get("href") for b in root.iter("base") if b.get("href") is not None), None)
    return (_web_url(base, url) or url) if url else None


def _web_url(value: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL, or None: page metadata is as untrusted as the page."""
    if not value:
        return None
    try:
        absolute = urljoin(base, value.strip()) if base else value.strip()
    except ValueError:
        return None
    return absolute if absolute.lower().startswith(("http://", "https://")) else None


def _is_name(value: str, free_text: bool) -> bool:
    """Whether the text reads as one or a few names, not a date or a placeholder; and, for text taken from the
    page rather than from a field that declares the author, not a sentence either."""
    if value.casefold() in PLACEHOLDERS or value.casefold() in BYLINES["prefixes"]:
        return False
    words = WORD.findall(value.casefold())
    if not words or all(word in DATE_WORDS for word in words):
        return False
    if free_text and not value[0].isalnum():
        return False  # "*****Notes*****", "@handle"
    for name in NAME_LIST.split(value) if free_text else ():
        parts = name.split()
        if len(parts) > MAX_NAME_WORDS or (len(parts) > 1 and any(
                p[0].islower() and p not in NAME_PARTICLES for p in parts)):
            return False
    return True


def _without_jobs(value: str) -> str:
    """"Jo Roe, Senior Reporter at The Paper" to "Jo Roe": the parts after the first that name a job go."""
    first, *rest = JOB_PART.split(value)
    kept = [part for part in rest if not JOB_WORDS & set(WORD.findall(part.casefold()))]
    return ", ".join([first, *kept]) if len(kept) == len(rest) else first


def clean_byline(value: str | None, free_text: bool = False) -> str | None:
    """"By Jane Doe, Staff Writer —" to "Jane Doe"; None for what cannot be a name (a URL, a sentence, a date,
    a placeholder such as "Admin")."""
    if not value or not value.strip() or value.strip().startswith(("http://", "https://")):
        return None
    value = BYLINE_PREFIX.sub("", _unescaped(value.strip()))
    value = _clean(_without_jobs(BYLINE_EDGES.sub("", BYLINE_END.split(value, maxsplit=1)[0])))
    if not value or not 2 <= len(value) <= 100 or NOT_A_NAME.match(value) or not _is_name(value, free_text):
        return None
    return value


def _node_text(node: HtmlElement) -> str:
    return node.get("content", "") if node.tag == "meta" else node.text_content()  # microdata puts names in <meta>


def byline_nodes(root: HtmlElement) -> list:
    """The page's byline-like elements, in document order."""
    found = []
    for element in root.iter(etree.Element):
        classes = element.get("class")
        if (((classes and ("uthor" in classes or "byline" in classes or "written-by" in classes))
                or element.get("itemprop") or element.get("rel") == "author") and IS_BYLINE(element)):
            found.append(element)
    return found


def _dom_byline(root: HtmlElement, nodes=byline_nodes) -> str | None:
    """The first byline-like node that holds a name; of nested ones the innermost, since an "author box" holds
    labels, dates and a bio around the name."""
    found = nodes(root)
    outer = {ancestor for node in found for ancestor in node.iterancestors()}
    inner = (node for node in found if node not in outer)
    return _first(*(clean_byline(_node_text(node), free_text=True) for node in list(inner)[:DOM_BYLINE_TRIES]))


def _byline_near_title(root: HtmlElement, title: str | None) -> str | None:
    """"Japan Times · 13 hours ago" just below the headline: a short line of a name and a time, within the
    few elements after the heading that carries the title; the name is the part that is not the time."""
    wanted = " ".join((title or "").split()).casefold()
    heading = next((h for h in root.iterfind(".//h1") if " ".join(h.text_content().split()).casefold() == wanted),
                   None)
    if heading is None:
        return None
    line = heading.getnext()
    for _ in range(BYLINE_LINE_REACH):
        if line is None:
            return None
        text = " ".join(line.text_content().split())
        if len(text) <= BY_LINE_CHARS and BYLINE_PREFIX.match(text):
            return clean_byline(text, free_text=True)  # "By Jane Doe"
        parts = [" ".join(child.text_content().split()) for child in line]
        if 2 <= len(parts) <= 4 and len(line.text_content()) <= 80 and any(map(TIME_WORDS.search, parts)):
            names = [p for p in parts if p and not TIME_WORDS.search(p) and not any(c.isdigit() for c in p)]
            return clean_byline(names[0], free_text=True) if names else None
        line = line.getnext()
    return None


def _host_labels(url: str | None) -> set[str]:
    """"news.example.co.uk" gives "example": a byline that is the site's own name is no writer's."""
    labels = (urlsplit(url or "").hostname or "").split(".")
    return {label for label in labels[:-1] if len(label) > 3 and label not in ("www", "blog", "news")}


def _is_brand(name: str, brands: set[str]) -> bool:
    words = _words(name)
    return words in brands or words.replace(" ", "") in brands


def _byline(root: HtmlElement, declared: tuple, companies, brands: set[str], title: str | None) -> str | None:
    """The writers: a person the page declares; else a name shown on the page (an author node, the line under
    the headline); else the site or company the page declares; else, on a forum, the first poster's name."""
    names = [name for name in map(clean_byline, declared) if name]
    people = [name for name in names if not _is_brand(name, brands)]
    candidates = (lambda: people[0] if people else None, lambda: _dom_byline(root),
                  lambda: _byline_near_title(root, title), lambda: names[0] if names else None,
                  lambda: _first(*map(clean_byline, companies)), lambda: _dom_byline(root, USERNAME_NODES))
    return next((name for name in (candidate() for candidate in candidates) if name), None)


def _canonical_link(root: HtmlElement) -> str | None:
    head = root.find("head")
    links = head.iterfind("link") if head is not None else ()
    return next((link.get("href") for link in links if (link.get("rel") or "").lower() == "canonical"), None)


def _kinds(root: HtmlElement, objects: list[dict], og_type: str | None) -> frozenset:
    """schema.org type names the page declares (JSON-LD @type, microdata itemtype), and its og:type."""
    found = set()
    for obj in objects:
        types = obj.get("@type")
        found.update(t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str))
    for itemtype in root.xpath("//@itemtype"):
        found.update(part.rstrip("/").rsplit("/", 1)[-1] for part in itemtype.split())
    if og_type:
        found.add(f"og:{og_type.strip().lower()}")
    return frozenset(found)


def _first_time(root: HtmlElement) -> str | None:
    """The page's first <time datetime>, found by lxml's walk by tag name (libxml2's XPath, testing every
    element, took ten times as long)."""
    return next((value for element in root.iter("time") if (value := element.get("datetime")) is not None), None)


def read_metadata(root: HtmlElement, url: str | None) -> Metadata:
    """The page's metadata. Sources are tried in order, and the ones that walk the whole page only when the
    <head> had nothing."""
    meta = _meta_tags(root)
    head_title = root.find("head/title")
    title_tag = _clean(head_title.text_content()) if head_title is not None else None
    json_ld = list(_json_ld_objects(root))  # parsed once, read for fields and for the page's kinds
    h1s = page_headings(root, url)
    ld = _from_json_ld(json_ld, title_tag, h1s)
    site_name = _first(meta.get("og:site_name"), ld.get("site_name"), meta.get("application-name"))
    # Readability.js's order: JSON-LD, Dublin Core, OpenGraph, Twitter, Parse.ly, then <title> and <h1>.
    title = _first(ld.get("title"), meta.get("dc:title"), meta.get("dcterm:title"), meta.get("og:title"),
                   meta.get("twitter:title"), meta.get("parsely-title"), title_tag) or _text_of_first(root, "//h1")
    headings = tuple(h1s) + tuple(h.text_content() for h in root.iterfind(".//h2"))[:5]
    body = root.find("body")
    image = _first(meta.get("og:image"), meta.get("og:image:url"), meta.get("twitter:image"),
                   meta.get("twitter:image:src"), ld.get("lead_image_url"))
    lang = _first(root.get("lang"), root.get("xml:lang"), meta.get("content-language"),
                  (meta.get("og:locale") or "").replace("_", "-") or None)
    authors = [clean_byline(name) for name in ld.get("authors", ())]
    declared = (", ".join(dict.fromkeys(filter(None, authors))), meta.get("dc:creator"), meta.get("dcterm:creator"),
                meta.get("author"), meta.get("parsely-author"), meta.get("article:author"),
                meta.get("sailthru.author"), meta.get("dc.creator"))
    brands = {_words(site_name), *map(_words, ld.get("site_names", ())), *_host_labels(url)} - {""}
    published = dates.first_iso(
        ld.get("published_time"), meta.get("article:published_time"), meta.get("datepublished"), meta.get("date"),
        meta.get("dc.date"), meta.get("dc.date.issued"), meta.get("publish-date"), meta.get("parsely-pub-date"),
        meta.get("sailthru.date"), _first_time(root))
    modified = dates.first_iso(
        meta.get("article:modified_time"), ld.get("modified_time"), meta.get("og:updated_time"),
        meta.get("datemodified"), meta.get("dc.date.modified"), meta.get("last-modified"))
    shown_text = " ".join(" ".join(SHOWN_TEXT(root)).split())
    clean_title = _headline(strip_site_suffix(_unescaped(title), site_name, headings), h1s, site_name, url)
    published = (dates.as_shown(published, shown_text, h1s[:1] + [clean_title] if clean_title else h1s[:1])
                 or dates.labelled(shown_text))
    return Metadata(
        title=clean_title,
        byline=_byline(root, declared, ld.get("author_companies", ()), brands, clean_title),
        site_name=site_name,
        lang=lang,
        dir=_first(root.get("dir"), body.get("dir") if body is not None else None),
        published_time=published,
        modified_time=modified,
        excerpt=_first(meta.get("og:description"), ld.get("excerpt"), meta.get("description"),
                       meta.get("twitter:description")),
        lead_image_url=_web_url(image, url),
        canonical_url=_web_url(meta.get("og:url") or _canonical_link(root), url),
        kinds=_kinds(root, json_ld, meta.get("og:type")),
    )
