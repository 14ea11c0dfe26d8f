"""Pages whose content is spread over blocks: documentation, forum threads, product and service pages."""

import pytest

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


def forum_page(stats: str = "") -> str:
    posts = "".join(
        "<div class='comment' itemscope itemtype='https://schema.org/Comment'>"
        f"<span class='author'>{who}</span>{stats}<p>{text}</p></div>" for who, text in POSTS)
    return ("<html><head><title>Battery life? - Gadget forum</title></head><body>"
            "<nav><a href='/'>Forum</a> <a href='/new'>New posts</a></nav>"
            "<div itemscope itemtype='https://schema.org/DiscussionForumPosting'>"
            f"<h1 itemprop='headline'>Battery life?</h1>{posts}</div>"
            "<footer>Forum rules</footer></body></html>")


def test_a_forum_thread_is_all_of_its_posts_with_their_authors():
    text = extract(forum_page(), url="https://forum.example/t/battery-life/42").text
    for who, post in POSTS:
        assert who in text and post in text


def test_a_posters_stats_go_and_the_poster_stays():
    stats = ("<div class='message-userExtras'><dl><dt>Posts</dt><dd>6,696</dd></dl><dl><dt>Location</dt>"
             "<dd>Kansas City, MO</dd></dl></div>")
    text = extract(forum_page(stats), url="https://forum.example/t/battery-life/42").text
    assert "Kansas City" not in text and "6,696" not in text
    assert all(who in text and post in text for who, post in POSTS)


def test_a_posters_rank_and_initials_avatar_go_and_the_poster_stays():
    """Forum software shows each poster's rank, badge, an avatar of initials when there is no picture and
    the post's number: words between the poster's name and the post that are not the thread's."""
    chrome = ("<a class='avatar avatar--m'><span role='img' aria-label='poster'>Q</span></a>"
              "<h5 class='userTitle message-userTitle'>Well-known Member</h5>"
              "<div class='userBanner message-userBanner'><strong>10+ Year Member</strong></div>"
              "<ul class='message-attribution-opposite'><li><a href='/posts/2'>#27</a></li></ul>")
    text = extract(forum_page(chrome), url="https://forum.example/t/battery-life/42").text
    assert "Well-known Member" not in text and "Year Member" not in text and "\nQ\n" not in f"\n{text}\n"
    assert "#27" not in text
    assert all(who in text and post in text for who, post in POSTS)


def test_forum_software_menus_go():
    """vBulletin names its menus and their pop-ups vbmenu_*: one word, which "menu" does not match."""
    menus = ("<table><tr><td class='vbmenu_control'><a href='#tools'>Thread Tools</a></td>"
             "<td class='vbmenu_control'><a href='#modes'>Display Modes</a></td></tr></table>"
             "<div class='vbmenu_popup'><table><tr><td class='thead'>Go to Page...</td></tr></table></div>")
    text = extract(forum_page(menus), url="https://forum.example/t/battery-life/42").text
    assert "Thread Tools" not in text and "Display Modes" not in text and "Go to Page" not in text
    assert all(who in text and post in text for who, post in POSTS)


def test_a_number_alone_stays_outside_forum_threads():
    """"#1" alone on its line is a post's number in a thread; elsewhere it may be a rank in a list."""
    items = "".join(f"<li><span class='rank'>#{n}</span><h3>{heading}</h3><p>{text}</p></li>"
                    for n, (heading, text) in enumerate(SECTIONS, start=1))
    page = (f"<html><head><title>Best picks</title></head><body><main><h1>Best picks</h1><ol>{items}</ol></main>"
            "</body></html>")
    text = extract(page, url="https://shop.example/best").text
    assert "#1" in text and "#2" in text


def test_a_byline_picture_stays_an_image():
    """A byline block without words is the author's photo: removing it takes no clutter text away."""
    photo = "<div class='author-info'><img src='https://forum.example/maria.jpg' alt=''></div>"
    article = extract(forum_page(photo), url="https://forum.example/t/battery-life/42")
    assert "maria.jpg" in article.content


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


