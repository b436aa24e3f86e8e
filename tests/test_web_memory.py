"""The web server's in-memory tables answer exactly what the SQL path answers.

A store of generated events in the real schema (the load benchmark's generator: skewed actors with
sectors, IGOs, every PLOVER type, three modalities, events without recipient) is served twice: by the
SQL path (``DETENTE_WEB_MEMORY=0``) and from memory. Event pages must be byte-identical; dyad series
identical up to the last bits of floating-point sums (summed in another order), so every float is
compared to 1e-9 and everything else (periods, counts, rounded figures, change points) exactly.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def clients(tmp_path_factory, monkeypatch_module) -> tuple[TestClient, TestClient]:
    from bench.bench_web import build_store
    from detente.web import create_app

    db = tmp_path_factory.mktemp("memory") / "events.duckdb"
    build_store(db, 30_000)
    con = duckdb.connect(str(db))
    try:  # ministers: a primary sector and a second one (schema 3 keeps every sector of a side)
        if con.execute("SELECT count(*) FROM information_schema.columns WHERE column_name = 'actor_sectors'").fetchone()[0]:
            con.execute("UPDATE events SET actor_sectors = [actor_sector, 'MIL'] WHERE event_id % 5 = 0 AND actor_sector = 'GOV'")
            con.execute("UPDATE events SET recipient_sectors = ['GOV', recipient_sector]"
                        " WHERE event_id % 3 = 0 AND recipient_sector = 'SPY'")
        # what the columnar JSON of a page must write as dumps does: nulls among numbers and dates,
        # lists, quotes, control characters and non-ASCII text
        con.execute("UPDATE events SET goldstein = NULL, quad_class = NULL WHERE event_id % 97 = 0")
        con.execute("UPDATE events SET date = NULL WHERE event_id % 17 = 0")
        con.execute("UPDATE events SET context = ['elections', 'nuclear'] WHERE event_id % 11 = 0")
        con.execute("UPDATE events SET text = 'Er sagte: \"Nein\" \u2014 ' || chr(10) || chr(9) || '\\ ☃ ' || text,"
                    " attribution = 'Reuters \"wire\"' WHERE event_id % 13 = 0")
    finally:
        con.close()
    monkeypatch_module.setenv("DETENTE_WEB_MEMORY", "0")
    sql_app = create_app(db, cache_size=0)
    assert sql_app.state.web.memory is None
    monkeypatch_module.setenv("DETENTE_WEB_MEMORY", "1")
    monkeypatch_module.setenv("DETENTE_WEB_MEMORY_MAX_EVENTS", "29999")  # a store above the bound: SQL
    assert create_app(db, cache_size=0).state.web.memory is None
    monkeypatch_module.delenv("DETENTE_WEB_MEMORY_MAX_EVENTS")
    mem_app = create_app(db, cache_size=0)
    assert mem_app.state.web.memory is not None and mem_app.state.web.memory.events.rows == 30_000
    with TestClient(sql_app) as sql, TestClient(mem_app) as mem:
        yield sql, mem


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def same(a, b, path: str = "") -> None:
    if isinstance(a, float) and isinstance(b, float):
        assert abs(a - b) <= 1e-9 * max(1.0, abs(a)), f"{path}: {a} != {b}"
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: {len(a)} != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


DYADS = [("RUS", "USA"), ("BRA", "ZAF"), ("USA MIL", "RUS"), ("NATO", "RUS GOV"), ("EU", "UNO"), ("RUS", "ATA"),
         ("RUS MIL", "USA GOV")]


@pytest.mark.parametrize("a,b", DYADS)
def test_dyad_series_from_memory_equal_sql(clients, a: str, b: str) -> None:
    sql, mem = clients
    checked = 0
    for by in ("day", "week", "month"):
        for bounds in ({}, {"since": "2023-03-08"}, {"since": "2024-01-01", "until": "2024-06-30"},
                       {"until": "2023-02-01"}):
            for directed in ("false", "true"):
                url = "/api/dyad?" + urlencode({"a": a, "b": b, "by": by, "directed": directed, **bounds})
                x, y = sql.get(url), mem.get(url)
                assert x.status_code == y.status_code == 200, url
                same(x.json(), y.json(), url)
                checked += 1
    assert checked == 24


def test_dyad_series_has_content(clients) -> None:
    """The comparison is not between two empty answers: a busy pair has a trend and periods with events."""
    _, mem = clients
    body = mem.get("/api/dyad?a=RUS&b=USA&by=month").json()
    assert body["n_events"] > 100 and body["trend"] is not None
    assert sum(r["events"] for r in body["rows"]) == body["n_events"]
    assert mem.get("/api/dyad?a=RUS&b=ATA").json()["n_events"] == 0


def test_dyad_errors_from_memory_equal_sql(clients) -> None:
    sql, mem = clients
    for query in ("a=RUS&b=RUS", "a=RUS&b=USA&since=2024-02-01&until=2024-01-01", "a=RUS%20XX1&b=USA"):
        x, y = sql.get("/api/dyad?" + query), mem.get("/api/dyad?" + query)
        assert x.status_code == y.status_code and x.status_code in (422,) and x.content == y.content, query


def test_event_pages_from_memory_equal_sql(clients) -> None:
    from bench.bench_web import requests_mix

    sql, mem = clients
    queries = [{**p, "offset": p["offset"] % 400}  # the generator's offsets are for a million events
               for name, _, p in requests_mix(400, random.Random(11), distinct=True) if name == "events"]
    queries += [
        {"dyad": "RUS,USA", "limit": 500}, {"dyad": "USA MIL,RUS", "offset": 3}, {"actor": "NATO", "recipient": "RUS"},
        {"type": "CONSULT,ACCUSE", "modality": "negated", "min_mentions": 2}, {"country": "UKR", "until": "2023-06-30"},
        {"recipient": "RUSGOV", "since": "2025-01-01"}, {"actor": "XYZ"}, {"type": "AID", "offset": 100000}, {},
        {"actor": "RUS", "since": "2024-05-05", "until": "2024-05-05", "limit": 3},
    ]
    nonempty = 0
    for params in queries:
        url = "/api/events?" + urlencode(params)
        x, y = sql.get(url), mem.get(url)
        assert x.status_code == y.status_code == 200, url
        assert x.content == y.content, url
        nonempty += bool(x.json()["events"])
    assert nonempty > len(queries) // 2


def test_event_cursor_pages_from_memory_equal_sql(clients) -> None:
    """Following ``next_cursor`` page by page gives the same events both ways, with no repeat."""
    sql, mem = clients
    for params in ({"dyad": "CHN,USA", "limit": 40}, {"actor": "IRN", "type": "THREATEN", "limit": 7}):
        cur_sql = cur_mem = None
        seen: set[int] = set()
        for _ in range(5):
            x = sql.get("/api/events?" + urlencode({**params, **({"cursor": cur_sql} if cur_sql else {})})).json()
            y = mem.get("/api/events?" + urlencode({**params, **({"cursor": cur_mem} if cur_mem else {})})).json()
            assert x == y
            ids = {e["event_id"] for e in x["events"]}
            assert not ids & seen
            seen |= ids
            cur_sql, cur_mem = x["next_cursor"], y["next_cursor"]
            if cur_sql is None:
                break
        assert len(seen) > params["limit"]


def test_memory_dropped_when_store_file_changes(clients, tmp_path: Path) -> None:
    """A changed store file is never answered from the tables read before the change."""
    import os

    _, mem = clients
    web = mem.app.state.web
    memory = web.memory
    assert memory.current()
    old = memory.stamp
    try:
        memory.stamp = (old[0] - 1, old[1])  # as if the file had been written since
        assert mem.get("/api/events?limit=1").status_code == 200
        assert web.memory is None
    finally:
        memory.stamp = old
        web.memory = memory
    assert json.loads(mem.get("/api/events?limit=1").content)["count"] == 1
    assert os.path.exists(memory.path)


def test_event_rows_written_from_columns_equal_dumps(clients) -> None:
    """A page's JSON is written column by column (``EventTable.rows_json``): the same text as
    ``dumps`` of the rows' dicts, nulls, NaN, dates, lists and escapes included."""
    import numpy as np

    from detente.web import render

    _, mem = clients
    events = mem.app.state.web.memory.events
    rng = np.random.default_rng(5)
    special = np.array([96, 16, 10, 12, 0, events.rows - 1])  # rows of the fixture's odd values
    for n in (0, 1, 7, 50, 500):
        positions = np.sort(np.unique(np.concatenate([rng.choice(events.rows, n, replace=False), special[:n]])))
        text = events.rows_json(positions)
        assert text == render.dumps(events.rows_at(positions))
        assert len(json.loads(text)) == len(positions)
    odd = json.loads(events.rows_json(special))
    assert any(r["goldstein"] is None for r in odd) and any(r["quad_class"] is None for r in odd)
    assert any(r["date"] is None for r in odd) and any(r["context"] == ["elections", "nuclear"] for r in odd)
    assert any('"Nein"' in r["text"] and "\n\t\\ \u2603" in r["text"] for r in odd)


