"""The generic clutter vocabularies of generic.toml, validated and compiled once.

A typo in the file is an error at load time, never a rule that silently matches nothing.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GENERIC_RULES = Path(__file__).with_name("generic.toml")
LANGUAGES = frozenset({"en", "de", "fr", "es", "it", "pt", "nl", "ja", "zh", "ko"})
OWNERSHIPS = frozenset({"section", "box", "label", "lead_in", "paragraph"})
WILDCARD = r"(?:\S++ ?){0,4}?"  # "*" is a few words, a name: "more from *" is "More from The Verge", no sentence
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Punctuation, symbols and counts around a label: "Comments (12)", "» Related:", "Share —".
_EDGE = re.compile(r"[\W_\d]+")
_ASCII_EDGE = "".join(c for c in map(chr, range(128)) if _EDGE.fullmatch(c))


class RuleError(ValueError):
    pass


def normalize_text(text: str) -> str:
    """Case-folded, NFKC, single-spaced text without surrounding punctuation or counts."""
    if text.isascii():  # most labels: NFKC and the quotes change nothing, case folding is lowering, and every
        return " ".join(text.lower().split()).strip(_ASCII_EDGE)  # character but a letter is an edge's
    text = " ".join(unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").casefold().split())
    # Each edge matched from its own end (the tail on the reversed text): a pattern anchored at the end
    # would be tried at every character.
    head, tail = _EDGE.match(text), _EDGE.match(text[::-1])
    return text[head.end() if head else 0:len(text) - tail.end() if tail else None]


def class_words(value: str) -> str:
    """"relatedPosts sidebar_ad" -> "-related-posts-sidebar-ad-": words joined by dashes, for run matching."""
    return "-" + "-".join(word_list(value)) + "-"


def word_list(value: str) -> list[str]:
    """"relatedPosts sidebar_ad" -> ["related", "posts", "sidebar", "ad"]; [""] when it has no words."""
    lowered = value.lower()
    if lowered != value:  # a capital: camelCase words are split first
        lowered = _CAMEL.sub("-", value).lower()
    words = _NOT_WORD.split(lowered)
    return words[words[0] == "":len(words) - (words[-1] == "" and len(words) > 1)] or [""]


def names_text(identifier: str | None, text: str) -> bool:
    """Is the id an anchor made from the text's words ("h-why-use-social-shopping" for "Why use social
    shopping?", "sharing" for "Sharing with others")? Such an id says where a heading is, not what it is."""
    if not identifier:
        return False
    named, said = class_words(identifier), class_words(text)
    return len(said) > 2 and (named in said or said in named)  # "-" is no words


def names_its_heading(element) -> bool:
    """Is the element's id made from its first heading's words ("sharing-with-others" for a section headed
    "Sharing with others")? Such an id names the text, not a kind of block."""
    identifier = element.get("id")
    heading = next(element.iter("h1", "h2", "h3", "h4", "h5", "h6"), None) if identifier else None
    return heading is not None and names_text(identifier, heading.text_content())


@dataclass(frozen=True)
class PhraseGroup:
    name: str
    owns: str
    max_chars: int
    literals: frozenset  # the whole-text phrases without a wildcard, normalized: a set lookup finds them
    start: re.Pattern | None  # phrases ending in "*": the start of a longer text
    by_language: dict  # language -> (whole, start) patterns, for tests and diagnostics
    lead: re.Pattern | None  # owns = "lead_in": the phrase, then a colon or dash, then the rest of the line


@dataclass(frozen=True)
class SelectorGroup:
    name: str
    words: tuple[str, ...]  # runs of class words, dash-joined as class_words() writes them
    roles: frozenset
    tags: frozenset
    text_chars: tuple[int, int | None]  # the text an element it names holds, at least and at most (None: any)


