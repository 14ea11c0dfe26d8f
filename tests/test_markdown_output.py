"""format=markdown: the page's text stays text once a Markdown renderer (which passes raw HTML through) reads it.

Each reply is rendered with markdown-it-py, a CommonMark renderer with raw HTML enabled, as most renderers
have it; the rendered page must hold no element that runs or loads anything, and the text must read as sent.
"""

from __future__ import annotations

import lxml.html
import pytest
from markdown_it import MarkdownIt

SENTENCE = "A sentence of the article, long enough to be counted as real running text. "
RENDERER = MarkdownIt("commonmark", {"html": True})
ACTIVE = ("script", "img", "iframe", "svg", "object", "embed", "style", "form", "input", "math")


def page(body: str, title: str = "Markdown") -> str:
    return (f"<!DOCTYPE html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{SENTENCE * 8}</p>{body}<p>{SENTENCE * 4}</p></article></body></html>")


def rendered(client, html: str, url: str = "https://example.com/article") -> lxml.html.HtmlElement:
    response = client.post(f"/v1/extract?format=markdown&url={url}", data=html.encode(),
                           content_type="text/html; charset=utf-8")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return lxml.html.fragment_fromstring(RENDERER.render(response.get_data(as_text=True)), create_parent="div")


def assert_inert(root: lxml.html.HtmlElement) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ACTIVE or (element.tag == "img" and element.get("src", "").startswith("https:")), \
            lxml.html.tostring(element)
        assert not [name for name in element.attrib if name.lower().startswith("on")], lxml.html.tostring(element)


TEXT_THAT_LOOKS_LIKE_MARKUP = {
    "an escaped script": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "an escaped image with a handler": "&lt;img src=x onerror=alert(2)&gt;",
    "an escaped comment and CDATA": "&lt;!-- x --&gt; &lt;![CDATA[ y ]]&gt;",
    "a character reference written as text": "&amp;lt;b&amp;gt; and &amp;#60;i&amp;#62; and &amp;amp;",
}


@pytest.mark.parametrize("name", list(TEXT_THAT_LOOKS_LIKE_MARKUP))
def test_text_that_looks_like_markup_stays_text(client, name):
    escaped = TEXT_THAT_LOOKS_LIKE_MARKUP[name]
    root = rendered(client, page(f"<p>Before {escaped} after. {SENTENCE}</p>"))
    assert_inert(root)
    expected = lxml.html.fragment_fromstring(f"<p>{escaped}</p>").text_content()
    assert expected in root.text_content()


@pytest.mark.parametrize("body", [
    "<h2>&lt;img src=x onerror=alert(3)&gt;</h2>",
    '<h2><img alt="&lt;img src=x onerror=alert(4)&gt;" src="https://example.com/a.png"></h2>',
    "<pre>```\n&lt;img src=x onerror=alert(8)&gt;\n```</pre>",
    "<ul><li>&lt;script&gt;alert(10)&lt;/script&gt;</li></ul><blockquote>&lt;svg onload=alert(11)&gt;</blockquote>",
], ids=["heading", "image-in-heading", "fence", "list-and-quote"])
def test_no_way_out_of_text_into_markup(client, body):
    assert_inert(rendered(client, page(body)))


def test_the_title_byline_and_url_lines_stay_text(client):
    html = page(f"<p>{SENTENCE}</p>", title="&lt;script&gt;alert(12)&lt;/script&gt;").replace(
        "</head>", '<meta name="author" content="&lt;img src=x onerror=alert(13)&gt;"></head>')
    root = rendered(client, html, url="https://example.com/a%3E%3Cscript%3E")
    assert_inert(root)
    assert "<script>alert(12)</script>" in root.text_content()


def test_deeply_nested_wrappers_are_markdown_not_a_500(client):
    root = rendered(client, page(("<div>" * 400 + f"<p>{SENTENCE}</p>" + "</div>" * 400) * 3))
    assert SENTENCE.strip() in root.text_content()


def test_markdown_too_deep_to_write_is_a_422(client):
    html = page("<blockquote>" * 400 + f"<p>{SENTENCE}</p>" + "</blockquote>" * 400)
    response = client.post("/v1/extract?format=markdown", data=html.encode(), content_type="text/html")
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        assert response.get_json()["error"]["code"] == "too_deep"


def test_numbered_items_keep_the_pages_numbers_as_in_the_text(client):
    items = (f"<ol start='2'><li>Mix the flour. {SENTENCE}</li><li class='advertisement'>Sponsored oven</li>"
             f"<li>Bake the loaf. {SENTENCE}</li></ol>")
    def reply(fmt: str) -> str:
        response = client.post(f"/v1/extract?format={fmt}&url=https://example.com/article", data=page(items).encode(),
                               content_type="text/html")
        return response.get_data(as_text=True)

    for written in map(reply, ("markdown", "text")):
        assert "2. Mix the flour." in written and "4. Bake the loaf." in written and "Sponsored" not in written


@pytest.mark.parametrize("number", ["²", "٣", "9" * 5000])
def test_numbers_no_integer_parse_reads_leave_the_markup_and_the_reply_stays_a_200(client, number):
    # "²" passes str.isdigit() and fails int(); int() refuses over 4,300 digits. The renderer reads both.
    body = (f"<ol start='{number}'><li>Mix the flour. {SENTENCE}</li></ol><ol><li>{SENTENCE}"
            f"<ol start='{number}'><li>A nested step. {SENTENCE}</li></ol></li></ol><table><tr>"
            f"<td colspan='{number}' rowspan='{number}'>A cell. {SENTENCE}</td><td>Another cell.</td></tr></table>")
    root = rendered(client, page(body))
    assert "A nested step." in root.text_content() and "A cell." in root.text_content()
    response = client.post("/v1/extract?format=json", data=page(body).encode(), content_type="text/html")
    content = response.get_json()["content"]
    assert "A cell." in content and number not in content
