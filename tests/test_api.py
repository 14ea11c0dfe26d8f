"""The HTTP API through the test client: every input form, every format, every error status."""

import json

import pytest
from helpers import DAILY8_URL, article_page

from server import create_app

KEYS = ["url", "title", "byline", "site_name", "lang", "dir", "published_time", "modified_time", "excerpt",
        "lead_image_url", "content", "text", "word_count", "reading_time_minutes", "confidence",
        "removed"]


def test_healthz(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200 and reply.get_json() == {"status": "ok"}


def test_json_body(client, daily8_html):
    reply = client.post("/v1/extract", json={"html": daily8_html, "url": DAILY8_URL})
    assert reply.status_code == 200
    body = reply.get_json()
    assert list(body) == KEYS
    assert body["title"] == "U.S. envoy plays down Washington-Tokyo trade row"
    assert "Related Articles" not in body["text"]
    assert all(set(r) == {"rule", "match", "text"} for r in body["removed"])


def test_raw_html_body_with_query(client, daily8_html):
    reply = client.post(f"/v1/extract?url={DAILY8_URL}&format=text", data=daily8_html.encode(),
                        content_type="text/html; charset=utf-8")
    assert reply.status_code == 200 and reply.mimetype == "text/plain"
    assert reply.get_data(as_text=True).startswith("U.S. envoy plays down Washington-Tokyo trade row\n")


def test_raw_body_honours_its_charset(client):
    page = article_page(title="Café crème prices rise").encode("latin-1", errors="replace")
    reply = client.post("/v1/extract", data=page.replace(b"charset='utf-8'", b""),
                        content_type="text/html; charset=iso-8859-1")
    assert reply.get_json()["title"] == "Café crème prices rise"


@pytest.mark.parametrize("fmt, mimetype, snippet", [
    ("json", "application/json", '"title"'),
    ("html", "text/html", "<h1>U.S. envoy plays down"),
    ("text", "text/plain", "Glass dismissed concerns"),
    ("markdown", "text/markdown", "# U.S. envoy plays down Washington-Tokyo trade row"),
])
def test_every_format(client, daily8_html, fmt, mimetype, snippet):
    reply = client.post("/v1/extract", json={"html": daily8_html, "url": DAILY8_URL, "format": fmt})
    assert reply.status_code == 200 and reply.mimetype == mimetype
    assert snippet in reply.get_data(as_text=True)


def test_html_format_escapes_metadata_and_sets_a_csp(client):
    page = article_page(title="<script>alert(1)</script> Harbour news")
    reply = client.post("/v1/extract?format=html", data=page, content_type="text/html")
    html = reply.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "Content-Security-Policy" in html


@pytest.mark.parametrize("kwargs, status, code", [
    ({"data": "{not json", "content_type": "application/json"}, 400, "bad_request"),
    ({"json": ["a", "list"]}, 400, "bad_request"),
    ({"json": {"html": 42}}, 400, "bad_request"),
    ({"json": {}}, 400, "bad_request"),
    ({"json": {"html": "<p>x</p>", "format": "pdf"}}, 400, "bad_request"),
    ({"json": {"html": "<p>x</p>", "url": "javascript:alert(1)"}}, 400, "bad_request"),
    ({"json": {"html": "   "}}, 400, "bad_request"),
    ({"data": "", "content_type": "text/html"}, 400, "bad_request"),
    ({"data": b"\x00\x01", "content_type": "application/octet-stream"}, 415, "unsupported_media_type"),
    ({"data": "html=x", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ({"json": {"html": "<html><body><nav><a href='/'>Home</a></nav></body></html>"}}, 422, "no_article"),
])
def test_bad_input_gets_a_json_error(client, kwargs, status, code):
    reply = client.post("/v1/extract", **kwargs)
    assert reply.status_code == status, reply.get_data(as_text=True)
    error = reply.get_json()["error"]
    assert error["code"] == code and error["message"]


def test_a_body_over_the_limit_is_413():
    client = create_app({"testing": True, "workers": 0, "max_bytes": 1000}).test_client()
    reply = client.post("/v1/extract", data="x" * 2000, content_type="text/html")
    assert reply.status_code == 413 and reply.get_json()["error"]["code"] == "too_large"


def test_unknown_routes_and_methods_are_json_too(client):
    assert client.get("/v2/nothing").get_json()["error"]["code"] == "not_found"
    reply = client.delete("/v1/extract")
    assert reply.status_code == 405 and reply.get_json()["error"]["code"] == "method_not_allowed"


def test_cors_allows_extensions_and_configured_origins_only():
    client = create_app({"testing": True, "workers": 0, "cors_origins": ("https://reader.example",)}).test_client()
    def allowed(origin):
        reply = client.options("/v1/extract", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
        return reply.headers.get("Access-Control-Allow-Origin")
    assert allowed("chrome-extension://abcdefghijklmnopabcdefghijklmnop") == "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
    assert allowed("moz-extension://0f0e0d0c-1111-2222-3333-444455556666") is not None
    assert allowed("https://reader.example") == "https://reader.example"
    assert allowed("https://evil.example") is None


def test_the_reply_is_the_articles_dict(client, daily8_html):
    from declutter.pipeline import extract

    reply = client.post("/v1/extract", json={"html": daily8_html, "url": DAILY8_URL}).get_json()
    assert reply == json.loads(json.dumps(extract(daily8_html, url=DAILY8_URL).to_dict()))


@pytest.mark.parametrize("body", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,  # an image
    b"\x7fELF\x02\x01\x01" + bytes(4000),  # a program
    bytes(range(256)) * 40,  # no signature, but NUL bytes
    "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13)).encode() * 200,  # control characters
])
def test_binary_bodies_are_refused_not_read_as_pages(client, body):
    reply = client.post("/v1/extract", data=body, content_type="text/html")
    assert reply.status_code == 415 and reply.get_json()["error"]["code"] == "not_a_page"


def test_a_page_with_a_few_stray_control_characters_is_still_a_page(client):
    page = article_page(title="Stray bytes").replace("</p>", "\x01</p>", 2)
    reply = client.post("/v1/extract", data=page.encode(), content_type="text/html")
    assert reply.status_code == 200 and reply.get_json()["title"] == "Stray bytes"