def test_a_threads_replies_under_a_comments_heading_stay():
    """A thread declared in JSON-LD, its opening post first, then its replies under a "Comments" heading: on a
    forum thread the replies are the content. Their "Reply" controls still go."""
    opening = " ".join([POSTS[0][1], SECTIONS[0][1], SECTIONS[1][1]])  # the longest post
    replies = [(who, text) for who, text in POSTS[1:] + [("ana", SECTIONS[2][1]), ("tom", SECTIONS[3][1])]]
    items = "".join(f"<li class='item'><span class='author'>{who}</span><p>{text}</p>"
                    "<div class='controls'><a href='#r'>Reply</a></div></li>" for who, text in replies)
    page = ("<html><head><title>Battery life? - Gadget forum</title><script type='application/ld+json'>"
            '{"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "Battery life?"}'
            "</script></head><body><nav><a href='/'>Forum</a> <a href='/new'>New posts</a></nav><main>"
            f"<h1>Battery life?</h1><div class='discussion'><span class='author'>{POSTS[0][0]}</span>"
            f"<p>{opening}</p></div><div class='box'><h2>Comments</h2><ul class='list'>{items}</ul></div>"
            "</main><footer>Forum rules</footer></body></html>")
    article = extract(page, url="https://forum.example/discussion/42/battery-life")
    assert opening in article.text and all(reply in article.text for _, reply in replies)
    assert "Reply" not in article.text and not any(removed.rule == "backup" for removed in article.removed)


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


def test_readabilitys_pick_holding_the_pages_one_article_stands_whatever_else_the_region_holds():
    """The page marks its article with <article>; readability's pick holds it, though not half of <main>, which
    also holds the paper's long story about itself: the pick stands, and says so."""
    import copy

    import lxml.html
    from helpers import ARTICLE_PARAGRAPHS, article_page

    from declutter.pipeline import DEFAULT_OPTIONS, choose

    about = "".join(f"<p>{p}</p>" for p in (
        "The Harbour Times was founded in 1894 by a group of fishermen who wanted a paper of their own, printed "
        "on a press that had come by boat from the capital, and it has appeared every week since then.",
        "Today a staff of twelve reporters, three photographers and two editors covers the harbour, the old "
        "town and the islands, and the paper is owned by a foundation that its readers elect every year.",
        "Readers can visit the newsroom on the first Saturday of each month, when the editors answer questions "
        "and show the old press, which still prints the anniversary edition every spring.",
        "Letters to the editor are welcome, and the paper publishes a selection of them every week, together "
        "with the corrections its readers ask for and the editors' answers to the most common complaints."))
    root = lxml.html.fromstring(article_page(after=f"<div class='about-us'>{about * 2}</div>"))
    picked = copy.deepcopy(root.find(".//article"))
    picked.tag = "div"
    container, confidence = choose.choose(root, picked, None, "Harbour promenade to grow", DEFAULT_OPTIONS)
    assert container is picked and confidence == "high"
    assert all(p in container.text_content() for p in ARTICLE_PARAGRAPHS)


def story_page(beside: str) -> str:
    from helpers import ARTICLE_PARAGRAPHS

    story = "".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS)
    return (f"<html><body><main><div class='story'><h1>Harbour promenade to grow</h1>{story}</div>{beside}</main>"
            "</body></html>")


@pytest.mark.parametrize("beside, asked", [
    # sixty links to other stories: more text than the story, none of it a reading could add
    (" ".join(f"<a href='/s/{i}'>Story number {i} from the archive</a>" for i in range(60)), False),
    # and a section of prose that the pick left out
    ("<div class='more'>" + "<p>The ferry timetable changes in May, when two more crossings are added on "
     "weekdays and the last boat leaves the harbour an hour later than in winter.</p>" * 3 + "</div>"
     + " ".join(f"<a href='/s/{i}'>Story number {i} from the archive</a>" for i in range(60)), True),
])
def test_trafilatura_is_asked_only_where_the_page_has_text_beside_the_pick(monkeypatch, beside, asked):
    import copy

    import lxml.html

    from declutter.pipeline import DEFAULT_OPTIONS, choose, second_opinion

    calls = []
    monkeypatch.setattr(second_opinion, "extract_container", lambda root: calls.append(root))
    root = lxml.html.fromstring(story_page(beside))
    picked = copy.deepcopy(root.find(".//div[@class='story']"))
    container, confidence = choose.choose(root, picked, None, "Harbour promenade to grow", DEFAULT_OPTIONS)
    assert bool(calls) == asked
    assert container is picked and confidence == "medium"


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
    container, _ = choose.choose(decluttered, first_post, raw, "Battery life?",
                                 DEFAULT_OPTIONS, discussion="thread")
    text = container.text_content()
    assert all(post in text for _, post in POSTS) and "geolocation" not in text


