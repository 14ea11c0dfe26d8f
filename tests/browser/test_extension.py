"""The extension in real headless browsers: capture a page, read it through the service, show it.

The main paths run in Chromium and in Firefox alike (the `extension` fixture, see extensions.py for how
each browser presses the toolbar button). The rest run in Chromium only (`chromium_extension`): they
reach into the worker (calling `openReader(tabId)` directly is not a click, so no activeTab, which one
test uses to check that message) or into Playwright's emulation (phone width, print).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, FIREFOX, LiveServer, _require_browser, free_port
from extensions import EXTENSION, ROOT, ChromiumExtension, FirefoxExtension

from server import create_app

pytestmark = pytest.mark.browser

SAMPLE = ROOT / "tests" / "fixtures" / "daily8-article.html"
# DECLUTTER_SCREENSHOTS=1 refreshes the pictures in docs/extension.md (taken in Chromium).
SCREENSHOTS = ROOT / "docs" / "img" if os.environ.get("DECLUTTER_SCREENSHOTS") == "1" else None

ARTICLE_TEXT = "Glass dismissed concerns that tensions over unilateral U.S. tariffs"
CLUTTER = ("Try Our AI Features", "Download the App", "Related Articles", "No comments yet")
STRICT_CSP = "default-src 'self'"


@pytest.fixture
def chromium_extension(playwright_instance, user_data_dir):
    _require_browser()
    args = CHROMIUM_ARGS + [
        f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}",
        "--enable-unsafe-extension-debugging",
    ]
    context = playwright_instance.chromium.launch_persistent_context(
        user_data_dir, executable_path=CHROMIUM, headless=False, args=args,
        viewport={"width": 1100, "height": 900},
    )
    try:
        yield ChromiumExtension(context)
    finally:
        context.close()


@pytest.fixture
def firefox_extension():
    _require_browser("firefox-esr")
    profile = tempfile.mkdtemp(prefix="declutter-firefox-")
    firefox = FirefoxExtension(FIREFOX, profile, free_port())
    try:
        yield firefox
    finally:
        firefox.close()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(params=["chromium", "firefox"])
def extension(request):
    """The extension in each browser in turn: the scenarios below run in both."""
    return request.getfixturevalue(f"{request.param}_extension")


@pytest.fixture
def service_with_token():
    server = LiveServer(create_app({"testing": True, "workers": 0, "api_token": "s3cret"}))
    yield server
    server.stop()


def screenshot(tab, name):
    """Saves a picture for the docs when asked to, from Chromium only so that the pictures stay alike."""
    if SCREENSHOTS and hasattr(tab, "page"):
        tab.page.screenshot(path=SCREENSHOTS / name)


def wait_for_state(reader, state):
    """Waits until the reader shows `state` ("article" or "message"); on timeout, says what it shows."""
    try:
        reader.wait_for("s => document.body.dataset.state === s", state)
    except TimeoutError as error:
        shown = reader.evaluate("() => [document.body.dataset.state, document.body.dataset.kind,"
                                " document.getElementById('status').innerText]")
        jobs = reader.evaluate("() => chrome.storage.session.get(null)")
        jobs = {k: {**v, "article": "..."} if "article" in v else v for k, v in jobs.items()}
        raise AssertionError(f"reader never reached {state!r}: shows {shown}; jobs {jobs}") from error


OUTER_HTML = "() => document.documentElement.outerHTML"
ACTIVE_TAB_IS = "async url => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0]?.url === url"


# --- in Chromium and in Firefox -------------------------------------------------------------------

def test_reader_shows_the_article_without_clutter_from_a_strict_csp_page(extension, service, site):
    extension.set_settings(serverUrl=service.url)
    url = site.add("/news/envoy", SAMPLE.read_bytes(), **{"Content-Security-Policy": STRICT_CSP})
    page = extension.open_page(url)
    before = page.evaluate(OUTER_HTML)

    reader = extension.click_action(page)
    assert reader.url.startswith(f"{extension.base_url}reader/reader.html?id=")
    wait_for_state(reader, "article")

    assert reader.text("#title") == "U.S. envoy plays down Washington-Tokyo trade row"
    assert reader.attribute("#original", "href") == url
    text = reader.text("#article")
    assert ARTICLE_TEXT in text
    assert "min read" in reader.text("#meta")
    present = [phrase for phrase in CLUTTER if phrase.lower() in text.lower()]
    assert present == [], f"clutter shown in the reader: {present}"
    assert page.evaluate(OUTER_HTML) == before, "the original page was changed"


def test_unreachable_server_names_the_url_and_the_fix(extension, site):
    closed = f"http://127.0.0.1:{free_port()}"
    extension.set_settings(serverUrl=closed)
    page = extension.open_page(site.add("/a", SAMPLE.read_bytes()))

    reader = extension.click_action(page)
    wait_for_state(reader, "message")

    status = reader.text("#status")
    assert "reach the Declutter server" in status
    assert f"{closed}/v1/extract" in status
    assert "options" in status
    assert reader.text("#status-actions button") == "Open the extension's options"
    screenshot(reader, "extension-server-unreachable.png")

    reader.click("#status-actions button")
    reader.wait_for(ACTIVE_TAB_IS, f"{extension.base_url}options/options.html")


def test_reader_controls_persist_across_readers(extension, service, site):
    extension.set_settings(serverUrl=service.url)
    page = extension.open_page(site.add("/news/envoy", SAMPLE.read_bytes()))
    reader = extension.click_action(page)
    wait_for_state(reader, "article")
    screenshot(reader, "extension-reader-light.png")

    for control in ("[data-setting=theme][data-value=dark]", "[data-setting=fontFamily][data-value=sans]",
                    "[data-setting=lineWidth][data-value=wide]", "[data-action=larger]"):
        reader.click(control)
    assert reader.evaluate("() => document.documentElement.dataset.theme") == "dark"
    reader.wait_for("async () => (await chrome.storage.local.get('fontSize')).fontSize === 20")
    stored = extension.settings()
    assert (stored["theme"], stored["fontFamily"], stored["lineWidth"], stored["fontSize"]) == (
        "dark", "sans", "wide", 20)
    screenshot(reader, "extension-reader-dark.png")

    second = extension.click_action(page)
    wait_for_state(second, "article")
    root = second.evaluate("() => ({...document.documentElement.dataset})")
    assert (root["theme"], root["font"], root["width"]) == ("dark", "sans", "wide")
    assert second.attribute("[data-setting=theme][data-value=dark]", "aria-pressed") == "true"
    shown = second.evaluate("""() => [getComputedStyle(document.documentElement).backgroundColor,
                                      getComputedStyle(document.body).fontSize,
                                      getComputedStyle(document.querySelector('main')).maxWidth]""")
    assert shown == ["rgb(23, 25, 28)", "20px", "920px"]  # dark; 20 px text; wide lines, 46em


def test_api_token_is_sent_and_a_refusal_is_explained(extension, service_with_token, site):
    page = extension.open_page(site.add("/news/envoy", SAMPLE.read_bytes()))

    extension.set_settings(serverUrl=service_with_token.url, apiToken="wrong")
    reader = extension.click_action(page)
    wait_for_state(reader, "message")
    assert reader.text("#status-title") == "The server wants an API token"
    assert "Authorization: Bearer" in reader.text("#status-detail")

    extension.set_settings(apiToken="s3cret")
    reader = extension.click_action(page)
    wait_for_state(reader, "article")
    assert ARTICLE_TEXT in reader.text("#content")


def test_options_page_saves_a_normalized_server_url_and_reading_defaults(extension):
    options = extension.open_page(f"{extension.base_url}options/options.html")
    options.wait_for("() => document.getElementById('serverUrl').value")
    assert options.evaluate("() => document.getElementById('serverUrl').value") == "http://127.0.0.1:5000"
    if SCREENSHOTS and hasattr(options, "page"):
        options.page.set_viewport_size({"width": 800, "height": 760})
        screenshot(options, "extension-options.png")

    options.fill("#serverUrl", "localhost:5000/")
    options.select("#theme", "sepia")
    options.select("#fontFamily", "sans")
    options.click("button[type=submit]")
    options.wait_for("() => document.getElementById('saved').textContent === 'Saved.'")
    stored = extension.settings()
    assert (stored["serverUrl"], stored["theme"], stored["fontFamily"]) == (
        "http://localhost:5000", "sepia", "sans")

    options.fill("#serverUrl", "ftp://example.org")
    options.click("button[type=submit]")
    assert "must be an http" in options.text("#saved")
    assert options.attribute("#serverUrl", "aria-invalid") == "true"
    assert extension.settings()["serverUrl"] == "http://localhost:5000"


# --- in Chromium only -----------------------------------------------------------------------------

def test_reader_fits_a_phone_and_prints_the_article_alone(chromium_extension, service, site):
    chromium_extension.set_settings(serverUrl=service.url, theme="dark")
    page = chromium_extension.open_page(site.add("/news/envoy", SAMPLE.read_bytes()))
    reader = chromium_extension.click_action(page)
    wait_for_state(reader, "article")

    # Phone width: the toolbar wraps, the text fills the screen, nothing scrolls sideways.
    reader.page.set_viewport_size({"width": 390, "height": 844})
    assert reader.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(reader, "extension-reader-phone.png")

    # Print: the article alone, black on white, whatever the theme.
    reader.page.emulate_media(media="print")
    printed = reader.evaluate("""() => [getComputedStyle(document.querySelector('.toolbar')).display,
                                        getComputedStyle(document.documentElement).backgroundColor,
                                        getComputedStyle(document.body).color]""")
    assert printed == ["none", "rgb(255, 255, 255)", "rgb(0, 0, 0)"]


EMPTY_PAGE = "<!doctype html><title>Nothing here</title><body><script>1</script></body>"


def server_error(service, html):
    """The error the service itself gives for `html`: the reader should show its message."""
    request = urllib.request.Request(f"{service.url}/v1/extract", data=json.dumps({"html": html}).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request)
    except urllib.error.HTTPError as error:
        assert error.code == 422
        return json.load(error)["error"]
    raise AssertionError("the service found an article in an empty page")


def test_no_article_says_so_and_links_the_original(chromium_extension, service, site):
    chromium_extension.set_settings(serverUrl=service.url)
    url = site.add("/empty", EMPTY_PAGE)
    page = chromium_extension.open_page(url)

    reader = chromium_extension.click_action(page)
    wait_for_state(reader, "message")

    assert reader.text("#status-title") == "No article found on this page"
    assert reader.text("#status-detail") == server_error(service, EMPTY_PAGE)["message"]
    assert reader.page.get_by_role("link", name="Open the original page").get_attribute("href") == url


def test_escape_returns_to_the_original_tab_and_closes_the_reader(chromium_extension, service, site):
    extension = chromium_extension
    extension.set_settings(serverUrl=service.url)
    page = extension.open_page(site.add("/news/envoy", SAMPLE.read_bytes()))
    original_tab = extension.active_tab_id()
    reader = extension.click_action(page)
    wait_for_state(reader, "article")

    reader_tab = extension.active_tab_id()
    assert reader_tab != original_tab

    with reader.page.expect_event("close"):
        reader.page.keyboard.down("Escape")  # the reader closes on keydown; there is no page for a keyup
    assert extension.active_tab_id() == original_tab


def test_a_page_the_extension_may_not_read_gets_a_clear_message(chromium_extension, service, site):
    # openReader without a click: no activeTab grant, so the browser refuses the capture.
    chromium_extension.set_settings(serverUrl=service.url)
    page = chromium_extension.open_page(site.add("/a", SAMPLE.read_bytes()))

    reader = chromium_extension.open_reader(page)
    wait_for_state(reader, "message")

    assert reader.text("#status-title") == "This page can\u2019t be read"


HOSTILE = """
<p id="p" onclick="alert(1)" style="color:red" class="x">Text <a href="javascript:alert(1)">bad</a>
  <a href="https://example.org/ok" target="_blank">good</a> <a href="mailto:a@example.org">mail</a></p>
