"""The ingest job on a Dask cluster: partitions read and coded on the workers, Parquet out, merged later.

Why this shape: on a cluster there is no single writer that can hold the store open, and a store of
hundreds of workers' output would be the bottleneck anyway. So each task reads its own partition
(the client never loads the corpus), codes it with the Coder its worker process loaded once, and
writes its rows as Parquet files, atomically, named after the partition. ``merge`` then loads those
files into the DuckDB store through ``Store.write_batch``, the same path the local engine uses, in the
input order, so the store's deduplication (articles by text and URL, events across articles within the
date window) gives the same store as ``--engine local`` would, and a second merge of the same files
adds nothing.

Failures: a worker that dies loses only the partition it was coding; the scheduler gives that task to
another worker (``distributed.scheduler.allowed-failures``, and ``retries`` for a task that raised),
and the retry overwrites the same files. An article that makes the coder raise is an error row of its
partition (``stage = "code"``), as in the local engine; the rest of the partition is coded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from distributed.diagnostics.plugin import WorkerPlugin

from detente.ingestion import Summary
from detente.records import Article, InputError
from detente.scale.parquet import (PartitionOutput, article_row, error_row, incomplete_partitions, manifest_path,
                                   mention_row, read_manifests, read_rows, row_article, row_error, row_event)
from detente.scale.partitions import DEFAULT_PARTITION_BYTES, Partition, plan_partitions, read_partition_sources

CODE_CHUNK = 8
"""Articles per call of the coder, as in the local engine (``detente.ingestion.Ingest.chunk``)."""

MERGE_BATCH = 500
"""Items per store transaction in ``merge``: large enough for vectorised inserts, small for memory."""

LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    # Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536 (to hand freed memory back to the OS).
    # Setting it also turns off glibc's adaptive mmap threshold, so every array thinc allocates for a
    # parse (> 128 kB) is mmap'ed, page-faulted and unmapped again: +5 ms of system CPU per article,
    # measured. The coder's memory is steady (the model, then short-lived parses): keep glibc's defaults.
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # The statistical profiler samples the task thread's stack every 10 ms for the dashboard, which is
    # off; the monitors below poll psutil 10 and 2 times a second in every worker and nanny. Together
    # ~4% of a core per worker process, and ~3% more in the scheduler process, measured idle.
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.tick.interval": "200ms",
}
"""Settings of the LocalCluster ``start_local_cluster`` starts: tasks here are CPU-bound partitions of
tens of seconds, not the many small tasks Dask's defaults are tuned for. For an existing cluster put the
same settings in its workers' Dask configuration (``docs/SCALE_OUT.md``)."""

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
"""glibc's ``mallopt`` parameters (malloc.h)."""


# -- summaries ----------------------------------------------------------------------------------------

@dataclass
class DaskSummary:
    """What ``ingest_dask`` did; ``line()`` is what the CLI prints."""

    out_dir: str = ""
    workers: int = 0
    partitions: int = 0
    partitions_failed: int = 0
    coded: int = 0
    skipped: int = 0
    duplicate: int = 0
    failed: int = 0
    events: int = 0
    seconds: float = 0.0
    errors: list[InputError] = field(default_factory=list)
    merged: "MergeSummary | None" = None

    @property
    def articles(self) -> int:
        return self.coded + self.skipped + self.duplicate

    def line(self) -> str:
        rate = self.articles / self.seconds if self.seconds > 0 else 0.0
        failed = f" ({self.partitions_failed} failed)" if self.partitions_failed else ""
        return (f"{self.partitions:,} partitions{failed} on {self.workers} workers: {self.coded:,} coded, "
                f"{self.skipped:,} not coded (language), {self.duplicate:,} duplicate, {self.failed:,} failed; "
                f"{self.events:,} event mentions; {self.seconds:.1f} s ({rate:.1f} articles/s) -> {self.out_dir}")


@dataclass
class MergeSummary(Summary):
    """What ``merge`` did: the store's counts (as a local ingest reports them), plus partitions merged
    and left out."""

    partitions: int = 0
    incomplete: list[str] = field(default_factory=list)
    errors_known: int = 0

    def line(self) -> str:
        inc = (f"; {len(self.incomplete)} incomplete partitions left out (job still running or stopped: "
               f"run it again)" if self.incomplete else "")
        return f"{self.partitions:,} partitions merged: {self.counts()}; {self.seconds:.1f} s{inc}"


# -- on the workers ------------------------------------------------------------------------------------

_CODER = None
_CODER_PID: int | None = None
_LOCK = threading.Lock()


