"""Clutter rules on small pages: what goes, what stays, and the backup."""

import random
import re
import unicodedata

import lxml.html
import pytest
from helpers import ARTICLE_PARAGRAPHS, article_page

from declutter.pipeline import Options, extract, score
from declutter.rules.generic import RuleError, class_words, generic_rules, normalize_text, parse_rules, word_list


def text_of(html: str, **kw) -> str:
    return extract(html, url="https://harbour.example/news/promenade", **kw).text


def test_the_article_survives_untouched():
    text = text_of(article_page())
    for paragraph in ARTICLE_PARAGRAPHS:
        assert paragraph in text


@pytest.mark.parametrize("clutter, gone", [
    ("<div class='flex gap-2'><h3>Download the App</h3><p>Read us on the go.</p><a href='#'>Get it on Google "
     "Play</a></div>", "Read us on the go"),
    ("<p><strong>Also read:</strong> <a href='/x'>Ferry timetable changes for the winter season</a></p>",
     "Ferry timetable"),
    ("<div class='x1'><span>Advertisement</span></div>", "Advertisement"),
    ("<div class='css-9q'><h4>Sign up for our newsletter</h4><p>The week's best stories, every Friday.</p>"
     "<input type='email'><button>Subscribe</button></div>", "best stories"),
    ("<div class='bar'><span>Share this article</span> <a href='#'>Facebook</a> <a href='#'>X</a></div>",
     "Facebook"),
    ("<div><button>AI summary</button> <button>Listen to this article</button></div>", "Listen to this"),
    ("<div class='c-9'><p>You have 2 free articles left this month.</p><a href='/subscribe'>Subscribe now</a>"
     "<p>Already a subscriber? <a href='/login'>Log in</a></p></div>", "free articles left"),
    ("<p><a href='#main'>Skip to main content</a></p><div><a href='#top'>Back to top</a></div>", "Back to top"),
    ("<div class='row'><span>Add to cart</span></div><div><a href='#'>Add to wish list</a></div>", "wish list"),
    ("<p><em>As an Amazon Associate we earn from qualifying purchases.</em></p>", "qualifying purchases"),
    ("<div class='x'><h4>Ask AI</h4><p>Get answers from our assistant.</p></div>", "our assistant"),
    ("<div class='saboxplugin-wrap'><div class='saboxplugin-desc'><p>Jo Roe has covered the harbour for ten years "
     "and lives by the old fish market with two cats.</p></div></div>", "two cats"),
    ("<section><h2>Customers also bought</h2><p>Harbour mug: a stoneware mug with the promenade printed on it, "
     "twelve euros.</p></section>", "Harbour mug"),
    ("<div><a href='/members/jo'>View Public Profile</a></div><div><a href='/search?u=2'>Find More Posts by jo"
     "</a></div>", "Public Profile"),
], ids=["app-box", "also-read", "ad-label", "newsletter", "share-bar", "ai-toolbar", "paywall", "page-chrome",
        "shop-controls", "affiliate-note", "ask-ai-box", "author-box", "shop-recommendations",
        "poster-links"])
def test_clutter_between_paragraphs_goes_and_the_paragraphs_stay(clutter, gone):
    text = text_of(article_page(inside=clutter))
    assert gone.lower() not in text.lower()
    assert all(p in text for p in ARTICLE_PARAGRAPHS)


def test_a_related_list_longer_than_the_article_goes():
    teasers = "".join(
        f"<div class='card'><a href='/s{i}'><h3>Story {i}</h3></a><p>{ARTICLE_PARAGRAPHS[i % 4]} Teaser {i}.</p></div>"
        for i in range(8))
    text = text_of(article_page(after=f"<section class='css-1x2y'><h2>Recommended for you</h2>{teasers}</section>"))
    assert "Teaser" not in text and "Recommended" not in text
    assert all(p in text for p in ARTICLE_PARAGRAPHS)


def test_comments_under_a_heading_go():
    comments = "".join(f"<div class='c'><b>reader{i}</b><p>I think the promenade is a waste of money {i}.</p></div>"
                       for i in range(5))
    text = text_of(article_page(after=f"<div><h2>Comments (5)</h2>{comments}<textarea></textarea></div>"))
    assert "waste of money" not in text


@pytest.mark.parametrize("sentence", [
    "Users who download the app from the store get a discount, the council said of its new parking service.",
    "The related work on the northern pier, finished last year, cost far less than expected by the planners.",
    "Comments from readers poured in after the vote, most of them in favour of the plan and its timetable.",
    "Advertisement revenue from the harbour billboards will pay for part of the maintenance, officials said.",
])
def test_a_paragraph_that_merely_mentions_a_phrase_stays(sentence):
    assert sentence in text_of(article_page(inside=f"<p>{sentence}</p>"))


