"""The HTTP API: POST/GET /v1/extract and GET /healthz."""

from __future__ import annotations

import hmac
import json

from flask import Blueprint, Response, current_app, jsonify, request

from declutter import fetch
from declutter.errors import BadInput, TooLarge, Unauthorized, UnsupportedType
from declutter.pipeline import serialize

bp = Blueprint("api", __name__)

FORMATS = tuple(serialize.RENDERERS)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.before_request
def _require_token():
    token = current_app.config["DECLUTTER"].api_token
    if not token or request.method == "OPTIONS" or request.endpoint == "api.healthz":
        return None
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Unauthorized("A valid 'Authorization: Bearer <token>' header is required.")
    return None


@bp.route("/v1/extract", methods=["GET", "POST"])
def extract():
    html, url, fmt, charset = _read_request()
    if fmt not in FORMATS:
        raise BadInput(f"Unknown format {fmt!r}; use one of: {', '.join(FORMATS)}.")
    if html is None:
        if not url:
            raise BadInput("Send the page as 'html' (JSON or a text/html body), or give its 'url'.")
        html, charset, url = _fetch(url)
    article = current_app.extensions["declutter.runner"].run(html, url=url, http_charset=charset)
    body, mimetype = serialize.render(article, fmt)
    if mimetype == "application/json":
        return jsonify(body)
    return Response(body, mimetype=mimetype)


def _read_request() -> tuple[str | bytes | None, str | None, str, str | None]:
    """Returns (html, url, format, http charset of the html) from any of the accepted input forms."""
    config = current_app.config["DECLUTTER"]
    if request.content_length is not None and request.content_length > config.max_bytes:
        raise TooLarge(f"The request body is over the limit of {config.max_bytes} bytes.")
    args = request.args
    if request.method == "GET":
        return None, args.get("url"), args.get("format", "json"), None

    mimetype = request.mimetype
    raw = request.get_data(cache=False)
    if len(raw) > config.max_bytes:
        raise TooLarge(f"The request body is over the limit of {config.max_bytes} bytes.")
    if mimetype == "application/json":
        payload = _json_object(raw)
        html = payload.get("html")
        url = payload.get("url", args.get("url"))
        fmt = payload.get("format", args.get("format", "json"))
        for name, value in (("html", html), ("url", url), ("format", fmt)):
            if value is not None and not isinstance(value, str):
                raise BadInput(f"'{name}' must be a string.")
        return html, url or None, fmt, None
    if mimetype in ("text/html", "application/xhtml+xml", "text/plain"):
        if not raw:
            raise BadInput("The request body is empty; send the page's HTML.")
        return raw, args.get("url") or None, args.get("format", "json"), request.mimetype_params.get("charset")
    if not mimetype and not raw:
        return None, args.get("url"), args.get("format", "json"), None
    raise UnsupportedType(
        f"Content-Type {mimetype or '(none)'} is not supported; send application/json or text/html."
    )


def _json_object(raw: bytes) -> dict:
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: deeply nested arrays
        raise BadInput(f"The body is not valid JSON: {exc}.") from None
    if not isinstance(payload, dict):
        raise BadInput("The JSON body must be an object such as {\"html\": \"...\", \"url\": \"...\"}.")
    return payload


def _fetch(url: str):
    page = fetch.fetch_page(url, current_app.config["DECLUTTER"])
    return page.body, page.charset, page.url
