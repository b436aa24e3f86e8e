"""Validation of the people knowledge base `detente/data/people/east.csv`.

The actor resolver trusts these rows blindly (a wrong date makes Putin a prime minister in 2022), so the
file is checked for shape, for internal consistency (one holder per single-seat office on any day, one
spelling and QID per person, no alias shared by two people) and against facts known independently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import pycountry
import pytest

from detente.data import load_table

FILE = "people/east.csv"
COLUMNS = ["name", "aliases", "country", "org", "office", "sector", "start", "end", "wikidata"]
SECTORS = {"GOV", "MIL", "LEG", "JUD", "SPY", "COP", "IGO", "PTY", "OPP", "REB"}
EXTRA_CODES = {"XKX"}  # Kosovo: user-assigned, not in ISO 3166 but used by the project
MIN_ROWS = 450
# Offices held by one person at a time; "Acting ..." terms are separate office strings on purpose.
SINGLE_SEAT = re.compile(r"^(President|Vice President|First Vice President|Prime Minister|Premier|King|Emperor|"
                         r"Emir|Minister|Secretary|Chief|Commander|Supreme Leader|Crown Prince|Speaker|"
                         r"Chairman|Chairwoman|Director|Head|Leader|Press Secretary|General Secretary)\b")


@pytest.fixture(scope="module")
def rows() -> tuple[dict[str, str], ...]:
    return load_table(FILE)


def _d(value: str) -> date:
    return date.fromisoformat(value)


def holders(rows, office: str, on: str) -> set[str]:
    """Names holding `office` on the ISO date `on` (start inclusive, end exclusive)."""
    day = _d(on)
    return {r["name"] for r in rows if r["office"] == office and _d(r["start"]) <= day
            and (not r["end"] or day < _d(r["end"]))}


def offices_of(rows, name: str, on: str) -> set[str]:
    day = _d(on)
    return {r["office"] for r in rows if r["name"] == name and _d(r["start"]) <= day
            and (not r["end"] or day < _d(r["end"]))}


def test_columns_and_volume(rows):
    assert list(rows[0].keys()) == COLUMNS
    assert len(rows) >= MIN_ROWS


def test_required_fields_and_dates(rows):
    for r in rows:
        assert r["name"].strip() and r["office"].strip() and r["start"].strip(), r
        start = _d(r["start"])
        if r["end"]:
            assert start <= _d(r["end"]), r
        assert date(1960, 1, 1) <= start <= date(2026, 12, 31), r


def test_codes(rows):
    for r in rows:
        if r["country"]:
            assert r["country"] in EXTRA_CODES or pycountry.countries.get(alpha_3=r["country"]), r
        else:
            assert r["org"], f"row with neither country nor IGO: {r}"
        assert r["sector"] in SECTORS, r
        assert not r["wikidata"] or re.fullmatch(r"Q[0-9]+", r["wikidata"]), r


def test_no_duplicates_and_sorted(rows):
    keys = [tuple(r[c] for c in COLUMNS) for r in rows]
    assert len(keys) == len(set(keys))
    order = [(r["country"], r["office"], r["start"]) for r in rows]
    assert order == sorted(order)


def test_person_is_spelled_and_identified_consistently(rows):
    qids: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        qids[r["name"]].add(r["wikidata"])
        aliases = [a.strip() for a in r["aliases"].split(";") if a.strip()]
        assert r["name"] not in aliases, r
        assert all(a == a.strip() and a for a in r["aliases"].split(";")) or not r["aliases"], r
    conflicting = {n: q for n, q in qids.items() if len(q - {""}) > 1}
    assert not conflicting


def test_no_alias_points_at_two_people(rows):
    owner: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        for a in filter(None, (x.strip() for x in r["aliases"].split(";"))):
            owner[a.casefold()].add(r["name"])
        owner[r["name"].casefold()].add(r["name"])
    shared = {a: n for a, n in owner.items() if len(n) > 1}
    assert not shared


def test_single_seat_offices_never_overlap(rows):
    terms = defaultdict(list)
    for r in rows:
        if SINGLE_SEAT.match(r["office"]) and "Spokesperson" not in r["office"]:
            terms[(r["country"], r["org"], r["office"])].append((_d(r["start"]),
                                                                  _d(r["end"]) if r["end"] else date.max,
                                                                  r["name"]))
    for office, spans in terms.items():
        spans.sort()
        for (s1, e1, n1), (s2, e2, n2) in zip(spans, spans[1:]):
            assert e1 <= s2, f"{office}: {n1} ({s1}..{e1}) overlaps {n2} ({s2}..{e2})"


@pytest.mark.parametrize("office,on,expected", [
    ("President of Russia", "2009-01-01", "Dmitry Medvedev"),
    ("Prime Minister of Russia", "2009-01-01", "Vladimir Putin"),
    ("President of Russia", "2022-03-01", "Vladimir Putin"),
    ("Minister of Defence of Russia", "2024-07-12", "Andrey Belousov"),
    ("Minister of Defence of Russia", "2022-03-01", "Sergei Shoigu"),
    ("Secretary of the Security Council of Russia", "2024-07-12", "Sergei Shoigu"),
    ("Secretary of the Security Council of Russia", "2020-01-01", "Nikolai Patrushev"),
    ("Minister of Foreign Affairs of Russia", "2014-03-01", "Sergey Lavrov"),
    ("Press Secretary of the President of Russia", "2023-05-05", "Dmitry Peskov"),
    ("Spokesperson of the Ministry of Foreign Affairs of Russia", "2022-02-24", "Maria Zakharova"),
    ("Chief of the General Staff of the Armed Forces of Russia", "2022-02-24", "Valery Gerasimov"),
    ("President of Ukraine", "2022-02-24", "Volodymyr Zelenskyy"),
    ("President of Ukraine", "2012-06-01", "Viktor Yanukovych"),
    ("Minister of Foreign Affairs of Ukraine", "2023-01-01", "Dmytro Kuleba"),
    ("Minister of Defence of Ukraine", "2024-01-01", "Rustem Umerov"),
    ("Commander-in-Chief of the Armed Forces of Ukraine", "2023-06-01", "Valerii Zaluzhnyi"),
    ("Commander-in-Chief of the Armed Forces of Ukraine", "2024-06-01", "Oleksandr Syrskyi"),
    ("Head of the Office of the President of Ukraine", "2023-01-01", "Andriy Yermak"),
    ("President of China", "2010-01-01", "Hu Jintao"),
    ("Minister of Foreign Affairs of China", "2023-05-01", "Qin Gang"),
    ("Minister of Foreign Affairs of China", "2024-01-01", "Wang Yi"),
    ("Premier of China", "2024-01-01", "Li Qiang"),
    ("President of the Republic of China", "2020-01-01", "Tsai Ing-wen"),
    ("Prime Minister of Japan", "2022-01-01", "Fumio Kishida"),
    ("Prime Minister of Japan", "2005-01-01", "Junichiro Koizumi"),
    ("President of South Korea", "2023-01-01", "Yoon Suk Yeol"),
    ("Supreme Leader of North Korea", "2015-01-01", "Kim Jong Un"),
    ("Prime Minister of India", "2010-01-01", "Manmohan Singh"),
    ("Prime Minister of Pakistan", "2020-01-01", "Imran Khan"),
    ("Prime Minister of Australia", "2011-01-01", "Julia Gillard"),
    ("President of Brazil", "2020-01-01", "Jair Bolsonaro"),
    ("President of Mexico", "2020-01-01", "Andrés Manuel López Obrador"),
    ("President of Argentina", "2024-01-01", "Javier Milei"),
    ("Crown Prince of Saudi Arabia", "2020-01-01", "Mohammed bin Salman"),
    ("President of South Africa", "2019-01-01", "Cyril Ramaphosa"),
    ("Prime Minister of Israel", "2022-09-01", "Yair Lapid"),
    ("Prime Minister of Israel", "2024-01-01", "Benjamin Netanyahu"),
    ("Minister of Defense of Israel", "2024-01-01", "Yoav Gallant"),
    ("Chief of the General Staff of the Israel Defense Forces", "2023-10-07", "Herzi Halevi"),
    ("President of Iran", "2022-01-01", "Ebrahim Raisi"),
    ("Minister of Foreign Affairs of Iran", "2016-01-01", "Mohammad Javad Zarif"),
    ("Prime Minister of Iraq", "2010-01-01", "Nouri al-Maliki"),
    ("President of Syria", "2015-01-01", "Bashar al-Assad"),
    ("Secretary-General of Hezbollah", "2020-01-01", "Hassan Nasrallah"),
    ("President of Egypt", "2012-12-01", "Mohamed Morsi"),
    ("Emir of Qatar", "2020-01-01", "Tamim bin Hamad Al Thani"),
    ("President of Georgia", "2008-08-08", "Mikheil Saakashvili"),
    ("Prime Minister of Armenia", "2020-10-01", "Nikol Pashinyan"),
    ("President of Azerbaijan", "2020-10-01", "Ilham Aliyev"),
    ("President of Kazakhstan", "2022-01-05", "Kassym-Jomart Tokayev"),
    ("President of Venezuela", "2019-01-23", "Nicolás Maduro"),
])
def test_known_holders(rows, office, on, expected):
    assert holders(rows, office, on) == {expected}


def test_nobody_holds_an_office_before_taking_it(rows):
    # Belousov was an economist, not defence minister, before May 2024; Syrskyi was not C-in-C in 2023.
    assert "Minister of Defence of Russia" not in offices_of(rows, "Andrey Belousov", "2024-05-01")
    assert "Commander-in-Chief of the Armed Forces of Ukraine" not in offices_of(rows, "Oleksandr Syrskyi",
                                                                                 "2023-06-01")
    assert holders(rows, "President of Syria", "2025-01-01") == set()  # interregnum before al-Sharaa


def test_armed_group_leaders_are_rebels_of_their_country(rows):
    groups = {"Hamas": "PSE", "Hezbollah": "LBN", "Houthi": "YEM", "Palestinian Islamic Jihad": "PSE"}
    seen = set()
    for r in rows:
        for group, country in groups.items():
            if group in r["office"]:
                seen.add(group)
                assert (r["sector"], r["country"]) == ("REB", country), r
    assert seen == set(groups)
