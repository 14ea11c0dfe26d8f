"""The extraction library stands apart from the web service, and its error catalog is the only one."""

import gc
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import article_page

import declutter
from declutter import errors, pipeline
from declutter.pipeline import collector, score
from declutter.pipeline import declutter as declutter_step
from declutter.text import CACHED_VALUE_CHARS, short_values_cached
from server.http_errors import STATUSES, status_of

ROOT = Path(__file__).resolve().parents[1]


def test_the_library_never_loads_flask_or_the_service():
    script = ("import declutter, sys; declutter.extract(open('tests/fixtures/daily8-article.html').read()); "
              "loaded = [m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug', 'server')]; "
              "assert not loaded, loaded")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_no_library_module_imports_the_service():
    for path in (ROOT / "declutter").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (flask|werkzeug|server)\b", source, re.M), path


def test_the_public_api():
    article = declutter.extract(open(ROOT / "tests/fixtures/daily8-article.html", "rb").read())
    assert isinstance(article, declutter.Article) and article.word_count > 100
    with pytest.raises(declutter.DeclutterError):
        declutter.extract("<html><body><nav><a href='/'>Home</a></nav></body></html>")


def test_every_error_code_has_a_status_and_is_documented():
    api_doc = (ROOT / "docs/api.md").read_text(encoding="utf-8")
    openapi = (ROOT / "docs/openapi.yaml").read_text(encoding="utf-8")
    codes = errors.catalog()
    assert len(set(codes)) == len(codes) >= 25
    for code, cls in codes.items():
        status = status_of(cls("x"))
        assert f"| {status} | `{code}` |" in api_doc, code
        assert f"`{code}`" in openapi, code
    assert all(issubclass(cls, errors.DeclutterError) for cls in STATUSES)


def test_the_readers_know_only_real_codes():
    """The reader page's titles are for codes the service sends (and the client's own network failure)."""
    reader = (ROOT / "server/static/reader.js").read_text(encoding="utf-8")
    table = reader[reader.index("const ERRORS = {"):reader.index("};", reader.index("const ERRORS = {"))]
    titled = set(re.findall(r"^\s+(\w+): \[", table, re.M))
    http_codes = {"not_found", "method_not_allowed", "rate_limited", "internal", "not_implemented"}
    assert titled - {"network"} <= set(errors.catalog()) | http_codes, titled - set(errors.catalog())


def test_the_cycle_collector_is_paused_while_pages_are_extracted_and_restored_after(monkeypatch):
    """Extractions may overlap in threads: the collector stays paused until the last one ends, then runs
    again; a caller that paused it finds it paused still."""
    seen, inside, release = [], threading.Event(), threading.Event()
    original = pipeline.read_metadata

    def watched(root, url):
        seen.append(gc.isenabled())
        if threading.current_thread().name == "slow":
            inside.set()
            release.wait(10)
        return original(root, url)

    monkeypatch.setattr(pipeline, "read_metadata", watched)
    assert gc.isenabled()
    slow = threading.Thread(target=pipeline.extract, args=(article_page(),), name="slow")
    slow.start()
    assert inside.wait(10)
    pipeline.extract(article_page())  # starts and ends while the slow one runs
    assert not gc.isenabled()
    release.set()
    slow.join(10)
    assert gc.isenabled() and seen == [False, False]
    with pytest.raises(declutter.DeclutterError):
        pipeline.extract("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert gc.isenabled()
    gc.disable()
    try:
        pipeline.extract(article_page())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_extractions_that_never_stop_overlapping_still_let_a_collection_run(monkeypatch):
    """A server whose threads always have a page under way never ends the pause: cycles made by other
    code are still collected, once every COLLECT_EVERY pages."""
    collections = []
    monkeypatch.setattr(collector.gc, "collect", lambda *generation: collections.append(generation) or 0)
    monkeypatch.setattr(collector, "COLLECT_EVERY", 3)
    with collector.collector_paused():  # one page always under way
        for _ in range(7):
            with collector.collector_paused():
                assert not gc.isenabled()
        assert len(collections) == 2 and not gc.isenabled()
    assert gc.isenabled() and len(collections) == 2


def test_a_pages_long_class_names_are_computed_and_not_kept_after_it():
    """Class words and labels are cached because pages repeat them; a value of a megabyte is one page's own,
    and a cache of 8,192 of them would hold gigabytes."""
    seen = []

    @short_values_cached(maxsize=8)
    def words(value):
        seen.append(value)
        return value.split()

    long_value = "related " * (CACHED_VALUE_CHARS // 8 + 1)
    assert words("menu item") == words("menu item") == ["menu", "item"]
    assert words(long_value) == words(long_value) == long_value.split()
    assert seen == ["menu item", long_value, long_value] and words.cache_info().currsize == 1
    for step in (declutter_step._word_match, score._names_weight, score._unlikely_names):  # the cached steps
        before = step.cache_info().currsize
        step(long_value + " sidebar")
        assert step.cache_info().currsize == before, step
