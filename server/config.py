"""Configuration, read once from DECLUTTER_* environment variables into a frozen object."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

MB = 1024 * 1024


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _ints(value: str) -> tuple[int, ...]:
    return tuple(int(item) for item in _list(value))


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
    rate_limit: str = ""  # flask-limiter syntax, e.g. "60/minute"; empty means off
    rate_limit_storage: str = "memory://"  # counters: per server process, or e.g. "redis://host:6379"
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For names the client
    public_url: str = ""  # the origin the bookmarklet calls; empty means the request's own
    testing: bool = False

    @classmethod
    def from_env(cls, environ=None) -> Config:
        environ = os.environ if environ is None else environ
        parsers = {
            "max_bytes": int,
            "cors_origins": _list,
            "api_token": str,
            "fetch": _bool,
            "fetch_allow_hosts": _list,
            "fetch_ports": _ints,
            "timeout_s": float,
            "workers": int,
            "worker_memory_mb": int,
            "rate_limit": str,
            "rate_limit_storage": str,
            "trusted_proxies": int,
            "public_url": str,
        }
        values = {}
        for name, parse in parsers.items():
            raw = environ.get(f"DECLUTTER_{name.upper()}")
            if raw is not None and raw != "":
                try:
                    values[name] = parse(raw)
                except ValueError as exc:
                    raise ValueError(f"DECLUTTER_{name.upper()}={raw!r}: {exc}") from None
        return cls(**values)

    def with_overrides(self, overrides: dict | None) -> Config:
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        return replace(self, **overrides)
