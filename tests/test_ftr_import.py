"""Reading FiveFilters site configs and importing them as site rules."""

import tomllib

import pytest

from declutter.rules import cli
from declutter.rules.ftr import IGNORED, LICENSE_COPY, SOURCE, import_directory, read_ftr, rule_name_for
from declutter.rules.sites import load_rule, parse_rule

GUARDIAN_LIKE = """\
# a comment, then a blank line

body: //div[contains(@class, 'article-body')]
title: //h1[@itemprop='headline']
author: //a[@rel='author']
date: //article//time/@datetime
strip: //aside
strip: //footer
strip_id_or_class: sign-in-gate
strip_id_or_class: "js-ad-slot"
strip_image_src: doubleclick.net
find_string: ‘
replace_string: '
replace_string(<amp-img): <img
prune: no
tidy: yes
single_page_link: //a[@class='print']
http_header(user-agent): Mozilla/5.0 (compatible; bot)
native_ad_clue: //meta[@property='article:tag']

test_url: https://www.example.com/2024/a
test_contains: The first paragraph
test_contains: The last paragraph
test_url: https://www.example.com/2024/b
"""


def test_each_honoured_directive_is_read():
    cfg = read_ftr(GUARDIAN_LIKE, "example.com.txt")
    assert cfg.errors == []
    assert cfg.name == "example.com"
    assert cfg.body == ["//div[contains(@class, 'article-body')]"]
    assert cfg.title == ["//h1[@itemprop='headline']"]
    assert cfg.author == ["//a[@rel='author']"]
    assert cfg.date == ["//article//time/@datetime"]
    assert cfg.strip == ["//aside", "//footer"]
    assert cfg.strip_id_or_class == ["sign-in-gate", "js-ad-slot"]  # quotes dropped, as Full-Text RSS does
    assert cfg.strip_image_src == ["doubleclick.net"]
    assert cfg.find_replace == [("‘", "'"), ("<amp-img", "<img")]
    assert cfg.prune is False and cfg.tidy is True
    assert cfg.tests == [
        {"url": "https://www.example.com/2024/a", "contains": ["The first paragraph", "The last paragraph"]},
        {"url": "https://www.example.com/2024/b", "contains": []},
    ]


def test_ignored_directives_are_counted_not_kept():
    cfg = read_ftr(GUARDIAN_LIKE, "example.com.txt")
    assert cfg.ignored == {"single_page_link": 1, "http_header": 1, "native_ad_clue": 1}
    assert all(reason for reason in IGNORED.values())


def test_bools_take_yes_no_true_false():
    cfg = read_ftr("prune: TRUE\ntidy: false\n", "example.com.txt")
    assert (cfg.prune, cfg.tidy, cfg.errors) == (True, False, [])
    assert "prune must be yes or no" in read_ftr("prune: maybe\n", "x.com.txt").errors[0].message


@pytest.mark.parametrize("filename, name", [
    ("example.com.txt", "example.com"),
    (".example.com.txt", "_.example.com"),
    ("sport.example.co.uk.txt", "sport.example.co.uk"),
])
def test_file_names_map_to_rule_names(filename, name):
    assert rule_name_for(filename) == name
    assert read_ftr("body: //article\n", filename).name == name


def test_find_and_replace_pair_in_order_and_empty_replace_means_delete():
    text = "find_string: <b>\nreplace_string: <strong>\nfind_string: ?format=thumb\nreplace_string:\n"
    cfg = read_ftr(text, "example.com.txt")
    assert cfg.errors == []
    assert cfg.find_replace == [("<b>", "<strong>"), ("?format=thumb", "")]


def test_inline_replace_string_keeps_colons_in_the_find_string():
    cfg = read_ftr('replace_string(,"value":): ,"invalid":\n', "example.com.txt")
    assert cfg.find_replace == [(',"value":', ',"invalid":')]


@pytest.mark.parametrize("text, line, message", [
    ("find_string: a\nfind_string: b\nreplace_string: c\n", 2, "find_string on line 1 has no replace_string"),
    ("replace_string: c\n", 1, "replace_string without a find_string"),
    ("body: //article\nfind_string: a\n", 2, "find_string has no replace_string"),
    ("find_string: a\nreplace_string(b): c\n", 2, "find_string on line 1 has no replace_string"),
])
def test_unpaired_find_and_replace_are_errors(text, line, message):
    errors = read_ftr(text, "example.com.txt").errors
    assert [(e.line, message in e.message) for e in errors] == [(line, True)]


@pytest.mark.parametrize("line, message", [
    ("titl: //h1", "unknown directive 'titl' (did you mean 'title'?)"),
    ("test_rul: https://example.com/a", "unknown directive 'test_rul' (did you mean 'test_url'?)"),
    ("test:url: https://example.com/a", "unknown directive 'test'"),
    ("https://example.com/a", "unknown directive 'https'"),
    ("// a comment written the C way", "not a 'directive: value' line"),
    ("body(x): //article", "body takes no argument"),
    ("test_contains: orphan", "test_contains before any test_url"),
    ("strip:", "strip has no value"),
    ("test_url: www.example.com/a", "test_url must be an absolute http(s) URL"),
])
def test_unknown_or_misspelt_directives_are_errors_with_file_and_line(line, message):
    cfg = read_ftr(f"# first line\nbody: //article\n{line}\n", "example.com.txt")
    assert len(cfg.errors) == 1
    error = cfg.errors[0]
    assert (error.path, error.line) == ("example.com.txt", 3)
    assert message in error.message
    assert str(error).startswith("example.com.txt:3: ")