def worker_coder():
    """This process's Coder, built on first use (spaCy, the knowledge base and the cues: seconds and
    ~350 MB, so once per worker process, never per task). Coding holds the same lock: one Coder is
    not meant to be used by two threads at once, and a worker started with several threads gains
    nothing from them (the coder holds the GIL)."""
    global _CODER, _CODER_PID
    with _LOCK:
        if _CODER is None or _CODER_PID != os.getpid():
            from detente.pipeline import Coder, settle

            _CODER = Coder()
            settle()
            _CODER_PID = os.getpid()
        return _CODER


class CoderPlugin(WorkerPlugin):
    """Loads the Coder on every worker when it joins (again after a restart), off the event loop, so
    the first partition does not pay for it and a missing model fails at start, not mid-job."""

    name = "detente-coder"

    async def setup(self, worker) -> None:  # noqa: ANN001 - distributed's Worker
        relax_malloc_trim()
        await asyncio.get_running_loop().run_in_executor(None, worker_coder)


def relax_malloc_trim() -> bool:
    """Undo, in this worker process, the cost of the MALLOC_TRIM_THRESHOLD_ a Dask nanny sets by
    default (see ``LOCAL_CLUSTER_CONFIG``): on a cluster started elsewhere the variable is already in
    the worker's environment, and only ``mallopt`` can still change what it did. The thresholds given
    are the largest glibc's adaptive rule reaches by itself (mmap 32 MB; trim twice that), so freed parse
    arrays are reused from the heap; a worker keeps at most 64 MB of free heap. True if applied."""
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)) and bool(libc.mallopt(M_TRIM_THRESHOLD, 64 << 20))
    except (OSError, AttributeError):  # not glibc (musl ...): nothing to undo
        return False


def code_partition(part: Partition, out_dir: str, default_date: date | None = None,
                   chunk: int = CODE_CHUNK) -> dict[str, Any]:
    """The task: read one partition, triage and code it as the local engine does, write its Parquet.

    Triage as in ``detente.ingestion.Ingest``: a repeat of an article already read in this partition
    (same text or URL) is counted and not coded; an article not in English is stored as skipped with
    the reason. Repeats across partitions are found by the store when merging. Returns the counts and
    errors (small), never the rows."""
    from detente.ingest.language import is_english

    pid = part.pid
    articles: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    duplicate = 0
    to_code: list[tuple[int, Article, str]] = []
    sources: dict[int, str] = {}
    for seq, (source, item) in enumerate(read_partition_sources(part, default_date)):
        if isinstance(item, InputError):
            errors.append(error_row(pid, seq, item))
            continue
        h = item.content_hash()
        keys = [h] + ([item.url] if item.url else [])
        if any(k in seen for k in keys):
            duplicate += 1
            continue
        seen.update(keys)
        sources[seq] = source
        english, reason = is_english(item)
        if english:
            to_code.append((seq, item, h))
        else:
            articles.append(article_row(pid, seq, item, h, "skipped", reason or "not English", 0, source))
    if to_code:
        coder = worker_coder()
        for i in range(0, len(to_code), chunk):
            batch = to_code[i:i + chunk]
            with _LOCK:
                results = list(coder._code_chunk([a for _, a, _ in batch]))
            for (seq, art, h), (_, res) in zip(batch, results):
                if isinstance(res, InputError):
                    errors.append(error_row(pid, seq, res))
                    articles.append(article_row(pid, seq, art, h, "failed", res.reason, 0, sources[seq]))
                    continue
                articles.append(article_row(pid, seq, art, h, "coded", None, len(res), sources[seq]))
                mentions.extend(mention_row(pid, seq, ev, h[:16], e) for ev, e in enumerate(res))
    articles.sort(key=lambda r: r["seq"])
    counts = {"coded": sum(r["status"] == "coded" for r in articles),
              "skipped": sum(r["status"] == "skipped" for r in articles),
              "duplicate": duplicate, "failed": len(errors), "events": len(mentions)}
    meta = {"order": list(part.order), "partition": part.to_json(), "counts": counts,
            "default_date": default_date.isoformat() if default_date else None}
    PartitionOutput(pid, articles, mentions, errors).write(Path(out_dir), meta)
    return {"pid": pid, **counts, "errors": [(r["input"], r["stage"], r["reason"]) for r in errors]}


# -- on the client ----------------------------------------------------------------------------------

def start_local_cluster(workers: int = 2):
    """A LocalCluster of ``workers`` single-threaded processes (the coder holds the GIL: a second thread
    in a process only contends for it); scheduler, nannies and workers listen on 127.0.0.1 only, the
    dashboard is off, and Dask's monitoring is set for long CPU-bound tasks (``LOCAL_CLUSTER_CONFIG``)."""
    import copy

    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):  # read by the scheduler and nannies as they start
        # the nannies' own copy for their workers, also those they restart after the block has ended
        # (a nanny keeps a shallow copy of the global configuration, which the block restores on exit)
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=None, silence_logs=logging.ERROR,
                            config=copy.deepcopy(dask.config.config))


