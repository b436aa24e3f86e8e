"""Human-readable renderings of coded events for the terminal."""

from __future__ import annotations

import shutil
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from detente.records import Actor, Event


def _actor(a: Actor | None) -> str:
    if a is None:
        return "-"
    return f"{a.code() or '?'} {a.name or a.text}"


def print_events(events: Sequence[Event], console: Console | None = None) -> None:
    """One row per event: sentence, what it is, who did it to whom, when, how sure, and the cue."""
    width = max(140, shutil.get_terminal_size((140, 24)).columns)
    console = console or Console(width=width)
    table = Table(expand=False, show_lines=False)
    for col in ("sent", "event", "CAMEO (Goldstein)", "actor -> recipient", "date (source)", "modality", "cue"):
        table.add_column(col, overflow="fold")
    for e in events:
        table.add_row(
            str(e.sentence),
            e.event + (f"/{e.mode}" if e.mode else ""),
            f"{e.cameo} ({e.goldstein:+.1f})" if e.goldstein is not None else e.cameo or "",
            f"{_actor(e.actor)} -> {_actor(e.recipient)}",
            f"{e.date.isoformat() if e.date else '-'} ({e.date_source})",
            e.modality,
            e.cue or "",
        )
    console.print(table)


def print_event_frame(frame, console: Console | None = None) -> None:
    """Stored events (a DataFrame from ``Store.events``): date, type, dyad, mentions, sentence."""
    width = max(140, shutil.get_terminal_size((140, 24)).columns)
    console = console or Console(width=width)
    table = Table(expand=False)
    for col in ("date", "event", "CAMEO", "actor -> recipient", "mentions", "sources", "modality", "sentence"):
        table.add_column(col, overflow="fold")

    def val(row, key):
        v = row.get(key)
        return "" if v is None or v != v else str(v)  # v != v: NaN

    for row in frame.to_dict("records"):
        table.add_row(
            val(row, "date")[:10],
            val(row, "event") + (f"/{val(row, 'mode')}" if val(row, "mode") else ""),
            val(row, "cameo"),
            f"{val(row, 'actor_code') or '-'} {val(row, 'actor_name')} -> {val(row, 'recipient_code') or '-'} {val(row, 'recipient_name')}",
            val(row, "num_mentions"),
            val(row, "num_sources"),
            val(row, "modality"),
            val(row, "text")[:160],
        )
    console.print(table)
