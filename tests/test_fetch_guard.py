"""The fetch guard: what is refused, and that a connection only ever goes to the address that was checked.

These tests run the real requests -> urllib3 -> http.client stack. Only name resolution and the TCP
connect are replaced, by fakes that record what they were asked: `socket.getaddrinfo` (names from a
table; IP literals parsed by the real resolver with AI_NUMERICHOST, which never touches the network),
`urllib3.util.connection.create_connection` (serves canned replies over a socketpair) and, underneath
everything, `socket.socket.connect`, which refuses and records. No test opens a real connection.
"""

from __future__ import annotations

import csv
import datetime
import ipaddress
import re
import socket
import threading
from pathlib import Path

import pytest
import requests
import urllib3.util.connection

from declutter import fetch
from server.config import Config
from server.http_errors import status_of

PUBLIC = "93.184.216.34"
PUBLIC6 = "2606:2800:220:1:248:1893:25c8:1946"
CONFIG = Config(testing=True, workers=0)
HTML = b"<!doctype html><html><head><title>t</title></head><body><p>Hello.</p></body></html>"
REAL_GETADDRINFO = socket.getaddrinfo


class FakeDns:
    """Names from a table (each lookup takes the next answer, the last one repeats); literals parsed."""

    def __init__(self):
        self.names: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []
        self.answers: list[list[str]] = []

    def add(self, name: str, *answers: list[str]):
        self.names[name] = list(answers)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        self.lookups.append(host)
        if host.rstrip(".") in self.names:  # "name." is the same name, fully qualified
            queue = self.names[host.rstrip(".")]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            infos = [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                     for a in answer]
        else:  # an IP literal in any spelling the C library accepts; a name not in the table fails
            infos = REAL_GETADDRINFO(host, port, family, socket.SOCK_STREAM, proto, socket.AI_NUMERICHOST)
        self.answers.append([info[4][0] for info in infos])
        return infos


class FakeNetwork:
    """Stands in for urllib3's create_connection: records each address, serves a canned reply to it."""

    def __init__(self):
        self.connects: list[tuple[str, int]] = []
        self.replies: dict[str, list[bytes]] = {}
        self.peers: list[socket.socket] = []
        self.on_connect = None  # optional: function(peer socket) run in a thread, e.g. a TLS server

    def serve(self, address: str, *replies: bytes):
        self.replies.setdefault(address, []).extend(replies)

    def create_connection(self, address, timeout=None, source_address=None, socket_options=None):
        self.connects.append(tuple(address[:2]))
        ours, theirs = socket.socketpair()
        self.peers.extend((ours, theirs))
        if self.on_connect is not None:
            threading.Thread(target=self.on_connect, args=(theirs,), daemon=True).start()
            return ours
        if not self.replies.get(address[0]):
            raise ConnectionRefusedError(111, "Connection refused")
        theirs.sendall(self.replies[address[0]].pop(0))
        theirs.shutdown(socket.SHUT_WR)
        return ours

    def sent(self, index: int = -1) -> bytes:
        """What the client wrote on connection `index`."""
        peer = self.peers[2 * (index % len(self.connects)) + 1]
        peer.setblocking(False)
        try:
            return peer.recv(65536)
        except BlockingIOError:
            return b""

    def close(self):
        for sock in self.peers:
            sock.close()


def reply(status: int = 200, body: bytes = HTML, **headers: str) -> bytes:
    head = [f"HTTP/1.1 {status} Whatever", "Content-Type: text/html; charset=utf-8",
            f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    fake = FakeDns()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture(autouse=True)
def sockets(monkeypatch):
    """The floor: any socket connect that gets this far is recorded and refused, never made."""
    attempts: list = []

    def refuse(self, address):
        attempts.append(address)
        raise ConnectionRefusedError(111, "Connection refused (test)")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: refuse(self, address))
    return attempts


@pytest.fixture
def net(monkeypatch):
    fake = FakeNetwork()
    monkeypatch.setattr(urllib3.util.connection, "create_connection", fake.create_connection)
    yield fake
    fake.close()


# -- the deny-list -------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1",
    "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.0.9", "192.0.0.170",
    "192.0.2.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
    "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "fec0::1", "ff02::1",
    "2001:db8::1", "64:ff9b::a9fe:a9fe", "64:ff9b::808:808", "64:ff9b:1::1", "2001::1", "2001:0:4136:e378::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "::10.0.0.1",
    "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::", "::5db8:d822",
    "::ffff:0:7f00:1", "::ffff:0:a9fe:a9fe", "3fff::1", "5f00::1", "100::1", "100:0:0:1::1", "2001:2::1",
    "64:ff9b:1::7f00:1", "ff0e::1", "4000::1", "::2",
])
def test_denied_addresses(address):
    assert fetch.denied_reason(address)


