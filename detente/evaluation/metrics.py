"""Metric helpers shared by the gold-set scorers: actor-code matching, F1, confusion, sampling.

Kept free of any coder or file I/O so the numbers can be checked by hand in tests: every scorer
turns its gold file into plain codes and lists of events, then calls these functions.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from detente.data import load_yaml
from detente.records import Actor

T = TypeVar("T")


def _codes() -> dict[str, Any]:
    return load_yaml("eval_codes.yaml") or {}


def normalize_code(code: str | None) -> str:
    """The comparable three-letter part of a gold or predicted code ("TUNJUD" -> "TUN", "JAP" -> "JPN").

    Gold sets append sectors to the country part; only the first three characters identify the state
    (or the special prefixes IGO, NGO, "---" ...). Legacy codes are mapped through ``eval_codes.yaml``.
    """
    if not code:
        return "---"
    head = code.strip().upper()[:3]
    if not head:
        return "---"
    return (_codes().get("aliases") or {}).get(head, head)


def actor_matches(actor: Actor | None, gold_code: str | None) -> bool:
    """Does a predicted actor fill a gold actor slot coded ``gold_code``?

    States compare on the normalised country code. Gold "IGO..." matches any organisation actor or
    a stateless NGO, "NGO" an NGO or organisation actor, and non-state prefixes ("---", "IMG", ...)
    an actor with neither country nor organisation (a missing actor counts as such).
    """
    head = normalize_code(gold_code)
    kind = (_codes().get("special") or {}).get(head)
    country = normalize_code(actor.country) if actor and actor.country else None
    org = actor.org if actor else None
    ngo = bool(actor) and (actor.sector == "NGO" or "NGO" in (actor.sectors or []))
    if kind == "org":
        # Gold coders file transnational NGOs (Amnesty, the Red Cross) under IGO as well.
        return bool(org) or bool(actor and actor.kind == "igo") or (ngo and country is None)
    if kind == "ngo":
        return ngo or bool(org)
    if kind == "nonstate":
        return country is None and not org
    if country is not None:
        return country == head
    # An organisation coded with its own short code ("NATO") may meet a gold code equal to it.
    return bool(org) and org.upper()[:3] == head


def share(numerator: float, denominator: float) -> float | None:
    """A ratio that is ``None`` (not 0) when nothing was scored: an empty set is not a failure."""
    return None if denominator == 0 else numerator / denominator


def f1_scores(gold: Sequence[Hashable], pred: Sequence[Hashable | None], labels: Iterable[Hashable]
              ) -> dict[str, Any]:
    """Accuracy, per-label precision/recall/F1 and macro-F1 over ``labels``.

    A prediction of ``None`` (no event in the document) is wrong for every gold label. Macro-F1 averages
    over the given labels, so a type that never occurs in gold but is predicted still lowers the score
    through its zero F1 only when it is listed in ``labels`` and has predictions.
    """
    labels = list(labels)
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            if p is not None:
                fp[p] += 1
    per: dict[str, dict[str, float | int]] = {}
    f1s = []
    for label in labels:
        support = tp[label] + fn[label]
        if support == 0 and fp[label] == 0:
            continue  # label absent from gold and predictions: not part of the average
        prec = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        rec = tp[label] / support if support else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[str(label)] = {"precision": prec, "recall": rec, "f1": f1, "support": support}
        f1s.append(f1)
    n = len(gold)
    return {
        "n": n,
        "accuracy": share(sum(tp.values()), n),
        "macro_f1": sum(f1s) / len(f1s) if f1s else None,
        "per_label": per,
    }


def confusion(gold: Sequence[Hashable], pred: Sequence[Hashable | None], top: int = 10
              ) -> list[tuple[str, str, int]]:
    """The ``top`` most frequent (gold, predicted) mistakes; ``None`` predictions shown as "(none)"."""
    pairs = Counter((str(g), "(none)" if p is None else str(p)) for g, p in zip(gold, pred) if g != p)
    return [(g, p, c) for (g, p), c in pairs.most_common(top)]


def stratified_sample(items: Sequence[T], key: Callable[[T], Hashable], limit: int | None,
                      seed: int = 0) -> list[T]:
    """Up to ``limit`` items with every stratum represented in proportion (at least one each), seeded.

    Used to keep CI runs small while still covering every event type; the original order is kept so
    a run is reproducible and comparable with a full run.
    """
    if limit is None or limit >= len(items):
        return list(items)
    rng = random.Random(seed)
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        groups[key(item)].append(i)
    total = len(items)
    chosen: list[int] = []
    # Proportional quota, at least one per stratum; then trim/fill to hit the limit exactly.
    quotas = {k: max(1, round(limit * len(v) / total)) for k, v in groups.items()}
    for k in sorted(groups, key=str):
        idx = groups[k][:]
        rng.shuffle(idx)
        chosen.extend(idx[: quotas[k]])
    rng.shuffle(chosen)
    if len(chosen) > limit:
        chosen = chosen[:limit]
    elif len(chosen) < limit:
        taken = set(chosen)
        rest = [i for i in range(total) if i not in taken]
        rng.shuffle(rest)
        chosen.extend(rest[: limit - len(chosen)])
    return [items[i] for i in sorted(chosen)]


def cameo_root(code: str | None) -> str | None:
    """The two-digit CAMEO root ("0352" -> "03", "173" -> "17"); ``None`` for missing codes."""
    if not code:
        return None
    code = code.strip()
    return code[:2] if len(code) >= 2 and code[:2].isdigit() else None


def parse_date(value: str | None) -> date | None:
    """Gold dates come as ``2000-01-01`` or ``20080806``; anything else is no date for the coder."""
    if not value:
        return None
    value = value.strip()
    try:
        if "-" in value:
            return date.fromisoformat(value[:10])
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None
