"""What the web server keeps of a read-only store in memory: the dyad table and the event table.

Built once when the app starts (about a second per million events for each, a few hundred MB per
million events), and only for a store opened read-only: then no writer can change it while the server
runs (DuckDB locks the file), so the tables stay exact. Should the file still change (its size or
modification time differs from the one read), the tables are dropped and the SQL path answers.
``DETENTE_WEB_MEMORY=0`` turns them off (the SQL path answers every request).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

from detente.store import Store
from detente.web.dyad_table import DyadTable
from detente.web.event_table import EventTable

log = logging.getLogger("detente.web")


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@dataclass
class Memory:
    dyads: DyadTable
    events: EventTable
    path: str
    stamp: tuple[int, int] | None

    @classmethod
    def build(cls, store: Store, list_columns: str) -> Memory:
        t0 = time.perf_counter()
        stamp = _stamp(store.path)
        cur = store.con.cursor()
        try:
            dyads = DyadTable.build(cur)
            events = EventTable(cur, list_columns)
            # the reads filled DuckDB's buffer pool with the whole events table (hundreds of MB per
            # million events) that the tables now hold: a lower limit evicts it, the default returns
            limit = cur.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            cur.execute("SET memory_limit = '64MB'")
            cur.execute(f"SET memory_limit = '{limit}'")
        finally:
            cur.close()
        log.info("in memory: %d events, %d dyad rows, in %.1f s", events.rows, dyads.rows, time.perf_counter() - t0)
        mem = cls(dyads, events, store.path, stamp)
        mem.warm_up()
        return mem

    def warm_up(self) -> None:
        """Answer one dyad series at start-up, so that the first request does not pay for loading the
        analysis' libraries (scipy's distributions, ruptures: about 1.4 s) while every other client
        waits behind it. Nothing is cached: the answer is thrown away."""
        from detente.analysis.dyad import AnalysisError

        try:
            index = self.dyads.index("USA", "RUS", by="week")
            index.to_rows(), index.summary(), index.trend, index.change_points
        except AnalysisError:  # a store without that pair still imported what the analysis needs
            pass

    def current(self) -> bool:
        """False once the store file differs from the one read (then the tables are not used)."""
        return _stamp(self.path) == self.stamp


# Above this many events the tables would cost gigabytes per server process and a minute to build:
# the SQL path answers instead (``DETENTE_WEB_MEMORY_MAX_EVENTS`` raises or lowers the bound).
DEFAULT_MAX_EVENTS = 5_000_000


def enabled() -> bool:
    return os.environ.get("DETENTE_WEB_MEMORY", "1").strip().lower() not in ("0", "no", "false", "off")


def fits(store: Store) -> bool:
    """Small enough to hold in memory (``DETENTE_WEB_MEMORY_MAX_EVENTS``, default 5 million events)."""
    raw = os.environ.get("DETENTE_WEB_MEMORY_MAX_EVENTS", "").strip()
    bound = int(raw) if raw.isdigit() else DEFAULT_MAX_EVENTS
    n = store.con.execute("SELECT count(*) FROM events").fetchone()[0]
    if n > bound:
        log.info("%d events: more than %d, answered from SQL, not held in memory", n, bound)
    return n <= bound
