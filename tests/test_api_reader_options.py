"""The request options the readers use: `removed_html` (each removed block's HTML and its place)."""

import re

import pytest
from helpers import DAILY8_URL

MARKER = re.compile(r'<wbr data-removed="(\d+)">')


def extract(client, html, **options):
    return client.post("/v1/extract", json={"html": html, "url": DAILY8_URL, **options})


def test_replies_carry_no_removed_html_unless_asked(client, daily8_html):
    body = extract(client, daily8_html).get_json()
    assert all("html" not in r for r in body["removed"])
    assert "data-removed" not in body["content"]


def test_removed_html_gives_each_block_and_its_place(client, daily8_html):
    body = extract(client, daily8_html, removed_html=True).get_json()
    removed = body["removed"]
    app = next(r for r in removed if r["rule"] == "phrase:app_promo")
    assert "Download the App" in app["html"] and app["html"].lstrip().startswith("<div>")
    assert 'href="https://apps.apple.com/app/daily8/id0000000000"' in app["html"]
    places = [int(i) for i in MARKER.findall(body["content"])]
    assert sorted(places) == list(range(len(removed)))  # every block has one place, in the article
    # The promos stood below the article and the site's header above it: so they sit in the article.
    assert places.index(removed.index(app)) > places.index(0)
    assert body["content"].rstrip().endswith('<wbr data-removed="1"></div>')  # the page's footer, last
    # The article itself is what it is without the option.
    plain = extract(client, daily8_html).get_json()
    assert "".join(MARKER.sub("", body["content"]).split()) == "".join(plain["content"].split())


def test_a_removed_block_is_sanitized_like_the_article(client):
    paragraph = "<p>" + "The council met on Tuesday to agree the budget for the coming year. " * 5 + "</p>"
    hostile = ('<div class="newsletter-signup" onclick="steal()"><h3>Sign up for our newsletter</h3>'
               '<script>steal()</script><a href="javascript:steal()">Join</a><img src="/x.png" onerror="steal()">'
               '<form><input name="email"></form></div>')
    page = f"<html><body><article><h1>Budget</h1>{paragraph * 3}{hostile}{paragraph}</article></body></html>"
    body = extract(client, page, removed_html=True).get_json()
    (signup,) = [r for r in body["removed"] if "newsletter" in r["text"].lower()]
    for unsafe in ("onclick", "script", "javascript:", "onerror", "<form", "<input", "class="):
        assert unsafe not in signup["html"], unsafe
    assert '<img src="https://www.daily8.ai/x.png">' in signup["html"]  # absolute, like the article's
    assert f'<wbr data-removed="{body["removed"].index(signup)}">' in body["content"]


def test_a_raw_html_body_or_a_fetch_asks_in_the_query(client, daily8_html):
    reply = client.post(f"/v1/extract?url={DAILY8_URL}&removed_html=1", data=daily8_html.encode(),
                        content_type="text/html; charset=utf-8")
    assert all(r.get("html") for r in reply.get_json()["removed"])


@pytest.mark.parametrize("value", ["yes", 1, None, "true"])
def test_removed_html_must_be_a_boolean_in_json(client, daily8_html, value):
    reply = extract(client, daily8_html, removed_html=value)
    assert reply.status_code == 400
    assert reply.get_json()["error"] == {"code": "bad_request", "message": "'removed_html' must be true or false."}


def test_removed_html_must_be_a_boolean_in_the_query(client):
    reply = client.get("/v1/extract?url=https://example.org/&removed_html=maybe")
    assert reply.status_code == 400
    assert "'removed_html' must be true or false." in reply.get_json()["error"]["message"]


# --- the reader's corrections: `remove` and `keep`, lists of CSS selectors ---------------------------------

SECOND_PARAGRAPH = "div.article-content > p:nth-child(2)"
APP_BANNER = "div.bg-gray-50"


def test_remove_takes_the_blocks_out_and_says_so_as_the_readers_rule(client, daily8_html):
    plain = extract(client, daily8_html).get_json()
    assert "Speaking to business leaders" in plain["text"]
    body = extract(client, daily8_html, remove=[SECOND_PARAGRAPH]).get_json()
    assert "Speaking to business leaders" not in body["text"]
    assert "U.S. Ambassador to Japan George Glass" in body["text"]  # the paragraph before stays
    (mine,) = [r for r in body["removed"] if r["rule"] == "reader"]
    assert mine["match"] == SECOND_PARAGRAPH and mine["text"].startswith("Speaking to business leaders")


def test_keep_brings_a_removed_block_back_where_it_stood(client, daily8_html):
    body = extract(client, daily8_html, keep=[APP_BANNER]).get_json()
    assert not [r for r in body["removed"] if r["rule"] == "phrase:app_promo"]
    text = body["text"]
    assert "Download the App" in text and text.index("Tiananmen Square") < text.index("Download the App")
    assert 'href="https://apps.apple.com/app/daily8/id0000000000"' in body["content"]


def test_keep_wins_over_remove(client, daily8_html):
    body = extract(client, daily8_html, remove=[SECOND_PARAGRAPH], keep=[SECOND_PARAGRAPH]).get_json()
    assert "Speaking to business leaders" in body["text"]


