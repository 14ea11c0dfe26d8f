"""The extension's reader in real headless Chromium: what it does with the article once it has it."""

from __future__ import annotations

import pytest
from test_extension import chromium_extension, wait_for_state  # noqa: F401  (the fixture, shared)
from test_reader_page import SAMPLE, SCREENSHOTS, article_page, check_removed_panel

pytestmark = pytest.mark.browser


def test_an_image_that_fails_to_load_is_dropped_with_its_figure(chromium_extension, service, site):  # noqa: F811
    chromium_extension.set_settings(serverUrl=service.url)
    figure = "<figure><img src='/gone.png' alt='The harbour at dawn'><figcaption>The harbour</figcaption></figure>"
    page = chromium_extension.open_page(site.add("/story", article_page(figure)))
    reader = chromium_extension.click_action(page)
    wait_for_state(reader, "article")
    reader.page.wait_for_function("() => !document.querySelector('#content figure')", timeout=5000)
    text = reader.page.inner_text("#content")
    assert "The harbour at dawn" not in text and "Fishermen mended nets" in text


def test_the_removed_panel_lists_what_went_and_shows_it_again_in_place(chromium_extension, service,  # noqa: F811
                                                                         site):
    chromium_extension.set_settings(serverUrl=service.url)
    page = chromium_extension.open_page(site.add("/news/envoy", SAMPLE.read_bytes()))
    reader = chromium_extension.click_action(page)
    wait_for_state(reader, "article")
    check_removed_panel(reader.page, SCREENSHOTS / "extension-removed-panel.png" if SCREENSHOTS else None)
    assert not reader.page.is_closed()  # Escape closed the panel, not the reader