@pytest.mark.parametrize("address", [
    PUBLIC, "8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "192.169.0.1", "11.0.0.1",
    PUBLIC6, "2a00:1450:4001:80b::200e", "::ffff:93.184.216.34", "2002:5db8:d822::1", "2001:200::1",
    "3fff:1000::1", "2620:4f:8001::1",
])
def test_allowed_addresses(address):
    assert fetch.denied_reason(address) is None


def _registry_rows():
    """Every address block of IANA's two special-purpose registries, as vendored in declutter/data/."""
    for name in ("iana-ipv4-special-registry.csv", "iana-ipv6-special-registry.csv"):
        with open(Path(fetch.__file__).parent / "data" / name, newline="", encoding="utf-8") as rows:
            for row in csv.DictReader(rows):
                for block in re.sub(r"\[\d+\]", "", row["Address Block"]).split(","):
                    yield pytest.param(ipaddress.ip_network(block.strip()), id=f"{block.strip()} {row['Name']}")


# The registry blocks whose addresses carry an IPv4 address: that address decides.
EMBEDDING = {ipaddress.ip_network("::ffff:0:0/96"): "::ffff:{}", ipaddress.ip_network("2002::/16"): "2002:{}::"}


def test_the_vendored_registries_are_complete():
    blocks = [param.values[0] for param in _registry_rows()]
    assert len(blocks) == 51 and len(set(blocks)) == 51  # 26 rows for IPv4 (one with two blocks), 25 for IPv6
    assert {4, 6} == {block.version for block in blocks}


@pytest.mark.parametrize("block", list(_registry_rows()))
def test_every_special_purpose_block_is_denied(block):
    if block in EMBEDDING:
        def spelled(ipv4):
            packed = ipaddress.ip_address(ipv4).packed.hex()
            return EMBEDDING[block].format(f"{packed[:4]}:{packed[4:]}")
        assert fetch.denied_reason(spelled("127.0.0.1")) and fetch.denied_reason(spelled("169.254.169.254"))
        assert fetch.denied_reason(spelled(PUBLIC)) is None
        return
    for address in (block[0], block[-1], block[block.num_addresses // 2]):
        assert fetch.denied_reason(str(address)), address


@pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "2002:7f00:1::", "::127.0.0.1", "192.0.0.9"])
def test_the_list_catches_what_the_standard_library_calls_global(address):
    import ipaddress

    if not ipaddress.ip_address(address).is_global:
        pytest.skip("this Python already calls it non-global")
    assert fetch.denied_reason(address)


# -- refused before any connection ---------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost.test/", "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/", "http://172.16.0.1/", "http://172.31.0.1/", "http://192.168.1.1/",
    "http://100.64.0.1/", "http://0.0.0.0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:7f00:1::]/",
    "http://[fe80::1]/", "http://[fd00::1]/", "https://127.0.0.1:443/", "http://[::ffff:0:7f00:1]/",
    "http://[3fff::1]/",
])
def test_refused_addresses_never_connect(url, dns, net, sockets):
    dns.add("localhost.test", ["127.0.0.1"])
    with pytest.raises(fetch.BlockedAddress) as error:
        fetch.fetch_page(url, CONFIG)
    assert (status_of(error.value), error.value.code) == (403, "blocked_address")
    assert net.connects == [] and sockets == []
    assert "not allowed" in error.value.message
    for address in dns.answers[-1]:
        assert address not in error.value.message  # the resolved address is never echoed


@pytest.mark.parametrize("host", ["2130706433", "0177.0.0.1", "0x7f.1", "127.1", "0x7f000001",
                                  "017700000001", "0x7f.0.0.1", "127.0.1"])
def test_numeric_spellings_of_loopback_are_resolved_then_refused(host, dns, net, sockets):
    with pytest.raises(fetch.BlockedAddress):
        fetch.fetch_page(f"http://{host}/", CONFIG)
    assert dns.lookups == [host]
    assert dns.answers == [["127.0.0.1"]]  # the resolver made it loopback; the check caught it
    assert net.connects == [] and sockets == []


def test_a_name_resolving_to_a_private_address_is_refused(dns, net):
    dns.add("intranet.example", ["10.20.30.40"])
    with pytest.raises(fetch.BlockedAddress) as error:
        fetch.fetch_page("https://intranet.example/wiki", CONFIG)
    assert "10.20.30.40" not in error.value.message
    assert net.connects == []


def test_every_resolved_address_is_checked(dns, net):
    dns.add("mixed.example", [PUBLIC, "192.168.0.5"])
    with pytest.raises(fetch.BlockedAddress):
        fetch.fetch_page("http://mixed.example/", CONFIG)
    assert net.connects == []


