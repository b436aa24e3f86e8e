"""The safe fetcher against a local web site: refusals, redirects, caps, timeouts, retries, politeness.

Nothing here contacts anything but 127.0.0.1: refused addresses are refused before any connection
(the network guard would record a connection elsewhere and fail the test), and made-up host names
are resolved by a resolver given to the Fetcher, never by DNS.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from detente.ingest.fetch import Fetcher, content_kind, refusal_reason, url_problem
from detente.records import Article, InputError
from tests.local_http import network, serve, site  # noqa: F401 - fixtures




def fast(**kw) -> Fetcher:
    """A fetcher with test-sized delays (no politeness wait, millisecond backoff)."""
    opts = dict(politeness=0.0, backoff=0.01, connect_timeout=2.0, read_timeout=3.0, deadline=10.0)
    opts.update(kw)
    return Fetcher(**opts)


# ---------------------------------------------------------------- address policy


@pytest.mark.parametrize(
    "ip, why",
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback, carried in ::ffff:7f00:1"),
        ("::ffff:10.1.2.3", "private"),
        ("::ffff:169.254.169.254", "metadata"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 wrapping 10.0.0.1
    ],
)
def test_refused_addresses_are_named(ip, why):
    reason = refusal_reason(ip)
    assert reason is not None and why in reason


@pytest.mark.parametrize("ip", ["93.184.215.14", "151.101.1.69", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_public_addresses_pass(ip):
    assert refusal_reason(ip) is None


def test_allow_private_lifts_private_ranges_but_never_metadata():
    assert refusal_reason("127.0.0.1", allow_private=True) is None
    assert refusal_reason("10.0.0.1", allow_private=True) is None
    assert "metadata" in refusal_reason("169.254.169.254", allow_private=True)
    assert "metadata" in refusal_reason("::ffff:169.254.169.254", allow_private=True)


@pytest.mark.parametrize(
    "url, why",
    [
        ("file:///etc/passwd", "scheme 'file:' refused"),
        ("ftp://ftp.example.org/pub/news.txt", "scheme 'ftp:' refused"),
        ("gopher://gopher.example.org/", "scheme 'gopher:' refused"),
        ("data:text/html,<p>hi</p>", "scheme 'data:' refused"),
        ("javascript:alert(1)", "scheme 'javascript:' refused"),
        ("www.example.org/news", "not a URL"),
        ("", "empty URL"),
        ("http://", "no host"),
        ("http://[::1", "malformed URL"),
        ("http://example.org:99999/", "malformed URL"),
    ],
)
def test_bad_urls_refused_with_reason(url, why):
    with fast() as f:
        got = f.fetch(url)
    assert isinstance(got, InputError)
    assert got.stage == "fetch" and got.input == url
    assert why in got.reason
    assert url_problem(url) is not None


def test_default_fetcher_refuses_loopback_private_and_metadata(site, network):
    urls = [
        site.url("/site/ceasefire_talks.html"),
        f"http://localhost:{site.port}/site/ceasefire_talks.html",
        f"http://[::1]:{site.port}/site/ceasefire_talks.html",
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[::ffff:127.0.0.1]:80/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
    ]
    before = len(site.hits)
    with fast() as f:
        results = [f.fetch(u) for u in urls]
    for url, got in zip(urls, results):
        assert isinstance(got, InputError), url
        assert got.input == url and got.stage == "fetch"
        assert got.reason.startswith("refused address"), got.reason
    assert "localhost resolves to 127.0.0.1 (loopback)" in results[1].reason
    assert "--allow-private" in results[0].reason
    assert "metadata" in results[4].reason and "--allow-private" not in results[4].reason
    assert len(site.hits) == before  # nothing reached the server
    assert network.connected == []  # and no connection was even attempted


def test_allow_private_fetches_the_local_page(site):
    url = site.url("/site/ceasefire_talks.html")
    with fast(allow_private=True) as f:
        art = f.fetch(url, default_date=date(2024, 1, 1))
    assert isinstance(art, Article)
    assert art.id == url and art.url == url
    assert art.title.startswith("Envoys meet in Doha")
    assert "Egyptian delegation" in art.text and "Never miss a story" not in art.text
    assert art.outlet == "The Meridian Ledger"
    assert art.date == date(2024, 7, 15)  # the page's own date beats the default
    hit = [h for h in site.hits if h.path == "/site/ceasefire_talks.html"][-1]
    assert hit.user_agent.startswith("detente/") and "political event coder" in hit.user_agent


def test_gzip_page_is_decoded(site):
    with fast(allow_private=True) as f:
        art = f.fetch(site.url("/gzip-page"))
    assert isinstance(art, Article) and "joint inspection centre" in art.text


# ---------------------------------------------------------------- redirects


def test_redirects_followed_to_the_final_url(site):
    with fast(allow_private=True) as f:
        art = f.fetch(site.url("/redirect?to=/site/grain_corridor.html"))
        chain = f.fetch(site.url("/chain/4"))  # 5 redirects: the limit
        too_long = f.fetch(site.url("/chain/5"))
        loop = f.fetch(site.url("/loop"))
    assert isinstance(art, Article)
    assert art.id == site.url("/redirect?to=/site/grain_corridor.html")
    assert art.url == site.url("/site/grain_corridor.html")
    assert isinstance(chain, Article) and "Black Sea" in chain.text
    assert isinstance(too_long, InputError) and "too many redirects" in too_long.reason
    assert isinstance(loop, InputError) and "too many redirects" in loop.reason


def _public_alias(site, name="news.example"):
    """A fetcher for which ``name`` resolves to the local site and counts as public, like a real
    news host would; every other address is judged as usual."""
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        if host == name:
            return ["127.0.0.1"]
        from detente.ingest.fetch import resolve_host

        return resolve_host(host, port)

    f = fast(resolver=resolver)
    real = f.address_refusal
    f.address_refusal = lambda host, ip: None if host == name else real(host, ip)  # type: ignore[method-assign]
    return f, calls


def test_redirect_to_a_private_address_is_refused(site):
    f, _ = _public_alias(site)
    start = f"http://news.example:{site.port}"
    before = site.count("/site/grain_corridor.html")
    with f:
        ok = f.fetch(f"{start}/site/ceasefire_talks.html")
        to_loopback = f.fetch(f"{start}/redirect?to={site.url('/site/grain_corridor.html')}")
        to_metadata = f.fetch(f"{start}/redirect?to=http://169.254.169.254/latest/meta-data/")
        to_file = f.fetch(f"{start}/redirect?to=file:///etc/passwd")
    assert isinstance(ok, Article)
    assert isinstance(to_loopback, InputError)
    assert to_loopback.reason.startswith(f"redirect to {site.url('/site/grain_corridor.html')}: refused address: 127.0.0.1 (loopback)")
    assert isinstance(to_metadata, InputError) and "metadata" in to_metadata.reason
    assert isinstance(to_file, InputError) and "scheme 'file:' refused" in to_file.reason
    assert site.count("/site/grain_corridor.html") == before  # the refused hop was never requested


def test_connection_goes_to_the_checked_address_without_a_second_lookup(site, network):
    """The DNS-rebinding defence: the name is resolved once, by the check, and the socket is opened
    to the address that was checked; the system resolver never sees the name (it could not resolve
    it anyway), and the server still gets the URL's Host header."""
    f, calls = _public_alias(site, "pinned.example")
    with f:
        art = f.fetch(f"http://pinned.example:{site.port}/site/grain_corridor.html")
    assert isinstance(art, Article)
    assert calls == ["pinned.example"]
    assert "pinned.example" not in network.resolved
    assert network.connected == ["127.0.0.1"]
    assert site.hits[-1].host == f"pinned.example:{site.port}"


