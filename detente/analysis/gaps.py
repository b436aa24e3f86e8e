"""Silence gaps: when two actors last talked, and how long they had not.

"The first call between the Russian and US defence chiefs since March 2023" is news because of the
silence before it. This module lists every contact of a dyad (by default a CONSULT event: a meeting,
visit or call) in date order with the time since the previous one, the silences between contacts and
the longest of them. One real-world contact reported many times is one stored event (the store has
merged its mentions); contacts on the same day are one contact, whatever their direction.
Only asserted events count: "they have not spoken since" is a report of silence, not of contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from detente.analysis.dyad import (
    ActorSpec,
    AnalysisError,
    connection,
    date_bounds,
    dyad_filter,
    event_types,
    modalities,
    parse_actor,
    settings,
)


def span_phrase(start: date, end: date) -> str:
    """A human length of time: "17 days" under two months, "15 months" under two years, then years."""
    days = (end - start).days
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    months = (end.year - start.year) * 12 + (end.month - start.month) - (1 if end.day < start.day else 0)
    if months < 24:
        return f"{months} months"
    years, rest = divmod(months, 12)
    text = f"{years} years"
    return text + (f" {rest} month{'s' if rest != 1 else ''}" if rest else "")


@dataclass(frozen=True, slots=True)
class Contact:
    """One day with at least one contact event of the dyad, and the silence before it."""

    day: date
    event_ids: tuple[int, ...]
    directions: tuple[str, ...]
    """Each event's "SRC->TGT" (with sectors when the event names them)."""
    texts: tuple[str, ...]
    sources: tuple[str, ...]
    previous: date | None
    dyad: str
    what: str
    """The contact kind as a reader says it: "CONSULT", "MIL CONSULT"."""
    first_since_days: int = 90

    @property
    def days_since(self) -> int | None:
        return (self.day - self.previous).days if self.previous else None

    @property
    def since_phrase(self) -> str | None:
        return span_phrase(self.previous, self.day) if self.previous else None

    def describe(self) -> str:
        return describe(self)


def describe(contact: Contact) -> str:
    """'first RUS-USA CONSULT contact since 2023-03-15 (15 months)' -- or how soon after the last one."""
    head = f"{contact.dyad} {contact.what} contact"
    if contact.previous is None:
        return f"first {head} on record"
    if (contact.days_since or 0) >= contact.first_since_days:
        return f"first {head} since {contact.previous.isoformat()} ({contact.since_phrase})"
    return f"{head} {contact.since_phrase} after the previous one ({contact.previous.isoformat()})"


@dataclass(frozen=True, slots=True)
class Silence:
    """No contact strictly between ``start`` and ``end`` (both contact days, or ``end`` the query's end)."""

    start: date
    end: date
    ongoing: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def describe(self) -> str:
        tail = " (still silent)" if self.ongoing else ""
        return f"{self.start.isoformat()} -> {self.end.isoformat()}: {span_phrase(self.start, self.end)}{tail}"


@dataclass
class GapReport:
    """Contacts in the requested window, with the silences before and between them."""

    dyad: str
    what: str
    since: date | None
    until: date | None
    contacts: list[Contact] = field(default_factory=list)
    silences: list[Silence] = field(default_factory=list)
    n_longest: int = 5

    def longest(self, n: int | None = None) -> list[Silence]:
        return sorted(self.silences, key=lambda s: (-s.days, s.start))[: n or self.n_longest]

    def to_rows(self) -> list[dict[str, Any]]:
        return [{
            "date": c.day.isoformat(),
            "directions": ", ".join(sorted(set(c.directions))),
            "events": len(c.event_ids),
            "previous": c.previous.isoformat() if c.previous else None,
            "days_since": c.days_since,
            "since": c.since_phrase,
            "description": c.describe(),
            "event_ids": list(c.event_ids),
        } for c in self.contacts]

    def render(self) -> str:
        out = [f"{self.dyad} {self.what} contacts: {len(self.contacts)}"]
        for c in self.contacts:
            out.append(f"{c.day.isoformat()}  {c.describe()}  [{', '.join(sorted(set(c.directions)))}]")
        if self.silences:
            out.append("")
            out.append("longest silences:")
            out.extend("  " + s.describe() for s in self.longest())
        return "\n".join(out)


