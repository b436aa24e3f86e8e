"""Fetching news from URLs without becoming a tool for attacking the machine it runs on.

A news crawler fetches whatever URLs its inputs name: a feed entry, an OPML list, a redirect. Any of
them may point at ``localhost``, the office network or the cloud metadata service that hands out
credentials (server-side request forgery). So, unless ``allow_private`` is set:

* only ``http``/``https`` URLs are fetched, on every redirect hop too (redirects are followed here,
  one hop at a time, never by httpx);
* the host is resolved and refused when ANY of its addresses is loopback, private, link-local,
  multicast, reserved, unspecified, carrier-grade NAT, or listed in ``data/blocked_addresses.yaml``
  (the metadata addresses there stay refused even with ``allow_private``);
* the check and the connection use the SAME resolution: the check runs inside the connection layer
  (a custom httpcore network backend), which then opens the socket to the address it has just
  checked. A DNS name that answers "public" to the check and "127.0.0.1" to the connect (DNS
  rebinding) therefore cannot slip through. TLS still verifies the certificate against, and sends
  SNI for, the host name of the URL, and the Host header is the URL's host, because httpcore takes
  both from the URL, not from the socket;
* environment proxies are ignored (a proxy would make the connection, defeating the check).

A bad URL never raises: every failure (refused scheme or address, DNS failure, timeout, TLS error,
a body over the size cap, HTTP 404 ...) is an ``InputError(url, "fetch", reason)``. A slow-drip
server cannot hang a run: besides the connect/read timeouts (the DNS lookup included), every
socket operation is clamped to an overall deadline per URL. Transient failures (connection errors, 429, 5xx) are retried with
exponential backoff, honouring ``Retry-After`` up to a cap; requests to one host are spaced by a
politeness delay.
"""

from __future__ import annotations

import contextvars
import email.utils
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from detente import __version__
from detente.data import load_yaml
from detente.ingest.language import choose_language
from detente.ingest.readers import MAX_CHARS, decode_bytes, html_to_article
from detente.records import Article, InputError

log = logging.getLogger("detente.ingest")

STAGE = "fetch"
SCHEMES = ("http", "https")
MAX_BYTES = 10 * 1024 * 1024
"""Default cap on a response body (decompressed): 10 MiB, far above any news page."""

USER_AGENT = f"detente/{__version__} (political event coder; Python httpx)"
"""Says who is fetching and why; pyproject.toml names no project URL to add as a contact."""

ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
ALLOW_HINT = "use --allow-private (allow_private=True) to fetch from private networks"

# Media types by what detente does with them; anything else is refused with its type as the reason.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
    "text/xml", "application/x-rss+xml", "application/x-opml+xml",
    "text/x-opml", "application/opml+xml",
})

AddressResolver = Callable[[str, int], list[str]]


# --------------------------------------------------------------------------------------------
# Which addresses are refused


@dataclass(frozen=True, slots=True)
class _Blocked:
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    why: str
    always: bool = False


@lru_cache(maxsize=1)
def _blocklist() -> tuple[tuple[_Blocked, ...], tuple[_Blocked, ...]]:
    data = load_yaml("blocked_addresses.yaml")

    def entries(key: str) -> tuple[_Blocked, ...]:
        return tuple(
            _Blocked(ipaddress.ip_network(e["network"]), str(e["why"]), bool(e.get("always", False)))
            for e in data.get(key) or ()
        )

    return entries("blocked"), entries("embedded_ipv4")


