"""Each pipeline step on tiny inline HTML."""

import random
from pathlib import Path

import lxml.html
import pytest
from helpers import ARTICLE_PARAGRAPHS, article_page

from declutter.errors import BadInput
from declutter.pipeline import decode, extract, postclean, regions, score, second_opinion
from declutter.pipeline import metadata as metadata_step
from declutter.pipeline.metadata import read_metadata, strip_site_suffix
from declutter.pipeline.models import Article
from declutter.pipeline.options import Options
from declutter.pipeline.sanitize import sanitize_html
from declutter.pipeline.serialize import RENDERERS, render

# --- decode ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, charset, expected", [
    ("café".encode(), None, "café"),
    (b"\xef\xbb\xbf" + "café".encode(), "latin-1", "café"),  # the BOM wins over the header
    ("café".encode("utf-16-le").join([b"\xff\xfe", b""]), None, "café"),
    ("café".encode("latin-1"), "iso-8859-1", "café"),
    (b"<meta charset='windows-1251'>" + "привет".encode("cp1251"), None, "привет"),
    ("café".encode("latin-1"), None, "café"),  # not UTF-8: the fallback
    ("naïve".encode("shift_jis", errors="ignore"), "no-such-charset", "nave"),
])
def test_to_text_finds_the_encoding(data, charset, expected):
    assert expected in decode.to_text(data, charset)


def test_to_text_drops_characters_lxml_refuses():
    assert decode.to_text("a\x00b\x0bc\ud800d\uffffe") == "abcde"


@pytest.mark.parametrize("data, expected", [
    ("é\x0bb\x7fc".encode(), "ébc"),  # valid UTF-8, undeclared
    ("é\ufffeb\uffffc".encode(), "ébc"),  # non-characters only
    ('<meta charset="utf-8">é\x01\ufffe'.encode(), '<meta charset="utf-8">é'),  # valid, declared
    ('<meta charset="utf-8">é\x01'.encode() + b"\xff", '<meta charset="utf-8">é\ufffd'),  # invalid, declared
    ("é\x1f".encode("cp1252") + b"\x81", "é\ufffd"),  # not UTF-8, undeclared: cp1252
])
def test_bytes_lose_the_characters_lxml_refuses_whichever_way_they_are_decoded(data, expected):
    assert decode.to_text(data) == expected


def test_parse_ignores_a_misleading_declaration():
    root = decode.parse("<?xml version='1.0' encoding='latin-1'?><html><body><p>ünïcode</p></body></html>")
    assert root.findtext(".//p") == "ünïcode"


def test_parse_refuses_an_empty_page():
    with pytest.raises(BadInput):
        decode.parse("  \n ")


@pytest.mark.parametrize("url", ["http://[::1", "ftp://example.org/a", "/relative/path", "https://",
                                 "https://example.org/\ud800"])
def test_a_page_url_that_is_no_web_address_is_bad_input(url):
    with pytest.raises(BadInput, match="'url' must be an absolute http or https URL"):
        extract(article_page(), url)


# --- metadata -------------------------------------------------------------------------------------------------

def meta_of(head: str, body: str = "", url=None, html_attrs=""):
    return read_metadata(decode.parse(f"<html {html_attrs}><head>{head}</head><body>{body}</body></html>"), url)


def test_json_ld_article_with_graph_and_authors():
    ld = ('<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite",'
          '"name":"Site"},{"@type":"NewsArticle","headline":"Real headline","datePublished":"2024-01-02",'
          '"author":[{"@type":"Person","name":"Ann Lee"},{"name":"Bo Chen"}],"publisher":{"name":"The Paper"},'
          '"image":["https://img.example/a.jpg"]}]}</script>')
    meta = meta_of(ld + "<title>Other | The Paper</title>")
    assert (meta.title, meta.byline, meta.site_name, meta.published_time, meta.lead_image_url) == (
        "Real headline", "Ann Lee, Bo Chen", "The Paper", "2024-01-02", "https://img.example/a.jpg")


def test_opengraph_and_meta_tags():
    meta = meta_of('<meta property="og:title" content="OG title"><meta name="author" content="Jo Doe">'
                   '<meta property="og:image" content="/img/x.png"><meta name="description" content="Summary.">',
                   url="https://news.example/a/b")
    assert (meta.title, meta.byline, meta.excerpt) == ("OG title", "Jo Doe", "Summary.")
    assert meta.lead_image_url == "https://news.example/img/x.png"