def test_a_redirect_to_a_private_address_is_refused_before_connecting(dns, net):
    dns.add("public.example", [PUBLIC])
    dns.add("internal.example", ["172.20.0.2"])
    net.serve(PUBLIC, reply(302, b"", Location="http://internal.example/admin"))
    with pytest.raises(fetch.BlockedAddress) as error:
        fetch.fetch_page("http://public.example/", CONFIG)
    assert "redirected" in error.value.message
    assert net.connects == [(PUBLIC, 80)]
    assert dns.lookups == ["public.example", "internal.example"]


def test_a_redirect_to_a_metadata_literal_is_refused(dns, net):
    dns.add("public.example", [PUBLIC])
    net.serve(PUBLIC, reply(301, b"", Location="http://169.254.169.254/latest/meta-data/iam/"))
    with pytest.raises(fetch.BlockedAddress):
        fetch.fetch_page("http://public.example/", CONFIG)
    assert net.connects == [(PUBLIC, 80)]


# -- pinning: one lookup, and the connection goes to what was checked -----------------------------------

def test_dns_rebinding_cannot_move_the_connection(dns, net):
    dns.add("rebind.example", [PUBLIC], ["127.0.0.1"])  # public when checked, loopback on any later lookup
    net.serve(PUBLIC, reply())
    page = fetch.fetch_page("http://rebind.example/story", CONFIG)
    assert page.body == HTML
    assert dns.lookups == ["rebind.example"]  # resolved once
    assert net.connects == [(PUBLIC, 80)]  # connected to the checked address
    request = net.sent(0)
    assert request.startswith(b"GET /story HTTP/1.1\r\n")
    assert b"\r\nHost: rebind.example\r\n" in request  # the name, not the address, in the Host header


def test_the_socket_connect_itself_goes_to_the_checked_address(dns, sockets):
    """Without the create_connection fake: the real urllib3 path down to socket.connect."""
    dns.add("rebind.example", [PUBLIC], ["10.0.0.1"])
    with pytest.raises(fetch.UpstreamError) as error:
        fetch.fetch_page("https://rebind.example/", CONFIG)
    assert status_of(error.value) == 502
    assert "connection refused" in error.value.message
    assert [address[:2] for address in sockets] == [(PUBLIC, 443)]
    assert dns.lookups.count("rebind.example") == 1  # a literal may be parsed again; the name is not


def test_each_redirect_hop_is_resolved_once_and_pinned(dns, net):
    dns.add("a.example", [PUBLIC], ["127.0.0.1"])
    dns.add("b.example", ["8.8.4.4"], ["10.0.0.1"])
    net.serve(PUBLIC, reply(302, b"", Location="http://b.example/next"))
    net.serve("8.8.4.4", reply())
    page = fetch.fetch_page("http://a.example/", CONFIG)
    assert page.url == "http://b.example/next"
    assert dns.lookups == ["a.example", "b.example"]
    assert net.connects == [(PUBLIC, 80), ("8.8.4.4", 80)]
    assert b"\r\nHost: b.example\r\n" in net.sent(1)


def test_the_next_checked_address_is_tried_when_one_refuses(dns, net):
    dns.add("two.example", [PUBLIC6, PUBLIC])
    net.serve(PUBLIC, reply())  # PUBLIC6 has no reply: refused
    assert fetch.fetch_page("http://two.example/", CONFIG).body == HTML
    assert net.connects == [(PUBLIC6, 80), (PUBLIC, 80)]


def test_the_pinned_adapter_refuses_any_other_origin(net):
    target = fetch._Target(url="http://one.example/", scheme="http", host="one.example", port=80)
    with requests.Session() as session, fetch._Deadline(5) as deadline:
        session.trust_env = False
        session.mount("http://", fetch._PinnedAdapter(target, (PUBLIC,), deadline))
        for other in ("http://two.example/", "http://one.example:8080/", "http://one.example.evil/"):
            with pytest.raises(fetch.BlockedAddress):
                session.get(other, timeout=1)
    assert net.connects == []


def test_tls_uses_the_name_for_sni_and_verifies_the_certificate(dns, net, tmp_path):
    """A real TLS handshake over the pinned socket: SNI carries the name; a self-signed cert is refused."""
    import ssl

    cert, key = _self_signed(tmp_path, "secure.example")
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    names_seen: list = []
    server.sni_callback = lambda sock, name, context: names_seen.append(name)
    done = threading.Event()

    def serve_tls(peer):
        peer.settimeout(5)
        try:
            server.wrap_socket(peer, server_side=True).close()
        except (ssl.SSLError, OSError):
            pass
        finally:
            done.set()

    net.on_connect = serve_tls
    dns.add("secure.example", [PUBLIC])
    with pytest.raises(fetch.UpstreamError) as error:
        fetch.fetch_page("https://secure.example/", CONFIG)
    done.wait(5)
    assert "TLS" in error.value.message
    assert net.connects == [(PUBLIC, 443)]
    assert names_seen == ["secure.example"]