def test_the_query_carries_corrections_too(client, daily8_html):
    reply = client.post(f"/v1/extract?url={DAILY8_URL}&remove={SECOND_PARAGRAPH}", data=daily8_html.encode(),
                        content_type="text/html; charset=utf-8")
    assert "Speaking to business leaders" not in reply.get_json()["text"]


REFUSED = [
    (".promo", "'remove' must be a list of CSS selectors."),
    ([".promo", 3], "'remove' must be a list of CSS selectors."),
    ({"css": ".promo"}, "'remove' must be a list of CSS selectors."),
    ([".a"] * 51, "'remove' holds 51 selectors; at most 50 are allowed."),
    (["p." + "x" * 199], "Each selector in 'remove' must have 1 to 200 characters."),
    ([" "], "Each selector in 'remove' must have 1 to 200 characters."),
    (["div["], "The selector 'div[' is not valid CSS"),
    (["p::first-line"], "The selector 'p::first-line' is not supported"),
    (["p::before"], "The selector 'p::before' is not supported"),
    (["p:nth-child(x)"], "The selector 'p:nth-child(x)' is not"),
    (["</style><script>"], "The selector '</style><script>' is not valid CSS"),
    (["p\ud800"], "The selector 'p\\ud800' is not valid CSS"),  # JSON's escape of a lone surrogate
    (["svg|a"], "The selector 'svg|a' is not supported"),  # HTML has no namespaces: lxml raised at evaluation
    (["[xlink|href]"], "The selector '[xlink|href]' is not supported"),
    (["p:contains('Sponsored')"], "The selector \"p:contains('Sponsored')\" is not supported"),  # lxml's, not CSS
]


@pytest.mark.parametrize(("selectors", "message"), REFUSED)
def test_bad_selectors_are_refused_with_a_clear_400(client, daily8_html, selectors, message):
    reply = extract(client, daily8_html, remove=selectors)
    assert reply.status_code == 400
    error = reply.get_json()["error"]
    assert error["code"] == "bad_request" and error["message"].startswith(message), error["message"]


def test_at_most_50_selectors_and_200_characters_are_fine(client, daily8_html):
    reply = extract(client, daily8_html, keep=["p." + "x" * 198] + [".a"] * 49)
    assert reply.status_code == 200


def test_keep_is_checked_like_remove_and_in_the_query(client):
    reply = client.post("/v1/extract", json={"html": "<p>Hi</p>", "keep": "p"})
    assert reply.get_json()["error"]["message"] == "'keep' must be a list of CSS selectors."
    reply = client.get("/v1/extract?url=https://example.org/&remove=div[")
    assert reply.status_code == 400 and "not valid CSS" in reply.get_json()["error"]["message"]


# --- block_selectors: stable names a reader saves its corrections as ------------------------------------

PROSE = "The council met on Tuesday to agree the budget for the coming year, and argued until late. " * 4
NAMED_PAGE = (
    "<html><body><div class='article-body'><h1>Budget</h1>"
    + "".join(f"<p class='para'>{PROSE}Part {n}.</p>" for n in range(4))
    + "<div class='fact-box'><p>The budget runs to four hundred pages in print.</p></div>"
    + "<p id='editor-note'>This story was corrected on Wednesday to give the right date of the vote.</p>"
    + "<div class='css-1x2y3z post-12345'><p>A quote from the mayor that the budget is fair to all.</p></div>"
    + "<p data-selector='.article-body'>The page says it has a name of its own.</p>"
    + "</div><div class='newsletter-signup'><h3>Sign up for our newsletter</h3><p>Every Friday.</p></div>"
    + "</body></html>")


def named_blocks(content: str) -> list[str]:
    return re.findall(r'data-selector="([^"]*)"', content)


def test_block_selectors_name_the_blocks_with_stable_names_only(client):
    plain = extract(client, NAMED_PAGE).get_json()
    assert named_blocks(plain["content"]) == [] and all("selector" not in r for r in plain["removed"])

    body = extract(client, NAMED_PAGE, block_selectors=True).get_json()
    # Not ".para": it names every paragraph, the article itself. Not the page's own name, nor the
    # classes and ids that change from page to page.
    assert named_blocks(body["content"]) == [".fact-box", "#editor-note"]
    (signup,) = [r for r in body["removed"] if "newsletter" in r["text"].lower()]
    assert signup["selector"] == ".newsletter-signup"


def test_a_named_block_sent_back_as_remove_goes_and_a_removed_one_sent_as_keep_comes_back(client):
    body = extract(client, NAMED_PAGE, block_selectors=True).get_json()
    (signup,) = [r for r in body["removed"] if "newsletter" in r["text"].lower()]
    corrected = extract(client, NAMED_PAGE, block_selectors=True,
                        remove=[named_blocks(body["content"])[0]], keep=[signup["selector"]]).get_json()
    assert "four hundred pages" not in corrected["text"] and "Sign up for our newsletter" in corrected["text"]
    (mine,) = [r for r in corrected["removed"] if r["rule"] == "reader"]
    assert mine["selector"] == ".fact-box"  # the reader's own rule, by the name it gave


def test_block_selectors_must_be_a_boolean(client):
    reply = extract(client, NAMED_PAGE, block_selectors="yes")
    assert reply.status_code == 400
    assert reply.get_json()["error"]["message"] == "'block_selectors' must be true or false."
