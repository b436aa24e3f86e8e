"""Speed and memory of ``Coder.code_many`` on synthetic wire copy; prints Markdown for bench/RESULTS.md.

Each configuration (1 process; 2 worker processes) runs in a fresh Python subprocess so its peak RSS
is its own and not inflated by an earlier run. Inside it: build the corpus (``bench/corpus.py``,
seeded), load the Coder (timed apart), warm up on a few articles, then time one pass of
``code_many`` over all articles. Sentences are counted with the coder's own splitter, outside the
timed pass; the share that reached the parser comes from the coder's ``stats`` counters.

    .venv/bin/python bench/bench_coder.py --articles 400            # both configurations
    .venv/bin/python bench/bench_coder.py --articles 400 --workers 1
    .venv/bin/python bench/bench_coder.py --articles 200 --workers 1 --words 600   # issue 3's articles
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # allow `python bench/bench_coder.py` from a checkout
    sys.path.insert(0, str(ROOT))

TARGET_SENTENCES_PER_S = 2000
TARGET_MIB_PER_WORKER = 1024


def _mib(kib: int) -> float:
    return kib / 1024  # ru_maxrss is in KiB on Linux


def read_jsonl(path: Path, limit: int) -> list:
    """Articles from a JSONL file of ``{"id", "text", "date"?, "title"?}`` records (first ``limit``)."""
    from datetime import date

    from detente.records import Article

    out = []
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if len(out) >= limit:
                break
            if line.strip():
                rec = json.loads(line)
                day = date.fromisoformat(rec["date"][:10]) if rec.get("date") else None
                out.append(Article(id=str(rec.get("id", i)), text=rec["text"], date=day,
                                   title=rec.get("title")))
    return out


def measure(n_articles: int, workers: int, seed: int, source: Path | None = None,
            words: int | None = None) -> dict:
    """One configuration, in this process; returns the figures as a dict."""
    from bench.corpus import generate
    from detente.nlp import split_document
    from detente.pipeline import Coder, settle
    from detente.records import InputError

    articles = read_jsonl(source, n_articles) if source else generate(n_articles, seed=seed, words=words)
    n_articles = len(articles)
    warm = generate(5, seed=seed + 1, words=words)
    n_sentences = sum(len(split_document(a)) for a in articles)
    t0 = time.perf_counter()
    coder = Coder()
    settle()  # as the CLI and the worker processes do
    load_s = time.perf_counter() - t0
    for _ in coder.code_many(warm):
        pass
    coder.stats.update({"sentences": 0, "parsed": 0, "events": 0})
    n_events = errors = 0
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    for _article, result in coder.code_many(articles, workers=workers):
        if isinstance(result, InputError):
            errors += 1
        else:
            n_events += len(result)
    elapsed = time.perf_counter() - t0
    cpu = _cpu_seconds() - cpu0
    self_peak = _mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    child_peak = _mib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    parsed_share = (coder.stats["parsed"] / coder.stats["sentences"]
                    if workers == 1 and coder.stats["sentences"] else None)
    return {
        "workers": workers, "articles": n_articles, "sentences": n_sentences, "events": n_events,
        "errors": errors, "seconds": elapsed, "load_seconds": load_s,
        "sentences_per_s": n_sentences / elapsed, "articles_per_s": n_articles / elapsed,
        "articles_per_cpu_s": n_articles / cpu if cpu else None, "words": words,
        "events_per_s": n_events / elapsed, "parsed_share": parsed_share,
        "cpu_seconds": cpu, "sentences_per_cpu_s": n_sentences / cpu if cpu else None,
        "peak_rss_mib": self_peak, "peak_worker_rss_mib": child_peak if workers > 1 else self_peak,
    }


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children: the cost of coding, whatever the load."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _run_child(n_articles: int, workers: int, seed: int, source: Path | None, words: int | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--articles", str(n_articles),
           "--workers", str(workers), "--seed", str(seed), "--child"]
    if source:
        cmd += ["--input", str(source.resolve())]
    if words:
        cmd += ["--words", str(words)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"bench run with {workers} worker(s) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def to_markdown(rows: list[dict], source: Path | None = None) -> str:
    corpus = f"articles from {source}" if source else "bench/corpus.py (seeded synthetic wire copy)"
    if not source and rows and rows[0].get("words"):
        corpus = f"bench/corpus.py (seeded synthetic wire copy, about {rows[0]['words']} words an article)"
    lines = [
        f"Machine: {platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}; "
        f"corpus: {corpus}.",
        "",
        "| processes | articles | sentences | events | parsed share | sentences/s | articles/s "
        "| events/s | sentences per CPU-s | articles per CPU-s | peak RSS per worker (MiB) | model load (s) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        share = f"{r['parsed_share']:.1%}" if r.get("parsed_share") is not None else "-"
        lines.append(
            f"| {r['workers']} | {r['articles']} | {r['sentences']} | {r['events']} | {share} "
            f"| {r['sentences_per_s']:,.0f} | {r['articles_per_s']:,.1f} | {r['events_per_s']:,.0f} "
            f"| {r['sentences_per_cpu_s'] or 0:,.0f} | {r.get('articles_per_cpu_s') or 0:,.1f} "
            f"| {r['peak_worker_rss_mib']:,.0f} | {r['load_seconds']:.1f} |")
    best = max(r["sentences_per_s"] for r in rows)
    worst_mem = max(r["peak_worker_rss_mib"] for r in rows)
    lines += [
        "",
        f"Target >= {TARGET_SENTENCES_PER_S:,} sentences/s: best {best:,.0f} "
        f"({'met' if best >= TARGET_SENTENCES_PER_S else 'NOT met'}); "
        f"target <= {TARGET_MIB_PER_WORKER} MiB per worker: worst {worst_mem:,.0f} MiB "
        f"({'met' if worst_mem <= TARGET_MIB_PER_WORKER else 'NOT met'}).",
        "Timings exclude the parent's model loading and a 5-article warm-up. With 2 processes the "
        "timed pass includes starting the pool (each worker builds its own Coder), so use enough "
        "articles for that to be small; workers are forked from a parent that has loaded the model, "
        "so per-worker RSS counts shared pages too (an upper bound). The load average at the end of "
        f"the run was {_load()}: other processes on the machine slow the wall-clock figures down; "
        "sentences per CPU-second (coding work of all processes, start-up of workers included) "
        "is the load-independent cost.",
    ]
    if any(r.get("errors") for r in rows):
        lines.append(f"Input errors during the run: {sum(r['errors'] for r in rows)}.")
    return "\n".join(lines)


def _load() -> str:
    import os

    return " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--workers", type=int, default=None, help="one configuration only (default: 1 and 2)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--input", type=Path, default=None,
                    help="JSONL articles {id, text, date?} to use instead of the synthetic corpus")
    ap.add_argument("--words", type=int, default=None,
                    help="synthetic articles of about this many words (default: 12-30 body sentences)")
    ap.add_argument("--json", action="store_true", help="print raw figures as JSON")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.articles, args.workers or 1, args.seed, args.input, args.words)))
        return 0
    configs = [args.workers] if args.workers else [1, 2]
    rows = [_run_child(args.articles, w, args.seed, args.input, args.words) for w in configs]
    print(json.dumps(rows, indent=2) if args.json else to_markdown(rows, args.input))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
