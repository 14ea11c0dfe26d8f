"""The bookmarklet in real headless Chromium, on a third-party page with a strict CSP.

The sample page is served on its own origin with `Content-Security-Policy: default-src 'self'`, so the
page may neither fetch() the service nor load a script from it. The link is read from the service's own
/bookmarklet page and run two ways: its decoded code evaluated in the page, and the link itself opened
the way a bookmark click opens it (a browser-initiated javascript: navigation, which the page's CSP
does not stop). The COOP and form-action fallbacks run with Chromium's popup blocker on, as for a user:
one click may open one window.

Set DECLUTTER_SCREENSHOTS=1 to refresh docs/img/read-*.png from the strict-CSP run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "daily8-article.html"
EXPECTED = ROOT / "tests" / "fixtures" / "daily8-article.expected.txt"
SCREENSHOTS = ROOT / "docs" / "img"
CLUTTER = ["Try Our AI Features", "Download the App", "Related Articles", "No comments yet"]
STRICT_CSP = {"Content-Security-Policy": "default-src 'self'"}
COOP = {"Cross-Origin-Opener-Policy": "same-origin"}
TITLE = "U.S. envoy plays down Washington-Tokyo trade row"

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium(playwright_instance):
    """Chromium with its popup blocker on, as users have it (Playwright turns it off by default)."""
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                  ignore_default_args=["--disable-popup-blocking"])
    yield browser
    browser.close()


@pytest.fixture
def context(chromium):
    context = chromium.new_context(viewport={"width": 1000, "height": 900})
    # The sample's images live on a CDN this machine cannot reach; stand in a quiet picture for them.
    context.route("https://cdn.daily8.ai/**", lambda route: route.fulfill(
        status=200, content_type="image/svg+xml", body=PLACEHOLDER_IMAGE))
    yield context
    context.close()


PLACEHOLDER_IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">'
    '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#9fb4c7"/>'
    '<stop offset="1" stop-color="#4f6b85"/></linearGradient></defs>'
    '<rect width="1200" height="630" fill="url(#g)"/>'
    '<path d="M0 470 L260 330 L470 450 L720 260 L1200 520 L1200 630 L0 630 Z" fill="#2f4659" opacity="0.55"/>'
    "</svg>"
)


@pytest.fixture
def link(context, service):
    """The javascript: link as /bookmarklet serves it."""
    page = context.new_page()
    page.goto(service.url + "/bookmarklet")
    href = page.get_attribute("#bookmarklet", "href")
    page.close()
    assert href.startswith("javascript:")
    return href


def sample_page(site, **headers) -> str:
    return site.add("/news/us-envoy", SAMPLE.read_text(encoding="utf-8"), **headers)


def click_bookmark(page, link):
    """What a bookmark click does: the browser, not the page, navigates to the javascript: URL."""
    try:
        page.goto(link)
    except Exception as exc:  # the javascript: navigation "aborts" once the code has run
        assert "ERR_ABORTED" in str(exc), exc


def wait_for_reader(context, service, state, *, query="", timeout=20.0):
    """The reader page (in any tab) that reached `state` ("article" or "message")."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        for page in context.pages:
            if page.is_closed() or not page.url.startswith(service.url + "/read" + query):
                continue
            try:
                if page.evaluate("document.body && document.body.dataset.state") == state:
                    return page
            except Exception:  # navigating; look again
                pass
            seen.append(page.url)
        context.pages[0].wait_for_timeout(100)
    raise AssertionError(f"no reader reached {state!r}; saw {sorted(set(seen))}")


