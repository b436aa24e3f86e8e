"""The ingest job: files, folders, feeds, URLs and JSONL in; coded events in the store.

One writer, several coders. The main process reads the inputs, drops articles the store (or this run)
already has before any parsing, sets aside articles that are not coded (not English), and sends the
rest in small chunks to worker processes that each load the model once. Results come back in input
order and are written in batches, one transaction each: a ``kill -9`` loses at most the batches in
flight, and running the same command again skips what was stored and redoes the rest.

Everything here but the coding is overhead on the cores the coders need, so it is kept small: the
article text goes to a worker and only the events come back, compactly pickled; the content hash
computed for triage is the one the store keys the article by; batches are large (500 articles).
"""

from __future__ import annotations

import gc
import io
import multiprocessing as mp
import os
import pickle
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any, Union

from detente.pipeline import _chunks
from detente.records import Actor, Article, Event, InputError, Location

Settled = Union[InputError, tuple[Article, str]]
"""An item that needs no coding: a bad input, or an article stored with the reason it was not coded."""


@dataclass
class Summary:
    """What a run did; ``line()`` is the summary the CLI prints."""

    ok: int = 0
    duplicate: int = 0
    failed: int = 0
    skipped: int = 0
    events_new: int = 0
    events_merged: int = 0
    seconds: float = 0.0
    errors: list[InputError] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return self.ok + self.duplicate + self.failed + self.skipped

    def add(self, result: Any) -> None:
        """Fold in the counts of one ``Store.write_batch`` result."""
        self.ok += result.ok
        self.duplicate += result.duplicate
        self.failed += result.failed
        self.skipped += result.skipped
        self.events_new += result.events_new
        self.events_merged += result.events_merged

    def counts(self) -> str:
        """The store's counts in words (shared with the Dask merge's summary)."""
        return (f"{self.ok:,} ok, {self.duplicate:,} duplicate, {self.failed:,} failed, "
                f"{self.skipped:,} not coded (language); {self.events_new:,} new events, "
                f"{self.events_merged:,} merged into known events")

    def line(self) -> str:
        rate = self.ok / self.seconds if self.seconds > 0 else 0.0
        return f"{self.counts()}; {self.seconds:.1f} s ({rate:.1f} articles/s)"


# -- sources ---------------------------------------------------------------------------------------

def _is_url(text: str) -> bool:
    return "://" in text[:12] or text.lower().startswith(("http:", "https:"))


def iter_sources(inputs: Iterable[str | os.PathLike[str]], *, fetcher: Any = None,
                 default_date: date | None = None, fetch_entries: bool = True) -> Iterator[Article | InputError]:
    """Every article of the inputs, in order: URLs (pages or feeds), feed and OPML files, text, HTML
    and JSONL files, and folders of any of them (walked recursively). The feed reader (lxml, feedparser,
    the HTTP client: half a second of imports) is loaded only for a URL or a feed."""
    from detente.ingest import readers

    def one_file(p: Path) -> Iterator[Article | InputError]:
        if readers.is_feed_path(p):
            from detente.ingest import feeds

            yield from feeds.read_source(p, fetcher, fetch_entries=fetch_entries, default_date=default_date)
        else:
            yield from readers.read_path(p, default_date=default_date)

    for item in inputs:
        text = str(item)
        if _is_url(text):
            from detente.ingest import feeds

            yield from feeds.read_url(text, fetcher, fetch_entries=fetch_entries, default_date=default_date)
            continue
        p = Path(text)
        if text != "-" and p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and (readers._kind(f) or readers.is_feed_path(f)))
            if not files:
                yield InputError(text, "read", "folder holds no text, HTML, JSONL, feed or OPML files")
            for f in files:
                yield from one_file(f)
        elif text != "-" and p.exists():
            yield from one_file(p)
        else:
            yield from readers.read_path(text, default_date=default_date)


def estimate_total(inputs: Iterable[str]) -> int | None:
    """Articles to expect, for the progress bar's ETA: files plus JSONL lines; None when a URL, feed or
    compressed file makes the number unknowable without reading it."""
    from detente.ingest import readers

    total = 0
    for item in inputs:
        if item == "-" or _is_url(item):
            return None
        p = Path(item)
        files = [f for f in p.rglob("*") if f.is_file()] if p.is_dir() else [p]
        for f in files:
            kind = readers._kind(f)
            if readers.is_feed_path(f) or (kind == "jsonl" and f.name.endswith(".gz")):
                return None
            if kind == "jsonl":
                try:
                    with f.open("rb") as fh:
                        total += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
                except OSError:
                    total += 1
            elif kind:
                total += 1
    return total


# -- the run ---------------------------------------------------------------------------------------

