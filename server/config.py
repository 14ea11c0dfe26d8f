"""Configuration, read once from DECLUTTER_* environment variables into a frozen object.

A field is its own setting: `DECLUTTER_<FIELD NAME>`, parsed by the field's type (bool, int, float, str, or
a comma-separated tuple of str or int). A field with metadata {"env": False} is not read from the environment.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import get_args, get_origin, get_type_hints

MB = 1024 * 1024


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


_SCALARS = {bool: _bool, int: int, float: float, str: str}


def _parser(name: str, kind) -> Callable[[str], object]:
    """How an environment value becomes a setting of type `kind`: a scalar, or a comma-separated tuple."""
    if kind in _SCALARS:
        return _SCALARS[kind]
    args = get_args(kind)
    if get_origin(kind) is tuple and len(args) == 2 and args[1] is Ellipsis and args[0] in (str, int):
        parse = _SCALARS[args[0]]
        return lambda value: tuple(parse(item) for item in _list(value))
    raise TypeError(f"Config.{name}: no environment parser for type {kind!r}")


@dataclass(frozen=True)
class Config:
    max_bytes: int = 10 * MB  # largest request body, and largest page fetched
    cors_origins: tuple[str, ...] = ()  # besides browser-extension origins
    api_token: str = ""  # when set, requests need "Authorization: Bearer <token>"
    fetch: bool = True  # may the service fetch a page by URL itself
    fetch_allow_hosts: tuple[str, ...] = ()  # private hosts a self-hoster allows to be fetched
    fetch_ports: tuple[int, ...] = (80, 443)
    timeout_s: float = 10.0  # hard deadline for one extraction
    workers: int = 2  # extraction worker processes per server process; 0 runs in-process
    worker_memory_mb: int = 1024  # address-space limit of one extraction worker
    worker_max_pages: int = 1000  # pages one extraction worker serves before a fresh one takes its place
    rate_limit: str = ""  # flask-limiter syntax, e.g. "60/minute"; empty means off
    rate_limit_storage: str = "memory://"  # counters: per server process, or e.g. "redis://host:6379"
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For names the client
    public_url: str = ""  # the origin the bookmarklet calls; empty means the request's own
    testing: bool = field(default=False, metadata={"env": False})  # set by the tests, never from the environment

    def __post_init__(self) -> None:
        """Settings that could only fail requests (a deadline of NaN, a body limit of 0) fail at startup."""
        problems = {
            "timeout_s": not (0 < self.timeout_s < math.inf),
            "max_bytes": self.max_bytes <= 0,
            "workers": self.workers < 0,
            "worker_memory_mb": self.worker_memory_mb <= 0,
            "worker_max_pages": self.worker_max_pages <= 0,
            "fetch_ports": not all(0 < port < 65536 for port in self.fetch_ports),
            "trusted_proxies": self.trusted_proxies < 0,
        }
        for name, wrong in problems.items():
            if wrong:
                value = getattr(self, name)
                raise ValueError(f"DECLUTTER_{name.upper()}={value!r} is out of range; see docs/deploy.md.")

    @classmethod
    def from_env(cls, environ=None) -> Config:
        """Each field from DECLUTTER_<NAME>, parsed by its type; unset or empty keeps the default."""
        environ = os.environ if environ is None else environ
        types = get_type_hints(cls)
        parsers = {f.name: _parser(f.name, types[f.name]) for f in fields(cls) if f.metadata.get("env", True)}
        values = {}
        for name, parse in parsers.items():
            variable = f"DECLUTTER_{name.upper()}"
            raw = environ.get(variable)
            if raw is not None and raw != "":
                try:
                    values[name] = parse(raw)
                except ValueError as exc:
                    raise ValueError(f"{variable}={raw!r}: {exc}") from None
        return cls(**values)

    def with_overrides(self, overrides: dict | None) -> Config:
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        return replace(self, **overrides)
