"""Validation of the people knowledge base ``people/west.csv`` (Western, NATO/EU and IGO officials).

The shared shape and consistency checks of every people table live in ``people_checks``; this file
runs them on west.csv and holds the file's own fact spot-checks (who held which office on which day).
"""

from __future__ import annotations

from tests.people_checks import holders, table_tests

TABLE = "people/west.csv"
rows, test_shared_checks, test_known_office_holders = table_tests(TABLE)


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
