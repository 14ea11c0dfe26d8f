"""Which site rule applies to a host: rule files indexed by name, each parsed when a host first needs it."""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from .site_loader import load_rule
from .site_rule import ANY_SUBDOMAIN, LABEL, RULE_SUFFIX, RuleError, SiteRule, is_rule_name

log = logging.getLogger(__name__)

SITES_DIR = Path(__file__).with_name("sites")

_HOST_RE = re.compile(rf"{LABEL}(?:\.{LABEL})*")


def normalize_host(host_or_url: str | None) -> str | None:
    """The lowercase ASCII host of a URL or host name (port, trailing dot and credentials dropped)."""
    if not host_or_url or not isinstance(host_or_url, str):
        return None
    value = host_or_url.strip()
    if "/" in value or "@" in value:
        try:
            value = urlsplit(value if "//" in value else f"//{value}").hostname or ""
        except ValueError:
            return None
    else:
        value = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    value = value.strip().rstrip(".").lower()
    if not value.isascii():
        try:
            value = value.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return value if _HOST_RE.fullmatch(value) else None


def candidate_names(host: str) -> list[str]:
    """Rule names to try for `host`, best first: exact host, host without www., then subdomain rules of
    each parent domain, nearest first (a.b.example.com -> _.b.example.com, _.example.com)."""
    names = [host]
    bare = host.removeprefix("www.") if host.startswith("www.") and host.count(".") >= 2 else host
    if bare != host:
        names.append(bare)
    labels = bare.split(".")
    names += [ANY_SUBDOMAIN + ".".join(labels[i:]) for i in range(1, len(labels) - 1)]
    return names


class SiteIndex:
    """Rule files of one directory, indexed by name at first use; each file is parsed once, when a host
    first needs it. Safe to share between threads."""

    def __init__(self, directory: str | os.PathLike = SITES_DIR):
        self.directory = Path(directory)
        self._files: dict[str, Path] | None = None
        self._rules: dict[str, SiteRule | None] = {}
        self._lock = threading.Lock()

    @property
    def files(self) -> dict[str, str]:
        """Rule name -> file name, read from the directory listing once."""
        if self._files is None:
            with self._lock:
                if self._files is None:
                    self._files = dict(self._scan())
        return self._files

    def _scan(self) -> Iterator[tuple[str, str]]:
        try:
            filenames = os.listdir(self.directory)
        except FileNotFoundError:
            return
        for filename in filenames:
            name = filename.removesuffix(RULE_SUFFIX)
            if name == filename:
                continue
            if is_rule_name(name):
                yield name, filename
            else:
                log.warning("ignoring site rule %s: not named <domain>.toml or _.<domain>.toml", filename)

    def get(self, name: str) -> SiteRule | None:
        """The rule called `name`; None if there is none, or if its file is broken (logged)."""
        try:
            return self._rules[name]
        except KeyError:
            pass
        filename = self.files.get(name)
        rule = None
        if filename is not None:
            try:
                rule = load_rule(self.directory / filename)
            except RuleError as err:
                log.warning("ignoring site rule: %s", err)
        self._rules[name] = rule
        return rule

    def rule_for(self, host_or_url: str | None) -> SiteRule | None:
        """The rule that applies to a URL or host: exact host, then without www., then parent domains."""
        host = normalize_host(host_or_url)
        if host is None:
            return None
        for name in candidate_names(host):
            if name in self.files:
                rule = self.get(name)
                if rule is not None:
                    return rule
        return None

    def load_all(self) -> tuple[list[SiteRule], list[RuleError]]:
        """Every rule file parsed now (for checks): the rules that load and the errors of those that don't."""
        rules, errors = [], []
        for path in sorted(self.directory.glob(f"*{RULE_SUFFIX}")):
            try:
                rules.append(load_rule(path))
            except RuleError as err:
                errors.append(err)
        return rules, errors


@functools.cache
def default_index() -> SiteIndex:
    """The index of the rules shipped in declutter/rules/sites."""
    return SiteIndex(SITES_DIR)


def rule_for(host_or_url: str | None) -> SiteRule | None:
    """The shipped site rule for a URL or host name, or None."""
    return default_index().rule_for(host_or_url)
