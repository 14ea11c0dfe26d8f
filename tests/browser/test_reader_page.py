"""The service's reader page, /read, in real headless Chromium: what it shows for an article and for none.

Pages come to the reader as the bookmarklet sends them: a page on another origin opens /read and posts
its HTML once the reader says it is ready.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PROSE = ("The harbour town woke slowly that winter, its boats tied up and its cafés shuttered against the wind. "
         "Fishermen mended nets in the long sheds by the water while the ferry ran twice a day instead of six. ")


def article_page(figure: str = "") -> str:
    """A plain article page; `figure` goes right after its first paragraph."""
    paragraphs = "".join(f"<p>{PROSE * 2}Part {n}.</p>" for n in range(6))
    first, rest = paragraphs.split("</p>", 1)
    return (f"<!doctype html><html lang='en'><head><title>Winter in the harbour</title></head><body><article>"
            f"<h1>Winter in the harbour</h1>{first}</p>{figure}{rest}</article></body></html>")


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    yield context
    context.close()


def read(context, service, site, html, path="/story"):
    """The reader page showing `html`, sent by a page served at `path` as the bookmarklet sends it."""
    url = site.add(path, html)
    page = context.new_page()
    page.goto(url)
    with context.expect_page() as opened:
        page.evaluate("r => { window.reader = window.open(r); }", service.url + "/read")
    reader = opened.value
    # The page is sent once the reader listens, as the bookmarklet does on its "ready".
    reader.wait_for_selector("#status-title:has-text('Receiving the page')")
    page.evaluate("([origin, html, url]) => reader.postMessage({type: 'declutter:page', html, url}, origin)",
                  [service.url, html, url])
    reader.wait_for_selector("body[data-state=article], body[data-state=message]")
    return reader


def test_an_image_that_fails_to_load_is_dropped_with_its_figure(context, service, site):
    figure = "<figure><img src='/gone.png' alt='The harbour at dawn'><figcaption>The harbour</figcaption></figure>"
    reader = read(context, service, site, article_page(figure))
    assert reader.evaluate("document.body.dataset.state") == "article", reader.inner_text("#status")
    reader.wait_for_function("() => !document.querySelector('#content figure')", timeout=5000)
    text = reader.inner_text("#content")
    assert "The harbour at dawn" not in text and "Fishermen mended nets" in text


def test_no_article_is_said_once(context, service, site):
    reader = read(context, service, site, "<!doctype html><title>Nothing</title><body><nav><a href='/'>Home</a></nav>")
    assert reader.evaluate("document.body.dataset.error") == "no_article"
    detail = reader.inner_text("#status-detail")
    assert detail.count("No article was found") == 1  # the service's message
    assert "found nothing" not in detail  # and not the same again in other words
    assert "works best on news stories" in detail


@pytest.fixture(params=["phone", "desktop"])
def device(request, browser):
    options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True} \
        if request.param == "phone" else {"viewport": {"width": 1000, "height": 900}}
    context = browser.new_context(**options)
    yield request.param, context
    context.close()


def test_the_bookmarklet_page_gives_phone_readers_steps_that_work_on_a_phone(device, service):
    kind, context = device
    page = context.new_page()
    page.goto(service.url + "/bookmarklet")
    shown = page.inner_text("main")
    on_a_desktop = ("Drag this button", "Ctrl", "bookmarks bar")
    on_a_phone = ("Touch and hold", "Copy link", "address bar")
    if kind == "phone":
        assert not [words for words in on_a_desktop if words in shown]
        assert all(words in shown for words in on_a_phone)
    else:
        assert all(words in shown for words in on_a_desktop)
        assert not [words for words in on_a_phone if words in shown]


ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "daily8-article.html"
# DECLUTTER_SCREENSHOTS=1 refreshes the pictures of the reader's panels in the docs.
SCREENSHOTS = ROOT / "docs" / "img" if os.environ.get("DECLUTTER_SCREENSHOTS") == "1" else None
LAST_WORDS = "fled China for the United States after the Tiananmen Square Massacre"


def check_removed_panel(reader, screenshot=None):
    """The sample's seven removed blocks: counted in the toolbar, listed by kind, and shown again in place."""
    toggle = reader.get_by_role("button", name="7 removed")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    panel = reader.locator("#removed-panel")
    assert panel.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    kinds = panel.locator("h3").all_text_contents()
    assert kinds == ["App banners (1)", "AI promos (1)", "Related articles (1)", "Comments (1)", "Navigation (2)",
                     "Datelines (1)"]
    app = panel.locator(".removed-group", has=reader.locator("h3", has_text="App banners")).locator("li")
    assert "Download the App" in app.inner_text()
    assert "Download the App" not in reader.inner_text("#content")

    app.get_by_role("button", name="Show").click()
    restored = reader.locator("#content .restored")
    assert restored.count() == 1 and "Download the App" in restored.inner_text()
    assert "Removed by Declutter: App banners" in restored.text_content()
    text = reader.inner_text("#content")
    assert text.index(LAST_WORDS) < text.index("Download the App")  # it stood below the article
    assert restored.evaluate("e => e.previousElementSibling.matches('wbr[data-removed]')")
    assert restored.locator("a[href^='https://apps.apple.com/']").count() == 1
    if screenshot:
        reader.screenshot(path=screenshot)

    app.get_by_role("button", name="Hide").click()
    assert reader.locator("#content .restored").count() == 0
    reader.keyboard.press("Escape")
    assert panel.is_hidden()


def test_the_removed_panel_lists_what_went_and_shows_it_again_in_place(context, service, site):
    reader = read(context, service, site, SAMPLE.read_text(encoding="utf-8"))
    check_removed_panel(reader, SCREENSHOTS / "read-removed-panel.png" if SCREENSHOTS else None)