<script>window.pwned = 1</script><style>p{}</style>
<img src="x" onerror="window.pwned = 2"><img src="data:image/png;base64,AAAA">
<img src="https://example.org/a.png" srcset="data:x 1x, https://example.org/b.png 2x" alt="A">
<iframe src="https://example.org/"></iframe><svg><a href="https://example.org/">svg</a></svg>
<form><input value="secret"><button>Go</button></form>
<custom-tag><em>kept text</em></custom-tag><table><tr><td colspan="2" bgcolor="red">cell</td></tr></table>
<blockquote cite="https://example.org/said">quoted</blockquote><q cite="mailto:a@example.org">mail cite</q>
<abbr title="HyperText Markup Language">HTML</abbr><!-- a comment -->
"""


def test_reader_rebuilds_server_markup_through_its_own_allowlist(chromium_extension):
    page = chromium_extension.context.new_page()
    page.goto(f"{chromium_extension.base_url}reader/reader.html?id=none")
    html = page.evaluate(
        """async html => {
            const { buildArticle } = await import("./article.js");
            const box = document.createElement("div");
            box.append(buildArticle(html));
            await new Promise(r => setTimeout(r, 200));
            return box.outerHTML;
        }""",
        HOSTILE,
    )
    assert page.evaluate("() => window.pwned") is None
    for absent in ("onclick", "style=", "class=", "javascript:", "<script", "<style", "onerror",
                   "data:", "<iframe", "<svg", "<form", "<input", "<button", "secret", "custom-tag",
                   "bgcolor", 'target="', "<q cite", "comment"):
        assert absent not in html, absent
    for present in ('<a href="https://example.org/ok" rel="noopener noreferrer">good</a>',
                    'href="mailto:a@example.org"', '<em>kept text</em>', '<td colspan="2">cell</td>',
                    'srcset="https://example.org/b.png 2x"', 'alt="A"', '<a>bad</a>',
                    '<blockquote cite="https://example.org/said">', '<q>mail cite</q>',
                    '<abbr title="HyperText Markup Language">HTML</abbr>'):
        assert present in html, present
    assert html.count("<img") == 1
