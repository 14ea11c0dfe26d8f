"""Fetch a page by URL without letting the URL reach into the service's own network.

Every hop (the URL, then each redirect) passes one guard before anything connects:

    parse the URL -> http(s), an allowed port, no user info -> resolve the host once
      -> check every resolved address against the deny-list -> connect to those checked addresses only

The last step is what defeats DNS rebinding: the connection never looks the name up again, so a name
that answers "public" to the check and "private" a moment later cannot move the connection. Host header,
TLS SNI and certificate verification still use the name, because only the socket's peer is pinned.

One deadline covers the whole fetch, every hop's lookup, connect, status line, headers and body: a lookup
runs in a thread the fetch stops waiting for, each connect gets what is left, and at the deadline a timer
shuts down every socket the fetch opened, which ends any read however slowly the server trickles.
"""

from __future__ import annotations

import csv
import http
import ipaddress
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass
from email.message import Message
from importlib import metadata
from pathlib import Path
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
DEADLINE_S = 10.0  # cap on one whole fetch: every hop, lookup, connect, headers and body included
CONNECT_TIMEOUT_S = 5.0
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

# Where a fetch may never connect, with the reason: every block of IANA's IPv4 and IPv6 Special-Purpose
# Address Registries (declutter/data/, the CSV files as IANA publishes them). All of them, the globally
# reachable anycast blocks (PCP, TURN, AS112, AMT) included: a reader's page never lives there. Two
# registry blocks only wrap an IPv4 address, and the IPv4 address inside decides instead (EMBEDDING).
DATA = Path(__file__).parent / "data"
REGISTRIES = ("iana-ipv4-special-registry.csv", "iana-ipv6-special-registry.csv")
FOOTNOTE = re.compile(r"\s*\[\d+\]")
EMBEDDING = frozenset({ipaddress.ip_network("::ffff:0:0/96"), ipaddress.ip_network("2002::/16")})  # mapped, 6to4
# Beyond the special-purpose registries: IPv4 multicast (IANA's multicast registry), and all IPv6 space outside
# 2000::/3, the one block IANA's IPv6 address space registry allocates as global unicast (multicast, old
# site-local, the IPv4-compatible and IPv4-translated forms, and the rest of the reserved space).
IPV4_MULTICAST = ipaddress.ip_network("224.0.0.0/4")
IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")


def _registry_blocks(name: str):
    """(network, name) for each address block of one IANA special-purpose registry CSV."""
    with open(DATA / name, newline="", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            for block in FOOTNOTE.sub("", row["Address Block"]).split(","):
                yield ipaddress.ip_network(block.strip()), row["Name"].strip('"')


DENIED_NETWORKS = tuple(
    (network, reason) for name in REGISTRIES for network, reason in _registry_blocks(name)
    if network not in EMBEDDING
) + ((IPV4_MULTICAST, "multicast"),)


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
    target = _parse_url(url, config, redirected=False)
    with _Deadline(min(config.timeout_s, DEADLINE_S)) as deadline, _Session() as session:
        # No proxies, .netrc or environment settings: the only way out is the pinned adapter below.
        session.trust_env = False
        session.headers.update(HEADERS)
        redirects = 0
        while True:
            response = _get(session, target, config, deadline, redirected=redirects > 0)
            location = _redirect_location(response)
            if location is None:
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
    if not _valid_host_name(parts.hostname):
        raise bad("the host name is not one DNS can hold (labels of 1 to 63 characters, 253 in all).")
    scheme = parts.scheme.lower()
    port = port if port is not None else DEFAULT_PORTS[scheme]
    if port not in config.fetch_ports:
        allowed = ", ".join(str(p) for p in config.fetch_ports) or "none"
        where = "The page redirected to" if redirected else "The URL uses"
        raise BlockedPort(f"{where} port {port}, which is not allowed; allowed ports: {allowed}.")
    return _Target(url=prepared.url.split("#", 1)[0], scheme=scheme, host=parts.hostname.lower(), port=port)


def _valid_host_name(host: str) -> bool:
    """An IP literal, or a name whose labels DNS can hold (RFC 1035): a name it cannot is no host."""
    if ":" in host:  # an IPv6 literal, which urlsplit has already checked
        return True
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")  # "example.com." is a full name
    return len(host) <= 253 and all(0 < len(label) <= 63 for label in labels)


def _resolve(host: str, port: int, deadline: _Deadline) -> tuple[str, ...]:
    """Every address `host` resolves to, in the resolver's order. The one lookup of a hop.

    getaddrinfo cannot be interrupted, so it runs in a thread that the fetch stops waiting for at the
    deadline; the thread itself ends when the system resolver gives up.
    """
    answer: list = []

    def lookup():
        try:
            answer.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError):
            pass

    thread = threading.Thread(target=lookup, name="declutter-fetch-dns", daemon=True)
    thread.start()
    thread.join(deadline.remaining())
    if thread.is_alive():
        raise UpstreamTimeout(f"The host name {host!r} could not be looked up in time.")
    infos = list(answer)
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
        if embedded is not None:
            reason = denied_reason(str(embedded))
            return f"{reason}, embedded in IPv6" if reason else None
        if ip not in IPV6_GLOBAL_UNICAST:
            return "reserved IPv6 space, outside global unicast (2000::/3)"
    if not ip.is_global:  # a second net, should the registry files ever lag behind Python's view
        return "not globally routable"
    return None


