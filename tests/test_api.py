"""The HTTP API over a store built by the real pipeline from the example article and the dated history
articles: every route, the filters, paging, and errors as JSON (404, 422, 413).

Nothing is hand-coded: the expected values come from the store itself (queried directly with DuckDB)
or from the knowledge base, and the API must agree with them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "nato_summit_call.txt"
HISTORY = REPO / "examples" / "history" / "history.jsonl"
PUBLISHED = date(2024, 7, 16)

PAYLOAD_IMG = '<img src=x onerror="window.__xss=1">'
PAYLOAD_SCRIPT = "<script>window.__xss=1</script>"
PAYLOAD_TITLE = f"{PAYLOAD_SCRIPT} Belousov call {PAYLOAD_IMG}"
PAYLOAD_TEXT = (
    f"Russia condemned NATO {PAYLOAD_SCRIPT} on Tuesday.\n\n"
    f"Russian Defence Minister Andrey Belousov telephoned U.S. Defense Secretary Lloyd Austin {PAYLOAD_IMG} "
    "on Friday to discuss the war."
)


def build_store(db: Path, coder, payload: bool = False) -> Path:
    """The example article and the history, ingested as ``detente ingest`` does; with ``payload``, an
    article whose title and text carry script payloads, coded by the same coder and stored through
    ``Store.write_batch``."""
    from detente.ingestion import ingest
    from detente.records import Article
    from detente.store import Store

    summary = ingest([str(EXAMPLE), str(HISTORY)], db, workers=1, progress=False, default_date=PUBLISHED,
                     coder=coder)
    assert summary.ok == 6 and summary.failed == 0, summary.line()
    if payload:
        art = Article(id="payload", text=PAYLOAD_TEXT, date=date(2024, 7, 20), title=PAYLOAD_TITLE,
                      url="https://evil.example/x?<script>", outlet=f"Evil {PAYLOAD_IMG} Wire")
        events = coder.code(art)
        assert any(PAYLOAD_IMG in e.text for e in events), "the payload sentence must be coded"
        with Store(db) as store:
            assert store.write_batch([(art, events)]).ok == 1
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory, coder) -> Path:
    return build_store(tmp_path_factory.mktemp("api") / "news.duckdb", coder)


@pytest.fixture(scope="module")
def con(db):
    with duckdb.connect(str(db), read_only=True) as c:
        yield c


@pytest.fixture(scope="module")
def client(db, coder):
    from detente.web import create_app

    with TestClient(create_app(db, coder=coder)) as c:
        yield c


def ok(client: TestClient, url: str, **kw) -> dict:
    r = client.get(url, **kw)
    assert r.status_code == 200, (url, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def error(client: TestClient, url: str, status: int, method: str = "GET", **kw) -> str:
    r = client.request(method, url, **kw)
    assert r.status_code == status, (url, r.status_code, r.text)
    body = r.json()
    assert set(body) >= {"error"} and isinstance(body["error"], str) and body["error"]
    return body["error"]


# -- events ---------------------------------------------------------------------------------------

def test_events_lists_every_stored_event_in_order(client, con):
    n = con.execute("SELECT count(*) FROM events").fetchone()[0]
    body = ok(client, "/api/events", params={"limit": 500})
    assert body["count"] == n and body["next_cursor"] is None
    keys = [(e["anchor_date"], e["event_id"]) for e in body["events"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize("params, where, args", [
    ({"actor": "RUS"}, "actor_country = ? OR actor_code = ? OR actor_org = ?", ["RUS"] * 3),
    ({"recipient": "NATO"}, "recipient_org = ? OR recipient_code = ? OR recipient_country = ?", ["NATO"] * 3),
    ({"actor": "USA GOV"}, "actor_code = ?", ["USAGOV"]),
    ({"country": "UKR"}, "actor_country = ? OR recipient_country = ?", ["UKR"] * 2),
    ({"type": "CONSULT,ACCUSE"}, "event IN (?, ?)", ["CONSULT", "ACCUSE"]),
    ({"modality": "negated"}, "modality = ?", ["negated"]),
    ({"since": "2024-01-01", "until": "2024-06-30"}, "anchor_date BETWEEN ? AND ?", [date(2024, 1, 1), date(2024, 6, 30)]),
    ({"min_mentions": 2}, "num_mentions >= ?", [2]),
])
def test_event_filters_match_the_store(client, con, params, where, args):
    expected = [r[0] for r in con.execute(
        f"SELECT event_id FROM events WHERE {where} ORDER BY anchor_date, event_id", args).fetchall()]
    got = [e["event_id"] for e in ok(client, "/api/events", params={**params, "limit": 500})["events"]]
    assert got == expected
    if params != {"min_mentions": 2}:
        assert got, f"the fixture store has events for {params}"


def test_dyad_filter_matches_either_direction(client, con):
    got = ok(client, "/api/events", params={"dyad": "RUS,USA", "limit": 500})["events"]
    assert {(e["actor_country"], e["recipient_country"]) for e in got} == {("RUS", "USA"), ("USA", "RUS")}
    n = con.execute("SELECT count(*) FROM events WHERE (actor_country = 'RUS' AND recipient_country = 'USA')"
                    " OR (actor_country = 'USA' AND recipient_country = 'RUS')").fetchone()[0]
    assert len(got) == n


def test_paging_by_offset_and_cursor_gives_every_event_once(client, con):
    n = con.execute("SELECT count(*) FROM events").fetchone()[0]
    by_offset, offset = [], 0
    while True:
        page = ok(client, "/api/events", params={"limit": 7, "offset": offset})
        by_offset += [e["event_id"] for e in page["events"]]
        if page["count"] < 7:
            break
        offset += 7
    by_cursor, cursor = [], None
    while True:
        page = ok(client, "/api/events", params={"limit": 7, **({"cursor": cursor} if cursor else {})})
        by_cursor += [e["event_id"] for e in page["events"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert by_offset == by_cursor and len(by_cursor) == len(set(by_cursor)) == n


def test_one_event_with_mentions_and_highlighted_cue(client, con):
    eid, cue = con.execute(
        "SELECT event_id, cue FROM events WHERE event = 'CONSULT' AND actor_country = 'RUS'"
        " AND recipient_country = 'USA' AND date = DATE '2024-07-12'").fetchone()
    body = ok(client, f"/api/events/{eid}")
    assert body["event"]["event_id"] == eid
    mentions = body["mentions"]
    assert mentions and all(m["event_id"] == eid for m in mentions)
    m = mentions[0]
    assert m["doc_id"] and m["article_id"]
    spans = m["cue_spans"]
    assert spans, "the cue is found in the sentence"
    marked = " ".join(m["text"][s:e] for s, e in spans).lower()
    assert marked.split()[0] == cue.lower().split()[0]


def test_dyad_series_agrees_with_the_analysis(client, db):
    from detente.analysis.dyad import dyad_index
    from detente.store import Store

    body = ok(client, "/api/dyad", params={"a": "RUS", "b": "USA", "by": "month"})
    with Store(db, read_only=True) as store:
        index = dyad_index(store, "RUS", "USA", by="month")
    assert body["rows"] == [{**r} for r in index.to_rows()]
    assert body["n_events"] == index.n_events > 0
    assert body["label"] == "RUS-USA"
    week = ok(client, "/api/dyad", params={"a": "RUS", "b": "USA", "since": "2024-06-01", "until": "2024-07-31"})
    assert all("2024-05-27" <= r["period"] <= "2024-07-31" for r in week["rows"])


def test_gaps_surprises_and_audit(client, db):
    g = ok(client, "/api/gaps", params={"a": "RUS", "b": "USA"})
    days = [c["date"] for c in g["contacts"]]
    assert "2024-07-12" in days and "2023-03-15" in days and days == sorted(days)
    s = ok(client, "/api/surprises", params={"limit": 5})["surprises"]
    assert 0 < len(s) <= 5 and [x["score"] for x in s] == sorted((x["score"] for x in s), reverse=True)
    one = ok(client, "/api/surprises", params={"dyad": "RUS,USA", "limit": 50})["surprises"]
    assert one and all(set(x["direction"].replace(" ", "->").split("->")) & {"RUS", "USA"} for x in one)
    from detente.analysis.audit import AuditStats, audit_store, to_rows

    stats = AuditStats()
    expected = json.loads(json.dumps(to_rows(audit_store(str(db), stats=stats)), default=str))
    a = ok(client, "/api/audit")
    assert a["findings"] == expected and a["total"] == len(expected)
    assert a["summary"] == stats.summary() and stats.articles == 6
    assert ok(client, "/api/audit", params={"since": "2030-01-01"})["findings"] == []


def test_map_counts_located_events_by_country(client, con):
    got = {c["iso3"]: c for c in ok(client, "/api/map")["countries"]}
    expected = dict(con.execute("SELECT location_country, count(*) FROM events WHERE location_country IS NOT NULL"
                                " GROUP BY 1").fetchall())
    assert {k: v["events"] for k, v in got.items()} == expected
    assert got["RUS"]["numeric"] == "643" and got["USA"]["numeric"] == "840"


def test_actor_search_and_detail_with_offices(client):
    found = ok(client, "/api/actors", params={"q": "Belousov"})["actors"]
    person = next(a for a in found if a["name"] == "Andrey Belousov")
    offices = person["offices"]
    defence = [o for o in offices if "Defence" in o["office"] or "Defense" in o["office"]]
    assert defence and defence[0]["start"].startswith("2024-05")
    assert person["n_mentions"] > 0
    rus = ok(client, "/api/actors/RUS")
    assert rus["kind"] == "state" and rus["name"] == "Russia"
    assert any(h["name"] == "Vladimir Putin" for h in rus["office_holders"])
    assert rus["events"] and rus["store"]
    nato = ok(client, "/api/actors/NATO")
    assert nato["kind"] == "igo" and nato["events"]
    if nato.get("wikidata"):
        assert ok(client, f"/api/actors/{nato['wikidata']}")["key"] == "NATO"
    error(client, "/api/actors/XYZQW", 404)


def test_article_detail_has_text_and_events(client, con):
    aid, title = con.execute("SELECT article_id, title FROM articles WHERE doc_id LIKE '%nato_summit_call%'").fetchone()
    body = ok(client, f"/api/articles/{aid}")
    assert body["article"]["article_id"] == aid and body["article"]["title"] == title
    assert "Belousov" in body["article"]["text"]
    assert body["mentions"] and all(m["text"] in body["article"]["text"] for m in body["mentions"])
    error(client, "/api/articles/0123456789abcdef", 404)


def test_meta(client, con):
    body = ok(client, "/api/meta")
    assert body["counts"]["events"] == con.execute("SELECT count(*) FROM events").fetchone()[0]
    assert "CONSULT" in body["types"] and body["actors"][0]["n"] >= body["actors"][-1]["n"]


# -- coding posted text ---------------------------------------------------------------------------

def test_code_posted_text_without_storing(client, con):
    before = con.execute("SELECT count(*) FROM events").fetchone()[0]
    r = client.post("/api/code", json={
        "text": "Russian Defence Minister Andrey Belousov telephoned U.S. Defense Secretary Lloyd Austin on Friday.",
        "date": "2024-07-16"})
    assert r.status_code == 200, r.text
    events = r.json()["events"]
    assert any(e["event"] == "CONSULT" and e["actor"]["country"] == "RUS" and e["recipient"]["country"] == "USA"
               for e in events)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == before


def test_code_body_cap_and_bad_bodies(client):
    big = "Russia condemned NATO. " * 5000  # ~115 KB
    assert "102400 bytes" in error(client, "/api/code", 413, method="POST", json={"text": big})
    # no Content-Length: the cap holds while the body streams in
    def stream():
        yield b'{"text": "'
        for _ in range(20):
            yield b"x" * 8192
        yield b'"}'

    error(client, "/api/code", 413, method="POST", content=stream(), headers={"content-type": "application/json"})
    error(client, "/api/code", 422, method="POST", json={"text": ""})
    error(client, "/api/code", 422, method="POST", json={"text": "Russia.", "date": "yesterday"})
    error(client, "/api/code", 422, method="POST", content=b"not json", headers={"content-type": "application/json"})


# -- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/api/events?actor=R",
    "/api/events?actor=RUS1",
    "/api/events?actor=' OR 1=1 --",
    "/api/events?since=2024-02-30",
    "/api/events?since=yesterday",
    "/api/events?since=2024-07-01&until=2024-01-01",
    "/api/events?type=HUG",
    "/api/events?limit=501",
    "/api/events?limit=0",
    "/api/events?offset=-1",
    "/api/events?cursor=abc",
    "/api/events?modality=maybe",
    "/api/events?min_mentions=0",
    "/api/events?dyad=RUS",
    "/api/events/0",
    "/api/events/abc",
    "/api/dyad?a=RUS",
    "/api/dyad?a=RUS&b=RUS",
    "/api/dyad?a=RUS&b=USA&by=year",
    "/api/gaps?a=RUS&b=USA&level=MILITARY",
    "/api/surprises?limit=1000",
    "/api/actors?q=",
    "/api/actors/DROP TABLE",
    "/api/articles/not-an-id",
])
def test_bad_parameters_are_422_json(client, url):
    reason = error(client, url, 422)
    assert "Traceback" not in reason


def test_unknown_things_are_404_json(client):
    error(client, "/api/events/99999999", 404)
    error(client, "/api/no-such-route", 404)


def test_openapi_describes_the_routes(client):
    spec = ok(client, "/openapi.json")
    paths = set(spec["paths"])
    assert {"/api/events", "/api/events/{event_id}", "/api/dyad", "/api/gaps", "/api/surprises", "/api/audit",
            "/api/actors", "/api/actors/{key}", "/api/articles/{article_id}", "/api/code", "/api/map"} <= paths
    params = {p["name"]: p for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == 500
    assert "pattern" in str(params["actor"]["schema"])


def test_repeated_queries_are_answered_from_the_cache(db):
    """The store is read-only while served: a repeated GET gets the same bytes without a new query."""
    from detente.web import create_app

    with TestClient(create_app(db, cache_size=8)) as c:
        cache = c.app.state.web.cache
        first = c.get("/api/dyad", params={"a": "RUS", "b": "USA"})
        again = c.get("/api/dyad", params={"b": "USA", "a": "RUS"})  # same query, other order
        assert first.status_code == again.status_code == 200 and first.content == again.content
        assert (cache.hits, cache.misses) == (1, 1)
        for i in range(12):  # least recently used answers leave
            c.get("/api/events", params={"limit": i + 1})
        assert len(cache._items) == 8
    with TestClient(create_app(db, cache_size=0)) as c:
        c.get("/api/meta")
        c.get("/api/meta")
        assert c.app.state.web.cache.hits == 0


def test_cache_memory_is_bounded():
    from detente.web.api import ResponseCache

    cache = ResponseCache(100)
    cache.MAX_BYTES = 1000
    for i in range(50):
        cache.put(f"k{i}", b"x" * 100)
    assert cache.bytes <= 1000 and len(cache._items) == 10 and cache.get("k49") and cache.get("k0") is None
    cache.put("big", b"x" * (ResponseCache.MAX_BODY + 1))
    assert cache.get("big") is None
