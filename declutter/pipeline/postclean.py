"""Small steps on the tree around scoring: lazy images, residue in the container, URLs, text."""

from __future__ import annotations

import math
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from ..text import fold, text_lengths
from .sanitize import DROPPED_WITH_CONTENT

LAZY_SRC_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src")
LAZY_SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset")
PLACEHOLDER_SRC = re.compile(r"^(data:|about:blank)|(blank|spacer|pixel|placeholder|lazy|loading)\.(gif|png|svg)", re.I)
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tr", "ul", "caption",
})
KEEP_EMPTY = frozenset({"img", "br", "hr", "td", "th", "tr", "col", "picture", "source", "wbr"})
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
WORD = re.compile(r"\w+")
SPACES = re.compile(r"\s+")
JOINED_INLINE = frozenset({"b", "i", "em", "strong", "u", "s", "mark", "small", "sup", "sub", "abbr", "q", "cite",
                           "ruby", "rt", "rp", "wbr", "br"})  # styling of words, never an item of its own
NOT_ITEMS = JOINED_INLINE | BLOCK_TAGS | {"td", "th"}  # and what the text already sets apart
REPEATED_BLOCK_CHARS = 300  # visible characters; shorter repeats are a page's own: a plan's benefits, a pull quote
REPEATED_BLOCK_PARTS = 2  # paragraphs, items or rows: one paragraph said twice may be the page's own refrain
BLOCKS_INSIDE = etree.XPath(".//p | .//li | .//tr | .//pre | .//h2 | .//h3 | .//h4 | .//dd")
LINK_ATTRIBUTES = ("href", "src", "cite")  # the sanitizer's only link attributes (srcset is read apart)
LINKED = etree.XPath("descendant-or-self::*[@href or @src or @cite]")
LAST_TEXT = etree.XPath("(.//text())[last()]")
FIRST_TEXT = etree.XPath("(.//text())[1]")
SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？")
CLOSING_MARKS = "\"'”’»)] "
SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])\s+(?=[\"“«(\[]?[^\W\d_a-z])")  # before a capital or a CJK letter
EXCERPT_MIN_WORDS = 8  # fewer words are a label or a meta line, not the article's first sentence
BYLINE_LINE_REACH = 4  # blocks at the top of the article where a "By Jane Doe" line may stand
BYLINE_PREFIX_CHARS = 20  # "Written by:" and the like
VIDEO_HOSTS = frozenset({"youtube.com", "youtube-nocookie.com", "m.youtube.com", "youtu.be", "player.vimeo.com",
                         "vimeo.com", "dailymotion.com", "geo.dailymotion.com", "player.twitch.tv"})


def _is_placeholder(src: str | None) -> bool:
    return not src or bool(PLACEHOLDER_SRC.search(src))


def reveal_lazy_images(root: HtmlElement) -> None:
    """Images that only scripts would show: data-src/data-srcset, and <noscript> copies of placeholders."""
    for img in root.iter("img"):
        for attribute in LAZY_SRC_ATTRIBUTES:
            if img.get(attribute) and _is_placeholder(img.get("src")):
                img.set("src", img.get(attribute))
                break
        for attribute in LAZY_SRCSET_ATTRIBUTES:
            if img.get(attribute) and not img.get("srcset"):
                img.set("srcset", img.get(attribute))
    for noscript in list(root.iter("noscript")):
        # libxml2 parses <noscript> content as elements; other producers leave it as text
        images = noscript.findall(".//img")
        if not images and "<img" in (noscript.text or "").lower():
            images = lxml.html.fragment_fromstring(noscript.text, create_parent="div").findall(".//img")
        if not images:
            continue
        previous = noscript.getprevious()
        if previous is not None and previous.tag == "img" and _is_placeholder(previous.get("src")) \
                and not previous.get("srcset"):
            previous.drop_tree()
        noscript.addnext(images[0])
        noscript.drop_tree()


def add_lead_image(container: HtmlElement, root: HtmlElement, lead_url: str | None, url: str | None) -> None:
    """The page's lead image (og:image), when the page shows it but the chosen container left it out (a hero
    image above the article body): put it first, as a figure."""
    if not lead_url:
        return
    absolute = lambda src: joined(url, src) if url else src  # noqa: E731
    if any(absolute(img.get("src") or "") == lead_url for img in container.iter("img")):
        return
    shown = next((img for img in root.iter("img") if absolute(img.get("src") or "") == lead_url), None)
    if shown is None:
        return
    figure = container.makeelement("figure", {})
    figure.append(container.makeelement("img", {"src": lead_url, "alt": shown.get("alt") or ""}))
    container.insert(0, figure)


def _videos_as_links(container: HtmlElement) -> None:
    """Embedded players cannot pass the sanitizer (no iframes); a link to the video keeps it reachable."""
    for frame in list(container.iter("iframe", "embed", "object")):
        src = (frame.get("src") or frame.get("data") or "").strip()
        host = _host(src) if src.startswith(("http://", "https://", "//")) else ""
        if host not in VIDEO_HOSTS:
            continue
        paragraph = frame.makeelement("p", {})
        link = frame.makeelement("a", {"href": "https:" + src if src.startswith("//") else src})
        link.text = f"▶ Video ({host})"
        paragraph.append(link)
        paragraph.tail = frame.tail
        frame.getparent().replace(frame, paragraph)


def _drop_title_heading(container: HtmlElement, title: str | None) -> None:
    """The first heading repeats the title shown above the article; drop it and any copy right after."""
    if not title:
        return
    wanted = " ".join(title.split()).casefold()
    for heading in container.xpath(".//h1|.//h2")[:3]:
        if " ".join(heading.text_content().split()).casefold() == wanted:
            heading.drop_tree()


def absolute_urls(container: HtmlElement, url: str | None) -> None:
    """The links that the sanitizer lets through (`href`, `src`, `cite`, `srcset`) made absolute against `url`,
    the page's `metadata.document_url`; one that cannot be joined goes. lxml's `make_links_absolute` did the same for
    every kind of link on every element (styles, <object>s, refresh tags, which the sanitizer drops), at a
    twentieth of the whole pipeline's time."""
    if not url:
        return
    _join_links(container, url)
    for img in container.iter("img"):
        srcset = img.get("srcset")
        if srcset:
            candidates = []
            for candidate in srcset.split(","):
                parts = candidate.split()
                address = joined(url, parts[0]) if parts else None
                if address:  # one that cannot be joined goes
                    candidates.append(" ".join([address, *parts[1:]]))
            img.set("srcset", ", ".join(candidates))


def _join_links(container: HtmlElement, base: str) -> None:
    for element in LINKED(container):
        for name in LINK_ATTRIBUTES:
            link = element.get(name)
            if link is None:
                continue
            address = joined(base, link.strip())
            if address is None:
                del element.attrib[name]
            elif address != link:
                element.set(name, address)


def joined(base: str, link: str) -> str | None:
    """`link` resolved against `base`, or None for an address no browser could open ("http://[::1"), on
    which urllib raises."""
    try:
        return urljoin(base, link)
    except ValueError:
        return None


def _host(src: str) -> str:
    try:
        return (urlsplit(src).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def _drop_empty(container: HtmlElement) -> None:
    """Drops what would show nothing: no words, no image, rule or cell inside (judged on the tree as it came)."""
    elements = list(container.iter())
    shows: dict = {}  # element -> words or a KEEP_EMPTY element inside it, found from the leaves up
    for element in reversed(elements):
        if isinstance(element.tag, str):
            shows[element] = _words(element.text) or any(
                _words(child.tail) or child.tag in KEEP_EMPTY or shows.get(child) for child in element)
    for element in elements:
        if element is container or not isinstance(element.tag, str) or element.tag in KEEP_EMPTY:
            continue
        if element.tag in DROPPED_WITH_CONTENT:
            element.drop_tree()
        elif not shows[element]:
            # a space between words stays: "from</span><span> </span>import"
            element.tail = element.text_content() + (element.tail or "")
            element.drop_tree()


def _words(text: str | None) -> bool:
    return bool(text) and not text.isspace()


def _linear_math(node) -> str:
    """MathML as linear text: "a x^(2) + b x + c = 0", fractions as (a)/(b), roots as √(x)."""
    tag = node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""
    parts = [_linear_math(child) for child in node]
    if tag in ("annotation", "annotation-xml"):
        return ""
    if tag in ("msup", "msub") and len(parts) == 2:
        return f"{parts[0]}{'^' if tag == 'msup' else '_'}({parts[1]})"
    if tag == "msubsup" and len(parts) == 3:
        return f"{parts[0]}_({parts[1]})^({parts[2]})"
    if tag == "mfrac" and len(parts) == 2:
        return f"({parts[0]})/({parts[1]})"
    if tag in ("msqrt", "mroot"):
        return f"√({' '.join(parts)})"
    own = " ".join((node.text or "").split())
    return " ".join(p for p in [own, *parts] if p)


def _math_as_text(container: HtmlElement) -> None:
    """<math> is never allowed through the sanitizer; keep the formula as text: its TeX or alttext if the page
    gives one, else a linear reading of the MathML."""
    for formula in list(container.iter("math", "{http://www.w3.org/1998/Math/MathML}math")):
        tex = formula.xpath(".//*[local-name()='annotation'][contains(@encoding, 'tex')]/text()")
        text = formula.get("alttext") or (tex[0].strip() if tex else "") or _linear_math(formula)
        code = formula.makeelement("code", {})
        code.text, code.tail = text, formula.tail
        formula.getparent().replace(formula, code)


def _drop_byline_line(container: HtmlElement, byline: str | None) -> None:
    """A "By Jane Doe" line near the top repeats the byline shown above the article."""
    if not byline:
        return
    for block in container.xpath(".//p|.//div[not(.//p or .//div)]")[:BYLINE_LINE_REACH]:
        text = " ".join(block.text_content().split())
        if text != byline and len(text) <= len(byline) + BYLINE_PREFIX_CHARS and text.endswith(byline):
            block.drop_tree()
            return


def tidy(container: HtmlElement, url: str | None, title: str | None, byline: str | None = None) -> None:
    _drop_title_heading(container, title)
    _drop_byline_line(container, byline)
    _math_as_text(container)
    _videos_as_links(container)
    absolute_urls(container, url)
    _drop_empty(container)
    _separate_items(container)
    _drop_repeated_blocks(container)


def _drop_repeated_blocks(container: HtmlElement) -> None:
    """A long block of several paragraphs whose text comes again later is the same content laid out twice (a
    responsive page's mobile and desktop copies of a product description): the later copy goes. Quotes are
    left alone."""
    lengths = text_lengths(container)
    seen: set = set()
    stack = list(reversed(container))
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str) or element.tag == "blockquote":
            continue
        length = lengths.get(element, 0)
        if length >= REPEATED_BLOCK_CHARS and lengths.get(element.getparent()) != length:  # not a wrapper's
            text = fold(element.text_content())
            if text in seen and len(BLOCKS_INSIDE(element)) >= REPEATED_BLOCK_PARTS:
                element.drop_tree()
                continue
            seen.add(text)
        stack.extend(reversed(element))


def _separate_items(container: HtmlElement) -> None:
    """Items that a page's style sets apart (flex rows, badges, a table's cells written as spans) touch in
    the markup: "1992<span>1h 39m</span>" reads "19921h 39m" without the style. A space goes between two
    sibling elements whose texts touch when the right one starts a new word: a digit or a capital. A word
    split across elements ("The Co</span><span>rnell"), a drop cap and inline styling stay as they are."""
    for element in container.iter():
        following = element.getnext()
        if (element.tail or following is None or element.tag in NOT_ITEMS or following.tag in NOT_ITEMS
                or not isinstance(element.tag, str) or not isinstance(following.tag, str)):
            continue
        left, right = LAST_TEXT(element), FIRST_TEXT(following)
        left, right = left[0][-1:] if left else "", right[0][:1] if right else ""
        if (_spaced_script(left) and _spaced_script(right) and (right.isdigit() or right.isupper())
                and not _drop_cap(element) and not any(a.tag == "pre" for a in element.iterancestors())):
            element.tail = " "


def _spaced_script(char: str) -> bool:
    """A letter or digit of a script that writes spaces between words (not CJK, from U+2E80 on)."""
    return char.isalnum() and char < "\u2e80"


def _drop_cap(element: HtmlElement) -> bool:
    """A styled first letter of a word ("<span class=cap>T</span>he story")."""
    text = element.text_content().strip()
    return len(text) == 1 and text.isalpha()


def keep_item_numbers(root: HtmlElement) -> None:
    """Writes each <ol> item's number as the page shows it into the item (`value`): items removed later as
    clutter then leave the others' numbers as the page had them ("see step 4" still finds step 4)."""
    for ordered in root.iter("ol"):
        for item, number in _item_numbers(ordered).items():
            item.set("value", str(number))


def _item_numbers(ordered: HtmlElement) -> dict:
    """The number a browser shows before each item of an <ol>: from its `start`, or an item's `value`, counting
    down when `reversed`."""
    items = list(ordered.iterchildren("li"))
    step = -1 if ordered.get("reversed") is not None else 1
    numbers, number = {}, _integer(ordered.get("start"), len(items) if step < 0 else 1)
    for item in items:
        number = _integer(item.get("value"), number)
        numbers[item] = number
        number += step
    return numbers


def _integer(value: str | None, default: int) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return default


class _TextWriter:
    """Collects paragraphs: inline text is folded into lines, blocks end paragraphs, <pre> stays verbatim, an
    ordered list's items keep their numbers ("1. Preheat the oven"), as a browser shows them."""

    def __init__(self):
        self.paragraphs: list[str] = []
        self.line: list[str] = []
        self.lines: list[str] = []
        self.numbers: dict = {}  # <ol> items met so far -> their number
        self.marker = ""  # an item's number, written before its first words

    def text(self, value: str) -> None:
        if self.marker and value.strip():
            self.line.append(self.marker)
            self.marker = ""
        self.line.append(SPACES.sub(" ", value))

    def newline(self) -> None:
        self.lines.append("".join(self.line).strip())
        self.line = []

    def end_paragraph(self) -> None:
        self.newline()
        text = "\n".join(line for line in self.lines if line)
        if text:
            self.paragraphs.append(text)
        self.lines = []

    def verbatim(self, value: str) -> None:
        self.end_paragraph()
        if value.strip():
            self.paragraphs.append(value.strip("\n"))

    def walk(self, root: HtmlElement) -> None:
        """Depth-first, with an explicit stack: no recursion limit however deep the page nests."""
        stack: list = [(root, False)]
        while stack:
            element, closing = stack.pop()
            tag = element.tag if isinstance(element.tag, str) else ""
            if closing:
                if tag == "li":
                    self.marker = ""  # an item without words shows no number either
                if tag in BLOCK_TAGS:
                    self.end_paragraph()
                elif tag in ("td", "th"):
                    self.text(" ")
                if element.tail and element is not root:
                    self.text(element.tail)
                continue
            if tag == "pre":
                self.verbatim(element.text_content())
                if element.tail and element is not root:
                    self.text(element.tail)
                continue
            if tag in BLOCK_TAGS:
                self.end_paragraph()
            elif tag == "br":
                self.newline()
            if tag == "ol":
                self.numbers.update(_item_numbers(element))
            elif tag == "li":
                self.marker = f"{self.numbers[element]}. " if element in self.numbers else ""
            if element.text and tag:
                self.text(element.text)
            stack.append((element, True))
            stack.extend((child, False) for child in reversed(element))


def plain_text(container: HtmlElement) -> str:
    """Text with paragraphs separated by blank lines, whitespace folded except inside <pre>."""
    writer = _TextWriter()
    writer.walk(container)
    writer.end_paragraph()
    return "\n\n".join(writer.paragraphs)


def only_links(container: HtmlElement) -> bool:
    """Is all the text inside links (javascript: pseudo-links are text once sanitized)?"""
    links = sum(len(a.text_content().strip()) for a in container.iter("a")
                if not (a.get("href") or "").strip().lower().startswith("javascript:"))
    return links >= len(container.text_content().strip())


def to_html(container: HtmlElement) -> str:
    return lxml.html.tostring(container, encoding="unicode", method="html")


def reading_time(text: str, options) -> tuple[int, int]:
    """Words (each CJK character counts as one) and minutes to read them, at least one."""
    cjk = 0 if text.isascii() else len(CJK.findall(text))
    words = len(WORD.findall(CJK.sub(" ", text) if cjk else text))
    minutes = words / options.words_per_minute + cjk / options.cjk_chars_per_minute
    return words + cjk, max(1, math.ceil(minutes)) if words + cjk else 0


def _reads_as_prose(paragraph: str) -> bool:
    """A sentence, not a label ("Listen · 4 min"), a meta line ("Jo Roe · Books · 5 min read") or a byline."""
    words = len(WORD.findall(paragraph)) + len(CJK.findall(paragraph))
    return words >= EXCERPT_MIN_WORDS and paragraph.rstrip(CLOSING_MARKS).endswith(SENTENCE_ENDS)


ITEM_NUMBER = re.compile(r"^\d{1,3}\. ")  # a list item's number, as plain_text writes it


def first_sentence(text: str, limit: int = 200) -> str | None:
    """The article's first real sentences: the first paragraph that reads as prose (else the first), cut at a
    sentence's end to fit `limit`."""
    paragraphs = [ITEM_NUMBER.sub("", p.strip(), count=1) for p in text.split("\n\n") if p.strip()]
    if not paragraphs:
        return None
    first = next((p for p in paragraphs if _reads_as_prose(p)), paragraphs[0])
    if len(first) <= limit:
        return first
    sentences, kept = SENTENCE_BREAK.split(first), ""
    for sentence in sentences:  # a long paragraph: as many whole sentences as fit
        if len(f"{kept} {sentence}") > limit:
            break
        kept = f"{kept} {sentence}".strip()
    return kept or first[: limit - 1].rsplit(" ", 1)[0] + "…"
