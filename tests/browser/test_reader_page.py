"""The service's reader page, /read, in real headless Chromium: what it shows for an article and for none.

Pages come to the reader as the bookmarklet sends them: a page on another origin opens /read and posts
its HTML once the reader says it is ready.
"""

from __future__ import annotations

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
    reader.wait_for_selector("body[data-state=loading]")
    page.evaluate("([origin, html, url]) => reader.postMessage({type: 'declutter:page', html, url}, origin)",
                  [service.url, html, url])
    reader.wait_for_selector("body[data-state=article], body[data-state=message]")
    return reader


def test_an_image_that_fails_to_load_is_dropped_with_its_figure(context, service, site):
    figure = "<figure><img src='/gone.png' alt='The harbour at dawn'><figcaption>The harbour</figcaption></figure>"
    reader = read(context, service, site, article_page(figure))
    assert reader.evaluate("document.body.dataset.state") == "article"
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
