"""Static checks of the browser extension: manifest, least privilege, no markup sinks, packing.

The reader's client-side allowlist must equal the server's sanitizer allowlist; this test is what
keeps the two in step.
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import zipfile
from pathlib import Path

import pytest

from declutter.pipeline import sanitize

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "extension"
MANIFEST = json.loads((EXTENSION / "manifest.json").read_text())
SCRIPTS = sorted(EXTENSION.rglob("*.js"))


def js(path: str) -> str:
    return (EXTENSION / path).read_text()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def js_set(source: str, name: str) -> set[str]:
    """The string members of `const NAME = new Set([...])` in a script."""
    match = re.search(rf"const {name} = new Set\(\[(.*?)\]\)", source, re.S)
    assert match, name
    return set(re.findall(r'"([^"]+)"', match.group(1)))


def test_manifest_basics():
    assert MANIFEST["manifest_version"] == 3
    assert MANIFEST["name"] == "Declutter"
    assert re.fullmatch(r"\d+\.\d+\.\d+", MANIFEST["version"])
    assert MANIFEST["description"]
    assert MANIFEST["action"]["default_title"]
    assert MANIFEST["commands"]["_execute_action"]["suggested_key"]["default"] == "Alt+Shift+R"
    assert (EXTENSION / MANIFEST["options_ui"]["page"]).is_file()


@pytest.mark.parametrize("key", ["icons", "action"])
def test_icons_exist_at_their_sizes(key):
    icons = MANIFEST[key] if key == "icons" else MANIFEST["action"]["default_icon"]
    assert sorted(icons, key=int) == ["16", "32", "48", "128"]
    for size, path in icons.items():
        assert png_size(EXTENSION / path) == (int(size), int(size))


def test_least_privilege():
    assert sorted(MANIFEST["permissions"]) == ["activeTab", "scripting", "storage"]
    assert MANIFEST["host_permissions"] == ["http://127.0.0.1:5000/*", "http://localhost:5000/*"]
    assert MANIFEST["optional_host_permissions"] == ["http://*/*", "https://*/*"]
    for absent in ("content_scripts", "web_accessible_resources", "externally_connectable"):
        assert absent not in MANIFEST


def test_one_background_file_for_both_browsers():
    background = MANIFEST["background"]
    assert background["scripts"] == [background["service_worker"]] == ["background.js"]
    assert background.get("type") == "module"


def test_firefox_settings():
    gecko = MANIFEST["browser_specific_settings"]["gecko"]
    assert gecko["id"]
    assert gecko["strict_min_version"] == "142.0"
    assert gecko["data_collection_permissions"] == {"required": ["websiteContent"]}


def test_default_server_is_covered_by_the_host_permissions():
    default = re.search(r'DEFAULT_SERVER_URL = "([^"]+)"', js("settings.js")).group(1)
    assert f"{default}/*" in MANIFEST["host_permissions"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(EXTENSION)))
def test_no_markup_sinks_or_eval(script):
    source = script.read_text()
    for pattern in (r"\.(inner|outer)HTML\s*\+?=(?!=)", r"insertAdjacentHTML", r"document\.write",
                    r"\beval\(", r"new Function\(", r"createContextualFragment", r"srcdoc"):
        assert not re.search(pattern, source), f"{script.name}: {pattern}"


def test_reader_allowlist_matches_the_server_sanitizer():
    source = js("reader/article.js")
    assert js_set(source, "ALLOWED_TAGS") == set(sanitize.ALLOWED_TAGS)
    assert js_set(source, "DROPPED_WITH_CONTENT") == set(sanitize.DROPPED_WITH_CONTENT)
    assert js_set(source, "GLOBAL_ATTRIBUTES") == sanitize.ALLOWED_ATTRIBUTES["*"]
    block = re.search(r"const ATTRIBUTES = \{(.*?)\};", source, re.S).group(1)
    per_tag = {tag: set(re.findall(r'"([^"]+)"', names))
               for tag, names in re.findall(r"(\w+): new Set\(\[(.*?)\]\)", block)}
    assert per_tag == {tag: set(names) for tag, names in sanitize.ALLOWED_ATTRIBUTES.items() if tag != "*"}
    assert js_set(source, "LINK_PROTOCOLS") == {f"{scheme}:" for scheme in sanitize.LINK_SCHEMES}
    assert js_set(source, "IMAGE_PROTOCOLS") == {scheme[:-2] for scheme in sanitize.IMAGE_SCHEMES}


@pytest.mark.parametrize("page", ["reader/reader.html", "options/options.html"])
def test_pages_load_only_local_files_without_inline_script(page):
    html = (EXTENSION / page).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline scripts are blocked by the extension CSP"
    assert not re.search(r"\son\w+=", html), "inline event handlers are blocked by the extension CSP"
    for reference in re.findall(r'(?:src|href)="([^"#]+)"', html):
        assert not re.match(r"[a-z]+:", reference), reference
        assert ((EXTENSION / page).parent / reference).resolve().is_file(), reference


def test_pack_writes_both_archives_with_the_manifest_at_the_root(tmp_path):
    spec = importlib.util.spec_from_file_location("pack_extension", ROOT / "scripts" / "pack-extension.py")
    pack = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pack)

    assert pack.main(["--out", str(tmp_path)]) == 0
    chrome, firefox = tmp_path / "declutter-chrome.zip", tmp_path / "declutter-firefox.zip"
    assert chrome.read_bytes() == firefox.read_bytes()
    names = zipfile.ZipFile(chrome).namelist()
    assert "manifest.json" in names and "background.js" in names and "reader/reader.html" in names
    assert not [name for name in names if name.endswith(".py")]
    assert json.loads(zipfile.ZipFile(chrome).read("manifest.json")) == MANIFEST