def streamed_page(late_part: str) -> str:
    """A page rendered by React's streaming server: the first paragraph in place, the rest sent later as a
    hidden part at the end of <body>, with the script that moves it into its placeholder."""
    first, *rest = SECTIONS
    return ("<html><head><title>Getting started</title></head><body><main><h1>Getting started</h1>"
            f"<p>{first[1]}</p><!--$?--><template id='B:0'></template><div>Loading…</div><!--/$-->"
            "<p>Questions? Write to the support desk.</p></main>"
            f"<div hidden id='S:0'>{late_part}</div>"
            "<script>$RC=function(b,c){/* React's runtime */};$RC(\"B:0\",\"S:0\")</script></body></html>")


def test_prose_a_page_streams_late_is_read_in_its_place():
    late = "".join(f"<h2>{h}</h2><p>{p} {p}</p>" for h, p in SECTIONS[1:])
    text = extract(streamed_page(late), url="https://docs.example/start").text
    order = [text.find(p) for _, p in SECTIONS] + [text.find("support desk")]
    assert -1 not in order and order == sorted(order)


def test_a_carousel_a_page_streams_late_stays_hidden():
    late = "".join(f"<div class='tile'><a href='/p/{n}'>Similar jacket {n}</a><span>€49.99</span></div>"
                   for n in range(30))
    text = extract(streamed_page(late), url="https://docs.example/start").text
    assert "Similar jacket" not in text and SECTIONS[0][1] in text


def test_a_lead_form_is_no_content_however_long_its_drop_downs():
    """A form is unwrapped as a page's wrapper only for its prose: a hundred options are the form's."""
    options = "".join(f"<option>Industry number {n}</option>" for n in range(100))
    form = (f"<form><h3>Request our free ebook</h3><label>Industry<select>{options}</select></label>"
            "<div class='gfield'>This field is for validation purposes and should be left unchanged.</div></form>")
    text = extract(docs_page(extra=form), url="https://docs.example/start").text
    assert SECTIONS[0][1] in text
    assert "validation purposes" not in text and "free ebook" not in text


def test_headings_between_gathered_segments_stay_in_place():
    """A site builder writes each heading and each run of paragraphs as a block of its own; readability
    gathers the paragraph blocks (one class) and would leave the headings behind."""
    steps = [("1. Lower the screen brightness", "The screen is the largest single draw on a laptop's battery, "
              "and dimming it by half saves about a fifth of the power the machine uses in an hour of work."),
             ("2. Use sleep when idle", "A computer left on overnight uses as much energy as a working afternoon; "
              "sleep after ten idle minutes costs nothing and wakes the machine in two seconds."),
             ("3. Unplug what you do not use", "Chargers, speakers and external drives draw power even when idle, "
              "and a power strip with a switch turns them all off at once at the end of the day.")]
    blocks = "".join(f"<section class='block-title'><h3>{h}</h3></section>"
                     f"<section class='block-text'><div class='richtext-content'><p>{p}</p><p>{p}</p></div></section>"
                     for h, p in steps)
    page = ("<html><head><title>Saving power</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>Saving power</h1>{blocks}</article><footer>About us</footer></body></html>")
    text = extract(page, url="https://power.example/blog/saving").text
    order = [text.find(part) for heading, paragraph in steps for part in (heading, paragraph)]
    assert -1 not in order and order == sorted(order)


def test_a_part_streamed_into_itself_is_left_where_it_is():
    """A script that would move a part into a placeholder inside that part (no browser can) is ignored."""
    prose = "".join(f"<p>{p} {p}</p>" for _, p in SECTIONS)
    page = ("<html><head><title>Getting started</title></head><body><main><h1>Getting started</h1>"
            f"<p>{SECTIONS[0][1]}</p></main><div hidden id='S:0'><div><template id='B:0'></template></div>{prose}"
            "</div><script>$RC(\"B:0\",\"S:0\")</script></body></html>")
    assert SECTIONS[0][1] in extract(page, url="https://docs.example/start").text


def test_an_faqs_questions_written_as_buttons_stay_with_their_answers():
    faq = ("<h2>Questions</h2><div class='accordion'><button aria-expanded='false' aria-controls='a1'>"
           "Do I need to book a tour in advance?</button><div id='a1' hidden><p>No, but groups of more than ten "
           "should call a day ahead.</p></div><button aria-expanded='false'>Menu</button></div>")
    text = extract(docs_page(faq), url="https://docs.example/start").text
    assert "Do I need to book a tour in advance?" in text and "groups of more than ten" in text
    assert "Menu" not in text
