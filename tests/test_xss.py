"""XSS: every payload in xss_payloads.txt, embedded into a normal article page, through the whole pipeline.

The output must be inert by construction, checked on the markup itself: no element that runs or loads
anything (script, style, iframe, object, embed, svg, math, form, base, meta, ...), no event handler or
style attribute, links only http/https/mailto, images only http/https. The same outputs are rendered in
real Chromium by tests/browser/test_xss_browser.py, which asserts that nothing ran.

Each payload goes into two pages: inside and between the article's paragraphs ("body"), and into the
title, the OpenGraph title and the author link ("meta"), which reach the HTML renderer as text.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path

import lxml.html
import pytest

from declutter.errors import DeclutterError
from declutter.pipeline import extract, serialize

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")
TOKENS = {"{TAB}": "\t", "{NL}": "\n", "{CR}": "\r", "{FF}": "\f", "{NUL}": "\x00"}
PAGE_PATH = "/news/2024/river-runs-backwards"

FORBIDDEN_TAGS = frozenset({
    "script", "style", "iframe", "object", "embed", "svg", "math", "form", "base", "meta", "link",
    "template", "noscript", "frame", "frameset", "applet", "input", "button", "textarea", "select",
    "option", "portal", "video", "audio", "source", "picture", "track", "isindex", "keygen", "marquee",
    "xml", "image", "animate", "set", "use", "foreignobject", "title", "head", "body", "html",
})
FORBIDDEN_ATTRIBUTES = frozenset({
    "style", "srcdoc", "formaction", "action", "background", "poster", "data", "lowsrc", "dynsrc", "ping",
    "xlink:href", "code", "codebase", "form", "autofocus", "contenteditable", "is", "popover", "usemap",
})
LINK_SCHEMES = ("http", "https", "mailto")
C0_AND_SPACE = "".join(map(chr, range(0x21)))
IMAGE_SCHEMES = ("http", "https")

PARAGRAPHS = [
    "The river that runs past the old mill turns back on itself twice a day, when the tide in the estuary "
    "rises faster than the water can come down from the hills, and the townspeople have long since stopped "
    "finding it strange.",
    "Engineers from the regional water board measured the flow for three years. They found that the reversal "
    "reaches nearly four kilometres inland during spring tides, carrying salt water past the second bridge "
    "and into the reed beds where the herons nest.",
    "The mill itself stopped grinding grain in 1962, but its wheel still turns in both directions, and the "
    "family who restored it runs tours for schoolchildren who come to watch the water change its mind.",
    "Local fishermen say the best time to cast is the half hour when the river stands still, neither coming "
    "nor going, and the fish seem as uncertain as the water about which way to swim.",
]


def load_payloads(beacon: str = "https://beacon.invalid/b", site: str = "https://example.com") -> list[str]:
    payloads = []
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        for token, value in TOKENS.items():
            line = line.replace(token, value)
        payloads.append(line.replace("{beacon}", beacon).replace("https://example.com", site))
    return payloads


def body_page(payload: str) -> str:
    first, second, third, fourth = (f"<p>{text}</p>" for text in PARAGRAPHS)
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>The river that runs backwards"
        "</title></head><body><header><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav></header>"
        f"<main><article><h1>The river that runs backwards</h1>{first}"
        f"<p>{PARAGRAPHS[1]} {payload} And so the measurements went on.</p>{third}{payload}{fourth}"
        "</article></main><footer>Copyright the River Gazette</footer></body></html>"
    )


def meta_page(payload: str) -> str:
    attribute = html.escape(payload, quote=True)
    return (
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>River {payload}</title>"
        f"<meta property=\"og:title\" content=\"River {attribute}\">"
        f"<meta property=\"og:site_name\" content=\"{attribute}\">"
        f"<meta name=\"description\" content=\"{attribute}\"></head><body><main><article>"
        f"<h1>River</h1><p class=\"byline\">By <a rel=\"author\" href=\"/people/ann\">Ann {payload}</a></p>"
        + "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
        + "</article></main></body></html>"
    )


PAGES = {"body": body_page, "meta": meta_page}


@functools.lru_cache(maxsize=4)
def outputs(beacon: str = "https://beacon.invalid/b", site: str = "https://example.com") -> list[dict]:
    """Each payload and page kind through extract(), with the JSON content and the html format's page."""
    results = []
    for index, payload in enumerate(load_payloads(beacon, site)):
        for kind, make in PAGES.items():
            try:
                article = extract(make(payload), url=site + PAGE_PATH)
            except DeclutterError as err:
                results.append({"index": index, "kind": kind, "payload": payload, "error": err.code})
                continue
            page, _ = serialize.render(article, "html")
            results.append({"index": index, "kind": kind, "payload": payload, "content": article.content,
                            "page": page, "title": article.title})
    return results


