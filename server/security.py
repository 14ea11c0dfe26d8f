"""App-wide protections: the request body limit, per-client rate limiting, security headers, the client
address behind proxies.

- Body limit: a chunked request has no Content-Length, and werkzeug then cuts its body silently at
  MAX_CONTENT_LENGTH. Such a body is read here first, up to one byte past DECLUTTER_MAX_BYTES, and given
  the length it turned out to have, so every route refuses an oversized one (413) as it refuses one that
  declared its length.
- Rate limit (flask-limiter), off unless DECLUTTER_RATE_LIMIT is set ("60/minute", "5/second;100/hour").
  One budget per client address, shared by every route but /healthz, static files and CORS preflights;
  429 in the JSON error envelope with Retry-After. Counters live in DECLUTTER_RATE_LIMIT_STORAGE:
  "memory://" (the default) is per server process, so with N gunicorn workers a client may get up to N
  times the limit; "redis://host:6379" is one budget across workers and instances.
- Behind N reverse proxies (DECLUTTER_TRUSTED_PROXIES=N), the client address is read from the last N
  X-Forwarded-For hops; without it every client would share the proxy's address and its one budget.
- Headers: only ever added when absent, so a page that sets its own (pages.py sets a full CSP on /read)
  keeps them. Every response: X-Content-Type-Options: nosniff, so text and markdown replies are never
  sniffed into HTML. HTML responses: Referrer-Policy no-referrer, X-Frame-Options DENY, and a CSP of
  `frame-ancestors 'none'` when the response has no CSP at all.
"""

from __future__ import annotations

import io

from flask import Flask, jsonify, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from declutter.errors import BadInput

from .http_errors import error_body

ALL_RESPONSES = {
    "X-Content-Type-Options": "nosniff",
}
HTML_RESPONSES = {
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
HTML_DEFAULT_CSP = "frame-ancestors 'none'"
UNLIMITED_ENDPOINTS = frozenset({"api.healthz", "static"})
BODY_CHUNK = 64 * 1024


def init_security(app: Flask) -> None:
    config = app.config["DECLUTTER"]
    if config.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies, x_proto=config.trusted_proxies)
    _init_rate_limit(app, config)  # first, so a client over its budget is refused before its body is read
    app.before_request(_measure_streamed_body)
    app.after_request(_add_headers)


def _measure_streamed_body() -> None:
    """A body without Content-Length (chunked), read up to one byte past the limit and given its length."""
    environ = request.environ
    if request.content_length is not None or not environ.get("wsgi.input_terminated"):
        return
    limit = request.max_content_length
    stream, body = environ["wsgi.input"], bytearray()
    try:
        while len(body) <= limit:
            chunk = stream.read(min(BODY_CHUNK, limit + 1 - len(body)))
            if not chunk:
                break
            body += chunk
    except (OSError, ValueError):  # a broken chunked encoding, or the client went away
        raise BadInput("The request body could not be read (broken chunked encoding).") from None
    # Now a body of known length: werkzeug ignores Content-Length beside "Transfer-Encoding: chunked".
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(bytes(body)), str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    request.__dict__.pop("content_length", None)  # a cached_property that has read "no length"


def _init_rate_limit(app: Flask, config) -> None:
    if not config.rate_limit:
        return
    try:
        parse_many(config.rate_limit)
    except ValueError as exc:
        raise ValueError(f"DECLUTTER_RATE_LIMIT={config.rate_limit!r}: {exc}") from None
    limiter = Limiter(
        get_remote_address,
        app=app,
        application_limits=[config.rate_limit],  # one budget per client, not one per route
        storage_uri=config.rate_limit_storage,
        headers_enabled=True,
        strategy="fixed-window",
        swallow_errors=True,  # a storage outage lets requests through rather than failing them
    )
    limiter.request_filter(_unlimited)
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    app.extensions["declutter.limiter"] = limiter


def _rate_limited(err: RateLimitExceeded):
    message = f"Too many requests from this address (the limit is {err.description}); try again later."
    return jsonify(error_body("rate_limited", message)), 429


def _unlimited() -> bool:
    return request.method == "OPTIONS" or request.endpoint in UNLIMITED_ENDPOINTS


def _add_headers(response):
    for name, value in ALL_RESPONSES.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        for name, value in HTML_RESPONSES.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", HTML_DEFAULT_CSP)
    return response