def test_time_rel_author_lang_and_dir():
    meta = meta_of("<title>Plain title of the page here</title>",
                   '<a rel="author" href="/u">Sam Roe</a><time datetime="2023-05-06T07:08:09Z">May 6</time>',
                   html_attrs='lang="ar" dir="rtl"')
    assert (meta.byline, meta.published_time, meta.lang, meta.dir) == (
        "Sam Roe", "2023-05-06T07:08:09+00:00", "ar", "rtl")


def test_metadata_urls_are_http_only():
    meta = meta_of("<link rel='canonical' href='javascript:alert(1)'><meta property='og:image' "
                   "content='data:image/png;base64,AA'>", url="https://news.example/a")
    assert meta.canonical_url is None and meta.lead_image_url is None
    meta = meta_of("<link rel='canonical' href='/a?b=1'><meta property='og:image' content='//cdn.example/i.png'>",
                   url="https://news.example/x")
    assert meta.canonical_url == "https://news.example/a?b=1" and meta.lead_image_url == "https://cdn.example/i.png"


def test_byline_from_the_source_and_time_line_under_the_headline():
    body = ("<h1>Harbour plan approved</h1><img src='/a.jpg'><div><span>Harbour Times</span><span>2 hours ago</span>"
            "</div><p>Story text that is long enough to be the story, with more words to read here.</p>")
    assert meta_of("<title>Harbour plan approved</title>", body).byline == "Harbour Times"
    assert meta_of("<title>Harbour plan approved</title>", body.replace("2 hours ago", "in print")).byline is None


@pytest.mark.parametrize("title, site, expected", [
    ("U.S. envoy plays down Washington-Tokyo trade row | Daily8", "Daily8",
     "U.S. envoy plays down Washington-Tokyo trade row"),
    ("Daily8 - U.S. envoy plays down trade row", "Daily8", "U.S. envoy plays down trade row"),
    ("A long headline about many things - Blog", None, "A long headline about many things"),
    ("Short - Title", None, "Short - Title"),
    ("No separator here", None, "No separator here"),
])
def test_title_loses_its_site_suffix(title, site, expected):
    assert strip_site_suffix(title, site) == expected


# --- post-clean -----------------------------------------------------------------------------------------------