def _level(level: str | tuple[str | None, str | None] | None) -> tuple[str | None, str | None]:
    """``"MIL"`` -> both sides MIL; ``"MIL/GOV"`` or ``("MIL", "GOV")`` -> one sector per side."""
    if level is None:
        return None, None
    if isinstance(level, str):
        parts = [p.strip().upper() or None for p in level.split("/")]
        if len(parts) == 1:
            return parts[0], parts[0]
        if len(parts) == 2:
            return parts[0], parts[1]
        raise AnalysisError(repr(level), "a level is one sector (MIL) or one per side (MIL/GOV)")
    if len(level) != 2:
        raise AnalysisError(repr(level), "a level is one sector (MIL) or one per side (MIL/GOV)")
    return level[0], level[1]


def _types(event: str | Iterable[str]) -> list[str]:
    names = [event] if isinstance(event, str) else list(event)
    known = set(event_types())
    out = [n.strip().upper() for n in names]
    bad = [n for n in out if n not in known]
    if bad or not out:
        raise AnalysisError(", ".join(map(repr, bad or names)),
                            f"not a PLOVER event type (one of {', '.join(sorted(known))})")
    return out


def gaps(con: Any, a: str | ActorSpec, b: str | ActorSpec, *, event: str | Iterable[str] | None = None,
         level: str | tuple[str | None, str | None] | None = None, since: date | None = None,
         until: date | None = None, directed: bool = False) -> GapReport:
    """Contacts between ``a`` and ``b`` (events of type ``event``, default from ``analysis.yaml``).

    ``level`` restricts both sides (or each side) to a sector, e.g. "MIL" for defence-level contacts.
    Contacts before ``since`` are read too, so the first contact in the window knows its predecessor.
    """
    cfg = settings()["gaps"]
    types = _types(event or cfg["default_event"])
    la, lb = _level(level)
    spec_a = parse_actor(a, la) if la else parse_actor(a)
    spec_b = parse_actor(b, lb) if lb else parse_actor(b)
    if spec_a == spec_b:
        raise AnalysisError(f"{spec_a.label}-{spec_b.label}", "a dyad needs two different actors")
    date_bounds(since, until, "day")  # validates the order of the bounds
    where, params, _, _ = dyad_filter(spec_a, spec_b, directed)
    upper, upper_params = date_bounds(None, until, "e.anchor_date")
    mods = modalities()
    sql = f"""
        SELECT e.anchor_date AS day, e.event_id,
               coalesce(e.actor_country, e.actor_org) || coalesce(' ' || e.actor_sector, '') AS src,
               coalesce(e.recipient_country, e.recipient_org) || coalesce(' ' || e.recipient_sector, '') AS tgt,
               e.text, coalesce(e.source_url, e.article_id) AS source
        FROM events e
        WHERE e.modality IN ({', '.join('?' * len(mods))})
          AND e.event IN ({', '.join('?' * len(types))})
          AND {where} {upper}
        ORDER BY day, e.event_id
    """
    rows = connection(con).execute(sql, mods + types + params + upper_params).fetchall()
    what = " ".join(([la] if la and la == lb else [f"{la or '*'}/{lb or '*'}"] if (la or lb) else [])
                    + ["/".join(types)])
    dyad = f"{spec_a.code}{'->' if directed else '-'}{spec_b.code}"
    report = GapReport(dyad=dyad, what=what, since=since, until=until, n_longest=int(cfg["longest"]))
    by_day: dict[date, list[tuple]] = {}
    for row in rows:
        by_day.setdefault(row[0], []).append(row)
    previous: date | None = None
    threshold = int(cfg["first_since_days"])
    for day in sorted(by_day):
        group = by_day[day]
        if since is None or day >= since:
            report.contacts.append(Contact(
                day=day,
                event_ids=tuple(int(r[1]) for r in group),
                directions=tuple(f"{r[2]}->{r[3]}" for r in group),
                texts=tuple(r[4] or "" for r in group),
                sources=tuple(r[5] or "" for r in group),
                previous=previous,
                dyad=dyad,
                what=what,
                first_since_days=threshold,
            ))
            if previous is not None:
                report.silences.append(Silence(previous, day))
        previous = day
    if until is not None and previous is not None and previous < until:
        report.silences.append(Silence(previous, until, ongoing=True))
    return report
