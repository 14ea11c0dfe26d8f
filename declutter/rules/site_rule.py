"""The site rule model: one domain's rule as loaded, its embedded tests, rule names, and RuleError.

A rule is one TOML file per domain in `declutter/rules/sites/`:

    example.com.toml      applies to example.com and www.example.com
    _.example.com.toml    applies to every subdomain of example.com (news.example.com, a.b.example.com),
                          but not to example.com or www.example.com (FiveFilters' `.example.com.txt`)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

RULE_SUFFIX = ".toml"
ANY_SUBDOMAIN = "_."  # file-name prefix of a rule that applies to every subdomain

LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"  # one label of a host name, lowercase
_NAME_RE = re.compile(rf"(?:_\.)?{LABEL}(?:\.{LABEL})+|{LABEL}")


class RuleError(ValueError):
    """A rule file that cannot be used: the file, the line when known, and what is wrong."""

    def __init__(self, path: str | os.PathLike | None, message: str, line: int | None = None):
        self.path = str(path) if path is not None else "<rule>"
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SiteTest:
    """An embedded test: the page at `url` must yield text holding every `contains` phrase.

    `fixture` names a saved copy of the page in `sites/fixtures/`, which `declutter rules check` runs offline.
    """

    url: str
    contains: tuple[str, ...] = ()
    fixture: str | None = None


@dataclass(frozen=True, eq=False)
class SiteRule:
    """One domain's rule. XPath keys hold compiled `etree.XPath` objects; `.path` gives the source text."""

    name: str  # "example.com", or "_.example.com" for any subdomain
    path: Path | None = None
    body: tuple[etree.XPath, ...] = ()
    strip: tuple[etree.XPath, ...] = ()
    strip_id_or_class: tuple[str, ...] = ()
    strip_image_src: tuple[str, ...] = ()
    strip_text: tuple[str, ...] = ()
    title: tuple[etree.XPath, ...] = ()
    author: tuple[etree.XPath, ...] = ()
    date: tuple[etree.XPath, ...] = ()
    find_replace: tuple[tuple[str, str], ...] = ()
    tests: tuple[SiteTest, ...] = ()
    source: str | None = None

    @property
    def subdomains(self) -> bool:
        """True for a rule that applies to the subdomains of `domain` rather than to `domain` itself."""
        return self.name.startswith(ANY_SUBDOMAIN)

    @property
    def domain(self) -> str:
        return self.name.removeprefix(ANY_SUBDOMAIN)


def is_rule_name(name: str) -> bool:
    """Is `name` a domain in lowercase, or `_.` and a domain ("example.com", "_.example.com")?"""
    return bool(_NAME_RE.fullmatch(name))


def rule_name(path: Path) -> str:
    """The rule name of a file: example.com.toml -> "example.com"; _.example.com.toml -> "_.example.com"."""
    name = path.name.removesuffix(RULE_SUFFIX)
    if not path.name.endswith(RULE_SUFFIX) or not is_rule_name(name):
        raise RuleError(path, "a rule file is named <domain>.toml or _.<domain>.toml (lowercase)")
    return name
