"""RSS/Atom feeds and OPML feed lists, from files or URLs, as articles.

A feed entry is often only a teaser: a title and a two-line summary that would be coded as if it
were the story. So an entry is used as it stands only when it carries the story (``content:encoded``
or a summary of at least ``min_words`` words); otherwise its link is fetched (through the safe
``Fetcher``) and the page's article is used, with the feed's title, date, author and outlet, which
are usually cleaner than what a page's metadata yields. Without a fetcher, or with
``fetch_entries=False``, nothing is fetched and summaries are used as they are (offline use).

Feeds are parsed from bytes only: ``feedparser.parse`` given a string may fetch it as a URL itself,
past every safety check of the fetcher. A broken feed (not XML, an HTML page served instead,
no entries) is one ``InputError`` naming the feed; a bad entry is an ``InputError`` naming the entry
and the other entries still come through.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urljoin

import feedparser
from lxml import etree
from lxml import html as lxml_html

from detente.ingest.fetch import MAX_BYTES, Fetched, Fetcher, content_kind, document_article
from detente.ingest.language import choose_language
from detente.ingest.readers import MAX_CHARS, plausible_publication_date
from detente.records import Article, InputError

log = logging.getLogger("detente.ingest")

STAGE = "feed"
MIN_CONTENT_WORDS = 80
"""An entry with at least this many words of content or summary is used without fetching its link."""

OPML_SUFFIXES = (".opml",)

# HTML elements that end a paragraph when feed content is turned into text.
_BLOCK_TAGS = (
    "p", "div", "section", "article", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
    "h6", "pre", "table", "tr", "figure", "header", "footer", "aside", "dd", "dt",
)
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "svg", "template")
_URL_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^(?:javascript|data|mailto|about):", re.IGNORECASE)


def is_url(source: str | Path) -> bool:
    """True for ``scheme://...`` (and ``data:``/``javascript:``) strings: they go to the fetcher,
    which refuses every scheme but http/https with a reason instead of "no such file"."""
    return isinstance(source, str) and bool(_URL_PREFIX.match(source.strip()))


def is_opml_path(path: str | Path) -> bool:
    return str(path).lower().endswith(OPML_SUFFIXES)


# --------------------------------------------------------------------------------------------
# Public entry points


def read_feed(
    source: str | Path,
    fetcher: Fetcher | None = None,
    *,
    fetch_entries: bool = True,
    default_date: date | None = None,
    min_words: int = MIN_CONTENT_WORDS,
    max_chars: int = MAX_CHARS,
) -> Iterator[Article | InputError]:
    """The articles of an RSS/Atom feed (a file path or a URL); an OPML list found instead is read as one."""
    loaded = _load(source, fetcher)
    if isinstance(loaded, InputError):
        yield loaded
        return
    data, name, base = loaded
    yield from _read_document(data, name, base, fetcher, fetch_entries, default_date, min_words, max_chars, depth=0)


def read_opml(
    source: str | Path,
    fetcher: Fetcher | None = None,
    *,
    fetch_entries: bool = True,
    default_date: date | None = None,
    min_words: int = MIN_CONTENT_WORDS,
    max_chars: int = MAX_CHARS,
) -> Iterator[Article | InputError]:
    """The articles of every feed an OPML list names (file or URL), feed after feed.

    Relative feed references resolve against the list: a URL for a list fetched from the web, a
    file next to it for a local list. A feed that fails is one InputError; the others are read.
    """
    loaded = _load(source, fetcher)
    if isinstance(loaded, InputError):
        yield loaded
        return
    data, name, base = loaded
    yield from _read_opml_bytes(data, name, base, fetcher, fetch_entries, default_date, min_words, max_chars)


def read_url(
    url: str,
    fetcher: Fetcher | None,
    *,
    fetch_entries: bool = True,
    default_date: date | None = None,
    min_words: int = MIN_CONTENT_WORDS,
    max_chars: int = MAX_CHARS,
) -> Iterator[Article | InputError]:
    """Whatever a URL serves: a feed's entries, an OPML list's feeds, or one page's article."""
    if fetcher is None:
        yield InputError(url, "fetch", "a URL, but fetching is off (no fetcher given)")
        return
    got = fetcher.get(url)
    if isinstance(got, InputError):
        yield got
        return
    if got.kind in ("feed", "opml"):
        yield from _read_document(got.body, url, got.final_url, fetcher, fetch_entries, default_date, min_words, max_chars, depth=0)
    else:
        yield document_article(got, default_date=default_date, max_chars=max_chars)


def read_source(
    source: str | Path,
    fetcher: Fetcher | None = None,
    **options: Any,
) -> Iterator[Article | InputError]:
    """One input the orchestrator found: a URL, an OPML file or a feed file (see ``readers.is_feed_path``)."""
    if is_url(source):
        yield from read_url(str(source).strip(), fetcher, **options)
    elif is_opml_path(source):
        yield from read_opml(source, fetcher, **options)
    else:
        yield from read_feed(source, fetcher, **options)


# --------------------------------------------------------------------------------------------
# Loading and dispatch


