"""Identity in the store: when two articles are one, which outlet a report counts for, how good a date is.

These small rules decide deduplication, so they live together and are tested on their own.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from detente.data import load_yaml
from detente.records import Actor, Article

DATE_RANK = {"none": 0, "publication": 1, "text": 2}
"""How precise a mention's date is: a date written in the sentence beats the article's publication date."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=1)
def _tracking() -> tuple[tuple[str, ...], frozenset[str]]:
    data = load_yaml("url_tracking.yaml")
    return tuple(p.lower() for p in data["prefixes"]), frozenset(n.lower() for n in data["names"])


def normalize_url(url: str | None) -> str | None:
    """The URL as the store compares it: lower-case scheme and host, no default port, no fragment, no
    tracking parameters (``utm_*`` ...). Path and the remaining query keep their case and order."""
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url  # not a URL we can take apart: compare it as written
    if not parts.scheme or not parts.netloc:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    prefixes, names = _tracking()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not (k.lower() in names or k.lower().startswith(prefixes))]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query, doseq=True), ""))


def url_host(url: str | None) -> str | None:
    """The host of a URL without ``www.``; None when there is none."""
    if not url:
        return None
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return None
    return host.removeprefix("www.") or None


def article_id(article: Article) -> str:
    """Stable internal id: the same text always gets the same id, so a re-run after a crash agrees."""
    return article_id_of(article.content_hash())


def article_id_of(content_hash: str) -> str:
    return content_hash[:16]


def source_key(article: Article, aid: str | None = None) -> str:
    """What ``num_sources`` counts: the outlet, else the URL's host, else the article itself."""
    if article.outlet and article.outlet.strip():
        return " ".join(article.outlet.lower().split())
    return url_host(article.url) or f"article:{aid or article_id(article)}"


def actor_id(actor: Actor) -> str:
    """One row of the ``actors`` table: the code with the Wikidata id, else the lower-case name.

    Must agree with the backfill in ``migrations/002_actors_runs.sql``.
    """
    return f"{actor.code()}|{actor.wikidata or (actor.name or '').lower()}"
