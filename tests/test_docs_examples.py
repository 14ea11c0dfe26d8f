"""The docs cannot drift from the service: every curl example in docs/api.md is run, and its reply checked.

An example is a ```sh block of curl commands followed by a ```http block with the reply to the last one:
a status line, headers that must be present and equal (or a prefix, with "…"), a blank line and a body
(JSON is compared as data, see reply_match.py). An HTML comment right before the sh block,
`<!-- server: DECLUTTER_X=... -->`, gives the server's environment for that example.

Each curl command is parsed (method, headers, -d/--data-binary/--data-urlencode, @file, -G, the URL's
path and query) and replayed through Flask's test client on a fresh app, so no server or network is
needed. `python3 -c '...' | curl ... @-` runs the Python part for the body. The one page the examples
fetch by URL is answered from its saved copy; every other URL goes through the real fetcher, whose
refusals need no network.

The rest checks the docs against the code: every DECLUTTER_* variable in docs/deploy.md, every pipeline
module in docs/pipeline.md, the Procfile's command in docs/deploy.md, and relative links that resolve.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from reply_match import mismatches, text_mismatch

from declutter import fetch as fetch_module
from server import create_app
from server.config import Config

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
API_DOC = DOCS / "api.md"
SERVICE = "localhost:5000"
# Pages the examples fetch by URL, answered from saved copies instead of the network.
SAVED_PAGES = {
    "https://www.daily8.ai/news/us-envoy-plays-down-washington-tokyo-trade-row":
        ROOT / "tests" / "fixtures" / "daily8-article.html",
}

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)
SERVER_ENV = re.compile(r"<!--\s*server:(.*?)-->\s*\Z", re.S)


# -- reading the examples ---------------------------------------------------------------------------

@dataclass
class Example:
    line: int
    commands: list[str]
    reply: str
    env: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"api.md:{self.line}"


def examples(text: str) -> list[Example]:
    blocks = [(m.group(1), m.group(2), m.start(), text.count("\n", 0, m.start()) + 1)
              for m in FENCE.finditer(text)]
    found = []
    for index, (language, body, start, line) in enumerate(blocks):
        if language != "sh" or "curl " not in body:
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        assert following and following[0] == "http", f"api.md:{line}: no http reply block after it"
        previous_end = FENCE.search(text, blocks[index - 1][2]).end() if index else 0
        env_comment = SERVER_ENV.search(text[previous_end:start])
        env = dict(pair.split("=", 1) for pair in shlex.split(env_comment.group(1))) if env_comment else {}
        found.append(Example(line, commands(body), following[1], env))
    return found


def commands(block: str) -> list[str]:
    """Shell commands of a block: continuation lines joined; newlines inside quotes kept."""
    block = re.sub(r"\\\n", " ", block)
    result, current, quote_char = [], [], None
    for char in block:
        if quote_char:
            quote_char = None if char == quote_char else quote_char
        elif char in "'\"":
            quote_char = char
        elif char == "\n":
            result.append("".join(current))
            current = []
            continue
        current.append(char)
    result.append("".join(current))
    return [command.strip() for command in result if command.strip() and not command.strip().startswith("#")]


# -- curl, replayed -----------------------------------------------------------------------------------

@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: bytes | None


SILENT_FLAGS = {"-s", "-S", "-sS", "-i", "-si", "--silent", "--show-error", "--include"}
DATA_FLAGS = {"-d", "--data", "--data-ascii", "--data-raw", "--data-binary", "--data-urlencode"}


def run_python(argv: list[str]) -> bytes:
    assert argv[:2] == ["python3", "-c"] and len(argv) == 3, f"only `python3 -c CODE | curl` works: {argv}"
    return subprocess.run([sys.executable, "-c", argv[2]], capture_output=True, check=True, timeout=30).stdout


def data_value(flag: str, value: str, stdin: bytes | None) -> bytes:
    """One -d/--data-* argument as curl sends it."""
    if flag == "--data-urlencode":
        name, _, content = value.rpartition("=")
        return (f"{name}=" if name else "").encode() + quote(content, safe="").encode()
    if flag == "--data-raw" or not value.startswith("@"):
        return value.encode()
    source = value[1:]
    content = stdin if source == "-" else (ROOT / source).read_bytes()
    assert content is not None, "@- needs a `python3 -c ... |` in front"
    return content if flag == "--data-binary" else content.replace(b"\r", b"").replace(b"\n", b"")


def parse_curl(command: str) -> Request:
    words = shlex.split(command)
    stdin = None
    if "|" in words:
        bar = words.index("|")
        stdin, words = run_python(words[:bar]), words[bar + 1:]
    assert words[0] == "curl", f"not a curl command: {command}"
    method, url, get, headers, data = None, None, False, {}, []
    args = iter(words[1:])
    for word in args:
        if word in SILENT_FLAGS:
            continue
        if word in ("-X", "--request"):
            method = next(args)
        elif word in ("-H", "--header"):
            name, _, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        elif word in DATA_FLAGS:
            data.append(data_value(word, next(args), stdin))
        elif word in ("-G", "--get"):
            get = True
        elif word.startswith("-"):
            raise AssertionError(f"the docs test does not know curl's {word}; teach parse_curl or drop it")
        else:
            assert url is None, f"two URLs in: {command}"
            url = word
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == SERVICE, f"examples call http://{SERVICE}: {url}"
    query = parts.query
    body = b"&".join(data) if data else None
    if get and body is not None:
        query = "&".join(filter(None, [query, body.decode()]))
        body = None
    if body is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    method = method or ("POST" if body is not None else "GET")
    return Request(method, parts.path + (f"?{query}" if query else ""), headers, body)


@dataclass
class Reply:
    status: int
    headers: dict
    body: str


def parse_reply(block: str) -> Reply:
    head, _, body = block.partition("\n\n")
    status_line, *header_lines = head.splitlines()
    match = re.match(r"HTTP/1\.1 (\d{3}) [A-Z ]+$", status_line)
    assert match, f"not a status line: {status_line!r}"
    headers = dict(line.split(": ", 1) for line in header_lines)
    return Reply(int(match.group(1)), headers, body)


@pytest.fixture
def saved_pages(monkeypatch):
    real_fetch = fetch_module.fetch_page

    def fetch_page(url, config):
        if url in SAVED_PAGES and config.fetch:
            return fetch_module.FetchedPage(body=SAVED_PAGES[url].read_bytes(), charset="utf-8", url=url)
        return real_fetch(url, config)

    monkeypatch.setattr(fetch_module, "fetch_page", fetch_page)


def app_for(env: dict):
    unknown = set(env) - config_variables()
    assert not unknown, f"not configuration variables: {unknown}"
    return create_app(Config.from_env(env).with_overrides({"testing": True, "workers": 0}))


API_EXAMPLES = examples(API_DOC.read_text(encoding="utf-8"))


def test_api_doc_has_examples():
    assert len(API_EXAMPLES) >= 20


@pytest.mark.parametrize("example", API_EXAMPLES, ids=lambda e: e.id)
def test_api_example(example: Example, saved_pages):
    client = app_for(example.env).test_client()
    for command in example.commands:
        request = parse_curl(command)
        response = client.open(request.path, method=request.method, headers=request.headers,
                               data=request.body)
    expected = parse_reply(example.reply)
    assert response.status_code == expected.status, response.get_data(as_text=True)[:500]
    for name, value in expected.headers.items():
        actual = response.headers.get(name)
        assert actual is not None, f"no {name} header"
        problem = text_mismatch(value, actual)
        assert problem is None, f"{name}: {problem}"
    if expected.body.strip():
        if response.mimetype == "application/json":
            problems = mismatches(json.loads(expected.body), response.get_json())
            assert not problems, "\n".join(problems)
        else:
            problem = text_mismatch(expected.body, response.get_data(as_text=True))
            assert problem is None, problem


README_COMMANDS = [command for block in re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
                   for command in commands(block) if "curl " in command]


def test_readme_has_curl_examples():
    assert len(README_COMMANDS) >= 3


@pytest.mark.parametrize("command", README_COMMANDS)
def test_readme_curl_example_gets_the_article(command, saved_pages):
    request = parse_curl(command)
    response = app_for({}).test_client().open(request.path, method=request.method, headers=request.headers,
                                              data=request.body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "Glass dismissed concerns" in response.get_data(as_text=True)


# -- the other docs, against the code ------------------------------------------------------------------

def config_variables() -> set[str]:
    return {f"DECLUTTER_{f.name.upper()}" for f in fields(Config) if f.name not in ("testing", "extra")}


def test_deploy_doc_lists_every_setting():
    text = (DOCS / "deploy.md").read_text(encoding="utf-8")
    missing = sorted(name for name in config_variables() if f"`{name}`" not in text)
    assert not missing, f"docs/deploy.md does not describe {missing}"
    named = set(re.findall(r"DECLUTTER_[A-Z_]+[A-Z]", text))
    unknown = named - config_variables()
    assert not unknown, f"docs/deploy.md names settings that do not exist: {unknown}"


def _another_value(default) -> str:
    if isinstance(default, bool):
        return "0" if default else "1"
    if isinstance(default, (int, float)):
        return str(default + 7)
    if isinstance(default, tuple):
        return "81,82"
    return f"{default}x"


def test_every_setting_is_read_from_the_environment():
    defaults = Config()
    names = [f.name for f in fields(Config) if f.name not in ("testing", "extra")]
    env = {f"DECLUTTER_{name.upper()}": _another_value(getattr(defaults, name)) for name in names}
    config = Config.from_env(env)
    unread = [name for name in names if getattr(config, name) == getattr(defaults, name)]
    assert not unread, f"Config.from_env ignores {unread}"


def test_deploy_doc_shows_the_procfile():
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8").strip()
    assert procfile in (DOCS / "deploy.md").read_text(encoding="utf-8")


def test_pipeline_doc_names_every_step_module():
    text = (DOCS / "pipeline.md").read_text(encoding="utf-8")
    modules = sorted(p.name for p in (ROOT / "server" / "pipeline").glob("*.py"))
    missing = [name for name in modules if name not in text]
    assert not missing, f"docs/pipeline.md does not mention {missing}"


@pytest.mark.parametrize("doc", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_relative_links_resolve(doc: Path):
    text = doc.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:|#", target):
            continue
        if not (doc.parent / target.split("#", 1)[0]).exists():
            broken.append(target)
    assert not broken, f"{doc.name} links to missing files: {broken}"