@dataclass(frozen=True)
class GenericRules:
    phrases: tuple[PhraseGroup, ...]
    selectors: tuple[SelectorGroup, ...]
    # The selector groups folded into lookups made once: one pass over the page asks each element once.
    group_of_tag: dict
    group_of_role: dict
    text_chars: dict  # group -> (at least, at most) characters of text in an element the group names
    runs_by_first_word: dict  # first word -> [(order, group, run as a list of words)] of every group's runs
    start: re.Pattern  # every phrase group's start-of-text phrases, named by group
    exact: dict  # normalized phrase without wildcard -> group name (most labels are found here)
    wild: re.Pattern  # the whole-text phrases with a wildcard, named by group
    # Each of them starts with one of these words, or else ends with one of those: a test at C speed
    # before the pattern, whose leading wildcards are tried word by word.
    wild_starts: tuple[str, ...]
    wild_ends: tuple[str, ...]

    def match_words(self, words: str | list[str]) -> tuple[str, str] | None:
        """(group, run) for the leftmost run of a vocabulary in class_words() (or word_list()) output; at one
        place, the run listed first. Lookups by word: an alternation of every run, a regex of a thousand
        branches tried at every dash, took longer."""
        split = words.strip("-").split("-") if isinstance(words, str) else words
        for start, word in enumerate(split):
            runs = self.runs_by_first_word.get(word)
            if runs:
                found = [(order, group, run) for order, group, run in runs if split[start:start + len(run)] == run]
                if found:
                    order, group, run = min(found)
                    return group, "-".join(run)
        return None

    def phrase_group(self, name: str) -> PhraseGroup:
        return next(g for g in self.phrases if g.name == name)

    def match_label(self, text: str, whole_text: bool) -> tuple[str, str] | None:
        """(group, phrase) for a normalized text: whole-text phrases only when `whole_text` (a short label),
        then the start-of-text ones."""
        if whole_text:
            if text in self.exact:
                return self.exact[text], text
            found = (text.startswith(self.wild_starts) or text.endswith(self.wild_ends)) and self.wild.match(text)
            if found:
                return found.lastgroup, found.group(0)
        found = self.start.match(text)
        return (found.lastgroup, found.group(0)) if found else None