def _checked_addresses(target: _Target, config, deadline: _Deadline, *, redirected: bool) -> tuple[str, ...]:
    """Resolves the host once and returns its addresses if every one of them is allowed."""
    addresses = _resolve(target.host, target.port, deadline)
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


# -- the deadline ---------------------------------------------------------------------------------------

class _Deadline:
    """The end of one fetch. Socket timeouts bound each read, not the sum, so a server sending a header
    line or a body byte just inside each timeout could hold a fetch for as long as it liked. Every socket
    the fetch opens is watched here, and a timer shuts them all down at the deadline: a read blocked in
    the status line, the headers, a TLS handshake or the body returns at once."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        """Seconds left; raises UpstreamTimeout once there are none."""
        remaining = self.at - time.monotonic()
        if self.expired or remaining <= 0:
            raise UpstreamTimeout("Fetching the page took longer than the time allowed.")
        return remaining

    def watch(self, sock: socket.socket) -> None:
        # A duplicate of the descriptor: TLS detaches the original socket object when it wraps it, while
        # shutting down the duplicate still ends the one connection both refer to.
        with self._lock:
            self._sockets.append(sock.dup())
            if self.expired:
                self._shutdown(self._sockets[-1])

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed by the peer
            pass

    def __enter__(self) -> _Deadline:
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


# -- pinning: connections go to the checked addresses and nowhere else ---------------------------------
#
# requests -> HTTPAdapter -> urllib3 PoolManager -> ConnectionPool -> HTTP(S)Connection._new_conn().
# _new_conn is where urllib3 turns the host name into a socket (create_connection does its own DNS
# lookup). The pinned connection classes override exactly that step to connect to the addresses the
# guard checked, while `self.host` stays the name: http.client writes the Host header from it and
# HTTPSConnection.connect() uses it for SNI and certificate hostname verification. The addresses reach
# the connection as a connection keyword that the pool manager injects in _new_pool (with the deadline,
# which bounds each connect and watches each socket), and the pool
# manager refuses to build a pool for any origin other than the one it was built for, so a request that
# somehow targets another host can never fall back to an unchecked lookup. One adapter per hop.

class _PinnedConnectionMixin:
    def __init__(self, *args, pinned_addresses: tuple[str, ...], fetch_deadline: _Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.pinned_addresses = pinned_addresses
        self.fetch_deadline = fetch_deadline

    def _new_conn(self) -> socket.socket:
        error: OSError | None = None
        for address in self.pinned_addresses:  # resolver order; each one was checked
            timeout = min(self.timeout, self.fetch_deadline.remaining())  # each address gets what is left
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port), timeout,
                    source_address=self.source_address, socket_options=self.socket_options,
                )
                self.fetch_deadline.watch(sock)
                return sock
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
    def __init__(self, target: _Target, addresses: tuple[str, ...], deadline: _Deadline, **kwargs):
        super().__init__(**kwargs)
        self.pool_classes_by_scheme = {"http": _PinnedHTTPPool, "https": _PinnedHTTPSPool}
        self._origin = (target.scheme, target.host, target.port)
        self._addresses, self._deadline = addresses, deadline

    def _new_pool(self, scheme, host, port, request_context=None):
        if (scheme, (host or "").lower(), port) != self._origin:
            raise BlockedAddress("The fetch tried to reach a host that was not checked; it was refused.")
        context = dict(self.connection_pool_kw if request_context is None else request_context)
        context["pinned_addresses"] = self._addresses
        context["fetch_deadline"] = self._deadline
        return super()._new_pool(scheme, host, port, context)


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, target: _Target, addresses: tuple[str, ...], deadline: _Deadline):
        # before super(), which builds the pool manager
        self._target, self._addresses, self._deadline = target, addresses, deadline
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = _PinnedPoolManager(self._target, self._addresses, self._deadline, num_pools=connections,
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


def _get(session: requests.Session, target: _Target, config, deadline: _Deadline, *,
         redirected: bool) -> requests.Response:
    """One request, no redirects followed: check and pin the target, then send it."""
    adapter = _PinnedAdapter(target, _checked_addresses(target, config, deadline, redirected=redirected), deadline)
    for prefix in ("http://", "https://"):  # both, so no request can reach requests' unpinned default
        previous = session.adapters.get(prefix)
        session.mount(prefix, adapter)
        if previous is not None and previous is not adapter:
            previous.close()
    remaining = deadline.remaining()
    try:
        response = session.get(target.url, allow_redirects=False, stream=True,
                               timeout=(min(CONNECT_TIMEOUT_S, remaining), remaining))
    except requests.RequestException as exc:
        deadline.remaining()  # a read cut off at the deadline is a timeout, whatever it raised
        raise _failure(exc, target.host) from None
    deadline.remaining()  # cut off among the headers, the response may look complete
    return response


def _failure(exc: requests.RequestException, host: str) -> FetchError:
    if isinstance(exc, requests.Timeout):
        return UpstreamTimeout(f"The page's server at {host} did not answer in time.")
    if isinstance(exc, requests.exceptions.SSLError):
        return UpstreamError(f"The TLS connection to {host} failed (handshake or certificate verification).")
    if isinstance(exc, requests.ConnectionError):
        return UpstreamError(f"Could not connect to the page's server at {host} ({_connection_failure(exc)}).")
    return UpstreamError(f"The request to {host} failed.")


def _redirect_location(response: requests.Response) -> str | None:
    """The Location of a redirect, or None. Header values arrive as Latin-1 text; a Location is UTF-8 bytes,
    and one that is not is the upstream's fault (requests' own get_redirect_target raises UnicodeDecodeError)."""
    location = response.headers.get("Location")
    if response.status_code not in REDIRECT_STATUSES or location is None:
        return None
    try:
        return location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise BadRedirect("The page redirected to a Location that is not UTF-8 text.") from None


def _read_page(response: requests.Response, target: _Target, config, deadline: _Deadline) -> FetchedPage:
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


def _body_chunks(response: requests.Response, limit: int, deadline: _Deadline):
    """The decoded body in pieces, never more than limit + 1 bytes, checking the deadline between reads.

    read1 returns what one network read produced, so the size limit is checked as the bytes arrive; a read
    still blocked at the deadline ends there, its socket shut down.
    """
    raw = response.raw
    size = 0
    while True:
        deadline.remaining()
        try:
            chunk = raw.read1(min(CHUNK_BYTES, limit + 1 - size), decode_content=True)
        except ReadTimeoutError:
            raise UpstreamTimeout("The page's server stopped sending the page.") from None
        except (HTTPError, OSError):
            deadline.remaining()
            raise UpstreamError("The connection broke while the page was being read.") from None
        if not chunk:
            deadline.remaining()  # a body cut off at the deadline ends like a complete one
            return
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"The page is larger than the limit of {limit} bytes.")
        yield chunk


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
