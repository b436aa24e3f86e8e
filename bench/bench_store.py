"""Write speed of the event store alone: synthetic coded articles through ``Store.write_batch``.

    .venv/bin/python bench/bench_store.py --articles 20000 --events 10 --batch 200

Prints the wall-clock rate and the rate per second of CPU time of the writer (DuckDB's threads
included), which is what the store costs the ingest when the coders keep the other cores busy.
Articles get 600 words of filler text and ``--events`` events each, drawn from 40 countries x 5 sectors,
16 PLOVER types and a year of dates, so a realistic share of reports merge into known events.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from detente.records import Actor, Article, Event
from detente.store import BatchResult
from detente.store import open as open_store

COUNTRIES = ["USA", "RUS", "CHN", "UKR", "GBR", "FRA", "DEU", "IRN", "ISR", "IND", "PAK", "TUR", "SYR", "IRQ",
             "JPN", "KOR", "PRK", "BRA", "MEX", "CAN", "AUS", "EGY", "SAU", "QAT", "ARE", "NGA", "ZAF", "ETH",
             "KEN", "SDN", "POL", "HUN", "ITA", "ESP", "VEN", "COL", "AFG", "MMR", "THA", "VNM"]
SECTORS = ["GOV", "MIL", "", "LEG", "JUD"]
TYPES = ["CONSULT", "AGREE", "ACCUSE", "REQUEST", "SUPPORT", "THREATEN", "ASSAULT", "PROTEST", "SANCTION",
         "AID", "COOPERATE", "REJECT", "MOBILIZE", "RETREAT", "CONCEDE", "INVESTIGATE"]
WEIGHTS = [1 / (r + 1) for r in range(len(COUNTRIES))]  # a few countries make most of the news
WORDS = "the minister said on talks over security border trade aid sanctions army capital officials".split()


def article(i: int, rng: random.Random, n_events: int) -> tuple[Article, list[Event]]:
    pub = date(2024, 1, 1) + timedelta(days=rng.randrange(366))
    text = " ".join(rng.choice(WORDS) for _ in range(600)) + f" #{i}"
    art = Article(id=f"a{i}", text=text, date=pub, url=f"https://news{i % 50}.example/story/{i}",
                  outlet=f"Outlet {i % 50}", language="en")
    events = []
    for s in range(n_events):
        a, b = rng.choices(COUNTRIES, WEIGHTS, k=2)
        if a == b:
            b = COUNTRIES[(COUNTRIES.index(a) + 1) % len(COUNTRIES)]
        d = pub - timedelta(days=rng.randrange(3))
        events.append(Event(
            doc_id=art.id, sentence=s, text=f"Sentence {s} of article {i}.", event=rng.choice(TYPES),
            actor=Actor(text=a, country=a, sector=rng.choice(SECTORS) or None, kind="state"),
            recipient=Actor(text=b, country=b, kind="state"), cameo="040", goldstein=1.0, quad_class=1,
            context=["diplomatic"], date=d, date_source=rng.choice(["text", "publication"]),
            confidence=rng.random(), cue="met", rule="bench", char_start=s * 100, char_end=s * 100 + 90))
    return art, events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--events", type=int, default=10)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--db", default=None, help="database path (default: a temporary file)")
    args = ap.parse_args()
    rng = random.Random(7)
    items = [article(i, rng, args.events) for i in range(args.articles)]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.duckdb")
        with open_store(db) as store:
            total = BatchResult()
            secs = cpu = 0.0
            for k in range(0, len(items), args.batch):
                batch = items[k:k + args.batch]
                for art, _ in batch:  # the orchestrator asks before coding; not part of write_batch
                    store.has_article(art)
                started, cpu0 = time.perf_counter(), time.process_time()
                total += store.write_batch(batch)
                secs += time.perf_counter() - started
                cpu += time.process_time() - cpu0
            stats = store.stats()
    print(f"{args.articles:,} articles x {args.events} events, batch {args.batch}: {secs:.1f} s, "
          f"{args.articles / secs:,.0f} articles/s, {args.articles * args.events / secs:,.0f} events/s")
    print(f"CPU time of the writing process (all threads): {cpu:.1f} s = {args.articles / cpu:,.0f} articles/s "
          "per busy core (the wall-clock figure is lower when other processes share the cores)")
    print(f"events new {total.events_new:,}, merged {total.events_merged:,}; tables {stats}")


if __name__ == "__main__":
    main()
