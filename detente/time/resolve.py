"""The date of the event a clause describes, resolved against the publication date (the anchor).

Rules, not a model: explicit dates ("July 12th", "12 July 2024", "March 2023"), days relative to
the publication ("yesterday", "on Friday", "two days ago", "last week", "earlier this month"),
days relative to a dated meeting of the calendar ("one day after the summit ended") and texts
issued at one ("the Washington Summit Declaration condemned ..."). When several
dates are in the clause, a day-precise one beats a week, month or year, and the first in the text
wins among equals; dates after "since", "until", "by" mark a boundary, not the event, and are skipped.

News is mostly in the past tense: a weekday or a "last ..." phrase is never resolved after the
anchor, and a date without a year lies on or before the anchor unless the clause speaks of the
future ("will meet on July 20").

Speed: most sentences hold no date word at all, so one compiled trigger regex (plus the calendar's
phrase regex) decides whether any rule has to run: about 50,000 calls/s on sentences without dates,
about 10,000/s on gold-set sentences (most of which carry a date). ``dateparser`` is not used: it
needs the phrase already cut out, costs about 0.8 ms per phrase, has no "earlier this month", and
reads "12/07/2024" in US order; the rules above cover the English news formats it would add.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from detente.data import load_yaml
from detente.records import DateSource
from detente.time.trie import trie_pattern
from detente.time.calendar import Calendar, CalendarEvent, default_calendar

Precision = Literal["day", "week", "month", "year", "approx"]
_RANK: dict[str, int] = {"day": 0, "approx": 1, "week": 2, "month": 3, "year": 4}


@dataclass(frozen=True, slots=True)
class DateResolution:
    """A resolved date with where it came from and how precise it is (``month`` = first day)."""

    date: date | None
    source: DateSource
    precision: Precision | None
    text: str | None = None  # the phrase that gave the date


class _Words:
    """Time words from ``data/timewords.yaml`` and the regexes built from them (built once)."""

    def __init__(self) -> None:
        w = load_yaml("timewords.yaml")
        self.months: dict[str, int] = {k.lower(): int(v) for k, v in w["months"].items()}
        self.weekdays: dict[str, int] = {k.lower(): int(v) for k, v in w["weekdays"].items()}
        self.numbers: dict[str, int] = {k.lower(): int(v) for k, v in w["numbers"].items()}
        self.units: dict[str, int] = {k.lower(): int(v) for k, v in w["units"].items()}
        self.relative_days: dict[str, int] = {k.lower(): int(v) for k, v in w["relative_days"].items()}
        self.boundary = {b.lower() for b in w["boundary_words"]}
        self.future = [f.lower() for f in w["future_markers"]]
        self.past_verbs = frozenset(v.lower() for v in w["reporting_verbs_past"])
        self.end_words = [x.lower() for x in w["event_end_words"]]
        self.start_words = [x.lower() for x in w["event_start_words"]]
        self.documents = [x.lower() for x in w["meeting_documents"]]
        self.relation_kind: dict[str, str] = {
            str(word).lower(): kind for kind, words in w["event_relations"].items() for word in words
        }

        def alt(words: list[str] | set[str] | dict[str, int]) -> str:
            return trie_pattern(words)

        prefixes = alt([str(p).lower() for p in w["period_prefixes"]] + sorted(self.boundary))
        parts = alt([str(p).lower() for p in w["day_parts"]])
        # Month names are matched capitalised (news capitalises them; "may" is usually a verb).
        full = [m for m in self.months if len(m) > 3 or m == "may"]
        abbr = [m for m in self.months if m not in full]
        month = rf"(?:{alt([m.capitalize() for m in full])}|(?:{alt([m.capitalize() for m in abbr])})\.?)"
        self.month_re = month
        day = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
        year = r"(?P<y>(?:19|20)\d\d)"
        self.explicit = [
            (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"), "iso"),
            (re.compile(rf"\b(?P<mn>{month})\s+{day}\b(?:,?\s+{year}\b)?"), "md"),
            (re.compile(rf"\b{day}\s+(?:of\s+)?(?P<mn>{month})(?:,?\s+{year}\b)?"), "dm"),
            (re.compile(rf"\b(?P<mn>{month})\s+(?:of\s+)?{year}\b"), "my"),
            (re.compile(rf"\b(?P<pre>(?i:{prefixes}))\s*(?P<mn>{month})\b(?!\s+\d)"), "m"),
            (re.compile(rf"\b(?i:on\s+the)\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?{month})"), "d"),
            (re.compile(rf"\b(?P<pre>(?i:{prefixes}))\s*(?P<y>(?:19|20)\d\d)\b(?![-–/]\d)"), "y"),
        ]
        wd_full = [d.capitalize() for d in self.weekdays if len(d) > 4]
        self.weekday_re = re.compile(
            rf"\b(?:(?P<mod>(?i:last|this|next|on|early|late))\s+)?(?:(?P<part>(?i:{parts}))\s+)?"
            rf"(?P<wd>{alt(wd_full)})\b(?:\s+(?P<part2>(?i:{parts})))?",
        )
        num = rf"(?:\d+|{alt(self.numbers)})"
        self.ago_re = re.compile(rf"\b(?P<n>{num})\s+(?P<u>{alt(self.units)})\s+ago\b", re.IGNORECASE)
        self.relday_re = re.compile(rf"\b(?:{alt(self.relative_days)})\b", re.IGNORECASE)
        self.period_re = re.compile(
            r"\b(?P<mod>last|this|next|earlier this|later this|past|previous|earlier in the|late last|early last)"
            r"\s+(?P<u>week|month|year|weekend)\b",
            re.IGNORECASE,
        )
        rel = alt(self.relation_kind).replace(r"\ ", r"\s+")
        # The relation word nearest before a meeting's name, with at most a few words between
        # ("after the 2024 Washington Summit"), and an optional count before it ("one day after").
        self.rel_re = re.compile(rf"\b(?P<rel>{rel})\b", re.IGNORECASE)
        self.gap_re = re.compile(r"^\s+(?:(?:the|this|last|next|[\w'’.-]+)\s+){0,4}$", re.IGNORECASE)
        self.count_re = re.compile(rf"\b(?P<n>{num})\s+(?P<u>days?|weeks?|months?)\s+$", re.IGNORECASE)
        self.generic_summit_re = re.compile(
            rf"(?:\b(?P<n>{num})\s+(?P<u>days?|weeks?)\s+)?\b(?P<rel>{rel})\s+(?:the|this|last\s+week's|this\s+week's)\s+"
            r"(?P<what>summit|talks|conference|assembly)\b",
            re.IGNORECASE,
        )
        self.document_re = re.compile(rf"(?:^|\s+|\b)(?:{alt(self.documents)})\b", re.IGNORECASE)
        self.future_re = re.compile(rf"(?<![\w'])(?:{alt(self.future)})\b", re.IGNORECASE)
        self.end_re = re.compile(rf"^\s*(?:{alt(self.end_words)})\b", re.IGNORECASE)
        self.start_re = re.compile(rf"^\s*(?:{alt(self.start_words)})\b", re.IGNORECASE)
        # Literal clues (see ``clues``): a rule whose regex needs a month name, a weekday, a year, or
        # one of these words cannot match a text without it, so it is not run on such a text.
        self.month_literals = _minimal(m.capitalize() for m in self.months)
        self.weekday_literals = _minimal(wd_full)
        self.relday_literals = _minimal(self.relative_days)
        self.period_literals = ("week", "month", "year")  # the units of ``period_re``
        # one pass each for the case-sensitive names and the lower-case words
        self.names_re = re.compile(alt([*self.month_literals, *self.weekday_literals]))
        self.words_re = re.compile(alt([*self.relday_literals, "ago", *self.period_literals]))
        # The fast path: any of the trigger's alternatives and the full rules run; otherwise the
        # anchor is the answer. Each alternative needs its clue (``clues``), and a text holds few kinds
        # of date words, so ``triggered`` searches only those whose clue the text holds (several
        # times cheaper); ``trigger``, all of them in one regex, is the reference it is tested against.
        self.trigger_parts: tuple[tuple[str, re.Pattern[str]], ...] = (
            ("weekday", re.compile(rf"\b(?:{alt(wd_full)})")),
            ("month", re.compile(rf"\b(?:{month}|\d+(?:st|nd|rd|th)?\s+(?:of\s+)?{month})")),
            ("year", re.compile(r"\b(?:19|20)\d\d")),
            ("ordinal_any_case", re.compile(r"(?i:\bon\s+the\s+[0-3]?\d(?:st|nd|rd|th)\b)")),
            ("relday_or_ago", re.compile(rf"(?i:\b(?:{alt(self.relative_days)}|ago)\b)")),
            ("period", re.compile(rf"(?i:{self.period_re.pattern})")),
        )
        self.trigger = re.compile("|".join(f"(?:{part.pattern})" for _, part in self.trigger_parts))

    def clues(self, text: str) -> _Clues:
        """Which kinds of date words ``text`` may hold, found by scanning for literal words (much
        cheaper than the rule regexes). Each is a necessary condition of the regexes that use it:
        "month" of every rule naming a month (case-sensitive, as they are), "relday" of ``relday_re``
        ("today"), and so on. Case-insensitive rules are tested on the lower-cased text, which holds
        none of the four letters ``re.IGNORECASE`` equates with ASCII ones: ``resolve_date_detail``
        has folded them (``_ASCII_FOLD``). (No literal can hide another from ``findall``: the rules need a word
        boundary or a space before each, and no literal ends where another could begin.)"""
        year = _YEAR_LIKE.search(text) is not None
        ordinal = _ORDINAL.search(text) is not None
        # the trigger reads "on the 12TH" in any case
        ordinal_any = ordinal or _ORDINAL_ANY_CASE.search(text) is not None
        names = set(self.names_re.findall(text))
        month = not names.isdisjoint(self.month_literals)
        weekday = not names.isdisjoint(self.weekday_literals)
        words = set(self.words_re.findall(text.lower()))
        return _Clues(year, ordinal, ordinal_any, month, weekday, not words.isdisjoint(self.relday_literals),
                      "ago" in words, not words.isdisjoint(self.period_literals))

    def triggered(self, text: str, clues: _Clues) -> bool:
        """``trigger.search(text)`` as a truth value, from the clues of ``text``: the trigger matches
        where one of its alternatives does, and each alternative needs its clue, so only the
        alternatives whose clue the text holds are searched for."""
        for kind, part in self.trigger_parts:
            if getattr(clues, kind) and part.search(text) is not None:
                return True
        return False

    def number(self, s: str | None, default: int = 1) -> int:
        if not s:
            return default
        s = s.lower()
        return int(s) if s.isdigit() else self.numbers.get(s, default)


# what the rules need of digits: a year ("2024", also in "2024-07-12") or an ordinal day ("12th")
_YEAR_LIKE = re.compile(r"(?:19|20)\d\d")
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)")
_ORDINAL_ANY_CASE = re.compile(r"\d(?:st|nd|rd|th)", re.IGNORECASE)
# The four non-ASCII letters that re.IGNORECASE equates with ASCII ones, and the ASCII letter each
# stands for: the rules' tables are keyed by ASCII words, so a text with "yeſterday" (which the
# case-blind regexes match) is read as "yesterday" (one character for one: offsets hold)
_FOLDING = re.compile("[\u0130\u0131\u017f\u212a]")
_ASCII_FOLD = str.maketrans({"\u0130": "I", "\u0131": "i", "\u017f": "s", "\u212a": "K"})


def _minimal(words) -> tuple[str, ...]:
    """The words none of which contains another of them: a text holding any of ``words`` holds one
    of these ("Jan" stands for "January" too)."""
    words = sorted(set(words), key=len)
    out: list[str] = []
    for w in words:
        if not any(o in w for o in out):
            out.append(w)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Clues:
    """Which kinds of date words a text may hold (``_Words.clues``)."""

    year: bool
    ordinal: bool
    ordinal_any_case: bool
    month: bool
    weekday: bool
    relday: bool
    ago: bool
    period: bool

    @property
    def relday_or_ago(self) -> bool:
        """May the trigger's "today ... / ... ago" alternative match?"""
        return self.relday or self.ago

    def any(self) -> bool:
        """May the trigger match?"""
        return (self.year or self.ordinal_any_case or self.month or self.weekday or self.relday or self.ago
                or self.period)

    def allows(self, kind: str) -> bool:
        """May the explicit rule ``kind`` match? (its regex needs a month name, a year or an ordinal)"""
        if kind in ("md", "dm", "m"):
            return self.month
        if kind == "my":
            return self.month and self.year
        if kind == "d":
            return self.ordinal
        return self.year  # "iso", "y"


