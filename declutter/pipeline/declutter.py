"""Clutter removal before scoring, so that readability never sees it.

Rules only mark elements; one sweep removes the outermost marked ones, unless together they would take
nearly all the text, in which case nothing is removed and the backup is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from lxml import etree
from lxml.html import HtmlElement

from ..rules.generic import GenericRules, generic_rules, names_its_heading, normalize_text, word_list
from ..text import UNREAD, short_values_cached, text_lengths, visible_length
from . import corrections, restorable
from .models import Removal

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
CELLS = frozenset({"td", "th"})  # phrase owners never reach out of a table cell
LEVEL = {tag: int(tag[1]) for tag in HEADINGS}
LABEL_LEVEL = 2  # a non-heading label ("<div class=title>Comments</div>") ranks like an h2
TEXT_LEVEL = frozenset({"p", "span", "a", "strong", "b", "em", "i", "small", "label", "blockquote", "figcaption",
                        "td", "th", "code", "pre", "q", "cite", *HEADINGS})
PHRASE_TEXT_LIMIT = 120  # longest label a whole-text phrase is compared with
START_TEXT_LIMIT = 1200  # longest block a phrase ending in "*" is looked for at the start of
LEAD_IN_LIMIT = 300  # longest "Also read: <a>...</a>" line
LOOKED_AT_CHARS = 600  # of a candidate's text, enough for a whole label or the start of a longer block
LEAD_IN_LINK_SHARE = 0.5  # of the text after the phrase, at least this much is link text
PROSE_CHARS = 100  # a paragraph this long, mostly not links, is the article's own text
BACKUP_KEEP_SHARE = 0.1  # rules that would leave less than this share of the text are not applied
BACKUP_KEEP_CHARS = 150
LIST_OUTWEIGHS = 3  # prose list items must outweigh the best paragraphs this many times to be the article
POST_NUMBER = re.compile(r"#\d+")  # a forum post's number beside its poster ("#12"): a permalink, not words
POST_NUMBER_CHARS = 8  # "#1234567": longer is no post's number
NOTE_PARAGRAPH_CHARS, NOTE_PARAGRAPHS = 150, 2  # an <aside> with two paragraphs this long is a note of the text
# Attribute values by the attribute axis, their elements found from them: libxml2 tests a predicate on an
# attribute's value (`//*[@itemprop='articleBody']`) at twice the cost on a whole page.
ITEMPROPS = etree.XPath("descendant::*/@itemprop")
CONTROLLED = etree.XPath("descendant-or-self::*/@aria-controls")
FOOTNOTES = etree.XPath("descendant-or-self::*[@role='doc-footnote' or @role='doc-endnotes' or @role='doc-endnote']")
MOST_PARAGRAPHS = 0.6  # a marked element holding this share of the page's paragraphs is kept
# On a page that is not an article, these groups' class words name content as often as clutter: offers are
# "promo", product families "related", reviews "comments"; and its hidden panels (spec tabs, carousels, FAQ
# answers) are content. Tags and roles (<aside>, role=dialog) still count.
WHOLE_PAGE_KEEPS = frozenset({"promo", "related", "comments"})
HIDING = frozenset({"hidden", "aria-hidden", "style"})  # the attributes that can hide an element
NAMING = frozenset({"class", "id", "role", "aria-label"})  # and those a selector vocabulary reads
HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)", re.I)


@dataclass
class Decluttered:
    removed: list = field(default_factory=list)  # Removal records, in document order
    article_hint: HtmlElement | None = None  # the element with the densest paragraphs, if any
    blocks: list = field(default_factory=list)  # the removed elements, detached, in the order of `removed`


@dataclass
class _Page:
    body: HtmlElement
    lengths: dict  # element -> characters of text inside it (whitespace not counted)
    protected: set  # elements that hold the article: never removed whole
    hint: HtmlElement | None = None  # where the article seems to be
    discussion: bool = False  # a forum thread: its posts are the content, not comments on it
    whole_page: bool = False  # not an article: keep hidden panels and blocks that class names call menus or promos
    running_text: dict = field(default_factory=dict)  # parent -> whether words run between its children

    def length(self, element) -> int:
        return self.lengths.get(element, 0)

    @cached_property
    def openable(self) -> frozenset:
        """The ids of what a control on the page opens (aria-controls); read when a hidden element has an id."""
        return frozenset(i for value in CONTROLLED(self.body) for i in value.split())


def _title_heading(body: HtmlElement, title: str | None) -> HtmlElement | None:
    headings = list(body.iter("h1"))
    if title:
        wanted = normalize_text(title)
        for heading in headings + list(body.iter("h2")):
            if normalize_text(heading.text_content()) == wanted:
                return heading
    return headings[0] if len(headings) == 1 else None


def _paragraph_score(length: int) -> int:
    """Paragraphs count, not characters: one long teaser in a related list does not outweigh an article."""
    return 1 + min(length // 100, 3) if length >= 25 else 0


def _within(element: HtmlElement, marked) -> bool:
    return element in marked or any(a in marked for a in element.iterancestors())


def _with_ancestors(element: HtmlElement | None) -> set:
    return {element, *element.iterancestors()} if element is not None else set()


def _article_hint(body: HtmlElement, lengths: dict, marked, declared: list) -> HtmlElement | None:
    """The element with the most substantial paragraphs directly inside it, outside marked clutter: in nearly
    every page, the article body. An article of bullet points has few paragraphs, so a list's parent wins
    instead when its prose list items far outweigh the best paragraphs (teaser lists rarely do). `declared`:
    the elements marked itemprop=articleBody, which win when unmarked."""
    found = [e for e in declared if not _within(e, marked)]
    if found:
        return found[0]
    paragraphs: dict = {}
    items: dict = {}
    for block in body.iter("p", "li"):
        length = lengths.get(block, 0)
        holder, totals = block.getparent(), paragraphs
        if block.tag == "li":
            links = sum(lengths.get(a, 0) for a in block.iter("a"))
            if links * 2 >= length or holder is None:
                continue  # a list of links is navigation, not prose
            holder, totals = holder.getparent(), items
        if holder is not None and not _within(block, marked):
            totals[holder] = totals.get(holder, 0) + _paragraph_score(length)
    best = max(paragraphs, key=paragraphs.get, default=None)
    best_score = paragraphs[best] if best is not None else 0
    best_list = max(items, key=items.get, default=None)
    if best_list is not None and items[best_list] > LIST_OUTWEIGHS * best_score:
        return best_list
    return best if best_score else None


def _holding_most_paragraphs(body: HtmlElement, lengths: dict, marked: dict) -> set:
    """Marked elements that hold most of the page's paragraphs: an article wrapper with an unlucky class name
    ("content has-comments"), or one hidden behind a dialog (aria-hidden), not clutter."""
    total, inside = 0, {}
    for paragraph in body.iter("p"):
        score = _paragraph_score(lengths.get(paragraph, 0))
        total += score
        holder = next((a for a in paragraph.iterancestors() if a in marked), None)
        if holder is not None and score:
            inside[holder] = inside.get(holder, 0) + score
    return {e for e, score in inside.items() if score >= MOST_PARAGRAPHS * total and marked[e][0] != "hidden"}


# --- selector rules -----------------------------------------------------------------------------------------

def _hidden(element: HtmlElement, page: _Page) -> str | None:
    if element.get("hidden") is not None:
        reason = "[hidden]"
    elif (element.get("aria-hidden") or "").strip().lower() == "true":
        reason = "[aria-hidden=true]"
    elif (style := element.get("style")) and HIDDEN_STYLE.search(style):
        reason = "display:none"
    else:
        return None
    # A closed tab, accordion or "read more" fold (a tab panel, or what a control on the page opens) is the
    # page's content: product specifications, FAQ answers, documentation variants. A reader opens them all.
    if element.get("role") == "tabpanel" or ((identifier := element.get("id")) and identifier in page.openable):
        return None
    return reason


def _leads_content(element: HtmlElement) -> bool:
    """A <header> of the article or of a section, not the site's banner: inside <article> or <main>, or
    with a heading that is not just a link."""
    if any(a.tag in ("article", "main") for a in element.iterancestors()):
        return True
    return any(h.text_content().strip() and sum(len(a.text_content()) for a in h.iter("a")) < len(h.text_content())
               for h in element.iter(*HEADINGS))


def _a_panel_of_the_page(element: HtmlElement) -> bool:
    """A dialog that says it is not modal (aria-modal=false), inside <main>, written as prose and asking for
    nothing: a sheet that opens beside the content (a product's description), not a pop-up over the page or
    a form (a report form, a list picker)."""
    return ((element.get("aria-modal") or "").strip().lower() == "false"
            and any(a.tag == "main" for a in element.iterancestors())
            and next(element.iter("input", "select", "textarea"), None) is None
            and any(visible_length(p.text_content()) >= NOTE_PARAGRAPH_CHARS for p in element.iter("p")))


def _a_note_of_the_text(element: HtmlElement) -> bool:
    """An <aside> that belongs to the text: its footnotes (DPUB-ARIA doc-footnote, doc-endnotes), or, inside
    <article> or <main>, a side note written as prose (an author's note, a box of background) or a figure
    with its caption; not a rail of links."""
    if FOOTNOTES(element):
        return True
    if not any(a.tag in ("article", "main") for a in element.iterancestors()):
        return False
    if element.find(".//figcaption") is not None:
        return True
    prose = [p for p in element.iter("p") if visible_length(p.text_content()) >= NOTE_PARAGRAPH_CHARS]
    return len(prose) >= NOTE_PARAGRAPHS


@short_values_cached(maxsize=8192)
def _word_match(value: str | None) -> tuple[str, str] | None:
    """(group, words) for a class, id or aria-label value; pages repeat the same few values many times."""
    return generic_rules().match_words(word_list(value)) if value else None


def _selector_match(element: HtmlElement, rules: GenericRules) -> tuple[str, str] | None:
    """(group, what matched) for an element that a selector vocabulary names as clutter."""
    tag_group = rules.group_of_tag.get(element.tag)
    if tag_group and not (element.tag == "header" and _leads_content(element)) and not (
            element.tag == "aside" and _a_note_of_the_text(element)):
        return tag_group, element.tag
    role = element.get("role")
    if role and role.strip().lower() in rules.group_of_role and not _a_panel_of_the_page(element):
        return rules.group_of_role[role.strip().lower()], f"[role={role.strip().lower()}]"
    classes, label = element.get("class"), element.get("aria-label")  # most elements have no label
    found = (_word_match(classes) if classes else None) or (_word_match(label) if label else None)
    if not found and "-" in element.tag:  # a custom element says what it is: <related-articles>, <ad-slot>
        found = _word_match(element.tag)
    element_id = element.get("id")
    if not found and element_id:
        found = _word_match(element_id)
        if found and names_its_heading(element):
            found = None
    return found


def _text_fits(length: int, least: int, most: int | None) -> bool:
    return length >= least and (most is None or length <= most)


def _selector_marks(page: _Page, rules: GenericRules):
    for element in page.body.iter():
        if not isinstance(element.tag, str) or element.tag in UNREAD or element in page.protected:
            continue  # a script, style or template is never shown: no block for a reader to see removed
        names = element.keys()  # its attributes' names, in one call: most elements have none that matter
        hidden = None if page.whole_page or HIDING.isdisjoint(names) else _hidden(element, page)
        if hidden:
            yield element, "hidden" if hidden != "[aria-hidden=true]" else "aria-hidden", hidden
            continue
        if NAMING.isdisjoint(names) and element.tag not in rules.group_of_tag and "-" not in element.tag:
            continue  # nothing names it: no class, id, role or label, no tag of a vocabulary, no custom element
        found = _selector_match(element, rules)
        if found and page.discussion and found[0] == "comments":
            continue
        if found and found[0] in rules.text_chars and not _text_fits(page.length(element), *rules.text_chars[found[0]]):
            continue
        if (found and page.whole_page and found[0] in WHOLE_PAGE_KEEPS and found[1] not in rules.group_of_tag
                and not found[1].startswith("[role=")):
            continue
        if found and not _in_running_text(page, element):  # a "dateline" span opening a paragraph is the paragraph's
            yield element, f"selector:{found[0]}", found[1]


# --- phrase rules -------------------------------------------------------------------------------------------

def _in_running_text(page: _Page, element: HtmlElement) -> bool:
    """Is the element inline among words of its parent (so not a label of its own)? The answer is the
    parent's, kept for its other children: asked of each item of a long list, it read every item's tail."""
    parent = element.getparent()
    if parent is None:
        return False
    if parent not in page.running_text:
        page.running_text[parent] = bool((parent.text or "").strip()) or any(
            (child.tail or "").strip() for child in parent)
    return page.running_text[parent]


def _label(page: _Page, node: HtmlElement) -> HtmlElement:
    """The node with the wrappers around it that add no text of their own (never past a table cell)."""
    current = node
    parent = current.getparent()
    while parent is not None and parent not in page.protected and page.length(parent) == page.length(current) \
            and current.tag not in CELLS:
        current, parent = parent, parent.getparent()
    return current


def _box(page: _Page, node: HtmlElement, max_chars: int) -> HtmlElement | None:
    """The largest box around the node whose text stays under max_chars; never a bare paragraph."""
    current = _label(page, node)
    parent = current.getparent()
    while parent is not None and parent not in page.protected and page.length(parent) <= max_chars \
            and current.tag not in CELLS:
        current, parent = parent, parent.getparent()
    return None if current.tag in TEXT_LEVEL or current in page.protected else current


def _rank(element: HtmlElement) -> int:
    """The highest heading rank in the element (1 for h1), or 99 if it holds no heading."""
    if element.tag in LEVEL:
        return LEVEL[element.tag]
    return min((LEVEL[h.tag] for h in element.iter(*HEADINGS)), default=99)


def _first_text_child(page: _Page, parent: HtmlElement) -> HtmlElement | None:
    if visible_length(parent.text):
        return None
    return next((child for child in parent if page.length(child)), None)


def _section(page: _Page, node: HtmlElement) -> list[HtmlElement]:
    """A heading (or label) and what it leads: the block it opens, or its siblings up to the next heading."""
    label = _label(page, node)
    if _in_running_text(page, label) or label.tag in CELLS:
        return []  # words among other words, or a table's cell: "Comments" as a column is data
    level = min(_rank(label), LABEL_LEVEL) if _rank(label) == 99 else _rank(label)
    current = label
    parent = current.getparent()
    while (parent is not None and parent not in page.protected and _first_text_child(page, parent) is current
           and not any(_rank(sibling) <= level for sibling in parent if sibling is not current)):
        current, parent = parent, parent.getparent()
    if current is not label:
        return [current]
    # Flat layout: the label's following siblings up to the next heading of its rank. Inside the article,
    # a paragraph of prose ends the run too: the story goes on after a "Related" list.
    in_article = label.getparent() is page.hint
    run = [label]
    sibling = label.getnext()
    while sibling is not None and sibling not in page.protected and _rank(sibling) > level and \
            not (in_article and _is_prose(page, sibling)):
        run.append(sibling)
        sibling = sibling.getnext()
    return run


def _is_prose(page: _Page, element: HtmlElement) -> bool:
    return element.tag == "p" and page.length(element) >= PROSE_CHARS and _link_share(page, element, 0) < 0.5


def _link_share(page: _Page, block: HtmlElement, skip: int) -> float:
    links = sum(page.length(a) for a in block.iter("a"))
    return links / max(1, page.length(block) - skip)


def _lead_in(page: _Page, node: HtmlElement, phrase: str) -> list[HtmlElement]:
    """"Also read: <a>Other story</a>": the line, when the rest of it is mostly a link."""
    block = _label(page, node)
    while block.tag not in ("p", "li", "div", "section", "aside", "h2", "h3", "h4", "h5", "h6", "dd") and \
            block.getparent() is not None and block.getparent() not in page.protected:
        block = block.getparent()
    if block in page.protected or page.length(block) > LEAD_IN_LIMIT or _in_running_text(page, block):
        return []
    if _link_share(page, block, len(phrase.replace(" ", ""))) < LEAD_IN_LINK_SHARE:
        return []
    return [block]


def _owned(page: _Page, group, node: HtmlElement, phrase: str) -> list[HtmlElement]:
    if group.owns == "section":
        return _section(page, node)
    if group.owns == "box":
        box = _box(page, node, group.max_chars)
        return [box] if box is not None else []
    if group.owns == "paragraph":
        block = _label(page, node)
        if page.length(block) > group.max_chars:
            return []  # a long text that starts with the phrase is more than a promotion
        box = _box(page, node, group.max_chars)
        return [box] if box is not None else _paragraph(page, block)
    if group.owns == "label":
        label = _label(page, node)
        if label in page.protected:
            return []
        return _sentence_around(page, label) or [label]
    return _lead_in(page, node, phrase)


def _paragraph(page: _Page, block: HtmlElement) -> list[HtmlElement]:
    """A short paragraph of its own that the phrase starts: a promotion written as prose in the article."""
    return [] if block in page.protected or _in_running_text(page, block) else [block]


def _sentence_around(page: _Page, label: HtmlElement) -> list[HtmlElement]:
    """"<a>Gift this story</a> to a friend, who can read it free.": a short line that opens with the control
    is the control's; without it the rest would be a fragment."""
    block = label.getparent()
    if block is None or block in page.protected or block.tag not in ("p", "li") or (block.text or "").strip() \
            or block[0] is not label or not (label.tail or "").strip() or page.length(block) > LEAD_IN_LIMIT:
        return []
    return [block]


def _unmarked(element: HtmlElement, marked):
    """The element and its descendants in document order, skipping the subtrees marked for removal, as they are
    when the walk reaches them (the caller marks more as it goes). lxml walks; a marked subtree is gathered
    into `skipped` at C speed: half the time of a walk of our own that left them out."""
    skipped: set = set()
    for node in element.iter():
        if node in skipped:
            continue
        if node in marked:
            skipped.update(node.iter())
        elif isinstance(node.tag, str):
            yield node


@lru_cache(maxsize=8192)
def _label_match(text: str, whole_text: bool) -> tuple[str, tuple[str, str] | None]:
    """(normalized text, (group, phrase) or None): pages and sites repeat their labels ("Share", "Menu")."""
    normalized = normalize_text(text)
    return normalized, generic_rules().match_label(normalized, whole_text=whole_text)


def _phrase_marks(page: _Page, rules: GenericRules, marked: set):
    lead_in = rules.phrase_group("lead_in")
    for node in _unmarked(page.body, marked):
        length = page.length(node)
        parent = node.getparent()
        if not length or length > START_TEXT_LIMIT or (parent is not None and page.length(parent) == length):
            continue  # no text, too long to be a label, or not the outermost element with this text
        label = node.text_content()[:LOOKED_AT_CHARS]
        text, found = _label_match(label, length <= PHRASE_TEXT_LIMIT)
        if found:
            group, phrase = rules.phrase_group(found[0]), found[1]
        elif length <= LEAD_IN_LIMIT and (lead := lead_in.lead.match(text)):
            group, phrase = lead_in, lead.group(0)
        elif page.discussion and length <= POST_NUMBER_CHARS and POST_NUMBER.fullmatch(number := label.strip()):
            group, phrase = rules.phrase_group("page_chrome"), number
        else:
            continue
        if page.discussion and group.name == "comments" and _rank(_label(page, node)) < 99:
            continue  # a forum thread's "Comments" heading leads its replies, which are the content; its "Reply" goes
        for element in _owned(page, group, node, phrase):
            yield element, f"phrase:{group.name}", phrase


# --- the sweep ----------------------------------------------------------------------------------------------

def remove_clutter(root: HtmlElement, site_marks, title: str | None, options, *,
                   discussion: bool = False, whole_page: bool = False) -> Decluttered:
    """Removes clutter from the page in place; says what went and why, and where the article seems to be.

    Order matters: the title heading is safe from every rule; selector rules mark containers; the article
    hint is then the densest paragraphs outside them, and it and its ancestors are safe from phrase rules.
    """
    body = root.find("body")
    if body is None:
        return Decluttered()
    lengths = text_lengths(body)
    page = _Page(body, lengths, {body, root} | _with_ancestors(_title_heading(body, title)), discussion=discussion,
                 whole_page=whole_page)
    page.protected |= corrections.kept(root, options.keep)  # what the reader asked to keep
    rules = generic_rules() if options.clutter_rules else None
    marks: dict = {}
    for element, rule, match in [*site_marks, *(_selector_marks(page, rules) if rules else ())]:
        if element not in page.protected:
            marks.setdefault(element, (rule, match))
    for element in _holding_most_paragraphs(body, lengths, marks):
        # and the wrappers around it that carry the same unlucky word ("newsletter-content" in a
        # "newsletter-wrapper"); a wrapper marked otherwise (a consent box around a dialog) still goes
        group = marks.pop(element)[0]
        for wrapper in element.iterancestors():
            if marks.get(wrapper, (group,))[0] != group:
                break
            marks.pop(wrapper, None)
    # If every paragraph is inside marked containers, the article is in one of them (a "modal" reader view).
    declared = [value.getparent() for value in ITEMPROPS(body) if value == "articleBody"]
    hint = _article_hint(body, lengths, marks, declared)
    if hint is None:
        hint = _article_hint(body, lengths, (), declared)
    page.protected |= _with_ancestors(hint)
    page.hint = hint
    marks = {e: m for e, m in marks.items() if e not in page.protected}
    if rules:
        for element, rule, match in _phrase_marks(page, rules, marks):
            if element not in page.protected:
                marks.setdefault(element, (rule, match))

    chosen = [(e, rule, match) for e, (rule, match) in marks.items()
              if not any(a in marks for a in e.iterancestors())]
    total = page.length(body)
    removed_chars = sum(page.length(e) for e, _, _ in chosen)
    if chosen and total - removed_chars < max(total * BACKUP_KEEP_SHARE, min(total * 0.5, BACKUP_KEEP_CHARS)):
        note = f"rules would have removed {removed_chars} of {total} characters"
        return Decluttered([Removal.of("backup", "restored", note)], hint)
    removed = [Removal.of(rule, match, e.text_content()[:400]) for e, rule, match in chosen]
    for index, (element, _, _) in enumerate(chosen):
        restorable.take_out(element, index, marker=options.removed_html and not whole_page)
    return Decluttered(removed, hint, [e for e, _, _ in chosen])
