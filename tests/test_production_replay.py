"""Hostile requests and a hostile page server replayed against gunicorn as the Procfile runs it.

Default settings, except that the service may fetch from the page servers on 127.0.0.1 (their ports and
80). Every answer must be below 500, JSON, and within its bound; /healthz must answer within 1 s after.
Run with -s to see each answer and its time (the figures in docs/security.md).
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from test_hostile_upstream import PAGE, Upstream, headers_then_body

ROOT = Path(__file__).resolve().parents[1]
DEADLINE_S = 10  # the fetch deadline with default settings
SLACK_S = 2


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_with_meta(charset: str) -> bytes:
    words = "Plain words for a reader, in a paragraph long enough to be the article. " * 6
    return (f'<!doctype html><html><head><meta charset="{charset}"><title>Caf\u00e9</title></head>'
            f"<body><article><p>{words}</p></article></body></html>").encode()


@pytest.fixture(scope="module")
def upstreams():
    def ok(content_type: str, body: bytes) -> list:
        return [(0, f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n".encode() + body)]

    servers = {
        "slow headers": Upstream([(0, b"HTTP/1.1 200 OK\r\n")] + [(2, b"X-Slow: %d\r\n" % i) for i in range(20)]),
        "slow status line": Upstream([(2, b"H")] * 20),
        "charset=base64": Upstream(ok("text/html; charset=base64", page_with_meta("utf-8"))),
        "meta charset=zlib": Upstream(ok("text/html", page_with_meta("zlib"))),
        "meta charset=utf-7": Upstream(ok("text/html", page_with_meta("utf-7"))),
        "Location not UTF-8": Upstream([(0, b"HTTP/1.1 302 Found\r\nLocation: http://\xff\xfe127.0.0.1/\r\n"
                                            b"Content-Length: 0\r\n\r\n")]),
        "plain page": Upstream(headers_then_body(PAGE)),
    }
    yield servers
    for server in servers.values():
        server.close()


@pytest.fixture(scope="module")
def gunicorn(upstreams):
    bench = _load_bench()
    port = _free_port()
    ports = ",".join(str(server.port) for server in upstreams.values())
    env = {**os.environ, "DECLUTTER_FETCH_ALLOW_HOSTS": "127.0.0.1", "DECLUTTER_FETCH_PORTS": f"80,{ports}"}
    env = {name: value for name, value in env.items()
           if not name.startswith("DECLUTTER_") or name.startswith(("DECLUTTER_FETCH_", "DECLUTTER_REQUIRE"))}
    env.pop("WEB_CONCURRENCY", None)
    process = subprocess.Popen(bench.procfile_command(port, env), cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            status = call(port, "GET", "/healthz")[0]
            if status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("gunicorn did not answer /healthz")
        time.sleep(0.2)


def call(port: int, method: str, path: str, body=None, headers=None, host: str | None = None):
    """(status, headers, body, seconds) of one request; `host` replaces the Host header as given."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.monotonic()
    try:
        connection.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is None:
            connection.endheaders()
        elif isinstance(body, bytes):
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
        else:  # an iterable: sent chunked, without Content-Length
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders(body, encode_chunked=True)
        response = connection.getresponse()
        reply = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, reply, time.monotonic() - started
    finally:
        connection.close()


def fetch_path(url: str) -> str:
    return "/v1/extract?" + urllib.parse.urlencode({"url": url})


def test_the_replay_gets_no_500_only_json_each_within_its_bound(gunicorn, upstreams):
    port = gunicorn
    answers = []  # (name, status, expected status, is JSON, seconds, bound, detail)

    def record(name, reply, expected, bound):
        status, headers, body, seconds = reply
        is_json = headers.get("content-type") == "application/json"
        detail = json.loads(body).get("error", {}).get("code", "") if is_json else body[:60]
        answers.append((name, status, expected, is_json, seconds, bound, detail))

    # Two slow page servers at once: both web workers are busy until the fetch deadline, no longer.
    threads = [threading.Thread(target=lambda name=name: record(
        name, call(port, "GET", fetch_path(upstreams[name].url())), 504, DEADLINE_S + SLACK_S))
        for name in ("slow headers", "slow status line")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    cases = [
        ("charset=base64", fetch_path(upstreams["charset=base64"].url()), {}, 200),
        ("meta charset=zlib", fetch_path(upstreams["meta charset=zlib"].url()), {}, 200),
        ("meta charset=utf-7", fetch_path(upstreams["meta charset=utf-7"].url()), {}, 200),
        ("Location not UTF-8", fetch_path(upstreams["Location not UTF-8"].url()), {}, 502),
        ("/bookmarklet with Host: [", "/bookmarklet", {"host": "["}, 400),
        ("http://[::ffff:0:7f00:1]/ (IPv4-translated)", fetch_path("http://[::ffff:0:7f00:1]/"), {}, 403),
        ("http://[3fff::1]/ (documentation)", fetch_path("http://[3fff::1]/"), {}, 403),
        ("the plain page still reads", fetch_path(upstreams["plain page"].url()), {}, 200),
    ]
    for name, path, options, expected in cases:
        record(name, call(port, "GET", path, **options), expected, 5)
    chunks = (b"x" * 65536 for _ in range(161))  # 10,551,296 bytes, over the 10,485,760 limit
    record("chunked body over 10 MB", call(port, "POST", "/v1/extract", chunks, {"Content-Type": "text/html"}),
           413, 5)

    origin = "chrome-extension://" + "a" * 32 + ".evil.example"
    status, headers, _, seconds = call(port, "OPTIONS", "/v1/extract", None,
                                       {"Origin": origin, "Access-Control-Request-Method": "POST"})
    allowed = headers.get("access-control-allow-origin")
    healthz = call(port, "GET", "/healthz")

    for name, status_, _, is_json, seconds_, _, detail in answers:
        print(f"\n{name:<46} {status_}  {seconds_:6.2f} s  {'JSON' if is_json else 'not JSON'}  {detail}")
    print(f"\nCORS preflight from a look-alike origin         {status}  {seconds:6.2f} s  allowed: {allowed}")
    print(f"\n/healthz afterwards                            {healthz[0]}  {healthz[3]:6.2f} s")
    for name, status_, expected, is_json, seconds_, bound, detail in answers:
        assert (status_, is_json) == (expected, True), (name, status_, detail)
        assert seconds_ < bound, (name, seconds_)
    assert status < 500 and allowed is None
    assert healthz[0] == 200 and healthz[3] < 1
