"""Real headless browsers and live servers on 127.0.0.1: Debian's /usr/bin/chromium driven by Playwright,
and Debian's /usr/bin/firefox-esr driven by Marionette (for the extension's tests).

Without a browser these tests skip, naming the install command; with DECLUTTER_REQUIRE_SYSTEM_PACKAGES=1 (set
in CI; the older DECLUTTER_REQUIRE_BROWSER=1 still works) a missing browser fails them instead.
"""

import http.server
import importlib
import os
import shutil
import socket
import tempfile
import threading

import pytest
from helpers import require_system_package
from werkzeug.serving import make_server

from server import create_app

CHROMIUM = "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _require_browser(browser="chromium"):
    binary, driver, package = {
        "chromium": (CHROMIUM, "playwright.sync_api", "playwright"),
        "firefox-esr": (FIREFOX, "marionette_driver.marionette", "marionette-driver"),
    }[browser]
    missing = []
    if not os.path.exists(binary):
        missing.append(f"{browser} (apt-get update && apt-get install -y {browser})")
    try:
        importlib.import_module(driver)
    except ImportError:
        missing.append(f"{package} (pip install {package})")
    if missing:
        require_system_package(" and ".join(missing))


@pytest.fixture(scope="session")
def playwright_instance():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser(playwright_instance):
    """A plain headless Chromium."""
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def user_data_dir():
    path = tempfile.mkdtemp(prefix="declutter-chromium-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A WSGI app served on 127.0.0.1 in a background thread."""

    def __init__(self, wsgi_app):
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def service():
    """The Declutter service on a free port."""
    server = LiveServer(create_app({"testing": True, "workers": 0}))
    yield server
    server.stop()


class StaticPages:
    """Serves pages from a dict {path: (body, headers)} on 127.0.0.1, like a third-party site."""

    def __init__(self):
        self.pages = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body, headers = pages.get(self.path.split("?")[0], (b"not found", {}))
                self.send_response(200 if self.path.split("?")[0] in pages else 404)
                self.send_header("Content-Type", headers.get("Content-Type", "text/html; charset=utf-8"))
                for name, value in headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path: str, body: str | bytes, **headers):
        self.pages[path] = (body.encode() if isinstance(body, str) else body, headers)
        return self.url + path

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def site():
    pages = StaticPages()
    yield pages
    pages.stop()