def _scheme(url: str) -> str:
    """The scheme as a browser reads it: surrounding C0 controls and spaces dropped, tabs/newlines removed."""
    cleaned = "".join(ch for ch in url.strip(C0_AND_SPACE) if ch not in "\t\n\r")
    head, colon, _ = cleaned.partition(":")
    return head.lower() if colon and "/" not in head else ""


def unsafe_markup(fragment: str) -> list[str]:
    """Everything in `fragment` that could run script, load something or restyle the page."""
    problems = []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div") if fragment.strip() else None
    if root is None:
        return problems
    for element in root.iter():
        if not isinstance(element.tag, str):
            problems.append(f"non-element node {element!r}")
            continue
        tag = element.tag.lower()
        if element is not root and (tag in FORBIDDEN_TAGS or ":" in tag):
            problems.append(f"<{tag}>")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on") or name in FORBIDDEN_ATTRIBUTES or ":" in name:
                problems.append(f"<{tag} {name}>")
            elif name in ("href", "cite") and _scheme(value) not in LINK_SCHEMES:
                problems.append(f"<{tag} {name}={value!r}>")
            elif name == "src" and _scheme(value) not in IMAGE_SCHEMES:
                problems.append(f"<{tag} src={value!r}>")
            elif name == "srcset":
                for candidate in value.split(","):
                    url = candidate.split()[0] if candidate.split() else ""
                    if url and _scheme(url) not in IMAGE_SCHEMES:
                        problems.append(f"<{tag} srcset candidate {url!r}>")
    return problems


def unsafe_page(page: str) -> list[str]:
    """The html format's page: the renderer's own head, and a body held to the content rules."""
    document = lxml.html.document_fromstring(page)
    head = document.find("head")
    problems = [f"<{child.tag}> in head" for child in head if child.tag not in ("meta", "title", "style")]
    problems += [f"<{child.tag}> inside <title>" for child in head.find("title")]
    for meta in head.iter("meta"):
        if meta.get("http-equiv", "").lower() not in ("", "content-security-policy"):
            problems.append("meta http-equiv")
    body = document.find("body")
    problems += unsafe_markup(lxml.html.tostring(body, encoding="unicode")[len("<body>"):-len("</body>")])
    return problems


def test_there_are_at_least_150_payloads():
    assert len(load_payloads()) >= 150


def test_the_pipeline_answers_every_payload_page():
    results = outputs()
    errors = [r for r in results if "error" in r]
    assert not [r for r in errors if r["error"] not in ("no_article",)], errors
    assert len(errors) <= len(results) // 20, [(r["kind"], r["payload"]) for r in errors]


def test_article_text_survives_the_payloads():
    body = [r for r in outputs() if r["kind"] == "body" and "content" in r]
    kept = sum(1 for r in body if "regional water board" in r["content"])
    assert kept >= 0.9 * len(body)


@pytest.mark.parametrize("kind", list(PAGES))
def test_content_markup_is_inert(kind):
    failures = {r["payload"]: unsafe_markup(r["content"])
                for r in outputs() if r["kind"] == kind and "content" in r}
    failures = {payload: problems for payload, problems in failures.items() if problems}
    assert not failures, failures


@pytest.mark.parametrize("kind", list(PAGES))
def test_html_format_page_is_inert(kind):
    failures = {r["payload"]: unsafe_page(r["page"]) for r in outputs() if r["kind"] == kind and "page" in r}
    failures = {payload: problems for payload, problems in failures.items() if problems}
    assert not failures, failures


def test_the_checker_catches_what_it_should():
    """The static check itself, on markup that is not inert."""
    for bad in ['<img src="x" onerror="alert(1)">', '<a href="java\tscript:alert(1)">x</a>', "<svg></svg>",
                '<p style="color:red">x</p>', '<img srcset="https://a/b.png 1x, javascript:x 2x">',
                "<script>x</script>", '<a href=" JAVASCRIPT:x">x</a>', '<img src="data:image/png,x">',
                '<blockquote cite="javascript:x">q</blockquote>', "<math></math>", "<form></form>"]:
        assert unsafe_markup(bad), bad
    for good in ['<a href="https://a.example/">x</a>', '<img src="http://a.example/i.png" alt="">',
                 '<a href="mailto:a@b.example">m</a>', "<p>&lt;script&gt;</p>"]:
        assert not unsafe_markup(good), good
