"""Score the coder on PLOVER gold-standard records (``plover_gsr_dev.jsonl``), one sentence per record.

Each record gives the sentence, its date, the gold PLOVER 2021 type (``event_plover2021``), the gold
source and target actors (lists of ``{"code": "USA", ...}``) and, for some, a mode. Figures:

- ``type_found``: share of records where any coded event has the gold type;
- ``top1_type``: the top event (highest confidence, first on ties) has the gold type;
- ``full_triple``: an event has the gold type, its actor matches a gold source and its recipient a gold
  target (country or IGO part of the code, see ``metrics.actor_matches``);
- ``events_per_sentence``: mean number of coded events per record;
- ``mode_accuracy``: among records whose gold has a mode, share with an event of the gold type and
  the gold mode (older drafts' mode names, "riot-spon" or "host", renamed to PLOVER 2021 first).

Multi-actor golds: the actor may match *any* gold source and the recipient *any* gold target. When the
gold has no target (a joint or reciprocal event, "Bosnia and Slovenia agreed ..."), a recipient that
matches another gold source, or no recipient at all, is accepted; with one source and no target the
recipient is not checked.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from detente.data import load_yaml
from detente.evaluation.metrics import actor_matches, parse_date, share, stratified_sample
from detente.records import Event

FILENAME = "plover_gsr_dev.jsonl"


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _actors(value: Any) -> list[str]:
    """Gold actor codes; the gold files sometimes hold a string or null instead of a list."""
    if not isinstance(value, list):
        return []
    return [a.get("code") or "" for a in value if isinstance(a, dict)]


def gold_mode(gold_type: str | None, mode: str | None) -> str | None:
    """The gold mode in PLOVER 2021 terms: older drafts' names ("riot-spon", "host") are renamed
    through ``legacy_modes`` in ontology/plover.yaml."""
    mode = (mode or "").strip() or None
    legacy = (load_yaml("ontology/plover.yaml").get("legacy_modes") or {}).get(gold_type or "", {})
    return legacy.get(mode, mode) if mode else None


def top_event(events: list[Event]) -> Event | None:
    """The event a one-label consumer would take: highest confidence, the first one on ties."""
    return max(events, key=lambda e: e.confidence) if events else None


def triple_matches(event: Event, gold_type: str, sources: list[str], targets: list[str]) -> bool:
    """Does ``event`` reproduce the gold (type, source, target)? Multi-actor rules: module docstring."""
    if event.event != gold_type:
        return False
    if sources and not any(actor_matches(event.actor, s) for s in sources):
        return False
    if targets:
        return any(actor_matches(event.recipient, t) for t in targets)
    if len(sources) > 1 and event.recipient is not None:
        return any(actor_matches(event.recipient, s) for s in sources)
    return True


def score_record(record: dict[str, Any], events: list[Event]) -> dict[str, Any]:
    """Per-record outcome, the unit the aggregate figures are built from (also handy for error lists)."""
    gold_type = record.get("event_plover2021") or record.get("event")
    sources = _actors(record.get("source"))
    targets = _actors(record.get("target"))
    mode = gold_mode(gold_type, record.get("mode"))
    top = top_event(events)
    return {
        "id": record.get("id"),
        "gold_type": gold_type,
        "n_events": len(events),
        "type_found": any(e.event == gold_type for e in events),
        "top1": top is not None and top.event == gold_type,
        "triple": any(triple_matches(e, gold_type, sources, targets) for e in events),
        "gold_mode": mode,
        "mode_ok": mode is not None and any(e.event == gold_type and (e.mode or "") == mode for e in events),
        "predicted": [e.event for e in events],
    }


def aggregate(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(outcomes)
    with_mode = [o for o in outcomes if o["gold_mode"]]
    missed = Counter(o["gold_type"] for o in outcomes if not o["type_found"])
    return {
        "n": n,
        "type_found": share(sum(o["type_found"] for o in outcomes), n),
        "top1_type": share(sum(o["top1"] for o in outcomes), n),
        "full_triple": share(sum(o["triple"] for o in outcomes), n),
        "events_per_sentence": share(sum(o["n_events"] for o in outcomes), n),
        "no_event": share(sum(o["n_events"] == 0 for o in outcomes), n),
        "mode_accuracy": share(sum(o["mode_ok"] for o in with_mode), len(with_mode)),
        "n_with_mode": len(with_mode),
        "missed_types": dict(missed.most_common()),
    }


def score(path: Path, coder: Any, limit: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Code every (or a stratified sample of) record's sentence with the record's date and aggregate."""
    every = load(path)
    records = stratified_sample(every, lambda r: r.get("event_plover2021"), limit, seed)
    outcomes = []
    for rec in records:
        events = coder.code_sentence_text(rec["text"], date=parse_date(rec.get("date")))
        outcomes.append(score_record(rec, events))
    result = aggregate(outcomes)
    result["of"] = len(every)
    result["errors"] = [
        {"id": o["id"], "gold": o["gold_type"], "predicted": o["predicted"]}
        for o in outcomes if not o["type_found"]
    ][:20]
    return result
