"""The bookmarklet link: the readable source in static/bookmarklet.js, minified, aimed at one service.

The source names its settings DECLUTTER_SERVICE; the link replaces that name with a JSON object
{"reader": "<base>/read", "origin": "<scheme://host[:port]>"}, then percent-encodes the whole program
into a `javascript:` URL.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

SOURCE = Path(__file__).parent / "static" / "bookmarklet.js"
PLACEHOLDER = "DECLUTTER_SERVICE"

# Characters kept as they are in the link; everything else is percent-encoded (spaces, quotes, #, %, <, >).
URL_SAFE = "!$'()*+,-./:;=?@_~"

# A space next to one of these can go. "+" and "-" are not here ("a - -b"), nor "." ("1 .toString()").
PUNCTUATION = set("{}()[];,:=<>!&|?*")
# A line break can go after these (no statement ends there) or before these (nothing starts there),
# so automatic semicolon insertion cannot change the program. Other breaks stay as "\n".
JOINS_AFTER = set(";{,([")
JOINS_BEFORE = set("})]")


def service_settings(base: str) -> dict:
    """The settings the bookmarklet gets for a service whose public base URL is `base`."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the service's base URL must be an absolute http(s) URL, not {base!r}")
    return {"reader": base.rstrip("/") + "/read", "origin": f"{parts.scheme}://{parts.netloc}"}


def build_link(base: str) -> str:
    """The `javascript:` URL of the bookmarklet for the service at `base`."""
    settings = json.dumps(service_settings(base), separators=(",", ":"))
    return "javascript:" + quote(minified_source().replace(PLACEHOLDER, settings), safe=URL_SAFE)


@lru_cache(maxsize=1)
def minified_source() -> str:
    code = minify(SOURCE.read_text(encoding="utf-8"))
    if code.count(PLACEHOLDER) != 1:
        raise ValueError(f"{SOURCE.name} must name {PLACEHOLDER} exactly once")
    return code


def minify(source: str) -> str:
    """Strips comments, indentation, blank lines and spaces around punctuation from trusted source.

    Deliberately small: string literals are copied untouched, and the source may hold no template
    literal and no "/" outside strings and comments (no division, no regular expression), so that this
    never has to tell a regular expression from a division. It raises rather than guess.
    """
    out: list[str] = []
    gap = ""  # the whitespace seen since the last token: "", " " or "\n"
    i, n = 0, len(source)

    def emit(token: str) -> None:
        nonlocal gap
        if out and gap:
            before, after = out[-1][-1], token[0]
            if gap == "\n":
                gap = "" if before in JOINS_AFTER or after in JOINS_BEFORE else "\n"
            elif before in PUNCTUATION or after in PUNCTUATION:
                gap = ""
            out.append(gap)
        out.append(token)
        gap = ""

    while i < n:
        char = source[i]
        if char in "'\"":
            end = i + 1
            while end < n and source[end] != char:
                if source[end] == "\n":
                    raise ValueError(f"unterminated string at offset {i}")
                end += 2 if source[end] == "\\" else 1
            if end >= n:
                raise ValueError(f"unterminated string at offset {i}")
            emit(source[i:end + 1])
            i = end + 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                raise ValueError(f"unterminated comment at offset {i}")
            if "\n" in source[i:end]:
                gap = "\n"
            elif not gap:
                gap = " "
            i = end + 2
        elif char == "/":
            raise ValueError(f"'/' outside a string or comment at offset {i}: division and regular "
                             "expressions are not supported")
        elif char == "`":
            raise ValueError(f"template literal at offset {i} is not supported")
        elif char == "\n":
            gap = "\n"
            i += 1
        elif char.isspace():
            gap = gap or " "
            i += 1
        else:
            end = i + 1
            while end < n and not source[end].isspace() and source[end] not in "'\"`/":
                end += 1
            emit(source[i:end])
            i = end
    code = "".join(out)
    if "<!--" in code or "-->" in code:
        raise ValueError("the minified code would contain an HTML-like comment")
    return code
