"""The event store: one DuckDB file, one writer, one transaction per batch.

``write_batch`` is the only way data gets in. It works out everything in Python first (which articles
are new, which reports are new events and which are mentions of known ones), then writes the batch in
a single transaction of a few vectorised statements. If anything fails, the transaction is rolled back
and the in-memory indexes are restored, so the store and the process agree again: a batch is stored
entirely or not at all, and ``kill -9`` at any moment loses at most the batch in flight, which the next
run of the same ingest writes again (known articles are skipped by ``has_article``).
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime, timezone
from os import PathLike
from typing import Any, Union

import duckdb
import pandas as pd

from detente.records import Actor, Article, Event, InputError
from detente.store import queries
from detente.store.dedup import EventIndex, Key, unpack
from detente.store.keys import DATE_RANK, actor_id, article_id_of, normalize_url, source_key
from detente.store.schema import SchemaError, current_version, latest_version, migrate
from detente.store.staging import ACTOR_FIELDS, to_arrow

Item = Union[InputError, tuple[Article, Sequence[Event]], tuple[Article, str], tuple[Article, InputError],
             tuple[Article, Any, str]]
"""What ``write_batch`` takes: a coded article, an article stored without coding (with the reason),
an article whose coding failed, or a bad input. A third tuple element names the input it came from."""


@dataclass
class BatchResult:
    """Counts of one ``write_batch`` (add them up with ``+=`` for a run)."""

    ok: int = 0              # articles stored and coded
    skipped: int = 0         # articles stored, coding skipped (e.g. not English)
    duplicate: int = 0       # articles already stored (or twice in the batch): counted, not stored
    failed: int = 0          # bad inputs, recorded in ``errors``
    events_new: int = 0      # new rows in ``events``
    events_merged: int = 0   # coded events that became a mention of an event another article reported
    mentions: int = 0        # rows added to ``mentions``

    def __iadd__(self, other: "BatchResult") -> "BatchResult":
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


_HASH_MEMO_SIZE = 4096
"""Articles whose content hash is remembered from ``has_article`` to ``write_batch`` (texts are kept alive)."""


def _digest(text: str) -> int:
    """64-bit key of a URL or hash for the in-memory 'already stored?' sets (compact, stable)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a batch is staged and written.

    A batch makes tens of thousands of small dicts and lists (a row per event, mention and actor),
    none of them part of a cycle; each 700 allocations start a collection, and the older generations'
    passes walk the writer's whole heap (the articles and events in flight, every loaded module):
    CPU spent for nothing (a quarter of ``write_batch``'s CPU with 2,000 coded articles in memory). Cycles made meanwhile are collected afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _store_key(coder_key: tuple) -> Key:
    """The store's dedup key of an event (``dedup.Key``: type, mode or '', actor code, recipient
    code, modality) from its ``Event.key()``, which holds the same codes and the date: the actor
    codes are built once per event."""
    event, mode, a, r, _date, modality = coder_key
    return (event, mode or "", a, r, modality)


_ACTOR_KEYS = {p: tuple(f"{p}_{c}" for c in ACTOR_FIELDS) for p in ("actor", "recipient")}
"""Column names of each side of an event (built once: two actors of every stored event pass here)."""


def _actor_cols(prefix: str, actor: Actor | None) -> dict[str, Any]:
    if actor is None:
        return {}
    code, name, country, org, sector, sectors, wikidata, text, kind = _ACTOR_KEYS[prefix]
    return {
        code: actor.code() or None, name: actor.name, country: actor.country, org: actor.org,
        sector: actor.sector, sectors: _sectors(actor), wikidata: actor.wikidata, text: actor.text,
        kind: actor.kind,
    }


def _sectors(actor: Actor) -> list[str] | None:
    """Every sector code of the actor, primary first ("GOV", "MIL" for a defence minister)."""
    primary, more = actor.sector, actor.sectors
    if not more:  # the common cases first: no list, or a list of the primary sector alone
        return [primary] if primary else None
    if primary and len(more) == 1 and more[0] == primary:
        return [primary]
    codes = list(dict.fromkeys([primary, *more] if primary else more))
    return [c for c in codes if c] or None


def _described(e: Event) -> dict[str, Any]:
    """The columns an event row takes from its representative (most confident) mention."""
    return {
        "confidence": float(e.confidence), "context": list(e.context), "cameo": e.cameo,
        "goldstein": e.goldstein, "quad_class": e.quad_class,
        "attribution": e.attribution, "text": e.text, "cue": e.cue, "rule": e.rule,
    }


def _located(e: Event | None) -> dict[str, Any]:
    loc = e.location if e is not None else None
    if loc is None:
        return {}
    return {"location_text": loc.text, "location_country": loc.country, "location_geonameid": loc.geonameid,
            "location_lat": loc.lat, "location_lon": loc.lon}


class Store:
    """A detente event store. ``Store(path)`` creates or upgrades the database; use as a context manager.

    ``window_days`` is the cross-article dedup window (reports of the same actor, target, type, mode and
    modality whose dates are at most this many days apart are one event); it applies to what is
    written through this handle and may differ between runs.
    """

    def __init__(self, path: str | PathLike[str] = "detente.duckdb", *, window_days: int = 1,
                 read_only: bool = False, command: str | None = None) -> None:
        self.path = str(path)
        self.window_days = window_days
        self.read_only = read_only
        self.command = command
        if window_days < 0:
            raise ValueError(f"window_days must be >= 0, not {window_days}")
        self.con = duckdb.connect(self.path, read_only=read_only)
        try:
            if not read_only:
                # Checkpoint (rewrite the database file from the write-ahead log) every 128 MB of log
                # rather than DuckDB's 16 MB: halves the commit cost of a long ingest; a crash replays
                # the log on the next open.
                self.con.execute("SET checkpoint_threshold = '128MB'")
                migrate(self.con)
            elif current_version(self.con) != latest_version():
                raise SchemaError(f"{self.path}: schema version {current_version(self.con)}, this detente "
                                  f"reads version {latest_version()}; open it once for writing to upgrade")
        except BaseException:
            self.con.close()
            raise
        self.run_id: int | None = None
        self._index = EventIndex(window_days)
        self._hashes: set[int] = set()
        self._urls: set[int] = set()
        self._loaded = False
        self._hash_memo: dict[int, tuple[str, str | None, str]] = {}

    # -- opening -------------------------------------------------------------------------------------

    def _load(self) -> None:
        """Read what dedup needs into memory, once, on the first write (readers never pay for it)."""
        if self._loaded:
            return
        for h, u in self.con.execute("SELECT content_hash, url_key FROM articles").fetchall():
            self._hashes.add(_digest(h))
            if u:
                self._urls.add(_digest(u))
        cur = self.con.execute(
            "SELECT event, coalesce(mode, ''), coalesce(actor_code, ''), coalesce(recipient_code, ''), modality,"
            " anchor_date, date_source, event_id FROM events")
        while rows := cur.fetchmany(100_000):
            self._index.load(((ev, mode, a, r, mod), anchor.toordinal(), DATE_RANK.get(src, 0), eid)
                             for ev, mode, a, r, mod, anchor, src, eid in rows)
        self._next_event = self.con.execute("SELECT coalesce(max(event_id), 0) + 1 FROM events").fetchall()[0][0]
        self._loaded = True

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.con is None:
            return
        try:
            if self.run_id is not None:
                self.con.execute("UPDATE runs SET finished = ? WHERE run_id = ?", [_now(), self.run_id])
        finally:
            self.con.close()
            self.con = None  # type: ignore[assignment]

    def begin_run(self, command: str | None = None) -> int:
        """Start a run (its counts and errors are kept in ``runs``/``errors``); implicit on first write."""
        self.run_id = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchall()[0][0]
        self.con.execute("INSERT INTO runs (run_id, command, started) VALUES (?, ?, ?)",
                         [self.run_id, command or self.command, _now()])
        return self.run_id

    # -- dedup ---------------------------------------------------------------------------------------

    def has_article(self, article: Article) -> str | None:
        """'url' or 'content' when an equal article is stored (same normalised URL, or same text), else None."""
        self._load()
        return self._known(normalize_url(article.url), self.content_hash(article))

    def content_hash(self, article: Article, known: str | None = None) -> str:
        """``Article.content_hash()``, remembered between ``has_article`` and ``write_batch`` (it is the
        costliest step of a write: the text is normalised paragraph by paragraph). ``known`` is that
        hash computed elsewhere (the Dask merge: by the worker that read the article), remembered
        instead of computed again."""
        memo = self._hash_memo.get(id(article))
        if memo is not None and memo[0] is article.text and memo[1] is article.title:
            return memo[2]
        h = known or article.content_hash()
        if len(self._hash_memo) >= _HASH_MEMO_SIZE:  # forget the oldest (dicts keep insertion order)
            del self._hash_memo[next(iter(self._hash_memo))]
        self._hash_memo[id(article)] = (article.text, article.title, h)
        return h

    def _known(self, url_key: str | None, content_hash: str) -> str | None:
        if url_key and _digest(url_key) in self._urls:
            return "url"
        if _digest(content_hash) in self._hashes:
            return "content"
        return None

    # -- writing -------------------------------------------------------------------------------------

    def add_errors(self, errors: Iterable[InputError]) -> int:
        """Record bad inputs (in their own transaction); returns how many."""
        return self.write_batch(list(errors)).failed

    def write_batch(self, items: Iterable[Item]) -> BatchResult:
        """Store a batch in one transaction: all of it or none of it. See the module docstring."""
        if self.read_only:
            raise PermissionError(f"{self.path}: opened read-only")
        self._load()
        if self.run_id is None:
            self.begin_run()
        batch = _Batch(self, _now())
        added: list[tuple[set[int], int]] = []
        next_event = self._next_event
        with _no_cycle_collection():
            try:
                for item in items:
                    batch.add(item, added)
                self._commit(batch)
            except BaseException:
                self._index.rollback()
                for s, k in added:
                    s.discard(k)
                self._next_event = next_event
                raise
        self._index.commit()
        return batch.result

    def _commit(self, b: "_Batch") -> None:
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for table, rows in (("articles", b.articles), ("events", list(b.new_events.values())),
                                ("mentions", b.mentions), ("errors", b.errors)):
                if rows:
                    con.register("_stage", to_arrow(table, rows))
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _stage")
                    con.unregister("_stage")
            if b.updates:
                con.register("_upd", to_arrow("event_updates", list(b.updates.values())))
                for sql in queries.MERGE_EVENTS:
                    con.execute(sql)
                con.unregister("_upd")
            if b.actors:
                con.register("_stage", to_arrow("actors", list(b.actors.values())))
                con.execute(queries.UPSERT_ACTORS)
                con.unregister("_stage")
            r = b.result
            con.execute(
                "UPDATE runs SET ok = ok + ?, skipped = skipped + ?, duplicate = duplicate + ?, failed = failed + ?,"
                " events_new = events_new + ?, events_merged = events_merged + ? WHERE run_id = ?",
                [r.ok, r.skipped, r.duplicate, r.failed, r.events_new, r.events_merged, self.run_id])
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            finally:
                for name in ("_stage", "_upd"):
                    try:
                        con.unregister(name)
                    except Exception:  # noqa: BLE001 - nothing registered under that name
                        pass
            raise

    # -- reading -------------------------------------------------------------------------------------

    def events(self, actor: str | None = None, recipient: str | None = None,
               dyad: tuple[str, str] | None = None, country: str | None = None,
               event: str | Sequence[str] | None = None, since: date | str | None = None,
               until: date | str | None = None, modality: str | Sequence[str] | None = None,
               min_mentions: int | None = None, limit: int | None = None) -> pd.DataFrame:
        """Events matching every given filter, oldest first. Actor filters take a country ("RUS"), an
        organisation ("NATO") or a full code ("RUSGOV"); ``dyad`` matches either direction."""
        sql, params = queries.select_events(actor=actor, recipient=recipient, dyad=dyad, country=country,
                                            event=event, since=since, until=until, modality=modality,
                                            min_mentions=min_mentions, limit=limit)
        return self.con.execute(sql, params).df()

    def mentions(self, event_id: int) -> pd.DataFrame:
        """The reports of one event, with the article each comes from."""
        return self.con.execute(queries.MENTIONS_OF, [int(event_id)]).df()

    def articles(self, since: date | str | None = None, until: date | str | None = None,
                 outlet: str | None = None, status: str | None = None, language: str | None = None,
                 with_text: bool = False, limit: int | None = None) -> pd.DataFrame:
        sql, params = queries.select_articles(since=since, until=until, outlet=outlet, status=status,
                                              language=language, with_text=with_text, limit=limit)
        return self.con.execute(sql, params).df()

    def actors(self, limit: int | None = None) -> pd.DataFrame:
        """Every actor seen, most mentioned first."""
        sql = "SELECT * FROM actors ORDER BY n_mentions DESC, actor_id"
        params: list[Any] = []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(queries.as_limit(limit))
        return self.con.execute(sql, params).df()

    def errors(self, run_id: int | None = None, limit: int | None = None) -> pd.DataFrame:
        sql = "SELECT input, stage, reason, time, run_id FROM errors"
        params: list[Any] = []
        if run_id is not None:
            sql += " WHERE run_id = ?"
            params.append(int(run_id))
        sql += " ORDER BY time, input"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(queries.as_limit(limit))
        return self.con.execute(sql, params).df()

    def runs(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM runs ORDER BY run_id").df()

    def stats(self) -> dict[str, int]:
        """Row counts per table (articles also by status)."""
        out: dict[str, int] = {}
        for table in ("articles", "events", "mentions", "actors", "errors", "runs"):
            out[table] = self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        for status, n in self.con.execute("SELECT status, count(*) FROM articles GROUP BY status").fetchall():
            out[f"articles_{status}"] = n
        out["schema_version"] = self.con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
        return out


class _Batch:
    """The rows one ``write_batch`` will insert, worked out before the transaction starts."""

    def __init__(self, store: Store, now: datetime) -> None:
        self.store = store
        self.now = now
        self.today = now.date()
        self.result = BatchResult()
        self.articles: list[dict[str, Any]] = []
        self.mentions: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.new_events: dict[int, dict[str, Any]] = {}
        self.new_event_sets: dict[int, tuple[set[str], set[str]]] = {}  # articles, sources
        self.updates: dict[int, dict[str, Any]] = {}
        self.actors: dict[tuple, dict[str, Any]] = {}

    def add(self, item: Item, added: list[tuple[set[int], int]]) -> None:
        if isinstance(item, InputError):
            self._error(item)
            return
        if not isinstance(item, tuple) or len(item) not in (2, 3) or not isinstance(item[0], Article):
            raise TypeError(f"write_batch: expected InputError or (Article, events | reason | InputError), "
                            f"got {type(item).__name__}")
        article, payload = item[0], item[1]
        source_input = item[2] if len(item) == 3 else None
        if isinstance(payload, InputError):
            self._error(payload)
            return
        if not isinstance(payload, (str, list, tuple)):
            raise TypeError(f"write_batch: {article.id}: expected a list of events or a skip reason, "
                            f"got {type(payload).__name__}")
        if not article.text or not article.text.strip():
            self._error(InputError(article.id, "store", "empty text"))
            return
        store = self.store
        url_key = normalize_url(article.url)
        content_hash = store.content_hash(article)
        if store._known(url_key, content_hash):
            self.result.duplicate += 1
            return
        h = _digest(content_hash)
        store._hashes.add(h)
        added.append((store._hashes, h))
        if url_key:
            u = _digest(url_key)
            store._urls.add(u)
            added.append((store._urls, u))
        aid = article_id_of(content_hash)
        row = {
            "article_id": aid, "doc_id": article.id, "content_hash": content_hash, "url": article.url,
            "url_key": url_key, "outlet": article.outlet, "title": article.title, "author": article.author,
            "published": article.date, "language": article.language, "text": article.text,
            "status": "coded", "n_events": 0, "source_input": source_input, "ingested_at": self.now,
        }
        if isinstance(payload, str):
            row.update(status="skipped", skip_reason=payload)
            self.result.skipped += 1
        else:
            row["n_events"] = self._events(article, aid, list(payload))
            self.result.ok += 1
        self.articles.append(row)

    def _error(self, err: InputError) -> None:
        self.errors.append({"input": err.input, "stage": err.stage, "reason": err.reason, "time": self.now,
                            "run_id": self.store.run_id})
        self.result.failed += 1

    def _events(self, article: Article, aid: str, events: list[Event]) -> int:
        """Group the article's events by the coder's key, match each group to a known event or make a
        new one, and stage the mentions; returns the number of mentions."""
        seen = article.date or self.today
        src = source_key(article, aid)
        groups: dict[tuple, list[Event]] = {}
        for e in events:
            if not isinstance(e, Event):
                raise TypeError(f"write_batch: {article.id}: expected Event, got {type(e).__name__}")
            groups.setdefault(e.key(), []).append(e)
        index = self.store._index
        glist = list(groups.values())
        keys = [_store_key(k) for k in groups]
        anchors = [(g[0].date or seen).toordinal() for g in glist]
        # Greedy one-to-one assignment, nearest dates first: two groups of this article that the coder
        # kept apart never land in the same event.
        pairs = []
        for gi, g in enumerate(glist):
            for dist, neg_rank, eid, packed in index.candidates(keys[gi], anchors[gi]):
                pairs.append((dist, neg_rank, eid, gi, packed))
        pairs.sort()
        target: dict[int, tuple[int, int]] = {}
        used: set[int] = set()
        for _dist, _nr, eid, gi, packed in pairs:
            if gi not in target and eid not in used:
                target[gi] = (eid, packed)
                used.add(eid)
        n_mentions = 0
        for gi, g in enumerate(glist):
            if len(g) == 1:  # the common case
                reports = g
                best = g[0]
                rank = DATE_RANK.get(best.date_source, 0) if best.date else 0
                dated = best if best.date else None
            else:
                # one mention per sentence: two cues of one sentence with the same key are one report
                by_sentence: dict[int, Event] = {}
                for e in g:
                    if e.sentence not in by_sentence or e.confidence > by_sentence[e.sentence].confidence:
                        by_sentence[e.sentence] = e
                reports = list(by_sentence.values())
                best = max(reports, key=lambda e: e.confidence)
                rank = max(DATE_RANK.get(e.date_source, 0) if e.date else 0 for e in reports)
                dated = next((e for e in reports if e.date and DATE_RANK.get(e.date_source, 0) == rank), None)
            if gi in target:
                eid, packed = target[gi]
                self._merge(eid, packed, keys[gi], g, best, rank, dated, aid, src, seen)
                self.result.events_merged += len(g)
            else:
                eid = self.store._next_event
                self.store._next_event += 1
                self._new(eid, keys[gi], best, rank, dated, anchors[gi], article, aid, src, seen, reports)
                self.result.events_new += 1
            for e in reports:
                self.mentions.append({
                    "event_id": eid, "article_id": aid, "sentence": e.sentence, "char_start": e.char_start,
                    "char_end": e.char_end, "confidence": float(e.confidence), "attribution": e.attribution,
                    "text": e.text, "cue": e.cue, "date": e.date, "date_source": e.date_source,
                    "source": src, "seen": seen,
                })
                self._count_actors(e, seen)
            n_mentions += len(reports)
        self.result.mentions += n_mentions
        return n_mentions

    def _new(self, eid: int, key: Key, best: Event, rank: int, dated: Event | None, anchor: int,
             article: Article, aid: str, src: str, seen: date, reports: list[Event]) -> None:
        row = {
            "event_id": eid, "event": best.event, "mode": best.mode, "modality": best.modality,
            **_described(best), **_actor_cols("actor", best.actor), **_actor_cols("recipient", best.recipient),
            "date": dated.date if dated else None, "date_source": dated.date_source if dated else "none",
            "anchor_date": date.fromordinal(anchor),
            **_located(best if len(reports) == 1 else
                       max((e for e in reports if e.location), key=lambda e: e.confidence, default=None)),
            "num_mentions": len(reports), "num_articles": 1, "num_sources": 1,
            "first_seen": seen, "last_seen": seen, "added_at": self.now,
            "article_id": aid, "sentence": min(e.sentence for e in reports),
            "source_url": article.url or article.id,
        }
        self.new_events[eid] = row
        self.new_event_sets[eid] = ({aid}, {src})
        self.store._index.add(key, anchor, rank, eid)

    def _merge(self, eid: int, packed: int, key: Key, group: list[Event], best: Event, rank: int,
               dated: Event | None, aid: str, src: str, seen: date) -> None:
        index = self.store._index
        _anchor, stored_rank, _ = unpack(packed)
        better_date = dated is not None and rank > stored_rank
        if better_date:
            index.replace(key, packed, dated.date.toordinal(), rank, eid)
        reports = {e.sentence: e for e in group}
        location = next((_located(e) for e in group if e.location), {})
        row = self.new_events.get(eid)
        if row is not None:  # reported earlier in this same batch: update the staged row
            arts, srcs = self.new_event_sets[eid]
            arts.add(aid)
            srcs.add(src)
            row.update(num_mentions=row["num_mentions"] + len(reports), num_articles=len(arts),
                       num_sources=len(srcs), first_seen=min(row["first_seen"], seen),
                       last_seen=max(row["last_seen"], seen))
            if best.confidence > row["confidence"]:
                row.update(_described(best))
            if better_date:
                row.update(date=dated.date, date_source=dated.date_source, anchor_date=dated.date)
            if row.get("location_text") is None and location:
                row.update(location)
            return
        upd = self.updates.get(eid)
        if upd is None:
            upd = self.updates[eid] = {"event_id": eid, "new_date": False, **_described(best)}
        elif best.confidence > upd["confidence"]:
            upd.update(_described(best))
        if better_date:
            upd.update(new_date=True, date=dated.date, date_source=dated.date_source, anchor_date=dated.date)
        if upd.get("location_text") is None and location:
            upd.update(location)

    def _count_actors(self, e: Event, seen: date) -> None:
        when = e.date or seen
        for actor, side in ((e.actor, "n_as_source"), (e.recipient, "n_as_target")):
            if actor is None or not (actor.country or actor.org or actor.sector):
                continue
            # cheap identity first; the actor_id string is built once per actor and batch
            ident = (actor.country, actor.org, actor.sector, actor.wikidata or (actor.name or "").lower())
            row = self.actors.get(ident)
            if row is None:
                row = self.actors[ident] = {
                    "actor_id": actor_id(actor), "code": actor.code(), "name": actor.name,
                    "country": actor.country, "org": actor.org, "sector": actor.sector,
                    "wikidata": actor.wikidata, "kind": actor.kind,
                    "n_mentions": 0, "n_as_source": 0, "n_as_target": 0, "first_seen": when, "last_seen": when,
                }
            row["n_mentions"] += 1
            row[side] += 1
            if when < row["first_seen"]:
                row["first_seen"] = when
            elif when > row["last_seen"]:
                row["last_seen"] = when


def open(path: str | PathLike[str] = "detente.duckdb", **options: Any) -> Store:  # noqa: A001
    """``detente.store.open("news.duckdb")``: the store at ``path``, created or upgraded as needed."""
    return Store(path, **options)
