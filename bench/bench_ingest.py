"""End-to-end ingest speed and memory: 600-word articles on disk -> events committed in DuckDB.

The corpus is ``bench/corpus.py`` with ``words=600`` (seeded synthetic wire copy about many countries
and actors, sentences of wire-copy length), written either as one ``.txt`` file per article (dated by
``--date``) or as one JSONL file with a date per article. The run is ``detente ingest`` itself, in a
fresh subprocess (so its peak memory is its own): reading, triage, coding in worker processes, and
the one writer's transactions. Reported: wall time, articles/s, sentences/s, events stored, and the
peak RSS of the writer process and of the largest worker.

    .venv/bin/python bench/bench_ingest.py --articles 2000                  # 2 workers, JSONL
    .venv/bin/python bench/bench_ingest.py --articles 2000 --as txt --workers 1
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_ARTICLES_PER_S = 50
TARGET_MIB_PER_WORKER = 1024


def write_corpus(folder: Path, n: int, seed: int, fmt: str, words: int = 600) -> tuple[list[str], int, int]:
    """The corpus on disk; returns (inputs for ingest, sentences, words)."""
    from bench.corpus import generate
    from detente.nlp import split_document

    arts = generate(n, seed, words=words)
    sentences = sum(len(list(split_document(a))) for a in arts)
    n_words = sum(len(a.text.split()) for a in arts)
    if fmt == "jsonl":
        path = folder / "corpus.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for a in arts:
                fh.write(json.dumps({"id": a.id, "text": a.text, "title": a.title, "date": a.date.isoformat(),
                                     "url": f"https://bench.example/{a.id}", "outlet": "Bench Wire"}) + "\n")
        return [str(path)], sentences, n_words
    for a in arts:
        (folder / f"{a.id}.txt").write_text(a.text, encoding="utf-8")
    return [str(folder)], sentences, n_words


def _child(args: argparse.Namespace) -> None:
    """Inside the fresh process: one timed ingest, figures as one JSON line."""
    from detente.ingestion import ingest
    from detente.store import open as open_store

    t0 = time.perf_counter()
    cpu0 = time.process_time()
    summary = ingest(args.inputs, args.db, workers=args.workers, progress=False,
                     default_date=datetime.fromisoformat(args.date).date())
    wall = time.perf_counter() - t0
    writer_cpu = time.process_time() - cpu0  # reader, triage, IPC of the main process and the writer
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, reaped when the pool ends
    with open_store(args.db) as store:
        stats = store.stats()
    print(json.dumps({
        "wall": wall, "ok": summary.ok, "failed": summary.failed, "duplicate": summary.duplicate,
        "events_new": summary.events_new, "events_merged": summary.events_merged, "stats": stats,
        "writer_cpu": writer_cpu, "workers_cpu": children.ru_utime + children.ru_stime,
        "rss_writer_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_worker_mib": children.ru_maxrss / 1024,
    }, default=str))


def measure(n: int, workers: int, seed: int, fmt: str, keep: str | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="detente-bench-"))
    try:
        inputs, sentences, words = write_corpus(tmp, n, seed, fmt)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--db", str(tmp / "bench.duckdb"),
               "--workers", str(workers), "--inputs", *inputs]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            raise SystemExit(f"bench ingest failed:\n{out.stderr[-3000:]}")
        row = json.loads(out.stdout.strip().splitlines()[-1])
        row.update({"articles": n, "sentences": sentences, "words": words, "workers": workers, "format": fmt})
        if keep:
            shutil.copy(tmp / "bench.duckdb", keep)
        return row
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def to_markdown(rows: list[dict]) -> str:
    head = ("| input | workers | articles | words/article | sentences | wall s | articles/s | sentences/s "
            "| events stored | mentions | main CPU ms/article | workers CPU ms/article | writer RSS MiB "
            "| worker RSS MiB |\n"
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    lines = [head]
    for r in rows:
        st = r["stats"]
        lines.append(
            f"| {r['format']} | {r['workers']} | {r['ok']:,} | {r['words'] / max(1, r['articles']):.0f} "
            f"| {r['sentences']:,} | {r['wall']:.1f} | {r['ok'] / r['wall']:.1f} | {r['sentences'] / r['wall']:,.0f} "
            f"| {st.get('events', 0):,} | {st.get('mentions', 0):,} "
            f"| {1000 * r['writer_cpu'] / max(1, r['articles']):.1f} "
            f"| {1000 * r['workers_cpu'] / max(1, r['articles']):.1f} | {r['rss_writer_mib']:.0f} | {r['rss_worker_mib']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--as", dest="fmt", choices=["jsonl", "txt"], default="jsonl")
    ap.add_argument("--date", default="2024-07-16", help="Publication date of .txt articles.")
    ap.add_argument("--keep", metavar="PATH", help="Copy the resulting store to PATH (to compare stores).")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--inputs", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args)
        return 0
    row = measure(args.articles, args.workers, args.seed, args.fmt, args.keep)
    cpu = platform.processor() or platform.machine()
    print(f"<!-- {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {cpu}, Python {platform.python_version()} -->")
    print(to_markdown([row]))
    ok = row["ok"] / row["wall"] >= TARGET_ARTICLES_PER_S and row["rss_worker_mib"] <= TARGET_MIB_PER_WORKER
    print(f"\ntarget >= {TARGET_ARTICLES_PER_S} articles/s and <= {TARGET_MIB_PER_WORKER} MiB per worker: "
          f"{'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