def _load(source: str | Path, fetcher: Fetcher | None) -> tuple[bytes, str, str | None] | InputError:
    """``(bytes, name, base)`` of a feed or list; ``base`` is the URL it came from (None for a file)."""
    if is_url(source):
        url = str(source).strip()
        if fetcher is None:
            return InputError(url, "fetch", "a URL, but fetching is off (no fetcher given)")
        got = fetcher.get(url)
        if isinstance(got, InputError):
            return got
        if got.kind in ("feed", "opml"):
            return got.body, url, got.final_url
        return InputError(url, STAGE, _not_a_feed(got))
    path = Path(source)
    name = str(path)
    try:
        if not path.is_file():
            return InputError(name, STAGE, "no such file" if not path.exists() else "not a file")
        size = path.stat().st_size
        if size == 0:
            return InputError(name, STAGE, "empty file")
        if size > MAX_BYTES:
            return InputError(name, STAGE, f"file too large for a feed: {size:,} bytes (limit {MAX_BYTES:,})")
        return path.read_bytes(), name, None
    except OSError as exc:
        return InputError(name, STAGE, f"cannot read file: {exc.strerror or exc}")


def _not_a_feed(got: Fetched) -> str:
    if got.kind == "html":
        return f"not an RSS/Atom feed: the URL serves an HTML page ({got.content_type or 'no content type'})"
    return f"not an RSS/Atom feed: content type {got.content_type or '(none)'}"


def _read_document(
    data: bytes,
    name: str,
    base: str | None,
    fetcher: Fetcher | None,
    fetch_entries: bool,
    default_date: date | None,
    min_words: int,
    max_chars: int,
    *,
    depth: int,
) -> Iterator[Article | InputError]:
    if content_kind("", data) == "opml":
        if depth > 0:
            yield InputError(name, STAGE, "an OPML list inside an OPML list (not followed)")
            return
        yield from _read_opml_bytes(data, name, base, fetcher, fetch_entries, default_date, min_words, max_chars)
        return
    yield from parse_feed(
        data,
        name,
        base_url=base,
        fetcher=fetcher,
        fetch_entries=fetch_entries,
        default_date=default_date,
        min_words=min_words,
        max_chars=max_chars,
    )


# --------------------------------------------------------------------------------------------
# Feeds


def parse_feed(
    data: bytes,
    name: str,
    *,
    base_url: str | None = None,
    fetcher: Fetcher | None = None,
    fetch_entries: bool = True,
    default_date: date | None = None,
    min_words: int = MIN_CONTENT_WORDS,
    max_chars: int = MAX_CHARS,
) -> Iterator[Article | InputError]:
    """The entries of a feed document (bytes), as articles or errors naming the entry."""
    if not data.strip():
        yield InputError(name, STAGE, "empty feed")
        return
    headers = {"content-location": base_url} if base_url else None
    try:
        parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    except Exception as exc:  # feedparser is tolerant, but its SGML fallback can still trip
        yield InputError(name, STAGE, f"unparseable feed: {type(exc).__name__}: {exc}")
        return
    entries = parsed.get("entries") or []
    if not entries:
        yield InputError(name, STAGE, _broken_feed_reason(parsed, data))
        return
    if parsed.get("bozo"):
        log.warning("%s: feed is not well-formed (%s); %d entries recovered", name, parsed.get("bozo_exception"), len(entries))
    feed = parsed.get("feed") or {}
    feed_title = _clean(feed.get("title"))
    language = _language(feed.get("language"))
    for n, entry in enumerate(entries, 1):
        try:
            yield _entry_article(
                entry, n, name, base_url, feed_title, language, fetcher, fetch_entries, default_date, min_words, max_chars
            )
        except Exception as exc:  # one odd entry must not end the feed
            log.exception("%s: entry %d", name, n)
            yield InputError(f"{name}#entry-{n}", STAGE, f"unreadable entry: {type(exc).__name__}: {exc}")


def _broken_feed_reason(parsed: Any, data: bytes) -> str:
    kind = content_kind("", data)
    if kind == "html":
        return "not an RSS/Atom feed: an HTML page"
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and exc is not None:
        msg = getattr(exc, "getMessage", lambda: str(exc))()
        line = getattr(exc, "getLineNumber", lambda: None)()
        where = f" (line {line})" if line else ""
        return f"not an RSS/Atom feed: {msg}{where}"
    if not parsed.get("version"):
        return "not an RSS/Atom feed: no <rss>, <feed> or <rdf:RDF> element"
    return "feed has no entries"


