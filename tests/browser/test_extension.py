"""The extension in real headless Chromium: capture a page, read it through the service, show it.

A headless browser has no toolbar to click. The tests press the button through the DevTools
protocol (`Extensions.triggerAction`, enabled by --enable-unsafe-extension-debugging): Chromium runs
the action exactly as for a click, granting activeTab for the page. Calling the worker's
`openReader(tabId)` directly is not a click: no activeTab, so the page cannot be read, which one test
uses to check that message.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, _require_browser, free_port

from server import create_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
SAMPLE = ROOT / "tests" / "fixtures" / "daily8-article.html"
# DECLUTTER_SCREENSHOTS=1 refreshes the pictures in docs/extension.md.
SCREENSHOTS = ROOT / "docs" / "img" if os.environ.get("DECLUTTER_SCREENSHOTS") == "1" else None

ARTICLE_TEXT = "Glass dismissed concerns that tensions over unilateral U.S. tariffs"
CLUTTER = ("Try Our AI Features", "Download the App", "Related Articles", "No comments yet")
STRICT_CSP = "default-src 'self'"


class Extension:
    """A persistent Chromium context with the unpacked extension loaded, and its worker."""

    def __init__(self, context):
        self.context = context
        workers = context.service_workers
        self.worker = workers[0] if workers else context.wait_for_event("serviceworker")
        self.id = self.worker.url.split("/")[2]

    def set_settings(self, **values):
        self.worker.evaluate("values => chrome.storage.local.set(values)", values)

    def settings(self):
        return self.worker.evaluate("() => chrome.storage.local.get(null)")

    def open_page(self, url):
        page = self.context.new_page()
        page.goto(url)
        return page

    def click_action(self, page):
        """Clicks the toolbar button on `page`'s tab; returns the reader page (maybe still loading)."""
        page.bring_to_front()
        browser = self.context.browser.new_browser_cdp_session()
        tabs = browser.send("Target.getTargets", {"filter": [{"type": "tab"}]})["targetInfos"]
        (tab,) = [t for t in tabs if t["url"] == page.url]
        with self.context.expect_page() as opened:
            browser.send("Extensions.triggerAction", {"id": self.id, "targetId": tab["targetId"]})
        return self._loaded(opened.value)

    def active_tab_id(self):
        return self.worker.evaluate(
            "async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")

    def open_reader(self, page):
        """Calls the worker's `openReader` for `page`'s tab, as the action does but without a click."""
        page.bring_to_front()
        tab_id = self.active_tab_id()
        with self.context.expect_page() as opened:
            self.worker.evaluate("id => { openReader(id); }", tab_id)
        return self._loaded(opened.value)

    @staticmethod
    def _loaded(reader):
        reader.wait_for_load_state("domcontentloaded")
        return reader


@pytest.fixture
def extension(playwright_instance, user_data_dir):
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
        yield Extension(context)
    finally:
        context.close()


def wait_for_state(reader, state, timeout=15_000):
    """Waits until the reader shows `state` ("article" or "message"); on timeout, says what it shows."""
    try:
        reader.wait_for_function("s => document.body.dataset.state === s", arg=state, timeout=timeout)
    except Exception as error:
        shown = reader.evaluate("() => [document.body.dataset.state, document.body.dataset.kind,"
                                " document.getElementById('status').innerText]")
        jobs = reader.evaluate("() => chrome.storage.session.get(null)")
        jobs = {k: {**v, "article": "..."} if "article" in v else v for k, v in jobs.items()}
        raise AssertionError(f"reader never reached {state!r}: shows {shown}; jobs {jobs}") from error


def test_reader_shows_the_article_without_clutter_from_a_strict_csp_page(extension, service, site):
    extension.set_settings(serverUrl=service.url)
    url = site.add("/news/envoy", SAMPLE.read_bytes(), **{"Content-Security-Policy": STRICT_CSP})
    page = extension.open_page(url)
    before = page.content()

    reader = extension.click_action(page)
    assert reader.url.startswith(f"chrome-extension://{extension.id}/reader/reader.html?id=")
    wait_for_state(reader, "article")

    assert reader.locator("#title").inner_text() == "U.S. envoy plays down Washington-Tokyo trade row"
    assert reader.locator("#original").get_attribute("href") == url
    text = reader.locator("#article").inner_text()
    assert ARTICLE_TEXT in text
    assert "min read" in reader.locator("#meta").inner_text()
    present = [phrase for phrase in CLUTTER if phrase.lower() in text.lower()]
    assert present == [], f"clutter shown in the reader: {present}"
    assert page.content() == before, "the original page was changed"


def test_unreachable_server_names_the_url_and_the_fix(extension, site):
    closed = f"http://127.0.0.1:{free_port()}"
    extension.set_settings(serverUrl=closed)
    page = extension.open_page(site.add("/a", SAMPLE.read_bytes()))

    reader = extension.click_action(page)
    wait_for_state(reader, "message")

    status = reader.locator("#status").inner_text()
    assert "reach the Declutter server" in status
    assert f"{closed}/v1/extract" in status
    assert "options" in status
    assert reader.locator("#status-actions button", has_text="options").count() == 1
    if SCREENSHOTS:
        reader.screenshot(path=SCREENSHOTS / "extension-server-unreachable.png")


