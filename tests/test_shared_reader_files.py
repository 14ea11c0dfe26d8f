"""The files both readers share: one source in extension/reader/, a byte-identical copy in server/static/.

The extension's reader and the service's /read page build the article with the same article.js (the
second line of defence after the server's sanitizer), show it and its header with the same render.js,
name their reading settings with the same reading-settings.js, style the article with the same
article.css, and their reading controls with the same controls.css.
scripts/sync-reader-files.py copies each source over its copy; these tests fail while a copy differs,
and check that both pages use the shared files.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import lxml.html
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "sync-reader-files.py"
SYNC_COMMAND = "python3 scripts/sync-reader-files.py"


def load_sync():
    spec = importlib.util.spec_from_file_location("sync_reader_files", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHARED = load_sync().SHARED


@pytest.mark.parametrize(("source", "copy"), SHARED.items(), ids=list(SHARED.values()))
def test_the_service_copy_is_the_extension_source(source, copy):
    assert (ROOT / source).is_file(), source
    assert (ROOT / copy).is_file(), f"{copy} is missing: run {SYNC_COMMAND}"
    assert (ROOT / copy).read_bytes() == (ROOT / source).read_bytes(), (
        f"{copy} differs from {source}, its source: edit {source} only, then run {SYNC_COMMAND}")


def test_the_script_finds_and_fixes_a_stale_copy(tmp_path, capsys):
    sync = load_sync()
    for source in SHARED:
        (tmp_path / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / source, tmp_path / source)
    copies = list(SHARED.values())
    (tmp_path / copies[0]).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / copies[0]).write_text("// an older version\n")  # one stale, the others missing

    assert sync.main(["--check"], root=tmp_path) == 1
    assert SYNC_COMMAND in capsys.readouterr().err
    assert (tmp_path / copies[0]).read_text() == "// an older version\n"  # --check writes nothing

    assert sync.main([], root=tmp_path) == 0
    for source, copy in SHARED.items():
        assert (tmp_path / copy).read_bytes() == (ROOT / source).read_bytes()
    assert sync.main(["--check"], root=tmp_path) == 0


def imports(script: Path) -> set[str]:
    return set(re.findall(r'^import \{[^}]*\} from "([^"]+)";', script.read_text(encoding="utf-8"), re.M))


READERS = [ROOT / "extension" / "reader" / "reader.js", ROOT / "server" / "static" / "reader.js"]


@pytest.mark.parametrize("reader", READERS, ids=["extension", "service"])
def test_both_readers_show_the_article_with_the_shared_renderer(reader):
    assert "./render.js" in imports(reader)
    source = reader.read_text(encoding="utf-8")
    # The header, the meta line and the element helper are the shared module's, not a copy of their own.
    for own in ("function el(", "buildArticle(", "dropRepeatedTitle(", "toLocaleDateString", "DateTimeFormat",
                '"#meta"', '$("meta")', '$("site")'):
        assert own not in source, f"{reader.name} renders {own} itself"


SETTINGS_USERS = [ROOT / "extension" / "settings.js", ROOT / "server" / "static" / "prefs.js"]


@pytest.mark.parametrize("user", SETTINGS_USERS, ids=["extension", "service"])
def test_the_reading_settings_vocabulary_is_named_once(user):
    source = user.read_text(encoding="utf-8")
    assert any(path.endswith("reading-settings.js") for path in imports(user))
    for value in ('"sepia"', '"narrow"', '"sans"', "min: 14"):
        assert value not in source, f"{user.name} names {value} itself"


def test_the_service_pages_load_the_settings_as_a_module(client):
    page = lxml.html.fromstring(client.get("/read").data)
    (script,) = page.xpath("//head/script[contains(@src, 'prefs.js')]")
    assert script.get("type") == "module" and script.get("blocking") == "render"


def test_both_reader_pages_load_the_shared_styles_first(client):
    extension = lxml.html.parse(str(ROOT / "extension" / "reader" / "reader.html")).getroot()
    assert extension.xpath("//link[@rel='stylesheet']/@href") == ["article.css", "controls.css", "reader.css"]
    page = lxml.html.fromstring(client.get("/read").data)
    assert page.xpath("//link[@rel='stylesheet']/@href") == [
        "/static/article.css", "/static/controls.css", "/static/declutter.css"]
    for path in ("/", "/bookmarklet"):  # the themes are in article.css, so every page has it; no controls here
        page = lxml.html.fromstring(client.get(path).data)
        assert page.xpath("//link[@rel='stylesheet']/@href") == ["/static/article.css", "/static/declutter.css"]


@pytest.mark.parametrize("name", ["article.js", "render.js", "reading-settings.js", "article.css", "controls.css"])
def test_the_service_serves_its_copy(client, name):
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.get_data() == (ROOT / "server" / "static" / name).read_bytes()
    response.close()
