"""Silence gaps on a small hand-built store: the 2023-2024 Russian-US defence-chief calls.

The store holds what the news reported: Austin's call to Shoigu on 2023-03-15, then fifteen months in
which Russia and the United States only accused, threatened and sanctioned each other, Austin's call to
Belousov on 2024-06-25 and Belousov's call to Austin on 2024-07-12 -- plus a hypothetical and a negated
"call" (which are not contacts) and routine traffic of other dyads.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

import duckdb
import pandas as pd
import pytest

from detente.analysis.dyad import AnalysisError
from detente.analysis.gaps import describe, gaps, span_phrase
from detente.store.schema import migrate

_GOLDSTEIN = {"CONSULT": (1.0, 1), "ACCUSE": (-2.0, 3), "THREATEN": (-4.0, 3), "SANCTION": (-5.0, 4),
              "AID": (7.0, 2), "ASSAULT": (-10.0, 4), "AGREE": (3.0, 1)}


def event_row(ids: Any, day: date, event: str, src: str, tgt: str, *, src_sector: str | None = None,
              tgt_sector: str | None = None, modality: str = "asserted", mode: str | None = None,
              mentions: int = 1, confidence: float = 0.8, text: str | None = None) -> dict[str, Any]:
    """One stored event as the store writes it (only the columns the analysis reads vary)."""
    goldstein, quad = _GOLDSTEIN[event]
    return {
        "event_id": next(ids), "event": event, "mode": mode, "goldstein": goldstein, "quad_class": quad,
        "actor_code": src + (src_sector or ""), "actor_country": src, "actor_sector": src_sector,
        "recipient_code": tgt + (tgt_sector or ""), "recipient_country": tgt, "recipient_sector": tgt_sector,
        "modality": modality, "date": day, "date_source": "text", "anchor_date": day,
        "num_mentions": mentions, "num_articles": mentions, "num_sources": 1, "first_seen": day,
        "last_seen": day, "added_at": pd.Timestamp("2024-07-20"), "confidence": confidence,
        "text": text or f"{src} {event} {tgt}", "article_id": f"a{day:%Y%m%d}", "sentence": 0,
        "source_url": f"https://news.example/{day:%Y/%m/%d}/{src}-{event}-{tgt}".lower(),
    }


def insert(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    frame = pd.DataFrame(rows)  # noqa: F841 - read by DuckDB below
    con.execute("INSERT INTO events BY NAME SELECT * FROM frame")


def build_calls_store() -> duckdb.DuckDBPyConnection:
    """The Austin-Shoigu / Austin-Belousov store described in the module docstring."""
    con = duckdb.connect()
    migrate(con)
    ids = count(1)
    rows = [event_row(ids, date(2023, 3, 15), "CONSULT", "USA", "RUS", src_sector="MIL", tgt_sector="MIL",
                      mode="phone", mentions=12, text="Austin spoke by phone with Shoigu.")]
    hostile = ["ACCUSE", "THREATEN", "SANCTION", "ACCUSE"]
    day = date(2023, 4, 3)
    k = 0
    while day < date(2024, 6, 20):  # fifteen months of hostility, both directions, about every 11 days
        src, tgt = ("RUS", "USA") if k % 2 else ("USA", "RUS")
        rows.append(event_row(ids, day, hostile[k % 4], src, tgt, src_sector="GOV", tgt_sector="GOV"))
        day += timedelta(days=11)
        k += 1
    rows += [
        # "could hold talks" and "have not spoken": reported, but no contact happened
        event_row(ids, date(2023, 11, 2), "CONSULT", "RUS", "USA", modality="hypothetical"),
        event_row(ids, date(2024, 2, 8), "CONSULT", "USA", "RUS", modality="negated"),
        event_row(ids, date(2024, 6, 25), "CONSULT", "USA", "RUS", src_sector="MIL", tgt_sector="MIL",
                  mode="phone", mentions=30, text="Austin spoke with Belousov by phone."),
        event_row(ids, date(2024, 7, 12), "CONSULT", "RUS", "USA", src_sector="MIL", tgt_sector="MIL",
                  mode="phone", mentions=25, text="Belousov phoned Austin."),
        # the same call reported with the ministry as the actor: same day, one contact
        event_row(ids, date(2024, 7, 12), "CONSULT", "RUS", "USA", src_sector="GOV", tgt_sector="MIL",
                  mode="phone", text="The Russian Defence Ministry said the call was initiated by Moscow."),
        event_row(ids, date(2024, 7, 14), "ACCUSE", "RUS", "USA", src_sector="GOV", tgt_sector="GOV"),
    ]
    # routine traffic elsewhere: the US and France meet every week, Russia attacks Ukraine daily
    day = date(2023, 3, 1)
    while day <= date(2024, 7, 16):
        rows.append(event_row(ids, day, "CONSULT", "USA", "FRA", src_sector="GOV", tgt_sector="GOV"))
        day += timedelta(days=7)
    day = date(2023, 3, 1)
    while day <= date(2024, 7, 16):
        rows.append(event_row(ids, day, "ASSAULT", "RUS", "UKR", src_sector="MIL"))
        day += timedelta(days=2)
    insert(con, rows)
    return con


@pytest.fixture(scope="module")
def store() -> duckdb.DuckDBPyConnection:
    return build_calls_store()


def test_gaps_report_the_june_and_july_calls_with_the_silence_before(store):
    report = gaps(store, "RUS", "USA", since=date(2024, 1, 1))
    assert [c.day for c in report.contacts] == [date(2024, 6, 25), date(2024, 7, 12)]
    june, july = report.contacts
    assert june.previous == date(2023, 3, 15)
    assert june.days_since == 468 and june.since_phrase == "15 months"
    assert describe(june) == "first RUS-USA CONSULT contact since 2023-03-15 (15 months)"
    assert july.previous == date(2024, 6, 25) and july.days_since == 17
    assert "17 days after the previous one (2024-06-25)" in describe(july)
    # two reports of the July 12 call (defence minister, defence ministry) are one contact
    assert len(july.event_ids) == 2 and set(july.directions) == {"RUS MIL->USA MIL", "RUS GOV->USA MIL"}


def test_gaps_ignore_negated_and_hypothetical_contacts(store):
    report = gaps(store, "USA", "RUS")
    assert [c.day for c in report.contacts] == [date(2023, 3, 15), date(2024, 6, 25), date(2024, 7, 12)]
    assert describe(report.contacts[0]) == "first USA-RUS CONSULT contact on record"
    longest = report.longest(1)[0]
    assert (longest.start, longest.end, longest.days) == (date(2023, 3, 15), date(2024, 6, 25), 468)


def test_gaps_at_defence_level_and_directed(store):
    mil = gaps(store, "RUS", "USA", level="MIL")
    assert [c.day for c in mil.contacts] == [date(2023, 3, 15), date(2024, 6, 25), date(2024, 7, 12)]
    assert mil.contacts[2].event_ids == (mil.contacts[2].event_ids[0],)  # the ministry report is GOV
    assert "RUS-USA MIL CONSULT" in describe(mil.contacts[1])
    directed = gaps(store, "RUS", "USA", directed=True)
    assert [c.day for c in directed.contacts] == [date(2024, 7, 12)]
    assert describe(directed.contacts[0]) == "first RUS->USA CONSULT contact on record"


def test_gaps_other_types_and_ongoing_silence(store):
    report = gaps(store, "RUS", "USA", event="SANCTION", since=date(2024, 1, 1), until=date(2024, 7, 16))
    assert report.contacts and all(c.days_since == 44 for c in report.contacts[1:])
    assert report.silences[-1].ongoing and report.silences[-1].end == date(2024, 7, 16)
    rows = report.to_rows()
    assert rows[0]["date"] >= "2024-01-01" and "SANCTION" in report.render()


def test_span_phrase():
    assert span_phrase(date(2024, 6, 25), date(2024, 7, 12)) == "17 days"
    assert span_phrase(date(2024, 7, 11), date(2024, 7, 12)) == "1 day"
    assert span_phrase(date(2023, 3, 15), date(2024, 6, 25)) == "15 months"
    assert span_phrase(date(2023, 3, 15), date(2024, 3, 14)) == "11 months"
    assert span_phrase(date(2020, 1, 1), date(2023, 2, 1)) == "3 years 1 month"


@pytest.mark.parametrize("kwargs, reason", [
    ({"event": "PHONE"}, "not a PLOVER event type"),
    ({"level": "MIL/GOV/LEG"}, "a level is one sector"),
    ({"since": date(2024, 2, 1), "until": date(2024, 1, 1)}, "since is after until"),
])
def test_gaps_bad_requests_name_the_input(store, kwargs, reason):
    with pytest.raises(AnalysisError, match=reason):
        gaps(store, "RUS", "USA", **kwargs)
    with pytest.raises(AnalysisError, match="two different actors"):
        gaps(store, "RUS", "rus")
