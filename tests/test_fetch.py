"""Fetching a page by URL: redirects, content types, sizes, charsets, upstream failures, and the API.

`responses` stands in for requests' transport here, and every host name resolves to one public address
so the guard lets the request through. What the guard refuses, and that connections are pinned to the
checked address, is proven below the transport in test_fetch_guard.py.
"""

from __future__ import annotations

import gzip
import io
import socket

import pytest
import requests
import responses
import urllib3.util.connection

from declutter import fetch
from declutter.errors import TooLarge
from server import create_app
from server.config import Config
from server.http_errors import status_of

PUBLIC = "93.184.216.34"
URL = "https://news.example/story"
PAGE = b"<!doctype html><html><head><title>A story</title></head><body><p>Words.</p></body></html>"
DAILY8_URL = "https://www.daily8.ai/news/us-envoy-plays-down-washington-tokyo-trade-row"
CONFIG = Config(testing=True, workers=0)


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """Host name -> address; names not listed resolve to PUBLIC. Returns the mapping for tests to edit."""
    names: dict[str, str] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        address = names.get(host, PUBLIC)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.fixture(autouse=True)
def no_connections(monkeypatch):
    """responses replaces the transport; if anything ever got past it, fail instead of connecting."""
    def refuse(address, *args, **kwargs):
        raise AssertionError(f"a test tried to open a real connection to {address}")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)


@pytest.fixture
def web():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


class CountingBody(io.RawIOBase):
    """A body (endless unless given a size) that counts how many bytes were taken from it."""

    def __init__(self, fill: bytes = b"<html>" + b"x" * 1000, clock: list | None = None, tick: float = 0,
                 size: int | None = None):
        self.fill, self.served, self.reads, self.clock, self.tick = fill, 0, 0, clock, tick
        self.size = size

    def readable(self):
        return True

    def readinto(self, buffer):
        self.reads += 1
        if self.clock is not None:
            self.clock[0] += self.tick
        wanted = len(buffer) if self.size is None else min(len(buffer), self.size - self.served)
        data = (self.fill * (wanted // len(self.fill) + 1))[:wanted]
        buffer[: len(data)] = data
        self.served += len(data)
        return len(data)


# -- the page ------------------------------------------------------------------------------------------

def test_returns_raw_bytes_http_charset_and_final_url(web):
    body = "<html><body><p>Caf\u00e9 \u20ac</p></body></html>".encode("cp1252")
    web.get(URL, body=body, content_type="text/html; charset=Windows-1252")
    page = fetch.fetch_page(URL, CONFIG)
    assert page.body == body  # not decoded: the pipeline decodes with the charset, then <meta charset>
    assert page.charset == "windows-1252"
    assert page.url == URL


def test_charset_is_none_when_the_header_has_none(web):
    web.get(URL, body=PAGE, content_type="text/html")
    assert fetch.fetch_page(URL, CONFIG).charset is None


def test_sends_a_named_user_agent_and_asks_for_html(web):
    web.get(URL, body=PAGE, content_type="text/html")
    fetch.fetch_page(URL, CONFIG)
    sent = web.calls[0].request.headers
    assert sent["User-Agent"].startswith("Declutter/")
    assert sent["Accept"].startswith("text/html")
    assert "Cookie" not in sent and "Authorization" not in sent


@pytest.mark.parametrize("content_type", ["text/html", "TEXT/HTML; charset=utf-8", "application/xhtml+xml"])
def test_html_content_types_are_read(web, content_type):
    web.get(URL, body=PAGE, content_type=content_type)
    assert fetch.fetch_page(URL, CONFIG).body == PAGE


@pytest.mark.parametrize("content_type", ["application/json", "image/png", "text/plain", "application/pdf"])
def test_other_content_types_are_refused_with_422(web, content_type):
    web.get(URL, body=b"<html>not really</html>", content_type=content_type)
    with pytest.raises(fetch.NotHtml) as error:
        fetch.fetch_page(URL, CONFIG)
    assert (status_of(error.value), error.value.code) == (422, "not_html")
    assert content_type.lower() in error.value.message


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><title>t</title>",
    b"\xef\xbb\xbf  \n<html lang=en><p>hi",
    b"<!-- generated --><html><p>hi",
    b"<head><title>t</title></head>",
])
def test_missing_content_type_is_sniffed_as_html(web, body):
    web.get(URL, body=body, content_type=None)
    assert fetch.fetch_page(URL, CONFIG).body == body