def fragment(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_lazy_images_get_their_real_source():
    root = decode.parse('<html><body><img src="data:image/gif;base64,R0l" data-src="/a.jpg">'
                        '<img src="/blank.gif" data-srcset="/b.jpg 1x, /b2.jpg 2x">'
                        '<p><img src="/spacer.gif"><noscript><img src="/c.jpg" alt="c"></noscript></p></body></html>')
    postclean.reveal_lazy_images(root)
    images = root.findall(".//img")
    assert images[0].get("src") == "/a.jpg"
    assert images[1].get("srcset") == "/b.jpg 1x, /b2.jpg 2x"
    assert len(images) == 3 and images[2].get("src") == "/c.jpg" and root.find(".//noscript") is None


def test_tidy_resolves_urls_drops_empty_nodes_and_the_repeated_title():
    container = fragment('<h1>The Title</h1><p><a href="/x">link</a></p><div> </div><p><img src="i.png" '
                         'srcset="i.png 1x, /j.png 2x"></p><span></span>')
    postclean.tidy(container, "https://site.example/news/story", "The Title")
    html = postclean.to_html(container)
    assert "The Title" not in html and "<div> </div>" not in html and "<span>" not in html
    assert 'href="https://site.example/x"' in html
    assert 'srcset="https://site.example/news/i.png 1x, https://site.example/j.png 2x"' in html


def test_links_resolve_against_the_documents_base_then_the_page():
    root = decode.parse('<html><head><base href="https://cdn.example/docs/"></head><body><div id="c"><p>'
                        '<a href="guide.html">guide</a> <a href=" /about ">about</a> <a href="http://[::1">bad</a>'
                        '<img src="i.png" srcset="a.png 1x, http://[::1 2x"></p>'
                        '<blockquote cite="q.html">Q</blockquote></div></body></html>')
    container = root.get_element_by_id("c")
    postclean.absolute_urls(container, metadata_step.document_url(root, "https://site.example/news/story"))
    links = [a.get("href") for a in container.iter("a")]
    assert links == ["https://cdn.example/docs/guide.html", "https://cdn.example/about", None]
    assert container.find(".//img").get("src") == "https://cdn.example/docs/i.png"
    assert container.find(".//img").get("srcset") == "https://cdn.example/docs/a.png 1x"
    assert container.find(".//blockquote").get("cite") == "https://cdn.example/docs/q.html"


@pytest.mark.parametrize("head, expected", [
    ('<base href="/">', "https://site.example/"),
    ('<base target="_top"><base href="../img/"><base href="https://other.example/">', "https://site.example/img/"),
    ('<base href="javascript:alert(1)//">', "https://site.example/news/story"),
    ('<base href="http://[::1">', "https://site.example/news/story"),
    ("", "https://site.example/news/story"),
])
def test_the_documents_base_is_its_first_base_href_joined_to_the_page_as_a_browser_joins_it(head, expected):
    root = decode.parse(f"<html><head>{head}</head><body><p>Text</p></body></html>")
    assert metadata_step.document_url(root, "https://site.example/news/story") == expected
    assert metadata_step.document_url(root, None) is None


def test_the_article_links_resolve_against_the_documents_base_whichever_candidate_is_taken():
    # readability's pick is gathered outside the page's tree: the base is read from the page, not from it.
    page = article_page(head='<base href="/">', inside='<p>The route is on <a href="maps/route.html">the map</a>.</p>')
    article = extract(page, "https://harbour.example/news/2025/promenade")
    assert article.confidence == "high"
    assert 'href="https://harbour.example/maps/route.html"' in article.content


@pytest.mark.parametrize("inside, head, kept", [
    ('<p><img src="a.png" srcset="a.png 1x, http://[::1 2x"> The bridge at night.</p>', "",
     'srcset="https://harbour.example/news/a.png 1x"'),
    ('<p><img src="http://[::1/b.png"> The bridge at night.</p>', '<meta property="og:image" content="/lead.png">',
     "The bridge at night."),
])
def test_an_address_no_browser_could_open_goes_and_the_page_stays(inside, head, kept):
    # urllib raises on "http://[::1": that address goes, not the page.
    article = extract(article_page(inside=inside, head=head), "https://harbour.example/news/promenade")
    assert kept in article.content and "[::1" not in article.content


def test_a_video_whose_address_has_no_host_is_no_video():
    container = lxml.html.fragment_fromstring('<div><p>Film</p><iframe src="https://[::1/embed/x"></iframe></div>')
    postclean._videos_as_links(container)
    assert container.find(".//iframe") is not None and container.find(".//a") is None


def test_an_element_of_spaces_leaves_its_spaces_between_the_words():
    # Syntax highlighters (Pygments' class="w") write each space of a code sample as its own <span>.
    container = fragment('<pre><span class="kn">from</span><span class="w"> </span><span class="nn">typing</span>'
                         '<span class="w">  </span><span>import</span></pre><p><a href="/a">one</a><span> </span>'
                         '<a href="/b">two</a></p>')
    postclean.tidy(container, "https://site.example/a", None)
    assert postclean.plain_text(container) == "from typing  import\n\none two"


def test_items_set_apart_by_the_pages_style_get_a_space_and_split_words_do_not():
    container = fragment('<div><span class="item">1992</span><span class="item">1h 39m</span><span class="item">R'
                         '</span></div><p><code>U+00DF</code><code>0xC3 9F</code></p>'
                         '<p><span class="s1">The Co</span><span class="s1">rnell network</span></p>'
                         '<p><span class="cap">D</span><span>Data</span> <b>H</b>ello <span>漢</span><span>字</span>'
                         'H<sub>2</sub>O</p><pre><span>a</span><span>B</span></pre>'
                         '<table><tr><th>Age</th><th>Share</th></tr></table>')
    postclean.tidy(container, "https://site.example/a", None)
    assert postclean.plain_text(container) == ("1992 1h 39m R\n\nU+00DF 0xC3 9F\n\nThe Cornell network\n\n"
                                               "DData Hello 漢字H2O\n\naB\n\nAge Share")


def test_a_description_laid_out_twice_is_read_once_and_a_refrain_twice():
    description = ("<div class='desc'><p>" + "A wheel thrown mug in a white speckle finish with a clear glaze. " * 6
                   + "</p><p>Handmade stoneware, safe in dishwashers and microwave ovens.</p></div>")
    refrain = "<p>" + "We shall not cease from exploration, and the end of all our exploring. " * 5 + "</p>"
    container = fragment(f"<div class='mobile'>{description}</div>{refrain}<div class='desktop'>{description}</div>"
                         f"{refrain}<blockquote>{description}</blockquote>")
    postclean.tidy(container, "https://site.example/a", None)
    text = postclean.plain_text(container)
    assert text.count("Handmade stoneware") == 2  # the page's copy and the quote of it
    assert text.count("We shall not cease") == 10  # one paragraph said twice stays twice


def test_the_lead_image_shown_above_the_body_comes_first():
    root = decode.parse('<html><body><img src="/hero.jpg" alt="Hero"><img src="/other.jpg"></body></html>')
    container = fragment("<p>Body text</p>")
    postclean.add_lead_image(container, root, "https://site.example/hero.jpg", "https://site.example/a")
    assert postclean.to_html(container).startswith('<div><figure><img src="https://site.example/hero.jpg" alt="Hero">')
    unshown = fragment("<p>Body text</p>")  # an og:image the page never shows is a share card, not the article's
    postclean.add_lead_image(unshown, root, "https://site.example/card.jpg", "https://site.example/a")
    assert "<img" not in postclean.to_html(unshown)


def test_embedded_videos_become_links_and_other_frames_go():
    container = fragment('<p>Watch:</p><iframe src="https://www.youtube.com/embed/abc123"></iframe>'
                         '<iframe src="//player.vimeo.com/video/42"></iframe><iframe src="https://ads.example/x"></iframe>')
    postclean.tidy(container, "https://site.example/a", None)
    html = postclean.to_html(container)
    assert '<a href="https://www.youtube.com/embed/abc123">▶ Video (youtube.com)</a>' in html
    assert '<a href="https://player.vimeo.com/video/42">' in html
    assert "ads.example" not in html and "<iframe" not in html


def test_plain_text_keeps_paragraphs_and_preformatted_code():
    text = postclean.plain_text(fragment("<p>one\n  two <b>three</b></p><pre>  a = 1\n    b = 2</pre>"
                                         "<ul><li>first</li><li>second</li></ul><p>x<br>y</p>"))
    assert text == "one two three\n\n  a = 1\n    b = 2\n\nfirst\n\nsecond\n\nx\ny"


def test_plain_text_numbers_ordered_list_items_as_a_browser_does():
    text = postclean.plain_text(fragment('<ol start="3"><li>Preheat<ol><li>the oven</li></ol></li>'
                                         '<li value="9"><p>Bake</p></li><li><img src="x.png"></li><li>Serve</li>'
                                         '</ol><ul><li>a tip</li></ul>'))
    assert text == "3. Preheat\n\n1. the oven\n\n9. Bake\n\n11. Serve\n\na tip"


STEPS = ["Mix the flour with the water and the salt until the dough no longer sticks to the bowl.",
         "Leave the dough to rest under a damp cloth for an hour, somewhere warm and out of the draught.",
         "Bake the loaf for forty minutes, until it sounds hollow when you knock on its underside."]


def test_the_excerpt_of_a_numbered_list_has_no_number():
    text = postclean.plain_text(fragment("<ol>" + "".join(f"<li>{s}</li>" for s in STEPS) + "</ol>"))
    assert text.startswith("1. ") and postclean.first_sentence(text) == STEPS[0]


def test_an_item_removed_as_clutter_leaves_the_page_numbers_of_the_others():
    items = f"<li>{STEPS[0]}</li><li class='advertisement'>Sponsored: buy our oven</li><li>{STEPS[1]}</li>"
    text = extract(article_page(inside=f"<ol>{items}<li>{STEPS[2]}</li></ol>")).text
    assert f"1. {STEPS[0]}" in text and f"3. {STEPS[1]}" in text and f"4. {STEPS[2]}" in text
    assert "Sponsored" not in text


def test_trafilaturas_lists_are_numbered_again_when_they_were_the_pages():
    root = decode.parse(article_page(inside="<ol start='2'>" + "".join(f"<li>{s}</li>" for s in STEPS) + "</ol>"
                                     "<ul><li>A tip: use rye flour for a darker crumb and a sourer taste.</li></ul>"))
    postclean.keep_item_numbers(root)
    page = lxml.html.tostring(root)
    container = second_opinion.extract_container(root)
    assert [item.get("value") for item in container.find(".//ol")] == ["2", "3", "4"]
    assert container.find(".//ul/li") is not None
    assert lxml.html.tostring(root) == page  # trafilatura read a copy: the page is the next steps' still


def test_trafilaturas_links_resolve_against_the_document_not_its_host():
    """trafilatura, given the page's URL, joined links to the host alone; now post-clean resolves them as it does
    every candidate's, and a protocol-relative image keeps the page's scheme."""
    links = ("<p>See <a href='install.html'>the install guide</a> and <a href='#notes'>the notes</a>, with a "
             "diagram: <img src='//cdn.example/diagram.png' alt='Diagram'></p>")
    root = decode.parse(article_page(inside=links))
    container = second_opinion.extract_container(root)
    postclean.absolute_urls(container, "https://docs.example/guide/start.html")
    assert [a.get("href") for a in container.iter("a")] == ["https://docs.example/guide/install.html",
                                                          "https://docs.example/guide/start.html#notes"]
    assert container.find(".//img").get("src") == "https://cdn.example/diagram.png"


def test_a_list_item_is_no_container_its_list_is():
    page = f"<html><body><ol><li><p>{ARTICLE_PARAGRAPHS[0]}</p><p>{ARTICLE_PARAGRAPHS[1]}</p></li></ol></body></html>"
    assert extract(page).text.startswith(f"1. {ARTICLE_PARAGRAPHS[0]}")


def test_reading_time_counts_cjk_characters():
    options = Options()
    assert postclean.reading_time("word " * 460, options) == (460, 2)
    assert postclean.reading_time("日本語" * 100, options) == (300, 1)
    assert postclean.reading_time("", options) == (0, 0)


# --- scoring --------------------------------------------------------------------------------------------------

def test_the_adapter_returns_readabilitys_choice_as_an_element():
    paragraphs = "".join(f"<p>{'Sentence with words, commas, and more words. ' * 4}{i}</p>" for i in range(5))
    root = decode.parse(f"<html><body><div id='nav'><a href='/'>Home</a></div><div id='story'>{paragraphs}</div>"
                        "</body></html>")
    container = score.best_container(root)
    assert isinstance(container, lxml.html.HtmlElement)
    assert container.text_content().count("Sentence with words") == 20 and "Home" not in container.text_content()
    assert root.find(".//div[@id='story']") is not None  # readability scored a copy


def test_a_short_code_sample_in_its_wrappers_stays():
    # readability's conditional cleaning drops a <div> of under 25 characters; a code sample is content.
    samples = ('<div class="highlight-sh"><div class="highlight"><pre>pip install flask</pre></div></div>'
               '<div class="code"><pre><span class="kn">import</span><span class="w"> </span>flask</pre></div>')
    page = article_page(inside=samples)
    text = extract(page, url="https://site.example/a").text
    assert "pip install flask" in text and "import flask" in text


def test_a_lead_in_to_a_quote_stays_whatever_its_class_weighs():
    # readability keeps a block of 25 characters or more that ends in ":" before a block with a quote.
    inside = ('<div class="meta"><p>As the minister wrote to the council in March:</p></div>'
              '<div><blockquote><p>We will build the bridge before the winter comes, and we will pay for it from the '
              'harbour fund, which has money enough for two bridges.</p></blockquote></div>')
    text = extract(article_page(inside=inside), url="https://site.example/a").text
    assert "As the minister wrote to the council in March:" in text and "build the bridge" in text


def test_code_holders_are_the_wrappers_whose_text_is_all_in_samples():
    root = lxml.html.fragment_fromstring(
        "<div><div id='a'><div id='b'><pre>pip install <b>flask</b></pre></div>\n<!-- note --></div>"
        "<div id='c'>Output:<pre>ok</pre></div><div id='d'></div>"
        "<pre id='e'>outer<div id='f'><pre>inner</pre></div></pre></div>")
    holders = {element.get("id") for element in score._code_holders(root)}
    assert holders == {"a", "b"}  # not a sample with a caption, an empty block, a sample or what lies in one


def test_a_list_of_links_with_their_descriptions_stays_as_readability_js_keeps_it():
    # readability-lxml drops a <ul> over a fifth links; Readability.js never judges a list by its links alone.
    resources = ("<h2>Further reading</h2><ul>" + "".join(
        f"<li>{name} – <a href='https://{name.lower()}.example/guide'>a guide to {topic}</a>.</li>"
        for name, topic in (("Arbor", "planting trees"), ("Botanic", "climate gardening"), ("Budburst", "records")))
        + "</ul>")
    text = extract(article_page(inside=resources), url="https://site.example/a").text
    assert "Arbor – a guide to planting trees." in text and "Budburst – a guide to records." in text


# --- sanitize -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dirty, bad", [
    ("<p onclick='x()'>a</p>", "onclick"),
    ("<script>alert(1)</script><p>a</p>", "alert"),
    ("<style>p{}</style><p>a</p>", "p{}"),
    ("<a href='javascript:123'>a</a>", "javascript"),
    ("<a href=' JaVaScRiPt:alert(1)'>a</a>", "alert"),
    ("<img src='data:image/png;base64,AAAA'>", "data:"),
    ("<img src='mailto:a@b'>", "mailto"),
    ("<img srcset='https://a/x.png 1x, javascript:y 2x'>", "javascript"),
    ("<svg><script>alert(1)</script></svg>", "svg"),
    ("<math><mi>x</mi></math>", "math"),
    ("<iframe src='https://x'></iframe>", "iframe"),
    ("<form action='https://x'><input></form>", "form"),
    ("<p style='color:red'>a</p>", "style"),
    ("<a href='/relative'>a</a>", "relative"),
])
def test_the_sanitizer_removes_what_could_run_or_leak(dirty, bad):
    assert bad not in sanitize_html(dirty)


