"""The one adapter around readability-lxml: it scores the already-parsed, already-decluttered tree."""

from __future__ import annotations

import copy
import logging
import re
from itertools import islice

from lxml import etree
from lxml.html import HtmlElement
from readability import Document
from readability.readability import REGEXES, Unparseable, is_video_url

from ..rules.generic import names_its_heading, names_text
from ..text import fold, folded_length, readable_length, short_values_cached, visible_length

SPARED = frozenset({"html", "body", "blockquote", "figure", "table", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})


def _words_search(pattern: re.Pattern):
    """`pattern.search` as a yes or no, for a case-insensitive pattern of lower-case ASCII words. On ASCII text
    (nearly every class and id) the lowered text is searched case-sensitively: the same answer at a sixth of
    the cost, which was most of readability's time on a page's new class names."""
    lowered = re.compile(pattern.pattern)
    return lambda text: bool(lowered.search(text.lower()) if text.isascii() else pattern.search(text))


UNLIKELY = _words_search(REGEXES["unlikelyCandidatesRe"])
LIKELY = _words_search(REGEXES["okMaybeItsACandidateRe"])
POSITIVE, NEGATIVE = _words_search(REGEXES["positiveRe"]), _words_search(REGEXES["negativeRe"])
COMMENT_WORD = _words_search(re.compile(r"comment|reply|post|answer|discuss", re.I))
DISCUSSION_WORD = _words_search(re.compile(r"comment|disqus|community|remark|shoutbox", re.I))  # readers' words
BLOCK_TAG = REGEXES["divToPElementsRe"]  # "<(blockquote|dl|div|img|ol|p|pre|table|ul)": a prefix of the name
BLOCK_TAG_STARTS = tuple(BLOCK_TAG.pattern[2:-1].split("|"))
INLINE_TAGS = frozenset({"a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"})
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
LIST_HOLDERS = frozenset({"ul", "ol", "div", "section"})  # a list, and wrappers readability cleans as blocks
LIST_SHARE = 0.9  # of a block's text in lists: Readability.js judges it as a list
HEADING_BLOCK_CHARS = 200  # a block of one heading's text, no longer than a heading is
HEADING_REACH = 4  # wrapper levels looked through for the heading before a segment
SAME_CLASS_BONUS = 0.2  # of the best block's score, for a sibling of its class (Readability.js's figure)
PROSE_PARAGRAPH_CHARS, PROSE_PARAGRAPHS = 150, 3  # a block of running text, whatever its class says
CALL_TO_ACTION = REGEXES["callToActionRe"]
CLEANED_TAGS = ("table", "ul", "div", "aside", "header", "footer", "section")  # readability's conditional cleaning
COUNTED_TAGS = ("p", "img", "li", "embed", "input")
LONG_SPACE, LINE_SPACE, TAB_SPACE = re.compile(r"\s{255,}"), re.compile(r"\s*\n\s*"), re.compile(r"\t|[ \t]{2,}")
HINT_MIN_CHARS = 500
HINT_FACTOR = 8

logging.getLogger("readability.readability").setLevel(logging.CRITICAL)


class _Chosen:
    """What summary() returns instead of a string: the element, sized by its text for readability's retry."""

    def __init__(self, element: HtmlElement):
        self.element = element

    def __len__(self) -> int:
        return len(self.element.text_content())


