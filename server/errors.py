"""Error types and the one JSON envelope every error reply uses."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """An error the client can act on: a status, a stable code and a human message."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class BadInput(ApiError):
    status, code = 400, "bad_request"


class TooLarge(ApiError):
    status, code = 413, "too_large"


class UnsupportedType(ApiError):
    status, code = 415, "unsupported_media_type"


class NoArticle(ApiError):
    status, code = 422, "no_article"


class HostileInput(ApiError):
    """Input we refuse to process because it would cost unbounded time or memory."""

    status, code = 422, "hostile_input"


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return jsonify(error_body(err.code, err.message)), err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        code = (err.name or "error").lower().replace(" ", "_")
        if err.code == 413:
            code = "too_large"
        response = jsonify(error_body(code, err.description or err.name))
        response.status_code = err.code or 500
        for header in ("Allow", "Retry-After"):
            if err.get_response().headers.get(header):
                response.headers[header] = err.get_response().headers[header]
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("unexpected error")
        return jsonify(error_body("internal", "The server failed on this input; this is a bug.")), 500