def _wild_edges(phrases: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The literal start of each whole-text phrase with a wildcard, or its literal end when it starts with one."""
    starts, ends = set(), set()
    for phrase in phrases:
        parts = phrase.split("*")
        first, last = normalize_text(parts[0]), normalize_text(parts[-1])
        if not first and not last:
            raise RuleError(f"{phrase!r}: a phrase needs words besides its wildcards")
        if first:
            starts.add(first)
        else:
            ends.add(last)
    return tuple(sorted(starts)), tuple(sorted(ends))


def _literals(phrases: list[str]) -> frozenset:
    return frozenset(normalize_text(p) for p in phrases if "*" not in p)


def _phrase_regex(phrases: list[str]) -> tuple[re.Pattern | None, re.Pattern | None]:
    whole, start = [], []
    for phrase in phrases:
        prefix = phrase.endswith("*") and not phrase.endswith(" *")
        body = normalize_text(phrase.rstrip("*")) if prefix else phrase
        if not prefix:
            # normalize the literal parts only, keeping "*" as the wildcard
            body = " * ".join(normalize_text(part) for part in phrase.split("*")).strip()
        pattern = re.escape(body).replace(r"\*", WILDCARD).replace(r"\ " + WILDCARD, " ?" + WILDCARD)
        pattern = pattern.replace(WILDCARD + r"\ ", WILDCARD + " ?")
        (start if prefix else whole).append(pattern)
    compile_ = lambda items, tail: re.compile("(?:" + "|".join(items) + ")" + tail) if items else None  # noqa: E731
    return compile_(whole, r"\Z"), compile_(start, "")


def _strings(value, where: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(f"{where} must be a non-empty list of non-empty strings")
    return value


def _phrase_group(name: str, table: dict) -> PhraseGroup:
    where = f"phrases.{name}"
    unknown = set(table) - LANGUAGES - {"owns", "max_chars"}
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)} (languages: {sorted(LANGUAGES)})")
    owns = table.get("owns")
    if owns not in OWNERSHIPS:
        raise RuleError(f"{where}.owns must be one of {sorted(OWNERSHIPS)}, not {owns!r}")
    if "en" not in table:
        raise RuleError(f"{where} needs English phrases (en)")
    max_chars = table.get("max_chars", 0)
    if not isinstance(max_chars, int) or (owns in ("box", "paragraph")) != (max_chars > 0):
        raise RuleError(f"{where}.max_chars: a positive integer for owns = 'box' or 'paragraph', and only there")
    languages = {lang: _strings(table[lang], f"{where}.{lang}") for lang in sorted(LANGUAGES & set(table))}
    every = [p for phrases in languages.values() for p in phrases]
    _, start = _phrase_regex(every)
    by_language = {lang: _phrase_regex(phrases) for lang, phrases in languages.items()}
    lead = None
    if owns == "lead_in":
        lead = re.compile("(?:" + "|".join(re.escape(normalize_text(p)) for p in every) + r")\s*[:：\-–—|»›>]+\s*\w")
    return PhraseGroup(name, owns, max_chars, _literals(every), start, by_language, lead)


def _selector_group(name: str, table: dict) -> SelectorGroup:
    where = f"selectors.{name}"
    unknown = set(table) - {"words", "roles", "tags", "min_chars", "max_chars"}
    if unknown or not set(table) & {"words", "roles", "tags"}:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}" if unknown else f"{where} names nothing")
    least, most = table.get("min_chars", 0), table.get("max_chars")
    if not isinstance(least, int) or least < 0 or not (most is None or isinstance(most, int) and most >= least):
        raise RuleError(f"{where}: min_chars and max_chars are counts of characters, min_chars <= max_chars")
    words = [class_words(w).strip("-") for w in _strings(table["words"], f"{where}.words")] if "words" in table else []
    roles = frozenset(_strings(table["roles"], f"{where}.roles")) if "roles" in table else frozenset()
    tags = frozenset(_strings(table["tags"], f"{where}.tags")) if "tags" in table else frozenset()
    return SelectorGroup(name, tuple(words), roles, tags, (least, most))


def parse_rules(data: dict) -> GenericRules:
    unknown = set(data) - {"phrases", "selectors"}
    if unknown:
        raise RuleError(f"unknown top-level keys {sorted(unknown)}")
    phrases = data.get("phrases") or {}
    selectors = data.get("selectors") or {}
    if not phrases or not selectors:
        raise RuleError("both [phrases.*] and [selectors.*] groups are required")
    groups = tuple(_selector_group(name, table) for name, table in selectors.items())
    phrase_groups = tuple(_phrase_group(name, table) for name, table in phrases.items())
    folded = lambda attr: re.compile("|".join(  # noqa: E731
        f"(?P<{g.name}>{getattr(g, attr).pattern})" for g in phrase_groups
        if g.owns != "lead_in" and getattr(g, attr) is not None))
    named = [g for g in phrase_groups if g.owns != "lead_in"]
    wild = {g.name: [p for lang in LANGUAGES & set(phrases[g.name]) for p in phrases[g.name][lang] if "*" in p]
            for g in named}
    wild_whole = {name: _phrase_regex(items)[0] for name, items in wild.items()}
    starts, ends = _wild_edges([p for items in wild.values() for p in items
                                if not (p.endswith("*") and not p.endswith(" *"))])
    runs = {}
    for order, (group, words) in enumerate((g.name, words) for g in groups for words in g.words):
        runs.setdefault(words.split("-")[0], []).append((order, group, words.split("-")))
    return GenericRules(
        phrases=phrase_groups,
        start=folded("start"),
        exact={literal: g.name for g in reversed(named) for literal in g.literals},
        wild=re.compile("|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in wild_whole.items()
                                 if pattern is not None)),
        wild_starts=starts,
        wild_ends=ends,
        selectors=groups,
        group_of_tag={tag: g.name for g in reversed(groups) for tag in g.tags},
        group_of_role={role: g.name for g in reversed(groups) for role in g.roles},
        text_chars={g.name: g.text_chars for g in groups if g.text_chars != (0, None)},
        runs_by_first_word=runs,
    )


@cache
def generic_rules() -> GenericRules:
    with GENERIC_RULES.open("rb") as handle:
        return parse_rules(tomllib.load(handle))