class _TreeDocument(Document):
    """readability's Document on our tree, handing back its chosen container as an element, not a string."""

    spare_comments = False  # on a forum thread the posts are the content, whatever their class says

    def _parse(self, input):
        # readability mutates the tree it scores, and may score twice: each pass gets a fresh copy. Its own
        # cleaning (scripts, hidden nodes, javascript: links) is skipped: the earlier steps and the sanitizer
        # already do it, and its link rewriting was a tenth of the whole pipeline's time.
        return copy.deepcopy(input)

    def get_link_density(self, elem):
        # readability measures text through three regex passes per element (half its scoring time); folding
        # whitespace runs to one character gives the same lengths at C speed. A heading's links are not
        # counted, as Readability.js does not: readability would drop a permalinked heading ("#benefits") and
        # each item's heading in a roundup that links to the item.
        return 0 if elem.tag in HEADINGS else _link_density(elem, elem.text_content())

    def class_weight(self, e):
        # readability marks <body> id="readabilityBody", which its own "body" keyword then favours: a stray
        # line of text straight in <body> would make the whole page the article.
        if e.tag == "body":
            return 0
        if e.tag in HEADINGS and names_text(e.get("id"), e.text_content()):  # "h-use-social-media" is no "social"
            return _names_weight(e.get("class"))
        return _names_weight(e.get("class")) + _names_weight(e.get("id"))

    def remove_unlikely_candidates(self):
        # Its class/id word list also drops quoted tweets, figures and tables ("twitter", "media"...), headings
        # styled as "header", styled words of a paragraph and sections whose id is their heading's words; the
        # clutter rules already ran, so content elements are spared here.
        for elem in self.html.findall(".//*"):
            classes, identifier = elem.get("class"), elem.get("id")
            if not (classes or identifier):  # most elements: nothing to judge
                continue
            names = f"{classes or ''} {identifier or ''}"
            if (elem.tag not in SPARED and _unlikely(elem, names) and not _words_of_a_paragraph(elem)
                    and not (_holds_prose(elem) and not DISCUSSION_WORD(names))
                    and not elem.xpath("ancestor-or-self::pre | ancestor-or-self::code | ancestor::blockquote | "
                                       "ancestor::figure | ancestor::table")
                    and not elem.xpath("descendant-or-self::main | descendant-or-self::article | "
                                       "descendant-or-self::math")
                    and not (self.spare_comments and COMMENT_WORD(names))):
                elem.drop_tree()

    def transform_misused_divs_into_paragraphs(self):
        # readability's own, with one change: it serialises every <div>'s children (and every inline child) to
        # look for block tags in the markup, again at each level of nesting; one walk up the tree answers the
        # same question for every element. Inline runs and loose text in a <div> become paragraphs as before
        # (made as elements, not parsed from "<p/>" as readability makes them: a parse each).
        with_blocks = _holding_blocks(self.html)
        for div in self.html.findall(".//div"):
            if div not in with_blocks:
                div.tag = "p"
        for div in self.html.findall(".//div"):
            children, paragraph = list(div), None
            if div.text and div.text.strip():
                paragraph = div.makeelement("p")
                paragraph.text, div.text = div.text, None
                div.insert(0, paragraph)
            for child in children:
                if child.tag == "br" or child.tag not in INLINE_TAGS or child in with_blocks:
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = div.makeelement("p")
                    child.addprevious(paragraph)
                paragraph.append(child)
            for position, child in reversed(list(enumerate(div))):
                if child.tail and child.tail.strip():
                    loose = div.makeelement("p")
                    loose.text, child.tail = child.tail, None
                    div.insert(position + 1, loose)
                if child.tag == "br":
                    child.drop_tree()

    def merge_article_segments(self, candidates, best_candidate, score_threshold):
        # readability gathers an article split into segments of one class (a site builder's "richtext"
        # blocks) into its best block, but the headings between them sit in blocks of their own and are left
        # behind: each gathered segment gets back the heading just before it in the page.
        best = best_candidate["elem"]
        held = list(best)
        origin = {element: (element.getparent(), element.getprevious()) for element in candidates}
        super().merge_article_segments(candidates, best_candidate, score_threshold)
        gathered = [child for child in best if child not in held and child in origin]
        if gathered and held:  # the best block's own heading, before its first child
            gathered.append(held[0])
            origin[held[0]] = (best.getparent(), best.getprevious())
        for segment in gathered:
            heading = _heading_before(*origin[segment])
            if heading is not None and best not in heading.iterancestors():
                segment.addprevious(heading)

    def get_semantic_main_candidate(self, candidates, best_candidate):
        # readability's own (a <main> around the pick, with twice its text and few links, is the article),
        # with the text measured by `_clean`: its own cleaning of the whole <main>'s text was a twentieth of
        # its time.
        best = best_candidate["elem"]
        ancestors = tuple(best.iterancestors())
        if best.tag == "article" or any(element.tag == "article" for element in ancestors):
            return best_candidate
        main = next((element for element in ancestors if element.tag == "main"), None)
        if main is None or len(_clean(main.text_content())) < max(500, len(_clean(best.text_content())) * 2):
            return best_candidate
        if self.get_link_density(main) > 0.15:
            return best_candidate
        candidates[main] = self.score_node(main)
        return candidates[main]

    def select_best_candidate(self, candidates):
        # readability's own choice (the best score; else a declared articleBody with few links; else an
        # <article> inside the pick that holds a quarter of its score), without the debug lines it formats for
        # its top five even when nothing logs them, nor a set of all the pick's descendants.
        if not candidates:
            return None
        ranked = sorted(candidates.values(), key=lambda candidate: candidate["content_score"], reverse=True)
        best = next((candidate for candidate in ranked if "articleBody" in (candidate["elem"].get("itemprop") or "")
                     .split() and self.get_link_density(candidate["elem"]) <= 0.1), ranked[0])
        best = next((candidate for candidate in ranked if candidate["elem"].tag == "article"
                     and candidate["content_score"] >= best["content_score"] * 0.25
                     and best["elem"] in candidate["elem"].iterancestors()
                     and len(_clean(candidate["elem"].text_content())) >= 250), best)
        # A list item is no article: when the best-scored block is one item of a list (paragraphs written as
        # list items), the list holds the article, and its other items with it.
        parent = best["elem"].getparent() if best["elem"].tag == "li" else None
        if parent is not None and parent.tag in ("ol", "ul"):
            return candidates.get(parent) or {"content_score": best["content_score"], "elem": parent}
        return best

    def get_article(self, candidates, best_candidate, html_partial=False):
        # Readability.js's sibling bonus, which readability-lxml lacks: a sibling of the best block with the
        # same class (an intro in its own "richtext" block before the body's) is part of the same text.
        best = best_candidate["elem"]
        parent, classes = best.getparent(), best.get("class")
        if parent is not None and classes:
            bonus = best_candidate["content_score"] * SAME_CLASS_BONUS
            for sibling in parent:
                if sibling is not best and sibling in candidates and sibling.get("class") == classes:
                    candidates[sibling]["content_score"] += bonus
        return super().get_article(candidates, best_candidate, html_partial)

    def score_paragraphs(self):
        # readability's own scoring, with its text cleaned by `_clean` and no debug line formatted.
        candidates, ordered = {}, []
        for elem in self.tags(self.html, "p", "pre", "td", "blockquote"):
            parent = elem.getparent()
            if parent is None:
                continue
            grandparent = parent.getparent()
            text = _clean(elem.text_content())
            if len(text) < self.min_text_length:
                continue
            for holder in (parent, grandparent):
                if holder is not None and holder not in candidates:
                    candidates[holder] = self.score_node(holder)
                    ordered.append(holder)
            score = 1
            score += text.count(",") + 1
            score += min(len(text) / 100, 3)
            candidates[parent]["content_score"] += score
            if grandparent is not None:
                candidates[grandparent]["content_score"] += score / 2.0
        links: dict = {}  # each link's length, read once: candidates nest, and each one counts all its links
        for elem in ordered:  # good content has few links
            if elem.tag not in HEADINGS:  # get_link_density's exception
                candidates[elem]["content_score"] *= 1 - _link_density(elem, elem.text_content(), links)
        return candidates

    def sanitize(self, node, candidates, keep_all_images=False):
        # readability's own conditional cleaning, with the same verdicts at two thirds of the cost: each
        # block's text is read once, not up to four times, and cleaned by `_clean`; its descendants are
        # counted in one walk, not seven; its link density is measured only when a rule asks; no debug line
        # is formatted.
        for heading in self.tags(node, *HEADINGS):
            if self.class_weight(heading) < 0 or self.get_link_density(heading) > 0.33:
                heading.drop_tree()
        for paragraph in self.tags(node, "p"):
            if CALL_TO_ACTION.search(paragraph.text_content()) and self.get_link_density(paragraph) > 0.2:
                paragraph.drop_tree()
        for element in self.tags(node, "form", "textarea"):
            element.drop_tree()
        for frame in self.tags(node, "iframe"):
            if "src" in frame.attrib and is_video_url(frame.attrib["src"]):
                frame.attrib.pop("srcdoc", None)
                frame.text = "VIDEO"  # an empty <iframe/> would not serialize as one
            else:
                frame.drop_tree()
        allowed = self.get_preserved_elements(node)
        for block in self.reverse_tags(node, *CLEANED_TAGS):
            if block not in allowed and self._cleaned_away(block, candidates, allowed, keep_all_images):
                block.drop_tree()
        self.html = node
        return self.get_clean_html()

    def _cleaned_away(self, block, candidates, allowed, keep_all_images) -> bool:
        """readability's verdict on one block in its conditional cleaning."""
        weight = self.class_weight(block)
        if weight + (candidates[block]["content_score"] if block in candidates else 0) < 0:
            return True
        text = block.text_content()
        if text.count(",") >= 10:
            return False
        counts = dict.fromkeys(COUNTED_TAGS, 0)
        for descendant in block.iterdescendants(*COUNTED_TAGS):
            counts[descendant.tag] += 1
            if descendant.tag == "input" and descendant.get("type") == "hidden":
                counts["input"] -= 1
        paragraphs, images, embeds = counts["p"], counts["img"], counts["embed"]
        length = len(_clean(text))
        if keep_all_images and block.tag == "div" and images:
            return False
        if paragraphs and images > 1 + paragraphs * 1.3:
            return True  # too many images
        if counts["li"] - 100 > paragraphs and block.tag not in ("ol", "ul"):
            return True  # more list items than paragraphs
        if counts["input"] > paragraphs / 3:
            return True  # a form
        if length < self.min_text_length and (images == 0 or images > 2):
            return True  # too short, without an image or with many
        if weight < 25 and _link_density(block, text) > (
                0.25 if block.tag in ("ul", "section") and block.xpath("ancestor::main | ancestor::article")
                else 0.2):
            return True  # too many links for its weight
        if weight >= 25 and _link_density(block, text) > 0.5:
            return True
        if (embeds == 1 and length < 75) or embeds > 1:
            return True
        if length:
            return False
        # No text: kept, with the blocks inside it, when the nearest sibling on either side with text has,
        # together, more than 1,000 characters.
        siblings = [next((n for n in (len(_clean(sibling.text_content())) for sibling in block.itersiblings(
            preceding=preceding)) if n), 0) for preceding in (False, True)]
        if sum(siblings) > 1000:
            allowed.update((inner, True) for inner in self.tags(block, "table", "ul", "div", "section"))
            return False
        return True

    def get_preserved_elements(self, node):
        # What readability's conditional cleaning leaves alone (its own: tables of contents, lead-ins to a
        # quote, as readability-lxml 0.9's get_preserved_elements finds them), and besides: lists that
        # Readability.js keeps, and the wrappers of a code sample, which are under its 25 characters when the
        # sample is short ("pip install flask"): a block whose text is all code stays.
        allowed = {element: True for element in node.iterfind(".//ul") if self.is_toc_list(element)}
        if node.getroottree().getroot().find(".//blockquote") is not None:  # readability's lead-in to a quote
            leads: dict = {}
            allowed.update((element, True) for element in self.tags(node, "div", "section")
                           if self._leads_a_quote(element, leads))
        not_kept = set()  # wrappers judged and refused, not judged again for each list inside them
        for held in node.iter("ul", "ol"):
            for element in (held, *held.iterancestors()):
                if (element is node or element in allowed or element.tag not in LIST_HOLDERS
                        or element in not_kept):
                    break
                if not self._kept_as_a_list(element):
                    not_kept.add(element)
                    break
                allowed[element] = True
        code_holders = _code_holders(node)
        for pre in node.iter("pre"):
            for holder in pre.iterancestors():
                if holder is node or holder in allowed or holder not in code_holders:
                    break
                allowed[holder] = True
        return allowed

    def _leads_a_quote(self, element, leads: dict) -> bool:
        """readability's is_quote_lead: the block, or one of its ancestors, ends with a colon (25 characters at
        least) and its next sibling holds a blockquote. Each ancestor is asked once for all the blocks inside it
        (`leads`), and its text cleaned only when it ends with a colon: readability cleaned every ancestor's
        whole text for every block (on the Mozilla pages with a quote, 30% of this step's time)."""
        for lead in (element, *element.iterancestors()):
            if lead not in leads:
                following = lead.getnext()
                text = lead.text_content() if following is not None and following.find(".//blockquote") is not None \
                    else ""
                leads[lead] = text.rstrip().endswith(":") and len(_clean(text)) >= self.min_text_length
            if leads[lead]:
                return True
        return False

    def _kept_as_a_list(self, element) -> bool:
        """Readability.js's verdict on a list, or a block whose text is nine tenths lists: its low-weight link
        density and short-content rules skip lists (a resource list of links with their descriptions, a
        forum's posts written as items), which readability-lxml applies to <ul>s and their wrappers alike."""
        if element.tag not in ("ul", "ol"):
            text = folded_length(element.text_content())
            lists = sum(folded_length(held.text_content()) for held in element.iter("ul", "ol"))
            if not text or lists <= LIST_SHARE * text:
                return False
        weight = self.class_weight(element)
        images, paragraphs = len(element.findall(".//img")), len(element.findall(".//p"))
        inputs = len(element.findall(".//input")) - len(element.findall(".//input[@type='hidden']"))
        return not (weight < 0 or (images > 1 and paragraphs / images < 0.5) or inputs > paragraphs // 3
                    or element.find(".//embed") is not None
                    or (weight >= 25 and self.get_link_density(element) > 0.5))

    def get_clean_html(self):
        return _Chosen(self.html)


