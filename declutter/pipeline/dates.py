"""Dates as ISO 8601: "2025-01-17", or "2025-01-17T09:30:00+01:00" when the page gives a time.

Structured values (JSON-LD, <meta>, <time datetime>) are read as ISO 8601, keeping the time and its offset
("Z" becomes "+00:00"; a time the page gives without an offset stays without one); a site rule's date, which
is text from the page, is read as ISO or else as free text. A structured date the page never shows its readers
gives way to the day written by its headline ("Aug 19, 2025 · 4 min read"), unless that day is labelled as an
update. Last of all, a day the text labels ("Posted on Nov 21, 2018", "Last updated: November 13, 2025").
No guess from the rest of the page: on the pages that name no date, such a guess was mostly a copyright year,
a review's or a price's day (docs/pipeline.md, "Dates").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from html import escape

import htmldate
from htmldate import extractors as htmldate_extractors

ISO = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})"  # the date, extended or basic
    r"(?:[T\s]+(\d{2}):?(\d{2})(?::?(\d{2}))?(?:[.,]\d+)?"  # a time, its fraction dropped
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?"  # and its offset
    r"(?=$|[^\d:])", re.I)
ISO_DAY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
EARLIEST_YEAR = 1990
FREE_TEXT_MAX = 100  # longer text is not a date field
WRITTEN_DAY_CHARS = 30  # "Wednesday, September 17th, 2025": the day and month before the year
BEFORE_HEADING, AFTER_HEADING = 100, 300  # characters of text around the headline where a byline's date sits
UPDATE_LABEL = re.compile(r"(?:updated|modified|edited|revised)\W{0,3}(?:on|at)?\W{0,3}$", re.I)
MEMBER_LABEL = re.compile(r"\b(?:joined|join date|member since|founded)\b", re.I)
LABEL_CHARS = 30  # "Last updated on: " and what separates it from the day
DATE_LABEL = re.compile(r"\b(?:published|posted|updated|modified)(?: on| at)?\b:?", re.I)
PUBLISHED_LABEL = re.compile(r"\b(?:published|posted)(?: on)?\b:?", re.I)
LABELLED_DAY_CHARS = 40  # "Wednesday, September 17th, 2025" after its label
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# A day written with its month's name, the month before or after the day: "Dec. 12, 2025", "12th of December 2025".
NAMED_DAY = (r"(?P<month>{month})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})"
             r"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month2>{month}),?\s+(?P<year2>\d{{4}})")
# Whether the page writes a day for people, read in one pass and compared with the day sought: a month's name
# by its first three letters ("novembre" and "Sept." too), or numbers ("8/19/2025" month first, "19/08/2025"
# and "19.08.2025" day first). Digit lookarounds, not \b: the page's text runs "Sep 4, 2025The story" together.
WRITTEN_DAY = re.compile(
    r"(?<!\d)(?:" + NAMED_DAY.format(month=r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?")
    + r"|(?P<first>\d{1,2})(?P<sep>[/.])(?P<second>\d{1,2})[/.](?P<year3>\d{4}))(?!\d)", re.I)
# Which day free text writes (by the headline, after a label), where numbers alone are ambiguous: an English
# month's name, whole or cut short.
DAY_IN_TEXT = re.compile(r"(?<!\w)(?:" + NAMED_DAY.format(
    month=r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?") + r")(?!\d)", re.I)


def _offset(text: str) -> timezone | None:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_iso(value: str | None) -> str | None:
    """An ISO 8601 date or date-time at the start of `value`, normalised; None if there is none."""
    match = ISO.match(value or "")
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        day_of = date(int(year), int(month), int(day))
        if not EARLIEST_YEAR <= day_of.year <= date.today().year + 1:
            return None
        if hour is None:
            return day_of.isoformat()
        moment = datetime(day_of.year, day_of.month, day_of.day, int(hour), int(minute), int(second or 0),
                          tzinfo=_offset(offset) if offset else None)
    except ValueError:
        return None
    return moment.isoformat()


def parse_text(value: str | None) -> str | None:
    """A date written for people ("Jan 17, 2025", "17.01.2025", "01/07/16") as YYYY-MM-DD, or None."""
    value = " ".join((value or "").split())
    if not value or len(value) > FREE_TEXT_MAX or not re.search(r"\d", value):
        return None
    found = htmldate.find_date(f"<html><body><time>{escape(value)}</time></body></html>", extensive_search=False,
                               original_date=True)
    return parse_iso(found)


def normalise(value: str | None) -> str | None:
    """A date field's value as ISO 8601: read as ISO first, then as text; None when neither reads. A value
    written as an ISO date that is not a real one ("2025-02-30") is not guessed at."""
    if ISO_DAY.match(value or ""):
        return parse_iso(value)
    return parse_text(value)


def first_iso(*values: str | None) -> str | None:
    """The first of `values` that reads as an ISO 8601 date, normalised. Structured fields only: free text
    in them ("Jun 24, 2025" in a JSON-LD datePublished) was less often the page's date than the day the page
    shows or labels."""
    return next((found for found in map(parse_iso, values) if found), None)


def _written_days(text: str, iso_day: str, start: int = 0, end: int | None = None):
    """Where `text` (from `start` to `end`) writes the day for people: "Aug 19, 2025", "19 August 2025",
    "8/19/2025", "19.08.2025"."""
    day_of = date.fromisoformat(iso_day[:10])
    sought = (day_of.strftime("%b").lower(), day_of.day, day_of.year)
    for found in WRITTEN_DAY.finditer(text, start, len(text) if end is None else end):
        month, day, year, first, second, separator = found.group("month", "day", "year", "first", "second", "sep")
        if month or found["month2"]:
            written = ((month or found["month2"])[:3].lower(), int(day or found["day2"]), int(year or found["year2"]))
            if written == sought:
                yield found
        elif int(found["year3"]) == day_of.year and ((int(first), int(second)) == (day_of.day, day_of.month) or (
                separator == "/" and (int(first), int(second)) == (day_of.month, day_of.day))):
            yield found


def _shows(page_text: str, iso_day: str) -> bool:
    """Whether the text writes the day for people. The pattern is tried only just before each of the year's
    occurrences: run over a whole page (scripts included), it costs as much as the rest of the metadata."""
    year = iso_day[:4]
    at = page_text.find(year)
    while at >= 0:
        if next(_written_days(page_text, iso_day, max(0, at - WRITTEN_DAY_CHARS), at + len(year) + 1), None):
            return True
        at = page_text.find(year, at + len(year))
    return False


def as_shown(published: str | None, page_text: str, headlines: list[str]) -> str | None:
    """The publication date as the page shows it to its readers. A structured date that the page's text never
    shows (a CMS's first draft, a stale template value) gives way to the day written by the headline ("Aug 19,
    2025 · 4 min read"), else to a day labelled "Published" anywhere; but not to a day labelled as the page's
    update ("Updated Jul 24, 2018"): that is the modification date, and the field knows when the page came out.
    `headlines`: the page's <h1> and its title, tried in turn (a blog's <h1> may be a section's)."""
    if published and _shows(page_text, published):
        return published
    for headline in headlines:
        window = _by_headline(page_text, headline)
        if near := _day_in(window):
            if published and (published[:10] == near or _labelled_update(window, near)):
                return published  # the field keeps its time
            return near
    return published and (labelled(page_text, PUBLISHED_LABEL) or published)


def labelled(page_text: str, labels: re.Pattern = DATE_LABEL) -> str | None:
    """The first day the text labels as its publication or update ("Posted on Nov 21, 2018", "Last updated:
    November 13, 2025"), wherever it sits: the date of last resort, when nothing else gave one."""
    for label in labels.finditer(page_text):
        if found := _day_in(page_text[label.end():label.end() + LABELLED_DAY_CHARS]):
            return found
    return None


def _by_headline(page_text: str, headline: str) -> str:
    """The text just above and under the headline, where a byline line gives its date; in a forum thread, up
    to the first poster's "Joined"/"Founded" line, whose day is the member's, not the page's."""
    start = page_text.find(headline)
    if start < 0:
        return ""
    return MEMBER_LABEL.split(page_text[max(0, start - BEFORE_HEADING):start + len(headline) + AFTER_HEADING], 1)[0]


def _day_in(text: str) -> str | None:
    """The first day written in `text`: an English month's name with the day and year ("Dec. 12, 2025", "12th
    of December 2025"), unless htmldate's patterns read one before it (French, German and Turkish months too:
    "12. Dezember 2025"). Numbers alone are left alone: "12/08/2025" is ambiguous, and an ISO day in running
    text is a "last modified 2026-01-26" stamp more often than the publication."""
    if not text:
        return None
    ours = next(filter(None, map(_named_day, DAY_IN_TEXT.finditer(text))), None)
    before = text[:ours[1]] if ours else text
    found = htmldate_extractors.regex_parse(before) if before else None
    return parse_iso(found.date().isoformat()) if found else ours and ours[0]


def _named_day(found: re.Match) -> tuple[str, int] | None:
    """(YYYY-MM-DD, where it starts) of a DAY_IN_TEXT match that is a real day."""
    month = MONTHS.index((found["month"] or found["month2"])[:3].lower()) + 1
    try:
        day = date(int(found["year"] or found["year2"]), month, int(found["day"] or found["day2"])).isoformat()
    except ValueError:
        return None
    return (day, found.start()) if parse_iso(day) else None


def _labelled_update(window: str, iso_day: str) -> bool:
    """Whether the day is written in `window` right after an update label ("Last updated:", "Updated on")."""
    found = next(_written_days(window, iso_day), None)
    return bool(found and UPDATE_LABEL.search(window, max(0, found.start() - LABEL_CHARS), found.start()))