@pytest.mark.parametrize("heading", [
    "<h2 id='why-the-pier-matters'><a href='#why-the-pier-matters'>Why the pier matters</a></h2>",
    "<h2 id='h-sharing-the-promenade'>Sharing the promenade</h2>",
    "<h3><a href='https://shop.example/lamp'>1. The harbour lamp</a></h3>",
], ids=["permalink-heading", "anchor-id-of-clutter-words", "roundup-item-heading"])
def test_a_headings_own_anchor_does_not_make_it_clutter(heading):
    """readability drops a heading that is all link, or whose id holds a clutter word ("share", "social"); a
    permalink, a roundup item's link and an id made from the heading's words are none of these."""
    text = text_of(article_page(inside=heading))
    assert fold_text(heading) in text and all(p in text for p in ARTICLE_PARAGRAPHS)


def test_a_side_note_written_as_prose_stays_and_a_rail_of_links_goes():
    note = ("<aside><h3>A note on the old pier</h3><p>The old pier was built in 1887 for the steamers that carried "
            "visitors from the city, and it stood for three quarters of a century until a storm took its last "
            "section in the winter of 1962.</p>"
            "<p>Its stone footings are still visible at low tide, and the new promenade will end a few metres from "
            "them, with a plaque that tells the story of the steamers, of the pier and of the storm that ended "
            "it.</p></aside>")
    rail = "<aside><a href='/a'>Ferry fares rise</a> <a href='/b'>Tram strike ends</a></aside>"
    text = text_of(article_page(inside=note + rail))
    assert "stone footings" in text and "Ferry fares" not in text


SHEET = ("<p>The Arrival mug is thrown by hand in our harbour workshop from a dark stoneware clay, glazed in "
         "two coats and fired twice, so that no two mugs are quite alike and each one keeps its warmth.</p>")


@pytest.mark.parametrize("sheet, kept", [
    (f"<div role='dialog' aria-modal='false'><h3>Description</h3>{SHEET}</div>", True),
    (f"<div role='dialog' aria-modal='true'><h3>Description</h3>{SHEET}</div>", False),
    (f"<div role='dialog' aria-modal='false'>{SHEET}<input name='email'></div>", False),
], ids=["a-sheet-beside-the-text", "a-modal-pop-up", "a-form"])
def test_a_dialog_that_is_a_sheet_of_prose_stays(sheet, kept):
    assert ("dark stoneware clay" in text_of(article_page(inside=sheet))) is kept


def test_a_paragraph_set_in_a_styled_span_stays():
    """readability drops elements whose class says "menu"; a span that styles a paragraph's words is text."""
    styled = ("<p><span class='contextmenu Quotation'>Bay laurel is a great evergreen shrub with scented foliage, "
              "which can be used in the kitchen as well as in arrangements.</span></p>")
    assert "Bay laurel is a great evergreen shrub" in text_of(article_page(inside=styled))


@pytest.mark.parametrize("wrapper, heading", [
    ("<div class='with-sidebar-layout'>", ""),
    ("<section id='respond-to-reader-comments'>", "<h2>Respond to reader comments</h2>"),
], ids=["class-says-sidebar", "id-is-its-headings-words"])
def test_a_block_of_prose_readability_calls_unlikely_stays(wrapper, heading):
    """readability drops blocks whose class or id says "sidebar", "header" or "comment"; one of running text
    (a blog theme's "with-sidebar-layout"), or one whose id is made from its heading, is the article's."""
    body = "".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS)
    closing = "</" + wrapper[1:wrapper.index(" ")] + ">"
    page = (f"<html><body>{wrapper}{heading}<div>{body}</div>{closing}"
            f"<div class='teaser'><p>{'A walk along the old harbour wall at dawn, with coffee. ' * 6}</p></div>"
            "</body></html>")
    container = score.best_container(lxml.html.document_fromstring(page))
    assert all(p in container.text_content() for p in ARTICLE_PARAGRAPHS)


@pytest.mark.parametrize("aside", [
    "<aside role='doc-footnote'><p>1. The council's figures, published in its spring budget.</p></aside>",
    "<aside><figure><img src='/pier.jpg'><figcaption>The council's figures: the old pier in 1900.</figcaption>"
    "</figure></aside>",
], ids=["footnote", "side-figure"])
def test_an_aside_of_the_text_stays(aside):
    assert "The council's figures" in text_of(article_page(inside=aside))


