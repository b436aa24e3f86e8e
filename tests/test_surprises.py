"""Surprises on the hand-built Russian-US calls store (see tests/test_gaps.py) and on edge cases."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from detente.analysis.dyad import AnalysisError
from detente.analysis.surprises import render, surprises, to_rows
from detente.store.schema import migrate
from tests.test_gaps import build_calls_store, event_row, insert


@pytest.fixture(scope="module")
def store() -> duckdb.DuckDBPyConnection:
    return build_calls_store()


def test_the_calls_rank_above_routine_events(store):
    found = surprises(store, since=date(2024, 6, 1), until=date(2024, 7, 16), limit=5)
    top = [(s.day, s.event, s.source.split()[0], s.target.split()[0]) for s in found[:3]]
    assert (date(2024, 7, 12), "CONSULT", "RUS", "USA") in top
    assert (date(2024, 6, 25), "CONSULT", "USA", "RUS") in top
    # routine traffic (weekly US-French meetings, daily Russian attacks on Ukraine) scores far lower
    routine = surprises(store, since=date(2024, 6, 1), until=date(2024, 7, 16), dyad="USA-FRA", limit=50)
    assert routine and max(s.score for s in routine) < min(s.score for s in found[:3]) / 3


def test_the_july_call_is_explained_in_words_and_numbers(store):
    found = surprises(store, since=date(2024, 7, 1), until=date(2024, 7, 16), dyad=("RUS", "USA"))
    july = next(s for s in found if s.day == date(2024, 7, 12) and s.source == "RUS MIL")
    assert found[0].event == "CONSULT" and found[0].day == date(2024, 7, 12)
    assert july.n_coop == 1 and july.n_history >= 30  # only the June call was cooperative
    assert f"1 of {july.n_history} RUS-USA events in the previous 12 months was cooperative" in july.explanation
    assert "0 RUS->USA CONSULT in the previous 12 months" in july.explanation  # Russia never called before
    assert july.days_since_type == 17 and "17 days" in july.explanation
    assert july.level == "MIL->MIL" and july.components["level"] > 1
    assert july.explanation.startswith("RUS MIL->USA MIL CONSULT: ")
    june = surprises(store, since=date(2024, 6, 25), until=date(2024, 6, 25), dyad="RUS USA")[0]
    assert june.days_since_type == 468 and "first RUS-USA CONSULT in 468 days" in june.explanation
    assert june.n_coop == 0 and june.days_since_coop == 468


def test_history_is_strictly_before_the_event(store):
    found = surprises(store, since=date(2024, 7, 12), until=date(2024, 7, 12), dyad="RUS-USA")
    # both reports of the July 12 call see the June call but not each other
    assert len(found) == 2 and all(s.n_type_dir == 0 and s.n_coop == 1 for s in found)
    later = surprises(store, since=date(2024, 7, 14), until=date(2024, 7, 14), dyad="RUS-USA")[0]
    assert later.event == "ACCUSE" and later.n_coop == 3  # now the June call and the two July reports


def test_negated_and_hypothetical_events_are_not_surprises(store):
    found = surprises(store, since=date(2023, 11, 1), until=date(2024, 2, 29), dyad="RUS-USA", limit=100)
    assert found and all(s.event != "CONSULT" for s in found)


def test_rows_render_and_limits(store):
    found = surprises(store, since=date(2024, 7, 1), limit=3)
    assert len(found) == 3
    rows = to_rows(found)
    assert rows[0]["direction"] == f"{found[0].source}->{found[0].target}" and rows[0]["why"]
    assert set(rows[0]) >= {"type_bits", "tone_bits", "level_bits", "gap_bits", "score", "event_id"}
    text = render(found)
    assert text.splitlines()[0].lstrip().startswith("1.") and "CONSULT" in text
    assert render([]) == "no events in the period"


def test_an_empty_store_and_a_new_dyad():
    con = duckdb.connect()
    migrate(con)
    assert surprises(con, since=date(2024, 1, 1)) == []
    from itertools import count

    insert(con, [event_row(count(1), date(2024, 3, 1), "AID", "USA", "UKR")])
    only = surprises(con)[0]
    assert only.n_history == 0 and "no earlier UKR-USA events" in only.explanation


@pytest.mark.parametrize("kwargs, reason", [
    ({"dyad": "RUS"}, "a dyad is two actor codes"),
    ({"dyad": ("RUS", "RUS")}, "two different actors"),
    ({"limit": 0}, "limit must be at least 1"),
    ({"since": date(2024, 7, 2), "until": date(2024, 7, 1)}, "since is after until"),
])
def test_bad_requests_are_refused(store, kwargs, reason):
    with pytest.raises(AnalysisError, match=reason):
        surprises(store, **kwargs)