# ---------------------------------------------------------------- size, time


def test_size_cap_streamed_declared_and_compressed(site):
    with fast(allow_private=True, max_bytes=100_000) as f:
        streamed = f.fetch(site.url("/huge"))
        declared = f.fetch(site.url("/huge-declared"))
        bomb = f.fetch(site.url("/gzip-bomb"))
        small = f.fetch(site.url("/plain.txt"))
    assert isinstance(streamed, InputError) and "too large: more than 100,000 bytes (stopped reading)" in streamed.reason
    assert isinstance(declared, InputError) and "Content-Length 50,000,000" in declared.reason
    assert isinstance(bomb, InputError) and "too large" in bomb.reason
    assert isinstance(small, Article)


def test_slow_drip_stopped_by_the_deadline(site):
    with fast(allow_private=True, deadline=0.8, read_timeout=5.0) as f:
        t0 = time.monotonic()
        got = f.fetch(site.url("/slow"))
        took = time.monotonic() - t0
    assert isinstance(got, InputError) and "deadline" in got.reason
    assert took < 2.5


def test_stalled_body_hits_the_read_timeout(site):
    with fast(allow_private=True, read_timeout=0.3) as f:
        t0 = time.monotonic()
        got = f.fetch(site.url("/stall"))
        took = time.monotonic() - t0
    assert isinstance(got, InputError) and "timed out" in got.reason
    assert took < 1.5