def test_the_sanitizer_keeps_article_markup_and_adds_rel():
    clean = sanitize_html('<h2>H</h2><p><a href="https://x.example/">l</a> <em>e</em></p><figure><img '
                          'src="https://x.example/i.png" alt="i"><figcaption>c</figcaption></figure>'
                          '<table><tr><td colspan="2">t</td></tr></table><pre><code>a  b</code></pre>')
    for kept in ('<h2>H</h2>', 'rel="noopener noreferrer"', '<em>e</em>', 'alt="i"', "<figcaption>c</figcaption>",
                 'colspan="2"', "<pre><code>a  b</code></pre>"):
        assert kept in clean


# --- serialize ------------------------------------------------------------------------------------------------

def sample_article(**overrides) -> Article:
    values = dict(url="https://x.example/a", title="T", byline="B", site_name="S", lang="en", dir=None,
                  published_time=None, modified_time=None, excerpt="E", lead_image_url=None,
                  content="<p>Hello <b>there</b></p>",
                  text="Hello there", word_count=2, reading_time_minutes=1, confidence="high",
                  removed=[])
    return Article(**{**values, **overrides})


def test_every_renderer_is_registered_and_renders():
    assert set(RENDERERS) == {"json", "html", "text", "markdown"}
    assert render(sample_article(), "json")[0]["text"] == "Hello there"
    assert render(sample_article(), "text")[0] == "T\nB\n\nHello there\n"
    assert "Hello **there**" in render(sample_article(), "markdown")[0]
    assert '<a href="https://x.example/a"' in render(sample_article(), "html")[0]


