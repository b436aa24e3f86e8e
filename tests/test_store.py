"""The event store: schema migrations, idempotent batches, cross-article event dedup, queries, crash safety."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from detente.records import Actor, Article, Event, InputError, Location
from detente.store import SchemaError, Store, migrate
from detente.store import db as store_db
from detente.store.keys import normalize_url, source_key
from detente.store.schema import current_version, latest_version
from tests.conftest import REPO

# -- helpers ---------------------------------------------------------------------------------------------

RUS = Actor(text="Russia", name="Russia", country="RUS", kind="state")
RUSGOV = Actor(text="Russian Defence Minister Andrei Belousov", name="Andrey Belousov", country="RUS",
               sector="GOV", wikidata="Q1343437", kind="person")
USAGOV = Actor(text="Lloyd Austin", name="Lloyd Austin", country="USA", sector="GOV", wikidata="Q2578558",
               kind="person")
NATO = Actor(text="NATO", name="North Atlantic Treaty Organization", org="NATO", kind="igo")


def article(doc_id: str, text: str, day: date | None = date(2024, 7, 12), url: str | None = None,
            outlet: str | None = None) -> Article:
    return Article(id=doc_id, text=text, date=day, url=url, outlet=outlet, language="en")


def event(doc_id: str, sentence: int = 0, type_: str = "CONSULT", mode: str | None = "phone",
          actor: Actor | None = RUSGOV, recipient: Actor | None = USAGOV, day: date | None = date(2024, 7, 12),
          source: str = "text", modality: str = "asserted", confidence: float = 0.8,
          location: Location | None = None) -> Event:
    return Event(doc_id=doc_id, sentence=sentence, text=f"Sentence {sentence} of {doc_id}.", event=type_,
                 actor=actor, recipient=recipient, mode=mode, context=["diplomatic", "military"], cameo="041",
                 goldstein=1.0, quad_class=1, date=day, date_source=source if day else "none",
                 location=location, modality=modality, confidence=confidence, cue="phoned", rule="test",
                 char_start=sentence * 50, char_end=sentence * 50 + 40)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "news.duckdb") as s:
        yield s


def count(s: Store, sql: str, params: list | None = None) -> int:
    return s.con.execute(sql, params or []).fetchall()[0][0]


# -- identity rules --------------------------------------------------------------------------------------

def test_url_normalisation_drops_tracking_fragment_and_host_case():
    assert normalize_url("HTTPS://WWW.Example.COM:443/World/Story?id=7&utm_source=x&fbclid=abc#top") == \
        "https://www.example.com/World/Story?id=7"
    assert normalize_url("http://example.com") == "http://example.com/"
    assert normalize_url("http://example.com:8080/a?b=1") == "http://example.com:8080/a?b=1"
    assert normalize_url("  ") is None
    assert normalize_url("not a url") == "not a url"


def test_source_is_outlet_then_host_then_article():
    assert source_key(article("a", "x", url="https://www.bbc.co.uk/n/1", outlet=" The  Hill ")) == "the hill"
    assert source_key(article("a", "x", url="https://www.bbc.co.uk/n/1")) == "bbc.co.uk"
    assert source_key(article("a", "Some text.")).startswith("article:")


# -- schema ----------------------------------------------------------------------------------------------

def test_new_store_has_every_table_at_the_latest_version(store):
    assert current_version(store.con) == latest_version() == 3
    tables = {r[0] for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"schema_version", "articles", "events", "mentions", "actors", "errors", "runs"} <= tables


def test_version_1_store_is_upgraded_with_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, target=1) == 1
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert "actors" not in tables and "runs" not in tables
    con.execute("INSERT INTO articles (article_id, doc_id, content_hash, text, status, ingested_at)"
                " VALUES ('a1', 'doc', 'h1', 'Russia phoned.', 'coded', now())")
    con.execute("INSERT INTO events (event_id, event, mode, actor_code, actor_name, recipient_code, modality, date,"
                " date_source, anchor_date, num_mentions, num_articles, num_sources, first_seen, last_seen,"
                " added_at, confidence, article_id) VALUES (1, 'CONSULT', 'phone', 'RUSGOV', 'Andrey Belousov', 'USAGOV',"
                " 'asserted', DATE '2024-07-12', 'text', DATE '2024-07-12', 3, 2, 2, DATE '2024-07-12',"
                " DATE '2024-07-13', now(), 0.9, 'a1')")
    con.execute("INSERT INTO errors VALUES ('bad.html', 'read', 'binary file', now())")
    con.close()
    with Store(path) as s:
        assert current_version(s.con) == 3
        assert s.stats()["articles"] == 1 and s.stats()["events"] == 1
        actors = s.actors().set_index("actor_id")
        assert actors.loc["RUSGOV|andrey belousov", "n_as_source"] == 3
        assert actors.loc["USAGOV|", "n_as_target"] == 3
        errs = s.errors()
        assert list(errs["reason"]) == ["binary file"] and errs["run_id"].isna().all()
        # the upgraded store takes new writes and dedups against the old event
        r = s.write_batch([(article("n", "Belousov phoned Austin."), [event("n", actor=RUSGOV)])])
        assert (r.events_new, r.events_merged) == (0, 1)


def test_newer_store_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "future.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (99, 'from_the_future', now())")
    con.close()
    with pytest.raises(SchemaError, match="newer than this detente knows"):
        Store(path)


def test_a_foreign_database_is_not_taken_for_a_store(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(SchemaError, match="not a detente store"):
        Store(path)


# -- articles: stored once -------------------------------------------------------------------------------

def test_same_article_twice_is_stored_once(store):
    a = article("a1", "Belousov phoned Austin on Friday.", url="https://example.com/a")
    r1 = store.write_batch([(a, [event("a1")])])
    assert (r1.ok, r1.duplicate, r1.events_new) == (1, 0, 1)
    assert store.has_article(a) == "url"
    r2 = store.write_batch([(a, [event("a1")]), (a, [event("a1")])])
    assert (r2.ok, r2.duplicate, r2.events_new, r2.mentions) == (0, 2, 0, 0)
    assert store.stats()["articles"] == 1 and store.stats()["mentions"] == 1


def test_same_text_under_another_url_is_a_duplicate_and_same_url_too(store):
    text = "Belousov phoned Austin on Friday."
    store.write_batch([(article("a1", text, url="https://example.com/a?utm_source=rss"), [])])
    moved = article("a2", "  BELOUSOV phoned   Austin on Friday.  ", url="https://mirror.example.org/b")
    assert store.has_article(moved) == "content"
    edited = article("a3", "A different text altogether.", url="HTTPS://EXAMPLE.com/a#comments")
    assert store.has_article(edited) == "url"
    assert store.has_article(article("a4", "New story.", url="https://example.com/c")) is None
    r = store.write_batch([(moved, []), (edited, [])])
    assert r.duplicate == 2 and store.stats()["articles"] == 1


def test_duplicates_inside_one_batch_are_counted_not_stored(store):
    a = article("a1", "Russia accused NATO of escalation.")
    b = article("b1", "Russia accused NATO of escalation.", url="https://other.example/x")
    r = store.write_batch([(a, [event("a1")]), (b, [event("b1")])])
    assert (r.ok, r.duplicate) == (1, 1)
    assert store.stats()["articles"] == 1


def test_skipped_and_failed_inputs_are_recorded(store):
    fr = Article(id="fr.txt", text="Le ministre russe a appelé son homologue américain.", language="fr")
    r = store.write_batch([
        (fr, "not English (fr)"),
        InputError("bad.html", "read", "binary file"),
        (article("c1", "Some text that failed to code."), InputError("c1", "code", "parser crashed")),
    ])
    assert (r.ok, r.skipped, r.failed) == (0, 1, 2)
    arts = store.articles()
    assert list(arts["status"]) == ["skipped"] and list(arts["skip_reason"]) == ["not English (fr)"]
    assert list(arts["language"]) == ["fr"]
    errs = store.errors()
    assert sorted(errs["input"]) == ["bad.html", "c1"]
    assert set(errs["run_id"]) == {store.run_id}
    # the failed article was not stored: a re-run may code it again
    assert store.has_article(article("c1", "Some text that failed to code.")) is None
    assert store.add_errors([InputError("x.jsonl:3", "read", "not JSON")]) == 1
    assert store.runs()["failed"].sum() == 3


# -- batches are atomic ----------------------------------------------------------------------------------

def _items(n: int, start: int = 0) -> list:
    """Article i (published 12 July + 3i days) reports its own call and the accusation of 12 July + 3(i // 2):
    calls are three days apart (separate events), accusations come in pairs (one event, two mentions)."""
    day = date(2024, 7, 12)
    return [(article(f"d{i}", f"Story number {i}: Belousov phoned Austin.", day + timedelta(days=3 * i),
                     url=f"https://ex.com/{i}", outlet=f"Outlet {i % 3}"),
             [event(f"d{i}", 0, day=day + timedelta(days=3 * i)),
              event(f"d{i}", 1, type_="ACCUSE", mode=None, actor=RUS, recipient=NATO,
                    day=day + timedelta(days=3 * (i // 2)))])
            for i in range(start, start + n)]


def test_a_batch_that_fails_halfway_leaves_nothing(store, monkeypatch):
    store.write_batch(_items(4))
    before = store.stats()
    real = store_db.to_arrow

    def failing(table, rows):
        if table == "mentions":
            raise OSError("disk full")
        return real(table, rows)

    monkeypatch.setattr(store_db, "to_arrow", failing)
    batch = _items(4, start=4)
    with pytest.raises(OSError, match="disk full"):
        store.write_batch(batch)
    assert store.stats() == before
    assert all(store.has_article(a) is None for a, _ in batch)
    monkeypatch.setattr(store_db, "to_arrow", real)
    # the same batch goes through afterwards, as if the failed attempt never happened
    r = store.write_batch(batch)
    assert r.ok == 4 and store.stats()["articles"] == 8
    assert count(store, "SELECT count(*) - count(DISTINCT (event_id, article_id, sentence)) FROM mentions") == 0
    assert count(store, "SELECT count(*) FROM events e WHERE num_mentions <>"
                        " (SELECT count(*) FROM mentions m WHERE m.event_id = e.event_id)") == 0


def test_a_malformed_item_rejects_the_whole_batch(store):
    with pytest.raises(TypeError, match="expected InputError"):
        store.write_batch([_items(1)[0], "not an item"])
    assert store.stats()["articles"] == 0 and store.stats()["events"] == 0
    assert store.write_batch(_items(1)).ok == 1


_CHILD = """
import sys
from tests.test_store import _items
from detente.store import Store
with Store(sys.argv[1]) as s:
    for k in range(0, 240, 20):
        s.write_batch([it for it in _items(20, start=k) if not s.has_article(it[0])])
        print("batch", flush=True)
"""


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_9_then_rerun_stores_every_article_once(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "crash.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    kill_after = rng.randint(2, 10)
    for _ in range(kill_after):
        assert proc.stdout.readline() == "batch\n"
    time.sleep(rng.uniform(0, 0.05))  # land inside the next batch, or between two
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    with Store(path, read_only=True) as s:
        assert kill_after * 20 <= s.stats()["articles"] < 240
    rerun = subprocess.run([sys.executable, "-c", _CHILD, str(path)], cwd=REPO, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    with Store(path, read_only=True) as s:
        assert s.stats()["articles"] == 240
        assert count(s, "SELECT count(*) - count(DISTINCT (event_id, article_id, sentence)) FROM mentions") == 0
        assert count(s, "SELECT count(DISTINCT article_id) FROM mentions") == 240
        assert count(s, "SELECT count(*) FROM events e WHERE num_mentions <>"
                        " (SELECT count(*) FROM mentions m WHERE m.event_id = e.event_id)") == 0
        crashed = s.events()[["event", "actor_code", "date", "num_mentions", "num_articles"]]
    with Store(tmp_path / "clean.duckdb") as clean:
        for k in range(0, 240, 20):
            clean.write_batch(_items(20, start=k))
        # a crash and a re-run end with the same events as an uninterrupted run
        assert crashed.equals(clean.events()[["event", "actor_code", "date", "num_mentions", "num_articles"]])


# -- cross-article event dedup ---------------------------------------------------------------------------

def test_two_articles_on_the_same_call_make_one_event(coder, store):
    """Coded text: two differently worded reports of the Belousov-Austin call, a day apart."""
    a = article("pentagon", "Russian Defense Minister Andrei Belousov phoned U.S. Defense Secretary Lloyd Austin"
                " on Friday, the Pentagon said.", date(2024, 7, 12), url="https://example.com/pentagon",
                outlet="Reuters")
    b = article("moscow", "Andrei Belousov, the Russian defence minister, held a telephone conversation with his"
                " American counterpart Lloyd Austin on Friday, the ministry in Moscow said on Saturday.",
                date(2024, 7, 13), url="https://example.ru/moscow", outlet="TASS")
    r = store.write_batch([(a, coder.code(a))])
    r2 = store.write_batch([(b, coder.code(b))])
    assert (r.events_new, r2.events_new, r2.events_merged) == (1, 0, 1)
    ev = store.events(dyad=("USA", "RUS"), event="CONSULT")
    assert len(ev) == 1
    row = ev.iloc[0]
    assert (row.actor_code, row.recipient_code, row["mode"]) == ("RUSGOV", "USAGOV", "phone")
    assert (row.num_mentions, row.num_articles, row.num_sources) == (2, 2, 2)
    assert row.date.date() == date(2024, 7, 12) and row.date_source == "text"
    assert row.first_seen.date() == date(2024, 7, 12) and row.last_seen.date() == date(2024, 7, 13)
    assert "Pentagon" in row.text  # the more confident report describes the event
    mentions = store.mentions(int(row.event_id))
    assert sorted(mentions["outlet"]) == ["Reuters", "TASS"]
    assert list(mentions["char_start"]) == [0, 0]
    assert all(mentions["char_end"] > 100)


def test_same_outlet_counts_one_source_and_same_article_sentences_one_article(store):
    a = article("a", "Report one. Belousov phoned Austin again.", url="https://www.tass.ru/1")
    b = article("b", "Report two about the call.", date(2024, 7, 13), url="https://tass.ru/2")
    store.write_batch([(a, [event("a", 0), event("a", 1)]), (b, [event("b", 0)])])
    row = store.events().iloc[0]
    assert len(store.events()) == 1
    assert (row.num_mentions, row.num_articles, row.num_sources) == (3, 2, 1)


def test_dates_outside_the_window_are_different_events(tmp_path):
    items = [(article("a", "First."), [event("a", day=date(2024, 7, 12))]),
             (article("b", "Second."), [event("b", day=date(2024, 7, 13))]),
             (article("c", "Third."), [event("c", day=date(2024, 7, 16))])]
    with Store(tmp_path / "w1.duckdb") as s:
        s.write_batch(items)
        assert sorted(s.events()["num_mentions"]) == [1, 2]
    with Store(tmp_path / "w0.duckdb", window_days=0) as s:
        s.write_batch(items)
        assert len(s.events()) == 3
    with Store(tmp_path / "w7.duckdb", window_days=7) as s:
        s.write_batch(items)
        assert list(s.events()["num_mentions"]) == [3]


def test_key_parts_keep_events_apart(store):
    store.write_batch([
        (article("a", "Asserted."), [event("a")]),
        (article("b", "Negated."), [event("b", modality="negated")]),
        (article("c", "Other mode."), [event("c", mode="visit")]),
        (article("d", "Reversed."), [event("d", actor=USAGOV, recipient=RUSGOV)]),
        (article("e", "Same as a."), [event("e")]),
    ])
    ev = store.events()
    assert len(ev) == 4
    assert ev.num_mentions.max() == 2


def test_events_the_coder_kept_apart_in_one_article_stay_apart(store):
    # one article, same dyad and type on two consecutive days: two events, though within the window
    store.write_batch([(article("a", "Two calls."), [event("a", 0, day=date(2024, 7, 12)),
                                                     event("a", 1, day=date(2024, 7, 13))])])
    assert len(store.events()) == 2
    # a later report of the 13th joins the event of the 13th, not the nearer-in-id one
    store.write_batch([(article("b", "The second call."), [event("b", 0, day=date(2024, 7, 13))])])
    ev = store.events().set_index("date")
    assert ev.loc["2024-07-13", "num_mentions"] == 2 and ev.loc["2024-07-12", "num_mentions"] == 1


def test_a_more_precise_date_replaces_the_publication_date(store):
    store.write_batch([(article("a", "Belousov phoned Austin, officials said.", date(2024, 7, 13)),
                        [event("a", day=date(2024, 7, 13), source="publication")])])
    store.write_batch([(article("b", "Belousov phoned Austin on July 12.", date(2024, 7, 14)),
                        [event("b", day=date(2024, 7, 12), source="text")])])
    store.write_batch([(article("c", "The call, reported today.", date(2024, 7, 13)),
                        [event("c", day=date(2024, 7, 13), source="publication")])])
    ev = store.events()
    assert len(ev) == 1
    row = ev.iloc[0]
    assert row.date.date() == date(2024, 7, 12) and row.date_source == "text"
    assert row.anchor_date.date() == date(2024, 7, 12)
    assert row.num_mentions == 3
    # the mentions keep the dates each report gave
    assert sorted(store.mentions(int(row.event_id))["date_source"]) == ["publication", "publication", "text"]


def test_undated_events_match_on_the_publication_date(store):
    store.write_batch([(article("a", "Undated report.", date(2024, 7, 12)), [event("a", day=None)])])
    store.write_batch([(article("b", "Dated report.", date(2024, 7, 13)), [event("b", day=date(2024, 7, 12))])])
    row = store.events().iloc[0]
    assert len(store.events()) == 1
    assert row.date.date() == date(2024, 7, 12) and row.date_source == "text" and row.num_mentions == 2


def test_a_merged_event_gains_a_place_it_lacked_and_the_better_description(store):
    kyiv = Location(text="Kyiv", country="UKR", geonameid=703448, lat=50.45, lon=30.52)
    store.write_batch([(article("a", "Talks."), [event("a", confidence=0.5)])])
    store.write_batch([(article("b", "Talks in Kyiv."), [event("b", confidence=0.9, location=kyiv)])])
    row = store.events().iloc[0]
    assert row.location_text == "Kyiv" and row.location_geonameid == 703448
    assert row.confidence == pytest.approx(0.9) and row.text == "Sentence 0 of b."


def test_actors_are_counted_on_both_sides(store):
    store.write_batch(_items(3))
    actors = store.actors().set_index("code")
    assert actors.loc["RUSGOV", "n_as_source"] == 3 and actors.loc["USAGOV", "n_as_target"] == 3
    assert actors.loc["NATO", "n_as_target"] == 3 and actors.loc["NATO", "kind"] == "igo"
    assert actors.loc["RUS", "first_seen"].date() == date(2024, 7, 12)


def test_reopening_keeps_deduplicating(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        s.write_batch(_items(5))
        n_events = s.stats()["events"]
    with Store(path) as s:
        assert s.write_batch(_items(5)).duplicate == 5
        r = s.write_batch([(article("z", "Another report."), [event("z", day=date(2024, 7, 12))])])
        assert r.events_merged == 1 and s.stats()["events"] == n_events
        assert len(s.runs()) == 2


# -- queries ---------------------------------------------------------------------------------------------

def test_query_filters(store):
    store.write_batch(_items(6))
    ev = store.events
    assert len(ev()) == len(ev(since="2024-07-01"))
    assert set(ev(actor="RUS")["actor_code"]) == {"RUS", "RUSGOV"}
    assert set(ev(actor="rusgov")["actor_code"]) == {"RUSGOV"}
    assert set(ev(recipient="NATO")["event"]) == {"ACCUSE"}
    assert len(ev(dyad=("USA", "RUS"))) == len(ev(dyad=("RUS", "USA"))) == len(ev(event="CONSULT"))
    assert len(ev(country="USA")) == len(ev(event=["CONSULT"]))
    assert len(ev(event=["CONSULT", "ACCUSE"])) == len(ev())
    assert ev(until="2024-07-12")["anchor_date"].max().date() == date(2024, 7, 12)
    assert set(ev(min_mentions=2)["event"]) == {"ACCUSE"}
    assert len(ev(limit=2)) == 2
    assert len(ev(modality="negated")) == 0
    with pytest.raises(ValueError, match="not an ISO date"):
        ev(since="last week")


def test_hostile_filter_values_match_nothing_and_harm_nothing(store):
    store.write_batch(_items(2))
    n = store.stats()["events"]
    for hostile in ["RUS'; DROP TABLE events; --", "RUS' OR '1'='1", '"; DELETE FROM events; --']:
        assert store.events(actor=hostile).empty
        assert store.events(event=hostile).empty
        assert store.events(dyad=(hostile, "USA")).empty
        assert store.articles(outlet=hostile).empty
    assert store.stats()["events"] == n


def test_articles_mentions_and_stats(store):
    store.write_batch(_items(3))
    arts = store.articles(since="2024-07-13")  # published 12, 15, 18 July
    assert list(arts["doc_id"]) == ["d1", "d2"] and "text" not in arts
    assert "text" in store.articles(with_text=True)
    assert list(arts["n_events"]) == [2, 2]
    eid = int(store.events(event="ACCUSE").iloc[0]["event_id"])
    assert set(store.mentions(eid)["doc_id"]) == {"d0", "d1"}
    st = store.stats()
    assert st["articles"] == st["articles_coded"] == 3 and st["mentions"] == 6 and st["schema_version"] == 3


def test_read_only_store_refuses_writes(tmp_path):
    path = tmp_path / "ro.duckdb"
    Store(path).close()
    with Store(path, read_only=True) as s, pytest.raises(PermissionError):
        s.write_batch(_items(1))


def test_staged_rows_convert_as_from_pylist_would():
    """``staging.to_arrow`` converts row dicts as one struct array: the table equals what
    ``Table.from_pylist`` makes column by column (missing keys NULL, unknown keys ignored, lists,
    dates, timestamps), and a value of the wrong type fails with the same error."""
    import pyarrow as pa

    from detente.store import staging

    now = store_db._now()
    rows = [
        {"event_id": 1, "event": "CONSULT", "mode": "phone", "context": ["military", "diplomatic"],
         "actor_code": "RUSGOV", "actor_sectors": ["GOV", "MIL"], "date": date(2024, 7, 12), "added_at": now,
         "goldstein": 1.0, "quad_class": 1, "location_geonameid": 524901, "not_a_column": "ignored"},
        {"event_id": 2, "event": "ACCUSE", "context": [], "recipient_sectors": None, "confidence": 0.75},
        {},
    ]
    for table, batch in (("events", rows), ("mentions", [{"event_id": 1, "sentence": 3, "text": "t",
                                                           "seen": date(2024, 7, 13)}, {"cue": "x"}])):
        expected = pa.Table.from_pylist(batch, schema=staging.SCHEMAS[table])
        got = staging.to_arrow(table, batch)
        assert got.schema == expected.schema and got.equals(expected)
        assert got.to_pylist() == expected.to_pylist()
    bad = [{"event_id": 1, "sentence": "three"}]
    with pytest.raises(pa.ArrowInvalid) as expected_error:
        pa.Table.from_pylist(bad, schema=staging.SCHEMAS["mentions"])
    with pytest.raises(pa.ArrowInvalid) as error:
        staging.to_arrow("mentions", bad)
    assert str(error.value) == str(expected_error.value)