# ---------------------------------------------------------------- status codes, retries


def test_404_not_retried(site):
    with fast(allow_private=True) as f:
        got = f.fetch(site.url("/status/404?id=a"))
    assert isinstance(got, InputError) and got.reason == "HTTP 404 Not Found"
    assert site.count("/status/404?id=a") == 1


def test_5xx_retried_then_reported(site):
    with fast(allow_private=True, retries=2) as f:
        got = f.fetch(site.url("/status/500?id=b"))
        assert f.requests == 3
    assert isinstance(got, InputError)
    assert got.reason == "HTTP 500 Internal Server Error (after 3 attempts)"
    assert site.count("/status/500?id=b") == 3


def test_flaky_server_succeeds_on_retry(site):
    with fast(allow_private=True, retries=2) as f:
        art = f.fetch(site.url("/flaky?id=c&fails=2"))
    assert isinstance(art, Article) and "Chile and Peru" in art.text
    assert site.count("/flaky?id=c") == 3


def test_429_honours_a_capped_retry_after(site):
    with fast(allow_private=True, retries=1, max_retry_after=0.2) as f:
        t0 = time.monotonic()
        got = f.fetch(site.url("/status/429?id=d&retry_after=3600"))
        took = time.monotonic() - t0
    assert isinstance(got, InputError) and "HTTP 429 Too Many Requests (after 2 attempts)" == got.reason
    assert site.count("/status/429?id=d") == 2
    assert 0.2 <= took < 1.5
    hits = [h.at for h in site.hits if h.path.startswith("/status/429?id=d")]
    assert hits[1] - hits[0] >= 0.18


def test_refused_connection_retried_then_reported():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with fast(allow_private=True, retries=2) as f:
        got = f.fetch(f"http://127.0.0.1:{port}/")
        assert f.requests == 3
    assert isinstance(got, InputError) and got.reason.startswith("cannot connect") and "(after 3 attempts)" in got.reason


def test_politeness_delay_between_requests_to_one_host(site):
    with fast(allow_private=True, politeness=0.3) as f:
        f.fetch(site.url("/plain.txt?p=1"))
        f.fetch(site.url("/plain.txt?p=2"))
        f.fetch(f"http://localhost:{site.port}/plain.txt?p=3")  # another host name: no wait
    at = {h.path: h.at for h in site.hits if h.path.startswith("/plain.txt?p=")}
    assert at["/plain.txt?p=2"] - at["/plain.txt?p=1"] >= 0.28
    assert at["/plain.txt?p=3"] - at["/plain.txt?p=2"] < 0.2


# ---------------------------------------------------------------- content types