@lru_cache(maxsize=1)
def _words() -> _Words:
    return _Words()


@dataclass(slots=True)
class _Cand:
    start: int
    date: date
    precision: Precision
    text: str


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _infer_year(m: int, d: int, anchor: date, future: bool) -> date | None:
    """A day without a year: the latest such day on or before the anchor, or (future clause) the
    next one on or after it."""
    cand = _safe_date(anchor.year, m, min(d, monthrange(anchor.year, m)[1]))
    if cand is None or d > monthrange(anchor.year, m)[1]:
        return None
    if future:
        return cand if cand >= anchor else _safe_date(anchor.year + 1, m, d)
    return cand if cand <= anchor else _safe_date(anchor.year - 1, m, d)


def _day_of_month(day: int, anchor: date, future: bool) -> date | None:
    """'on the 12th': that day of the anchor's month, or of the month before (after, if future)."""
    d = _safe_date(anchor.year, anchor.month, day)
    if future:
        if d is not None and d >= anchor:
            return d
        y, m = (anchor.year, anchor.month + 1) if anchor.month < 12 else (anchor.year + 1, 1)
        return _safe_date(y, m, day)
    if d is not None and d <= anchor:
        return d
    y, m = (anchor.year, anchor.month - 1) if anchor.month > 1 else (anchor.year - 1, 12)
    return _safe_date(y, m, day)