@pytest.mark.parametrize("page", [
    "<html><body><p>First part.</p></body><div><p>Second part, after the end tag.</p></div></html>",
    "<html><body><p>First part.</p></body></html><html><div><p>Second part, after the end tag.</p></div></html>",
], ids=["after-body", "after-html"])
def test_markup_after_a_stray_end_tag_is_read_as_part_of_the_body(page):
    root = decode.parse(page)
    assert [child.tag for child in root if child.tag != "head"] == ["body"]
    assert "Second part" in root.find("body").text_content()


@pytest.mark.parametrize("markup", [
    (Path(__file__).parent / "fixtures" / "daily8-article.html").read_text(encoding="utf-8"),
    "<html><body><div>loose <b>bold</b> text<br>after<div><span>inline <em>only</em></span> tail"
    "<span><img src='x.png'></span><a href='/'>link</a></div><div><picture></picture></div>"
    "<div><span><div>block in inline</div></span> more</div><div><script>var s = '<p>';</script></div>"
    "<div><ul><li>item</li></ul></div></div></body></html>",
])
def test_divs_become_paragraphs_exactly_as_readability_makes_them(markup):
    """The walk that replaces readability's per-<div> serialisation gives the same tree."""
    from readability import Document

    ours, theirs = score._TreeDocument(decode.parse(markup)), Document(markup)
    ours.html, theirs.html = decode.parse(markup), decode.parse(markup)
    ours.transform_misused_divs_into_paragraphs()
    theirs.transform_misused_divs_into_paragraphs()
    assert lxml.html.tostring(ours.html) == lxml.html.tostring(theirs.html)


