"""Pages whose content is spread over blocks: documentation, forum threads, product and service pages."""

from declutter import extract

SECTIONS = [
    ("Install", "Install the client with the package manager of your system; it needs no compiler and "
                "takes a minute on a laptop."),
    ("Configure", "Write the server address and your token into the settings file in your home folder, "
                  "then check it with the status command."),
    ("Upgrade", "Upgrades keep your settings: install the new version over the old one and restart the "
                "background service once."),
    ("Uninstall", "Remove the package, then delete the settings folder if you do not plan to come back."),
]


def docs_page(extra: str = "") -> str:
    """A documentation page: a sidebar, a <main> of short sections (no block long enough to win alone)."""
    sections = "".join(f"<section><h2>{h}</h2><p>{p}</p></section>" for h, p in SECTIONS)
    return ("<html><head><title>Getting started · Client docs</title></head><body>"
            "<header><a href='/'>Client docs</a></header>"
            "<nav><ul><li><a href='/a'>Overview</a></li><li><a href='/b'>Reference</a></li></ul></nav>"
            f"<main><h1>Getting started</h1>{sections}{extra}</main>"
            "<footer><a href='/legal'>Legal</a></footer></body></html>")


def test_a_page_of_short_sections_is_read_whole():
    article = extract(docs_page(), url="https://docs.example/start")
    for heading, paragraph in SECTIONS:
        assert heading in article.text and paragraph in article.text
    assert "Overview" not in article.text and "Legal" not in article.text


def test_an_ask_ai_box_beside_the_docs_goes():
    box = ("<div class='kapa-widget'><h3>Ask AI</h3><p>Our assistant answers questions about these docs.</p>"
           "<button>Ask a question</button></div><div><p>Was this page helpful?</p><button>Yes</button></div>")
    article = extract(docs_page(box), url="https://docs.example/start")
    assert "assistant answers" not in article.text and "Was this page helpful" not in article.text
    assert all(paragraph in article.text for _, paragraph in SECTIONS)


POSTS = [
    ("maria", "Has anyone measured the battery life of the new model with the screen at full brightness?"),
    ("jonas", "About six hours here, with the screen at full brightness and the radio on all the time."),
    ("li", "Closer to eight for me, but I turned the radio off; it makes a large difference on this model."),
]


def forum_page() -> str:
    posts = "".join(
        "<div class='comment' itemscope itemtype='https://schema.org/Comment'>"
        f"<span class='author'>{who}</span><p>{text}</p></div>" for who, text in POSTS)
    return ("<html><head><title>Battery life? - Gadget forum</title></head><body>"
            "<nav><a href='/'>Forum</a> <a href='/new'>New posts</a></nav>"
            "<div itemscope itemtype='https://schema.org/DiscussionForumPosting'>"
            f"<h1 itemprop='headline'>Battery life?</h1>{posts}</div>"
            "<footer>Forum rules</footer></body></html>")


def test_a_forum_thread_is_all_of_its_posts_with_their_authors():
    text = extract(forum_page(), url="https://forum.example/t/battery-life/42").text
    for who, post in POSTS:
        assert who in text and post in text


def test_a_page_of_comment_posts_is_a_thread_too():
    """Forum software that marks each post as a schema.org Comment on a plain WebPage: a thread, not a page
    to read whole (which would keep its hidden notices and its related-threads box)."""
    posts = "".join(
        "<article class='message' itemscope itemtype='https://schema.org/Comment'>"
        f"<h4 class='message-name'>{who}</h4><div class='bbWrapper'>{text}</div></article>" for who, text in POSTS)
    page = ("<html><head><title>Battery life? | Gadget forum</title>"
            "<meta property='og:type' content='website'></head><body>"
            "<nav><a href='/'>Forum</a> <a href='/new'>New posts</a></nav><main>"
            "<div style='display:none'>You are using an out of date browser. Upgrade it to see this site.</div>"
            f"<div itemscope itemtype='https://schema.org/WebPage'><h1>Battery life?</h1>{posts}</div>"
            "<div class='related-threads'><h3>Similar threads</h3><ul><li><a href='/t/1'>Charger advice for the "
            "new model please</a></li><li><a href='/t/2'>Screen brightness settings explained</a></li></ul></div>"
            "</main><footer>Forum rules</footer></body></html>")
    text = extract(page, url="https://forum.example/threads/battery-life.42/").text
    for who, post in POSTS:
        assert who in text and post in text
    assert "out of date browser" not in text and "Similar threads" not in text


def test_comments_make_a_thread_only_on_a_page_that_is_no_article():
    from declutter.pipeline.regions import discussion_kind

    assert discussion_kind(frozenset({"WebPage", "Comment", "Person"})) == "thread"
    assert discussion_kind(frozenset({"BlogPosting", "Comment"})) is None  # an article with its comments


def test_content_rendered_for_script_less_readers_is_read():
    """A script-driven site puts its server-rendered page in <noscript>: fetched without scripts, that is it."""
    inner = "".join(f"<p>{p}</p>" for _, p in SECTIONS)
    page = ("<html><head><title>App</title></head><body><div id='app'>Loading…</div>"
            f"<noscript><div role='main'><h1>Getting started</h1>{inner}</div></noscript></body></html>")
    article = extract(page, url="https://app.example/start")
    assert all(p in article.text for _, p in SECTIONS)


def test_a_page_with_running_text_is_never_no_article():
    """Text in table cells and list items only, which readability does not score as paragraphs."""
    rows = "".join(f"<tr><td>{h}</td><td>{p}</td></tr>" for h, p in SECTIONS)
    page = f"<html><head><title>Plans</title></head><body><main><table>{rows}</table></main></body></html>"
    article = extract(page, url="https://service.example/plans")
    assert all(p in article.text for _, p in SECTIONS)


def test_a_news_article_is_readabilitys_pick_with_high_confidence():
    from helpers import ARTICLE_PARAGRAPHS, article_page

    article = extract(article_page(), url="https://harbour.example/news/promenade")
    assert article.confidence == "high" and all(p in article.text for p in ARTICLE_PARAGRAPHS)


def test_a_thread_is_read_from_the_decluttered_page_not_the_raw_one():
    """On a forum thread the clutter rules know what the posts are; a second opinion asked on the raw page
    would bring back what they removed (a consent dialog's text, here)."""
    import lxml.html

    from declutter.pipeline import choose
    from declutter.pipeline.options import DEFAULT_OPTIONS

    posts = "".join(f"<div class='msg'><div class='user'>{who}</div><p>{text}</p></div>" for who, text in POSTS * 2)
    consent = ("<div id='consent'><p>We and our partners use precise geolocation data and actively scan device "
               "characteristics for identification, to store and access information on a device and to show "
               "personalised advertising and content, measure it and develop our products.</p></div>")
    page = ("<html><head><title>Battery life?</title></head><body><h1>Battery life?</h1>"
            f"<div class='thread'>{posts}</div>{{}}</body></html>")
    decluttered, raw = lxml.html.fromstring(page.format("")), lxml.html.fromstring(page.format(consent))
    first_post = decluttered.find(".//div[@class='msg']")
    container, _ = choose.choose(decluttered, first_post, raw, "https://forum.example/t/42", "Battery life?",
                                 DEFAULT_OPTIONS, discussion="thread")
    text = container.text_content()
    assert all(post in text for _, post in POSTS) and "geolocation" not in text