def _link_density(element: HtmlElement, text: str, lengths: dict | None = None) -> float:
    """The share of the element's text (`text`, already read) in its links, whitespace runs folded. `lengths`:
    the links' lengths known so far, for a tree that does not change between calls."""
    if lengths is None:
        links = sum(folded_length(a.text_content()) for a in element.iterfind(".//a"))
    else:
        links = 0
        for link in element.iterfind(".//a"):
            if link not in lengths:
                lengths[link] = folded_length(link.text_content())
            links += lengths[link]
    return links / max(folded_length(text), 1)


def _clean(text: str) -> str:
    """readability's `clean` (its three whitespace substitutions, then strip), each substitution run only on a
    text it can change: most paragraphs have no line break or double space."""
    if len(text) >= 255:
        text = LONG_SPACE.sub(" " * 255, text)
    if "\n" in text:
        text = LINE_SPACE.sub("\n", text)
    if "\t" in text or "  " in text:
        text = TAB_SPACE.sub(" ", text)
    return text.strip()


@short_values_cached(maxsize=8192)
def _names_weight(value: str | None) -> int:
    """readability's class weight of one class or id value (its own `class_weight` sums the two); pages
    repeat the same few values many times."""
    if not value:
        return 0
    return 25 * (POSITIVE(value) - NEGATIVE(value))