def test_a_heading_styled_as_a_header_is_no_page_header():
    """readability drops elements whose class says "header"; a heading with such a class is the text's."""
    heading = "<h2 class='styles_header__x1'>Cost and timetable</h2>"
    assert "Cost and timetable" in text_of(article_page(inside=heading))


def fold_text(markup: str) -> str:
    import lxml.html
    return lxml.html.fragment_fromstring(markup).text_content()


def test_headings_of_the_article_itself_stay():
    page = article_page(inside="<h2>Related work on the pier</h2><p>Work on the north pier ended in May after "
                               "three years, and its lessons shaped the new plan in several important ways.</p>")
    assert "Related work on the pier" in text_of(page)


def test_selector_vocabularies_remove_named_containers():
    page = article_page(after="<div id='disqus_thread'><p>Disqus says hello to everyone reading along today.</p></div>"
                              "<aside class='related-posts'><p>Another story about ferries and their timetables.</p>"
                              "</aside>")
    text = text_of(page)
    assert "Disqus" not in text and "ferries" not in text


def test_consent_tools_one_word_classes_go_and_scripts_are_no_removed_blocks():
    """Consent plug-ins name their banners in one word ("cookiebanner", "cookielawinfo"); their scripts carry
    the same names, but a script is never shown: no block for a reader to see removed."""
    banner = ("<div class='cmplz-cookiebanner'><p>We use technologies like cookies to store device information."
              "</p></div><script class='cmplz-cookiebanner-js'>var complianz = {};</script>")
    article = extract(article_page(after=banner), url="https://news.example/story")
    assert "technologies like cookies" not in article.text
    assert [r.match for r in article.removed if r.rule == "selector:cookie"] == ["cookiebanner"]
    assert not any("complianz" in r.text for r in article.removed)


def test_custom_elements_are_named_by_their_tag():
    page = article_page(inside="<newsletter-signup><p>Get the harbour briefing every morning.</p></newsletter-signup>",
                        after="<related-articles><p>Ferry strike ends after a week of talks.</p></related-articles>")
    text = text_of(page)
    assert "harbour briefing" not in text and "Ferry strike" not in text
    assert all(p in text for p in ARTICLE_PARAGRAPHS)


def test_a_topic_pages_feed_is_no_list_of_topic_tags():
    cards = "".join(f"<article class='card'><h2><a href='/economy/story-{i}'>Markets story number {i} of the week"
                    f"</a></h2><div>Teaser {i}: how prices, wages and rates moved this week.</div></article>"
                    for i in range(6))
    featured = "<p>The lead story of the section, told at some length so that it reads as running text.</p>" * 3
    page = ("<html><head><title>Economy | Harbour Times</title></head><body><header><nav><a href='/'>Home</a>"
            f"</nav></header><main><h1>Economy</h1><section class='featured'>{featured}</section>"
            f"<div class='container container--topics'><section class='feed'>{cards}</section></div></main>"
            "<footer>About us</footer></body></html>")
    text = text_of(page)
    assert "Markets story number 0 of the week" in text and "Teaser 5: how prices" in text


def test_a_wrapper_with_an_unlucky_class_keeps_the_article():
    page = article_page().replace("<article>", "<article class='post has-comments share-enabled'>")
    assert all(p in text_of(page) for p in ARTICLE_PARAGRAPHS)


def test_wrappers_sharing_the_articles_unlucky_word_keep_it():
    """A newsletter issue published as a page: the article and its wrappers all say "newsletter"."""
    praise = "".join(f"<p>Reader {i}: every issue has changed how I plan my week, thank you so much.</p>"
                     for i in range(3))
    wrapped = ("<h1>Issue 12</h1><section class='newsletter-section'><div class='newsletter-wrapper'>"
               "<article class='newsletter-content'>")
    page = article_page(after=praise, title="Issue 12").replace("<article><h1>Issue 12</h1>", wrapped)
    page = page.replace("</article>", "</article></div></section>")
    assert all(p in text_of(page) for p in ARTICLE_PARAGRAPHS)


def test_a_consent_box_around_a_long_dialog_still_goes():
    policy = "".join(f"<p>Partner {i} stores cookies on your device to measure audiences, build profiles of "
                     f"your interests and show you relevant adverts on this and other sites.</p>" for i in range(12))
    page = article_page(after=f"<div id='onetrust-consent-sdk'><div role='dialog'>{policy}</div></div>")
    text = text_of(page)
    assert "Partner 3 stores cookies" not in text and all(p in text for p in ARTICLE_PARAGRAPHS)


