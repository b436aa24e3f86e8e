"""Dyad series from memory: the counted events of a read-only store, summed per dyad on request.

``dyad_index`` scans the events table for every series (about 80 ms of CPU on a million events), so
a dashboard whose every click is a new query could serve only a couple of dozen a second. The web
server opens the store read-only, so it reads once, at start-up, what the index counts: the asserted
events grouped by both sides' (country, organisation, sectors), day, type, mode and QuadClass with
their weight sums (weights, scores and modalities from ``detente.analysis.dyad``, in SQL, as
``_query`` computes them). Rows are sorted by the sides, so a request selects the few runs of rows
of its two actors and sums them per period with ``numpy.bincount``; the rest (filling the periods,
temperature, trend, change points) is ``detente.analysis.dyad.index_from_periods``, the step the
SQL path shares, so both answer the same (``tests/test_web_memory.py`` compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
import duckdb
import numpy as np
import pandas as pd

from detente.analysis import dyad as analysis

_SIDES = ("actor_country", "actor_org", "actor_sectors", "recipient_country", "recipient_org", "recipient_sectors")
"""Each side's country, organisation and set of sectors (the primary one and the others, as one
'GOV|MIL' string: ``ActorSpec.sql`` matches a sector against either)."""
_MISSING = -1
_UNKNOWN = -2
"""A code the store never holds: matches no row (NULLs are -1, so they match nothing either)."""


@dataclass
class DyadTable:
    """The grouped events, sorted by their six side columns, and the runs ("combos") of equal sides."""

    sector_sets: dict[str, np.ndarray]  # sector -> which vocabulary ids are sector sets holding it
    vocab: dict[str, int]
    combos: np.ndarray        # (n_combos, 6) side codes of each run
    bounds: np.ndarray        # (n_combos + 1,) row offsets of the runs
    day: np.ndarray           # days since 1970-01-01
    type_index: np.ndarray    # position of the event type in ``event_types()``, -1 if unknown
    quad: np.ndarray          # QuadClass 1-4, 0 if missing
    n: np.ndarray
    w: np.ndarray
    w2: np.ndarray
    wg: np.ndarray
    score: np.ndarray

    def __post_init__(self) -> None:
        self.side_columns = [np.ascontiguousarray(self.combos[:, i]) for i in range(6)]

    @property
    def rows(self) -> int:
        return len(self.day)

    @classmethod
    def build(cls, con: duckdb.DuckDBPyConnection) -> DyadTable:
        def sector_set(side: str) -> str:
            listed = f"coalesce({side}_sectors, []::VARCHAR[])"  # every store is migrated (schema 3)
            return (f"array_to_string(list_sort(list_distinct(list_filter(list_concat([{side}_sector], {listed}),"
                    f" lambda x: x IS NOT NULL))), '|') AS {side}_sectors")

        cte, cte_params = analysis.scores_cte()
        mods = analysis.modalities()
        types = analysis.event_types()
        sql = f"""
        WITH {cte},
        g AS (
            SELECT {", ".join(_SIDES)}, anchor_date, event, coalesce(mode, '') AS mode, quad_class,
                   count(*) AS n, sum(w) AS w, sum(w * w) AS w2, sum(w * {analysis.goldstein_sql()}) AS wg
            FROM (SELECT actor_country, actor_org, {sector_set("actor")}, recipient_country, recipient_org,
                         {sector_set("recipient")}, anchor_date, event, mode, quad_class, goldstein,
                         {analysis.weight_sql('e')} AS w FROM events e
                  WHERE modality IN ({", ".join("?" * len(mods))})
                    AND (actor_country IS NOT NULL OR actor_org IS NOT NULL)
                    AND (recipient_country IS NOT NULL OR recipient_org IS NOT NULL))
            GROUP BY ALL
        )
        SELECT {", ".join(f"g.{c}" for c in _SIDES)}, (g.anchor_date - DATE '1970-01-01')::INTEGER AS day,
               g.event, coalesce(g.quad_class, 0)::TINYINT AS quad, g.n, g.w, g.w2, g.wg,
               coalesce(sm.score, st.score, 0.0) AS score
        FROM g LEFT JOIN scores st ON st.event = g.event AND st.mode = ''
               LEFT JOIN scores sm ON sm.event = g.event AND sm.mode = g.mode AND g.mode <> ''
        WHERE g.anchor_date IS NOT NULL
        """
        cols = con.execute(sql, cte_params + mods).df()
        vocab: dict[str, int] = {}
        coded = [_encode(cols[c], vocab) for c in _SIDES]
        type_pos = {t: i for i, t in enumerate(types)}
        codes, names = pd.factorize(cols["event"])
        to_type = np.array([type_pos.get(t, -1) for t in names] + [-1], dtype=np.int16)
        type_index = to_type[codes]  # -1 (NULL) picks the trailing -1
        sides = np.stack(coded, axis=1) if coded and len(coded[0]) else np.zeros((0, 6), dtype=np.int32)
        order = np.lexsort(sides.T[::-1]) if len(sides) else np.zeros(0, dtype=np.int64)
        sides = sides[order]
        change = np.ones(len(sides), dtype=bool)
        if len(sides):
            change[1:] = np.any(sides[1:] != sides[:-1], axis=1)
        starts = np.flatnonzero(change)
        sets = np.unique(np.concatenate((sides[:, 2], sides[:, 5]))) if len(sides) else np.zeros(0, dtype=np.int32)
        names = {i: v for v, i in vocab.items()}
        sector_sets: dict[str, np.ndarray] = {}
        for i in sets.tolist():
            for sector in filter(None, names[i].split("|")):
                sector_sets.setdefault(sector, np.zeros(len(vocab), dtype=bool))[i] = True
        return cls(
            sector_sets=sector_sets,
            vocab=vocab, combos=sides[starts], bounds=np.append(starts, len(sides)),
            day=np.asarray(cols["day"], dtype=np.int32)[order], type_index=type_index[order],
            quad=np.asarray(cols["quad"], dtype=np.int8)[order], n=np.asarray(cols["n"], dtype=np.int64)[order],
            w=np.asarray(cols["w"], dtype=float)[order], w2=np.asarray(cols["w2"], dtype=float)[order],
            wg=np.asarray(cols["wg"], dtype=float)[order], score=np.asarray(cols["score"], dtype=float)[order])

    # -- a request ----------------------------------------------------------------------------------

    def _side(self, spec: analysis.ActorSpec, offset: int) -> np.ndarray:
        """Runs whose actor (offset 0) or recipient (offset 3) is ``spec``, as ``ActorSpec.sql`` says."""
        code = self.vocab.get(spec.code, _UNKNOWN)
        country, org, sector = self.side_columns[offset:offset + 3]
        if spec.kind == "country":
            hit = country == code
        elif spec.kind == "org":
            hit = org == code
        else:
            hit = (country == code) | (org == code)
        if spec.sector:
            holding = self.sector_sets.get(spec.sector)
            hit &= holding[sector] if holding is not None else False
        return hit

    def _rows(self, runs: np.ndarray) -> np.ndarray:
        starts, ends = self.bounds[runs], self.bounds[runs + 1]
        lengths = ends - starts
        if not lengths.sum():
            return np.zeros(0, dtype=np.int64)
        # row i of run k is starts[k] + (i - offset of run k in the output)
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return offsets + np.arange(int(lengths.sum()))

    def index(self, a: str, b: str, by: str = "week", since: date | None = None, until: date | None = None,
              directed: bool = False) -> analysis.DyadIndex:
        """What ``dyad_index(store, a, b, by=, since=, until=, directed=)`` answers."""
        spec_a, spec_b = analysis.dyad_specs(a, b, by)
        analysis.date_bounds(since, until, "anchor_date")  # refuses since after until, as the SQL path
        forward = self._side(spec_a, 0) & self._side(spec_b, 3)
        fwd_rows = self._rows(np.flatnonzero(forward))
        if directed:
            rows, ab = fwd_rows, np.ones(len(fwd_rows), dtype=bool)
        else:
            reverse = self._side(spec_b, 0) & self._side(spec_a, 3) & ~forward
            rev_rows = self._rows(np.flatnonzero(reverse))
            rows = np.concatenate((fwd_rows, rev_rows))
            ab = np.zeros(len(rows), dtype=bool)
            ab[:len(fwd_rows)] = True
        day = self.day[rows]
        if since is not None or until is not None:
            keep = np.ones(len(rows), dtype=bool)
            if since is not None:
                keep &= day >= (since - _EPOCH).days
            if until is not None:
                keep &= day <= (until - _EPOCH).days
            rows, ab, day = rows[keep], ab[keep], day[keep]
        cols = analysis.series_columns()
        if not len(rows):
            return analysis.index_from_periods(spec_a, spec_b, by, directed, since, until,
                                               np.zeros(0, dtype="datetime64[D]"), cols, np.zeros((0, len(cols))))
        number = analysis.period_number(day, by)
        first = int(number.min())
        slot = number - first
        k = int(slot.max()) + 1
        periods = analysis.period_of_number(np.arange(first, first + k), by)
        n = self.n[rows].astype(float)
        w, score = self.w[rows], self.score[rows]
        quad, types = self.quad[rows], self.type_index[rows]
        tone = analysis.settings()["tone"]
        n_types = len(analysis.event_types())
        by_type = np.bincount(slot * (n_types + 1) + np.where(types >= 0, types, n_types), weights=n,
                              minlength=k * (n_types + 1)).reshape(k, n_types + 1)[:, :n_types]
        by_quad = np.bincount(slot * 5 + quad, weights=n, minlength=k * 5).reshape(k, 5)[:, 1:]
        values = np.column_stack([
            np.bincount(slot, weights=n, minlength=k),
            np.bincount(slot, weights=n * ab, minlength=k),
            np.bincount(slot, weights=n * ~ab, minlength=k),
            by_quad, by_type,
            np.bincount(slot, weights=w, minlength=k),
            np.bincount(slot, weights=self.w2[rows], minlength=k),
            np.bincount(slot, weights=w * (score >= float(tone["cooperative_min"])), minlength=k),
            np.bincount(slot, weights=w * (score <= float(tone["conflictual_max"])), minlength=k),
            np.bincount(slot, weights=self.wg[rows], minlength=k),
            np.bincount(slot, weights=w * score, minlength=k),
        ])
        return analysis.index_from_periods(spec_a, spec_b, by, directed, since, until, periods, cols, values)


_EPOCH = date(1970, 1, 1)


def _encode(values: pd.Series, vocab: dict[str, int]) -> np.ndarray:
    """Strings -> ints of one shared vocabulary (NULL -> -1), so the sides compare as numbers."""
    codes, names = pd.factorize(values)
    to_vocab = np.array([vocab.setdefault(str(v), len(vocab)) for v in names] + [_MISSING], dtype=np.int32)
    return to_vocab[codes]