@pytest.mark.parametrize("body", [b"%PDF-1.7\n...", b'{"html": "<html>"}', b"",
                                  b"\x89PNG\r\n\x1a\n" + b"\0" * 2000])
def test_missing_content_type_that_is_not_html_is_refused(web, body):
    web.get(URL, body=body, content_type=None)
    with pytest.raises(fetch.NotHtml):
        fetch.fetch_page(URL, CONFIG)


# -- size ----------------------------------------------------------------------------------------------

def test_a_streamed_body_over_the_limit_is_413_and_reading_stops(web):
    source = CountingBody()
    web.get(URL, body=io.BufferedReader(source, buffer_size=256), content_type="text/html")
    with pytest.raises(TooLarge) as error:
        fetch.fetch_page(URL, Config(max_bytes=5000))
    assert (status_of(error.value), error.value.code) == (413, "too_large")
    assert 5000 < source.served <= 5000 + 1 + 256  # one byte past the limit proves it; no more is read


def test_a_declared_length_over_the_limit_is_413_before_any_byte_is_read(web):
    source = CountingBody()
    web.get(URL, body=io.BufferedReader(source), content_type="text/html",
            headers={"Content-Length": "999999999"})
    with pytest.raises(TooLarge):
        fetch.fetch_page(URL, Config(max_bytes=5000))
    assert source.served == 0


def test_a_body_of_exactly_the_limit_is_read(web):
    body = b"<html>" + b"x" * 4994
    web.get(URL, body=body, content_type="text/html")
    assert fetch.fetch_page(URL, Config(max_bytes=5000)).body == body


