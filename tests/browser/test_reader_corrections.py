"""The readers' corrections per site and Listen, in real headless Chromium, in both readers.

"Remove this" and "Keep" save a rule for the site in the browser; the next load of the page sends it
with the request and comes back corrected; deleting the rule undoes it. Listen speaks the article
through speechSynthesis, stubbed here so that its calls can be checked.
"""

from __future__ import annotations

import lxml.html
import pytest
from test_extension import chromium_extension, wait_for_state  # noqa: F401  (the fixture, shared)
from test_reader_page import PROSE, SCREENSHOTS, context, read  # noqa: F401  (the fixture, shared)

from declutter.rules.ftr import read_ftr

pytestmark = pytest.mark.browser

NOTE = "This story was corrected on Wednesday to give the right date of the vote."
SIGNUP = "Sign up for our newsletter"
PAGE = (
    "<!doctype html><html lang='en'><head><title>Winter in the harbour</title></head><body>"
    "<article class='story'><h1>Winter in the harbour</h1>"
    + "".join(f"<p>{PROSE * 2}Part {n}.</p>" for n in range(5))
    + f"<p class='editor-note'>{NOTE}</p></article>"
    + f"<div class='newsletter-box'><h3>{SIGNUP}</h3><p>Every Friday, the week's best.</p></div>"
    + "</body></html>")


def article_text(reader) -> str:
    return reader.locator("#content").inner_text()


def remove_the_note(reader, screenshot=None):
    """Picks the editor's note with "Remove this": it goes at once, and the rule is listed for the site."""
    reader.get_by_role("button", name="Remove this\u2026").click()
    assert reader.get_by_role("status").inner_text().startswith("Click a block")
    note = reader.locator("#content p", has_text="corrected on Wednesday")
    note.hover()
    assert "pick-target" in note.get_attribute("class")
    if screenshot:
        reader.screenshot(path=screenshot)
    note.click()
    assert NOTE not in article_text(reader)
    reader.get_by_role("button", name="Rules (1)").click()
    assert "Remove .editor-note" in reader.locator("#rules-panel").inner_text()


def keep_the_signup(reader):
    reader.locator("#removed-toggle").click()
    entry = reader.locator("#removed-panel li", has_text=SIGNUP)
    entry.get_by_role("button", name="Keep").click()
    assert SIGNUP in article_text(reader)  # shown again at once
    reader.keyboard.press("Escape")
    reader.get_by_role("button", name="Rules (2)").click()
    assert "Keep .newsletter-box" in reader.locator("#rules-panel").inner_text()


def delete_rules(reader):
    reader.get_by_role("button", name="Rules (2)").click()
    for name in ("Delete the rule: Remove .editor-note", "Delete the rule: Keep .newsletter-box"):
        reader.get_by_role("button", name=name).click()
    assert reader.get_by_role("button", name="Rules (0)").is_visible()


def test_read_page_corrections_stick_for_the_site_and_deleting_them_undoes_them(context, service, site):  # noqa: F811
    reader = read(context, service, site, PAGE)
    assert NOTE in article_text(reader) and SIGNUP not in article_text(reader)
    remove_the_note(reader, SCREENSHOTS / "read-remove-picker.png" if SCREENSHOTS else None)
    keep_the_signup(reader)

    again = read(context, service, site, PAGE, path="/another-story")  # the next load: same site
    assert NOTE not in article_text(again) and SIGNUP in article_text(again)
    assert not again.locator("#content .restored").count()  # the kept block is part of the article
    delete_rules(again)

    undone = read(context, service, site, PAGE)
    assert undone.evaluate("document.body.dataset.state") == "article", undone.inner_text("#status")
    assert NOTE in article_text(undone) and SIGNUP not in article_text(undone)


def test_read_page_sends_the_rules_with_a_posted_page_too(context, service, site):  # noqa: F811
    reader = read(context, service, site, PAGE)
    remove_the_note(reader)
    form = context.new_page()
    form.goto(service.url + "/")  # a page on the service, posting like the bookmarklet's fallback
    form.evaluate("""([html, url]) => {
        const form = Object.assign(document.createElement("form"), {method: "post", action: "/read"});
        for (const [name, value] of Object.entries({html, url})) {
            form.append(Object.assign(document.createElement("textarea"), {name, value}));
        }
        document.body.append(form);
        form.submit();
    }""", [PAGE, site.url + "/story"])
    form.wait_for_selector("body[data-state=article]")
    assert NOTE not in article_text(form) and "Part 4." in article_text(form)


