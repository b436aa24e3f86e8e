"""Pages of events from memory: the listed columns of a read-only store in page order, with posting lists.

``GET /api/events`` pages through the events matching the CLI's filters in (anchor_date, event_id)
order. In SQL every new query scans and sorts the matching rows (and fetching 50 wide rows by key
still costs milliseconds of decompression), so the server reads the page columns once at start-up
into an Arrow table in page order, codes the filter columns as integers of one vocabulary, and keeps
for every actor code the sorted positions of the rows whose actor (or recipient, or either side's
country) it is. A request walks the smallest of its posting lists (or the date range), checks the
other filters on those rows only, and stops as soon as it has ``offset + limit + 1`` rows; the page
is ``take``n from the table. Same filters, order and rows as the SQL of ``detente.web.api``
(``tests/test_web_memory.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detente.web import render

_EPOCH = date(1970, 1, 1)
_UNKNOWN = -2
_CODED = ("actor_code", "actor_country", "actor_org", "recipient_code", "recipient_country", "recipient_org",
          "event", "modality")
_REPEATED = ("event", "mode", "modality", "cameo", "actor_code", "actor_name", "actor_country", "actor_org",
             "actor_sector", "recipient_code", "recipient_name", "recipient_country", "recipient_org",
             "recipient_sector", "date_source", "location_text", "location_country", "cue", "attribution")
"""Columns with few distinct values, kept dictionary-encoded (a fraction of the memory)."""

Check = Callable[[np.ndarray], np.ndarray]


@dataclass
class Postings:
    """Sorted row positions per value: ``positions[offsets[v]:offsets[v + 1]]``."""

    offsets: np.ndarray
    positions: np.ndarray

    @classmethod
    def of(cls, values: Sequence[np.ndarray], n_values: int) -> Postings:
        """Rows having value v in any of ``values`` (a row listed once per value)."""
        vals = np.concatenate([v for v in values])
        rows = np.concatenate([np.arange(len(v), dtype=np.int32) for v in values])
        keep = vals >= 0
        vals, rows = vals[keep], rows[keep]
        order = np.lexsort((rows, vals))
        vals, rows = vals[order], rows[order]
        if len(vals):
            dup = np.zeros(len(vals), dtype=bool)
            dup[1:] = (vals[1:] == vals[:-1]) & (rows[1:] == rows[:-1])
            vals, rows = vals[~dup], rows[~dup]
        offsets = np.searchsorted(vals, np.arange(n_values + 1))
        return cls(offsets, rows)

    def get(self, value: int) -> np.ndarray:
        if value < 0 or value + 1 >= len(self.offsets):
            return self.positions[:0]
        return self.positions[self.offsets[value]:self.offsets[value + 1]]


@dataclass
class PairPostings:
    """Sorted row positions per (actor value, recipient value): the rows of a dyad, one direction,
    without looking at any other row (a busy pair is a tenth of a busy actor's rows)."""

    keys: np.ndarray       # sorted distinct actor * n_values + recipient
    offsets: np.ndarray
    positions: np.ndarray
    n_values: int

    @classmethod
    def of(cls, actor: Sequence[np.ndarray], recipient: Sequence[np.ndarray], n_values: int) -> PairPostings:
        n_rows = len(actor[0]) if actor else 0
        parts = []
        rows = np.arange(n_rows, dtype=np.int64)
        for a in actor:
            for r in recipient:
                ok = (a >= 0) & (r >= 0)
                parts.append((a[ok].astype(np.int64) * n_values + r[ok]) * max(n_rows, 1) + rows[ok])
        packed = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        key, pos = np.divmod(packed, max(n_rows, 1))
        keys, starts = np.unique(key, return_index=True)
        return cls(keys, np.append(starts, len(key)), pos.astype(np.int32), n_values)

    def get(self, actor: int, recipient: int) -> np.ndarray:
        if actor < 0 or recipient < 0:
            return self.positions[:0]
        key = actor * self.n_values + recipient
        i = int(self.keys.searchsorted(np.int64(key)))
        if i >= len(self.keys) or self.keys[i] != key:
            return self.positions[:0]
        return self.positions[self.offsets[i]:self.offsets[i + 1]]


class EventTable:
    """The events of a read-only store in page order, ready to be filtered and paged."""

    def __init__(self, con: duckdb.DuckDBPyConnection, columns: str) -> None:
        table = con.sql(f"SELECT {columns} FROM events ORDER BY anchor_date, event_id").to_arrow_table()
        self.vocab: dict[str, int] = {}
        self.codes: dict[str, np.ndarray] = {}
        for name in _CODED:
            self.codes[name] = self._encode(table[name])
        self.day = (pc.cast(table["anchor_date"], pa.int32()).to_numpy(zero_copy_only=False)
                    if table.num_rows else np.zeros(0, dtype=np.int32))
        self.event_id = table["event_id"].to_numpy().astype(np.int64, copy=False)
        self.mentions = table["num_mentions"].to_numpy().astype(np.int64, copy=False)
        # columns of few values: the Python strings once, and an index per row (a fraction of the
        # memory; and a page's strings are picked from lists rather than made by Arrow)
        self.names = table.column_names
        self.repeated: dict[str, tuple[list[Any], np.ndarray]] = {}
        for name in _REPEATED:
            i = table.schema.get_field_index(name)
            if i >= 0 and pa.types.is_string(table.schema.field(i).type) and table.num_rows:
                enc = pc.dictionary_encode(table[name]).combine_chunks()
                values = enc.dictionary.to_pylist() + [None]
                index = enc.indices.fill_null(len(values) - 1).to_numpy()
                self.repeated[name] = (values, index.astype(np.int16) if len(values) < 2**15 else index)
        self.table = table.drop_columns(list(self.repeated)).combine_chunks()
        self.encoders = [render.repeated_encoder(*self.repeated[name]) if name in self.repeated
                         else render.column_encoder(self.table[name]) for name in self.names]
        n = len(self.vocab)
        c = self.codes
        self.actor = Postings.of([c["actor_code"], c["actor_country"], c["actor_org"]], n)
        self.recipient = Postings.of([c["recipient_code"], c["recipient_country"], c["recipient_org"]], n)
        self.country = Postings.of([c["actor_country"], c["recipient_country"]], n)
        self.event = Postings.of([c["event"]], n)
        self.pairs = PairPostings.of([c["actor_code"], c["actor_country"], c["actor_org"]],
                                     [c["recipient_code"], c["recipient_country"], c["recipient_org"]], n)

    @property
    def rows(self) -> int:
        return len(self.day)

    def _encode(self, column: pa.ChunkedArray) -> np.ndarray:
        if not len(column):
            return np.zeros(0, dtype=np.int32)
        enc = pc.dictionary_encode(column).combine_chunks()
        to_vocab = np.array([self.vocab.setdefault(v, len(self.vocab)) for v in enc.dictionary.to_pylist()]
                            + [-1], dtype=np.int32)
        idx = enc.indices.fill_null(len(enc.dictionary)).to_numpy()
        return to_vocab[idx]

    def code(self, value: str) -> int:
        return self.vocab.get(value, _UNKNOWN)

    # -- a request ----------------------------------------------------------------------------------

    def _side(self, prefix: str, value: str) -> tuple[np.ndarray, Check]:
        """``queries._side``: the actor's (or recipient's) full code, country or organisation."""
        v = self.code(value)
        code, country, org = (self.codes[f"{prefix}_{k}"] for k in ("code", "country", "org"))
        posting = (self.actor if prefix == "actor" else self.recipient).get(v)
        return posting, lambda p: (code[p] == v) | (country[p] == v) | (org[p] == v)

    def _pair(self, a: str, b: str) -> tuple[np.ndarray, Check]:
        """Events from ``a`` to ``b`` (each side as ``_side`` matches it)."""
        (_, from_a), (_, to_b) = self._side("actor", a), self._side("recipient", b)
        return self.pairs.get(self.code(a), self.code(b)), lambda p: from_a(p) & to_b(p)

    def find(self, *, actor: str | None = None, recipient: str | None = None, dyad: tuple[str, str] | None = None,
             country: str | None = None, event: list[str] | None = None, since: date | None = None,
             until: date | None = None, modality: str | None = None, min_mentions: int | None = None,
             after: tuple[date, int] | None = None, limit: int = 50, offset: int = 0) -> np.ndarray:
        """Positions of rows ``offset`` .. ``offset + limit - 1`` of the matching events in (anchor_date,
        event_id) order, as ``queries.event_filters`` selects them; ``after``: only events after this key."""
        lo, hi = 0, self.rows
        day = self.day.dtype.type  # search with the array's own type: another one copies the array
        if since is not None:
            lo = max(lo, int(self.day.searchsorted(day((since - _EPOCH).days), "left")))
        if until is not None:
            hi = min(hi, int(self.day.searchsorted(day((until - _EPOCH).days), "right")))
        if after is not None:
            d = day((after[0] - _EPOCH).days)
            a, b = self.day.searchsorted(d, "left"), self.day.searchsorted(d, "right")
            lo = max(lo, int(a + self.event_id[a:b].searchsorted(np.int64(after[1]), "right")))
        want = offset + limit
        if lo >= hi or limit <= 0:
            return np.zeros(0, dtype=np.int64)
        common: list[tuple[np.ndarray | None, Check]] = []
        if actor is not None:
            common.append(self._side("actor", actor))
        if recipient is not None:
            common.append(self._side("recipient", recipient))
        if country is not None:
            v = self.code(country)
            ac, rc = self.codes["actor_country"], self.codes["recipient_country"]
            common.append((self.country.get(v), lambda p: (ac[p] == v) | (rc[p] == v)))
        if event is not None:
            ids = np.array([self.code(t) for t in event])
            ev = self.codes["event"]
            common.append((self.event.get(int(ids[0])) if len(ids) == 1 else None, lambda p: np.isin(ev[p], ids)))
        if modality is not None:
            mv = self.code(modality)
            mod = self.codes["modality"]
            common.append((None, lambda p: mod[p] == mv))
        if min_mentions is not None:
            mentions, m = self.mentions, int(min_mentions)
            common.append((None, lambda p: mentions[p] >= m))
        branches = [common]
        if dyad is not None:
            a, b = dyad
            branches = [[self._pair(a, b), *common], [self._pair(b, a), *common]]
        found = [self._scan(branch, lo, hi, want) for branch in branches]
        positions = found[0] if len(found) == 1 else _union(found)
        return positions[offset:want]

    def rows_json(self, positions: np.ndarray) -> render.Raw:
        """The rows at ``positions`` as a JSON array: the text ``render.dumps(rows_at(positions))``
        gives, written column by column (a third of the CPU)."""
        if not len(positions):
            return render.Raw("[]")
        return render.rows(self.names, [encode(positions) for encode in self.encoders])

    def key(self, position: int) -> tuple[date, int]:
        """(anchor_date, event_id) of a row: where a cursor resumes."""
        return date.fromordinal(_EPOCH.toordinal() + int(self.day[position])), int(self.event_id[position])

    def rows_at(self, positions: np.ndarray) -> list[dict[str, Any]]:
        """The rows at ``positions`` as dicts of Python values, columns in the fetched order."""
        if not len(positions):
            return []
        cols = self.table.take(pa.array(positions)).to_pydict()
        for name, (values, index) in self.repeated.items():
            cols[name] = [values[i] for i in index[positions].tolist()]
        return [dict(zip(self.names, row)) for row in zip(*(cols[n] for n in self.names))]

    @staticmethod
    def _scan(clauses: list[tuple[np.ndarray | None, Check]], lo: int, hi: int, need: int) -> np.ndarray:
        """The first ``need`` positions in [lo, hi) passing every clause: the shortest posting list
        (else the range itself) is walked in growing chunks, the other clauses checked on its rows."""
        driver: np.ndarray | None = None
        driven = -1
        for i, (posting, _) in enumerate(clauses):
            if posting is not None:
                part = posting[posting.searchsorted(posting.dtype.type(lo)):posting.searchsorted(posting.dtype.type(hi))]
                if driver is None or len(part) < len(driver):
                    driver, driven = part, i
        checks = [check for i, (_, check) in enumerate(clauses) if i != driven]  # the driver's rows pass its own
        total = len(driver) if driver is not None else hi - lo
        out: list[np.ndarray] = []
        got, start, chunk = 0, 0, 4096
        while start < total and got < need:
            stop = min(total, start + chunk)
            p = driver[start:stop] if driver is not None else np.arange(lo + start, lo + stop, dtype=np.int64)
            if checks:
                keep = checks[0](p)
                for check in checks[1:]:
                    keep &= check(p)
                p = p[keep]
            out.append(p)
            got += len(p)
            start, chunk = stop, min(chunk * 2, 1 << 18)
        hits = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
        return hits[:need]


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """Sorted distinct positions of sorted arrays (``np.union1d``, whose hashing costs ten times
    more than sorting two sorted runs; a row is in both directions of a dyad only in odd cases)."""
    p = np.concatenate(parts)
    p.sort(kind="stable")  # two sorted runs: a merge
    if len(p) > 1:
        p = p[np.concatenate(([True], p[1:] != p[:-1]))]
    return p
