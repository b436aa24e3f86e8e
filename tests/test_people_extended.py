"""Validation of ``people/extended.csv`` (finance, interior, central-bank, military, sub-national,
UN and opposition office holders).

The resolver trusts these rows for date-aware answers ("who was Chancellor of the Exchequer on
2022-10-01?"), so the file is checked for shape, for internal consistency (one holder per office at a
time, one spelling of a person's aliases, no one-word alias shared by two people), for its agreement
with the other people files, and against well-known facts; the last tests go through the resolver.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import pycountry
import pytest

from detente.data import load_table, table_names

TABLE = "people/extended.csv"
COLUMNS = ["name", "aliases", "country", "org", "office", "sector", "start", "end", "wikidata"]
SECTORS = {"GOV", "MIL", "LEG", "JUD", "SPY", "COP", "IGO", "PTY", "OPP", "REB"}
MIN_ROWS = 600
FAR_FUTURE = date(9999, 12, 31)


@pytest.fixture(scope="module")
def rows() -> tuple[dict[str, str], ...]:
    return load_table(TABLE)


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _end(row: dict[str, str]) -> date:
    return _day(row["end"]) if row["end"] else FAR_FUTURE


def holders(rows, office: str, on: str) -> list[str]:
    day = _day(on)
    return sorted(r["name"] for r in rows if r["office"] == office and _day(r["start"]) <= day < _end(r))


def test_columns_and_volume(rows):
    assert len(rows) >= MIN_ROWS
    assert list(rows[0].keys()) == COLUMNS


def test_required_fields_and_dates(rows):
    for r in rows:
        assert r["name"] and r["office"] and r["start"], r
        start = _day(r["start"])
        assert date(1970, 1, 1) <= start <= date(2026, 12, 31), r
        if r["end"]:
            assert start <= _day(r["end"]), r
        # the file is about 2010-2026: every term must reach into that period
        assert _end(r) >= date(2010, 1, 1), r


def test_codes(rows):
    qid = re.compile(r"^Q[0-9]+$")
    for r in rows:
        assert r["sector"] in SECTORS, r
        if r["country"]:
            assert pycountry.countries.get(alpha_3=r["country"]), r
        else:
            assert r["org"] and r["sector"] in {"IGO", "MIL"}, f"no country and no IGO: {r}"
        if r["wikidata"]:
            assert qid.match(r["wikidata"]), r


def test_orgs_are_known_igos(rows):
    from detente.data import load_yaml

    codes = {g["code"] for g in load_yaml("igos.yaml")["igos"]}
    assert {r["org"] for r in rows if r["org"]} <= codes


def test_no_duplicates_and_sorted(rows):
    keys = [tuple(r[c] for c in COLUMNS) for r in rows]
    assert len(keys) == len(set(keys))
    order = [(r["country"], r["org"], r["office"], r["start"]) for r in rows]
    assert order == sorted(order)


def test_one_holder_at_a_time(rows):
    """Two people cannot hold the same single-seat office on the same day (catches date typos).
    Descriptions shared by several people ("Russian opposition figure") and collegial posts
    ("Co-leader", "Vice Chairman") are not single seats."""
    by_office = defaultdict(list)
    for r in rows:
        by_office[(r["country"], r["org"], r["office"])].append(r)
    shared = re.compile(r"opposition (leader|figure|presidential candidate)$|^(Co-leader|Vice Chairman) ")
    for office, terms in by_office.items():
        if shared.search(office[2]):
            continue
        terms.sort(key=lambda r: r["start"])
        for a, b in zip(terms, terms[1:]):
            assert _end(a) <= _day(b["start"]), f"{office}: {a['name']} overlaps {b['name']}"


def test_person_consistency(rows):
    aliases_by_name, word_alias = defaultdict(set), defaultdict(set)
    for r in rows:
        aliases_by_name[r["name"]].add(r["aliases"])
        for alias in filter(None, r["aliases"].split(";")):
            assert alias.strip() == alias and alias != r["name"], r
            if " " not in alias:
                word_alias[alias].add(r["name"])
    assert all(len(v) == 1 for v in aliases_by_name.values()), "a person's rows disagree on aliases"
    shared = {a: n for a, n in word_alias.items() if len(n) > 1}
    assert not shared, f"one-word aliases shared by several people: {shared}"


def test_plain_ascii_spelling_available(rows):
    for r in rows:
        if not r["name"].isascii():
            assert any(a.isascii() for a in r["aliases"].split(";")), r["name"]


def test_no_clash_with_other_people_files(rows):
    """The same office is not held by someone else in another people file on the same day, nor is
    the term repeated there (each term lives in one file)."""
    others = [r for name in table_names("people") if name != TABLE for r in load_table(name)]
    by_office = defaultdict(list)
    for r in others:
        by_office[(r["country"], r["org"], r["office"])].append(r)
    for r in rows:
        for o in by_office.get((r["country"], r["org"], r["office"]), []):
            overlap = max(_day(r["start"]), _day(o["start"])) < min(_end(r), _end(o))
            assert not overlap, f"{r['office']}: {r['name']} overlaps {o['name']} (a clash or a duplicate: {o})"


@pytest.mark.parametrize(
    ("office", "on", "expected"),
    [
        ("Chancellor of the Exchequer", "2022-10-01", "Kwasi Kwarteng"),
        ("Chancellor of the Exchequer", "2015-01-01", "George Osborne"),
        ("Federal Minister of Finance of Germany", "2019-01-01", "Olaf Scholz"),
        ("Minister of Finance of India", "2020-01-01", "Nirmala Sitharaman"),
        ("Minister of Finance of Russia", "2015-01-01", "Anton Siluanov"),
        ("Chair of the Federal Reserve", "2016-01-01", "Janet Yellen"),
        ("Governor of the Central Bank of Russia", "2022-03-01", "Elvira Nabiullina"),
        ("Governor of the Reserve Bank of India", "2015-01-01", "Raghuram Rajan"),
        ("Home Secretary of the United Kingdom", "2021-01-01", "Priti Patel"),
        ("Minister of the Interior of France", "2022-01-01", "Gérald Darmanin"),
        ("Minister of Public Security of China", "2020-01-01", "Zhao Kezhi"),
        ("Chief of the Defence Staff of France", "2022-01-01", "Thierry Burkhard"),
        ("Chief of the Army Staff of India", "2021-01-01", "Manoj Mukund Naravane"),
        ("Chief Minister of West Bengal", "2021-06-01", "Mamata Banerjee"),
        ("Chief Minister of Balochistan", "2021-10-01", "Jam Kamal Khan"),
        ("Governor of Borno State", "2020-01-01", "Babagana Zulum"),
        ("First Minister of Scotland", "2020-01-01", "Nicola Sturgeon"),
        ("Premier of Ontario", "2020-01-01", "Doug Ford"),
        ("Special Envoy of the United Nations for Syria", "2016-01-01", "Staffan de Mistura"),
        ("Special Envoy of the United Nations for Yemen", "2022-01-01", "Hans Grundberg"),
        ("Leader of the Opposition of Australia", "2020-01-01", "Anthony Albanese"),
    ],
)
def test_known_office_holders(rows, office, on, expected):
    assert holders(rows, office, on) == [expected]


def test_resolver_reads_the_file():
    """Through the resolver: the office on the date gives country and sector; UN envoys are IGO."""
    from detente.actors import default_resolver

    r = default_resolver()
    a = r.resolve("Thierry Burkhard", date(2022, 6, 1))
    assert (a.country, a.sector) == ("FRA", "MIL")
    a = r.resolve("Jam Kamal Khan", date(2021, 10, 1))
    assert (a.country, a.sector, a.name) == ("PAK", "GOV", "Jam Kamal Khan")
    a = r.resolve("Geir Pedersen", date(2020, 1, 1))
    assert (a.org, a.sector) == ("UN", "IGO")
    a = r.resolve("Kwasi Kwarteng", date(2022, 10, 1))
    assert (a.country, a.office) == ("GBR", "Chancellor of the Exchequer")


def test_same_person_same_spelling_across_files(rows):
    """A person also listed in another people file must carry the same main name there, or the
    knowledge base would hold two people (and "Mattis" would become ambiguous)."""
    from detente.actors.names import key_tokens

    names_by_key = defaultdict(set)
    for name in table_names("people"):
        if name == TABLE:
            continue
        for r in load_table(name):
            for s in [r["name"], *filter(None, r["aliases"].split(";"))]:
                names_by_key[key_tokens(s)].add(r["name"])
    for r in rows:
        for s in [r["name"], *filter(None, r["aliases"].split(";"))]:
            other = names_by_key.get(key_tokens(s), set()) - {r["name"]}
            assert not other, f"{r['name']} is written {other} in another people file"