def _self_signed(directory, host):
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


# -- the allow-list ------------------------------------------------------------------------------------

def test_allowed_hosts_may_resolve_to_private_addresses(dns, net):
    dns.add("wiki.intranet", ["10.0.0.5"])
    net.serve("10.0.0.5", reply())
    config = Config(fetch_allow_hosts=("Wiki.Intranet",))
    page = fetch.fetch_page("http://WIKI.intranet./page", config)
    assert page.body == HTML
    assert net.connects == [("10.0.0.5", 80)]


def test_the_allow_list_is_exact_and_does_not_cover_redirects(dns, net):
    dns.add("wiki.intranet", ["10.0.0.5"])
    dns.add("db.intranet", ["10.0.0.6"])
    dns.add("sub.wiki.intranet", ["10.0.0.7"])
    net.serve("10.0.0.5", reply(302, b"", Location="http://db.intranet/"))
    config = Config(fetch_allow_hosts=("wiki.intranet",))
    with pytest.raises(fetch.BlockedAddress):
        fetch.fetch_page("http://sub.wiki.intranet/", config)
    with pytest.raises(fetch.BlockedAddress):
        fetch.fetch_page("http://wiki.intranet/", config)
    assert net.connects == [("10.0.0.5", 80)]


def test_the_allow_list_is_off_by_default():
    assert Config().fetch_allow_hosts == ()


# -- ports and URLs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://public.example:8080/", "https://public.example:22/",
                                 "http://public.example:6379/", "https://public.example:8443/"])
def test_ports_outside_the_list_are_refused_before_resolving(url, dns, net):
    with pytest.raises(fetch.BlockedPort) as error:
        fetch.fetch_page(url, CONFIG)
    assert (status_of(error.value), error.value.code) == (403, "blocked_port")
    assert dns.lookups == [] and net.connects == []


def test_configured_ports_are_allowed(dns, net):
    dns.add("public.example", [PUBLIC])
    net.serve(PUBLIC, reply())
    fetch.fetch_page("http://public.example:8080/", Config(fetch_ports=(8080,)))
    assert net.connects == [(PUBLIC, 8080)]
    with pytest.raises(fetch.BlockedPort):
        fetch.fetch_page("http://public.example/", Config(fetch_ports=(8080,)))


@pytest.mark.parametrize("url", [
    "", "   ", None, 42, "example.com", "//example.com/x", "/relative", "ftp://example.com/",
    "file:///etc/passwd", "javascript:alert(1)", "gopher://127.0.0.1:70/_", "dict://127.0.0.1:11211/",
    "data:text/html,hi", "http://", "https://", "http:///path", "http://user:pw@example.com/",
    "http://user@example.com/", "https://:pw@example.com/", "http://example.com@127.0.0.1/",
    "http://exa\nmple.com/", "http://example.com/\x00", "http://[::1/", "http://example.com:99999/",
    "http://example.com:port/", "http://*.example.com/", "http://" + "a" * 9000 + ".example/",
    "http://" + "a" * 64 + ".example/", "http://" + "a." * 127 + "example/", "http://ex..ample.com/",
    "http://.example.com/",
])
def test_malformed_urls_are_400_before_resolving(url, dns, net):
    with pytest.raises(fetch.BadUrl) as error:
        fetch.fetch_page(url, CONFIG)
    assert (status_of(error.value), error.value.code) == (400, "bad_url")
    assert dns.lookups == [] and net.connects == []


def test_a_name_at_the_limits_dns_sets_is_looked_up(dns, net):
    host = ".".join(["a" * 63] * 3 + ["b" * 61])  # four labels of at most 63 characters, 253 in all
    dns.add(host, [PUBLIC])
    net.serve(PUBLIC, reply())
    fetch.fetch_page(f"http://{host}/", CONFIG)
    assert dns.lookups == [host] and net.connects == [(PUBLIC, 80)]


def test_an_international_name_is_resolved_in_its_ascii_form(dns, net):
    dns.add("xn--bcher-kva.example", [PUBLIC])
    net.serve(PUBLIC, reply())
    page = fetch.fetch_page("http://b\u00fccher.example/", CONFIG)
    assert page.url == "http://xn--bcher-kva.example/"
    assert dns.lookups == ["xn--bcher-kva.example"]
    assert b"\r\nHost: xn--bcher-kva.example\r\n" in net.sent(0)