@short_values_cached(maxsize=8192)
def _unlikely_names(names: str) -> bool:
    return len(names) > 2 and UNLIKELY(names) and not LIKELY(names)


def _unlikely(element: HtmlElement, names: str) -> bool:
    """readability's verdict on the class and id words, with an id made from the element's first heading's
    words ("respond-to-review-comments" for a section headed "Respond to review comments") not counted: it
    names the text, not a kind of block. The heading is looked for only when the words matched."""
    if not _unlikely_names(names):
        return False
    return not names_its_heading(element) or UNLIKELY(element.get("class", ""))


def _holds_prose(element: HtmlElement) -> bool:
    """Running text: at least three paragraphs of 150 characters."""
    long = (p for p in element.iter("p") if visible_length(p.text_content()) >= PROSE_PARAGRAPH_CHARS)
    return sum(1 for _ in islice(long, PROSE_PARAGRAPHS)) >= PROSE_PARAGRAPHS


def _words_of_a_paragraph(element: HtmlElement) -> bool:
    """An inline element in a paragraph ("<p><span class='contextmenu Quotation'>...") is words of its text,
    whatever its class says."""
    parent = element.getparent()
    return element.tag in INLINE_TAGS and parent is not None and parent.tag == "p"


OUTSIDE_SAMPLES = etree.XPath(".//text()[not(ancestor::pre)]")


