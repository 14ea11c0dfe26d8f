"""The XSS outputs of tests/test_xss.py rendered in real headless Chromium: no script may run.

All JSON `content` outputs go into one page (a section each) with alert/confirm/prompt/print replaced
by recorders; then every element gets the events inline handlers listen for, every focusable element
focus, and every link a click (http/https/mailto clicks are stopped before they navigate, so anything
else that survived would run). The html-format pages, each with the renderer's own CSP, load in
iframes of a second page. Executions are counted four ways, all of which must stay at zero: the
recorders, Chromium's dialogs, a sentinel global some payloads set, and requests to /beacon on the
local site (payloads load scripts, styles and frames from it, and the recorders report there). The
browser's own parse of the content is held to the same markup rules as the static test.
"""

from __future__ import annotations

import pytest
from test_xss import FORBIDDEN_ATTRIBUTES, FORBIDDEN_TAGS, outputs

pytestmark = pytest.mark.browser

RECORDERS = """<script>
window.__calls = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => {
    window.__calls.push(name + ":" + String(args[0]));
    navigator.sendBeacon("/beacon/" + name);
  };
}
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[href], area[href]");
  if (link && /^(https?|mailto):$/.test(new URL(link.href, location.href).protocol)) event.preventDefault();
}, true);
</script>"""

PROVOKE = """() => {
  const events = ["mouseover", "mouseenter", "mousedown", "mouseup", "pointerenter", "pointerdown", "focus",
                  "focusin", "blur", "error", "load", "toggle", "animationstart", "animationend",
                  "transitionend", "input", "change", "copy", "scroll", "wheel", "keydown", "begin",
                  "beforetoggle"];
  const elements = [...document.querySelectorAll("#outputs *")];
  for (const element of elements) {
    for (const type of events) element.dispatchEvent(new Event(type));
    if (typeof element.focus === "function") element.focus();
  }
  for (const link of document.querySelectorAll("#outputs a[href], #outputs area[href]")) link.click();
  return elements.length;
}"""

DOM_CHECK = """([forbiddenTags, forbiddenAttributes]) => {
  const problems = [];
  const tags = new Set(forbiddenTags), attributes = new Set(forbiddenAttributes);
  const scheme = (url) => {
    try { return new URL(url, location.href).protocol; } catch { return "invalid"; }
  };
  for (const element of document.querySelectorAll("#outputs *")) {
    const where = element.closest("section").dataset.payload;
    if (tags.has(element.localName) || element.namespaceURI !== "http://www.w3.org/1999/xhtml")
      problems.push(`<${element.localName}> from ${where}`);
    for (const { name, value } of element.attributes) {
      if (name.startsWith("on") || attributes.has(name) || name.includes(":"))
        problems.push(`${name} from ${where}`);
      if ((name === "href" || name === "cite") && !["http:", "https:", "mailto:"].includes(scheme(value)))
        problems.push(`${name}=${value} from ${where}`);
      if (name === "src" && !["http:", "https:"].includes(scheme(value)))
        problems.push(`src=${value} from ${where}`);
      if (name === "srcset")
        for (const candidate of value.split(",")) {
          const url = candidate.trim().split(/\\s+/)[0];
          if (url && !["http:", "https:"].includes(scheme(url))) problems.push(`srcset ${url} from ${where}`);
        }
    }
  }
  return problems;
}"""


@pytest.fixture
def beacon_hits(site):
    """Requests to /beacon on the site, any method (sendBeacon posts)."""
    hits = []

    class Counting(site.server.RequestHandlerClass):
        def parse_request(self):
            ok = super().parse_request()
            if ok and self.path.startswith("/beacon"):
                hits.append(f"{self.command} {self.path}")
            return ok

        def do_POST(self):
            self.do_GET()

    site.server.RequestHandlerClass = Counting
    return hits


def test_no_output_runs_script_in_chromium(browser, site, beacon_hits):
    results = [r for r in outputs(beacon=site.url + "/beacon", site=site.url) if "content" in r]
    assert len(results) >= 300

    # The content as the JSON reply carries it, and the html format's <body> (title, byline and the
    # like escaped into it by the renderer) without the renderer's CSP, which would hide a failure.
    sections = "".join(
        f'<section data-payload="{kind} {r["kind"]} {r["index"]}">{markup}</section>'
        for r in results
        for kind, markup in (("content", r["content"]), ("html", _body(r["page"])))
    )
    page_url = site.add("/outputs.html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                        f"<title>outputs</title>{RECORDERS}</head>"
                        f"<body><main id=\"outputs\">{sections}</main></body></html>")

    context = browser.new_context()
    # Everything the outputs may load lives on the local site; anything else is refused, not waited for.
    context.route(lambda url: not url.startswith(site.url), lambda route: route.abort())
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(page_url, wait_until="load")
        assert page.evaluate(PROVOKE) > len(results)
        page.wait_for_timeout(500)
        problems = page.evaluate(DOM_CHECK, [sorted(FORBIDDEN_TAGS), sorted(FORBIDDEN_ATTRIBUTES)])
        calls, sentinel = page.evaluate("[window.__calls, typeof window.__xss]")
    finally:
        context.close()

    assert not problems, problems
    assert calls == []
    assert dialogs == []
    assert sentinel == "undefined"
    assert beacon_hits == []


def _body(page: str) -> str:
    return page[page.index("<body>") + len("<body>"):page.rindex("</body>")]
