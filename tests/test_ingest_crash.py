"""kill -9 during ``detente ingest``, then the same command again: every article exactly once.

2,000 generated articles (short wire copy from bench/corpus.py, so the run takes seconds) are ingested
once without interruption as the reference. Then, for several seeds, a fresh store is ingested, the
whole process group (writer and coding workers) is killed with SIGKILL at a random moment, and the same
command is run to the end. The store must then hold 2,000 articles, and the same events and mentions as
the reference: no article lost, none twice, no partial article, no duplicate event or mention.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from bench.corpus import generate

N_ARTICLES = 2000
SEEDS = (11, 23, 47)
DETENTE = [sys.executable, "-m", "detente.cli"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crash")
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for a in generate(N_ARTICLES, seed=5, sentences=(2, 6)):
            fh.write(json.dumps({"id": a.id, "text": a.text, "title": a.title, "date": a.date.isoformat()}) + "\n")
    return path


def _ingest(corpus: Path, db: Path, *, kill_after: float | None = None) -> subprocess.CompletedProcess | None:
    cmd = DETENTE + ["ingest", str(corpus), "--db", str(db), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    if kill_after is None:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the writer and its workers, as a crash would
        proc.wait()
    proc.communicate()
    return None


def _contents(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        return {
            "articles": q("SELECT count(*), count(DISTINCT content_hash) FROM articles")[0],
            "events": q("SELECT count(*) FROM events")[0][0],
            "mentions": q("SELECT count(*) FROM mentions")[0][0],
            "mention_keys": q("SELECT count(DISTINCT (event_id, article_id, sentence)) FROM mentions")[0][0],
            "orphans": q("SELECT count(*) FROM mentions m LEFT JOIN articles a USING (article_id) "
                         "WHERE a.article_id IS NULL")[0][0],
            "unmentioned": q("SELECT count(*) FROM events e WHERE NOT EXISTS "
                             "(SELECT 1 FROM mentions m WHERE m.event_id = e.event_id)")[0][0],
            # what each article contributed, keyed by content: equal to the reference run's if none is partial
            "per_article": dict(q("SELECT a.content_hash, count(m.event_id) FROM articles a "
                                  "LEFT JOIN mentions m USING (article_id) GROUP BY a.content_hash")),
            "event_keys": sorted(q("SELECT event, coalesce(actor_code, ''), coalesce(recipient_code, ''), "
                                   "cast(date AS VARCHAR), num_mentions FROM events"), key=str),
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> tuple[dict, float]:
    db = tmp_path_factory.mktemp("reference") / "ref.duckdb"
    t0 = time.monotonic()
    _ingest(corpus, db)
    wall = time.monotonic() - t0
    ref = _contents(db)
    assert ref["articles"] == (N_ARTICLES, N_ARTICLES)
    assert ref["events"] > 0 and ref["mentions"] >= ref["events"]
    return ref, wall


@pytest.mark.parametrize("seed", SEEDS)
def test_kill_9_then_rerun_stores_every_article_once(corpus, reference, tmp_path, seed):
    ref, wall = reference
    db = tmp_path / "news.duckdb"
    kill_after = random.Random(seed).uniform(0.5, max(1.0, 0.9 * wall))
    _ingest(corpus, db, kill_after=kill_after)
    if db.exists():
        partial = _contents(db)
        assert partial["articles"][0] == partial["articles"][1] <= N_ARTICLES
        assert partial["orphans"] == 0 and partial["unmentioned"] == 0
    rerun = _ingest(corpus, db)
    got = _contents(db)
    assert got["articles"] == (N_ARTICLES, N_ARTICLES)
    assert got["mentions"] == got["mention_keys"], "a mention stored twice"
    assert got["orphans"] == 0 and got["unmentioned"] == 0
    assert got["per_article"] == ref["per_article"], "an article stored with only part of its events"
    assert got["events"] == ref["events"] and got["event_keys"] == ref["event_keys"]
    # and a third run adds nothing
    again = _ingest(corpus, db)
    assert "0 ok" in again.stderr and _contents(db)["mentions"] == got["mentions"], again.stderr
    assert rerun is not None
