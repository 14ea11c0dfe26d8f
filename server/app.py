"""The Flask application factory."""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS

from .config import Config
from .http_errors import register_error_handlers
from .runner import make_runner
from .security import init_security

EXTENSION_ORIGINS = [r"chrome-extension://[a-z]{32}", r"moz-extension://[0-9a-f-]{36}"]


def create_app(config: Config | dict | None = None) -> Flask:
    """Build the app. `config` is a Config, a dict of overrides on the environment's config, or None."""
    if not isinstance(config, Config):
        config = Config.from_env().with_overrides(config)
    app = Flask(__name__)
    app.config["DECLUTTER"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_bytes
    app.config["TESTING"] = config.testing
    app.json.sort_keys = False

    CORS(app, resources={r"/v1/*": {"origins": EXTENSION_ORIGINS + list(config.cors_origins)}},
         methods=["GET", "POST"], allow_headers=["Content-Type", "Authorization"], max_age=600)
    register_error_handlers(app)
    init_security(app)
    app.extensions["declutter.runner"] = make_runner(config)

    from . import api, pages

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    return app
