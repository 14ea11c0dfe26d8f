"""Site rules: the strict loader, lookup by host, and the functions the pipeline applies."""

import lxml.html
import pytest
from lxml import etree

from declutter.rules import site_index, sites
from declutter.rules.site_writer import dump_rule
from declutter.rules.sites import (
    SITES_DIR,
    RuleError,
    SiteIndex,
    SiteRule,
    candidate_names,
    find_replace,
    load_rule,
    normalize_host,
    parse_rule,
    read_metadata,
    select_body,
    strip_targets,
)


def rule(**keys) -> SiteRule:
    return parse_rule(dump_rule(keys), "example.com")


def page(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


# --- the loader -----------------------------------------------------------------------------------

def test_a_full_rule_loads():
    text = """\
source = "declutter"
body = ["//article"]
title = ["//h1"]
author = ["//a[@rel='author']"]
date = ["//time/@datetime"]
strip = ["//aside"]
strip_id_or_class = ["share"]
strip_image_src = ["pixel.gif"]
strip_text = ["Advertisement"]
find_replace = [["<amp-img", "<img"]]
prune = false
tidy = true

[[tests]]
url = "https://example.com/a"
contains = ["First words"]
fixture = "example.com-1.html"
"""
    loaded = parse_rule(text, "example.com")
    assert [x.path for x in loaded.body] == ["//article"]
    assert isinstance(loaded.strip[0], etree.XPath)
    assert loaded.strip_text == ("Advertisement",)
    assert loaded.find_replace == (("<amp-img", "<img"),)
    assert loaded.source == "declutter"
    assert not hasattr(loaded, "prune") and not hasattr(loaded, "tidy")  # FiveFilters-only: accepted, dropped
    assert loaded.tests[0].contains == ("First words",) and loaded.tests[0].fixture == "example.com-1.html"


@pytest.mark.parametrize("text, line, message", [
    ('body = ["//article"]\n\nstirp = ["//aside"]\n', 3, "unknown key 'stirp'"),
    ('body = "//article"\n', 1, "'body' must be a list of non-empty strings"),
    ('prune = "no"\n', 1, "'prune' must be true or false"),
    ('strip_text = [""]\n', 1, "'strip_text' must be a list of non-empty strings"),
    ('find_replace = [["a"]]\n', 1, "'find_replace' must be a list of"),
    ('find_replace = [["", "b"]]\n', 1, "non-empty find"),
    ('body = ["//article"]\nstrip = [\n  "//aside",\n  "//div[",\n]\n', 4, "strip: invalid XPath '//div['"),
    ('title = ["//og:title"]\n', 1, "namespace prefix 'og'"),
    ('body = ["//a"]\ntitle = ["//h1" "//h2"]\n', 2, "not valid TOML"),
    ('[[tests]]\ncontains = ["x"]\n', 1, "needs url"),
    ('[[tests]]\nurl = "https://example.com/"\nexpect = ["x"]\n', 1, "unknown key 'expect' in [[tests]]"),
    ('[[tests]]\nurl = "https://example.com/"\nfixture = "../x.html"\n', 1, "fixture must be a file name"),
    ('[[tests]]\nurl = "https://example.com/"\n\n[[tests]]\nurl = "example.com"\n', 4, "needs url"),
])
def test_loader_rejects_unknown_keys_wrong_types_and_bad_xpath(tmp_path, text, line, message):
    path = tmp_path / "example.com.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rule(path)
    assert message in caught.value.message
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize("name", ["Example.com.toml", "example.com.txt", "_.com_.toml.bak", "-.toml"])
def test_loader_rejects_files_not_named_after_a_domain(tmp_path, name):
    path = tmp_path / name
    path.write_text('body = ["//article"]\n')
    with pytest.raises(RuleError, match="named <domain>.toml"):
        load_rule(path)


def test_dump_rule_escapes_strings_so_they_load_back():
    tricky = 'a "quote", a \\ backslash, a\ttab, a\nnewline, \x01 and ünïcode'
    loaded = rule(strip_text=[tricky], find_replace=[[tricky, ""]])
    assert loaded.strip_text == (tricky,)
    assert loaded.find_replace == ((tricky, ""),)


# --- lookup ---------------------------------------------------------------------------------------

@pytest.fixture
def index(tmp_path):
    for name in ["example.com", "www.special.com", "special.com", "_.example.com", "news.example.com",
                 "_.b.example.com", "_.example.org"]:
        (tmp_path / f"{name}.toml").write_text(f'source = "{name}"\n', encoding="utf-8")
    (tmp_path / "README.md").write_text("not a rule")
    return SiteIndex(tmp_path)


@pytest.mark.parametrize("host_or_url, expected", [
    ("example.com", "example.com"),
    ("www.example.com", "example.com"),  # www. stripped
    ("https://WWW.Example.COM:8443/path?q=1", "example.com"),
    ("example.com.", "example.com"),
    ("news.example.com", "news.example.com"),  # exact beats the subdomain rule
    ("sport.example.com", "_.example.com"),  # parent domain's subdomain rule
    ("a.b.example.com", "_.b.example.com"),  # nearest parent first
    ("a.c.example.com", "_.example.com"),
    ("www.special.com", "www.special.com"),  # an exact www. file beats the bare domain
    ("example.org", None),  # _.example.org is for subdomains only
    ("www.example.org", None),  # ... and www. is not one (as in FiveFilters)
    ("blog.example.org", "_.example.org"),
    ("example.net", None),
    ("", None),
    (None, None),
    ("not a host!", None),
    ("http://", None),
])
def test_lookup_order_exact_then_www_then_parent_domains(index, host_or_url, expected):
    found = index.rule_for(host_or_url)
    assert (found.name if found else None) == expected


def test_candidate_names_and_host_normalisation():
    assert candidate_names("www.news.example.co.uk") == [
        "www.news.example.co.uk", "news.example.co.uk", "_.example.co.uk", "_.co.uk"]
    assert candidate_names("localhost") == ["localhost"]
    assert normalize_host("https://user:pw@Bücher.example:80/x") == "xn--bcher-kva.example"
    assert normalize_host("example.com:8080") == "example.com"


def test_each_file_is_parsed_once_and_only_when_needed(index, monkeypatch):
    calls = []
    real = site_index.load_rule
    monkeypatch.setattr(site_index, "load_rule", lambda path: calls.append(path.name) or real(path))
    first = index.rule_for("www.example.com")
    assert index.rule_for("https://example.com/other") is first
    assert calls == ["example.com.toml"]


def test_a_broken_file_is_no_rule_at_request_time_but_an_error_when_checked(tmp_path):
    (tmp_path / "example.com.toml").write_text('body = ["//div["]\n')
    (tmp_path / "_.example.com.toml").write_text('body = ["//main"]\n')
    index = SiteIndex(tmp_path)
    assert index.rule_for("example.com") is None
    assert index.rule_for("a.example.com").name == "_.example.com"
    rules, errors = index.load_all()
    assert [r.name for r in rules] == ["_.example.com"] and "invalid XPath" in str(errors[0])


def test_the_shipped_rules_all_load():
    rules, errors = SiteIndex(SITES_DIR).load_all()
    assert errors == []
    assert len(rules) > 2000
    assert sites.rule_for("https://www.theguardian.com/world/2024/x").name == "theguardian.com"
    assert sites.rule_for("en.wikipedia.org").name == "_.wikipedia.org"


# --- applying a rule ------------------------------------------------------------------------------

def test_find_replace_applies_pairs_in_order_to_the_raw_text():
    r = rule(find_replace=[["<amp-img", "<img"], ["<img src", "<img data-x src"], ["‘", "'"]])
    assert find_replace(r, "<amp-img src=a> ‘q’") == "<img data-x src=a> 'q’"


def test_strip_targets_for_each_directive_with_its_match():
    root = page(
        "<div id=main><p>Story text.</p>"
        "<aside>Aside</aside>"
        "<div class='share-tools big'>Share</div>"
        "<div id='ad-top'>Ad</div>"
        "<img src='https://ads.doubleclick.net/p.gif'><img src='/photo.jpg'>"
        "<div class=box><span><b>Advertisement</b></span></div>"
        "<p>Our Advertisement policy is explained in running text.</p></div>"
    )
    r = rule(strip=["//aside"], strip_id_or_class=["share", "ad-"], strip_image_src=["doubleclick.net"],
             strip_text=["Advertisement"])
    found = [(el.tag, (el.get("class") or el.get("id") or el.get("src") or el.text_content()), match)
             for el, match in strip_targets(r, root)]
    assert found == [
        ("aside", "Aside", "strip: //aside"),
        ("div", "share-tools big", "strip_id_or_class: share"),  # a substring of @class, as in FiveFilters
        ("div", "ad-top", "strip_id_or_class: ad-"),  # ... or of @id
        ("img", "https://ads.doubleclick.net/p.gif", "strip_image_src: doubleclick.net"),
        ("b", "Advertisement", "strip_text: Advertisement"),  # the smallest element whose whole text it is
    ]
    assert len(root.xpath("//aside")) == 1  # the tree is not changed


def test_strip_targets_lists_an_element_once_drops_nested_ones_and_never_body():
    root = page("<div class='promo'><div class='promo-inner'>x</div></div><p>Text</p>")
    root.body.set("class", "single promo-page")
    r = rule(strip=["//div[@class='promo-inner']", "//body"], strip_id_or_class=["promo"])
    assert [(el.get("class"), match) for el, match in strip_targets(r, root)] == [
        ("promo", "strip_id_or_class: promo")]


def test_strip_text_ignores_whitespace_but_not_other_words():
    root = page("<ul><li>  Read\n more </li><li>Read more about it</li><li>Read&nbsp;more</li></ul>")
    found = [el.text_content() for el, _ in strip_targets(rule(strip_text=["Read more"]), root)]
    assert found == ["  Read\n more ", "Read\xa0more"]


def test_select_body_one_match_is_the_element_in_the_tree():
    root = page("<article><p>Body text</p></article><aside>x</aside>")
    body = select_body(rule(body=["//main", "//article"]), root)
    assert body.tag == "article" and body.getparent() is root.body


def test_select_body_several_matches_are_copied_into_a_new_div():
    root = page("<div class=part><p>One</p><div class=part><p>nested</p></div></div>"
                "<p>between</p><div class=part><p>Two</p></div>")
    body = select_body(rule(body=["//div[@class='part']"]), root)
    assert body.tag == "div" and body.getparent() is None
    assert [child.text_content() for child in body] == ["Onenested", "Two"]
    assert len(root.xpath("//div[@class='part']")) == 3  # the page keeps its elements


def test_select_body_skips_empty_matches_and_non_elements():
    root = page("<div id=placeholder> </div><div id=real><p>Words</p></div>")
    r = rule(body=["//div[@id='placeholder']", "//div/@id", "//div[@id='real']"])
    assert select_body(r, root).get("id") == "real"
    assert select_body(rule(body=["//main"]), root) is None


def test_read_metadata_from_strings_attributes_and_elements():
    root = page(
        "<h1> The  Title </h1><a rel=author>Ann</a> and <a rel=author>Bob</a><a rel=author>Ann</a>",
        "<meta property='og:title' content='Title | Site'><meta name=date content='2024-05-01; '>",
    )
    r = rule(title=["//h2", "substring-before(//meta[@property='og:title']/@content, ' | ')"],
             author=["//span[@class='byline']", "//a[@rel='author']"],
             date=["//meta[@name='date']/@content"])
    assert read_metadata(r, root) == {"title": "Title", "author": "Ann, Bob", "date": "2024-05-01"}
    assert read_metadata(rule(title=["//h1"], date=["count(//p)"]), root) == {"title": "The Title"}


def test_xpath_that_fails_on_a_page_counts_as_no_match():
    unchecked = SiteRule(name="example.com", body=(etree.XPath("//x:y"),), strip=(etree.XPath("//*[foo()]"),),
                         title=(etree.XPath("$missing"),))
    root = page("<p>Text</p>")
    assert strip_targets(unchecked, root) == []
    assert select_body(unchecked, root) is None
    assert read_metadata(unchecked, root) == {}


def test_the_hand_written_rule_yields_its_test_phrases_from_its_saved_page():
    heraldsun = sites.rule_for("http://www.heraldsun.com.au/news/opinion/x")
    test = heraldsun.tests[0]
    html = (SITES_DIR / "fixtures" / test.fixture).read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(find_replace(heraldsun, html))
    for element, _ in strip_targets(heraldsun, root):
        element.drop_tree()
    text = " ".join(select_body(heraldsun, root).text_content().split())
    assert all(phrase in text for phrase in test.contains)
    assert "Read more" not in text
    assert read_metadata(heraldsun, root)["author"] == "Laurie Oakes"
