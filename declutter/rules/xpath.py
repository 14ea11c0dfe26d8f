"""XPath for site rules: compiled once and checked for what lxml only notices when it runs; run safely."""

from __future__ import annotations

import logging
import re

from lxml import etree

log = logging.getLogger(__name__)

_XPATH_FUNCTIONS = frozenset(
    "last position count id local-name namespace-uri name string concat starts-with contains "
    "substring-before substring-after substring string-length normalize-space translate boolean not "
    "true false lang number sum floor ceiling round".split()
)
_NOT_FUNCTIONS = frozenset({"node", "text", "comment", "processing-instruction", "and", "or", "div", "mod"})
_LITERAL_RE = re.compile(r"\"[^\"]*\"|'[^']*'")
_CALL_RE = re.compile(r"(?<![\w.:$-])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_PREFIX_RE = re.compile(r"(?<![\w.:$-])([A-Za-z_][\w.-]*):(?![:=])")
_PROBE = etree.fromstring(
    "<html lang='en'><head><title>t</title><meta name='m' content='c'/></head>"
    "<body class='b' id='b'><article><h1>h</h1><div class='d'><p>p<a href='#'>a</a></p>"
    "<img src='i'/></div></article></body></html>"
)


def compile_xpath(expr: str) -> etree.XPath:
    """The compiled XPath, or ValueError saying why lxml could not run it on an HTML page."""
    if not isinstance(expr, str) or not expr.strip():
        raise ValueError("empty XPath")
    try:
        compiled = etree.XPath(expr, smart_strings=False)
    except etree.XPathError as err:
        raise ValueError(f"invalid XPath {expr!r}: {err}") from None
    code = _LITERAL_RE.sub("''", expr)
    for name in _CALL_RE.findall(code):
        if name not in _XPATH_FUNCTIONS and name not in _NOT_FUNCTIONS:
            raise ValueError(f"invalid XPath {expr!r}: unknown function {name}()")
    for prefix in _PREFIX_RE.findall(code):
        if prefix != "xml":
            raise ValueError(f"invalid XPath {expr!r}: namespace prefix {prefix!r} is undefined in HTML")
    if "$" in code:
        raise ValueError(f"invalid XPath {expr!r}: variables are not supported")
    try:
        compiled(_PROBE)
    except etree.XPathError as err:
        raise ValueError(f"invalid XPath {expr!r}: {err}") from None
    return compiled


def evaluate(xpath: etree.XPath, root) -> list:
    """Run a rule's XPath; a page that makes it fail counts as no match, never as an error."""
    try:
        result = xpath(root)
    except (etree.XPathError, ValueError, TypeError) as err:
        log.debug("site rule XPath %s failed: %s", xpath.path, err)
        return []
    if isinstance(result, list):
        return result
    if isinstance(result, str):
        return [result]
    return []  # numbers and booleans name nothing
