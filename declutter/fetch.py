"""Fetch a page by URL without letting the URL reach into the service's own network.

Every hop (the URL, then each redirect) passes one guard before anything connects:

    parse the URL -> http(s), an allowed port, no user info -> resolve the host once
      -> check every resolved address against the deny-list -> connect to those checked addresses only

The last step is what defeats DNS rebinding: the connection never looks the name up again, so a name
that answers "public" to the check and "private" a moment later cannot move the connection. Host header,
TLS SNI and certificate verification still use the name, because only the socket's peer is pinned.
"""

from __future__ import annotations

import http
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from email.message import Message
from importlib import metadata
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError, ReadTimeoutError
from urllib3.util import connection as urllib3_connection

from .errors import (
    BadRedirect,
    BadUrl,
    BlockedAddress,
    BlockedPort,
    FetchDisabled,
    FetchError,
    HostNotFound,
    NotHtml,
    TooLarge,
    TooManyRedirects,
    UpstreamError,
    UpstreamStatus,
    UpstreamTimeout,
)

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
DEADLINE_S = 10.0  # cap on one whole fetch: every hop, connect and body included
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0  # longest wait for any single read; the deadline bounds the sum
CHUNK_BYTES = 64 * 1024
SNIFF_BYTES = 1024
HTML_SNIFF_TAGS = (b"<!doctype html", b"<html", b"<head", b"<body")
MAX_URL_CHARS = 8192
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _user_agent() -> str:
    try:
        version = metadata.version("declutter")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"Declutter/{version} (+reader mode; fetches one page when a reader asks for it)"


HEADERS = {
    "User-Agent": _user_agent(),
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
}

