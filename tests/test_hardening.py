"""Hostile input, the worker pool's deadline and memory ceiling, the token, rate limits and headers.

Every hostile input is answered with its own status and code, within a bound far below what it would
cost unchecked (seconds to minutes), and the next ordinary request still succeeds.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from declutter.errors import BadInput, NoArticle
from declutter.pipeline import Article, guard
from declutter.pipeline.options import DEFAULT_OPTIONS, Options
from server import create_app
from server.config import Config
from server.http_errors import status_of
from server.runner import InProcessRunner, WorkerPool

ROOT = Path(__file__).resolve().parents[1]
BOUND_S = 5.0  # generous: the point is "no blow-up", not speed
SENTENCE = "A sentence of the article, long enough to be counted as real running text. "
ARTICLE = "<p>" + SENTENCE * 12 + "</p>"


def page(body: str = "", head: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><title>Hardening</title>{head}</head>"
            f"<body><article><h1>Hardening</h1>{ARTICLE * 4}{body}</article></body></html>")


def attributes(n: int) -> str:
    return " ".join(f"a{i}=x" for i in range(n))


def post_html(client, html: str | bytes, content_type: str = "text/html; charset=utf-8"):
    started = time.monotonic()
    response = client.post("/v1/extract", data=html, content_type=content_type)
    return response, time.monotonic() - started


def assert_still_serves(client):
    response, _ = post_html(client, page())
    assert response.status_code == 200, response.get_json()
    assert SENTENCE.strip() in response.get_json()["text"]


# ---- hostile pages through the API -------------------------------------------------------------------

HOSTILE = {
    "40,000 attributes on one tag": (lambda: page(f"<div {attributes(40_000)}>x</div>"), 422,
                                     "too_many_attributes"),
    "200,000 attributes on one tag": (lambda: page(f"<div {attributes(200_000)}>x</div>"), 422,
                                      "too_many_attributes"),
    "attributes without values": (lambda: page("<p " + " ".join(f"b{i}" for i in range(5_000)) + ">x</p>"),
                                  422, "too_many_attributes"),
    "attributes separated by slashes": (lambda: page("<p/" + "/".join(f"c{i}" for i in range(5_000)) + ">x"),
                                        422, "too_many_attributes"),
    # HTML5 (and libxml2) read `="` as an attribute name, not as the start of a quoted value.
    "attributes behind an attribute named =\"": (lambda: page(f'<div ="><div {attributes(5_000)}>x</div>'),
                                                 422, "too_many_attributes"),
    "a million tiny elements (14 MB)": (lambda: page("<span>x</span>" * 1_000_000), 413, "too_large"),
    "a million tiny elements (8 MB, under the size limit)": (lambda: page("<i>x</i>" * 1_000_000), 422,
                                                             "too_many_elements"),
    "60,000 unclosed paragraphs": (lambda: page("<p>word" * 60_000), 422, "too_many_elements"),
    "nesting 5,000 deep": (lambda: page("<div>" * 5_000 + "deep" + "</div>" * 5_000), 422, "too_deep"),
    "nesting 600 deep, unclosed": (lambda: page("<blockquote>" * 600 + "deep"), 422, "too_deep"),
    "&amp; in a long link": (lambda: page('<p><a href="https://example.com/?' + "a=1&amp;" * 300_000
                                          + '">link</a> ' + SENTENCE * 3 + "</p>"), 422, "too_many_entities"),
    "an empty body": (lambda: b"", 400, "bad_request"),
    "only whitespace": (lambda: "  \n\t ", 400, "bad_request"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_page_is_refused_quickly_and_the_service_survives(client, name):
    make, status, code = HOSTILE[name]
    response, seconds = post_html(client, make())
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]
    assert seconds < BOUND_S, f"{name}: {seconds:.1f} s"
    assert_still_serves(client)


@pytest.mark.parametrize("data", [
    os.urandom(20_000),
    bytes(range(256)) * 40,
    b"\x00" * 5000,
    b"\xff\xfe" + os.urandom(5000),  # a UTF-16 BOM before noise
    "<html>\x00\x01<body>\ud800<p title='\x02\x03'>x</p>".encode("utf-8", "surrogatepass"),
], ids=["random", "all-bytes", "nul", "utf16-bom-noise", "controls-and-surrogates"])
def test_binary_noise_is_an_answer_not_a_crash(client, data):
    response, seconds = post_html(client, data, content_type="text/html")
    assert response.status_code in (200, 400, 415, 422), response.get_json()
    assert seconds < BOUND_S
    assert_still_serves(client)


def test_control_characters_inside_attributes_are_harmless(client):
    html = page('<p><a href="https://example.com/a\x01b" title="x\x02y\x0b">link</a> ' + SENTENCE + "</p>")
    response, seconds = post_html(client, html)
    assert response.status_code == 200
    assert seconds < BOUND_S


def test_nesting_between_the_parsers_old_limit_and_ours_keeps_all_text(client):
    """libxml2 without huge_tree drops everything past depth ~255, the text after it included."""
    depth = 400
    html = page("<div>" * depth + ARTICLE + "<p>Deepest words here.</p>" + "</div>" * depth
                + "<p>Words after the deep part.</p>")
    response, seconds = post_html(client, html)
    assert response.status_code == 200, response.get_json()
    text = response.get_json()["text"]
    assert "Deepest words here." in text
    assert "Words after the deep part." in text
    assert seconds < BOUND_S


def test_deeply_nested_json_is_a_400_not_a_500(client):
    response = client.post("/v1/extract", data="[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("json_ld", [
    "[" * 50_000 + "]" * 50_000,  # past the decoder's recursion limit
    '{"@type": "NewsArticle", "author": ' + "[" * 900 + '{"name": "Ann"}' + "]" * 900 + "}",  # under it
    '{"@type": "NewsArticle", "image": ' + "[" * 900 + '"https://example.org/i.png"' + "]" * 900 + "}",
], ids=["past the decoder's limit", "authors under it", "images under it"])
def test_a_pages_deeply_nested_json_ld_is_no_metadata_not_a_500(client, json_ld):
    html = page(head=f"<script type='application/ld+json'>{json_ld}</script>")
    response = client.post("/v1/extract", json={"html": html, "url": "https://example.org/a"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["byline"] is None and SENTENCE.strip() in response.get_json()["text"]


# ---- no false refusals: what looks like markup but is not ---------------------------------------------

LOOKALIKES = {
    "tags inside a script": page(head="<script>var s = '" + "<b a=1 b=2>" * 60_000 + "';</script>"),
    "attributes inside a script": page(head=f"<script>var s = '<div {attributes(5_000)}>';</script>"),
    "tags inside a comment": page("<!-- " + "<i>x</i>" * 60_000 + " -->"),
    "tags inside a style": page(head="<style>/* " + "<p>" * 60_000 + " */</style>"),
    "tags inside a textarea": page("<textarea>" + "<p>" * 60_000 + "</textarea>"),
    "tags inside a template's script": page("<SCRIPT type=text/template>" + "<li>" * 60_000 + "</script >"),
    "a quoted > inside an attribute": page('<p title="a > b">' + SENTENCE + "</p>"),
    "many attributes, under the limit": page(f"<p {attributes(DEFAULT_OPTIONS.max_attributes - 10)}>" + SENTENCE
                                             + "</p>"),
    "a normal amount of &amp;": page("<p>" + "Tom &amp; Jerry, &nbsp; " * 2_000 + "</p>"),
}


@pytest.mark.parametrize("name", list(LOOKALIKES))
def test_markup_lookalikes_are_not_refused(client, name):
    response, seconds = post_html(client, LOOKALIKES[name])
    assert response.status_code == 200, response.get_json()
    assert seconds < BOUND_S


# ---- the pre-parse tokenizer ----------------------------------------------------------------------------

@pytest.mark.parametrize("markup, tags", [
    ("<p>a<p>b", ["p", "p"]),
    ("<script><p>x</p></script><p>y", ["script", "p"]),
    ("<scrIPT><p></SCRipt ><p>k", ["scrIPT", "p"]),
    ("<script><p></scriptx><p>still text</script><b>", ["script", "b"]),
    ("<div><!-- <p> -- > --><p>z", ["div", "p"]),
    ("<!--><p>after an empty comment", ["p"]),
    ("<!-- a --!><p>after a bang-closed comment", ["p"]),
    ("<!-- unterminated <p> <b>", []),
    ('<div title="x>y" b><i>', ["div", "i"]),
    ('<div a"b><p q=1>', ["div", "p"]),
    ('<div ="><p a b c>x</p>">', ["div", "p"]),
    ("<plaintext><p>all text from here", ["plaintext"]),
    ("<p>1 <3 and 2<4 <> </>", ["p"]),
    ("<?php <p> ?><b>", ["b"]),
    ("</div a=1><i>", ["i"]),
    ("<script\u00a0><p>", ["script\u00a0", "p"]),  # a no-break space is part of the name in HTML
    ("<\u017fcript><p>", ["p"]),  # the long s does not fold to "script"
])
def test_start_tags_follow_html_tokenization(markup, tags):
    assert [name for name, _ in guard.start_tags(markup)] == tags


def test_start_tags_match_what_lxml_builds():
    """The scanner may count more than the tree holds, never less (html, head, body may be implied)."""
    from lxml import etree

    from declutter.pipeline import decode

    markup = page('<table><td>a<td>b</table><ul><li>1<li>2</ul><select><option>x<option>y</select>'
                  '<svg><style><p>q</style></svg><noscript><p>n</p></noscript>')
    root = decode.parse(markup)
    elements = sum(1 for _ in root.iter(etree.Element))
    assert len(list(guard.start_tags(markup))) >= elements - 3


@pytest.mark.parametrize("markup, count", [
    (" a b c", 3), (" a=1 b='2' c=\"3\"", 3), ("/a/b/c", 3), (' a="1"b="2"', 2), (" a='x y' b", 2),
    (' ="x" y', 2), ("", 0),
])
def test_count_attributes(markup, count):
    assert guard.count_attributes(markup) == count


@pytest.mark.parametrize("unit", ['<a "', "<!--", "<a b='", "<a a=", "<", "<a/", "<a =", "<a\t", "<a x='>'"])
def test_the_scanner_is_linear_on_pathological_text(unit):
    options = Options(max_elements=10**9, max_attributes=10**9, max_total_attributes=10**9)

    def seconds(n: int) -> float:  # best of three, against the noise of a shared machine
        text = unit * (n // len(unit))
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            guard.check_markup(text, options)
            best = min(best, time.perf_counter() - started)
        return best

    small, large = seconds(200_000), seconds(1_600_000)
    assert large < 2.0 and large < 20 * small + 0.05  # 8x the text: linear is 8x the time, quadratic 64x


@pytest.mark.parametrize("markup", ["<i a b c>", "<i a=1 b c>", '<i a="" b=\'\'c>', "<i/a/b/c>"])
def test_the_attribute_total_is_exact_at_the_limit(markup):
    """Three attributes a tag, in as few characters as each can take: 100 tags meet a limit of 300, 101 pass it."""
    options = Options(max_total_attributes=300)
    guard.check_markup(markup * 100, options)
    with pytest.raises(Exception, match="more than 300 attributes"):
        guard.check_markup(markup * 101, options)


def test_limits_are_not_hit_by_pages_under_them():
    options = Options(max_elements=1_000, max_attributes=100)
    guard.check_markup("<html><body>" + "<i>x</i>" * 998, options)  # html and body are elements too
    guard.check_markup(f"<p {attributes(100)}>", options)
    with pytest.raises(Exception, match="more than 1000 elements"):
        guard.check_markup("<html><body>" + "<i>x</i>" * 999, options)


def test_depth_limit_stays_below_the_parsers_own():
    with pytest.raises(ValueError):
        Options(max_depth=5000)
    assert DEFAULT_OPTIONS.max_depth < 2048


# ---- token ------------------------------------------------------------------------------------------------

@pytest.fixture
def token_client():
    return create_app({"testing": True, "workers": 0, "api_token": "s3cret-token"}).test_client()


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"},
    {"Authorization": "Bearer s3cret-token "}, {"Authorization": "Basic s3cret"},
])
def test_extract_without_the_right_token_is_401(token_client, headers):
    response = token_client.post("/v1/extract", json={"html": page()}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_extract_with_the_right_token_is_200(token_client):
    response = token_client.post("/v1/extract", json={"html": page()},
                                 headers={"Authorization": "Bearer s3cret-token"})
    assert response.status_code == 200
    assert response.get_json()["title"] == "Hardening"


def test_healthz_and_preflight_need_no_token(token_client):
    assert token_client.get("/healthz").status_code == 200
    preflight = token_client.options("/v1/extract", headers={
        "Origin": "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type",
    })
    assert preflight.status_code == 200


def test_token_is_read_from_the_environment():
    assert Config.from_env({"DECLUTTER_API_TOKEN": "abc"}).api_token == "abc"
    assert Config.from_env({}).api_token == ""


# ---- rate limit -------------------------------------------------------------------------------------------

def test_rate_limit_is_off_by_default(client):
    for _ in range(30):
        assert client.get("/v1/extract").status_code == 400  # no html, no url: answered, not limited


def test_rate_limit_answers_429_json_with_retry_after():
    client = create_app({"testing": True, "workers": 0, "rate_limit": "3/minute"}).test_client()
    statuses = [client.post("/v1/extract", json={"html": page()}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.post("/v1/extract", json={"html": page()})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert "3 per 1 minute" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/healthz").status_code == 200  # never limited


def test_rate_limit_is_per_client_behind_a_trusted_proxy():
    client = create_app({"testing": True, "workers": 0, "rate_limit": "1/minute",
                         "trusted_proxies": 1}).test_client()

    def get(address):
        return client.get("/v1/extract", headers={"X-Forwarded-For": address}).status_code

    assert get("203.0.113.1") == 400
    assert get("203.0.113.2") == 400
    assert get("203.0.113.1") == 429


def test_a_bad_rate_limit_fails_at_startup():
    with pytest.raises(ValueError, match="DECLUTTER_RATE_LIMIT"):
        create_app({"testing": True, "workers": 0, "rate_limit": "sixty a minute"})


@pytest.mark.parametrize("variable, value", [
    ("DECLUTTER_TIMEOUT_S", "nan"), ("DECLUTTER_TIMEOUT_S", "0"), ("DECLUTTER_TIMEOUT_S", "inf"),
    ("DECLUTTER_MAX_BYTES", "0"), ("DECLUTTER_WORKERS", "-1"), ("DECLUTTER_WORKER_MEMORY_MB", "0"),
    ("DECLUTTER_WORKER_MAX_PAGES", "0"), ("DECLUTTER_FETCH_PORTS", "443,70000"), ("DECLUTTER_TRUSTED_PROXIES", "-1"),
])
def test_a_setting_that_could_only_fail_requests_fails_at_startup(variable, value):
    # A deadline of NaN answered every request 500; a body limit of 0 refused every page.
    with pytest.raises(ValueError, match=f"{variable}=.* is out of range"):
        Config.from_env({variable: value})


def test_new_settings_are_read_from_the_environment():
    config = Config.from_env({"DECLUTTER_RATE_LIMIT": "5/second", "DECLUTTER_TRUSTED_PROXIES": "2",
                              "DECLUTTER_RATE_LIMIT_STORAGE": "memory://", "DECLUTTER_TIMEOUT_S": "2.5",
                              "DECLUTTER_WORKERS": "0", "DECLUTTER_WORKER_MEMORY_MB": "512"})
    assert (config.rate_limit, config.trusted_proxies, config.timeout_s, config.workers,
            config.worker_memory_mb) == ("5/second", 2, 2.5, 0, 512)


# ---- headers ----------------------------------------------------------------------------------------------

def test_every_response_says_nosniff(client):
    for response in (client.get("/healthz"), client.get("/v1/extract"),
                     client.post("/v1/extract?format=text", json={"html": page()}),
                     client.post("/v1/extract?format=markdown", json={"html": page()})):
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_html_responses_get_frame_and_referrer_defaults(client):
    response = client.post("/v1/extract?format=html", json={"html": page()})
    assert response.mimetype == "text/html"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_pages_own_policy_is_kept(client):
    response = client.get("/read")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]  # set by pages.py, not replaced


# ---- the worker pool ------------------------------------------------------------------------------------

def slow_page() -> str:
    """Within every limit, and seconds of work: many short paragraphs."""
    return page("<p>word word word</p>" * (DEFAULT_OPTIONS.max_elements - 100))


@pytest.fixture
def pool_app():
    apps = []

    def make(**overrides):
        app = create_app({"testing": True, "workers": 1, "timeout_s": 0.5, **overrides})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["declutter.runner"].close()


def test_workers_0_runs_in_process(app):
    assert isinstance(app.extensions["declutter.runner"], InProcessRunner)


def test_pool_starts_no_process_until_the_first_request(pool_app):
    app = pool_app(workers=2, timeout_s=10)
    pool = app.extensions["declutter.runner"]
    assert isinstance(pool, WorkerPool)
    assert pool.worker_pids() == []
    response, _ = post_html(app.test_client(), page())
    assert response.status_code == 200
    assert len(pool.worker_pids()) == 1  # one request at a time needs one worker


def test_overrunning_worker_is_killed_with_a_503_and_replaced(pool_app):
    app = pool_app(timeout_s=0.5)
    client = app.test_client()
    for _ in range(5):  # start the pool outside the timed part; on a loaded machine a cold start can overrun
        if post_html(client, page())[0].status_code == 200:
            break
    before = app.extensions["declutter.runner"].worker_pids()
    assert before, "the pool never served the warm-up page"
    response, seconds = post_html(client, slow_page())
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "timeout"
    assert seconds < 0.5 + 2.0
    assert not _alive(before[0])
    assert_still_serves(client)
    assert app.extensions["declutter.runner"].worker_pids() != before


def test_a_worker_makes_way_for_a_fresh_one_after_its_pages(pool_app):
    """libxml2 keeps every id value it copies for the life of the process: a worker serves so many pages."""
    app = pool_app(timeout_s=10, worker_max_pages=2)
    client, pool = app.test_client(), app.extensions["declutter.runner"]
    served_by = []
    for _ in range(3):
        assert post_html(client, page())[0].status_code == 200
        served_by.append(pool.worker_pids())
    first = served_by[0]
    assert len(first) == 1 and served_by[1] == [] and not _alive(first[0])  # gone with its second reply
    assert len(served_by[2]) == 1 and served_by[2] != first


def test_the_reply_is_rendered_in_the_worker_under_its_deadline(pool_app):
    """Markdown of a large article takes seconds: rendering is part of the work the deadline bounds."""
    pool = pool_app(timeout_s=10).extensions["declutter.runner"]
    body, mimetype = pool.run(page(), fmt="markdown")
    assert mimetype == "text/markdown" and body.startswith("# Hardening")
    assert isinstance(pool.run(page()), Article)  # without a format, the Article itself


def test_errors_from_a_worker_keep_their_type_status_and_code(pool_app):
    pool = pool_app(timeout_s=10).extensions["declutter.runner"]
    with pytest.raises(NoArticle) as no_article:
        pool.run("<html><body></body></html>")
    assert (status_of(no_article.value), no_article.value.code) == (422, "no_article")
    with pytest.raises(BadInput):
        pool.run(page(), url="ftp://example.com/")
    hostile = pool_app(timeout_s=10).test_client()
    response, _ = post_html(hostile, page("<div>" * 5_000))
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, "too_deep")


def test_worker_out_of_memory_is_a_422_and_the_worker_is_replaced(pool_app):
    app = pool_app(timeout_s=20, worker_memory_mb=100)
    client = app.test_client()
    assert_still_serves(client)
    big = page("<p>" + SENTENCE + "</p><img alt='" + "x" * 8_000_000 + "'>")
    response, seconds = post_html(client, big)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "out_of_memory"
    assert seconds < BOUND_S
    assert_still_serves(client)


def test_a_worker_that_dies_is_a_503_and_is_replaced(pool_app):
    app = pool_app(timeout_s=20)
    client = app.test_client()
    pool = app.extensions["declutter.runner"]
    assert_still_serves(client)
    pid = pool.worker_pids()[0]
    killer = threading.Timer(0.3, os.kill, (pid, signal.SIGKILL))
    killer.start()
    response, seconds = post_html(client, slow_page())
    killer.join()
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "worker_failed"
    assert seconds < BOUND_S
    assert_still_serves(client)


def test_requests_beyond_the_pool_wait_then_get_busy(pool_app):
    pool = pool_app(timeout_s=0.3).extensions["declutter.runner"]
    pool._slots.acquire()  # the only worker is taken
    try:
        started = time.monotonic()
        with pytest.raises(Exception) as busy:
            pool.run(page())
        assert (status_of(busy.value), busy.value.code) == (503, "busy")
        assert time.monotonic() - started < 2
    finally:
        pool._slots.release()


def test_closing_the_pool_stops_its_workers(pool_app):
    app = pool_app(workers=2, timeout_s=10)
    pool = app.extensions["declutter.runner"]
    assert_still_serves(app.test_client())
    pids = pool.worker_pids()
    pool.close()
    assert pids and not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


# ---- real servers: gunicorn as in the Procfile, and `declutter serve` ------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_processes(group: int) -> list[int]:
    """Live processes of the process group `group` (the server was started as its leader)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                pids.append(int(entry.name))
    return pids


@pytest.mark.parametrize("server", ["gunicorn", "declutter serve"])
def test_real_server_uses_the_pool_and_leaves_no_process_behind(server):
    port = _free_port()
    if server == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                   "--timeout", "30", "server:create_app()"]
    else:
        command = [sys.executable, "-m", "server.cli", "serve", "--port", str(port)]
    env = {**os.environ, "DECLUTTER_WORKERS": "1", "DECLUTTER_TIMEOUT_S": "0.5"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/healthz")
        assert _group_processes(process.pid) and len(_group_processes(process.pid)) <= 2  # no pool yet

        status, body = _post(base + "/v1/extract", page())
        assert status == 200 and body["title"] == "Hardening"
        status, body = _post(base + "/v1/extract", slow_page())
        assert status == 503 and body["error"]["code"] == "timeout"
        status, body = _post(base + "/v1/extract", page())
        assert status == 200
    finally:
        process.send_signal(signal.SIGTERM if server == "gunicorn" else signal.SIGINT)
        process.wait(20)
    deadline = time.monotonic() + 10
    while _group_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group_processes(process.pid) == []


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _post(url: str, html: str):
    request = urllib.request.Request(url, data=html.encode(), headers={"Content-Type": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
