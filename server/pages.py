"""HTML pages served by the service: / (try it), /read (reader), /bookmarklet."""

from flask import Blueprint

bp = Blueprint("pages", __name__)
