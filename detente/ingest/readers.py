"""Readers: files and streams in, ``Article`` records (or named ``InputError``s) out.

A batch of news is messy: empty files, binary files renamed ``.txt``, Windows-1252 text, a 20 MB
dump, a JSONL line cut in half. Each reader yields an ``InputError`` naming the input (``file`` or
``file:line``), the stage ``"read"`` and the reason, and goes on with the rest; nothing here raises
for bad data. Text that is not UTF-8 is decoded only when its encoding can be detected with
confidence, and a warning on the ``detente.ingest`` logger says so; otherwise it is rejected, never
silently garbled.
"""

from __future__ import annotations

import codecs
import gzip
import json
import logging
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from detente.ingest.language import choose_language, detect_language, primary_subtag
from detente.ingest.pages import reduce_paragraphs
from detente.records import Article, InputError

log = logging.getLogger("detente.ingest")

MAX_CHARS = 2_000_000
"""Default cap on the characters of one article; larger inputs are rejected (not truncated: a
truncated article would be coded as if complete)."""

MAX_HTML_BYTES = 10_000_000
"""Default cap on the size of one HTML page (the fetcher's download cap too); larger pages are refused
before any parsing."""
MAX_MARKUP_CHARS = 1_000_000
"""Cap on the markup handed to lxml/trafilatura after scripts, styles and inline data are removed:
extraction takes about 3-4 s per MB of dense article markup, and a news page without its scripts
and styles is rarely above a few hundred kB."""

MIN_PAGE_WORDS = 3
"""Fewer words than this extracted from a page is debris of broken markup ("p{}"), not an article."""
_WORD = re.compile(r"[^\W\d_]{2,}")

LEGACY_MIN_WORDS = 20
"""Text decoded from a detected legacy encoding with at least this many words must read as a
language (``detect_language``); shorter texts are too short to judge."""

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
FEED_SUFFIXES = (".rss", ".atom", ".xml", ".opml")
"""Feeds and feed lists, read by ``detente.ingest.feeds``; named here with the other kinds of file so
that telling a file's kind does not load the feed reader (lxml, feedparser, the HTTP client)."""
STAGE = "read"
# news archives that event coders read (the oldest digitised newspapers) begin after this year
EARLIEST_PUBLICATION_YEAR = 1800

_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")