def test_never_shown_site_builder_blocks_go():
    page = article_page(inside="<p class='summary-fallback w-condition-invisible'>A fallback summary never shown "
                               "to a reader of the published page, duplicating the article's opening.</p>")
    assert "fallback summary" not in text_of(page)


def test_hidden_elements_go():
    page = article_page(inside="<div style='display:none'>Hidden promo text here</div>"
                               "<div aria-hidden='true'>Decorative bit</div><p hidden>Secret bit</p>")
    text = text_of(page)
    assert "Hidden promo" not in text and "Decorative bit" not in text and "Secret bit" not in text


@pytest.mark.parametrize("closed", ["hidden", "hidden aria-hidden='true'", "style='display: none'"])
def test_closed_folds_stay_a_reader_opens_them(closed):
    """hidden, aria-hidden and display:none close tabs, accordions and "read more" folds: their text is the
    page's when a control on the page opens them."""
    page = article_page(inside=f"<button aria-controls='specs'>Specifications</button><div id='specs' {closed}>"
                               "<p>Weight: 1.2 kg, width 30 cm, made of recycled aluminium.</p></div>"
                               f"<div role='tabpanel' {closed}><p>Care: wipe with a damp cloth, never bleach.</p>"
                               "</div>")
    text = text_of(page)
    assert "Weight: 1.2 kg" in text and "Care: wipe" in text


def test_removals_are_recorded_with_rule_match_and_text():
    article = extract(article_page(inside="<div class='x'><h3>Download the App</h3><p>Now free.</p></div>"))
    record = next(r for r in article.removed if r.rule == "phrase:app_promo")
    assert record.match == "download the app" and record.text.startswith("Download the App")


def test_rules_can_be_turned_off():
    page = article_page(inside="<div class='b'><h3>Download the App</h3><p>The harbour cranes, live.</p></div>")
    assert "harbour cranes" in text_of(page, options=Options(clutter_rules=False))
    assert "harbour cranes" not in text_of(page)


def test_a_related_heading_inside_the_article_takes_its_links_not_the_rest_of_the_story():
    page = article_page(inside="<h3>Related</h3><ul><li><a href='/a'>Cranes</a></li>"
                               "<li><a href='/b'>Ferries</a></li></ul>")
    text = text_of(page)
    assert "Cranes" not in text and "Ferries" not in text
    assert all(p in text for p in ARTICLE_PARAGRAPHS)


def test_the_backup_restores_the_page_when_rules_would_take_nearly_everything():
    from declutter.pipeline.declutter import remove_clutter
    from declutter.pipeline.decode import parse

    # the whole story sits in boxes named like clutter: removing them would leave nothing
    root = parse("<html><body><div class='newsletter'>" + ARTICLE_PARAGRAPHS[0] + "</div>"
                 "<div class='share'>" + ARTICLE_PARAGRAPHS[1] + "</div></body></html>")
    result = remove_clutter(root, [], None, Options())
    assert [r.rule for r in result.removed] == ["backup"]
    assert ARTICLE_PARAGRAPHS[0][:40] in root.text_content()


def test_the_rule_file_loads_and_every_group_matches_its_own_phrases():
    rules = generic_rules()
    assert {g.name for g in rules.phrases} >= {"related", "comments", "app_promo", "ai_promo", "newsletter",
                                               "share", "advertisement", "lead_in", "cookie_consent"}
    assert rules.match_label("related articles", whole_text=True) == ("related", "related articles")
    assert rules.match_label("no comments yet", whole_text=True) == ("comments", "no comments yet")
    assert rules.match_label("explore what daily8 ai can do", whole_text=True)[0] == "ai_promo"
    assert rules.match_label("related articles", whole_text=False) is None  # a long block is no label
    assert rules.match_label("we use cookies to improve your experience", whole_text=False)[0] == "cookie_consent"


def test_class_words_match_the_leftmost_run_and_there_the_run_listed_first():
    rules = parse_rules({"phrases": {"x": {"owns": "label", "en": ["a"]}},
                         "selectors": {"ads": {"words": ["ad", "ad-slot"]}, "share": {"words": ["share-bar", "bar"]},
                                       "related": {"words": ["related-posts", "slot"]}}})
    assert rules.match_words(class_words("ad-slot")) == ("ads", "ad")  # as a regex alternation would: first listed
    assert rules.match_words(class_words("sidebar shareBar")) == ("share", "share-bar")
    assert rules.match_words(class_words("related posts slot")) == ("related", "related-posts")
    assert rules.match_words(class_words("the-slot ad")) == ("related", "slot")  # leftmost, whatever the group
    assert rules.match_words(class_words("header loaded adverts")) is None  # words, not parts of words
    assert rules.match_words(class_words("related")) is None  # half a run