def _future_at(text: str, pos: int, w: _Words) -> bool:
    """Is the date at ``pos`` in the future? Only when a future marker comes shortly before it
    ("will meet on Friday") and no past-tense verb stands right before it ("said on Friday it will")."""
    window = text[max(0, pos - 50) : pos]
    if not w.future_re.search(window):
        return False
    words = re.findall(r"[A-Za-z]+", window)
    while words and words[-1].lower() in ("on", "the", "last", "this", "early", "late", "in"):
        words.pop()
    return not (words and words[-1].lower() in w.past_verbs)


def _preceded_by_boundary(text: str, pos: int, words: _Words) -> bool:
    before = text[max(0, pos - 12) : pos].lower().split()
    return bool(before) and before[-1] in words.boundary


def _explicit(text: str, anchor: date | None, w: _Words, clues: _Clues) -> list[_Cand]:
    out: list[_Cand] = []
    taken: list[tuple[int, int]] = []
    for regex, kind in w.explicit:
        if not clues.allows(kind):
            continue  # its regex cannot match this text
        for m in regex.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            gd = m.groupdict()
            future = _future_at(text, m.start(), w)
            if kind != "m" and _preceded_by_boundary(text, m.start(), w):
                taken.append((m.start(), m.end()))
                continue
            if kind in ("m", "y") and (gd.get("pre") or "").lower() in w.boundary:
                continue
            if kind == "d":  # "on the 12th": a day of the anchor's month (or the month before)
                d = _day_of_month(int(gd["d"]), anchor, future) if anchor else None
                if d is not None:
                    out.append(_Cand(m.start(), d, "day", m.group(0)))
                    taken.append((m.start(), m.end()))
                continue
            if kind == "y":
                out.append(_Cand(m.start(), date(int(gd["y"]), 1, 1), "year", m.group(0)))
                taken.append((m.start(), m.end()))
                continue
            month = int(gd["m"]) if kind == "iso" else w.months[gd["mn"].rstrip(".").lower()]
            year = int(gd["y"]) if gd.get("y") else None
            if kind in ("iso", "md", "dm"):
                dnum = int(gd["d"])
                if year is not None:
                    d = _safe_date(year, month, dnum)
                elif anchor is not None:
                    d = _infer_year(month, dnum, anchor, future)
                else:
                    d = None
                prec: Precision = "day"
            else:
                if year is None:
                    if anchor is None:
                        continue
                    year = anchor.year
                    if not future and date(year, month, 1) > anchor:
                        year -= 1
                    elif future and date(year, month, monthrange(year, month)[1]) < anchor:
                        year += 1
                d, prec = date(year, month, 1), "month"
            if d is not None:
                out.append(_Cand(m.start(), d, prec, m.group(0)))
                taken.append((m.start(), m.end()))
    return out


