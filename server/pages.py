"""HTML pages served by the service: / (try it), /read (reader), /bookmarklet.

The pages are templates plus external scripts; no page runs inline script. The reader gets its
article one of three ways, matching the bookmarklet's three, and always from the reader's script, which
asks /v1/extract with what this browser holds: the access token and the reader's corrections for the
site (both in this origin's localStorage):
  - from its opener by postMessage, then from POST /v1/extract on this origin (static/reader.js);
  - from a form POST to /read, which is not extracted here: the posted page goes into the reader as an
    inert JSON data block, and the script sends it to POST /v1/extract;
  - from /read?url=..., whose script asks GET /v1/extract?url=... to fetch the page.

Access token: when DECLUTTER_API_TOKEN is set, every extraction needs it, the pages' included. The
reader asks for it once and keeps it in this origin's localStorage; the bookmarklet never carries it,
so the pages it runs on cannot read it. Any site may open the reader or post a page to it, by design:
the article only ever shows in the reader's own window, which the sender cannot read, and the reader
says nothing back but "ready".
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from declutter.errors import BadInput, DeclutterError, TooLarge

from . import bookmarklet
from .http_errors import status_of

bp = Blueprint("pages", __name__)

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Article images come from anywhere. http: too: the sanitizer keeps http images, a laptop server
    # is plain http, and an https reader gets them upgraded or blocked as mixed content by the browser.
    "img-src 'self' https: http:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

# No Cross-Origin-Opener-Policy here: /read must stay reachable from the page that opened it.
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


@bp.after_request
def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint == "pages.read":
        response.headers["Cache-Control"] = "no-store"  # a read page may hold a logged-in article
    return response


def _config():
    return current_app.config["DECLUTTER"]


def service_base() -> str:
    """Where people reach this service: DECLUTTER_PUBLIC_URL, else the URL this request came in on."""
    public = _config().public_url.strip().rstrip("/")
    if public:
        try:
            bookmarklet.service_settings(public)
            return public
        except ValueError:
            current_app.logger.warning("DECLUTTER_PUBLIC_URL=%r is not an http(s) URL; using the "
                                       "request's own", public)
    own = request.url_root.rstrip("/")  # werkzeug leaves out a Host header that is not a valid host
    try:
        bookmarklet.service_settings(own)
    except ValueError:
        raise BadInput("The request's Host header is missing or not a valid host name.") from None
    return own


@bp.get("/")
def home():
    config = _config()
    return render_template("home.html", base=service_base(), fetch=config.fetch,
                           token_required=bool(config.api_token))


@bp.get("/bookmarklet")
def bookmarklet_page():
    base = service_base()
    return render_template("bookmarklet.html", base=base, link=bookmarklet.build_link(base),
                           origin=bookmarklet.service_settings(base)["origin"],
                           public_url_set=bool(_config().public_url.strip()), fetch=_config().fetch,
                           token_required=bool(_config().api_token))


@bp.route("/read", methods=["GET", "POST"])
def read():
    if request.method == "POST":
        return _read_posted()
    return _reader()


def _read_posted():
    """The form from the home page or the bookmarklet: fields `html` and `url`, handed to the reader's script."""
    config = _config()
    request.max_form_memory_size = config.max_bytes  # a page's HTML is one (large) form field
    try:
        html = request.form.get("html", "")
        url = request.form.get("url", "").strip() or None
    except RequestEntityTooLarge:
        return _reader_error(TooLarge(f"The page is over this server's limit of {config.max_bytes} bytes."))
    if not html.strip():
        if url:
            return redirect(url_for("pages.read", url=url), code=303)
        return _reader_error(BadInput("Paste a page's HTML, or give its address."))
    return _reader({"page": {"html": html, "url": url}})


def _reader(data: dict | None = None, status: int = 200):
    return render_template("read.html", data=data), status


def _reader_error(err: DeclutterError):
    return _reader({"error": {"code": err.code, "message": err.message}}, status_of(err))