def parse_date(value: Any) -> date | None:
    """An ISO date (``YYYY-MM-DD``) or a full ISO timestamp as a ``date``; ``None`` for empty.

    Raises ``ValueError`` for anything else, which the readers turn into an ``InputError``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"date must be an ISO string, got {type(value).__name__}")
    m = _ISO_DATE.match(value)
    if not m:
        raise ValueError(f"date {value!r} is not ISO YYYY-MM-DD")
    try:
        found = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueError(f"date {value!r}: {exc}") from None
    return plausible_publication_date(found)


def plausible_publication_date(day: date) -> date:
    """``day`` if an article can have been published then; ``ValueError`` otherwise. A date in the
    future or before the modern press is a typo or a broken feed ("2999-07-01"): every event of the
    article would be dated by it, so the record is refused rather than stored with a wrong date."""
    latest = date.today() + timedelta(days=1)  # a feed a few hours ahead in another time zone
    if day > latest:
        raise ValueError(f"date {day.isoformat()} is in the future (after {latest.isoformat()})")
    if day.year < EARLIEST_PUBLICATION_YEAR:
        raise ValueError(f"date {day.isoformat()} is before {EARLIEST_PUBLICATION_YEAR}: not a news article's")
    return day


def _fill_date(found: date | None, default_date: date | None, override_date: bool) -> date | None:
    if override_date and default_date is not None:
        return default_date
    return found or default_date


def _binary_reason(raw: bytes) -> str | None:
    """Why ``raw`` is not text (NUL bytes, mostly control bytes), or None."""
    head = raw[:65536]
    if b"\x00" in head:
        return "binary file (contains NUL bytes), not text"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if head and controls / len(head) > 0.05:
        return "binary file (mostly control bytes), not text"
    return None


def decode_bytes(raw: bytes, name: str) -> tuple[str | None, str | None]:
    """Decode ``raw`` as text: ``(text, None)`` or ``(None, reason)``.

    UTF-8 (with or without BOM) first; else the encoding detected by charset-normalizer when it
    yields clean text (the fallback is logged, so the user knows); else a rejection.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # NUL bytes, but text
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            return None, f"UTF-16 byte-order mark but not valid UTF-16 (byte {exc.start})"
        log.warning("%s: not UTF-8; decoded as UTF-16 (byte-order mark)", name)
        return text, None
    reason = _binary_reason(raw)
    if reason:
        return None, reason
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency of trafilatura
        return None, f"not valid UTF-8 (first bad byte at offset {first_bad}) and no encoding detector"
    results = list(from_bytes(raw[:1_000_000]))
    best = results[0] if results else None
    # Near-ties between single-byte code pages are common (é/è decode in cp1250 and cp1252 alike,
    # but "è" becomes "č" in cp1250); Windows-1252 is by far the most frequent in Western news.
    for alt in results:
        if best is not None and alt.encoding in ("cp1252", "latin_1", "iso8859_15") and alt.chaos <= best.chaos + 0.01 and alt.coherence >= best.coherence - 0.05:
            best = alt
            break
    if best is None or best.encoding in (None, "utf_8") or best.chaos > 0.2:
        return None, f"not valid UTF-8 (first bad byte at offset {first_bad}) and the encoding could not be detected"
    try:
        text = raw.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None, f"not valid UTF-8 (first bad byte at offset {first_bad}); detected {best.encoding} does not decode it"
    # A code page maps any byte to some character, so a detector can "succeed" on noise: text of
    # some length decoded from a legacy encoding must read as a language.
    if len(text.split()) >= LEGACY_MIN_WORDS and detect_language(text)[0] is None:
        return None, (
            f"not valid UTF-8 (first bad byte at offset {first_bad}); decoded as {best.encoding}, "
            "it reads as no language (noise or a wrong encoding)"
        )
    log.warning("%s: not UTF-8; decoded as %s (detected)", name, best.encoding)
    return text, None


def _too_long(text: str, max_chars: int) -> str | None:
    if len(text) > max_chars:
        return f"text too long: {len(text):,} characters (limit {max_chars:,}); split it or raise max_chars"
    return None


def read_text_file(
    path: Path, *, default_date: date | None = None, override_date: bool = False, max_chars: int = MAX_CHARS
) -> Article | InputError:
    """A plain-text article; its id is the file stem, its date the given default."""
    name = str(path)
    raw_or_err = _read_bytes(path, max_chars)
    if isinstance(raw_or_err, InputError):
        return raw_or_err
    text, reason = decode_bytes(raw_or_err, name)
    if text is None:
        return InputError(name, STAGE, reason or "unreadable")
    reason = _too_long(text, max_chars) or ("empty file (only white space)" if not text.strip() else None)
    if reason:
        return InputError(name, STAGE, reason)
    return Article(
        id=path.stem,
        text=text,
        date=_fill_date(None, default_date, override_date),
        language=choose_language(None, text),
    )


