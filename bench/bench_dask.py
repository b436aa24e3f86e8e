"""Scaling of the Dask engine: the local process pool vs Dask with 1 and 2 worker processes.

The corpus is ``bench/corpus.py`` (seeded synthetic wire copy, ``--words`` words per article, default
600) as one JSONL file, the same as ``bench/bench_ingest.py`` writes. Each configuration runs in a
fresh subprocess:

* ``local``: ``detente.ingestion.ingest(workers=2)``: read, triage, code in a 2-process pool, store
  in DuckDB (the ``--engine local`` job);
* ``pool``: ``Coder.code_many(workers=2)`` on the same file: reading and coding in the 2-process pool,
  nothing stored (the coding alone, for reference);
* ``dask-1``, ``dask-2``: a LocalCluster of 1 or 2 single-threaded worker processes on 127.0.0.1,
  ``ingest_dask`` into Parquet, then ``merge`` into a fresh DuckDB store;
* ``dask-2-db``: the same with ``ingest_dask(db=...)``, which merges each partition as soon as it and
  those before it are done, while the workers code (as the local engine's writer does).

Times: ``startup`` (cluster and model load: the plugin registration returns once every worker has
loaded the Coder), ``run`` (partitions read, coded, written), ``merge``; the local engine's single
figure includes its pool start and model load. Figures: articles/s; scaling efficiency = rate of 2
workers / (2 x rate of 1 worker), on the coding runs; overhead vs the local pool = Dask end-to-end
time (startup + run + merge) / local time - 1. The issue's targets: efficiency >= 80%, overhead <= 15%.
Wall times need a quiet machine; the CPU seconds of all processes of a configuration (scheduler,
nannies, workers, the merge; model loads included) are reported too, with the overhead in CPU per
article, as the figure other jobs on a busy machine do not distort.

    .venv/bin/python bench/bench_dask.py --articles 20000 --configs local,dask-1,dask-2  # the issue's figures
    .venv/bin/python bench/bench_dask.py --articles 3000 --words 300 --partition-mb 0.25  # ~10 minutes
    .venv/bin/python bench/bench_dask.py --articles 400 --words 300                       # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_EFFICIENCY = 0.80
TARGET_OVERHEAD = 0.15


def _child(config: str, corpus: str, work: Path, partition_mb: float) -> dict:
    """One timed configuration, in this (fresh) process."""
    if config == "local":
        from detente.ingestion import ingest

        t = time.perf_counter()
        s = ingest([corpus], work / "local.duckdb", workers=2, progress=False)
        return {"config": config, "articles": s.ok + s.skipped + s.duplicate, "ok": s.ok,
                "events": s.events_new + s.events_merged, "startup": 0.0, "run": time.perf_counter() - t,
                "merge": 0.0}
    if config == "pool":
        from detente.ingest.readers import read_path
        from detente.pipeline import Coder

        t = time.perf_counter()
        n = events = 0
        # code_many with workers > 1 builds a Coder in each worker only: none is loaded here
        for art, res in Coder.__new__(Coder).code_many(read_path(corpus), workers=2):
            n += 1
            events += len(res) if isinstance(res, list) else 0
        return {"config": config, "articles": n, "ok": n, "events": events, "startup": 0.0,
                "run": time.perf_counter() - t, "merge": 0.0}
    from distributed import Client

    from detente.scale import CoderPlugin, ingest_dask, merge, start_local_cluster

    n = int(config.split("-")[1])
    as_you_go = config.endswith("-db")
    t0 = time.perf_counter()
    cluster = start_local_cluster(n)
    client = Client(cluster)
    client.register_plugin(CoderPlugin(), name=CoderPlugin.name)
    t1 = time.perf_counter()
    try:
        s = ingest_dask([corpus], work / config, client=client, progress=False,
                        partition_size=int(partition_mb * 1024 * 1024),
                        db=work / f"{config}.duckdb" if as_you_go else None)
        workers_cpu = sum(client.run(_process_cpu).values())  # model loads included
    finally:
        t2 = time.perf_counter()
        client.close()
        cluster.close()
    t3, c3 = time.perf_counter(), time.process_time()
    m = s.merged if as_you_go else merge(work / config, work / f"{config}.duckdb")
    t4, c4 = (t3, c3) if as_you_go else (time.perf_counter(), time.process_time())
    return {"config": config, "articles": s.articles, "ok": s.coded, "events": s.events, "startup": t1 - t0,
            "run": t2 - t1, "merge": t4 - t3, "partitions": s.partitions, "stored": m.ok,
            "events_stored": m.events_new, "cpu_workers": workers_cpu, "cpu_merge": c4 - c3}


def _process_cpu() -> float:
    """CPU seconds of the calling process (run on each Dask worker)."""
    import psutil

    t = psutil.Process().cpu_times()
    return t.user + t.system


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (pool workers, Dask workers):
    a figure the other jobs on a busy machine do not distort, unlike wall time."""
    import resource

    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                   resource.getrusage(resource.RUSAGE_CHILDREN)))