# Where a fetch may never connect, with the reason. Checked explicitly: ipaddress's is_global/is_private
# flags call some of these global (NAT64, 6to4, 192.0.0.0/24 in part) and change between Python versions,
# so they are only a second net below this list.
DENIED_NETWORKS = tuple(
    (ipaddress.ip_network(network), reason)
    for network, reason in (
        ("0.0.0.0/8", "unspecified / this network"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local (cloud metadata)"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("255.255.255.255/32", "broadcast"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b::/96", "NAT64"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("2001::/32", "Teredo"),
        ("2001:db8::/32", "documentation"),
        ("fc00::/7", "unique local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)
# IPv6 forms that carry an IPv4 address; the IPv4 address decides (2002::/16 6to4 and
# ::ffff:0:0/96 IPv4-mapped are read with ipaddress's own properties).
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


# -- the result ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FetchedPage:
    body: bytes  # raw bytes, at most config.max_bytes; decoding is the pipeline's job
    charset: str | None  # the charset parameter of the HTTP Content-Type, if any
    url: str  # the final URL, after redirects


def fetch_page(url: str, config) -> FetchedPage:
    """The page at `url`, fetched under the guard; raises a FetchError (or TooLarge), never a bare exception."""
    if not config.fetch:
        raise FetchDisabled("This server does not fetch pages by URL; send the page's HTML instead.")
    deadline = time.monotonic() + min(config.timeout_s, DEADLINE_S)
    target = _parse_url(url, config, redirected=False)
    with _Session() as session:
        # No proxies, .netrc or environment settings: the only way out is the pinned adapter below.
        session.trust_env = False
        session.headers.update(HEADERS)
        redirects = 0
        while True:
            response = _get(session, target, config, deadline, redirected=redirects > 0)
            location = session.get_redirect_target(response)
            if location is None or response.status_code not in REDIRECT_STATUSES:
                break
            response.close()
            redirects += 1
            if redirects > MAX_REDIRECTS:
                raise TooManyRedirects(f"The page redirected more than {MAX_REDIRECTS} times.")
            target = _parse_url(urljoin(target.url, location), config, redirected=True)
        try:
            return _read_page(response, target, config, deadline)
        finally:
            response.close()


# -- the guard -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    url: str  # as requests sends it (IDNA host, no fragment)
    scheme: str
    host: str  # lower case, no brackets: what the connection pool is asked for
    port: int


def _parse_url(url, config, *, redirected: bool) -> _Target:
    """Checks everything the URL alone can tell: scheme, syntax, user info, port."""

    def bad(problem: str) -> FetchError:
        # A malformed redirect is the upstream's fault (502); a malformed URL from the client is a 400.
        if redirected:
            return BadRedirect(f"The page redirected to a URL that is not fetched: {problem}")
        return BadUrl(f"Cannot fetch this URL: {problem}")

    if not isinstance(url, str) or not url.strip():
        raise bad("the URL is empty.")
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise bad(f"the URL is longer than {MAX_URL_CHARS} characters.")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        raise bad("the URL contains control characters.")
    prepared = requests.PreparedRequest()
    try:
        if urlsplit(url).scheme.lower() not in DEFAULT_PORTS:
            raise bad("only absolute http:// and https:// URLs can be fetched.")
        prepared.prepare_url(url, None)  # the same normalisation (IDNA, quoting) requests applies
        parts = urlsplit(prepared.url)
        port = parts.port
    except (requests.RequestException, ValueError, UnicodeError):
        raise bad("it is not a valid URL.") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise bad("URLs with a user name or password are not fetched.")
    if not parts.hostname:
        raise bad("the URL has no host.")
    scheme = parts.scheme.lower()
    port = port if port is not None else DEFAULT_PORTS[scheme]
    if port not in config.fetch_ports:
        allowed = ", ".join(str(p) for p in config.fetch_ports) or "none"
        where = "The page redirected to" if redirected else "The URL uses"
        raise BlockedPort(f"{where} port {port}, which is not allowed; allowed ports: {allowed}.")
    return _Target(url=prepared.url.split("#", 1)[0], scheme=scheme, host=parts.hostname.lower(), port=port)


def _resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address `host` resolves to, in the resolver's order. The one lookup of a hop."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        infos = []
    inet = (socket.AF_INET, socket.AF_INET6)
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos if info[0] in inet))
    if not addresses:
        raise HostNotFound(f"The host name {host!r} could not be resolved.")
    return addresses


def denied_reason(address: str) -> str | None:
    """Why the service may not connect to `address`, or None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id ("fe80::1%eth0")
    for network, reason in DENIED_NETWORKS:
        if ip.version == network.version and ip in network:
            return reason
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in IPV4_COMPATIBLE:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            reason = denied_reason(str(embedded))
            return f"{reason}, embedded in IPv6" if reason else None
    if not ip.is_global:
        return "not globally routable"
    return None


def _checked_addresses(target: _Target, config, *, redirected: bool) -> tuple[str, ...]:
    """Resolves the host once and returns its addresses if every one of them is allowed."""
    addresses = _resolve(target.host, target.port)
    allowed_hosts = {host.strip().lower().rstrip(".") for host in config.fetch_allow_hosts}
    if target.host.rstrip(".") in allowed_hosts:
        return addresses
    for address in addresses:
        reason = denied_reason(address)
        if reason:
            log.info("refused fetch of %s: it resolves to %s (%s)", target.host, address, reason)
            where = "The page redirected to a host" if redirected else "The URL's host"
            raise BlockedAddress(f"{where} resolves to an address that is not allowed: this service does not "
                                 "fetch from loopback, private, link-local or other reserved networks.")
    return addresses


# -- pinning: connections go to the checked addresses and nowhere else ---------------------------------
#
# requests -> HTTPAdapter -> urllib3 PoolManager -> ConnectionPool -> HTTP(S)Connection._new_conn().
# _new_conn is where urllib3 turns the host name into a socket (create_connection does its own DNS
# lookup). The pinned connection classes override exactly that step to connect to the addresses the
# guard checked, while `self.host` stays the name: http.client writes the Host header from it and
# HTTPSConnection.connect() uses it for SNI and certificate hostname verification. The addresses reach
# the connection as a connection keyword that the pool manager injects in _new_pool, and the pool
# manager refuses to build a pool for any origin other than the one it was built for, so a request that
# somehow targets another host can never fall back to an unchecked lookup. One adapter per hop.

class _PinnedConnectionMixin:
    def __init__(self, *args, pinned_addresses: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.pinned_addresses = pinned_addresses

    def _new_conn(self) -> socket.socket:
        error: OSError | None = None
        for address in self.pinned_addresses:  # resolver order; each one was checked
            try:
                return urllib3_connection.create_connection(
                    (address, self.port), self.timeout,
                    source_address=self.source_address, socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from exc
            except OSError as exc:  # refused, unreachable: try the next checked address
                error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _PinnedPoolManager(PoolManager):
    def __init__(self, target: _Target, addresses: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.pool_classes_by_scheme = {"http": _PinnedHTTPPool, "https": _PinnedHTTPSPool}
        self._origin = (target.scheme, target.host, target.port)
        self._addresses = addresses

    def _new_pool(self, scheme, host, port, request_context=None):
        if (scheme, (host or "").lower(), port) != self._origin:
            raise BlockedAddress("The fetch tried to reach a host that was not checked; it was refused.")
        context = dict(self.connection_pool_kw if request_context is None else request_context)
        context["pinned_addresses"] = self._addresses
        return super()._new_pool(scheme, host, port, context)


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, target: _Target, addresses: tuple[str, ...]):
        self._target, self._addresses = target, addresses  # before super(), which builds the pool manager
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = _PinnedPoolManager(self._target, self._addresses, num_pools=connections,
                                              maxsize=maxsize, block=block, **pool_kwargs)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        raise RuntimeError("the pinned fetcher never goes through a proxy")


# -- one hop, and the body -----------------------------------------------------------------------------

class _Session(requests.Session):
    """A session that leaves redirects entirely to fetch_page.

    Even with allow_redirects=False, Session.send asks resolve_redirects for the next request, and that
    reads the whole body of a redirect response into memory, with no size limit and no deadline.
    """

    def resolve_redirects(self, *args, **kwargs):
        return iter(())


def _get(session: requests.Session, target: _Target, config, deadline: float, *,
         redirected: bool) -> requests.Response:
    """One request, no redirects followed: check and pin the target, then send it."""
    adapter = _PinnedAdapter(target, _checked_addresses(target, config, redirected=redirected))
    for prefix in ("http://", "https://"):  # both, so no request can reach requests' unpinned default
        previous = session.adapters.get(prefix)
        session.mount(prefix, adapter)
        if previous is not None and previous is not adapter:
            previous.close()
    remaining = _remaining(deadline)
    try:
        return session.get(target.url, allow_redirects=False, stream=True,
                           timeout=(min(CONNECT_TIMEOUT_S, remaining), min(READ_TIMEOUT_S, remaining)))
    except requests.Timeout:
        raise UpstreamTimeout(f"The page's server at {target.host} did not answer in time.") from None
    except requests.exceptions.SSLError:
        raise UpstreamError(f"The TLS connection to {target.host} failed (handshake or certificate "
                            "verification).") from None
    except requests.ConnectionError as exc:
        raise UpstreamError(f"Could not connect to the page's server at {target.host} "
                            f"({_connection_failure(exc)}).") from None
    except requests.RequestException:
        raise UpstreamError(f"The request to {target.host} failed.") from None


def _read_page(response: requests.Response, target: _Target, config, deadline: float) -> FetchedPage:
    status = response.status_code
    if not 200 <= status < 300:
        raise UpstreamStatus(f"The page's server answered {_status_text(status)}.")
    mimetype, charset = _content_type(response.headers.get("Content-Type"))
    if mimetype and mimetype not in HTML_TYPES:
        raise NotHtml(f"The page is {mimetype}, not HTML; only text/html and application/xhtml+xml are read.")
    length = (response.headers.get("Content-Length") or "").strip()
    if length.isdigit() and int(length) > config.max_bytes:
        raise TooLarge(f"The page is larger than the limit of {config.max_bytes} bytes.")
    chunks: list[bytes] = []
    size, sniffed = 0, bool(mimetype)
    for chunk in _body_chunks(response, config.max_bytes, deadline):
        chunks.append(chunk)
        size += len(chunk)
        if not sniffed and size >= SNIFF_BYTES:
            _require_html_start(b"".join(chunks))
            sniffed = True
    body = b"".join(chunks)
    if not sniffed:
        _require_html_start(body)
    return FetchedPage(body=body, charset=charset, url=target.url)


def _body_chunks(response: requests.Response, limit: int, deadline: float):
    """The decoded body in pieces, never more than limit + 1 bytes, checking the deadline between reads.

    Not iter_content: it blocks until a whole chunk has arrived, so a server trickling a byte per read
    timeout could hold a fetch far past the deadline. read1 returns what one network read produced.
    """
    raw = response.raw
    size = 0
    while True:
        _remaining(deadline)
        try:
            chunk = raw.read1(min(CHUNK_BYTES, limit + 1 - size), decode_content=True)
        except ReadTimeoutError:
            raise UpstreamTimeout("The page's server stopped sending the page.") from None
        except (HTTPError, OSError):
            raise UpstreamError("The connection broke while the page was being read.") from None
        if not chunk:
            return
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"The page is larger than the limit of {limit} bytes.")
        yield chunk


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise UpstreamTimeout("Fetching the page took longer than the time allowed.")
    return remaining


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    """(mime type, charset) of a Content-Type header; (None, None) when it is absent or empty."""
    if not header or not header.strip():
        return None, None
    message = Message()
    message["Content-Type"] = header
    return message.get_content_type(), message.get_content_charset()


def _require_html_start(start: bytes) -> None:
    """Markup first (after a BOM and white space), and an html, head or body tag or doctype early on."""
    head = start[:SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith(b"<") and any(tag in head for tag in HTML_SNIFF_TAGS):
        return
    raise NotHtml("The page has no Content-Type and does not look like HTML.")


def _status_text(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _connection_failure(exc: BaseException) -> str:
    """A short, address-free reason for a failed connection, from the exception chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, ConnectionResetError):
            return "connection reset"
        reason = getattr(current, "reason", None)
        current = reason if isinstance(reason, BaseException) else (current.__cause__ or current.__context__)
    return "connection failed"
