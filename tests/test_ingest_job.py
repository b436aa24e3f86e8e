"""``detente ingest`` end to end: the seed check, idempotence, non-English articles, bad inputs in a
batch, and the query and export commands on what was stored."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from detente.ingestion import ingest
from detente.ingest.readers import read_path
from detente.store import open as open_store

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_TXT = REPO / "examples" / "nato_summit_call.txt"
EXAMPLE_HTML = REPO / "examples" / "nato_summit_slideshow.html"
PUBLISHED = date(2024, 7, 16)

FRENCH = ("Le ministre russe de la Défense a téléphoné mardi à son homologue américain, a indiqué le Pentagone. "
          "Les deux hommes ne s'étaient pas parlé depuis plusieurs mois, selon des responsables qui ont "
          "demandé à ne pas être nommés. La conversation a porté sur la guerre en Ukraine et sur les moyens "
          "d'éviter une escalade entre les deux pays.")


_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})


def _plain(text: str) -> str:
    """The page uses typographic apostrophes and dashes where the text file has ASCII ones."""
    return text.translate(_TYPOGRAPHY)


def _triples(events) -> list[tuple]:
    return sorted((e.event, e.actor.code() if e.actor else "", e.recipient.code() if e.recipient else "",
                   _plain(e.text)) for e in events)


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory, coder) -> tuple[Path, list]:
    """The slideshow page twice and its plain-text version once, in one run and in a second run."""
    db = tmp_path_factory.mktemp("seed") / "news.duckdb"
    first = ingest([str(EXAMPLE_HTML), str(EXAMPLE_HTML), str(EXAMPLE_TXT)], db, workers=1, progress=False,
                   default_date=PUBLISHED, coder=coder)
    second = ingest([str(EXAMPLE_HTML)], db, workers=1, progress=False, default_date=PUBLISHED, coder=coder)
    return db, [first, second]


def test_seed_page_twice_and_text_once_is_one_article(seed_db):
    db, (first, second) = seed_db
    assert (first.ok, first.duplicate, first.failed) == (1, 2, 0)
    assert (second.ok, second.duplicate, second.events_new) == (0, 1, 0)
    with open_store(db, read_only=True) as store:
        stats = store.stats()
        assert stats["articles"] == 1
        art = store.articles()
        assert art.loc[0, "title"] and art.loc[0, "outlet"] and str(art.loc[0, "published"])[:10] == "2024-07-16"


def test_seed_events_equal_detente_code(seed_db, coder):
    """The stored mentions (of the page, stored first) are exactly what ``detente code`` gives for the
    plain text: same events from the same sentences (sentence numbers differ: the page's title is not
    part of its text)."""
    db, _ = seed_db
    art = next(read_path(EXAMPLE_TXT, default_date=PUBLISHED))
    expected = _triples(coder.code(art))
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("""
            SELECT e.event, coalesce(e.actor_code, ''), coalesce(e.recipient_code, ''), m.text
            FROM mentions m JOIN events e USING (event_id)""").fetchall()
    finally:
        con.close()
    assert sorted((*r[:3], _plain(r[3])) for r in rows) == expected and len(expected) >= 10
    consult = [r for r in rows if r[0] == "CONSULT" and r[1].startswith("RUS") and r[2].startswith("USA")]
    assert consult, "the Belousov -> Austin call"


def test_non_english_article_is_stored_with_its_language_and_not_coded(tmp_path, coder):
    src = tmp_path / "corpus.jsonl"
    src.write_text(json.dumps({"id": "fr-1", "text": FRENCH, "date": "2024-07-16", "url": "https://exemple.fr/a"})
                   + "\n" + json.dumps({"id": "en-1", "text": EXAMPLE_TXT.read_text(encoding="utf-8"),
                                        "date": "2024-07-16"}) + "\n", encoding="utf-8")
    db = tmp_path / "news.duckdb"
    s = ingest([str(src)], db, workers=1, progress=False, coder=coder)
    assert (s.ok, s.skipped, s.failed) == (1, 1, 0)
    with open_store(db, read_only=True) as store:
        arts = store.articles().set_index("doc_id")
    assert arts.loc["fr-1", "language"] == "fr" and arts.loc["fr-1", "status"] == "skipped"
    assert "only English is coded" in arts.loc["fr-1", "skip_reason"]
    assert arts.loc["en-1", "status"] == "coded" and arts.loc["en-1", "n_events"] > 0


def test_bad_inputs_in_a_batch_are_recorded_and_the_rest_is_stored(tmp_path, coder):
    good = tmp_path / "good.txt"
    good.write_text(EXAMPLE_TXT.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.html").write_bytes(b"\x00\x01\x02" * 100)
    lines = tmp_path / "lines.jsonl"
    lines.write_text('{"id": "ok", "text": "Russia accused NATO of provocation on Monday."}\n{broken\n', encoding="utf-8")
    db = tmp_path / "news.duckdb"
    seen = []
    s = ingest([str(tmp_path / n) for n in ("empty.txt", "binary.html", "good.txt", "lines.jsonl", "missing.txt")],
               db, workers=1, progress=False, default_date=PUBLISHED, coder=coder, on_error=seen.append)
    assert (s.ok, s.failed) == (2, 4)
    with open_store(db, read_only=True) as store:
        errors = store.errors()
        assert store.stats()["articles"] == 2
    reasons = dict(zip(errors["input"], errors["reason"]))
    assert "empty" in reasons[str(tmp_path / "empty.txt")]
    assert "binary" in reasons[str(tmp_path / "binary.html")]
    assert "no such file" in reasons[str(tmp_path / "missing.txt")]
    assert any(k.endswith("lines.jsonl:2") for k in reasons)
    assert len(seen) == 4


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "detente.cli", *args], capture_output=True, text=True, timeout=300)


def test_events_and_export_commands_on_the_seed_store(seed_db, tmp_path):
    db, _ = seed_db
    out = _cli("events", "--db", str(db), "--dyad", "RUS", "USA", "--json")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows and all({r["actor_country"], r["recipient_country"]} == {"RUS", "USA"} for r in rows)
    assert any(r["event"] == "CONSULT" and r["date"].startswith("2024-07-12") for r in rows)
    table = _cli("events", "--db", str(db), "--type", "ACCUSE", "--since", "2024-07-01")
    assert table.returncode == 0 and "ACCUSE" in table.stdout
    gdelt = tmp_path / "events.tsv"
    exp = _cli("export", "--db", str(db), "--format", "gdelt", "-o", str(gdelt))
    assert exp.returncode == 0, exp.stderr
    lines = gdelt.read_text(encoding="utf-8").splitlines()
    assert lines and all(len(line.split("\t")) == 61 for line in lines)
    bad = _cli("events", "--db", str(tmp_path / "nothing.duckdb"))
    assert bad.returncode != 0 and "no such event store" in bad.stderr


def test_batch_collector_pauses_and_restores_the_cycle_collector():
    """While workers code, the reading process collects once per batch; afterwards the collector is
    as the caller left it (what the run froze is unfrozen, a caller's own freeze is kept)."""
    import gc
    import weakref

    from detente.ingestion import _BatchCollector

    class Node:
        pass

    caller_froze = gc.get_freeze_count() > 0  # an in-process CLI test may have settled this process
    gc.unfreeze()
    try:
        with _BatchCollector(True) as collector:
            assert not gc.isenabled() and gc.get_freeze_count() > 0
            node = Node()
            node.self = node  # a cycle: only the collector frees it
            ref = weakref.ref(node)
            del node
            assert ref() is not None
            assert list(collector.paced([None], 1)) == [None]  # one input read: one collection
            assert ref() is None
            node = Node()
            node.self = node
            ref = weakref.ref(node)
            del node
            items = collector.paced(range(5), 3)
            assert [next(items) for _ in range(3)] == [0, 1, 2] and ref() is not None
            assert next(items) == 3 and ref() is None  # collected after the third input
        assert gc.isenabled() and gc.get_freeze_count() == 0
        with _BatchCollector(False):  # one worker: the coder runs here, the collector is left alone
            assert gc.isenabled() and gc.get_freeze_count() == 0
        gc.freeze()
        frozen = gc.get_freeze_count()
        with _BatchCollector(True):
            assert not gc.isenabled()
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.enable()
        gc.unfreeze()
        if caller_froze:
            gc.freeze()
