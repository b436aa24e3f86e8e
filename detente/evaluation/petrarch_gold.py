"""Score the coder on PETRARCH gold-standard wire sentences (``petr_gsr_dev.jsonl``).

Each record has a sentence, a date (``YYYYMMDD``), ``expected`` gold events ``{eventcode, sourcecode,
targetcode}`` in CAMEO, and ``noevents`` for sentences that should yield nothing. A coded event
*matches* a gold event when its CAMEO root (first two digits) equals the gold root and its actor and
recipient match the gold source and target on the country part of the code (``TUNJUD`` -> ``TUN``;
IGO and non-state prefixes as in ``metrics.actor_matches``). Figures:

- ``cameo_root_accuracy``: coded events on event sentences whose root equals some gold root there;
- ``dyad_accuracy``: gold events for which some coded event has the gold source and target (any type);
- ``recall`` / ``precision``: gold events matched / coded events matching a gold event (coded events on
  no-event sentences are all false);
- ``false_positive_rate``: no-event sentences with at least one coded event (``_asserted``: counting
  only events not marked negated or hypothetical).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detente.evaluation.metrics import (actor_matches, cameo_root, parse_date, share,
                                       stratified_sample)
from detente.evaluation.plover_gold import load
from detente.records import Event

FILENAME = "petr_gsr_dev.jsonl"


def dyad_matches(event: Event, gold: dict[str, str]) -> bool:
    return actor_matches(event.actor, gold.get("sourcecode")) and actor_matches(
        event.recipient, gold.get("targetcode"))


def event_matches(event: Event, gold: dict[str, str]) -> bool:
    return cameo_root(event.cameo) == cameo_root(gold.get("eventcode")) and dyad_matches(event, gold)


def score_record(record: dict[str, Any], events: list[Event]) -> dict[str, int]:
    """Counts for one sentence; ``aggregate`` sums them, so the figures are micro-averages."""
    gold = [] if record.get("noevents") else list(record.get("expected") or [])
    roots = {cameo_root(g.get("eventcode")) for g in gold}
    return {
        "gold_events": len(gold),
        "coded_events": len(events),
        "coded_on_event_sentences": len(events) if gold else 0,
        "root_ok": sum(cameo_root(e.cameo) in roots for e in events) if gold else 0,
        "dyad_ok": sum(any(dyad_matches(e, g) for e in events) for g in gold),
        "gold_matched": sum(any(event_matches(e, g) for e in events) for g in gold),
        "coded_matched": sum(any(event_matches(e, g) for g in gold) for e in events),
        "noevent_sentence": int(not gold),
        "noevent_fp": int(not gold and bool(events)),
        "noevent_fp_asserted": int(not gold and any(e.modality == "asserted" for e in events)),
    }


def aggregate(counts: list[dict[str, int]]) -> dict[str, Any]:
    tot = {k: sum(c[k] for c in counts) for k in (counts[0] if counts else {})}
    g = tot.get("gold_events", 0)
    return {
        "n": len(counts),
        "gold_events": g,
        "coded_events": tot.get("coded_events", 0),
        "cameo_root_accuracy": share(tot.get("root_ok", 0), tot.get("coded_on_event_sentences", 0)),
        "dyad_accuracy": share(tot.get("dyad_ok", 0), g),
        "recall": share(tot.get("gold_matched", 0), g),
        "precision": share(tot.get("coded_matched", 0), tot.get("coded_events", 0)),
        "noevent_sentences": tot.get("noevent_sentence", 0),
        "false_positive_rate": share(tot.get("noevent_fp", 0), tot.get("noevent_sentence", 0)),
        "false_positive_rate_asserted": share(tot.get("noevent_fp_asserted", 0),
                                              tot.get("noevent_sentence", 0)),
    }


def score(path: Path, coder: Any, limit: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Code each sentence with its date; a sample keeps event and no-event sentences in proportion."""
    every = load(path)
    records = stratified_sample(every, lambda r: bool(r.get("noevents")), limit, seed)
    counts, misses = [], []
    for rec in records:
        events = coder.code_sentence_text(rec["text"], date=parse_date(str(rec.get("date") or "")))
        c = score_record(rec, events)
        counts.append(c)
        if c["gold_matched"] < c["gold_events"] or c["noevent_fp"]:
            misses.append({"id": rec.get("id"), "gold": rec.get("expected") or [],
                           "coded": [_describe(e) for e in events]})
    result = aggregate(counts)
    result["of"] = len(every)
    result["errors"] = misses[:20]
    return result


def _describe(event: Event) -> str:
    """``CAMEO SRC->TGT`` in the gold's notation, for the error list of ``--json``."""
    def code(actor: Any) -> str:
        return (actor.country or actor.org or "---") if actor else "---"

    return f"{event.cameo} {code(event.actor)}->{code(event.recipient)} ({event.modality})"
