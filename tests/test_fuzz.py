"""Fuzzing the HTTP API in-process: whatever comes in, the answer is never a 500 and never slow.

Four shapes of input, each with a bounded number of examples so the file runs in well under a minute:
markup built from HTML's sharp edges (raw-text elements, comments, quotes, foreign content, entities);
a real article page mutated (slices deleted, duplicated, swapped, bytes spliced in); random bytes under
random content types and charsets; and random JSON documents and query strings.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import create_app

BOUND_S = 5.0
# DECLUTTER_FUZZ_EXAMPLES=5000 for a longer campaign than CI's.
FUZZ = settings(max_examples=int(os.environ.get("DECLUTTER_FUZZ_EXAMPLES", "150")), deadline=None,
                database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.function_scoped_fixture])

PIECES = [
    "<", ">", "/", "=", '"', "'", " ", "\t", "\n", "\r", "\f", "\x00", "\x0b", "&", ";", "#", "!", "-", "?",
    "<p>", "</p>", "<div>", "</div>", "<a href=", "<img src=", "<script>", "</script>", "<style>", "</style>",
    "<textarea>", "</textarea>", "<title>", "</title>", "<plaintext>", "<xmp>", "<iframe>", "<noscript>",
    "</noscript>", "<svg>", "</svg>", "<math>", "<mtext>", "<template>", "<table>", "<tr>", "<td>",
    "<select>", "<option>", "<!--", "-->", "--!>", "<!DOCTYPE html>", "<![CDATA[", "]]>", "<?xml ?>",
    "<html>", "<head>", "<body>", "<frameset>", "<br>", "</br>", "<li>", "<h1>", "<article>", "<main>",
    "<meta charset=utf-16>",
    "<meta charset=\"shift_jis\">", "<base href=x>", "&amp;", "&nbsp;", "&#0;", "&#x110000;", "&#xd800;",
    "&lt;", "&notanentity", "\ufeff", "\ud800", "\u202e", "\xa0", "é", "中文", "🙂", "javascript:",
    "onerror=", "style=", "data-src=", "srcset=", " class=\"comments\"", " id=\"related\"", "x" * 50,
    "http://[::1", "//[", "<iframe src=", "<meta property=og:image content=/i.png>",
    "A sentence of article text that readability might like to keep. ",
]

SEED_PAGE = (
    "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Seed</title>"
    "<meta property=og:title content=Seed><script type=application/ld+json>{\"@type\":\"NewsArticle\","
    "\"author\":{\"name\":\"Ann\"},\"datePublished\":\"2024-01-02\"}</script></head><body>"
    "<nav><a href=/>Home</a></nav><article><h1>Seed</h1><p class=byline>By Ann</p>"
    + "<p>A paragraph of the seed article with enough words to be scored as content, and a "
      "<a href=/x>link</a>.</p>" * 8
    + "<aside class=related><h2>Related Articles</h2><ul><li><a href=/y>More</a></li></ul></aside>"
    "<img src=/i.png data-src=/big.png srcset=\"/a.png 1x, /b.png 2x\"></article>"
    "<footer><p>Sign up for our newsletter</p></footer></body></html>"
)

# What a header can carry over HTTP: no CR, LF or NUL.
HEADER_CHARACTERS = st.characters(min_codepoint=0x09, max_codepoint=0xFF, exclude_characters="\r\n\x0b\x0c")
CONTENT_TYPES = st.one_of(
    st.sampled_from([
        "text/html", "text/html; charset=utf-8", "text/html; charset=utf-16", "text/html; charset=shift_jis",
        "text/html; charset=x-unknown", "text/html; charset=", "text/html; charset=\"utf-8", "text/plain",
        "application/xhtml+xml", "application/json", "application/json; charset=latin1",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png", "", "*/*",
    ]),
    st.text(HEADER_CHARACTERS, max_size=40),
    st.builds(lambda charset: f"text/html; charset={charset}", st.text(HEADER_CHARACTERS, max_size=20)),
)

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (st.lists(children, max_size=4)
                      | st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries({}, optional={
    "html": st.one_of(st.text(max_size=300), st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
                      JSON_VALUES),
    "url": st.one_of(st.text(max_size=60), st.sampled_from(["https://example.com/a", "ftp://x", "//x",
                                                            "http://", "javascript:alert(1)"]), JSON_VALUES),
    "format": st.one_of(st.sampled_from(["json", "html", "text", "markdown", "pdf", ""]), JSON_VALUES),
})
QUERY = st.dictionaries(st.sampled_from(["url", "format", "html", "x"]), st.text(max_size=40), max_size=3)


@pytest.fixture(scope="module")
def fuzz_client():
    # No fetching by URL: fuzzed URLs must not reach the network.
    return create_app({"testing": True, "workers": 0, "fetch": False}).test_client()


def check(response, seconds: float) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert seconds < BOUND_S, f"{seconds:.1f} s"
    if response.status_code >= 400:
        body = response.get_json()
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates as a broken page would carry them


def post(client, **kwargs):
    started = time.monotonic()
    response = client.post("/v1/extract", **kwargs)
    return response, time.monotonic() - started


@FUZZ
@given(markup=st.lists(st.sampled_from(PIECES), max_size=120).map("".join),
       fmt=st.sampled_from(["json", "html", "text", "markdown"]))
def test_markup_from_html_sharp_edges(fuzz_client, markup, fmt):
    check(*post(fuzz_client, data=_encode(markup), content_type="text/html",
                query_string={"format": fmt, "url": "https://example.com/a/b"}))


@st.composite
def mutated_pages(draw):
    page = SEED_PAGE.encode()
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(page)))
        end = draw(st.integers(start, min(len(page), start + 400)))
        operation = draw(st.sampled_from(["delete", "duplicate", "splice", "swap", "repeat"]))
        if operation == "delete":
            page = page[:start] + page[end:]
        elif operation == "duplicate":
            page = page[:end] + page[start:end] + page[end:]
        elif operation == "splice":
            insert = draw(st.binary(max_size=30) | st.sampled_from(PIECES).map(_encode))
            page = page[:start] + insert + page[start:]
        elif operation == "swap":
            other = draw(st.integers(0, len(page)))
            page = page[:start] + page[other:other + (end - start)] + page[end:]
        else:
            page = page[:start] + page[start:end] * draw(st.integers(2, 50)) + page[end:]
    return page


@FUZZ
@given(page=mutated_pages(), fmt=st.sampled_from(["json", "html", "text", "markdown"]))
def test_mutated_article_pages(fuzz_client, page, fmt):
    check(*post(fuzz_client, data=page, content_type="text/html; charset=utf-8",
                query_string={"format": fmt, "url": "https://news.example/2024/seed"}))


@FUZZ
@given(data=st.binary(max_size=3000), content_type=CONTENT_TYPES, query=QUERY)
def test_random_bytes_under_random_content_types(fuzz_client, data, content_type, query):
    check(*post(fuzz_client, data=data, content_type=content_type, query_string=query))


@FUZZ
@given(document=st.one_of(FIELDS, JSON_VALUES), query=QUERY,
       raw_suffix=st.sampled_from(["", "", "}", "\x00", "[["]))
def test_random_json_documents(fuzz_client, document, query, raw_suffix):
    body = json.dumps(document) + raw_suffix
    check(*post(fuzz_client, data=body, content_type="application/json", query_string=query))
    started = time.monotonic()
    check(fuzz_client.get("/v1/extract", query_string=query), time.monotonic() - started)