def _weekday_date(wd: int, anchor: date, mod: str | None, future: bool) -> date:
    if mod == "next" or (future and mod != "last"):
        delta = (wd - anchor.weekday()) % 7
        if mod == "next" and delta == 0:
            delta = 7
        return anchor + timedelta(days=delta)
    delta = (anchor.weekday() - wd) % 7
    if mod == "last" and delta == 0:
        delta = 7
    return anchor - timedelta(days=delta)


def _relative(text: str, anchor: date, w: _Words, clues: _Clues) -> list[_Cand]:
    out: list[_Cand] = []
    # (a regex whose clue is missing cannot match: its loop is skipped)
    for m in w.relday_re.finditer(text) if clues.relday else ():
        out.append(_Cand(m.start(), anchor + timedelta(days=w.relative_days[m.group(0).lower()]), "day", m.group(0)))
    for m in w.ago_re.finditer(text) if clues.ago else ():
        n, unit = w.number(m.group("n")), m.group("u").lower()
        days = n * w.units[unit]
        prec: Precision = "day" if unit.startswith("day") else "week" if unit.startswith("week") else "month" if unit.startswith("month") else "year"
        out.append(_Cand(m.start(), anchor - timedelta(days=days), prec, m.group(0)))
    for m in w.weekday_re.finditer(text) if clues.weekday else ():
        mod = (m.group("mod") or "").lower() or None
        wd = w.weekdays[m.group("wd").lower()]
        out.append(_Cand(m.start(), _weekday_date(wd, anchor, mod, _future_at(text, m.start(), w)), "day", m.group(0)))
    for m in w.period_re.finditer(text) if clues.period else ():
        mod, unit = m.group("mod").lower(), m.group("u").lower()
        if mod in ("next", "past") and text[max(0, m.start() - 4) : m.start()].lower() == "the ":
            continue  # "over the next year", "in the past week": a duration, not a date
        d = _period(mod, unit, anchor)
        if d is not None:
            out.append(_Cand(m.start(), d[0], d[1], m.group(0)))
    return out