class Ingest:
    """Reads, triages, codes and stores. ``workers`` processes code (default: every core)."""

    def __init__(self, db: str | os.PathLike[str], *, workers: int | None = None, batch: int = 500,
                 chunk: int = 8, window_days: int = 1, progress: bool | None = None, coder: Any = None) -> None:
        self.db = db
        self.coder = coder  # reused in-process when workers == 1 (tests, notebooks): no second model load
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.batch = batch
        self.chunk = chunk
        self.window_days = window_days
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.on_error: Callable[[InputError], None] | None = None

    def run(self, sources: Iterable[Article | InputError], total: int | None = None) -> Summary:
        from detente.store import open as open_store

        summary = Summary()
        started = time.perf_counter()
        pool = self._start_pool()  # before the store opens: forked workers inherit no database handle
        collector = _BatchCollector(pool is not None)
        try:
            with open_store(self.db, window_days=self.window_days) as store, collector:
                with _Progress(self.progress, total) as bar:
                    pending: list = []
                    read = collector.paced(sources, self.batch)
                    for item in self._coded(self._triage(read, store, summary, bar), pool):
                        pending.append(item)
                        bar.advance()  # as results arrive: a batch is 10 s of coding
                        if len(pending) >= self.batch:
                            self._write(store, pending, summary)
                            pending = []
                    if pending:
                        self._write(store, pending, summary)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
        summary.seconds = time.perf_counter() - started
        return summary

    def _start_pool(self):
        if self.workers <= 1:
            return None
        from detente.pipeline import _init_worker

        ctx = mp.get_context("fork" if os.name == "posix" else "spawn")
        return ctx.Pool(self.workers, initializer=_init_worker)

    def _triage(self, sources: Iterable[Article | InputError], store: Any, summary: Summary,
                bar: "_Progress") -> Iterator[Article | Settled]:
        """Known articles are counted and dropped here, before any parsing; the rest pass on in order."""
        from detente.ingest.language import is_english

        seen: set[str] = set()
        for item in sources:
            if isinstance(item, InputError):
                yield item
                continue
            known = store.has_article(item)
            keys = [store.content_hash(item)] + ([item.url] if item.url else [])  # memoised by has_article
            if known or any(k in seen for k in keys):
                summary.duplicate += 1
                bar.advance()
                continue
            seen.update(keys)
            english, reason = is_english(item)
            yield item if english else (item, reason or "not English")

    def _coded(self, items: Iterable[Article | Settled], pool) -> Iterator[tuple[Article, list[Event]] | Settled]:
        """(article, events) for each article to code, settled items as they are, in input order."""
        from detente.pipeline import Coder

        if pool is None:
            coder = self.coder or Coder()
            for chunk in _chunks(items, self.chunk):
                yield from _merge(chunk, [res for _, res in coder._code_chunk([c for c in chunk if isinstance(c, Article)])])
            return
        # Chunks in flight, oldest first: results are taken in input order. Reading and triage run
        # here, in the writer's thread, at most ``ahead`` chunks before the coders (``imap`` would
        # pull the whole input from a thread of its own: every article in memory at once, and the
        # store's dedup sets read by one thread while the writer changes them in another).
        # 8 chunks per worker keep the workers busy while a batch is written.
        ahead = 8 * self.workers
        window: deque[tuple[list, Any]] = deque()
        for chunk in _chunks(items, self.chunk):
            window.append((chunk, pool.apply_async(_code_in_worker, ([c for c in chunk if isinstance(c, Article)],))))
            if len(window) >= ahead:
                chunk, result = window.popleft()
                yield from _merge(chunk, pickle.loads(result.get()))
        while window:
            chunk, result = window.popleft()
            yield from _merge(chunk, pickle.loads(result.get()))

    def _write(self, store: Any, items: list, summary: Summary) -> None:
        for it in items:
            err = it if isinstance(it, InputError) else it[1] if isinstance(it[1], InputError) else None
            if err is not None:
                summary.errors.append(err)
                if self.on_error:
                    self.on_error(err)
        batch = [it[1] if isinstance(it, tuple) and isinstance(it[1], InputError) else it for it in items]
        try:
            summary.add(store.write_batch(batch))
        except Exception:  # noqa: BLE001 - one item the store cannot take must not sink the run
            # The batch was rolled back whole: write it again item by item, recording the culprit.
            for it in batch:
                try:
                    summary.add(store.write_batch([it]))
                except Exception as exc:  # noqa: BLE001
                    name = it.input if isinstance(it, InputError) else it[0].id
                    err = InputError(name, "store", f"{type(exc).__name__}: {exc}")
                    summary.errors.append(err)
                    if self.on_error:
                        self.on_error(err)
                    summary.add(store.write_batch([err]))