# The ipaddress properties that make an address unfit to fetch news from, first match names it.
_PROPERTIES = (
    ("is_loopback", "loopback"),
    ("is_unspecified", "unspecified address"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_reserved", "reserved"),
    ("is_private", "private network"),
    ("is_site_local", "site-local"),
)


def refusal_reason(ip: str, *, allow_private: bool = False) -> str | None:
    """Why detente must not connect to ``ip`` (a short phrase), or None when it may.

    IPv6 addresses that carry an IPv4 address a gateway would reach (IPv4-mapped, 6to4, NAT64) are
    judged by that IPv4 address, so ``::ffff:127.0.0.1`` is loopback.
    """
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return f"{ip!r} is not an IP address"
    blocked, embedded = _blocklist()
    for b in blocked:
        if b.always and addr in b.network:
            return b.why
    if addr.version == 6:
        inner_v4 = addr.ipv4_mapped
        carried = inner_v4 is not None
        if inner_v4 is None:
            for b in embedded:
                if addr in b.network:
                    inner_v4 = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
                    carried = True
                    break
        if inner_v4 is None:
            inner_v4 = addr.sixtofour
        if inner_v4 is not None:
            inner = refusal_reason(str(inner_v4), allow_private=allow_private)
            if inner:
                return f"{inner}, carried in {addr}"
            if carried:  # the IPv6 wrapper itself is a reserved range; the IPv4 inside is what counts
                return None
    if allow_private:
        return None
    for b in blocked:
        if addr in b.network:
            return b.why
    for prop, why in _PROPERTIES:
        if getattr(addr, prop, False):
            return why
    if not addr.is_global:
        return "not a public address"
    return None


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), in the resolver's order, without repeats.

    Raises ``socket.gaierror`` when the name does not resolve.
    """
    found: list[str] = []
    for family, _type, _proto, _canon, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6) and sockaddr[0] not in found:
            found.append(str(sockaddr[0]))
    return found


# --------------------------------------------------------------------------------------------
# The guarded connection layer


class FetchRefused(Exception):
    """A fetch that must not be made (or retried): refused address, unresolvable host."""


class _DeadlineExceeded(Exception):
    """The per-URL deadline passed during a socket operation."""


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("detente_fetch_deadline", default=None)


def _clamp(timeout: float | None) -> float | None:
    """``timeout`` shortened to what is left of the current URL's deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise _DeadlineExceeded()
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read/write waits no longer than the URL's deadline allows."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        # server_hostname is the URL's host (httpcore passes it): SNI and certificate checks use it.
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves and checks the host, then connects to one of the addresses it checked (no second lookup)."""

    def __init__(self, check: Callable[[str, int], list[str]]) -> None:
        self._check = check
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._check(host, port)
        last: Exception | None = None
        for ip in addresses:
            try:
                # An IP literal: socket.create_connection does no DNS lookup for it.
                stream = self._inner.connect_tcp(ip, port, _clamp(timeout), local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream)
        raise last if last is not None else httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        raise FetchRefused("unix sockets are never used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One certificate-verifying TLS context for all fetchers (loading the CA bundle takes 0.3 s)."""
    return httpx.create_ssl_context(verify=True, trust_env=False)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport, with its connection pool built on the guarded backend.

    httpx 0.28 (pinned) has no public way to pass a network backend, so the pool it builds is
    replaced; a test checks that refused addresses are indeed refused through it.
    """

    def __init__(self, backend: httpcore.NetworkBackend, limits: httpx.Limits) -> None:
        context = _ssl_context()
        super().__init__(verify=context, trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


# --------------------------------------------------------------------------------------------
# Responses


@dataclass(slots=True)
class Fetched:
    """A fetched document: the body (decompressed, within the cap) and what it is."""

    url: str
    """The URL as asked for (the article id and the name in errors)."""
    final_url: str
    """Where the last redirect led."""
    status: int
    content_type: str
    """Media type, lower case, without parameters; "" when the server sent none."""
    charset: str | None
    body: bytes
    kind: str
    """"html", "text", "feed", "opml" or "" (unsupported)."""
    content_language: str | None = None
    """The Content-Language header, if any (a declaration, checked against the text)."""

    @property
    def host(self) -> str:
        return (urlsplit(self.final_url).hostname or "").lower()


_SNIFF_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_SNIFF_FEED = re.compile(rb"<rss[\s>]|<feed[\s>]|<rdf:rdf[\s>]", re.IGNORECASE)
_SNIFF_OPML = re.compile(rb"<opml[\s>]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def content_kind(content_type: str, body: bytes) -> str:
    """What a body is, from its media type and, for XML or unlabelled bodies, its first bytes.

    Sniffing finds feeds served as ``text/html`` or ``text/plain`` (common on small sites) and
    pages served as generic XML; it never turns an image or PDF into text.
    """
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if content_type in FEED_TYPES or content_type in HTML_TYPES or content_type in TEXT_TYPES or not content_type:
        if _SNIFF_OPML.search(head):
            return "opml"
        if _SNIFF_FEED.search(head) and not _SNIFF_HTML.search(head[:512]):
            return "feed"
    if content_type in HTML_TYPES:
        return "html"
    if content_type in FEED_TYPES:
        return "html" if _SNIFF_HTML.search(head) else "feed"
    if content_type in TEXT_TYPES:
        return "text"
    if not content_type:
        return "html" if _SNIFF_HTML.search(head) else "text"
    return ""


def _decode(body: bytes, charset: str | None, name: str, *, html: bool) -> tuple[str | None, str | None]:
    """Text of a body: the HTTP charset, else (HTML) the page's <meta charset>, else detection."""
    declared = charset
    if declared is None and html:
        m = _META_CHARSET.search(body[:4096])
        declared = m.group(1).decode("ascii", "replace") if m else None
    if declared:
        try:
            return body.decode(declared), None
        except (LookupError, UnicodeDecodeError):
            log.warning("%s: declared charset %s does not decode the body; detecting", name, declared)
    return decode_bytes(body, name)