PROSE = "<p>" + "A sentence of the article, with a comma. " * 4 + "</p>"
CLEANING_CASES = {  # a block for each of readability's cleaning rules, next to the article's paragraphs
    "rules": "<html><body><article class='story'>" + PROSE * 6
             + "<div>" + "<ul>" + "<li>an item of a long list</li>" * 40 + "</ul>" + PROSE + "</div>"
             + "<div>" + "<ul>" + "<li>item</li>" * 12 + "</ul></div>"
             + "<div><img src='1.png'><img src='2.png'><img src='3.png'><h4>Three</h4></div>"
             + "<div><img src='1.png'> A picture</div><div><p>Short</p></div>"
             + "<div><input type='hidden' name='t'><p>A paragraph long enough to count as text</p></div>"
             + "<div><input name='q'><p>Search the site</p></div>"
             + "<div><embed src='a.swf'><p>The caption of a video, longer than a short line</p></div>"
             + "<section><p>" + "Words of a paragraph " * 3 + "<a href='/x'>" + "a link " * 8 + "</a></p>"
             + "</section><div class='sidebar'>" + PROSE + "</div><div></div>" + PROSE * 2
             + "</article></body></html>",
    **{path.parent.name: path.read_text(encoding="utf-8")
       for path in sorted((Path(__file__).parent / "pages").glob("*/source.html"))},
}


