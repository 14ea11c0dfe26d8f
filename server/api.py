"""The HTTP API: POST/GET /v1/extract and GET /healthz."""

from __future__ import annotations

import dataclasses
import hmac
import json

from flask import Blueprint, Response, current_app, jsonify, request

from declutter import fetch
from declutter.errors import BadInput, TooLarge, Unauthorized, UnsupportedType
from declutter.pipeline import corrections, serialize
from declutter.pipeline.options import DEFAULT_OPTIONS

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
    html, url, fmt, charset, asked = _read_request()
    options = _options(asked)
    if fmt not in FORMATS:
        raise BadInput(f"Unknown format {fmt!r}; use one of: {', '.join(FORMATS)}.")
    if html is None:
        if not url:
            raise BadInput("Send the page as 'html' (JSON or a text/html body), or give its 'url'.")
        html, charset, url = _fetch(url)
    body, mimetype = current_app.extensions["declutter.runner"].run(html, url=url, http_charset=charset,
                                                                    options=options, fmt=fmt)
    if mimetype == "application/json":
        return jsonify(body)
    return Response(body, mimetype=mimetype)


def _read_request() -> tuple[str | bytes | None, str | None, str, str | None, dict]:
    """Returns (html, url, format, http charset of the html, extraction options asked for) from any of the
    accepted input forms; options come from the query string, and from the JSON body over it."""
    config = current_app.config["DECLUTTER"]
    if request.content_length is not None and request.content_length > config.max_bytes:
        raise TooLarge(f"The request body is over the limit of {config.max_bytes} bytes.")
    args = request.args
    if request.method == "GET":
        return None, args.get("url"), args.get("format", "json"), None, _query_options(args)

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
        return html, url or None, fmt, None, {**_query_options(args), **_json_options(payload)}
    if mimetype in ("text/html", "application/xhtml+xml", "text/plain"):
        if not raw:
            raise BadInput("The request body is empty; send the page's HTML.")
        return (raw, args.get("url") or None, args.get("format", "json"), request.mimetype_params.get("charset"),
                _query_options(args))
    if not mimetype and not raw:
        return None, args.get("url"), args.get("format", "json"), None, _query_options(args)
    raise UnsupportedType(
        f"Content-Type {mimetype or '(none)'} is not supported; send application/json or text/html."
    )


FLAGS = ("removed_html", "block_selectors")  # the extraction options a request may switch on
SELECTOR_LISTS = ("remove", "keep")  # the reader's corrections for the site, as CSS selectors
QUERY_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _query_options(args) -> dict:
    asked = {name: corrections.checked(name, args.getlist(name)) for name in SELECTOR_LISTS if name in args}
    for name in FLAGS:
        if name in args:
            value = args.get(name, "").lower()
            if value not in QUERY_BOOLEANS:
                raise BadInput(f"'{name}' must be true or false.")
            asked[name] = QUERY_BOOLEANS[value]
    return asked


def _json_options(payload: dict) -> dict:
    asked = {name: corrections.checked(name, payload[name]) for name in SELECTOR_LISTS if name in payload}
    for name in FLAGS:
        if name in payload:
            if not isinstance(payload[name], bool):
                raise BadInput(f"'{name}' must be true or false.")
            asked[name] = payload[name]
    return asked


def _options(asked: dict):
    return dataclasses.replace(DEFAULT_OPTIONS, **asked) if asked else None


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
