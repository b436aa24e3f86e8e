"""Validation of ``people/extended.csv`` (finance, interior, central-bank, military, sub-national,
UN and opposition office holders), and of the agreement between all people files.

The shared shape and consistency checks of every people table live in ``people_checks``; this file
runs them on extended.csv, runs the checks across tables once (a term lives in one file, a person has
one main name everywhere), and checks well-known facts, the last ones through the resolver.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.people_checks import CROSS_CHECKS, people_tables, table_tests

TABLE = "people/extended.csv"
rows, test_shared_checks, test_known_office_holders = table_tests(TABLE)


@pytest.mark.parametrize("check", CROSS_CHECKS, ids=lambda c: c.__name__)
def test_people_tables_agree(check):
    check(people_tables())


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