@pytest.mark.parametrize("markup", CLEANING_CASES.values(), ids=CLEANING_CASES.keys())
def test_scoring_and_cleaning_give_readabilitys_verdicts(markup, monkeypatch):
    """The adapter's paragraph scoring and conditional cleaning are readability's own, made cheaper: they
    choose the same container and keep the same blocks as readability's methods do."""
    from readability import Document

    ours = score.best_container(decode.parse(markup))
    monkeypatch.setattr(score._TreeDocument, "score_paragraphs", Document.score_paragraphs)
    monkeypatch.setattr(score._TreeDocument, "sanitize", Document.sanitize)
    theirs = score.best_container(decode.parse(markup))
    assert lxml.html.tostring(ours) == lxml.html.tostring(theirs)


def test_text_is_cleaned_as_readability_cleans_it():
    from readability.readability import clean

    pieces = [" ", "  ", "\t", "\n", "\u00a0", "\u2003", "a", "b,", "\r\n", " " * 300, "\n" * 260]
    rng = random.Random(7)
    texts = ["", "plain", " \t edges \n "] + ["".join(rng.choices(pieces, k=rng.randrange(1, 40)))
                                               for _ in range(2000)]
    for text in texts:
        assert score._clean(text) == clean(text), repr(text)


def test_class_and_id_words_are_judged_as_readabilitys_case_insensitive_patterns_judge_them():
    from readability.readability import REGEXES

    rng = random.Random(11)
    pieces = ["comment", "Sidebar", "MAIN", "-", "_", " ", "foot", "Ad-Break", "x", "K", "\u212a", "\u017f",
              "\u0130", "é", "shoutbox", "ARTICLE", "ſponsor", "tags", "İ"]
    values = ["", "a", "Comment"] + ["".join(rng.choices(pieces, k=rng.randrange(1, 6))) for _ in range(3000)]
    pairs = [(score.UNLIKELY, "unlikelyCandidatesRe"), (score.LIKELY, "okMaybeItsACandidateRe"),
             (score.POSITIVE, "positiveRe"), (score.NEGATIVE, "negativeRe")]
    for ours, name in pairs:
        theirs = REGEXES[name]
        for value in values:
            assert ours(value) == bool(theirs.search(value)), (name, value)


@pytest.mark.parametrize("body, expected", [
    ("<nav>Menu</nav><div role='main' id='m'><main><p>Text</p></main></div>", "m"),  # the outermost of both
    ("<div id='m' role='MAIN'><p>Text</p></div><main id='n'><p>More</p></main>", "n"),  # roles are exact
    ("<div role='main'><p>Text</p></div><main><p>More</p></main>", None),  # two regions: the page's <body>
    ("<section><main id='n'><p>Text</p></main></section>", "n"),
])
def test_the_main_region_is_the_one_main_or_role_main(body, expected):
    region = regions.main_region(decode.parse(f"<html><body>{body}</body></html>"))
    assert (region.tag == "body") if expected is None else (region.get("id") == expected)
