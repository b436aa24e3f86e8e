"""The calendar of dated international events (summits, general debates, peace talks).

News dates events relative to meetings ("one day after the summit ended", "ahead of the G20
summit") and names documents after them ("the Washington Summit Declaration"). The calendar in
``data/calendar.yaml`` turns such phrases into dates and organisers. Matching is by phrase: the
series keywords ("NATO summit"), each event's aliases and a derived "<place> summit" / "summit in
<place>"; a year written in the text, a place named in the text and the publication date pick one
meeting of a series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from detente.cache import compile_cached
from detente.data import load_yaml
from detente.time.trie import trie_pattern

_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One dated meeting. ``org`` is the organiser's IGO code (NATO, G7 ...) or None."""

    name: str
    series: str
    org: str | None
    kind: str
    start: date
    end: date
    place: str
    country: str
    aliases: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CalendarMatch:
    """A calendar event found in a text, with the character span of the phrase that named it."""

    event: CalendarEvent
    start: int
    end: int
    phrase: str


class Calendar:
    """The events and a phrase index over them (one compiled regex, longest phrases first)."""

    def __init__(self, events: list[CalendarEvent], series_keywords: dict[str, list[str]]) -> None:
        self.events = sorted(events, key=lambda e: e.start)
        self._by_series: dict[str, list[CalendarEvent]] = {}
        for ev in self.events:
            self._by_series.setdefault(ev.series, []).append(ev)
        # phrase -> (specific events, series names)
        self._phrases: dict[str, tuple[list[CalendarEvent], list[str]]] = {}
        for series, words in series_keywords.items():
            for w in words:
                self._phrases.setdefault(w.lower(), ([], []))[1].append(series)
        for ev in self.events:
            for alias in self._aliases(ev):
                self._phrases.setdefault(alias, ([], []))[0].append(ev)
        source = rf"(?<![\w-])(?:{trie_pattern(self._phrases)})(?![\w-])"
        # compiled programs from the load cache: compiling the two takes a tenth of a second per process
        self._regex = compile_cached("calendar-any-case", source, re.IGNORECASE)
        # Case-insensitive matching costs about twice as much as matching the lower-cased text with the
        # lower-case phrases. For ASCII text the two agree exactly unless a phrase has a non-ASCII
        # letter that IGNORECASE equates with an ASCII one (dotless "ı", long "ſ"): then only the first.
        self._lower_regex = None if _folds_to_ascii(self._phrases) else compile_cached("calendar-lower-case", source)

    @staticmethod
    def _aliases(ev: CalendarEvent) -> set[str]:
        out = {a.lower() for a in ev.aliases} | {ev.name.lower()}
        if ev.kind == "summit":
            place = ev.place.lower()
            out |= {f"{place} summit", f"summit in {place}"}
        return out

    def series(self, name: str) -> list[CalendarEvent]:
        return list(self._by_series.get(name, ()))

    def mentions(self, text: str) -> bool:
        """Does the text name any calendar event or series? (one regex search: the fast check)"""
        if self._lower_regex is not None and text.isascii():
            return self._lower_regex.search(text.lower()) is not None
        return self._regex.search(text) is not None

    def _finditer(self, text: str):
        """``finditer`` of the phrase regex over ``text`` (case-insensitive; see ``_lower_regex``)."""
        if self._lower_regex is not None and text.isascii():
            return self._lower_regex.finditer(text.lower())
        return self._regex.finditer(text)

    def matches(self, text: str, anchor: date | None = None) -> list[CalendarMatch]:
        """Every calendar phrase in ``text``, each resolved to one event (see ``find``)."""
        out: list[CalendarMatch] = []
        lowered = text.lower()
        years = {int(y) for y in _YEAR.findall(text)}
        for m in self._finditer(text):
            phrase = m.group(0).lower()
            events, series = self._phrases[phrase]
            ev = self._pick(events, series, lowered, years, anchor)
            if ev is not None:
                out.append(CalendarMatch(ev, m.start(), m.end(), phrase))
        return out

    def _pick(
        self,
        events: list[CalendarEvent],
        series: list[str],
        lowered: str,
        years: set[int],
        anchor: date | None,
    ) -> CalendarEvent | None:
        """The meeting meant: specific (alias) matches before series keywords; then the year
        written in the text, a host place named in the text, and the most recent one on or before
        the publication date (the next one if none came before)."""
        cands = list(events) or [ev for s in series for ev in self._by_series.get(s, ())]
        if not cands:
            return None
        if years:
            by_year = [e for e in cands if e.start.year in years]
            if by_year:
                cands = by_year
        by_place = [e for e in cands if re.search(rf"\b{re.escape(e.place.lower())}\b", lowered)]
        if by_place:
            cands = by_place
        if anchor is None:
            return cands[-1]
        before = [e for e in cands if e.start <= anchor]
        if before:
            return max(before, key=lambda e: e.start)
        return min(cands, key=lambda e: e.start)

    def find(self, text: str, anchor: date | None = None) -> CalendarEvent | None:
        """The first calendar event named in ``text`` (see ``matches``), or None."""
        found = self.matches(text, anchor)
        return found[0].event if found else None


def _folds_to_ascii(phrases) -> bool:
    """Does any phrase hold a non-ASCII character that ``re.IGNORECASE`` matches to an ASCII one?"""
    odd = {c for p in phrases for c in p if not c.isascii()}
    return any(re.fullmatch(re.escape(c), chr(a), re.IGNORECASE) for c in odd for a in range(128))


@lru_cache(maxsize=1)
def default_calendar() -> Calendar:
    """The calendar of ``data/calendar.yaml``, parsed and indexed once per process."""
    data = load_yaml("calendar.yaml")
    series_meta = data["series"]
    events = []
    for row in data["events"]:
        meta = series_meta[row["series"]]
        events.append(
            CalendarEvent(
                name=str(row["name"]),
                series=row["series"],
                org=meta.get("org"),
                kind=meta.get("kind", "summit"),
                start=row["start"],
                end=row.get("end") or row["start"],
                place=str(row["place"]),
                country=str(row["country"]),
                aliases=tuple(str(a) for a in row.get("aliases", ()) or ()),
                note=row.get("note"),
            )
        )
    return Calendar(events, {k: list(v.get("keywords") or ()) for k, v in series_meta.items()})


def calendar_events() -> list[CalendarEvent]:
    """All events of the calendar, in date order."""
    return list(default_calendar().events)


def find_calendar_event(text: str, anchor: date | None = None) -> CalendarEvent | None:
    """The dated meeting a text names ("Washington Summit Declaration" -> 2024 NATO summit)."""
    return default_calendar().find(text, anchor)