def document_article(
    doc: Fetched, *, doc_id: str | None = None, default_date: date | None = None, max_chars: int = MAX_CHARS
) -> Article | InputError:
    """The article of a fetched page (HTML or plain text); feeds and other types are refused."""
    name = doc.url
    doc_id = doc_id or doc.url
    if doc.kind in ("feed", "opml"):
        what = "an OPML feed list" if doc.kind == "opml" else "an RSS/Atom feed"
        return InputError(name, STAGE, f"{what} ({doc.content_type or 'XML'}), not a page: read it with detente.ingest.feeds.read_url")
    if not doc.kind:
        return InputError(name, STAGE, f"unsupported content type {doc.content_type} (expected HTML, plain text or a feed)")
    if not doc.body.strip():
        return InputError(name, STAGE, f"empty response body (HTTP {doc.status})")
    text, reason = _decode(doc.body, doc.charset, name, html=doc.kind == "html")
    if text is None:
        return InputError(name, STAGE, reason or "undecodable body")
    if doc.kind == "html":
        art = html_to_article(text, doc_id, name, url=doc.final_url, default_date=default_date, max_chars=max_chars)
        if isinstance(art, InputError):
            return InputError(name, STAGE, art.reason)
        art.url = doc.final_url
        return art
    if not text.strip():
        return InputError(name, STAGE, "empty text (only white space)")
    if len(text) > max_chars:
        return InputError(name, STAGE, f"text too long: {len(text):,} characters (limit {max_chars:,})")
    host = doc.host
    return Article(
        id=doc_id,
        text=text,
        date=default_date,
        url=doc.final_url,
        outlet=host[4:] if host.startswith("www.") else host or None,
        language=choose_language(doc.content_language, text),
    )


# --------------------------------------------------------------------------------------------
# The fetcher


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched whatever it resolves to (scheme, no host, malformed), or None."""
    if not isinstance(url, str) or not url.strip():
        return "empty URL"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return f"malformed URL: {exc}"
    scheme = parts.scheme.lower()
    if not scheme:
        return "not a URL (no http:// or https://)"
    if scheme not in SCHEMES:
        return f"scheme '{scheme}:' refused (only http and https are fetched)"
    if not parts.hostname:
        return "URL has no host"
    return None


class _Decoder:
    """Content-Encoding decoding with an output cap, so a gzip bomb stops at the size limit."""

    def __init__(self, encoding: str) -> None:
        enc = encoding.strip().lower()
        self._raw_fallback = enc == "deflate"
        if enc in ("", "identity"):
            self._z = None
        elif enc in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Up to ``limit`` decoded bytes of ``data`` (``limit`` >= 1; 0 would mean 'no limit' to zlib)."""
        if self._z is None:
            return data[:limit]
        try:
            out = self._z.decompress(data, limit)
        except zlib.error:
            if self._raw_fallback and not self._started:  # "deflate" sent without the zlib header
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                self._raw_fallback = False
                out = self._z.decompress(data, limit)
            else:
                raise
        self._started = True
        return out

    def flush(self, limit: int) -> bytes:
        """What the decompressor still holds at the end of the body."""
        return self._z.flush(limit) if self._z is not None else b""


