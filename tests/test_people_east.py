"""Validation of the people knowledge base `detente/data/people/east.csv` (Russia, Ukraine, the
Caucasus, China and Asia-Pacific, the Middle East, and the other large non-Western states).

The shared shape and consistency checks of every people table live in ``people_checks``; this file
runs them on east.csv and holds the file's own fact spot-checks, checked against facts known
independently (a wrong date makes Putin a prime minister in 2022).
"""

from __future__ import annotations

from tests.people_checks import holders, offices_of, table_tests

TABLE = "people/east.csv"
rows, test_shared_checks, test_known_office_holders = table_tests(TABLE)


def test_nobody_holds_an_office_before_taking_it(rows):
    # Belousov was an economist, not defence minister, before May 2024; Syrskyi was not C-in-C in 2023.
    assert "Minister of Defence of Russia" not in offices_of(rows, "Andrey Belousov", "2024-05-01")
    assert "Commander-in-Chief of the Armed Forces of Ukraine" not in offices_of(rows, "Oleksandr Syrskyi",
                                                                                 "2023-06-01")
    assert holders(rows, "President of Syria", "2025-01-01") == []  # interregnum before al-Sharaa


def test_armed_group_leaders_are_rebels_of_their_country(rows):
    groups = {"Hamas": "PSE", "Hezbollah": "LBN", "Houthi": "YEM", "Palestinian Islamic Jihad": "PSE"}
    seen = set()
    for r in rows:
        for group, country in groups.items():
            if group in r["office"]:
                seen.add(group)
                assert (r["sector"], r["country"]) == ("REB", country), r
    assert seen == set(groups)
