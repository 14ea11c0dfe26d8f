"""The fetcher against a hostile page server: a real socket server on 127.0.0.1 that answers slowly or oddly.

The service is configured to allow 127.0.0.1 and the server's port (DECLUTTER_FETCH_ALLOW_HOSTS and
DECLUTTER_FETCH_PORTS), so each request goes through the whole real stack: resolve, check, pinned connect,
status line, headers, body. Each script is a list of (pause in seconds, bytes to send).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from declutter import fetch
from server import create_app
from server.config import Config
from server.http_errors import status_of

PAGE = b"<!doctype html><html><head><title>t</title></head><body><p>Hello.</p></body></html>"
DEADLINE_S = 1.0
SLACK_S = 0.5  # thread scheduling on a busy machine


class Upstream:
    """Serves `script` to every connection: each step waits, then sends; the socket then closes."""

    def __init__(self, script):
        self.script = script
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            conn.settimeout(0.5)
            try:
                conn.recv(65536)
                for pause, data in self.script:
                    if self.stopped.wait(pause):
                        return
                    conn.sendall(data)
            except OSError:
                return

    def url(self, path="/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def config(self, **overrides) -> Config:
        settings = {"testing": True, "workers": 0, "timeout_s": DEADLINE_S, "fetch_allow_hosts": ("127.0.0.1",),
                    "fetch_ports": (self.port,), **overrides}
        return Config(**settings)

    def close(self):
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def upstream():
    servers = []

    def start(script):
        server = Upstream(script)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def trickle(data: bytes, every: float, piece: int = 1):
    return [(every, data[i:i + piece]) for i in range(0, len(data), piece)]


def headers_then_body(body=PAGE):
    return [(0, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n" + body)]


# -- the deadline holds in every phase -----------------------------------------------------------------

SLOW_PHASES = {
    "status line": trickle(b"HTTP/1.1 200 OK\r\n", every=0.2),
    "headers": [(0, b"HTTP/1.1 200 OK\r\n")] + [(0.2, b"X-Slow: %d\r\n" % i) for i in range(60)],
    # A read that starts just before the deadline must not get a read timeout of its own.
    "body": [(0, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body>"), (0.9, b"<p>"),
             (5, b"late</p>")],
    "chunked body": [(0, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"),
                     (0.9, b"6\r\n<html>\r\n"), (5, b"0\r\n\r\n")],
}


@pytest.mark.parametrize("phase", SLOW_PHASES)
def test_the_deadline_holds_however_slowly_the_server_sends(upstream, phase):
    server = upstream(SLOW_PHASES[phase])
    started = time.monotonic()
    with pytest.raises(fetch.UpstreamTimeout) as error:
        fetch.fetch_page(server.url(), server.config())
    assert time.monotonic() - started < DEADLINE_S + SLACK_S
    assert status_of(error.value) == 504


def test_a_slow_resolver_cannot_hold_the_fetch(monkeypatch):
    release = threading.Event()

    def slow_getaddrinfo(*args, **kwargs):
        release.wait(30)
        raise socket.gaierror("gave up")

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    started = time.monotonic()
    try:
        with pytest.raises(fetch.UpstreamTimeout):
            fetch.fetch_page("http://slow-dns.example/", Config(testing=True, workers=0, timeout_s=DEADLINE_S))
    finally:
        release.set()
    assert time.monotonic() - started < DEADLINE_S + SLACK_S


# -- odd answers are the upstream's fault, never a 500 -------------------------------------------------

def redirect_to(location: bytes):
    return [(0, b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n")]


def test_a_redirect_location_is_utf8_or_a_bad_redirect(upstream):
    target = upstream(headers_then_body())
    server = upstream(redirect_to(f"http://127.0.0.1:{target.port}/caf\u00e9".encode()))
    page = fetch.fetch_page(server.url(), server.config(fetch_ports=(server.port, target.port)))
    assert page.url == f"http://127.0.0.1:{target.port}/caf%C3%A9"
    for location in (b"http://\xff\xfe127.0.0.1/", b"/\xc3(", b"http://example.com/\x80"):
        server = upstream(redirect_to(location))
        with pytest.raises(fetch.BadRedirect) as error:
            fetch.fetch_page(server.url(), server.config())
        assert status_of(error.value) == 502


@pytest.mark.parametrize("charset", ["base64", "zlib", "hex", "rot13", "utf-7", "bz2", "uu", "quopri", "idna",
                                     "punycode", "unicode_escape", "raw_unicode_escape"])
@pytest.mark.parametrize("where", ["header", "meta"])
def test_charsets_outside_the_encoding_standard_are_ignored(upstream, charset, where):
    body = "<!doctype html><html><head>{}<title>Caf\u00e9 +AGEAYgBj-</title></head><body><article><p>{}</p>" \
           "</article></body></html>"
    meta = f'<meta charset="{charset}">' if where == "meta" else ""
    text = body.format(meta, "Caf\u00e9 society, written plainly and at some length for a reader. " * 8)
    content_type = f"text/html; charset={charset}" if where == "header" else "text/html"
    server = upstream([(0, f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n".encode()
                        + text.encode("utf-8"))])
    reply = create_app(server.config()).test_client().get("/v1/extract", query_string={"url": server.url()})
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["title"] == "Caf\u00e9 +AGEAYgBj-"  # UTF-8, as if no charset were named