def ingest_dask(inputs: list[str | os.PathLike[str]], out_dir: str | os.PathLike[str], *,
                scheduler: str | None = None, workers: int = 2, default_date: date | None = None,
                partition_size: int = DEFAULT_PARTITION_BYTES, retries: int = 2, client: Any = None,
                progress: bool | None = None, on_error: Callable[[InputError], None] | None = None,
                db: str | os.PathLike[str] | None = None, window_days: int = 1) -> DaskSummary:
    """Code ``inputs`` (files and folders of text, HTML, JSONL, JSONL.gz) on a Dask cluster into
    date-partitioned Parquet under ``out_dir``.

    The cluster is ``client`` if given, else the scheduler at ``scheduler`` ("tcp://host:8786"), else
    a LocalCluster of ``workers`` processes started (and stopped) here. Paths must be readable by the
    workers under the same names (a shared file system), as must ``out_dir``. ``partition_size`` is in
    bytes of input. ``retries`` is how often a task that raised is tried again (a worker that died is
    handled by the scheduler's ``allowed-failures``). A partition that still fails is an error of the
    summary, the others go on. Load the result into a store with ``merge``, or give ``db`` to merge
    each partition as soon as it and every partition before it are done: the client then writes
    while the workers code, as the local engine's writer does (``summary.merged`` has its counts).
    The LocalCluster's workers are spawned processes: a script that calls this must do so under
    ``if __name__ == "__main__":``."""

    from distributed import Client, as_completed

    from detente.ingestion import _Progress, estimate_total

    started = time.perf_counter()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    summary = DaskSummary(out_dir=str(out))
    names = [str(i) for i in inputs]
    parts = plan_partitions(names, partition_size)
    summary.partitions = len(parts)
    cluster = None
    own_client = client is None
    store = None
    try:
        merger = None
        if db is not None:
            from detente.store import open as open_store

            store = open_store(db, window_days=window_days)
            merger = _Merger(store, out)
        pending = sorted(range(len(parts)), key=lambda i: parts[i].order)  # merge order: input order
        cursor = 0
        if client is None:
            if scheduler:
                client = Client(scheduler)
            else:
                cluster = start_local_cluster(workers)
                client = Client(cluster)
        client.register_plugin(CoderPlugin(), name=CoderPlugin.name)
        summary.workers = len(client.scheduler_info()["workers"])
        token = uuid.uuid4().hex[:8]
        futures = {client.submit(code_partition, p, str(out), default_date, key=f"detente-{i}-{p.pid}-{token}",
                                 retries=retries, pure=False): i for i, p in enumerate(parts)}
        show = sys.stderr.isatty() if progress is None else progress
        results: dict[int, dict[str, Any]] = {}
        with _Progress(show, estimate_total(names) if show else None) as bar:
            for fut in as_completed(list(futures)):
                index = futures[fut]
                part = parts[index]
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 - a partition that failed every try
                    err = InputError(part.label, "dask", f"partition failed: {type(exc).__name__}: {exc}")
                    res = {"pid": part.pid, "failed": 1, "errors": [(err.input, err.stage, err.reason)],
                           "partition_failed": True}
                results[index] = res
                bar.advance(sum(res.get(k, 0) for k in ("coded", "skipped", "duplicate", "failed")))
                fut.release()
                while merger is not None and cursor < len(pending) and pending[cursor] in results:
                    done = results[pending[cursor]]
                    cursor += 1
                    if done.get("partition_failed"):
                        merger.summary.add(store.write_batch([InputError(*e) for e in done["errors"]]))
                    else:
                        merger.add(json.loads(manifest_path(out, done["pid"]).read_text(encoding="utf-8")))
        for index in pending:  # errors in input order, whatever finished first
            res = results[index]
            summary.partitions_failed += bool(res.get("partition_failed"))
            for k in ("coded", "skipped", "duplicate", "failed", "events"):
                setattr(summary, k, getattr(summary, k) + res.get(k, 0))
            for inp, stage, reason in res["errors"]:
                err = InputError(inp, stage, reason)
                summary.errors.append(err)
                if on_error:
                    on_error(err)
        if merger is not None:
            summary.merged = merger.summary
    finally:
        if store is not None:
            store.close()
        if own_client and client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _partition_items(out: Path, manifest: dict[str, Any], known: set[tuple[str, str, str]],
                     summary: MergeSummary, hashes: dict[int, tuple[Article, str]]) -> list:
    """One partition's ``write_batch`` items in its input order, rebuilt from its Parquet files;
    ``hashes`` receives each article's content hash as the worker computed it."""
    files = manifest["files"]
    by_seq: dict[int, Any] = {}
    events: dict[int, list] = {}
    for r in read_rows(out, files.get("mentions", []), "mentions"):
        events.setdefault(r["seq"], []).append((r["ev"], row_event(r)))
    for r in read_rows(out, files.get("articles", []), "articles"):
        if r["status"] == "failed":
            continue  # its error row says why; the store keeps no uncoded-by-failure articles
        art = row_article(r)
        payload: Any = r["skip_reason"] if r["status"] == "skipped" else \
            [e for _, e in sorted(events.get(r["seq"], []), key=lambda x: x[0])]
        by_seq[r["seq"]] = (art, payload, r["source_input"]) if r["source_input"] else (art, payload)
        hashes[id(art)] = (art, r["content_hash"])
    for r in read_rows(out, files.get("errors", []), "errors"):
        err = row_error(r)
        key = (err.input, err.stage, err.reason)
        if key in known:
            summary.errors_known += 1  # recorded by an earlier merge of the same files
            continue
        known.add(key)
        by_seq[r["seq"]] = err
    return [by_seq[s] for s in sorted(by_seq)]


