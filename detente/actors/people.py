"""Which office term describes a known person in a phrase, on a date.

A person's terms come from `detente/data/people/*.csv`. On a date, the term held that day wins (if
several, the one the phrase's title fits); out of office on the date the person is ELI. With no
date, what the phrase says picks the term ("US Senator Marco Rubio" is the senator even after he
became Secretary of State; "NATO Secretary General Jens Stoltenberg"), else the latest term.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from detente.actors.kb import Person, Term


@dataclass(slots=True)
class Context:
    """What a phrase says around a person's name: title sectors and words, IGOs, state."""

    sectors: list[str]
    titles: list[str]
    orgs: set[str]
    country: str | None


def pick_person(people: list[Person], date: dt.date | None, titles: list[str]) -> Person | None:
    """Among people sharing a surname: the one whose office the title names ("President Duterte"),
    else the only one in office on the date."""
    if titles:
        # the office must begin with the title ("President ...") or contain it as whole words
        # ("United States Secretary of State"); the office that begins with it is the better fit
        # ("President Duterte" is the president, not the vice president); among several, the one
        # in office on the date
        words = [f" {t} " for t in titles if len(t) > 3]
        begins = [p for p in people if any(t.office.lower().startswith(tuple(titles)) for t in p.terms)]
        contains = [p for p in people if any(w in f" {t.office.lower()} " for t in p.terms for w in words)]
        for titled in (begins, contains):
            if len(titled) == 1:
                return titled[0]
            if titled and date is not None:
                on = [p for p in titled if p.terms_on(date)]
                if len(on) == 1:
                    return on[0]
    day = date or dt.date.today()
    in_office = [p for p in people if p.terms_on(day)]
    return in_office[0] if len(in_office) == 1 else None


def shared_reading(people: list[Person], date: dt.date | None, ctx: Context) -> tuple[str | None, list[str]]:
    """What several people who share a name have in common on a date: (country, sectors), each
    None/[] when they differ. "President Bush" is one of two American presidents: USA GOV."""
    countries, sectors = set(), set()
    for p in people:
        term, state = term_for(p, date, ctx)
        if term is None:
            countries.add(p.country)
            sectors.add("ELI" if state == "former" else None)
        else:
            countries.add(term.country or term.org)
            sectors.add(term.sectors[0] if term.sectors else None)
    country = countries.pop() if len(countries) == 1 else None
    sector = sectors.pop() if len(sectors) == 1 else None
    return country, [sector] if sector else []


def term_for(person: Person, date: dt.date | None, ctx: Context) -> tuple[Term | None, str]:
    """The term that describes a person on `date` and its state: "current" (in office), "latest"
    (no date: the last office, already left), "former" (out of office on the date) or "future".
    What the phrase says picks among terms: the office named by the title ("US Senator Marco Rubio"
    is the senator even after he became Secretary of State), the organisation ("NATO Secretary
    General Jens Stoltenberg"), the state."""
    if date is not None:
        on = person.terms_on(date)
        if on:
            return max(on, key=lambda t: (fit(t, ctx), t.start or dt.date.min)), "current"
        if any(t.start and t.start <= date for t in person.terms):
            return None, "former"
        return None, "future"
    fitting = [t for t in person.terms if fit(t, ctx) >= 2]
    if fitting:
        return max(fitting, key=lambda t: (fit(t, ctx), t.start or dt.date.min)), "current"
    latest = person.latest()
    if latest is None:
        return None, "future"
    return latest, "current" if latest.end is None else "latest"


def fit(term: Term, ctx: Context) -> int:
    """How well a term agrees with the phrase: organisation and office words count double."""
    office = term.office.lower()
    score = 2 * (term.org is not None and term.org in ctx.orgs)
    score += 2 * any(t in office for t in ctx.titles if len(t) > 3)
    head = ctx.sectors[0] if ctx.sectors and ctx.sectors[0] != "ELI" else None
    score += 2 * (head is not None and head in term.sectors)
    score += term.country is not None and term.country == ctx.country
    return score