def test_the_rules_export_as_a_fivefilters_site_config(context, service, site):  # noqa: F811
    reader = read(context, service, site, PAGE)
    remove_the_note(reader)
    with reader.expect_download() as download:
        reader.get_by_role("button", name="Export as a FiveFilters site config").click()
    assert download.value.suggested_filename == "127.0.0.1.txt"
    config = read_ftr(open(download.value.path(), encoding="utf-8").read(), "127.0.0.1.txt")
    assert not config.errors
    (strip,) = config.rule_data()["strip"]
    assert config.rule_data()["tests"][0]["url"] == site.url + "/story"
    page = lxml.html.fromstring(PAGE)
    assert [e.text_content() for e in page.xpath(strip)] == [NOTE]


def test_extension_corrections_stick_for_the_site_and_deleting_them_undoes_them(chromium_extension, service,  # noqa: F811
                                                                                 site):
    extension = chromium_extension
    extension.set_settings(serverUrl=service.url)

    def open_reader(path="/story"):
        page = extension.open_page(site.add(path, PAGE))
        reader = extension.click_action(page)
        wait_for_state(reader, "article")
        return reader.page

    reader = open_reader()
    remove_the_note(reader, SCREENSHOTS / "extension-remove-picker.png" if SCREENSHOTS else None)
    keep_the_signup(reader)
    assert extension.settings()["rules:127.0.0.1"] == {"remove": [".editor-note"], "keep": [".newsletter-box"]}

    again = open_reader("/another-story")
    assert NOTE not in article_text(again) and SIGNUP in article_text(again)
    delete_rules(again)
    assert "rules:127.0.0.1" not in extension.settings()

    undone = open_reader("/a-third-story")
    assert NOTE in article_text(undone) and SIGNUP not in article_text(undone)


# --- Listen -----------------------------------------------------------------------------------------------

GERMAN = (
    "<!doctype html><html lang='de'><head><title>Winter am Hafen</title></head><body><article>"
    "<h1>Winter am Hafen</h1>"
    + "".join(f"<p>Die Stadt am Hafen erwachte langsam in jenem Winter, die Boote lagen fest. Teil {n}.</p>"
              * 2 for n in range(4))
    + "</article></body></html>")

# A speech engine that records what it is asked, with two voices, one of them for German. It replaces the
# browser's once the reader is up, and the browser's says that its voices changed, as it does when they load.
STUB_SPEECH = """() => {
  const calls = window.speechCalls = [];
  const voices = [{name: "Anna", lang: "de-DE"}, {name: "Samantha", lang: "en-US"}];
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
  const engine = {
    getVoices: () => voices,
    speak(u) {
      calls.push({call: "speak", text: u.text, lang: u.lang, rate: u.rate, voice: u.voice?.name});
      this.current = u;
    },
    pause() { calls.push({call: "pause"}); },
    resume() { calls.push({call: "resume"}); },
    cancel() { calls.push({call: "cancel"}); },
    finish() { this.current.onend(); },
  };
  const browsers = window.speechSynthesis;
  Object.defineProperty(window, "speechSynthesis", {value: engine, configurable: true});
  browsers.dispatchEvent(new Event("voiceschanged"));
}"""


def check_listen(reader):
    reader.evaluate(STUB_SPEECH)
    speaks = "() => speechCalls.filter(c => c.call === 'speak')"
    assert reader.locator("#listen-voice option").all_text_contents() == ["Default voice", "Anna"]
    reader.select_option("#listen-voice", "Anna")
    reader.select_option("#listen-rate", "1.5")
    listen = reader.get_by_role("button", name="Listen")
    listen.click()
    assert reader.evaluate(speaks) == [
        {"call": "speak", "text": "Winter am Hafen", "lang": "de", "rate": 1.5, "voice": "Anna"}]
    reader.evaluate("() => speechSynthesis.finish()")  # the title said, the first paragraph follows
    (_, first) = reader.evaluate(speaks)
    assert first["text"].startswith("Die Stadt am Hafen erwachte") and first["text"].endswith("Teil 0.")
    assert reader.locator(".speaking").inner_text() == first["text"]

    pause = reader.get_by_role("button", name="Pause")
    assert pause.evaluate("b => b === document.activeElement")  # the control kept the focus
    reader.keyboard.press("Space")
    assert reader.evaluate("() => speechCalls.at(-1)") == {"call": "pause"}
    reader.keyboard.press("Space")
    assert reader.evaluate("() => speechCalls.at(-1)") == {"call": "resume"}

    reader.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")  # the reader closes
    assert reader.evaluate("() => speechCalls.at(-1)") == {"call": "cancel"}
    assert not reader.locator(".speaking").count()


def test_read_page_listen_speaks_the_article_in_its_language(context, service, site):  # noqa: F811
    reader = read(context, service, site, GERMAN)
    check_listen(reader)


def test_extension_listen_speaks_the_article_in_its_language(chromium_extension, service, site):  # noqa: F811
    chromium_extension.set_settings(serverUrl=service.url)
    reader = chromium_extension.click_action(chromium_extension.open_page(site.add("/hafen", GERMAN)))
    wait_for_state(reader, "article")
    check_listen(reader.page)