def test_words_and_labels_are_read_as_the_general_rules_read_them():
    """The short ways (a list of class words without joining them, ASCII labels without NFKC) give what the
    general rules give: words split at camelCase and at every run of other characters; labels NFKC, case-folded,
    single-spaced, without punctuation, symbols or counts at either end."""
    rng = random.Random(5)
    pieces = [*"aZk-_ 09.:/()!?", "\t", "\n", "é", "É", "ß", "İ", "ſ", "\u212a", "’", "ﬁ", "\u00a0", "Share",
              "camelCase"]
    values = ["", " ", "-", "relatedPosts sidebar_ad"] + ["".join(rng.choices(pieces, k=rng.randrange(1, 9)))
                                                        for _ in range(20_000)]
    for value in values:
        words = re.sub(r"[^a-z0-9]+", "-", re.sub(r"(?<=[a-z])(?=[A-Z])", "-", value).lower()).strip("-")
        assert class_words(value) == f"-{words}-" and word_list(value) == words.split("-"), repr(value)
        label = " ".join(unicodedata.normalize("NFKC", value).replace("’", "'").casefold().split())
        assert normalize_text(value) == re.sub(r"^[\W_\d]+|[\W_\d]+$", "", label), repr(value)


def test_wildcard_phrases_match_at_either_literal_end():
    rules = generic_rules()
    assert rules.match_label("3 hours ago", whole_text=True)[0] == "dateline"  # a leading wildcard
    assert rules.match_label("more from the verge", whole_text=True)[0] == "related"  # a trailing one
    assert rules.match_label("download the free reader app", whole_text=True)[0] == "app_promo"
    assert rules.match_label("an hour of reading a day ago", whole_text=True) is None  # more than a few words


@pytest.mark.parametrize("data, message", [
    ({"phrases": {"x": {"owns": "box", "max_chars": 10, "en": ["a"], "klingon": ["b"]}},
      "selectors": {"y": {"words": ["z"]}}},
     "unknown keys"),
    ({"phrases": {"x": {"owns": "boxx", "en": ["a"]}}, "selectors": {"y": {"words": ["z"]}}}, "owns"),
    ({"phrases": {"x": {"owns": "label", "de": ["a"]}}, "selectors": {"y": {"words": ["z"]}}}, "English"),
    ({"phrases": {"x": {"owns": "label", "en": []}}, "selectors": {"y": {"words": ["z"]}}}, "non-empty"),
    ({"phrases": {"x": {"owns": "label", "en": ["a"]}}, "selectors": {"y": {"wrods": ["z"]}}}, "unknown keys"),
    ({"phrases": {"x": {"owns": "label", "en": ["a"]}}, "selectors": {"y": {}}}, "names nothing"),
    ({"phrases": {"x": {"owns": "label", "en": ["a"]}}, "selectors": {"y": {"min_chars": 1}}}, "names nothing"),
    ({"phrases": {"x": {"owns": "label", "en": ["a"]}}, "selectors": {"y": {"words": ["z"], "min_chars": 4,
                                                                          "max_chars": 3}}}, "min_chars <="),
    ({"phrases": {"x": {"owns": "label", "en": ["a"]}}, "selectors": {"y": {"words": ["z"], "max_chars": "3"}}},
     "min_chars <="),
    ({"phrases": {"x": {"owns": "label", "en": ["a"]}}}, "required"),
    ({"phrases": {"x": {"owns": "label", "en": ["* *"]}}, "selectors": {"y": {"words": ["z"]}}}, "besides"),
])
def test_the_rule_loader_rejects_typos_and_empty_groups(data, message):
    with pytest.raises(RuleError, match=message):
        parse_rules(data)


def test_a_form_around_the_whole_page_is_not_clutter():
    """ASP.NET pages and forum moderation wrap the content in one <form>; a search box is a small form."""
    posts = "".join(f"<div class='post'><div class='body'>{p}</div></div>" for p in ARTICLE_PARAGRAPHS * 2)
    page = article_page(paragraphs=[]).replace("<main>", f"<main><form action='/moderate'>{posts}</form>")
    page = page.replace("<footer>", "<form action='/search'><input name='q'><button>Search</button></form><footer>")
    text = text_of(page)
    assert all(p in text for p in ARTICLE_PARAGRAPHS) and "Search" not in text
