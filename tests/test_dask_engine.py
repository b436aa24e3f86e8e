"""The Dask engine: a LocalCluster of 2 worker processes on loopback codes a generated corpus into
Parquet, the merge loads it into a store, and the store equals the one the local engine writes.

The corpus holds a bad JSON line, a record dated 9999-12-31 (refused by the reader: a publication
date in the future) and a repeated story, so the comparison covers the error paths too. The coder no
longer has a known input that makes it raise, so an article the coder fails on is made by a fault put
into the workers' coder for one article id (``test_an_article_the_coder_fails_on_...``).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from bench.corpus import generate
from detente.ingest.readers import read_path
from detente.scale import ingest_dask, merge, plan_partitions, read_partition, start_local_cluster

FUTURE_DATED = {"id": "dated-9999", "text": "Russia will attack Ukraine tomorrow, officials in Kyiv said.",
          "date": "9999-12-31"}
N_ARTICLES = 240


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dask_corpus") / "corpus.jsonl"
    articles = generate(N_ARTICLES, seed=11, sentences=(3, 8))
    lines = [json.dumps({"id": a.id, "text": a.text, "title": a.title, "date": a.date.isoformat()})
             for a in articles]
    lines.insert(40, '{"id": "broken", "text": "cut in half')
    lines.insert(100, json.dumps(FUTURE_DATED))
    again = articles[5]  # the same story under another id, far from the first copy: another partition
    lines.append(json.dumps({"id": "repeat", "text": again.text, "title": again.title,
                             "date": again.date.isoformat()}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client():
    from distributed import Client

    cluster = start_local_cluster(2)
    c = Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def local_db(corpus, tmp_path_factory, coder) -> Path:
    """The local engine's store of the same corpus (in-process, with the session's Coder)."""
    from detente.ingestion import ingest

    db = tmp_path_factory.mktemp("dask_local") / "local.duckdb"
    summary = ingest([str(corpus)], db, workers=1, progress=False, coder=coder)
    assert summary.ok > 0
    return db


def _snapshot(db: Path) -> dict:
    from detente.store import open as open_store

    with open_store(db, read_only=True) as s:
        con = s.con
        return {
            "events": Counter(con.execute("SELECT event, actor_code, recipient_code, date, num_mentions "
                                          "FROM events").fetchall()),
            "articles": sorted(r[0] for r in con.execute("SELECT content_hash FROM articles").fetchall()),
            "mentions": con.execute("SELECT count(*) FROM mentions").fetchone()[0],
            "errors": Counter(con.execute("SELECT input, stage, reason FROM errors").fetchall()),
        }


def _part_size(corpus: Path) -> int:
    return corpus.stat().st_size // 6 + 1


def test_partitions_read_exactly_what_the_whole_file_holds(corpus):
    parts = plan_partitions([str(corpus)], _part_size(corpus))
    assert len(parts) >= 5 and all(p.start is not None for p in parts)
    assert [x for p in parts for x in read_partition(p)] == list(read_path(corpus))


def test_a_folder_is_grouped_into_partitions_read_as_the_local_engine_reads_it(tmp_path):
    import gzip

    from detente.ingestion import iter_sources

    folder = tmp_path / "news"
    (folder / "sub").mkdir(parents=True)
    for a in generate(7, seed=5, sentences=(3, 5)):
        (folder / f"{a.id}.txt").write_text(a.text, encoding="utf-8")
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    (folder / "sub" / "binary.html").write_bytes(b"\x00\x01\x02" * 100)
    with gzip.open(folder / "sub" / "more.jsonl.gz", "wt", encoding="utf-8") as fh:
        for a in generate(3, seed=6, sentences=(3, 5)):
            fh.write(json.dumps({"id": a.id, "text": a.text}) + "\n")
        fh.write("{oops\n")
    expected = list(iter_sources([str(folder)]))
    parts = plan_partitions([str(folder), "https://example.org/feed.xml"], 2_000)
    assert 2 < len(parts) < 12 and any(len(p.paths) > 1 for p in parts)
    got = [x for p in parts for x in read_partition(p)]
    assert got[:-1] == expected
    assert got[-1].input == "https://example.org/feed.xml" and "--engine local" in got[-1].reason


def test_dask_engine_gives_the_local_engine_store(client, corpus, local_db, tmp_path):
    out = tmp_path / "parquet"
    s = ingest_dask([str(corpus)], out, client=client, partition_size=_part_size(corpus), progress=False)
    assert s.partitions >= 5 and s.partitions_failed == 0 and s.workers == 2
    by_input = {e.input: e for e in s.errors}
    assert f"{corpus}:41" in by_input and by_input[f"{corpus}:41"].stage == "read"
    assert by_input[f"{corpus}:101"].stage == "read" and "future" in by_input[f"{corpus}:101"].reason

    # date-partitioned Parquet, readable as a Hive dataset
    months = sorted(p.name for p in (out / "mentions").iterdir())
    assert len(months) >= 6 and all(m.startswith("month=2024-") for m in months)
    import duckdb

    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_parquet('{out}/mentions/*/*.parquet', hive_partitioning=true)"
                    ).fetchone()[0]
    con.close()
    assert n == s.events > 0

    db = tmp_path / "dask.duckdb"
    m = merge(out, db)
    assert m.partitions == s.partitions and not m.incomplete
    dask_state, local_state = _snapshot(db), _snapshot(local_db)
    assert dask_state == local_state
    assert len(dask_state["articles"]) == N_ARTICLES  # the repeated story is stored once, the 9999 record not

    # a re-run overwrites the same files; merging it (twice) adds nothing
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    ingest_dask([str(corpus)], out, client=client, partition_size=_part_size(corpus), progress=False)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == files
    # a partition without its manifest (job stopped, or still running) is left out and named
    first = sorted((out / "_partitions").glob("*.json"))[0]
    first.rename(tmp_path / first.name)
    partial = merge(out, tmp_path / "partial.duckdb")
    assert partial.incomplete == [first.stem] and partial.partitions == s.partitions - 1
    (tmp_path / first.name).rename(first)

    again = merge(out, db)
    assert again.ok == 0 and again.events_new == 0 and again.events_merged == 0 and again.failed == 0
    assert again.duplicate == N_ARTICLES + 1
    assert _snapshot(db) == dask_state


def test_a_worker_killed_mid_partition_loses_nothing(client, corpus, local_db, tmp_path):
    """SIGKILL a worker process while it codes a partition; the nanny restarts it, the scheduler
    gives the partition to a worker again, and the store is the same."""
    pids = client.run(os.getpid)
    killed: list[str] = []
    stop = threading.Event()

    def kill_one() -> None:
        while not stop.is_set() and not killed:
            busy = {w: ks for w, ks in client.processing().items() if any("detente-" in str(k) for k in ks)}
            if busy:
                time.sleep(0.2)  # well into the partition
                for w, ks in client.processing().items():
                    if ks and w in pids:
                        os.kill(pids[w], signal.SIGKILL)
                        killed.append(w)
                        return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one, daemon=True)
    killer.start()
    out, db = tmp_path / "parquet", tmp_path / "dask.duckdb"
    try:  # merged as the partitions finish, this time
        s = ingest_dask([str(corpus)], out, client=client, partition_size=_part_size(corpus), progress=False,
                        db=db)
    finally:
        stop.set()
        killer.join(5)
    assert killed, "no worker was killed while coding"
    assert s.partitions_failed == 0 and s.merged is not None and s.merged.partitions == s.partitions
    assert _snapshot(db) == _snapshot(local_db)
    assert not list(out.rglob("*.tmp"))  # no half-written file left behind


def test_an_article_the_store_refuses_is_an_error_and_the_rest_is_merged(client, tmp_path):
    """An event dated at the end of the calendar cannot be placed in the store's date index; the merge
    names its article and stores the others. The coder and the reader no longer produce such a date,
    so the partition's Parquet is edited as another tool (or an older detente) could have left it."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    articles = generate(6, seed=3, sentences=(3, 6))
    recs = [{"id": a.id, "text": a.text, "date": a.date.isoformat()} for a in articles]
    recs.insert(3, {"id": "end-of-time", "text": "Russia attacked Ukraine yesterday, officials in Kyiv said.",
                    "date": articles[3].date.isoformat()})
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    s = ingest_dask([str(path)], tmp_path / "out", client=client, progress=False)
    assert s.coded == 7 and s.failed == 0
    edited = 0
    for f in (tmp_path / "out" / "mentions").rglob("*.parquet"):
        t = pq.read_table(f)
        mask = pc.equal(t["doc_id"], "end-of-time")
        edited += pc.sum(mask).as_py() or 0
        dates = pc.if_else(mask, pa.scalar(date.max, pa.date32()), t["date"])
        pq.write_table(t.set_column(t.schema.get_field_index("date"), "date", dates), f)
    assert edited >= 1
    m = merge(tmp_path / "out", tmp_path / "db.duckdb")
    from detente.store import open as open_store

    with open_store(tmp_path / "db.duckdb", read_only=True) as store:
        errors = store.errors()
        n_articles = store.stats()["articles"]
    if m.failed == 0:
        pytest.skip("the store now takes events dated 9999: nothing left to refuse")
    assert list(errors["input"]) == ["end-of-time"] and errors["stage"][0] == "store"
    assert n_articles == 6 and m.ok == 6