@pytest.mark.parametrize("a,b", DYADS)
def test_dyad_rows_written_from_columns_equal_to_rows(clients, a: str, b: str) -> None:
    """``api.dyad_rows`` writes ``DyadIndex.to_rows()``'s JSON from the columns: same keys, same text."""
    from datetime import date

    from detente.web import api, render

    _, mem = clients
    dyads = mem.app.state.web.memory.dyads
    for by in ("day", "week", "month"):
        for since in (None, date(2023, 3, 8)):
            index = dyads.index(a, b, by=by, since=since)
            rows = index.to_rows()
            assert api.dyad_rows(index) == render.dumps(rows), (a, b, by, since)
            if rows:
                assert tuple(rows[0]) == api._DYAD_ROW


def test_column_encoders_write_what_dumps_writes() -> None:
    """Every kind of column a page may hold, NaN and infinities (null, as ``dumps`` cleans them) included."""
    from datetime import date, datetime

    import numpy as np
    import pyarrow as pa

    from detente.web import render

    columns = {
        "i": pa.array([1, None, -7, 2**40], pa.int64()), "small": pa.array([3, 1, None, 0], pa.int8()),
        "f": pa.array([0.1, float("nan"), None, -0.0]), "inf": pa.array([float("inf"), -float("inf"), 1e300, 2.5e-7]),
        "d": pa.array([date(2024, 2, 29), None, date(1, 1, 1), date(9999, 12, 31)], pa.date32()),
        "s": pa.array(['a "q"', None, "\n\t\\ \u2603 \x00", ""]), "l": pa.array([[], None, ["x", 'y"'], [None]]),
        "b": pa.array([True, False, None, True]), "t": pa.array([datetime(2024, 1, 2, 3, 4, 5), None, None, None]),
    }
    table = pa.table(columns)
    expected = render.dumps(table.to_pylist())
    positions = np.arange(4)
    assert render.rows(table.column_names, [render.column_encoder(table[c])(positions) for c in table.column_names]) \
        == expected
    assert json.loads(expected)[1]["f"] is None and json.loads(expected)[0]["inf"] is None
    values, index = ["x", None, "\u00e9"], np.array([2, 1, 0, 0])
    assert render.repeated_encoder(values, index)(positions) == ['"\u00e9"', "null", '"x"', '"x"']
