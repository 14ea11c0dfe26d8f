"""published_time and modified_time are always ISO 8601 or None, whatever form the page states them in."""

import re
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from declutter.pipeline import dates
from declutter.pipeline.metadata import read_metadata

PAGES = Path(__file__).parent / "pages"
API_DOC = Path(__file__).parents[1] / "docs" / "api.md"
DOC_DATE = re.compile(r'"(published_time|modified_time)":\s*"([^"]*)"')
URL = "https://news.example/2025/story"


def meta_of(head: str = "", body: str = ""):
    page = f"<html><head><title>A story</title>{head}</head><body><h1>A story</h1>{body}</body></html>"
    return read_metadata(lxml.html.document_fromstring(page), URL)


def test_iso_date_time_keeps_its_offset():
    meta = meta_of('<meta property="article:published_time" content="2025-01-17T09:30:00+01:00">')
    assert meta.published_time == "2025-01-17T09:30:00+01:00"


def test_z_becomes_utc_offset_and_fractions_go():
    meta = meta_of('<meta property="article:published_time" content="2025-01-17T09:30:00.123Z">')
    assert meta.published_time == "2025-01-17T09:30:00+00:00"


def test_free_text_in_a_time_element_becomes_a_date():
    meta = meta_of(body="<p>By Jo Roe</p><time>Jan 17, 2025</time><p>The story.</p>")
    assert meta.published_time == "2025-01-17"


def test_json_ld_published_and_modified():
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A story", '
          '"datePublished": "2024-03-05T08:00:00-05:00", "dateModified": "2024-03-06"}</script>')
    meta = meta_of(ld)
    assert (meta.published_time, meta.modified_time) == ("2024-03-05T08:00:00-05:00", "2024-03-06")


LD_DATES = ('<script type="application/ld+json">{"@type": "Article", "headline": "A story", '
            '"datePublished": "2024-04-10", "dateModified": "2025-09-04"}</script>')


def test_a_page_showing_another_day_than_its_field_is_published_on_the_shown_day():
    meta = meta_of(LD_DATES, "<p>By Jo Roe · Sep 4, 2025 · 4 min read</p><p>The story.</p>")
    assert (meta.published_time, meta.modified_time) == ("2025-09-04", "2025-09-04")


@pytest.mark.parametrize("label", ["Last updated:", "Updated", "Updated on", "Modified"])
def test_a_shown_update_is_not_the_publication(label):
    meta = meta_of(LD_DATES, f"<p>By Jo Roe · {label} Sep 4, 2025</p><p>The story.</p>")
    assert (meta.published_time, meta.modified_time) == ("2024-04-10", "2025-09-04")


def test_json_ld_publication_comes_before_the_meta_tag():
    """Readability.js's order: the JSON-LD article's own date over a template's <meta>."""
    head = '<meta property="article:published_time" content="2024-04-12T10:00:00Z">' + LD_DATES
    assert meta_of(head, "<p>No date shown here.</p>").published_time == "2024-04-10"


@pytest.mark.parametrize("shown", ["Published April 10, 2024 · Updated Sep 4, 2025", "No date shown here."])
def test_a_page_showing_its_first_date_or_none_keeps_the_publication(shown):
    meta = meta_of(LD_DATES, f"<p>By Jo Roe · {shown}</p><p>The story.</p>")
    assert (meta.published_time, meta.modified_time) == ("2024-04-10", "2025-09-04")


@pytest.mark.parametrize("line, day", [("Dec 12, 2025 · 4 min read", "2025-12-12"),
                                       ("Jo Roe Dec. 12, 2025 -- 4 min read", "2025-12-12"),  # AP style
                                       ("Sept. 3, 2025 at 9:30", "2025-09-03"),
                                       ("Le 3 mars 2024 à 15:20", "2024-03-03"),  # htmldate's patterns
                                       ("Jo Roe 12 Dec 2025, then Nov. 2, 2025", "2025-12-12")])  # the first day
def test_a_date_under_the_headline_is_read_when_no_field_has_one(line, day):
    meta = meta_of(body=f"<p>Back to blog</p><div>{line}</div><p>The story begins.</p>")
    assert meta.published_time == day