@dataclass(slots=True)
class _Outcome:
    kind: str  # "ok", "redirect", "retry", "error"
    reason: str = ""
    doc: Fetched | None = None
    location: str = ""
    retry_after: float | None = None


class Fetcher:
    """Fetches URLs safely (see the module docstring); one instance per run, reused for all URLs.

    Every public method returns a value or an ``InputError`` and never raises for a bad URL.
    Thread-safe: ``fetch_many`` fetches with a thread pool, the politeness delay still holding per host.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        max_bytes: int = MAX_BYTES,
        connect_timeout: float = 10.0,
        read_timeout: float = 20.0,
        deadline: float = 60.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        politeness: float = 1.0,
        max_redirects: int = 5,
        user_agent: str = USER_AGENT,
        resolver: AddressResolver | None = None,
    ) -> None:
        """``deadline`` bounds one URL end to end (redirects and retries included, politeness
        waits excluded); ``backoff`` is the first retry's delay, doubled each time;
        ``politeness`` the seconds between two requests to one host; ``resolver`` maps
        (host, port) to IP strings (tests substitute it; it must not be used to skip checks)."""
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.politeness = politeness
        self.max_redirects = max_redirects
        self.resolver: AddressResolver = resolver or resolve_host
        self.connect_timeout = connect_timeout
        # getaddrinfo has no timeout of its own: lookups run here and are waited for no longer
        # than the connect timeout (a stuck lookup finishes in the background, harmlessly).
        self._dns = ThreadPoolExecutor(max_workers=4, thread_name_prefix="detente-dns")
        self.requests = 0
        """Requests sent (attempts, retries and redirect hops included)."""
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=5.0)
        self._client = httpx.Client(
            transport=_GuardedTransport(_GuardedBackend(self._checked_addresses), limits),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout),
            headers={"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
        )

    # -- lifecycle
    def close(self) -> None:
        self._client.close()
        self._dns.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- address checks
    def address_refusal(self, host: str, ip: str) -> str | None:
        """Why the fetcher must not connect to ``ip`` (an address of ``host``), or None."""
        return refusal_reason(ip, allow_private=self.allow_private)

    def _checked_addresses(self, host: str, port: int) -> list[str]:
        """``host``'s addresses, all of them checked; raises FetchRefused naming the first refused one."""
        host = host.strip("[]")
        lookup = self._dns.submit(self.resolver, host, port)
        try:
            addresses = lookup.result(timeout=_clamp(self.connect_timeout))
        except FutureTimeout:
            raise httpcore.ConnectTimeout(f"DNS lookup of {host} timed out") from None
        except socket.gaierror as exc:
            if exc.errno == socket.EAI_AGAIN:  # the resolver is busy or unreachable: worth a retry
                raise httpcore.ConnectError(f"temporary DNS failure for {host}") from None
            raise FetchRefused(f"cannot resolve host {host}: {exc.strerror or exc}") from None
        except (UnicodeError, OSError) as exc:
            raise FetchRefused(f"cannot resolve host {host}: {getattr(exc, 'strerror', None) or exc}") from None
        if not addresses:
            raise FetchRefused(f"host {host} has no address")
        for ip in addresses:
            why = self.address_refusal(host, ip)
            if why:
                where = ip if ip == host else f"{host} resolves to {ip}"
                always = refusal_reason(ip, allow_private=True) is not None
                hint = "" if always or self.allow_private else f"; {ALLOW_HINT}"
                raise FetchRefused(f"refused address: {where} ({why}){hint}")
        return addresses

    def check_url(self, url: str) -> str | None:
        """Why ``url`` would be refused before any request (scheme, host, address), or None.

        Resolves the host; the connection layer checks again on every connect.
        """
        problem = url_problem(url)
        if problem:
            return problem
        parts = urlsplit(url.strip())
        try:
            self._checked_addresses(parts.hostname or "", parts.port or (443 if parts.scheme.lower() == "https" else 80))
        except FetchRefused as exc:
            return str(exc)
        return None

    # -- politeness
    def _wait_turn(self, host: str) -> float:
        """Sleep until ``host`` may be asked again; returns the seconds slept."""
        if self.politeness <= 0:
            return 0.0
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, 0.0))
            self._next_slot[host] = slot + self.politeness
        wait = slot - now
        if wait > 0:
            time.sleep(wait)
        return max(wait, 0.0)

    # -- fetching
    def get(self, url: str) -> Fetched | InputError:
        """The document at ``url`` after redirects, or why not."""
        name = url if isinstance(url, str) else repr(url)
        token = _deadline.set(time.monotonic() + self.deadline)
        try:
            return self._get(name.strip())
        except Exception as exc:  # last resort: a bad URL must never stop a batch
            log.exception("%s: unexpected fetch failure", name)
            return InputError(name, STAGE, f"unexpected error: {type(exc).__name__}: {exc}")
        finally:
            _deadline.reset(token)

    def fetch(self, url: str, *, doc_id: str | None = None, default_date: date | None = None, max_chars: int = MAX_CHARS) -> Article | InputError:
        """The article at ``url`` (an HTML page or plain text); its id is ``doc_id`` or the URL."""
        got = self.get(url)
        if isinstance(got, InputError):
            return got
        return document_article(got, doc_id=doc_id, default_date=default_date, max_chars=max_chars)

    def fetch_many(self, urls: Iterable[str], *, workers: int = 4, default_date: date | None = None, max_chars: int = MAX_CHARS) -> Iterator[Article | InputError]:
        """``fetch`` for many URLs on a thread pool, results in input order."""
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            yield from pool.map(lambda u: self.fetch(u, default_date=default_date, max_chars=max_chars), urls)

    def _get(self, url: str) -> Fetched | InputError:
        current = url
        for hop in range(self.max_redirects + 1):
            prefix = "" if hop == 0 else f"redirect to {current}: "
            problem = url_problem(current)
            if problem:
                return InputError(url, STAGE, prefix + problem)
            out = self._with_retries(url, current)
            if out.kind == "ok" and out.doc is not None:
                return out.doc
            if out.kind == "redirect":
                current = urljoin(current, out.location)
                continue
            return InputError(url, STAGE, prefix + out.reason)
        return InputError(url, STAGE, f"too many redirects (more than {self.max_redirects}; last to {current})")

    def _with_retries(self, url: str, current: str) -> _Outcome:
        attempts = self.retries + 1
        out = _Outcome("error", "not fetched")
        for attempt in range(attempts):
            out = self._attempt(url, current)
            if out.kind != "retry":
                return out
            if attempt == attempts - 1:
                break
            delay = self.backoff * (2**attempt)
            if out.retry_after is not None:
                delay = max(delay, min(out.retry_after, self.max_retry_after))
            deadline = _deadline.get() or float("inf")
            if time.monotonic() + delay >= deadline:
                return _Outcome("error", f"{out.reason} (no time left to retry within the {self.deadline:g} s deadline)")
            log.info("%s: %s; retrying in %.2f s", current, out.reason, delay)
            time.sleep(delay)
        suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
        return _Outcome("error", out.reason + suffix)

    def _attempt(self, url: str, current: str) -> _Outcome:
        host = (urlsplit(current).hostname or "").lower()
        slept = self._wait_turn(host)
        if slept:  # politeness is not the server's slowness: it does not eat the URL's deadline
            _deadline.set((_deadline.get() or time.monotonic()) + slept)
        with self._lock:
            self.requests += 1
        try:
            with self._client.stream("GET", current) as resp:
                status = resp.status_code
                if status in REDIRECTS:
                    location = resp.headers.get("location")
                    if not location:
                        return _Outcome("error", f"HTTP {status} redirect without a Location header")
                    return _Outcome("redirect", location=location)
                if status == 429 or 500 <= status <= 599:
                    return _Outcome("retry", _status_reason(resp), retry_after=_retry_after(resp.headers.get("retry-after")))
                if status >= 300 or status < 200:
                    return _Outcome("error", _status_reason(resp))
                return self._read_body(url, current, resp)
        except FetchRefused as exc:
            return _Outcome("error", str(exc))
        except _DeadlineExceeded:
            return _Outcome("error", self._deadline_reason())
        except httpx.TimeoutException as exc:
            if time.monotonic() >= (_deadline.get() or float("inf")) - 0.05:
                return _Outcome("error", self._deadline_reason())
            if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
                detail = str(exc)
                return _Outcome("retry", "connection timed out" + (f" ({detail})" if detail and detail != "timed out" else ""))
            return _Outcome("error", f"timed out ({type(exc).__name__})")
        except httpx.ConnectError as exc:
            tls = _tls_reason(exc)
            if tls:
                return _Outcome("error", tls)
            return _Outcome("retry", f"cannot connect: {exc}")
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            tls = _tls_reason(exc)
            if tls:
                return _Outcome("error", tls)
            return _Outcome("retry", f"connection broken: {type(exc).__name__}: {exc}")
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            return _Outcome("error", f"malformed URL: {exc}")
        except httpx.HTTPError as exc:
            return _Outcome("error", f"{type(exc).__name__}: {exc}")
        except ssl.SSLError as exc:
            return _Outcome("error", f"TLS error: {exc}")

    def _deadline_reason(self) -> str:
        return f"took longer than the {self.deadline:g} s deadline for one URL"

    def _read_body(self, url: str, current: str, resp: httpx.Response) -> _Outcome:
        declared = resp.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            return _Outcome("error", f"too large: Content-Length {int(declared):,} bytes (limit {self.max_bytes:,})")
        try:
            decoder = _Decoder(resp.headers.get("content-encoding", ""))
        except ValueError as exc:
            return _Outcome("error", str(exc))
        chunks: list[bytes] = []
        total = 0
        try:
            for raw in resp.iter_raw(65536):
                data = decoder.feed(raw, self.max_bytes - total + 1)
                total += len(data)
                if total > self.max_bytes:
                    return _Outcome("error", f"too large: more than {self.max_bytes:,} bytes (stopped reading)")
                chunks.append(data)
                _clamp(None)  # raises once the deadline has passed, even if bytes keep dripping in
            tail = decoder.flush(self.max_bytes - total + 1)
            total += len(tail)
            if total > self.max_bytes:
                return _Outcome("error", f"too large: more than {self.max_bytes:,} bytes (stopped reading)")
            chunks.append(tail)
        except zlib.error as exc:
            return _Outcome("error", f"corrupt {resp.headers.get('content-encoding')} body: {exc}")
        media, charset = _media_type(resp.headers.get("content-type", ""))
        body = b"".join(chunks)
        return _Outcome(
            "ok",
            doc=Fetched(
                url=url,
                final_url=str(resp.url),
                status=resp.status_code,
                content_type=media,
                charset=charset,
                body=body,
                kind=content_kind(media, body),
                content_language=(resp.headers.get("content-language") or "").split(",")[0].strip() or None,
            ),
        )


def _status_reason(resp: httpx.Response) -> str:
    phrase = resp.reason_phrase or httpx.codes.get_reason_phrase(resp.status_code)
    return f"HTTP {resp.status_code} {phrase}".rstrip()


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or odd."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _media_type(header: str) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from ``text/html; charset="UTF-8"``."""
    parts = [p.strip() for p in header.split(";")]
    media = parts[0].lower() if parts else ""
    charset = None
    for p in parts[1:]:
        key, _, val = p.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return media, charset


def _tls_reason(exc: BaseException) -> str | None:
    """A TLS failure in ``exc``'s chain (bad certificate, handshake), described, or None."""
    seen = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"TLS certificate error: {seen.verify_message or seen}"
        if isinstance(seen, ssl.SSLError):
            return f"TLS error: {seen}"
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
        return f"TLS error: {text}"
    return None
