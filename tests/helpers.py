"""Small helpers shared by the tests."""

import re
from collections import Counter

DAILY8_URL = "https://www.daily8.ai/news/us-envoy-plays-down-washington-tokyo-trade-row"

ARTICLE_PARAGRAPHS = [
    "The city council voted on Tuesday to extend the harbour promenade by two kilometres, ending a debate "
    "that had divided residents for more than a decade and delayed the project twice.",
    "Supporters said the new walkway would bring visitors to the old fish market, while opponents warned "
    "that the cost, estimated at forty million euros, would crowd out repairs to schools and bridges.",
    "Construction is due to begin next spring, the mayor said, and the first section should open to the "
    "public before the summer festival, when the harbour draws its largest crowds of the year.",
    "Engineers will reinforce the sea wall along the whole route, a measure the council says was overdue "
    "regardless of the promenade and that accounts for nearly a third of the budget.",
]


def article_page(*, before: str = "", inside: str = "", after: str = "", title: str = "Harbour promenade to grow",
                 lang: str = "en", head: str = "", paragraphs=ARTICLE_PARAGRAPHS) -> str:
    """A plain news page: header and nav, an article with a heading and paragraphs, then a footer.
    `inside` goes between the second and third paragraph; `before` and `after` around the article."""
    body = [f"<p>{p}</p>" for p in paragraphs]
    body.insert(2, inside)
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title} | Harbour Times</title>"
        f"<meta property='og:site_name' content='Harbour Times'>{head}</head><body>"
        "<header><a href='/'>Harbour Times</a><nav><a href='/news'>News</a> <a href='/sport'>Sport</a></nav></header>"
        f"<main>{before}<article><h1>{title}</h1>{''.join(body)}</article>{after}</main>"
        "<footer><a href='/about'>About</a> · <a href='/privacy'>Privacy</a></footer></body></html>"
    )


def token_f1(got: str, want: str) -> float:
    tokens = lambda s: Counter(re.findall(r"\w+", s.lower()))  # noqa: E731
    g, w = tokens(got), tokens(want)
    common = sum((g & w).values())
    if not common:
        return 0.0
    precision, recall = common / sum(g.values()), common / sum(w.values())
    return 2 * precision * recall / (precision + recall)


def require_system_package(what: str) -> None:
    """Skip a test that needs a system package, naming how to install it; fail instead when
    DECLUTTER_REQUIRE_SYSTEM_PACKAGES=1 (CI) or the older DECLUTTER_REQUIRE_BROWSER=1 is set."""
    import os

    import pytest

    message = f"this test needs {what}"
    if "1" in (os.environ.get("DECLUTTER_REQUIRE_SYSTEM_PACKAGES"), os.environ.get("DECLUTTER_REQUIRE_BROWSER")):
        pytest.fail(message)
    pytest.skip(message)