def _run_child(config: str, corpus: str, work: Path, partition_mb: float) -> dict:
    cmd = [sys.executable, __file__, "--child", config, "--corpus", corpus, "--work", str(work),
           "--partition-mb", str(partition_mb)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
        return {"config": config, "error": " | ".join(tail)}
    return json.loads(lines[-1])


def _rate(r: dict, with_startup: bool = False) -> float:
    t = r["run"] + (r["startup"] if with_startup else 0.0)
    return r["articles"] / t if t > 0 else 0.0


def _cpu_ms(r: dict) -> float:
    return 1000 * r.get("cpu", 0.0) / max(1, r["articles"])


def report(results: dict[str, dict], n: int, words: int, partition_mb: float,
           load: tuple[float, float] | None = None) -> str:
    rows = ["| configuration | articles | startup s | run s | merge s | articles/s (run) | articles/s (end to end) "
            "| CPU s (all processes) | CPU ms/article |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in results.items():
        if "error" in r:
            rows.append(f"| {name} | failed: {r['error'][:150]} | | | | | | | |")
            continue
        total = r["startup"] + r["run"] + r["merge"]
        rows.append(f"| {name} | {r['articles']:,} | {r['startup']:.1f} | {r['run']:.1f} | {r['merge']:.1f} | "
                    f"{_rate(r):.1f} | {r['articles'] / total:.1f} | {r.get('cpu', 0):.1f} | "
                    f"{_cpu_ms(r):.1f} |")
    before, after = load if load else (os.getloadavg()[0],) * 2
    lines = [f"Dask scaling, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
             f"{os.cpu_count()} CPUs, load average {before:.2f} before, {after:.2f} after; {n:,} generated "
             f"articles of ~{words} words, partitions of {partition_mb} MB.", "", *rows, ""]
    d1, d2 = results.get("dask-1", {}), results.get("dask-2", {})
    loc = results.get("local", {})
    base = "local pool (2 workers)"
    if "run" not in loc:
        loc, base = results.get("pool", {}), "coding pool (2 workers, nothing stored)"
    if "run" in d1 and "run" in d2:
        eff = _rate(d2) / (2 * _rate(d1)) if _rate(d1) else 0.0
        lines.append(f"- scaling efficiency, 1 -> 2 workers (coding runs): {eff:.0%} "
                     f"(target >= {TARGET_EFFICIENCY:.0%}: {'met' if eff >= TARGET_EFFICIENCY else 'NOT met'})")
    for name in ("dask-2", "dask-2-db"):
        d = results.get(name, {})
        if "run" in d and "run" in loc:
            over = (d["startup"] + d["run"] + d["merge"]) / loc["run"] - 1
            lines.append(f"- overhead of {name} (startup + run + merge) vs the {base}: {over:+.0%} "
                         f"(target <= {TARGET_OVERHEAD:.0%}: {'met' if over <= TARGET_OVERHEAD else 'NOT met'}); "
                         f"run alone: {d['run'] / loc['run'] - 1:+.0%}")
    for name in ("dask-2", "dask-2-db"):
        d = results.get(name, {})
        if d.get("cpu") and loc.get("cpu"):
            over = _cpu_ms(d) / _cpu_ms(loc) - 1
            lines.append(f"- CPU overhead of {name} (all processes, merge included) vs the {base}: "
                         f"{_cpu_ms(d):.1f} vs {_cpu_ms(loc):.1f} ms/article = {over:+.0%} "
                         f"(target <= {TARGET_OVERHEAD:.0%}: {'met' if over <= TARGET_OVERHEAD else 'NOT met'})")
    for name in ("dask-1", "dask-2", "dask-2-db"):
        d = results.get(name, {})
        if "cpu_workers" in d:
            rest = d["cpu"] - d["cpu_workers"] - d["cpu_merge"]
            lines.append(f"- CPU of {name}: workers {d['cpu_workers']:.1f} s (model loads included), merge "
                         f"{d['cpu_merge']:.1f} s, client + scheduler + nannies {rest:.1f} s"
                         + (" (merging as it goes)" if name.endswith("-db") else ""))
    if "run" in d1:
        per_day = _rate(d1) * 86_400
        lines.append(f"- one worker core: {_rate(d1):.1f} articles/s = {per_day:,.0f} articles/day")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--partition-mb", type=float, default=1.0,
                    help="Input bytes per partition (default 1 MB: ~250 600-word articles, ~80 partitions for 20,000).")
    ap.add_argument("--configs", default="local,pool,dask-1,dask-2,dask-2-db")
    ap.add_argument("--json", action="store_true", help="Print the raw figures too.")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        res = _child(args.child, args.corpus, Path(args.work), args.partition_mb)
        res["cpu"] = _cpu_seconds()
        print(json.dumps(res))
        return 0
    from bench.corpus import generate

    with tempfile.TemporaryDirectory(prefix="bench_dask_") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as fh:
            for a in generate(args.articles, args.seed, words=args.words):
                fh.write(json.dumps({"id": a.id, "text": a.text, "title": a.title, "date": a.date.isoformat(),
                                     "url": f"https://bench.example/{a.id}", "outlet": "Bench Wire"}) + "\n")
        results = {}
        load_before = os.getloadavg()[0]
        for config in args.configs.split(","):
            results[config] = _run_child(config, str(corpus), work, args.partition_mb)
            print(f"{config}: {results[config]}", file=sys.stderr)
    print(report(results, args.articles, args.words, args.partition_mb, (load_before, os.getloadavg()[0])))
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
