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