def test_theme_and_type_controls_persist_across_readers(extension, service, site):
    extension.set_settings(serverUrl=service.url)
    page = extension.open_page(site.add("/news/envoy", SAMPLE.read_bytes()))
    reader = extension.click_action(page)
    wait_for_state(reader, "article")
    if SCREENSHOTS:
        reader.screenshot(path=SCREENSHOTS / "extension-reader-light.png")

    reader.get_by_role("button", name="Dark theme").click()
    reader.get_by_role("button", name="Sans").click()
    reader.get_by_role("button", name="Larger text").click()
    assert reader.evaluate("() => document.documentElement.dataset.theme") == "dark"
    stored = extension.settings()
    assert (stored["theme"], stored["fontFamily"], stored["fontSize"]) == ("dark", "sans", 20)
    if SCREENSHOTS:
        reader.screenshot(path=SCREENSHOTS / "extension-reader-dark.png")

    second = extension.click_action(page)
    wait_for_state(second, "article")
    root = second.evaluate("() => ({...document.documentElement.dataset})")
    assert (root["theme"], root["font"]) == ("dark", "sans")
    assert second.get_by_role("button", name="Dark theme").get_attribute("aria-pressed") == "true"
    background = second.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(23, 25, 28)"

    # Phone width: the toolbar wraps, the text fills the screen, nothing scrolls sideways.
    second.set_viewport_size({"width": 390, "height": 844})
    assert second.evaluate("() => document.documentElement.scrollWidth") <= 390
    if SCREENSHOTS:
        second.screenshot(path=SCREENSHOTS / "extension-reader-phone.png")

    # Print: the article alone, black on white.
    second.emulate_media(media="print")
    printed = second.evaluate("""() => [getComputedStyle(document.querySelector('.toolbar')).display,
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


def test_no_article_says_so_and_links_the_original(extension, service, site):
    extension.set_settings(serverUrl=service.url)
    url = site.add("/empty", EMPTY_PAGE)
    page = extension.open_page(url)

    reader = extension.click_action(page)
    wait_for_state(reader, "message")

    assert reader.locator("#status-title").inner_text() == "No article found on this page"
    assert reader.locator("#status-detail").inner_text() == server_error(service, EMPTY_PAGE)["message"]
    assert reader.get_by_role("link", name="Open the original page").get_attribute("href") == url


@pytest.fixture
def service_with_token():
    server = LiveServer(create_app({"testing": True, "workers": 0, "api_token": "s3cret"}))
    yield server
    server.stop()


def test_api_token_is_sent_and_a_refusal_is_explained(extension, service_with_token, site):
    page = extension.open_page(site.add("/news/envoy", SAMPLE.read_bytes()))

    extension.set_settings(serverUrl=service_with_token.url, apiToken="wrong")
    reader = extension.click_action(page)
    wait_for_state(reader, "message")
    assert reader.locator("#status-title").inner_text() == "The server wants an API token"
    assert "Authorization: Bearer" in reader.locator("#status-detail").inner_text()

    extension.set_settings(apiToken="s3cret")
    reader = extension.click_action(page)
    wait_for_state(reader, "article")
    assert ARTICLE_TEXT in reader.locator("#content").inner_text()


def test_escape_returns_to_the_original_tab_and_closes_the_reader(extension, service, site):
    extension.set_settings(serverUrl=service.url)
    page = extension.open_page(site.add("/news/envoy", SAMPLE.read_bytes()))
    original_tab = extension.active_tab_id()
    reader = extension.click_action(page)
    wait_for_state(reader, "article")

    reader_tab = extension.active_tab_id()
    assert reader_tab != original_tab

    with reader.expect_event("close"):
        reader.keyboard.down("Escape")  # the reader closes on keydown; there is no page for a keyup
    assert extension.active_tab_id() == original_tab


def test_a_page_the_extension_may_not_read_gets_a_clear_message(extension, service, site):
    # openReader without a click: no activeTab grant, so the browser refuses the capture.
    extension.set_settings(serverUrl=service.url)
    page = extension.open_page(site.add("/a", SAMPLE.read_bytes()))

    reader = extension.open_reader(page)
    wait_for_state(reader, "message")

    assert reader.locator("#status-title").inner_text() == "This page can\u2019t be read"


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


def test_reader_rebuilds_server_markup_through_its_own_allowlist(extension):
    page = extension.context.new_page()
    page.goto(f"chrome-extension://{extension.id}/reader/reader.html?id=none")
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


def test_options_page_saves_a_normalized_server_url_and_reading_defaults(extension):
    options = extension.context.new_page()
    options.goto(f"chrome-extension://{extension.id}/options/options.html")
    options.wait_for_function("() => document.getElementById('serverUrl').value")  # filled from storage
    assert options.locator("#serverUrl").input_value() == "http://127.0.0.1:5000"
    if SCREENSHOTS:
        options.set_viewport_size({"width": 800, "height": 760})
        options.screenshot(path=SCREENSHOTS / "extension-options.png")

    options.locator("#serverUrl").fill("localhost:5000/")
    options.locator("#theme").select_option("sepia")
    options.locator("#fontFamily").select_option("sans")
    options.get_by_role("button", name="Save").click()
    options.wait_for_function("() => document.getElementById('saved').textContent === 'Saved.'")
    stored = extension.settings()
    assert (stored["serverUrl"], stored["theme"], stored["fontFamily"]) == (
        "http://localhost:5000", "sepia", "sans")

    options.locator("#serverUrl").fill("ftp://example.org")
    options.get_by_role("button", name="Save").click()
    assert "must be an http" in options.locator("#saved").inner_text()
    assert extension.settings()["serverUrl"] == "http://localhost:5000"