def test_the_limit_counts_decompressed_bytes(web):
    bomb = gzip.compress(b"<html>" + b"\0" * 2_000_000)
    assert len(bomb) < 5000
    web.get(URL, body=bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    with pytest.raises(TooLarge):
        fetch.fetch_page(URL, Config(max_bytes=5000))


def test_gzip_bodies_are_decompressed(web):
    web.get(URL, body=gzip.compress(PAGE), content_type="text/html", headers={"Content-Encoding": "gzip"})
    assert fetch.fetch_page(URL, CONFIG).body == PAGE


def test_a_body_that_outlasts_the_deadline_is_504(web, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(fetch.time, "monotonic", lambda: clock[0])
    source = CountingBody(clock=clock, tick=4.0)  # every network read takes four seconds
    web.get(URL, body=io.BufferedReader(source, buffer_size=256), content_type="text/html")
    with pytest.raises(fetch.UpstreamTimeout) as error:
        fetch.fetch_page(URL, Config(timeout_s=60))  # the fetch deadline is capped at DEADLINE_S
    assert status_of(error.value) == 504
    assert source.reads == 3  # reads at 0, 4 and 8 s; the 10 s deadline stops the fourth


# -- redirects -----------------------------------------------------------------------------------------

def test_redirects_are_followed_and_the_final_url_returned(web, dns):
    web.get(URL, status=301, headers={"Location": "/moved"})
    web.get("https://news.example/moved", status=302, headers={"Location": "https://cdn.example/final"})
    web.get("https://cdn.example/final", body=PAGE, content_type="text/html")
    page = fetch.fetch_page(URL, CONFIG)
    assert page.url == "https://cdn.example/final"
    assert page.body == PAGE
    assert [call.request.method for call in web.calls] == ["GET", "GET", "GET"]


def test_the_body_of_a_redirect_is_not_read(web):
    source = CountingBody(size=20_000_000)  # finite, so reading it all fails the test instead of hanging
    web.get(URL, status=302, headers={"Location": "/next"}, body=io.BufferedReader(source))
    web.get("https://news.example/next", body=PAGE, content_type="text/html")
    assert fetch.fetch_page(URL, Config(max_bytes=5000)).body == PAGE
    assert source.served == 0


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_followed(web, status):
    web.get(URL, status=status, headers={"Location": "http://news.example/plain"})
    web.get("http://news.example/plain", body=PAGE, content_type="text/html")
    assert fetch.fetch_page(URL, CONFIG).url == "http://news.example/plain"


def _chain(web, length):
    for hop in range(length):
        web.get(f"https://news.example/{hop}", status=302, headers={"Location": f"/{hop + 1}"})
    web.get(f"https://news.example/{length}", body=PAGE, content_type="text/html")


def test_five_redirects_are_followed(web):
    _chain(web, 5)
    assert fetch.fetch_page("https://news.example/0", CONFIG).url == "https://news.example/5"


def test_a_sixth_redirect_is_502(web):
    _chain(web, 6)
    with pytest.raises(fetch.UpstreamError) as error:
        fetch.fetch_page("https://news.example/0", CONFIG)
    assert (status_of(error.value), error.value.code) == (502, "too_many_redirects")
    assert len(web.calls) == 6  # the seventh URL is never requested


@pytest.mark.parametrize("location", ["ftp://news.example/file", "file:///etc/passwd", "gopher://news.example/",
                                      "javascript:alert(1)", "data:text/html,<p>hi"])
def test_a_redirect_to_another_scheme_is_refused(web, location):
    web.get(URL, status=302, headers={"Location": location})
    with pytest.raises(fetch.UpstreamError) as error:
        fetch.fetch_page(URL, CONFIG)
    assert (status_of(error.value), error.value.code) == (502, "bad_redirect")
    assert len(web.calls) == 1


def test_a_redirect_to_a_port_not_allowed_is_refused(web):
    web.get(URL, status=302, headers={"Location": "http://news.example:6379/"})
    with pytest.raises(fetch.BlockedPort) as error:
        fetch.fetch_page(URL, CONFIG)
    assert status_of(error.value) == 403
    assert len(web.calls) == 1


def test_a_redirect_to_a_private_address_is_refused(web, dns):
    dns["internal.example"] = "10.0.0.7"
    web.get(URL, status=302, headers={"Location": "http://internal.example/admin"})
    with pytest.raises(fetch.BlockedAddress) as error:
        fetch.fetch_page(URL, CONFIG)
    assert "10.0.0.7" not in error.value.message
    assert len(web.calls) == 1


def test_a_redirect_without_location_is_an_upstream_error(web):
    web.get(URL, status=302)
    with pytest.raises(fetch.UpstreamError) as error:
        fetch.fetch_page(URL, CONFIG)
    assert error.value.code == "upstream_status"
    assert "302" in error.value.message


# -- upstream failures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("status, text", [(404, "404 Not Found"), (500, "500 Internal Server Error"),
                                          (403, "403 Forbidden"), (503, "503"), (299, None), (599, "599")])
def test_upstream_status_errors_are_502_naming_the_status(web, status, text):
    web.get(URL, status=status, body=PAGE, content_type="text/html")
    if text is None:  # any 2xx is a page
        assert fetch.fetch_page(URL, CONFIG).body == PAGE
        return
    with pytest.raises(fetch.UpstreamError) as error:
        fetch.fetch_page(URL, CONFIG)
    assert (status_of(error.value), error.value.code) == (502, "upstream_status")
    assert text in error.value.message


@pytest.mark.parametrize("exception, status, code", [
    (requests.ConnectionError("refused"), 502, "upstream_error"),
    (requests.exceptions.SSLError("bad certificate"), 502, "upstream_error"),
    (requests.exceptions.ChunkedEncodingError("broken"), 502, "upstream_error"),
    (requests.ReadTimeout("slow"), 504, "upstream_timeout"),
    (requests.ConnectTimeout("slow"), 504, "upstream_timeout"),
])
def test_transport_failures_map_to_502_and_504(web, exception, status, code):
    web.get(URL, body=exception)
    with pytest.raises(fetch.FetchError) as error:
        fetch.fetch_page(URL, CONFIG)
    assert (status_of(error.value), error.value.code) == (status, code)


