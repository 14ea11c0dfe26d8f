"""Bytes or text to one lxml tree: find the encoding, drop characters lxml chokes on, parse once."""

from __future__ import annotations

import codecs
import re

import lxml.html
import webencodings
from lxml import etree

from ..errors import BadInput, NoArticle, NotAPage

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
# C0 controls except tab/newline/carriage return, DEL, lone surrogates and non-characters: XML-incompatible,
# lxml refuses them and readability raises on them inside attributes.
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
UNSAFE_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])  # its C0 controls and DEL, in UTF-8
# The HTML standard reads these declarations as another encoding: a UTF-16 label on bytes without a UTF-16
# BOM (checked first) means UTF-8, x-user-defined means windows-1252; the replacement encoding, which would
# turn the whole page into one U+FFFD, counts as no declaration.
DECLARED_AS = {"utf-16le": "utf-8", "utf-16be": "utf-8", "x-user-defined": "windows-1252", "replacement": None}
# The same characters written as numeric references (`&#14;`): the parser decodes them into the tree, where
# setting the value again (a link made absolute, a lazy image's source) raises ValueError. They become U+FFFD,
# as HTML5 does with other invalid references; removing them could join "&#&#14;14;" into a new one.
NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")

# File signatures of what people send by mistake: images, PDF, archives, executables, fonts, media.
# (Formats whose first bytes could start a line of text, and those with NUL bytes early, are left to the
# NUL and character checks.)
BINARY_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF-", b"PK\x03\x04", b"\x1f\x8b",
                     b"\x7fELF", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!\x1a", b"wOFF", b"wOF2", b"\xca\xfe\xba\xbe",
                     b"\xcf\xfa\xed\xfe")
BINARY_SAMPLE = 4096
# Text is at most a few stray control or undecodable characters; binary data decoded as text is full of them.
BINARY_CHAR = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")
MAX_BINARY_SHARE, MIN_BINARY_CHARS = 0.1, 32

# huge_tree: nesting up to 2048 instead of 256 (deeper is refused by guard.check_tree, never dropped)
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
# Every element is a plain HtmlElement. lxml.html's default lookup calls back into Python for each element
# it hands out, to give forms and inputs classes of their own that nothing here uses: a tenth of the time.
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))


def _lookup(label: str | None) -> str | None:
    """The Python codec for a label of the WHATWG Encoding Standard, or None for anything else.

    webencodings keeps the standard's table of labels, so Python's own codec names that are not encodings
    of the web (base64, zlib, rot13, utf-7, ...) are ignored like any unknown label.
    """
    encoding = webencodings.lookup(label) if label else None
    if encoding is None:
        return None
    name = DECLARED_AS.get(encoding.name, encoding.name)
    return webencodings.lookup(name).codec_info.name if name else None


def _refuse_binary(data: bytes) -> None:
    if data.lstrip()[:8].startswith(BINARY_SIGNATURES) or (data.startswith(b"RIFF") and data[8:12] == b"WEBP"):
        raise NotAPage("This is a binary file (an image, archive or program), not an HTML page.")
    if b"\x00" in data[:BINARY_SAMPLE]:
        raise NotAPage("This is binary data (it holds NUL bytes), not an HTML page.")


def _refuse_binary_text(text: str) -> None:
    sample = text[:BINARY_SAMPLE]
    found = len(BINARY_CHAR.findall(sample))
    if found >= MIN_BINARY_CHARS and found > MAX_BINARY_SHARE * len(sample):
        raise NotAPage("This is binary data (mostly control or undecodable characters), not an HTML page.")


def _unsafe_reference(match: re.Match) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return "\ufffd" if code <= 0x10FFFF and UNSAFE_CHARS.match(chr(code)) else match.group(0)


def _has_unsafe(text: str, utf8: bytes | None = None) -> bool:
    """UNSAFE_CHARS.search at a fraction of its time (the regex engine steps through a character class one
    character at a time): the two non-characters by a string search, the controls in the UTF-8 bytes at C
    speed, a lone surrogate by the strict encoding's refusal. `utf8`: the bytes the text was decoded from,
    when they were valid UTF-8 (which holds no surrogate); the encoding is saved."""
    if "\ufffe" in text or "\uffff" in text:
        return True
    if utf8 is None:
        try:
            utf8 = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            return True
    return len(utf8.translate(None, UNSAFE_BYTES)) != len(utf8)


def _drop_unsafe(text: str, utf8: bytes | None = None) -> str:
    if _has_unsafe(text, utf8):
        text = UNSAFE_CHARS.sub("", text)
    return NUMERIC_REFERENCE.sub(_unsafe_reference, text) if "&#" in text else text


def to_text(data: str | bytes, http_charset: str | None = None) -> str:
    """The page as text: BOM first, then the HTTP charset, then <meta charset>, then UTF-8, then cp1252.

    Binary input (a known file signature, NUL bytes, or mostly non-text characters) is refused.
    """
    if isinstance(data, str):
        _refuse_binary_text(data)
        return _drop_unsafe(data)
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding, errors="replace")
            _refuse_binary_text(text)
            return _drop_unsafe(text)
    _refuse_binary(data)
    declared = _lookup(http_charset)
    if not declared:
        found = META_CHARSET.search(data[:4096])
        declared = _lookup(found.group(1).decode("ascii")) if found else None
    encoding = declared or "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:  # undecodable bytes become U+FFFD; undeclared, the page was not UTF-8
        text, encoding = data.decode(declared or "cp1252", errors="replace"), None
    _refuse_binary_text(text)
    return _drop_unsafe(text, data if encoding == "utf-8" else None)


def parse(text: str) -> lxml.html.HtmlElement:
    """One parse of the whole page. Re-encoding as UTF-8 keeps a declared encoding from misleading lxml."""
    if not text.strip():
        raise BadInput("The page is empty.")
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:  # XMLSyntaxError: libxml2 out of memory
        raise NoArticle(f"The page could not be parsed as HTML: {exc}.") from None
    if root is None or root.tag != "html":
        raise NoArticle("The page has no HTML document in it.")
    _into_body(root)
    return root


def _into_body(root: lxml.html.HtmlElement) -> None:
    """Elements that libxml2 leaves beside <body> (markup after a stray </body> or </html>) go into it, where
    a browser's HTML5 parser puts them: every later step reads the page's text from <body>."""
    body = root.find("body")
    if body is None:
        return
    leading = 0  # elements before <body> keep their order at its start
    after = False
    for child in list(root):
        if child is body:
            after = True
        elif isinstance(child.tag, str) and child.tag != "head":
            if after:
                body.append(child)
            else:
                body.insert(leading, child)
                leading += 1
    # Markup after </html> can even become a second <html> beside the document's root element; its content
    # moves into <body> and the empty shell stays behind.
    for stray in list(root.itersiblings()):
        for child in list(stray) if isinstance(stray.tag, str) else ():
            if child.tag == "body":
                body.extend(list(child))
            elif child.tag != "head":
                body.append(child)
