"""Validation of the people knowledge base ``people/west.csv`` (Western, NATO/EU and IGO officials).

The actor resolver trusts these rows for date-aware answers ("who was Chancellor on 2010-06-01?"),
so the file is checked for shape (columns, dates, codes), for internal consistency (one holder per
office at a time, one QID per person, no surname alias shared by two people) and against a handful
of well-known facts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import pycountry
import pytest

from detente.data import load_table

TABLE = "people/west.csv"
COLUMNS = ["name", "aliases", "country", "org", "office", "sector", "start", "end", "wikidata"]
SECTORS = {"GOV", "MIL", "LEG", "JUD", "SPY", "COP", "IGO", "PTY", "OPP", "REB"}
MIN_ROWS = 450
FAR_FUTURE = date(9999, 12, 31)


@pytest.fixture(scope="module")
def rows() -> tuple[dict[str, str], ...]:
    return load_table(TABLE)


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _end(row: dict[str, str]) -> date:
    return _day(row["end"]) if row["end"] else FAR_FUTURE


def holders(rows, office: str, on: str, country: str | None = None) -> list[str]:
    """Names holding ``office`` on date ``on``; a term covers [start, end)."""
    day = _day(on)
    return sorted(
        r["name"]
        for r in rows
        if r["office"] == office
        and (country is None or r["country"] == country)
        and _day(r["start"]) <= day < _end(r)
    )


def test_columns_and_volume(rows):
    assert len(rows) >= MIN_ROWS
    assert list(rows[0].keys()) == COLUMNS


def test_required_fields_and_dates(rows):
    for r in rows:
        assert r["name"] and r["office"] and r["start"], r
        start = _day(r["start"])  # raises on a malformed date
        assert date(1950, 1, 1) <= start <= date(2026, 12, 31), r
        if r["end"]:
            assert start <= _day(r["end"]), r


def test_codes(rows):
    qid = re.compile(r"^Q[0-9]+$")
    for r in rows:
        assert r["sector"] in SECTORS, r
        if r["country"]:
            assert r["country"] == "XKX" or pycountry.countries.get(alpha_3=r["country"]), r
        else:
            # IGO officials carry the IGO code; SACEUR is the one military IGO post here
            assert r["org"] and r["sector"] in {"IGO", "MIL"}, f"no country and no IGO: {r}"
        if r["wikidata"]:
            assert qid.match(r["wikidata"]), r


def test_no_duplicates_and_sorted(rows):
    keys = [tuple(r[c] for c in COLUMNS) for r in rows]
    assert len(keys) == len(set(keys))
    order = [(r["country"], r["org"], r["office"], r["start"]) for r in rows]
    assert order == sorted(order)


def test_one_holder_at_a_time(rows):
    """Two people cannot hold the same single-seat office on the same day (catches date typos)."""
    by_office = defaultdict(list)
    for r in rows:
        by_office[(r["country"], r["org"], r["office"])].append(r)
    for office, terms in by_office.items():
        terms.sort(key=lambda r: r["start"])
        for a, b in zip(terms, terms[1:]):
            assert _end(a) <= _day(b["start"]), f"{office}: {a['name']} overlaps {b['name']}"


def test_person_consistency(rows):
    """A QID belongs to one name, a name to at most one QID, and a one-word alias to one person."""
    qid_names, name_qids, word_alias = defaultdict(set), defaultdict(set), defaultdict(set)
    for r in rows:
        if r["wikidata"]:
            qid_names[r["wikidata"]].add(r["name"])
            name_qids[r["name"]].add(r["wikidata"])
        for alias in filter(None, r["aliases"].split(";")):
            assert alias.strip() == alias and alias != r["name"], r
            if " " not in alias:
                word_alias[alias].add(r["name"])
    assert all(len(v) == 1 for v in qid_names.values()), {k: v for k, v in qid_names.items() if len(v) > 1}
    assert all(len(v) == 1 for v in name_qids.values())
    aliases_by_name = defaultdict(set)
    for r in rows:
        aliases_by_name[r["name"]].add(r["aliases"])
    assert all(len(v) == 1 for v in aliases_by_name.values()), "a person's rows disagree on aliases"
    shared = {a: n for a, n in word_alias.items() if len(n) > 1}
    assert not shared, f"one-word aliases shared by several people: {shared}"


def test_plain_ascii_spelling_available(rows):
    """News often drops diacritics: every accented name also carries an ASCII alias."""
    for r in rows:
        if not r["name"].isascii():
            assert any(a.isascii() for a in r["aliases"].split(";")), r["name"]


@pytest.mark.parametrize(
    ("office", "on", "expected"),
    [
        ("President of the United States", "2009-01-01", "George W. Bush"),
        ("President of the United States", "2022-03-01", "Joe Biden"),
        ("President of the United States", "2025-06-01", "Donald Trump"),
        ("United States Secretary of Defense", "2024-07-12", "Lloyd Austin"),
        ("United States Secretary of State", "2011-05-02", "Hillary Clinton"),
        ("Chairman of the Joint Chiefs of Staff", "2022-03-01", "Mark Milley"),
        ("Chancellor of Germany", "2010-06-01", "Angela Merkel"),
        ("Chancellor of Germany", "2023-01-01", "Olaf Scholz"),
        ("Prime Minister of the United Kingdom", "2022-10-01", "Liz Truss"),
        ("Prime Minister of the United Kingdom", "2019-01-01", "Theresa May"),
        ("President of France", "2010-01-01", "Nicolas Sarkozy"),
        ("Prime Minister of Italy", "2012-01-01", "Mario Monti"),
        ("Prime Minister of Turkey", "2010-01-01", "Recep Tayyip Erdoğan"),
        ("President of Turkey", "2020-01-01", "Recep Tayyip Erdoğan"),
        ("Minister of Foreign Affairs of Turkey", "2020-01-01", "Mevlüt Çavuşoğlu"),
        ("Prime Minister of Poland", "2010-01-01", "Donald Tusk"),
        ("Prime Minister of Poland", "2020-01-01", "Mateusz Morawiecki"),
        ("Secretary General of NATO", "2020-01-01", "Jens Stoltenberg"),
        ("Secretary General of NATO", "2025-01-01", "Mark Rutte"),
        ("Secretary-General of the United Nations", "2010-01-01", "Ban Ki-moon"),
        ("President of the European Commission", "2016-01-01", "Jean-Claude Juncker"),
        ("Director General of the International Atomic Energy Agency", "2022-09-01", "Rafael Grossi"),
        ("Speaker of the United States House of Representatives", "2016-01-01", "Paul Ryan"),
        ("Supreme Allied Commander Europe", "2023-01-01", "Christopher G. Cavoli"),
    ],
)
def test_known_office_holders(rows, office, on, expected):
    assert holders(rows, office, on) == [expected]


def test_term_boundaries_are_exclusive(rows):
    """On the handover day the successor, not the predecessor, holds the office."""
    assert holders(rows, "Prime Minister of the United Kingdom", "2024-07-05") == ["Keir Starmer"]
    assert holders(rows, "Prime Minister of the United Kingdom", "2024-07-04") == ["Rishi Sunak"]


def test_one_person_several_offices(rows):
    """Sikorski was defence then foreign minister of Poland; the file keeps each term apart."""
    offices = {(r["office"], r["start"]) for r in rows if r["name"] == "Radosław Sikorski"}
    assert ("Minister of National Defence of Poland", "2005-10-31") in offices
    assert ("Minister of Foreign Affairs of Poland", "2007-11-16") in offices
    assert ("Minister of Foreign Affairs of Poland", "2023-12-13") in offices


def test_aliases_and_qids(rows):
    by_alias = {a: r["name"] for r in rows for a in r["aliases"].split(";") if a}
    assert by_alias["Tayyip Erdogan"] == "Recep Tayyip Erdoğan"
    assert by_alias["Lloyd J. Austin III"] == "Lloyd Austin"
    qids = {r["name"]: r["wikidata"] for r in rows if r["wikidata"]}
    assert qids["Barack Obama"] == "Q76"
    assert qids["Angela Merkel"] == "Q567"


def test_igo_officials_have_no_country(rows):
    stoltenberg = [r for r in rows if r["name"] == "Jens Stoltenberg"]
    assert {(r["country"], r["org"]) for r in stoltenberg} == {("NOR", ""), ("", "NATO")}