def test_an_unresolvable_host_is_502(web, monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(fetch.UpstreamError) as error:
        fetch.fetch_page(URL, CONFIG)
    assert (status_of(error.value), error.value.code) == (502, "host_not_found")
    assert len(web.calls) == 0


def test_fetch_disabled_is_403():
    with pytest.raises(fetch.FetchDisabled) as error:
        fetch.fetch_page(URL, Config(fetch=False))
    assert (status_of(error.value), error.value.code) == (403, "fetch_disabled")


# -- through the API -----------------------------------------------------------------------------------

def _app(**overrides):
    settings = {"testing": True, "workers": 0, "fetch": True, "fetch_allow_hosts": (),
                "fetch_ports": (80, 443), "max_bytes": 10 * 1024 * 1024, "api_token": ""}
    return create_app({**settings, **overrides})


@pytest.fixture
def api():
    return _app().test_client()


@pytest.fixture
def daily8(web, daily8_html):
    web.get(DAILY8_URL, body=daily8_html.encode(), content_type="text/html; charset=utf-8")
    return web


def test_api_get_fetches_and_returns_the_article(api, daily8, daily8_expected):
    reply = api.get("/v1/extract", query_string={"url": DAILY8_URL})
    assert reply.status_code == 200, reply.get_json()
    article = reply.get_json()
    assert article["url"] == DAILY8_URL
    assert "envoy" in article["title"].lower()
    assert daily8_expected.split("\n", 1)[0] in article["text"]


def test_api_post_json_url_fetches_the_article(api, daily8, daily8_expected):
    reply = api.post("/v1/extract", json={"url": DAILY8_URL, "format": "text"})
    assert reply.status_code == 200
    assert reply.mimetype == "text/plain"
    assert daily8_expected.split("\n", 1)[0] in reply.get_data(as_text=True)


def test_api_reports_the_url_after_redirects(api, daily8):
    daily8.get("https://daily8.ai/s/1", status=301, headers={"Location": DAILY8_URL})
    reply = api.get("/v1/extract", query_string={"url": "https://daily8.ai/s/1"})
    assert reply.status_code == 200
    assert reply.get_json()["url"] == DAILY8_URL


def test_api_blocked_address_is_403_json_without_the_address(api, web, dns):
    dns["router.example"] = "192.168.1.1"
    reply = api.get("/v1/extract", query_string={"url": "http://router.example/admin"})
    assert reply.status_code == 403
    assert reply.get_json()["error"]["code"] == "blocked_address"
    assert "192.168.1.1" not in reply.get_data(as_text=True)
    assert len(web.calls) == 0


def test_api_fetch_disabled_is_403():
    reply = _app(fetch=False).test_client().get("/v1/extract", query_string={"url": URL})
    assert reply.status_code == 403
    assert reply.get_json()["error"]["code"] == "fetch_disabled"


@pytest.mark.parametrize("url", ["not a url", "ftp://news.example/", "http://user:pw@news.example/", "http://"])
def test_api_bad_url_is_400(api, url):
    reply = api.post("/v1/extract", json={"url": url})
    assert reply.status_code == 400
    assert reply.get_json()["error"]["code"] == "bad_url"


@pytest.mark.parametrize("mock, status, code", [
    ({"status": 404}, 502, "upstream_status"),
    ({"body": requests.ConnectionError("reset")}, 502, "upstream_error"),
    ({"body": requests.ReadTimeout("slow")}, 504, "upstream_timeout"),
    ({"body": b"{}", "content_type": "application/json"}, 422, "not_html"),
    ({"body": b"<html>" + b"x" * 2000, "content_type": "text/html"}, 413, "too_large"),
    ({"status": 302, "headers": {"Location": "file:///etc/passwd"}}, 502, "bad_redirect"),
])
def test_api_upstream_failures_are_json_errors_never_500(web, mock, status, code):
    web.get(URL, **mock)
    reply = _app(max_bytes=1000).test_client().get("/v1/extract", query_string={"url": URL})
    assert (reply.status_code, reply.get_json()["error"]["code"]) == (status, code)