def test_content_types(site):
    with fast(allow_private=True) as f:
        plain = f.fetch(site.url("/plain.txt"))
        latin = f.fetch(site.url("/latin1.txt"))
        image = f.fetch(site.url("/image.png"))
        feed = f.fetch(site.url("/site/links.rss"))
        empty = f.fetch(site.url("/empty.txt"))
    assert isinstance(plain, Article) and plain.text.startswith("Germany's chancellor")
    assert plain.outlet == "127.0.0.1" and plain.url == site.url("/plain.txt")
    assert isinstance(latin, Article) and "Außenminister Müller" in latin.text
    assert isinstance(image, InputError) and image.reason.startswith("unsupported content type image/png")
    assert isinstance(feed, InputError) and "RSS/Atom feed" in feed.reason and "read_url" in feed.reason
    assert isinstance(empty, InputError) and "empty" in empty.reason


def test_content_kind_sniffs_mislabelled_documents():
    rss = b'<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>'
    assert content_kind("text/html", rss) == "feed"
    assert content_kind("text/plain", rss) == "feed"
    assert content_kind("application/xml", b"<opml version='2.0'><body/></opml>") == "opml"
    assert content_kind("application/rss+xml", b"<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert content_kind("application/pdf", b"%PDF-1.7 <rss>") == ""
    assert content_kind("", b"Plain words about a summit.") == "text"


def test_fetch_many_keeps_order_and_goes_on_after_errors(site):
    urls = [site.url("/plain.txt?m=1"), "ftp://example.org/x", site.url("/status/404?m=2"), site.url("/site/grain_corridor.html")]
    with fast(allow_private=True) as f:
        results = list(f.fetch_many(urls, workers=3))
    assert [type(r).__name__ for r in results] == ["Article", "InputError", "InputError", "Article"]
    assert [r.input for r in results if isinstance(r, InputError)] == urls[1:3]


# ---------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def tls_site():
    with serve(tls=True) as s:
        yield s


def test_untrusted_certificate_is_a_tls_error_not_retried(tls_site):
    with fast(allow_private=True, retries=2) as f:
        got = f.fetch(f"https://localhost:{tls_site.port}/site/grain_corridor.html")
        assert f.requests == 1
    assert isinstance(got, InputError) and got.reason.startswith("TLS certificate error")
    assert "self-signed" in got.reason


def test_certificate_is_checked_against_the_url_host_not_the_pinned_address(tls_site, monkeypatch):
    """The socket goes to the checked IP, but TLS sends SNI for, and verifies the certificate
    against, the URL's host name: a name the certificate does not cover is refused."""
    import ssl

    import detente.ingest.fetch as fetch_mod
    from tests.local_http import TLS_PEM

    trusting = ssl.create_default_context(cafile=str(TLS_PEM))
    monkeypatch.setattr(fetch_mod, "_ssl_context", lambda: trusting)
    with fast(allow_private=True) as f:
        art = f.fetch(f"https://localhost:{tls_site.port}/site/grain_corridor.html")
    assert isinstance(art, Article) and "Black Sea" in art.text
    assert tls_site.sni[-1] == "localhost"
    f, calls = _public_alias(tls_site, "secure.example")
    with f:
        got = f.fetch(f"https://secure.example:{tls_site.port}/site/grain_corridor.html")
    assert calls == ["secure.example"]
    assert tls_site.sni[-1] == "secure.example"
    assert isinstance(got, InputError) and got.reason.startswith("TLS certificate error")
    assert "secure.example" in got.reason


def test_a_hanging_dns_lookup_is_cut_off_by_the_connect_timeout():
    def stuck(host: str, port: int) -> list[str]:
        time.sleep(1.5)
        return ["127.0.0.1"]

    with fast(resolver=stuck, connect_timeout=0.2, retries=1) as f:
        t0 = time.monotonic()
        got = f.fetch("http://stuck.example/")
        took = time.monotonic() - t0
    assert isinstance(got, InputError)
    assert got.reason == "connection timed out (DNS lookup of stuck.example timed out) (after 2 attempts)"
    assert took < 1.2
