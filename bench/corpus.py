"""Seeded synthetic wire copy for the speed benchmark: ``generate(n_articles, seed) -> list[Article]``.

The text is assembled from templates and word lists in ``bench/corpus_data.yaml`` (no article text is
copied): a headline, a dateline, then paragraphs mixing event sentences, sentences that name actors
without an event, quotes and filler in the proportions of the file's ``mix``. What matters for speed
is that mix, since sentences without a cue or an actor never reach the parser.

Run ``python bench/corpus.py N [--seed S]`` to print N articles as JSONL (input for ``detente code -``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from detente.records import Article

DATA_FILE = Path(__file__).resolve().parent / "corpus_data.yaml"


def load_data(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class _Writer:
    """Fills templates for one article, reusing a small cast of actors as real stories do."""

    def __init__(self, data: dict[str, Any], rng: random.Random) -> None:
        self.d = data
        self.rng = rng
        self.cast = [self._actor() for _ in range(rng.randint(2, 4))]
        self.used: set[str] = set()

    def _actor(self) -> str:
        rng, d = self.rng, self.d
        name, adj, capital, title = rng.choice(d["countries"])
        roll = rng.random()
        if roll < 0.3:
            return name
        if roll < 0.45:
            return capital
        if roll < 0.6:
            return f"{adj} {rng.choice(d['agents_plural'])}"
        if roll < 0.75:
            return f"the {adj} {rng.choice(d['agents_singular'])}"
        if roll < 0.87:
            return rng.choice(d["organisations"])
        return f"{adj} {title} {rng.choice(d['surnames'])}"

    def fill(self, template: str) -> str:
        rng, d = self.rng, self.d
        a, b = rng.sample(self.cast, 2) if rng.random() < 0.8 else (self._actor(), self._actor())
        text = template.format(
            A=a, B=b, day=rng.choice(d["days"]), place=rng.choice(d["places"]),
            topic=rng.choice(d["topics"]), n=rng.randint(2, 900), year=rng.randint(1995, 2022),
            day_plain=rng.choice(d["day_plain"]),
        )
        return text[0].upper() + text[1:]

    def _draw(self) -> str:
        rng, d = self.rng, self.d
        kinds = list(d["mix"])
        kind = rng.choices(kinds, weights=[d["mix"][k] for k in kinds])[0]
        if kind == "quotes":
            return f"\"{rng.choice(d['quotes'])},\" {rng.choice(d['speakers'])} said."
        return self.fill(rng.choice(d[kind]))

    def sentence(self) -> str:
        """A sentence not yet used in this article (real copy rarely repeats; repeats are coded once)."""
        for _ in range(50):
            s = self._draw()
            if s not in self.used:
                break
        self.used.add(s)
        return s


    def long_sentence(self) -> str:
        """A sentence of wire-copy length: sometimes two drawn clauses joined by a connector."""
        s = self.sentence()
        if self.rng.random() < self.d["join_share"] and not s.startswith('"'):
            second = self.sentence()
            if second.startswith('"'):
                return f"{s} {second}"
            first, _, rest = second.partition(" ")
            if first in self.d["lower_after_connector"]:
                second = f"{first.lower()} {rest}"
            s = f"{s.rstrip('.')}{self.rng.choice(self.d['connectors'])} {second}"
        return s


def generate(n_articles: int, seed: int = 0, sentences: tuple[int, int] = (12, 30),
             data: dict[str, Any] | None = None, words: int | None = None) -> list[Article]:
    """``n_articles`` articles of ``sentences`` (min, max) body sentences each, reproducible from ``seed``;
    with ``words``, articles of about that many words (+-10%) in sentences of wire-copy length."""
    data = data or load_data()
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    out: list[Article] = []
    for i in range(n_articles):
        w = _Writer(data, rng)
        title = w.fill(rng.choice(data["headlines"]))
        city = rng.choice(data["countries"])[2].upper()
        if words:
            goal, body, count = rng.uniform(0.9, 1.1) * words, [], 0
            while count < goal:
                body.append(w.long_sentence())
                count += len(body[-1].split())
        else:
            body = [w.sentence() for _ in range(rng.randint(*sentences))]
        paras, k = [], 0
        while k < len(body):
            step = rng.randint(1, 3)
            paras.append(" ".join(body[k:k + step]))
            k += step
        paras[0] = f"{city} (Bench Wire) - {paras[0]}"
        text = title + "\n\n" + "\n\n".join(paras) + "\n"
        out.append(Article(id=f"bench-{seed}-{i}", text=text, title=title,
                           date=start + timedelta(days=rng.randint(0, 365))))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Print synthetic benchmark articles as JSONL.")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--words", type=int, default=None, help="Articles of about this many words.")
    args = ap.parse_args(argv)
    for a in generate(args.n, args.seed, words=args.words):
        rec = {"id": a.id, "text": a.text, "title": a.title, "date": a.date.isoformat()}
        sys.stdout.write(json.dumps(rec) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