def _read_bytes(path: Path, max_chars: int, max_bytes: int | None = None) -> bytes | InputError:
    """The file's bytes, refusing before reading a file far larger than any article may be."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            return InputError(name, STAGE, "empty file")
        if max_bytes is not None:
            if size > max_bytes:
                return InputError(name, STAGE, f"page too large: {size:,} bytes (limit {max_bytes:,})")
        # UTF-8 takes at most 4 bytes per character: beyond that the text is surely too long.
        elif size > 4 * max_chars:
            return InputError(name, STAGE, f"file too large: {size:,} bytes (limit {max_chars:,} characters)")
        return path.read_bytes()
    except OSError as exc:
        return InputError(name, STAGE, f"cannot read file: {exc.strerror or exc}")


def read_html_file(
    path: Path, *, default_date: date | None = None, override_date: bool = False, max_chars: int = MAX_CHARS
) -> Article | InputError:
    """An HTML page: main text and metadata (title, date, site name, author, url, language)
    extracted by trafilatura, which also leaves out menus, comments and most page furniture."""
    name = str(path)
    raw = _read_bytes(path, max_chars, MAX_HTML_BYTES)
    if isinstance(raw, InputError):
        return raw
    return html_to_article(raw, path.stem, name, default_date=default_date, override_date=override_date, max_chars=max_chars)


def html_to_article(
    html: bytes | str,
    doc_id: str,
    name: str,
    *,
    url: str | None = None,
    default_date: date | None = None,
    override_date: bool = False,
    max_chars: int = MAX_CHARS,
    max_bytes: int = MAX_HTML_BYTES,
) -> Article | InputError:
    """Extract one article from an HTML document (bytes or text).

    Main text and metadata (title, published date, site name, author, canonical URL) come from
    trafilatura; slideshow and digest pages are reduced to the article once (``pages``); the
    language is the page's declared one unless a confident detection says otherwise
    (``language.choose_language``). Oversized pages are refused before parsing: by size, then, for a
    big page, by the size of its markup once scripts, styles and inline data are removed.
    """
    size = len(html)
    unit = "bytes" if isinstance(html, bytes) else "characters"
    if size == 0 or not html.strip():
        return InputError(name, STAGE, "empty page")
    if size > max_bytes:
        return InputError(name, STAGE, f"page too large: {size:,} {unit} (limit {max_bytes:,})")
    if isinstance(html, bytes):
        reason = _binary_reason(html)
        if reason:
            return InputError(name, STAGE, reason)
    reason = _truncation_reason(html)
    if reason:
        return InputError(name, STAGE, reason)
    if size > MAX_MARKUP_CHARS:
        html = strip_heavy_markup(html)
        if len(html) > MAX_MARKUP_CHARS:
            return InputError(
                name, STAGE,
                f"page markup too large to extract: {len(html):,} {unit} without scripts and styles "
                f"(limit {MAX_MARKUP_CHARS:,})",
            )
    html = keep_slides(html)
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # trafilatura/lxml raise many kinds on broken markup
        return InputError(name, STAGE, f"unparseable HTML: {type(exc).__name__}: {exc}")
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        return InputError(name, STAGE, "no article text found in the HTML")
    # trafilatura puts one paragraph per line; blank lines make the paragraphs explicit for the splitter.
    paragraphs, dropped = reduce_paragraphs([line.strip() for line in text.splitlines() if line.strip()])
    if not paragraphs:
        return InputError(name, STAGE, "the page holds only page furniture (menus, newsletter boxes, links), no article text")
    if dropped:
        log.debug("%s: left out %d furniture/repeated paragraphs", name, len(dropped))
    text = "\n\n".join(paragraphs)
    if len(_WORD.findall(text, 0, 10_000)) < MIN_PAGE_WORDS:
        return InputError(name, STAGE, f"no article text found in the HTML (only {text[:60]!r})")
    reason = _too_long(text, max_chars)
    if reason:
        return InputError(name, STAGE, reason)
    try:
        found = parse_date(doc.date) if doc.date else None
    except ValueError:
        found = None  # a page's odd metadata date is not worth rejecting the article for
    return Article(
        id=doc_id,
        text=text,
        date=_fill_date(found, default_date, override_date),
        title=doc.title or None,
        url=doc.url or url,
        outlet=doc.sitename or doc.hostname or None,
        author=doc.author or None,
        language=choose_language(doc.language or _html_lang(html), text),
    )


_OPEN_DOC = re.compile(r"<(?:html|body)[\s>]", re.IGNORECASE)
_CLOSE_DOC = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
_OPEN_DOC_B = re.compile(rb"<(?:html|body)[\s>]", re.IGNORECASE)
_CLOSE_DOC_B = re.compile(rb"</(?:html|body)\s*>", re.IGNORECASE)


def _truncation_reason(html: bytes | str) -> str | None:
    """Why the page looks cut short (a document that opens ``<html>``/``<body>`` and never closes
    either), or None. Like an over-long text, a cut page is refused rather than coded as if whole:
    its last sentence is broken and the rest of the story missing. HTML fragments (a feed entry's
    content) have no ``<html>``/``<body>`` and are not judged."""
    opened, closed = (_OPEN_DOC_B, _CLOSE_DOC_B) if isinstance(html, bytes) else (_OPEN_DOC, _CLOSE_DOC)
    if opened.search(html, 0, 100_000) is None or closed.search(html) is not None:
        return None
    return "truncated HTML: the page opens <html>/<body> but ends without closing them (an incomplete download?)"


_SLIDE_CLASS = re.compile(r"""(\bclass\s*=\s*["']?[^"'>]*?)slide""", re.IGNORECASE)
_SLIDE_CLASS_B = re.compile(rb"""(\bclass\s*=\s*["']?[^"'>]*?)slide""", re.IGNORECASE)
_SLIDE_PROSE = re.compile(r"<p\b[^>]*>[^<]{120,}", re.IGNORECASE)
_SLIDE_PROSE_B = re.compile(rb"<p\b[^>]*>[^<]{120,}", re.IGNORECASE)
SLIDE_REACH = 3000
"""Characters after a slide's class attribute searched for the slide's prose paragraph."""


def keep_slides(html: bytes | str) -> bytes | str:
    """The page with "slide" taken out of its class names when its slides carry the story.

    trafilatura discards every element whose class contains "slide" (carousel widgets on most
    pages), and on a slideshow page those elements are the story: it then falls back to a cruder
    extractor that keeps only part of the slides. When two or more slide elements hold a prose
    paragraph (120+ characters of text), the page is a slideshow article, and renaming the class
    ("slide" -> "panel") lets the slides through; the page reduction then removes the slideshow's
    own furniture. Carousels of links or photo captions hold no such paragraph and stay discarded.
    """
    is_bytes = isinstance(html, bytes)
    pattern, prose = (_SLIDE_CLASS_B, _SLIDE_PROSE_B) if is_bytes else (_SLIDE_CLASS, _SLIDE_PROSE)
    starts = [m.end() for m in pattern.finditer(html, 0, MAX_MARKUP_CHARS)]
    # a slide's text ends where the next slide begins (or SLIDE_REACH characters on, for the last)
    ends = [min(b, a + SLIDE_REACH) for a, b in zip(starts, starts[1:])] + [s + SLIDE_REACH for s in starts[-1:]]
    if sum(prose.search(html, a, b) is not None for a, b in zip(starts, ends)) < 2:
        return html
    return pattern.sub(rb"\1panel" if is_bytes else r"\1panel", html)  # type: ignore[arg-type]


_HEAVY_ELEMENTS = ("script", "style", "svg", "noscript", "template", "iframe", "object")
_INLINE_DATA = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]{64,}")
_INLINE_DATA_B = re.compile(rb"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]{64,}")


def strip_heavy_markup(html: bytes | str) -> bytes | str:
    """The page without its scripts, styles, inline SVG, comments and base64 data URIs, the bulk of
    a big page that holds no text. JSON-LD metadata scripts stay (trafilatura reads dates and
    authors from them). One pass with ``find`` per element kind: linear even when tags are never
    closed, where a regular expression could scan the rest of the page once per opening tag."""
    is_bytes = isinstance(html, bytes)
    enc = (lambda s: s.encode("ascii")) if is_bytes else (lambda s: s)
    lower = html.lower()
    cuts: list[tuple[int, int]] = []
    for tag in _HEAVY_ELEMENTS:
        open_tag, close_tag = enc("<" + tag), enc("</" + tag)
        pos = 0
        while True:
            start = lower.find(open_tag, pos)
            if start < 0:
                break
            head_end = lower.find(enc(">"), start)
            if tag == "script" and head_end > 0 and enc("ld+json") in lower[start:head_end]:
                pos = head_end + 1
                continue
            end = lower.find(close_tag, start)
            end = len(html) if end < 0 else (lower.find(enc(">"), end) + 1 or len(html))
            cuts.append((start, end))
            pos = end
    pos = 0
    while True:
        start = lower.find(enc("<!--"), pos)
        if start < 0:
            break
        end = lower.find(enc("-->"), start + 4)
        end = len(html) if end < 0 else end + 3
        cuts.append((start, end))
        pos = end
    if cuts:
        cuts.sort()
        parts = []
        pos = 0
        for start, end in cuts:
            if start >= pos:
                parts.append(html[pos:start])
                pos = end
            elif end > pos:
                pos = end
        parts.append(html[pos:])
        html = (b"" if is_bytes else "").join(parts)  # type: ignore[attr-defined]
    return (_INLINE_DATA_B if is_bytes else _INLINE_DATA).sub(b"data:," if is_bytes else "data:,", html)  # type: ignore[arg-type]


_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?", re.IGNORECASE)


def _html_lang(html: bytes | str) -> str | None:
    """The page's declared language (``<html lang="en-GB">`` -> ``en``) when trafilatura has none."""
    head = html[:5000].encode("utf-8", "replace") if isinstance(html, str) else html[:5000]
    m = _HTML_LANG.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def record_to_article(
    rec: Any,
    where: str,
    *,
    default_id: str,
    default_date: date | None = None,
    override_date: bool = False,
    max_chars: int = MAX_CHARS,
) -> Article | InputError:
    """One JSON record ``{"id", "text", "date"?, "title"?, "url"?, "outlet"?}`` as an Article."""
    if not isinstance(rec, dict):
        return InputError(where, STAGE, f"record is a JSON {type(rec).__name__}, not an object")
    text = rec.get("text")
    if not isinstance(text, str):
        return InputError(where, STAGE, "missing 'text'" if text is None else "'text' is not a string")
    if not text.strip():
        return InputError(where, STAGE, "empty 'text'")
    reason = _too_long(text, max_chars)
    if reason:
        return InputError(where, STAGE, reason)
    try:
        found = parse_date(rec.get("date"))
    except ValueError as exc:
        return InputError(where, STAGE, f"bad date: {exc}")
    rid = rec.get("id")
    doc_id = default_id if rid is None or rid == "" else str(rid)

    def opt(key: str) -> str | None:
        v = rec.get(key)
        return str(v) if v not in (None, "") else None

    return Article(
        id=doc_id,
        text=text,
        date=_fill_date(found, default_date, override_date),
        title=opt("title"),
        url=opt("url"),
        outlet=opt("outlet"),
        author=opt("author"),
        language=primary_subtag(opt("language")) or choose_language(None, text),
    )


def read_stream(
    fh: IO[str] | IO[bytes] | Iterable[str | bytes],
    name: str = "-",
    *,
    default_date: date | None = None,
    override_date: bool = False,
    max_chars: int = MAX_CHARS,
) -> Iterator[Article | InputError]:
    """JSONL records from an open stream (stdin, a file); each bad line is an InputError ``name:line``."""
    seen_any = False
    try:
        for lineno, line in enumerate(fh, 1):
            where = f"{name}:{lineno}"
            if isinstance(line, bytes):
                try:
                    line = line.decode("utf-8-sig" if lineno == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    yield InputError(where, STAGE, f"not valid UTF-8 (byte {exc.start})")
                    continue
            elif lineno == 1:
                line = line.lstrip("\ufeff")
            if not line.strip():
                continue
            seen_any = True
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                yield InputError(where, STAGE, f"not JSON: {exc.msg} (column {exc.colno})")
                continue
            yield record_to_article(
                rec,
                where,
                default_id=where,
                default_date=default_date,
                override_date=override_date,
                max_chars=max_chars,
            )
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # truncated gzip, bad stream bytes
        yield InputError(name, STAGE, f"stream broken: {type(exc).__name__}: {exc}")
        return
    if not seen_any:
        yield InputError(name, STAGE, "empty input (no JSON lines)")


def read_jsonl_file(
    path: Path, *, default_date: date | None = None, override_date: bool = False, max_chars: int = MAX_CHARS
) -> Iterator[Article | InputError]:
    """A ``.jsonl`` or ``.jsonl.gz`` file, streamed line by line (a large batch is never loaded whole)."""
    name = str(path)
    try:
        if path.name.endswith(".gz"):
            # A file that is not gzip, or is cut short, fails on reading: read_stream names it.
            with gzip.open(path, "rb") as gz:
                yield from read_stream(gz, name, default_date=default_date, override_date=override_date, max_chars=max_chars)
        else:
            with path.open("rb") as fh:
                if _binary_reason(fh.read(65536)):
                    yield InputError(name, STAGE, "binary file (contains NUL or control bytes), not JSON Lines")
                    return
                fh.seek(0)
                yield from read_stream(fh, name, default_date=default_date, override_date=override_date, max_chars=max_chars)
    except (OSError, EOFError) as exc:
        yield InputError(name, STAGE, f"cannot read: {type(exc).__name__}: {exc}")


def is_feed_path(path: str | Path) -> bool:
    """A file name that marks a feed or a feed list (``.rss``, ``.atom``, ``.xml``, ``.opml``)."""
    return str(path).lower().endswith(FEED_SUFFIXES)


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


def read_path(
    path: str | os.PathLike[str],
    *,
    default_date: date | None = None,
    override_date: bool = False,
    max_chars: int = MAX_CHARS,
) -> Iterator[Article | InputError]:
    """Articles from a file (``.txt``, ``.html``/``.htm``, ``.jsonl``/``.jsonl.gz``) or a folder of them.

    ``default_date`` fills a missing publication date (the CLI's ``--date``); with
    ``override_date`` it replaces the dates found in the input. ``"-"`` reads JSONL from stdin.
    """
    if str(path) == "-":
        import sys

        yield from read_stream(sys.stdin.buffer, "-", default_date=default_date, override_date=override_date, max_chars=max_chars)
        return
    p = Path(path)
    kw = dict(default_date=default_date, override_date=override_date, max_chars=max_chars)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and _kind(f))
        if not files:
            yield InputError(str(p), STAGE, "folder holds no .txt, .html or .jsonl files")
        for f in files:
            yield from read_path(f, **kw)  # type: ignore[arg-type]
        return
    if not p.exists():
        yield InputError(str(p), STAGE, "no such file")
        return
    kind = _kind(p)
    if kind == "jsonl":
        yield from read_jsonl_file(p, **kw)  # type: ignore[arg-type]
    elif kind == "html":
        yield read_html_file(p, **kw)  # type: ignore[arg-type]
    elif kind == "text":
        yield read_text_file(p, **kw)  # type: ignore[arg-type]
    else:
        yield InputError(str(p), STAGE, "unsupported file type (expected .txt, .html, .htm, .jsonl, .jsonl.gz)")


def read_inputs(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    default_date: date | None = None,
    override_date: bool = False,
    max_chars: int = MAX_CHARS,
) -> Iterator[Article | InputError]:
    """Every article of several inputs (files, folders, ``-`` for stdin), in the order given."""
    for item in inputs:
        yield from read_path(item, default_date=default_date, override_date=override_date, max_chars=max_chars)