def _code_holders(node: HtmlElement) -> set:
    """The elements under `node` whose visible characters are all inside <pre>s, and some are (a code sample
    with its wrappers): the ancestors of a sample, less those of a text outside every sample. Asked of each
    sample's ancestors in turn, the question read the whole article's text once per sample."""
    with_code = set()
    for pre in node.iter("pre"):
        above = list(pre.iterancestors())
        if visible_length(pre.text_content()) and not any(a.tag == "pre" for a in above):  # a sample in a
            with_code.update(above)  # sample is the outer one's text
    with_text = set()
    for text in OUTSIDE_SAMPLES(node) if with_code else ():
        if not text.isspace():
            holder = text.getparent().getparent() if text.is_tail else text.getparent()
            while holder is not None and holder not in with_text:
                with_text.add(holder)
                holder = holder.getparent()
    return with_code - with_text


def _heading_before(parent: HtmlElement | None, previous: HtmlElement | None) -> HtmlElement | None:
    """The block of one heading that came just before an element (given its former parent and previous
    sibling), looking up through wrappers of which it was the first child."""
    for _ in range(HEADING_REACH):
        if previous is not None:  # the heading itself: readability's cleaning drops a short <section>
            return next(previous.iter(*HEADINGS)) if _only_a_heading(previous) else None
        if parent is None:
            return None
        parent, previous = parent.getparent(), parent.getprevious()
    return None


