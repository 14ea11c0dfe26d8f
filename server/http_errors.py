"""The library's errors as HTTP statuses, and the one JSON envelope every error reply uses."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from declutter import errors

# The status of each error class; a class not named here takes its nearest named ancestor's.
STATUSES: dict[type[errors.DeclutterError], int] = {
    errors.DeclutterError: 400,
    errors.BadInput: 400,
    errors.TooLarge: 413,
    errors.UnsupportedType: 415,
    errors.NotAPage: 415,
    errors.NoArticle: 422,
    errors.HostileInput: 422,
    errors.FetchDisabled: 403,
    errors.BadUrl: 400,
    errors.BlockedAddress: 403,
    errors.BlockedPort: 403,
    errors.NotHtml: 422,
    errors.UpstreamError: 502,
    errors.UpstreamTimeout: 504,
    errors.Unauthorized: 401,
    errors.ExtractionTimeout: 503,
    errors.ServerBusy: 503,
    errors.OutOfMemory: 422,
    errors.WorkerFailed: 503,
}


def status_of(err: errors.DeclutterError) -> int:
    return next(STATUSES[cls] for cls in type(err).__mro__ if cls in STATUSES)


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(errors.DeclutterError)
    def _library_error(err: errors.DeclutterError):
        return jsonify(error_body(err.code, err.message)), status_of(err)

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