def _period(mod: str, unit: str, anchor: date) -> tuple[date, Precision] | None:
    """'last week', 'earlier this month', 'next year' ...: the first day of the period."""
    monday = anchor - timedelta(days=anchor.weekday())
    past = mod in ("last", "past", "previous", "late last", "early last")
    if unit == "weekend":
        sat = monday - timedelta(days=2) if (past or anchor.weekday() < 5) else monday + timedelta(days=5)
        if mod == "next":
            sat = monday + timedelta(days=5) if anchor.weekday() < 5 else monday + timedelta(days=12)
        return sat, "day"
    if unit == "week":
        if past:
            return monday - timedelta(days=7), "week"
        if mod == "next":
            return monday + timedelta(days=7), "week"
        return monday, "week"
    if unit == "month":
        if past:
            y, mth = (anchor.year, anchor.month - 1) if anchor.month > 1 else (anchor.year - 1, 12)
            return date(y, mth, 1), "month"
        if mod == "next":
            y, mth = (anchor.year, anchor.month + 1) if anchor.month < 12 else (anchor.year + 1, 1)
            return date(y, mth, 1), "month"
        return date(anchor.year, anchor.month, 1), "month"
    if unit == "year":
        if past:
            return date(anchor.year - 1, 1, 1), "year"
        if mod == "next":
            return date(anchor.year + 1, 1, 1), "year"
        return date(anchor.year, 1, 1), "year"
    return None


def _offset_days(n: str | None, unit: str | None, w: _Words) -> int | None:
    if not unit:
        return None
    return w.number(n) * w.units.get(unit.lower(), 1)


def _relative_to_event(
    ev: CalendarEvent, rel: str, n: str | None, unit: str | None, after_phrase: str, w: _Words
) -> tuple[date, Precision]:
    """The date given by '<N units> <rel> <event> [ended|began]'."""
    kind = w.relation_kind.get(" ".join(rel.lower().split()), "during")
    off = _offset_days(n, unit, w)
    if kind == "after":
        base = ev.start if w.start_re.match(after_phrase) else ev.end
        return (base + timedelta(days=off), "day") if off else (base + timedelta(days=1), "approx")
    if kind == "before":
        base = ev.end if w.end_re.match(after_phrase) else ev.start
        return (base - timedelta(days=off), "day") if off else (base - timedelta(days=1), "approx")
    if kind == "eve":
        return ev.start - timedelta(days=1), "day"
    # during / at / on the sidelines of: the meeting itself
    return ev.start, ("day" if ev.start == ev.end else "approx")


