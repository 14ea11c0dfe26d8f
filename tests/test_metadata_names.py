"""Titles and bylines as a reader sees them on the page: the page's own heading, the writers' names only."""

import pytest

from declutter.pipeline import decode
from declutter.pipeline.metadata import read_metadata


def meta_of(head: str, body: str = "", url="https://tidings.example/2025/harbour-lights", lang=""):
    page = f"<html lang='{lang}'><head>{head}</head><body>{body}</body></html>"
    return read_metadata(decode.parse(page), url)


# --- titles ---------------------------------------------------------------------------------------------------

def test_title_entities_escaped_twice_are_decoded():
    meta = meta_of('<meta property="og:title" content="Tom &amp;amp; Jerry&amp;#8217;s long summer">')
    assert meta.title == "Tom & Jerry’s long summer"


def test_the_heading_wins_over_a_title_that_adds_the_site_name():
    head = '<meta property="og:title" content="Tidings: Harbour lights return"><meta property="og:site_name" ' \
           'content="Tidings">'
    assert meta_of(head, "<h1>Harbour lights return¶</h1>").title == "Harbour lights return"


def test_a_heading_that_links_to_the_home_page_is_the_logo_not_the_headline():
    body = '<header><h1><a href="/">Seaside Post</a></h1></header><h2>Other news</h2>'
    meta = meta_of("<title>Tidal power grows along the northern coast | Seaside Post</title>", body)
    assert meta.title == "Tidal power grows along the northern coast"


def test_a_headline_linking_to_its_own_page_is_still_the_headline():
    body = '<h1><a href="/2025/harbour-lights">Harbour lights return</a></h1>'
    assert meta_of("<title>Tidings: Harbour lights return</title>", body).title == "Harbour lights return"


# --- bylines --------------------------------------------------------------------------------------------------

def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


@pytest.mark.parametrize("author, expected", [
    ("By Mara Ilves, Senior Correspondent", "Mara Ilves"),
    ("Written by: Jonas Berg", "Jonas Berg"),
    ("Staff", None),
    ("Admin", None),
    ("Sat, 20 Dec 2025", None),
    ("Автор: Иван Петров", "Иван Петров"),
    ("作者：王小明", "王小明"),
    ("글 홍길동", "홍길동"),
])
def test_byline_is_the_name_alone(author, expected):
    assert meta_of(f'<meta name="author" content="{author}">').byline == expected


def test_several_writers_are_joined_and_placeholders_left_out():
    people = '{"@type": "NewsArticle", "headline": "H", "author": [{"@type": "Person", "name": "Mara Ilves"}, ' \
             '{"@type": "Person", "name": "By Jonas Berg"}, {"@type": "Person", "name": "Staff"}, ' \
             '{"@type": "Person", "name": "Mara Ilves"}]}'
    assert meta_of(ld(people)).byline == "Mara Ilves, Jonas Berg"


def test_a_person_shown_on_the_page_wins_over_the_company_declared_as_author():
    company = '{"@type": "BlogPosting", "headline": "H", "author": {"@type": "Organization", "name": "Tidings"}}'
    body = '<div class="post-meta"><span class="authorName">Mara Ilves</span></div>'
    assert meta_of(ld(company), body).byline == "Mara Ilves"
    assert meta_of(ld(company)).byline == "Tidings"  # no one else is named: the company is better than nothing


def test_an_author_box_gives_its_name_not_its_label_or_bio():
    body = ('<div class="author-box">Columns <span class="author-box__name">Jonas Berg</span> '
            '<p class="author-box__bio">writes about the sea and the people who work on it.</p></div>')
    assert meta_of("", body).byline == "Jonas Berg"


def test_a_by_line_under_the_headline():
    body = "<h1>Harbour lights return</h1><p>By Mara Ilves</p><p>The lights came back on Tuesday night.</p>"
    assert meta_of("<title>Harbour lights return</title>", body).byline == "Mara Ilves"


def test_a_forum_thread_is_bylined_by_its_first_poster():
    thread = ('{"@type": "WebPage", "mainEntity": {"@type": "DiscussionForumPosting", "headline": "Pump noise?", '
              '"author": {"@type": "Person", "name": "reefkeeper22"}}}')
    body = ('<aside><a class="username" href="/u/1">latestposter</a></aside>'
            '<article><a class="username" href="/u/2">reefkeeper22</a><p>My pump hums.</p></article>'
            '<article><a class="username" href="/u/3">helper</a><p>Clean the impeller.</p></article>')
    assert meta_of(ld(thread), body).byline == "reefkeeper22"


def test_a_forum_without_structured_data_is_bylined_by_the_first_username():
    body = ('<div class="post"><dl class="postprofile"><dt><a class="username" href="/u/2">reefkeeper22</a></dt></dl>'
            '<p class="author"><a href="#p1">Sun Dec 17, 2023 11:23 am</a></p><p>My pump hums.</p></div>'
            '<div class="post"><dt><a class="username" href="/u/3">helper</a></dt><p>Clean it.</p></div>')
    assert meta_of("<title>Pump noise?</title>", body).byline == "reefkeeper22"


def test_the_json_ld_headline_shown_as_the_heading_wins_over_its_name():
    article = ('{"@type": "Article", "headline": "Harbour lights return", '
               '"name": "Harbour lights: everything you need to know"}')
    head = ld(article) + "<title>Harbour lights: everything you need to know — Tidings</title>"
    assert meta_of(head, "<h1>Harbour lights return</h1>").title == "Harbour lights return"
    assert meta_of(head).title == "Harbour lights: everything you need to know"  # no heading says otherwise
