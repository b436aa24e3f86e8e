"""Human-readable renderings of coded events for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from detente.records import Actor, Event


def _actor(a: Actor | None) -> str:
    if a is None:
        return "-"
    code = a.code() or "?"
    return f"{code} ({a.name or a.text})"


def print_events(events: Sequence[Event], console: Console | None = None) -> None:
    """One row per event: where it came from, what it is, who did it to whom, when, and why coded."""
    console = console or Console()
    table = Table(show_lines=False, expand=True)
    for col in ("sent", "event", "mode", "cameo", "gold", "actor", "recipient", "date", "modality", "cue"):
        table.add_column(col, overflow="fold")
    for e in events:
        table.add_row(str(e.sentence), e.event, e.mode or "", e.cameo or "", f"{e.goldstein:+.1f}" if e.goldstein is not None else "",
                      _actor(e.actor), _actor(e.recipient),
                      f"{e.date.isoformat() if e.date else '-'} ({e.date_source})", e.modality, e.cue or "")
    console.print(table)
