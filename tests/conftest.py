import pathlib

import pytest

from server import create_app

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
DAILY8_URL = "https://www.daily8.ai/news/us-envoy-plays-down-washington-tokyo-trade-row"


@pytest.fixture
def app():
    return create_app({"testing": True, "workers": 0})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def daily8_html() -> str:
    return (FIXTURES / "daily8-article.html").read_text(encoding="utf-8")


@pytest.fixture
def daily8_expected() -> str:
    return (FIXTURES / "daily8-article.expected.txt").read_text(encoding="utf-8")
