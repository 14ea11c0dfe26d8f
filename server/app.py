"""The Flask application factory."""

from __future__ import annotations

import re

from flask import Flask
from flask_cors import CORS

from .config import Config
from .http_errors import register_error_handlers
from .runner import make_runner
from .security import init_security

# Chrome's 32-letter extension ids (letters a-p) and Firefox's per-install UUIDs, as browsers send them.
EXTENSION_ORIGINS = (r"chrome-extension://[a-p]{32}", r"moz-extension://[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def cors_origins(configured) -> list[re.Pattern]:
    """Every allowed origin as a pattern of the whole origin. flask-cors applies re.match, which anchors
    only the start, and reads any configured origin with a regex character as a pattern; so the extension
    patterns get their end anchor here, and configured origins are matched literally (case-insensitive)."""
    patterns = [re.compile(rf"{pattern}\Z") for pattern in EXTENSION_ORIGINS]
    return patterns + [re.compile(rf"{re.escape(origin)}\Z", re.IGNORECASE) for origin in configured]


def create_app(config: Config | dict | None = None) -> Flask:
    """Build the app. `config` is a Config, a dict of overrides on the environment's config, or None."""
    if not isinstance(config, Config):
        config = Config.from_env().with_overrides(config)
    app = Flask(__name__)
    app.config["DECLUTTER"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_bytes
    app.config["TESTING"] = config.testing
    app.json.sort_keys = False

    CORS(app, resources={r"/v1/*": {"origins": cors_origins(config.cors_origins)}},
         methods=["GET", "POST"], allow_headers=["Content-Type", "Authorization"], max_age=600)
    register_error_handlers(app)
    init_security(app)
    app.extensions["declutter.runner"] = make_runner(config)

    from . import api, pages

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    return app