def test_the_title_finds_the_date_when_the_h1_is_a_sections():
    page = ("<html><head><title>Advent of Code, week 2</title></head><body><p>A blog</p><h2>Advent of Code, week 2"
            "</h2><p>20 December 2025</p><p>" + "The puzzles went well. " * 30 + "</p><h1>Conclusions</h1>"
            "<p>Good fun.</p></body></html>")
    assert read_metadata(lxml.html.document_fromstring(page), URL).published_time == "2025-12-20"


def test_a_posters_join_date_is_not_the_threads():
    meta = meta_of(body="<p>Outer Senator Posts: 4032 Founded: Dec 11, 2021</p><p>Reply with quote</p>")
    assert meta.published_time is None


def test_a_day_labelled_published_replaces_a_field_the_page_never_shows():
    story = "<p>" + "The story goes on. " * 40 + "</p><p>Published August 13, 2025</p>"
    assert meta_of(LD_DATES, story).published_time == "2025-08-13"


def test_a_date_far_from_the_headline_is_not_the_page_date():
    story = "<p>" + "The story goes on. " * 40 + "</p><p>Our sale ends Dec 12, 2025.</p>"
    assert meta_of(body=story).published_time is None


@pytest.mark.parametrize("line, day", [("Last updated: November 13, 2025", "2025-11-13"),
                                       ("Posted on Nov 21, 2018 Updated at Dec 10, 2025", "2018-11-21")])
def test_a_labelled_day_anywhere_is_the_date_of_last_resort(line, day):
    story = "<p>" + "The story goes on. " * 40 + f"</p><p>{line}</p>"
    assert meta_of(body=story).published_time == day


REVIEWED = ("<p>" + "The kettle boils fast. " * 40
            + "</p><div class='review'><span class='date'>2019-05-02</span> Good.</div>")


def test_a_day_nothing_names_as_the_pages_is_no_date():
    """A page that gives no date field and labels no day has no date: the first day in its markup is a review's,
    a price's or a copyright year's far more often than the page's own."""
    assert meta_of(body=REVIEWED).published_time is None


def test_a_labelled_day_on_a_page_of_reviews_is_its_date():
    assert meta_of(body=REVIEWED + "<p>Published August 13, 2025</p>").published_time == "2025-08-13"


def test_garbage_date_text_gives_none():
    meta = meta_of('<meta property="article:published_time" content="sometime last week">',
                   "<time datetime='soon'>not a date</time><p>No dates anywhere here.</p>")
    assert (meta.published_time, meta.modified_time) == (None, None)


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-01-17", "2025-01-17"),
    ("2025-01-17 09:30", "2025-01-17T09:30:00"),
    ("2025-01-17T09:30:00+0530", "2025-01-17T09:30:00+05:30"),
    ("17 January 2025", "2025-01-17"),
    ("2025-02-30", None),
    ("", None),
    (None, None),
])
def test_normalise(value, expected):
    assert dates.normalise(value) == expected


def golden_dates():
    """The golden pages' dates, and those of the replies shown in the API documentation."""
    for source in sorted(PAGES.glob("*/source.html")):
        meta = read_metadata(lxml.html.document_fromstring(source.read_bytes()), None)
        yield source.parent.name, meta.published_time, meta.modified_time
    for number, (field, value) in enumerate(DOC_DATE.findall(API_DOC.read_text(encoding="utf-8"))):
        yield f"api.md:{field}:{number}", value, None


@pytest.mark.parametrize(("case", "published", "modified"), list(golden_dates()))
def test_golden_page_dates_parse(case, published, modified):
    for value in (published, modified):
        if value is not None:
            datetime.fromisoformat(value)


def test_reading_the_date_leaves_the_page_whole():
    """Reading the metadata (no date field, a day in the text) changes nothing in the page the rest of the
    pipeline reads: its videos, pictures and scripts stay."""
    page = ("<html><head><title>A story</title></head><body><h1>A story</h1><p>The story.</p>"
            "<video src='v.mp4'></video><picture><img src='a.jpg'></picture><svg><circle/></svg>"
            "<p>Filed 2019-05-02 under news.</p></body></html>")
    root = lxml.html.document_fromstring(page)
    before = lxml.html.tostring(root)
    read_metadata(root, URL)
    assert lxml.html.tostring(root) == before