def _entry_article(
    entry: Any,
    n: int,
    feed_name: str,
    base_url: str | None,
    feed_title: str | None,
    language: str | None,
    fetcher: Fetcher | None,
    fetch_entries: bool,
    default_date: date | None,
    min_words: int,
    max_chars: int,
) -> Article | InputError:
    link = (entry.get("link") or "").strip() or None
    if link and base_url:
        link = urljoin(base_url, link)
    where = link or f"{feed_name}#entry-{n}"
    title = _clean(entry.get("title"))
    published = _entry_date(entry)
    source = entry.get("source") or {}
    outlet = _clean(source.get("title")) if isinstance(source, dict) else None
    outlet = outlet or feed_title
    author = _clean(entry.get("author"))
    text = _entry_text(entry)
    words = len(text.split())
    may_fetch = fetch_entries and fetcher is not None and link is not None
    if words >= min_words or (text and not may_fetch):
        if len(text) > max_chars:
            return InputError(where, STAGE, f"entry text too long: {len(text):,} characters (limit {max_chars:,})")
        entry_id = link or _clean(entry.get("id")) or where
        return Article(
            id=entry_id,
            text=text,
            date=published or default_date,
            title=title,
            url=link,
            outlet=outlet,
            author=author,
            language=choose_language(language, text),
        )
    if not may_fetch:
        if link is None:
            return InputError(where, STAGE, "entry has neither text nor a link")
        return InputError(where, STAGE, "entry has no text and fetching entry links is off")
    assert fetcher is not None and link is not None
    art = fetcher.fetch(link, doc_id=link, default_date=published or default_date, max_chars=max_chars)
    if isinstance(art, InputError):
        return art
    # The feed's metadata is the publisher's own; a page's extracted metadata is a guess.
    art.title = title or art.title
    art.date = published or art.date
    art.outlet = outlet or art.outlet
    art.author = author or art.author
    art.url = art.url or link
    return art


def _entry_text(entry: Any) -> str:
    """The longest text an entry carries (full content or summary), as plain text."""
    best = ""
    candidates: list[tuple[str, str]] = []
    for c in entry.get("content") or []:
        candidates.append((c.get("value") or "", c.get("type") or "text/html"))
    detail = entry.get("summary_detail") or {}
    if entry.get("summary"):
        candidates.append((entry.get("summary") or "", detail.get("type") or "text/html"))
    for value, ctype in candidates:
        text = value.strip() if ctype == "text/plain" else html_fragment_text(value)
        if len(text) > len(best):
            best = text
    return best


def html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed content), one paragraph per block, blank lines between.

    Feed content is the article itself, already stripped of page furniture by the publisher, so a
    plain conversion keeps all of it (trafilatura would judge a short fragment too small to be an
    article and drop it).
    """
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment and "&" not in fragment:
        return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", fragment) if p.strip())
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return " ".join(re.sub(r"<[^>]*>", " ", fragment).split())
    for bad in list(root.iter(*_DROP_TAGS)):
        bad.drop_tree()
    for el in root.iter(*_BLOCK_TAGS):
        el.text = "\n\n" + (el.text or "")
        el.tail = "\n\n" + (el.tail or "")
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    text = root.text_content()
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def _entry_date(entry: Any) -> date | None:
    """The entry's first usable date; one in the future or before the modern press is a broken feed's
    and is passed over, as a page's implausible date is."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(key)
        if t:
            try:
                return plausible_publication_date(date(t.tm_year, t.tm_mon, t.tm_mday))
            except (ValueError, AttributeError):
                continue
    return None


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _language(value: Any) -> str | None:
    """``en-us`` -> ``en``: the primary language subtag, as the readers store it."""
    if not isinstance(value, str) or not value.strip():
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


# --------------------------------------------------------------------------------------------
# OPML


def opml_feed_refs(data: bytes, name: str, base: str | None) -> list[str] | InputError:
    """The feeds an OPML document names (``xmlUrl`` of its outlines), resolved, without repeats.

    ``base`` is the list's URL (references resolve against it) or None for a local file, whose
    relative references are files next to it.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        return InputError(name, STAGE, f"not an OPML list: not well-formed XML: {exc}")
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        tag = etree.QName(root).localname if root is not None and isinstance(root.tag, str) else "?"
        return InputError(name, STAGE, f"not an OPML list: the root element is <{tag}>, not <opml>")
    folder = Path(name).parent if base is None else None
    refs: list[str] = []
    for outline in root.iter():
        if not isinstance(outline.tag, str) or etree.QName(outline).localname.lower() != "outline":
            continue
        ref = next((v for k, v in outline.attrib.items() if k.lower() == "xmlurl" and v.strip()), None)
        if ref is None:
            continue
        ref = ref.strip()
        if base is not None:
            ref = urljoin(base, ref)
        elif not is_url(ref) and folder is not None:
            ref = str(folder / ref)
        if ref not in refs:
            refs.append(ref)
    if not refs:
        return InputError(name, STAGE, "OPML list names no feeds (no outline with an xmlUrl)")
    return refs


def _read_opml_bytes(
    data: bytes,
    name: str,
    base: str | None,
    fetcher: Fetcher | None,
    fetch_entries: bool,
    default_date: date | None,
    min_words: int,
    max_chars: int,
) -> Iterator[Article | InputError]:
    refs = opml_feed_refs(data, name, base)
    if isinstance(refs, InputError):
        yield refs
        return
    for ref in refs:
        loaded = _load(ref, fetcher)
        if isinstance(loaded, InputError):
            yield loaded
            continue
        fdata, fname, fbase = loaded
        yield from _read_document(fdata, fname, fbase, fetcher, fetch_entries, default_date, min_words, max_chars, depth=1)