def test_the_local_cluster_workers_run_without_dasks_small_task_overheads(client):
    """Measured on this coder: Dask's MALLOC_TRIM_THRESHOLD_ cost ~5 ms of system CPU per article and
    the 10 ms stack profiler a few per cent more; the LocalCluster's workers run without them, one
    thread each."""
    import dask

    def settings(dask_worker) -> dict:  # noqa: ANN001 - Client.run passes the Worker under this name
        return {"trim": os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                "profile": dask.config.get("distributed.worker.profile.enabled"),
                "monitor": dask.config.get("distributed.worker.memory.monitor-interval"),
                "threads": dask_worker.state.nthreads}

    seen = client.run(settings)
    assert len(seen) == 2
    for s in seen.values():
        assert s == {"trim": None, "profile": False, "monitor": "1s", "threads": 1}


def test_the_merge_takes_the_workers_content_hashes(client, corpus, tmp_path, monkeypatch):
    """The text is hashed once, by the worker that read it; the merge hands that hash to the store."""
    from detente.records import Article

    out = tmp_path / "parquet"
    s = ingest_dask([str(corpus)], out, client=client, partition_size=_part_size(corpus), progress=False)
    calls = Counter()
    real = Article.content_hash

    def counted(self):
        calls["hash"] += 1
        return real(self)

    monkeypatch.setattr(Article, "content_hash", counted)
    m = merge(out, tmp_path / "dask.duckdb")
    assert m.ok == N_ARTICLES == s.coded - 1  # the repeated story is found by the store
    assert calls["hash"] == 0