def _calendar(text: str, anchor: date | None, cal: Calendar, hint: CalendarEvent | None, w: _Words,
              mentioned: bool = True) -> list[_Cand]:
    """Dates relative to a meeting of the calendar; ``mentioned=False`` says ``cal.mentions(text)``
    was found false (then no phrase of the calendar can match)."""
    out: list[_Cand] = []
    for cm in cal.matches(text, anchor) if mentioned else ():
        rels = list(w.rel_re.finditer(text, max(0, cm.start - 60), cm.start))
        if not rels or not w.gap_re.match(text[rels[-1].end() : cm.start] + " "):
            # "The Washington Summit Declaration condemned ...": a text issued at the meeting
            if w.document_re.search(cm.phrase) or w.document_re.match(text, cm.end):
                if anchor is None or _near(cm.event, anchor, text):
                    out.append(_Cand(cm.start, cm.event.start, "day" if cm.event.start == cm.event.end else "approx", text[cm.start : cm.end]))
            continue
        r = rels[-1]
        rel = r.group("rel").lower()
        ev = cm.event
        if w.relation_kind.get(" ".join(rel.split())) == "since":
            continue  # a boundary, not the event date
        if anchor is not None and not _near(ev, anchor, text):
            continue
        c = w.count_re.search(text, max(0, r.start() - 30), r.start())
        n, unit, begin = (c.group("n"), c.group("u"), c.start()) if c else (None, None, r.start())
        d, prec = _relative_to_event(ev, rel, n, unit, text[cm.end : cm.end + 20], w)
        out.append(_Cand(begin, d, prec, text[begin : cm.end]))
    if hint is not None and not out:
        for m in w.generic_summit_re.finditer(text):
            rel = m.group("rel").lower()
            # "the summit" is the article's meeting; "the talks"/"the conference" only when the
            # meeting is of that kind (a "meeting" may be any phone call, so it never counts).
            if w.relation_kind.get(" ".join(rel.split())) == "since" or m.group("what").lower() not in ("summit", hint.kind):
                continue
            d, prec = _relative_to_event(hint, rel, m.group("n"), m.group("u"), text[m.end() : m.end() + 20], w)
            out.append(_Cand(m.start(), d, prec, m.group(0)))
    return out


def _near(ev: CalendarEvent, anchor: date, text: str) -> bool:
    """A meeting is the reference of a relative phrase only if its year is written in the text or
    it lies within a year of the publication date (so a keyword does not reach back a decade)."""
    if str(ev.start.year) in text or re.search(rf"\b{re.escape(ev.place)}\b", text, re.IGNORECASE):
        return True
    return abs((anchor - ev.start).days) <= 366


def _safely(find, *args) -> list[_Cand]:
    """Candidates of one finder; none when the arithmetic leaves the calendar ("the year before"
    with an anchor in year 1, "the next day" on 9999-12-31): no date is better than a crash."""
    try:
        return find(*args)
    except (ValueError, OverflowError):
        return []


_APPOSED = re.compile(r",?\s+\S")  # "Monday, March 26": what follows a weekday in apposition


def resolve_date_detail(
    text: str,
    anchor: date | None,
    calendar: Calendar | None = None,
    hint_event: CalendarEvent | None = None,
) -> DateResolution:
    """The event date of ``text`` with its source and precision.

    ``hint_event`` is the meeting the whole article is about (the lead finds it once per article
    with ``find_calendar_event``); it resolves a bare "after the summit" in a later sentence.
    """
    w = _words()
    default = DateResolution(anchor, "publication", "day", None) if anchor else DateResolution(None, "none", None, None)
    cal = calendar or default_calendar()
    if not text:
        return default
    if _FOLDING.search(text):
        text = text.translate(_ASCII_FOLD)
    clues = w.clues(text)
    # (the calendar is asked first: its answer also spares ``_calendar`` the phrase matching)
    mentioned = cal.mentions(text)
    if not (
        mentioned or (clues.any() and w.triggered(text, clues))
        or (hint_event is not None and w.generic_summit_re.search(text))
    ):
        return default
    cands = _safely(_explicit, text, anchor, w, clues)
    if anchor is not None:
        cands += _safely(_relative, text, anchor, w, clues)
    cands += _safely(_calendar, text, anchor, cal, hint_event, w, mentioned)
    cands = [c for c in cands if not _preceded_by_boundary(text, c.start, w)]
    # "Monday, March 26, 2017": a weekday with the full date in apposition is that date.
    starts = {c.start for c in cands}
    cands = [c for c in cands if not _APPOSED.match(text[c.start + len(c.text) : c.start + len(c.text) + 3])
             or not any(c.start + len(c.text) < st <= c.start + len(c.text) + 3 for st in starts)]
    if not cands:
        return default
    best = min(cands, key=lambda c: (_RANK[c.precision], c.start))
    return DateResolution(best.date, "text", best.precision, best.text)


def resolve_date(
    text: str,
    anchor: date | None,
    calendar: Calendar | None = None,
    hint_event: CalendarEvent | None = None,
) -> tuple[date | None, DateSource]:
    """``(date, "text")`` when the text dates the event, else ``(anchor, "publication")``, or
    ``(None, "none")`` when there is no anchor either."""
    r = resolve_date_detail(text, anchor, calendar, hint_event)
    return r.date, r.source