@pytest.mark.parametrize("xpath, message", [
    ("//div[contains(@class='x')]", "Invalid number of arguments"),
    ("//a[contain(@class, 'x')]", "unknown function contain()"),
    ("//og:title", "namespace prefix 'og'"),
    ("//div[", "invalid XPath"),
    ("//div[@id=$id]", "variables are not supported"),
])
def test_invalid_xpath_is_an_error_with_its_line(xpath, message):
    errors = read_ftr(f"title: //h1\nstrip: {xpath}\n", "example.com.txt").errors
    assert [e.line for e in errors] == [2]
    assert message in errors[0].message


def test_xpath_functions_and_axes_that_lxml_runs_are_accepted():
    text = (
        "title: substring-before(//meta[@property='og:title']/@content, ' | Site')\n"
        "strip: //div[contains(concat(' ', normalize-space(@class), ' '), ' ad ')]/following-sibling::*\n"
        "date: //time[@pubdate or @datetime]/@datetime | //span[@xml:lang]\n"
        "body: //article[not(ancestor::aside)][last()] | //div[@data-x='a:b(c)']\n"
    )
    assert read_ftr(text, "example.com.txt").errors == []


def test_crlf_bom_and_whitespace_are_tolerated():
    cfg = read_ftr("\ufeffbody:   //article  \r\n\r\n   strip: //aside\r\n", "example.com.txt")
    assert cfg.errors == [] and cfg.body == ["//article"] and cfg.strip == ["//aside"]


def test_round_trip_ftr_to_toml_to_rule():
    tricky = 'find_string: a\\"b\tc\nreplace_string: "quoted" \\ back\n'
    cfg = read_ftr(GUARDIAN_LIKE + tricky, "example.com.txt")
    text = cfg.to_toml()
    written = tomllib.loads(text)
    assert (written["source"], written["prune"], written["tidy"]) == (SOURCE, False, True)  # copied from upstream
    rule = parse_rule(text, cfg.name)
    assert [x.path for x in rule.body] == cfg.body
    assert [x.path for x in rule.strip] == cfg.strip
    assert [x.path for x in rule.title] == cfg.title
    assert [x.path for x in rule.author] == cfg.author
    assert [x.path for x in rule.date] == cfg.date
    assert list(rule.strip_id_or_class) == cfg.strip_id_or_class
    assert list(rule.strip_image_src) == cfg.strip_image_src
    assert list(rule.find_replace) == cfg.find_replace
    assert cfg.find_replace[-1] == ('a\\"b\tc', '"quoted" \\ back')
    assert rule.source == SOURCE  # prune and tidy are accepted by the loader, and dropped
    assert [(t.url, list(t.contains)) for t in rule.tests] == [(t["url"], t["contains"]) for t in cfg.tests]


def _write(directory, files):
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")


def test_import_converts_skips_and_reports(tmp_path):
    src, out = tmp_path / "ftr", tmp_path / "sites"
    _write(src, {
        "example.com.txt": GUARDIAN_LIKE,
        ".example.org.txt": "body: //article\nstrip_id_or_class: share\n",
        "broken.net.txt": "body: //article\ntitl: //h1\n",
        "global.txt": "strip_id_or_class: sharedaddy\n",
        "LICENSE.txt": "These files are released to the public domain.\n",
        "README.md": "not a config",
    })
    report = import_directory(src, out)
    assert sorted(report.converted) == [".example.org.txt", "example.com.txt"]
    titl = "line 2: unknown directive 'titl' (did you mean 'title'?)"
    assert dict(report.skipped)["broken.net.txt"] == [titl]
    assert {"global.txt", "LICENSE.txt"} <= set(dict(report.skipped))
    assert report.files == 5
    assert report.ignored["http_header"] == 1
    assert sorted(p.name for p in out.iterdir()) == [LICENSE_COPY, "_.example.org.toml", "example.com.toml"]
    assert load_rule(out / "_.example.org.toml").strip_id_or_class == ("share",)
    assert "5 .txt files read: 2 converted, 3 skipped" in report.summary()


def test_import_is_repeatable_keeps_hand_written_rules_and_drops_rules_gone_upstream(tmp_path):
    src, out = tmp_path / "ftr", tmp_path / "sites"
    _write(src, {"example.com.txt": "body: //article\n", "gone.com.txt": "body: //main\n"})
    import_directory(src, out)
    first = (out / "example.com.toml").read_text()
    (src / "gone.com.txt").unlink()
    _write(out, {"mine.com.toml": 'source = "declutter"\nbody = ["//main"]\n'})
    _write(src, {"mine.com.txt": "body: //article\n"})
    report = import_directory(src, out)
    assert (out / "example.com.toml").read_text() == first
    assert report.removed == ["gone.com.toml"] and not (out / "gone.com.toml").exists()
    assert report.kept == ["mine.com.toml"]
    assert load_rule(out / "mine.com.toml").source == "declutter"


def test_cli_import_then_check(tmp_path, capsys):
    src, out = tmp_path / "ftr", tmp_path / "sites"
    _write(src, {"example.com.txt": GUARDIAN_LIKE, "bad.com.txt": "strip: //div[\n"})
    assert cli.main(["rules", "import", str(src), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 converted, 1 skipped" in printed and "bad.com.txt: line 1: strip: invalid XPath" in printed
    assert cli.main(["rules", "check", "--dir", str(out)]) == 0
    assert "1 rule files: 1 loaded, 0 with errors; 2 embedded tests" in capsys.readouterr().out


def test_cli_register_adds_the_rules_command():
    import argparse

    parser = argparse.ArgumentParser(prog="declutter")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["rules", "import", "some/dir", "--out", "x"])
    assert (args.dir, args.out, args.run) == ("some/dir", "x", cli._import)
    assert parser.parse_args(["rules", "check"]).run is cli._check
