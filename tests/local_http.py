"""A local web site on 127.0.0.1 for the fetch and feed tests, and a guard that keeps tests on loopback.

The site serves the files of ``tests/fixtures/feeds/site`` (``{base}`` in them becomes the site's
own address) and endpoints that misbehave the way real servers do: redirects, a slow drip, a
stalled body, huge and gzip-bomb bodies, 404/429/5xx, flaky 503s and wrong content types. Every
request is logged (path, Host header, User-Agent, time) so tests can count retries and delays.

``guard_network`` makes any attempt to connect to a non-loopback address, or to resolve a host
name through the system resolver, fail and be recorded: a test can never touch the network, even
if the fetcher's own checks were broken.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import ssl
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

FEEDS_DIR = Path(__file__).resolve().parent / "fixtures" / "feeds"
SITE_DIR = FEEDS_DIR / "site"
TLS_PEM = FEEDS_DIR / "tls" / "selfsigned_test_only.pem"
"""A self-signed certificate (and its key) for localhost and 127.0.0.1, made for these tests only."""

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".opml": "text/x-opml",
}


@dataclass
class Hit:
    path: str
    host: str
    user_agent: str
    at: float


@dataclass
class LocalSite:
    base: str = ""
    port: int = 0
    hits: list[Hit] = field(default_factory=list)
    flaky: Counter = field(default_factory=Counter)
    sni: list[str | None] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, prefix: str) -> int:
        with self.lock:
            return sum(1 for h in self.hits if h.path.startswith(prefix))


def _handler(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8", headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: C901 - one branch per endpoint
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            with site.lock:
                site.hits.append(Hit(self.path, self.headers.get("Host", ""), self.headers.get("User-Agent", ""), time.monotonic()))
            try:
                if path.startswith("/site/"):
                    f = SITE_DIR / path[len("/site/"):]
                    if not f.is_file() or f.parent != SITE_DIR:
                        return self._send(404, b"not found")
                    body = f.read_bytes().replace(b"{base}", site.base.encode())
                    return self._send(200, body, _TYPES.get(f.suffix, "application/octet-stream"))
                if path == "/redirect":
                    return self._redirect(query["to"][0])
                if path.startswith("/chain/"):
                    n = int(path.rsplit("/", 1)[1])
                    return self._redirect(f"/chain/{n - 1}" if n > 0 else "/site/grain_corridor.html")
                if path == "/loop":
                    return self._redirect("/loop")
                if path.startswith("/status/"):
                    code = int(path.rsplit("/", 1)[1])
                    headers = {"Retry-After": query.get("retry_after", ["0"])[0]} if code == 429 else None
                    return self._send(code, f"status {code}".encode(), headers=headers)
                if path == "/flaky":
                    key = query.get("id", [""])[0]
                    with site.lock:
                        site.flaky[key] += 1
                        n = site.flaky[key]
                    if n <= int(query.get("fails", ["2"])[0]):
                        return self._send(503, b"try later")
                    return self._send(200, b"The foreign ministers of Chile and Peru met in Lima on Friday.")
                if path == "/plain.txt":
                    return self._send(200, "Germany's chancellor met Poland's prime minister in Warsaw.".encode())
                if path == "/latin1.txt":
                    body = "Außenminister Müller traf den französischen Botschafter in Paris.".encode("latin-1")
                    return self._send(200, body, "text/plain; charset=iso-8859-1")
                if path == "/empty.txt":
                    return self._send(200, b"")
                if path == "/image.png":
                    return self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png")
                if path == "/html-as-feed":
                    return self._send(200, (FEEDS_DIR / "not_a_feed.xml").read_bytes(), "application/rss+xml")
                if path == "/feed-as-html":
                    body = (SITE_DIR / "links.rss").read_bytes().replace(b"{base}", site.base.encode())
                    return self._send(200, body, "text/html")
                if path == "/huge":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()  # no Content-Length: the body ends when the connection closes
                    chunk = b"Diplomats met again. " * 3000
                    for _ in range(40):
                        self.wfile.write(chunk)
                    return
                if path == "/huge-declared":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "50000000")
                    self.end_headers()
                    self.wfile.write(b"x" * 1000)
                    return
                if path == "/gzip-bomb":
                    body = gzip.compress(b"\0" * 20_000_000)
                    return self._send(200, body, "text/plain", {"Content-Encoding": "gzip"})
                if path == "/gzip-page":
                    body = gzip.compress((SITE_DIR / "grain_corridor.html").read_bytes())
                    return self._send(200, body, "text/html; charset=utf-8", {"Content-Encoding": "gzip"})
                if path == "/slow":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    end = time.monotonic() + 10
                    while time.monotonic() < end:
                        self.wfile.write(b"drip ")
                        self.wfile.flush()
                        time.sleep(0.05)
                    return
                if path == "/stall":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.flush()
                    time.sleep(2)
                    return
                return self._send(404, b"not found")
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up, as it should

    return Handler


@contextmanager
def serve(tls: bool = False) -> Iterator[LocalSite]:
    """Run the local site on 127.0.0.1 (a free port) in a thread for the duration of the block;
    with ``tls`` it speaks HTTPS with the self-signed test certificate and records the SNI names."""
    site = LocalSite()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    site.base = f"{'https' if tls else 'http'}://127.0.0.1:{site.port}"
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS_PEM)
        context.sni_callback = lambda sock, name, ctx: site.sni.append(name)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def _is_ip_literal(host: object) -> bool:
    """An address the C library reads without DNS (including inet_aton forms like ``2130706433``)."""
    try:
        ipaddress.ip_address(str(host).split("%")[0])
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(str(host))
        return True
    except OSError:
        return False


def _is_loopback(host: object) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return str(host) == "localhost"


@dataclass
class NetworkGuard:
    connected: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def guard_network(monkeypatch) -> NetworkGuard:
    """Allow only loopback connections and no DNS lookups of names (IP literals and localhost only)."""
    guard = NetworkGuard()
    real_connect = socket.create_connection
    real_getaddrinfo = socket.getaddrinfo

    def create_connection(address, *args, **kwargs):
        host = address[0]
        guard.connected.append(str(host))
        if not _is_loopback(host):
            guard.violations.append(f"connect to {host}")
            raise OSError(f"test guard: connection to non-loopback {host} blocked")
        return real_connect(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        guard.resolved.append(str(host))
        if not (_is_ip_literal(host) or host == "localhost"):
            raise socket.gaierror(socket.EAI_NONAME, f"test guard: no DNS lookup of {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return guard


# -- fixtures shared by the test modules that import them ---------------------------------------------

@pytest.fixture(scope="module")
def site():
    """The loopback test site, one per test module."""
    with serve() as s:
        yield s


@pytest.fixture(autouse=True)
def network(monkeypatch):
    """Autouse in the importing module: a test fails if anything leaves loopback or resolves a name."""
    guard = guard_network(monkeypatch)
    yield guard
    assert not guard.violations, guard.violations
