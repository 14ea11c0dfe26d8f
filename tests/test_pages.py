"""The HTML pages through the test client: /, /read, /bookmarklet, their headers, and the bookmarklet link."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest

from server import create_app
from server.bookmarklet import minified_source, minify

ROOT = Path(__file__).resolve().parents[1]
DAILY8_URL = "https://www.daily8.ai/news/us-envoy-plays-down-washington-tokyo-trade-row"
HOSTILE = """<html><head><title>Hostile</title><base href="https://evil.example/"></head><body><article>
<h1>Hostile</h1>
<p onclick="alert(1)" style="position:fixed">A paragraph long enough to be the article, with a
<a href="javascript:alert(1)">script link</a>, a <a href="https://example.org/ok">fine link</a> and
some more words so that readability scores it as the main content.</script><script>alert(2)</script></p>
<p>Another paragraph of prose, <img src="x" onerror="alert(3)"> <img src="data:image/png;base64,AAAA">
<iframe src="https://evil.example/frame"></iframe><svg><script>alert(4)</script></svg>
and it goes on for a while so that there is plenty of text to keep.</p>
<script>alert(5)</script><style>body{display:none}</style>
<form action="https://evil.example/steal"><input name="password"></form>
</article></body></html>"""


def app_with(**overrides):
    return create_app({"testing": True, "workers": 0, **overrides})


def csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def scripts(body: bytes):
    return lxml.html.fromstring(body).xpath("//script")


def data_block(response) -> dict:
    blocks = [s for s in scripts(response.data) if s.get("type") == "application/json"]
    assert len(blocks) == 1
    return json.loads(blocks[0].text)


def link_of(response) -> str:
    return lxml.html.fromstring(response.data).get_element_by_id("bookmarklet").get("href")


def settings_in(link: str) -> dict:
    assert link.startswith("javascript:")
    code = unquote(link.removeprefix("javascript:"))
    match = re.fullmatch(r"(.*)\}\)\((\{.*\})\);", code, re.S)
    assert match, code[-200:]
    return json.loads(match.group(2))


# --- headers -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/read", "/bookmarklet"])
def test_pages_are_html_with_security_headers_and_no_inline_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    # /read must stay reachable from the page that opened it.
    assert "Cross-Origin-Opener-Policy" not in response.headers
    for script in scripts(response.data):
        assert script.get("src", "").startswith("/static/") or script.get("type") == "application/json"
        assert script.get("src") or not script.text or script.get("type") == "application/json"


def test_read_has_a_strict_content_security_policy(client):
    policy = csp(client.get("/read"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert set(policy["img-src"]) == {"'self'", "https:", "http:"}
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_read_is_never_cached(client, daily8_html):
    assert client.get("/read").headers["Cache-Control"] == "no-store"
    assert client.post("/read", data={"html": daily8_html}).headers["Cache-Control"] == "no-store"


def test_read_points_its_script_at_the_api(client):
    page = lxml.html.fromstring(client.get("/read").data)
    assert page.body.get("data-api") == "/v1/extract"
    assert [s.get("src") for s in page.xpath("//script[@src]")] == ["/static/prefs.js", "/static/reader.js"]


# --- the home page -------------------------------------------------------------------------------------

def test_home_offers_an_address_and_a_paste_form_and_links_the_other_ways(client):
    response = client.get("/")
    page = lxml.html.fromstring(response.data)
    by_url, by_html = page.forms
    assert (by_url.get("method"), by_url.get("action")) == ("get", "/read")
    assert by_url.inputs["url"].get("type") == "url"
    assert (by_html.get("method"), by_html.get("action")) == ("post", "/read")
    assert by_html.get("enctype") == "multipart/form-data"
    assert set(by_html.inputs.keys()) == {"html", "url"}
    assert page.xpath("//a[@href='/bookmarklet']")
    assert b"docs/extension.md" in response.data
    assert b"http://localhost/v1/extract" in response.data


def test_home_without_fetching_offers_only_the_paste_form():
    page = lxml.html.fromstring(app_with(fetch=False).test_client().get("/").data)
    assert len(page.forms) == 1 and page.forms[0].get("method") == "post"


# --- the bookmarklet -------------------------------------------------------------------------------------

def test_bookmarklet_link_targets_the_request_origin(client):
    response = client.get("/bookmarklet")
    assert response.status_code == 200
    assert settings_in(link_of(response)) == {"reader": "http://localhost/read", "origin": "http://localhost"}
    other = client.get("/bookmarklet", base_url="https://declutter.local:8443")
    assert settings_in(link_of(other)) == {"reader": "https://declutter.local:8443/read",
                                           "origin": "https://declutter.local:8443"}
    assert b"https://declutter.local:8443" in other.data


@pytest.mark.parametrize(("public_url", "expected"), [
    ("https://read.example.org", {"reader": "https://read.example.org/read", "origin": "https://read.example.org"}),
    ("https://example.org/declutter/", {"reader": "https://example.org/declutter/read",
                                        "origin": "https://example.org"}),
])
def test_bookmarklet_link_targets_the_public_url(public_url, expected):
    client = app_with(public_url=public_url).test_client()
    assert settings_in(link_of(client.get("/bookmarklet", base_url="http://10.0.0.5:8000"))) == expected


def test_bookmarklet_link_ignores_a_public_url_that_is_not_http():
    client = app_with(public_url="javascript:alert(1)").test_client()
    assert settings_in(link_of(client.get("/bookmarklet")))["origin"] == "http://localhost"


def test_the_origin_is_injected_as_json_and_the_link_is_percent_encoded():
    hostile = 'https://example.org/a"b\\c</script>'
    client = app_with(public_url=hostile).test_client()
    link = link_of(client.get("/bookmarklet"))
    assert settings_in(link)["reader"] == hostile + "/read"
    assert not set(link.removeprefix("javascript:")) & set(' "<>#`\\{}|^[]\n')
    assert unquote(link.removeprefix("javascript:")) == minified_source().replace(
        "DECLUTTER_SERVICE", json.dumps(settings_in(link), separators=(",", ":")))


def test_bookmarklet_link_is_the_readable_source_minified():
    source = (ROOT / "server" / "static" / "bookmarklet.js").read_text(encoding="utf-8")
    code = minified_source()
    assert len(code) < len(source) / 2
    assert "//" not in code.replace("://", "")
    assert "/*" not in code
    for needle in ('"declutter:ready"', '"declutter:page"', "securitypolicyviolation", "multipart/form-data"):
        assert needle in code


@pytest.mark.skipif(not shutil.which("node"), reason="needs node to parse JavaScript")
def test_minified_bookmarklet_parses():
    code = minified_source().replace("DECLUTTER_SERVICE", '{"reader":"http://x/read","origin":"http://x"}')
    result = subprocess.run(["node", "-e", "new Function(require('fs').readFileSync(0, 'utf8'))"],
                            input=code, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_minify_keeps_strings_and_line_breaks_that_matter():
    source = """
    // a comment
    var a = "http://x/*y*/" ; /* block */ var b = 'it\\'s // fine';
    function f() {
      return
        a;
    }
    var c = a
    f ( c , b ) ;
    var d = a - -1;
    """
    code = minify(source)
    assert code == ('var a="http://x/*y*/";var b=\'it\\\'s // fine\';function f(){return\na;}\n'
                    'var c=a\nf(c,b);var d=a - -1;')


@pytest.mark.parametrize("source", ["var a = b / c;", "var r = /x/g;", "var t = `x`;", "var s = 'open"])
def test_minify_refuses_what_it_cannot_read_safely(source):
    with pytest.raises(ValueError):
        minify(source)


def test_bookmarklet_page_never_carries_the_token():
    client = app_with(api_token="s3cret").test_client()
    response = client.get("/bookmarklet")
    assert b"s3cret" not in response.data
    assert b"access token" in response.data


# --- POST /read -----------------------------------------------------------------------------------------

# The reader's script extracts the posted page through the API, with what only this browser holds: the
# access token and the reader's corrections for the site (tests/browser/test_reader_corrections.py).
def test_posted_page_is_handed_to_the_reader_in_an_inert_data_block(client):
    response = client.post("/read", data={"html": HOSTILE, "url": "https://example.org/story"},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert data_block(response) == {"page": {"html": HOSTILE, "url": "https://example.org/story"}}
    # The only scripts are the page's own: nothing posted broke out of the data block.
    page_scripts = scripts(response.data)
    assert [s.get("src") for s in page_scripts if s.get("src")] == ["/static/prefs.js", "/static/reader.js"]
    assert len(page_scripts) == 3
    assert b"alert(" not in response.data.split(b'id="declutter-data">')[0]
    assert b"</script><script>alert(2)" not in response.data


def test_a_posted_page_without_html_or_address_is_an_error_for_the_reader(client):
    response = client.post("/read", data={"html": "   "})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert data_block(response)["error"]["code"] == "bad_request"
    assert data_block(response)["error"]["message"]


def test_posted_address_alone_goes_to_the_fetching_reader(client):
    response = client.post("/read", data={"url": "https://example.org/a b"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/read?url=https://example.org/a+b"


def test_posted_page_over_the_limit_is_refused_with_a_message():
    client = app_with(max_bytes=4096).test_client()
    response = client.post("/read", data={"html": "<p>" + "x" * 10_000 + "</p>"},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert data_block(response)["error"]["code"] == "too_large"


def test_large_page_under_the_limit_is_accepted(daily8_html):
    # Werkzeug keeps form fields to 500 kB by default; a page may be larger than that.
    client = app_with(max_bytes=2_000_000).test_client()
    big = daily8_html.replace("</body>", "<!--" + "x" * 700_000 + "--></body>")
    response = client.post("/read", data={"html": big}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert data_block(response)["page"]["html"] == big


def test_with_a_token_the_api_still_wants_it_for_a_posted_page():
    client = app_with(api_token="s3cret").test_client()
    response = client.post("/read", data={"html": HOSTILE, "url": "https://example.org/story"})
    assert data_block(response) == {"page": {"html": HOSTILE, "url": "https://example.org/story"}}
    assert client.post("/v1/extract", json={"html": HOSTILE}).status_code == 401


# --- the reader's allowlist ---------------------------------------------------------------------------

ALLOWED = set("""a abbr b blockquote br caption cite code col colgroup dd del dfn div dl dt em figcaption
figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub sup table tbody td
tfoot th thead time tr u ul var wbr""".split())


def allowed_tags(path: Path) -> set[str]:
    source = path.read_text(encoding="utf-8")
    block = re.search(r"ALLOWED_TAGS = new Set\(\[(.*?)\]\)", source, re.S).group(1)
    return set(re.findall(r'"([a-z0-9]+)"', block))


def test_reader_allowlist_is_the_documented_one():
    # The extension's reader has the same file (tests/test_shared_reader_files.py).
    assert allowed_tags(ROOT / "server" / "static" / "article.js") == ALLOWED