def _only_a_heading(element: HtmlElement) -> bool:
    """A heading, or a block whose text is all one heading's."""
    if element.tag in HEADINGS:
        return True
    text = fold(element.text_content())
    return 0 < len(text) <= HEADING_BLOCK_CHARS and any(
        fold(heading.text_content()) == text for heading in element.iter(*HEADINGS))


def _holding_blocks(root: HtmlElement) -> set:
    """Elements with a descendant that readability's divToPElementsRe finds in their markup: a tag name that
    starts with one of its words (text is escaped in that markup, so only tags match)."""
    holders = set()
    for element in reversed(list(root.iter())):  # every descendant comes before its ancestors
        tag = element.tag
        if element in holders or (isinstance(tag, str) and tag.startswith(BLOCK_TAG_STARTS)):
            parent = element.getparent()
            if parent is not None:
                holders.add(parent)
    return holders


def best_container(root: HtmlElement, hint: HtmlElement | None = None, *,
                   thread: bool = False) -> HtmlElement | None:
    """The element readability-lxml judges to hold the article (a <div> of the chosen nodes).

    readability scores paragraphs only; when its choice is a small part of the page's densest block of
    paragraphs (`hint`), as in an article made of lists with one captioned image, the hint is the better answer.
    """
    try:
        document = _TreeDocument(root)
        document.spare_comments = thread
        chosen = document.summary(html_partial=True).element
    except Unparseable as exc:
        if isinstance(exc.__context__, MemoryError):
            raise exc.__context__ from None  # out of memory is the worker's to report, not "no article"
        return None  # readability found no paragraphs; the caller has other candidates
    if hint is not None:
        hinted = readable_length(hint)
        if hinted >= HINT_MIN_CHARS and hinted >= HINT_FACTOR * readable_length(chosen) and _inside(chosen, hint):
            return hint
    return chosen


def _inside(chosen: HtmlElement, hint: HtmlElement) -> bool:
    """Is readability's choice (made on its own copy of the tree) text from within the hint?"""
    sample = fold(chosen.text_content())[:200]
    return bool(sample) and sample in fold(hint.text_content())