def test_the_worker_plugin_undoes_dasks_malloc_trim_where_it_is_set(monkeypatch):
    import sys

    from detente.scale.dask_engine import relax_malloc_trim

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    assert relax_malloc_trim() is False  # nothing to undo
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    assert relax_malloc_trim() is sys.platform.startswith("linux")


def test_an_article_the_coder_fails_on_is_an_error_and_the_rest_is_coded(client, tmp_path):
    """A coder that raises on one article (a fault put into the workers' Coder for one id: the coder
    has no known poison left) makes that article an error of stage "code"; the partition and the job
    go on, and the merge stores the others."""
    from detente.scale.dask_engine import worker_coder

    articles = generate(8, seed=5, sentences=(3, 6))
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"id": a.id, "text": a.text, "date": a.date.isoformat()}) + "\n"
                            for a in articles), encoding="utf-8")
    bad = articles[4].id

    def break_coder(doc_id: str) -> None:
        coder = worker_coder()
        cls = type(coder)

        def code_batch(arts):
            if any(a.id == doc_id for a in arts):
                raise RuntimeError("injected fault")
            return cls._code_batch(coder, arts)

        def code(art):
            if art.id == doc_id:
                raise RuntimeError("injected fault")
            return cls.code(coder, art)

        coder._code_batch, coder.code = code_batch, code

    def mend_coder() -> None:
        coder = worker_coder()
        for name in ("_code_batch", "code"):
            coder.__dict__.pop(name, None)

    client.run(break_coder, bad)
    try:
        s = ingest_dask([str(path)], tmp_path / "out", client=client, progress=False)
    finally:
        client.run(mend_coder)
    assert s.partitions_failed == 0 and s.coded == 7 and s.failed == 1
    assert [(e.input, e.stage) for e in s.errors] == [(bad, "code")] and "injected fault" in s.errors[0].reason
    m = merge(tmp_path / "out", tmp_path / "db.duckdb")
    assert m.ok == 7 and m.failed == 1