def assert_clean_article(reader):
    text = reader.inner_text("#article")
    assert TITLE in reader.inner_text("#title")
    paragraphs = [p for p in EXPECTED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    for paragraph in (paragraphs[0], paragraphs[len(paragraphs) // 2], paragraphs[-1]):
        assert " ".join(paragraph.split())[:80] in " ".join(text.split())
    for phrase in CLUTTER:
        assert phrase.lower() not in text.lower(), f"clutter in the reader: {phrase!r}"
    assert reader.get_attribute("#original", "href") is not None


def csp_errors(context):
    """Collects the Content-Security-Policy complaints of the reader pages from now on."""
    errors = []

    def on_console(message):
        page_url = message.page.url if message.page else ""
        if "Content Security Policy" in message.text and "/read" in page_url:
            errors.append(message.text)

    context.on("console", on_console)
    return errors


def test_bookmarklet_code_runs_on_a_strict_csp_page(context, service, site, link):
    url = sample_page(site, **STRICT_CSP)
    page = context.new_page()
    page.goto(url)
    # The page's CSP really does shut the direct ways out.
    probe = "u => fetch(u).then(() => 'sent', () => 'blocked')"
    assert page.evaluate(probe, service.url + "/healthz") == "blocked"
    errors = csp_errors(context)

    with context.expect_page() as opened:
        page.evaluate(unquote(link.removeprefix("javascript:")))
    reader = opened.value
    wait_for_reader(context, service, "article")

    assert reader.url == service.url + "/read"  # the hand-off marker is gone from the address
    assert_clean_article(reader)
    assert reader.get_attribute("#original", "href") == url
    assert errors == []  # the reader keeps to its own CSP
    if os.environ.get("DECLUTTER_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        reader.screenshot(path=str(SCREENSHOTS / "read-daily8.png"))
        reader.click("#settings summary")
        reader.click("[data-value=dark]")
        reader.click("#settings summary")
        reader.screenshot(path=str(SCREENSHOTS / "read-daily8-dark.png"))


def test_served_link_clicked_like_a_bookmark(context, service, site, link):
    page = context.new_page()
    page.goto(sample_page(site, **STRICT_CSP))
    click_bookmark(page, link)
    reader = wait_for_reader(context, service, "article")
    assert_clean_article(reader)
    assert len(context.pages) == 2  # the page and one reader


def test_cross_origin_opener_policy_falls_back_to_a_form_post(context, service, site, link):
    url = sample_page(site, **STRICT_CSP, **COOP)
    page = context.new_page()
    page.goto(url)
    click_bookmark(page, link)
    # The reader window opened first was cut off by COOP and closes itself; the click's one window is
    # spent, so the form posts the page into this tab.
    page.wait_for_url(service.url + "/read", timeout=20_000)
    reader = wait_for_reader(context, service, "article")
    assert reader == page
    assert_clean_article(reader)
    assert reader.get_attribute("#original", "href") == url
    page.wait_for_timeout(500)
    assert [p.url for p in context.pages] == [service.url + "/read"]


def test_coop_fallback_uses_a_new_tab_when_the_browser_allows_one(browser, service, site, link):
    """Playwright's default Chromium allows every popup: the form then goes to a tab of its own."""
    context = browser.new_context()
    page = context.new_page()
    url = sample_page(site, **STRICT_CSP, **COOP)
    page.goto(url)
    click_bookmark(page, link)
    reader = wait_for_reader(context, service, "article")
    assert reader != page and page.url == url
    assert_clean_article(reader)
    context.close()


def test_form_action_csp_falls_back_to_the_address(context, service, site, link):
    url = sample_page(site, **{"Content-Security-Policy": "default-src 'self'; form-action 'self'"}, **COOP)
    page = context.new_page()
    page.goto(url)
    click_bookmark(page, link)
    # Only the address reaches the reader; the service fetches the page itself. Until it can (or if it
    # may not fetch this private address), the reader says why, in words.
    reader = wait_for_reader(context, service, "message", query="?url=")
    assert parse_qs(urlsplit(reader.url).query)["url"] == [url]
    assert "browser extension" in reader.inner_text("#status-detail")
    assert reader.inner_text("#status-title").strip()
    assert reader.inner_text("#status-detail").strip()
    assert reader.locator("#article").is_hidden()


def test_reader_takes_only_a_well_formed_page_from_its_opener(context, service, site):
    page = context.new_page()
    page.goto(site.add("/opener", "<title>opener</title><p>hi</p>", **STRICT_CSP))
    with context.expect_page() as opened:
        page.evaluate("r => { window.reader = window.open(r); }", service.url + "/read")
    reader = opened.value
    reader.wait_for_selector("body[data-state=loading]")
    article = SAMPLE.read_text(encoding="utf-8")
    # Wrong shapes are ignored: the reader still waits.
    page.evaluate("""([origin, html]) => {
        reader.postMessage({type: "declutter:page", html: 42}, origin);
        reader.postMessage({type: "something-else", html}, origin);
        reader.postMessage(html, origin);
    }""", [service.url, article])
    page.wait_for_timeout(500)
    assert reader.evaluate("document.body.dataset.state") == "loading"
    # A page that claims another site's address gets its HTML read, not the claim (the link to the
    # original is then the page's own canonical address).
    claimed = "https://www.daily8.ai/news/elsewhere"
    page.evaluate("([origin, html, url]) => reader.postMessage({type: 'declutter:page', html, url}, origin)",
                  [service.url, article, claimed])
    reader.wait_for_selector("body[data-state=article]")
    assert TITLE in reader.inner_text("#title")
    assert reader.get_attribute("#original", "href") != claimed


@pytest.fixture
def service_with_token():
    from server import create_app

    server = LiveServer(create_app({"testing": True, "workers": 0, "api_token": "s3cret"}))
    yield server
    server.stop()


def test_with_an_api_token_the_reader_asks_once_and_the_link_never_carries_it(
        context, service_with_token, site):
    service = service_with_token
    page = context.new_page()
    page.goto(service.url + "/bookmarklet")
    link = page.get_attribute("#bookmarklet", "href")
    assert "s3cret" not in link
    page.goto(sample_page(site, **STRICT_CSP))
    click_bookmark(page, link)
    reader = wait_for_reader(context, service, "message")
    reader.wait_for_selector("#token-form:not([hidden])")
    reader.fill("#token", "s3cret")
    reader.click("#token-form button")
    reader.wait_for_selector("body[data-state=article]")
    assert_clean_article(reader)
    # Remembered: the next page reads without asking.
    page.bring_to_front()
    with context.expect_page() as opened:
        click_bookmark(page, link)
    opened.value.wait_for_selector("body[data-state=article]")


def test_reading_settings_apply_and_are_remembered(context, service):
    reader = context.new_page()
    reader.goto(service.url + "/read")
    reader.wait_for_selector("body[data-state=message]")
    assert "Nothing to read yet" in reader.inner_text("#status-title")
    reader.click("#settings summary")
    reader.click("[data-pref=theme][data-value=sepia]")
    reader.click("[data-pref=font][data-value=sans]")
    reader.click("[data-pref=width][data-value=wide]")
    reader.click("[data-action=larger]")
    settings = """(() => {
        const root = document.documentElement;
        return {theme: root.dataset.theme, font: root.dataset.font, width: root.dataset.width,
                size: getComputedStyle(root).getPropertyValue('--font-size').trim()};
    })()"""
    expected = {"theme": "sepia", "font": "sans", "width": "wide", "size": "20px"}
    assert reader.evaluate(settings) == expected
    # The themes and the print style come from article.css, the stylesheet the extension's reader shares.
    background = "() => getComputedStyle(document.documentElement).backgroundColor"
    assert reader.evaluate(background) == "rgb(244, 236, 216)"
    reader.emulate_media(media="print")
    assert reader.evaluate(background) == "rgb(255, 255, 255)"
    assert reader.evaluate("() => getComputedStyle(document.querySelector('.toolbar')).display") == "none"
    reader.emulate_media(media="screen")
    assert reader.get_attribute("[data-pref=theme][data-value=sepia]", "aria-pressed") == "true"
    other = context.new_page()
    other.goto(service.url + "/read")
    assert other.evaluate(settings) == expected


RELATIVE = """<p><a href="/about">about</a> <a href="#notes">notes</a> <a href="javascript:alert(1)">js</a>
<a href="mailto:a@example.org">mail</a></p>
<img src="pic.png" srcset="pic-2x.png 2x, data:x 3x, //cdn.example.org/p.png 1x" alt="P">
<blockquote cite="../said">quoted</blockquote><q cite="mailto:a@example.org">q</q>"""

BUILD = """async ([html, base]) => {
    const { buildArticle } = await import("/static/article.js");
    const box = document.createElement("div");
    box.append(buildArticle(html, { base }));
    return box.outerHTML;
}"""


def test_reader_makes_urls_absolute_against_the_page_and_keeps_only_web_ones(context, service):
    reader = context.new_page()
    reader.goto(service.url + "/read")
    reader.wait_for_selector("body[data-state=message]")

    html = reader.evaluate(BUILD, [RELATIVE, "https://example.org/news/story?id=1"])
    for present in ('href="https://example.org/about"', 'href="https://example.org/news/story?id=1#notes"',
                    "<a>js</a>", 'href="mailto:a@example.org"', 'src="https://example.org/news/pic.png"',
                    'srcset="https://example.org/news/pic-2x.png 2x, https://cdn.example.org/p.png 1x"',
                    'cite="https://example.org/said"', "<q>q</q>"):
        assert present in html, present
    assert "data:" not in html and "javascript:" not in html

    # Without a base, or with one that is not a web page, relative URLs go and so does the image.
    for base in (None, "javascript:alert(1)//", "data:text/html,x"):
        html = reader.evaluate(BUILD, [RELATIVE, base])
        assert '<a>about</a>' in html and '<a>notes</a>' in html, base
        assert "<img" not in html and "cite=" not in html and "javascript:" not in html, base
        assert 'href="mailto:a@example.org"' in html, base
