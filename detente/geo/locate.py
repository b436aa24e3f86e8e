"""Where an event happened: a place named after a locative preposition ("in Kharkiv", "on the Black
Sea", "near Bakhmut", "at the summit in Vilnius"), resolved with the gazetteer.

A capital used as a metonym ("Moscow said") is an actor, not a place: the caller passes the
character spans of actor mentions as ``exclude_spans`` and names inside them are skipped, as are
"<Place>'s view"-style possessives. "on" and "over" introduce a place only for seas, regions and
cities ("on the Black Sea", "a strike on Kharkiv"), not for countries ("sanctions on Russia" is
not an event in Russia).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence

from detente.data import load_yaml
from detente.geo.gazetteer import Place, fold, gazetteer
from detente.records import Location

_NAME_TOKEN = r"[A-Z][\w'’.\-]*"
_LOOSE_PREPS = frozenset({"on", "over", "off"})  # only seas, regions and cities after these


class _Patterns:
    """The regexes of locative phrases, built once from the word lists in ``data/places.yaml``."""

    def __init__(self) -> None:
        data = load_yaml("places.yaml")

        def alt(key: str) -> str:
            words = sorted((str(w) for w in data.get(key, ())), key=len, reverse=True)
            return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + ")"

        preps, directions, settlement = alt("prepositions"), alt("direction_words"), alt("settlement_words")
        connector, tail = alt("name_connectors"), alt("region_tails")
        self.name_run = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}}(?:\s+{tail})?"
        name = rf"{_NAME_TOKEN}(?:\s+(?:{connector}\s+)?{_NAME_TOKEN}){{0,4}}(?:\s+{tail})?"
        self.locative = re.compile(
            rf"(?<![\w-])(?P<prep>(?i:{preps}))\s+(?:(?i:the)\s+)?(?:{directions}\s+)?"
            rf"(?:{settlement}\s+of\s+(?:the\s+)?)?(?P<name>{name})"
        )
        self.name_at = re.compile(self.name_run)
        self.within = re.compile(rf"\s+{settlement}\s+of\s+")
        self.heads = frozenset(fold(h) for h in data.get("metonym_heads", ()))


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    return _Patterns()


def _overlaps(s: int, e: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < se and ss < e for ss, se, *_ in spans)


def _resolve_name(text: str, start: int, name: str) -> tuple[Place, int, int] | None:
    """The longest leading part of ``name`` (a run of capitalised words) that is a known place."""
    tokens = list(re.finditer(r"\S+", name))
    for k in range(len(tokens), 0, -1):
        end = tokens[k - 1].end()
        surface = name[:end].rstrip(",;:")
        possessive = surface.endswith(("'s", "’s"))
        if possessive:
            surface = surface[:-2]
        # A final dot is the sentence's ("in Kyiv.", "in St. Thomas.") unless the name is an
        # initialism ("the U.S.").
        if surface.endswith(".") and "." not in surface[:-1].rsplit(" ", 1)[-1]:
            surface = surface[:-1]
        place = gazetteer().lookup(surface)
        if place is None:
            continue
        if surface.isupper() and len(surface) <= 4 and place.kind == "city" and not place.name.isupper():
            continue  # "UN" is not the Indian town of Un
        return place, start, start + len(surface)
    return None


def _name_at(text: str, pos: int) -> tuple[Place, int, int] | None:
    """The place named by the run of capitalised words starting at ``pos``, if any."""
    m = _patterns().name_at.match(text, pos)
    return _resolve_name(text, pos, m.group(0)) if m else None


def candidates(text: str, exclude_spans: Iterable[tuple[int, int]] = ()) -> list[tuple[Location, Place, int, int]]:
    """Every place named after a locative preposition, in text order, with its span."""
    pats = _patterns()
    spans = [tuple(s) for s in exclude_spans]
    out: list[tuple[Location, Place, int, int]] = []
    for m in pats.locative.finditer(text):
        found = _resolve_name(text, m.start("name"), m.group("name"))
        if found is None:
            continue
        place, s, e = found
        if spans and _overlaps(s, e, spans):  # type: ignore[arg-type]
            continue
        prep = " ".join(m.group("prep").lower().split())
        if prep in _LOOSE_PREPS and place.kind == "country":
            continue
        after = text[e : e + 30]
        poss = re.match(r"['’]s\s+(\w+)", after)
        if poss and fold(poss.group(1)) in pats.heads:
            continue  # "in Moscow's view": an actor
        # A more specific place named right after: "the West Bank city of Hebron", "Russia's Kursk region".
        within = pats.within.match(after)
        inner_at = e + within.end() if within else e + poss.start(1) if poss else None
        if inner_at is not None:
            sub = _name_at(text, inner_at)
            if sub is not None and not (spans and _overlaps(sub[1], sub[2], spans)):  # type: ignore[arg-type]
                place, s, e = sub
        out.append((place.location(text[s:e]), place, s, e))
    return out


def locate(text: str, exclude_spans: Iterable[tuple[int, int]] = ()) -> Location | None:
    """The place of the event described by ``text``, or None.

    The first place named with a locative preposition, unless a later one is more specific and in
    the same country ("in Ukraine, in the city of Kharkiv" -> Kharkiv).
    """
    found = candidates(text, exclude_spans)
    if not found:
        return None
    best_loc, best, _, _ = found[0]
    if best.kind in ("country", "sea"):
        for loc, place, _, _ in found[1:]:
            if place.kind in ("city", "region", "state") and (best.kind == "sea" or place.country == best.country):
                return loc
    return best_loc
