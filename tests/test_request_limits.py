"""What the service makes of odd requests: a streamed body over the limit, a malformed Host, a look-alike
CORS origin, and one rate-limit budget per client across routes, workers and instances (the last with a
real redis-server on 127.0.0.1)."""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import time

import pytest
from helpers import article_page, require_system_package

from server import create_app

LIMIT = 4096


def app_with(**overrides):
    return create_app({"testing": True, "workers": 0, **overrides})


def post_streamed(client, path, body: bytes, content_type: str):
    """A chunked request as gunicorn hands it over: no Content-Length, the stream ends where the body does."""
    return client.post(path, input_stream=io.BytesIO(body), content_type=content_type,
                       headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})


# -- a streamed body is held to the same limit as one with a Content-Length ----------------------------

def test_a_streamed_body_over_the_limit_is_413_not_cut_and_read():
    page = article_page().encode()
    client = app_with(max_bytes=len(page)).test_client()
    assert post_streamed(client, "/v1/extract", page, "text/html").status_code == 200
    reply = post_streamed(client, "/v1/extract", page + b" ", "text/html")
    assert reply.status_code == 413 and reply.get_json()["error"]["code"] == "too_large"


def test_a_streamed_json_body_over_the_limit_is_413():
    client = app_with(max_bytes=LIMIT).test_client()
    body = b'{"html": "' + b"x" * LIMIT + b'"}'
    reply = post_streamed(client, "/v1/extract", body, "application/json")
    assert reply.status_code == 413 and reply.get_json()["error"]["code"] == "too_large"


def test_a_streamed_form_over_the_limit_is_413_on_the_reader():
    client = app_with(max_bytes=LIMIT).test_client()
    body = ("html=<p>" + "x" * LIMIT + "</p>").encode()
    reply = post_streamed(client, "/read", body, "application/x-www-form-urlencoded")
    assert reply.status_code == 413


# -- a malformed Host is a 400, not a 500 --------------------------------------------------------------

@pytest.mark.parametrize("host", ["[", "[::1", "a]b", "exa mple", "x:notaport", "::::", "a/b", "a@b", "\\"])
@pytest.mark.parametrize("path", ["/bookmarklet", "/"])
def test_a_malformed_host_header_is_400_json(host, path):
    reply = app_with().test_client().get(path, headers={"Host": host})
    assert reply.status_code == 400, reply.get_data()
    assert reply.get_json()["error"]["code"] == "bad_request"


# -- CORS matches the whole origin ---------------------------------------------------------------------

CHROME_ID = "abcdefghijklmnopabcdefghijklmnop"
FIREFOX_ID = "0f0e0d0c-1111-2222-3333-444455556666"


def allowed_origin(origin, **overrides):
    reply = app_with(**overrides).test_client().options(
        "/v1/extract", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    return reply.headers.get("Access-Control-Allow-Origin")


@pytest.mark.parametrize("origin", [
    f"chrome-extension://{CHROME_ID}.evil.example", f"chrome-extension://{CHROME_ID}x",
    f"chrome-extension://{CHROME_ID}/", f"chrome-extension://{CHROME_ID}:443",
    f"moz-extension://{FIREFOX_ID}.evil.example", f"moz-extension://{FIREFOX_ID}0",
    "moz-extension://------------------------------------", "chrome-extension://qrstuvwxyzqrstuvwxyzqrstuvwxyzqr",
])
def test_a_lookalike_extension_origin_is_not_allowed(origin):
    assert allowed_origin(origin) is None


def test_configured_origins_are_literal_even_with_regex_characters():
    assert allowed_origin("https://evil.example", cors_origins=("https://.*",)) is None
    assert allowed_origin("https://.*", cors_origins=("https://.*",)) == "https://.*"


# -- one rate-limit budget per client ------------------------------------------------------------------

def spend(client, route: str) -> int:
    if route == "/read":
        return client.post("/read", data={"html": "", "url": ""}).status_code
    return client.post("/v1/extract", json={}).status_code


def test_the_rate_limit_is_one_budget_across_routes():
    client = app_with(rate_limit="4/minute").test_client()
    statuses = [spend(client, route) for route in ("/v1/extract", "/read", "/v1/extract", "/read", "/read",
                                                   "/v1/extract")]
    assert statuses[:4] == [400, 400, 400, 400]
    assert statuses[4:] == [429, 429]
    assert client.get("/bookmarklet").status_code == 429
    assert client.get("/healthz").status_code == 200  # never limited


@pytest.fixture(scope="module")
def redis_url():
    """A real redis-server on a free loopback port, for this module's tests only."""
    if not shutil.which("redis-server"):
        require_system_package("redis-server (apt-get update && apt-get install -y redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def test_with_redis_the_budget_is_shared_by_workers_and_instances(redis_url):
    """Two apps stand for two gunicorn workers, or two instances: each has its own limiter."""
    settings = {"rate_limit": "5/minute", "rate_limit_storage": redis_url, "trusted_proxies": 1}
    workers = [app_with(**settings).test_client() for _ in range(2)]
    client = {"X-Forwarded-For": "198.51.100.7"}
    other = {"X-Forwarded-For": "198.51.100.8"}
    statuses = [workers[i % 2].post(route, json={}, headers=client).status_code if route == "/v1/extract"
                else workers[i % 2].post(route, data={"html": ""}, headers=client).status_code
                for i, route in enumerate(["/v1/extract", "/read"] * 3)]
    assert statuses == [400] * 5 + [429]
    assert workers[0].post("/v1/extract", json={}, headers=other).status_code == 400  # its own budget