class _BatchCollector:
    """The cycle collector of the reading and writing process, run once per batch of inputs read
    instead of every 700 allocations, while worker processes code.

    This process makes and drops the events of a chunk every few milliseconds, none of them in a
    cycle; the collections those allocations started walked the events in flight and, every so
    often, the whole heap of loaded modules: 0.18 ms of CPU per article for nothing. Here what was
    loaded before the run is frozen (``gc.freeze``: unfrozen at the end, and only when the caller
    froze nothing, so exactly the run's freeze is undone), automatic collection is paused, and one
    full collection every ``batch`` inputs read (a few milliseconds: what is in flight) still frees
    any cycle the reading or writing made; counted on inputs, not on batches written, so a run
    over inputs that are all known already collects as often. With ``workers=1`` the coder runs in
    this process and the collector is left as it is.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and gc.isenabled()  # a caller who paused the collector keeps it paused
        self._froze = False

    def __enter__(self) -> "_BatchCollector":
        if self.enabled:
            self._froze = not gc.get_freeze_count()
            if self._froze:
                gc.freeze()
            gc.disable()
        return self

    def paced(self, items: Iterable[Any], every: int) -> Iterator[Any]:
        """``items`` as they are, with a collection after every ``every`` of them."""
        if not self.enabled:
            yield from items
            return
        n = 0
        for item in items:
            yield item
            n += 1
            if n >= every:
                n = 0
                gc.collect()

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            if self._froze:
                gc.unfreeze()
            gc.enable()


def _code_in_worker(chunk: list[Article]) -> bytes:
    """Code a chunk in a worker process; only the results travel back (the parent holds the articles,
    so their text is not sent a second time), pickled compactly (see ``_RecordPickler``)."""
    from detente import pipeline

    assert pipeline._WORKER is not None, "worker not initialised"
    buf = io.BytesIO()
    _RecordPickler(buf, pickle.HIGHEST_PROTOCOL).dump([res for _, res in pipeline._WORKER._code_chunk(chunk)])
    return buf.getvalue()


def _init_getters() -> dict[type, Callable[[Any], tuple]]:
    getters = {}
    for cls in (Event, Actor, Location):
        names = [f.name for f in fields(cls)]
        assert all(f.init for f in fields(cls)), f"{cls.__name__}: every field must be an __init__ argument"
        getters[cls] = attrgetter(*names)
    return getters


class _RecordPickler(pickle.Pickler):
    """Pickles events, actors and locations as ``cls(*field values)``.

    The records are slotted dataclasses, which Python 3.11 pickles through per-object state dicts
    filled and read back field by field in Python; a tuple of the fields in ``__init__`` order is
    a quarter smaller and takes half the CPU on each side, and the coded events of every article
    cross the process boundary once.
    """

    _getters = _init_getters()

    def reducer_override(self, obj: Any) -> Any:
        get = self._getters.get(type(obj))
        if get is None:
            return NotImplemented
        return type(obj), get(obj)


def _merge(chunk: list, coded: list) -> Iterator:
    """The chunk in order, each article paired with its result (results come in the articles' order;
    from worker processes they are copies, so position, not identity, pairs them)."""
    results = iter(coded)
    for c in chunk:
        yield (c, next(results)) if isinstance(c, Article) else c


class _Progress:
    """A rich progress bar with articles/s and ETA on a terminal; nothing at all in a pipe."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.enabled = enabled
        self.total = total
        self._bar = None
        self._task = None

    def __enter__(self) -> "_Progress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)

            self._bar = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                                 TextColumn("{task.fields[rate]} articles/s"), TimeElapsedColumn(),
                                 TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True),
                                 transient=False)
            self._bar.__enter__()
            self._task = self._bar.add_task("ingest", total=self.total, rate="-")
            self._t0 = time.perf_counter()
            self._done = 0
        return self

    def advance(self, n: int = 1) -> None:
        if self._bar is None:
            return
        self._done += n
        rate = self._done / max(1e-6, time.perf_counter() - self._t0)
        self._bar.update(self._task, advance=n, rate=f"{rate:.1f}")

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def ingest(inputs: list[str], db: str | os.PathLike[str], *, workers: int | None = None,
           default_date: date | None = None, allow_private: bool = False, fetch_entries: bool = True,
           window_days: int = 1, progress: bool | None = None,
           on_error: Callable[[InputError], None] | None = None, coder: Any = None) -> Summary:
    """The whole job as the CLI runs it; usable from Python as it is (``coder``: a loaded ``Coder`` to
    reuse when ``workers=1``)."""
    job = Ingest(db, workers=workers, window_days=window_days, progress=progress, coder=coder)
    job.on_error = on_error
    total = estimate_total([str(i) for i in inputs]) if job.progress else None
    with _LazyFetcher(allow_private) as fetcher:
        sources = iter_sources(inputs, fetcher=fetcher, default_date=default_date, fetch_entries=fetch_entries)
        return job.run(sources, total=total)


class _LazyFetcher:
    """The ``Fetcher``, made when the first URL is fetched: a run over files never loads the HTTP client."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._fetcher: Any = None

    def __getattr__(self, name: str) -> Any:  # get, fetch ...: whatever the feed reader calls
        if self._fetcher is None:
            from detente.ingest.fetch import Fetcher

            self._fetcher = Fetcher(allow_private=self.allow_private)
        return getattr(self._fetcher, name)

    def __enter__(self) -> "_LazyFetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