def _prime_hashes(store: Any, items: list, hashes: dict[int, tuple[Article, str]]) -> None:
    """Hand the store the content hashes the workers already computed (the costliest step of a
    write: ~1 ms per 600-word article, which would otherwise run again, serially, in the merge)."""
    for it in items:
        if isinstance(it, tuple):
            art, h = hashes[id(it[0])]
            store.content_hash(art, known=h)


class _Merger:
    """Writes partitions into an open store, one at a time, in the order it is given them."""

    def __init__(self, store: Any, out: Path, batch: int = MERGE_BATCH) -> None:
        self.store = store
        self.out = out
        self.batch = batch
        self.summary = MergeSummary()
        self.known = {(str(a), str(b), str(c)) for a, b, c in
                      store.errors()[["input", "stage", "reason"]].itertuples(index=False, name=None)}

    def add(self, manifest: dict[str, Any]) -> None:
        hashes: dict[int, tuple[Article, str]] = {}
        items = _partition_items(self.out, manifest, self.known, self.summary, hashes)
        for i in range(0, len(items), self.batch):
            part = items[i:i + self.batch]
            _prime_hashes(self.store, part, hashes)
            try:
                self.summary.add(self.store.write_batch(part))
            except Exception:  # noqa: BLE001 - a batch is all or nothing: find the item, store the rest
                for item in part:
                    self._write_one(item, hashes)
        self.summary.duplicate += int(manifest.get("counts", {}).get("duplicate", 0))
        self.summary.partitions += 1

    def _write_one(self, item: Any, hashes: dict[int, tuple[Article, str]]) -> None:
        """One item in its own transaction; one the store cannot take becomes a named error."""
        _prime_hashes(self.store, [item], hashes)
        try:
            self.summary.add(self.store.write_batch([item]))
        except Exception as exc:  # noqa: BLE001 - reported as a named input error
            name = item.input if isinstance(item, InputError) else item[0].id
            self.summary.add(self.store.write_batch([InputError(name, "store", f"{type(exc).__name__}: {exc}")]))


def merge(parquet_dir: str | os.PathLike[str], db: str | os.PathLike[str], *, window_days: int = 1,
          batch: int = MERGE_BATCH, command: str | None = None) -> MergeSummary:
    """Load the Parquet written by ``ingest_dask`` into the DuckDB store at ``db``.

    Partition by partition (one in memory at a time), in input order, through ``Store.write_batch``:
    articles already stored (same text or URL) are counted as duplicates, events reported again join
    the known event as mentions. So overlapping partitions, a re-run job and a second merge add no
    duplicate articles, events or mentions; errors already recorded in the store are not recorded
    again. Partitions without a manifest (still running, or stopped) are left out and listed."""
    from detente.store import open as open_store

    started = time.perf_counter()
    out = Path(parquet_dir)
    if not out.is_dir():
        raise FileNotFoundError(f"{out}: no such folder (expected the --out folder of a dask ingest)")
    manifests = read_manifests(out)
    with open_store(db, window_days=window_days, command=command) as store:
        merger = _Merger(store, out, batch)
        for m in manifests:
            merger.add(m)
    summary = merger.summary
    summary.incomplete = incomplete_partitions(out, manifests)
    summary.seconds = time.perf_counter() - started
    return summary
