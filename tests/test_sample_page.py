"""The mission's sample page: the article, complete, and nothing of its clutter."""

from helpers import DAILY8_URL, token_f1

from declutter.pipeline import extract

CLUTTER = ["Try Our AI Features", "Explore what Daily8 AI can do", "Comments", "No comments yet",
           "Related Articles", "ispace", "Download the App", "Get it on", "Write a comment"]


def test_the_article_comes_back_complete_and_nothing_else(daily8_html, daily8_expected):
    article = extract(daily8_html, url=DAILY8_URL)
    assert token_f1(article.text, daily8_expected) >= 0.98
    for phrase in CLUTTER:
        assert phrase.lower() not in article.text.lower()
        assert phrase.lower() not in article.content.lower()


def test_metadata_is_read_from_the_page(daily8_html):
    article = extract(daily8_html, url=DAILY8_URL)
    assert article.title == "U.S. envoy plays down Washington-Tokyo trade row"
    assert article.site_name == "Daily8"
    assert article.byline == "Japan Times"  # the "Japan Times · 13 hours ago" line under the headline
    assert article.published_time == "2025-06-06T21:14:00+00:00"
    assert article.lang == "en"
    assert article.lead_image_url == "https://cdn.daily8.ai/img/us-envoy-plays-down-washington-tokyo-trade-row.webp"
    assert article.excerpt.startswith("U.S. Ambassador to Japan George Glass")


def test_every_removal_says_which_rule_and_what_went(daily8_html):
    removed = extract(daily8_html, url=DAILY8_URL).removed
    rules = {r.rule for r in removed}
    assert {"phrase:ai_promo", "phrase:comments", "phrase:related", "phrase:app_promo"} <= rules
    assert all(r.match and len(r.text) <= 120 for r in removed)
    assert any(r.text.startswith("Try Our AI Features") for r in removed)


def test_the_text_fields_agree(daily8_html):
    article = extract(daily8_html, url=DAILY8_URL)
    assert article.word_count > 400
    assert article.reading_time_minutes == 3
    assert "<script" not in article.content and "class=" not in article.content
