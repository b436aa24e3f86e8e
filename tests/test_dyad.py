"""The dyad index on generated event streams of known structure, and on tiny hand-made stores.

Streams are generated week by week: a Poisson number of events, each cooperative with the week's
planted probability (types, directions, mention counts and confidences random), written to a real
DuckDB store and read back through ``dyad_index``. A planted trend must come back with its sign, a
planted break as a change point within 2 periods, and pure noise must report no break in at least
90% of seeds.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.analysis.dyad import AnalysisError, change_points, dyad_index, parse_actor
from detente.store.schema import migrate

START = date(2023, 1, 2)  # a Monday
COOP = [("CONSULT", 1, 1.0), ("AGREE", 1, 3.0), ("SUPPORT", 1, 3.5), ("COOPERATE", 2, 6.0), ("AID", 2, 7.0)]
CONFLICT = [("ACCUSE", 3, -2.0), ("THREATEN", 3, -4.4), ("REJECT", 3, -4.0), ("SANCTION", 4, -8.0),
            ("ASSAULT", 4, -10.0)]


def stream(probs: list[float], rate: float, seed: int, a: str = "RUS", b: str = "USA") -> pd.DataFrame:
    """Events of the dyad a-b, week w cooperative with probability probs[w]; all asserted."""
    rng = np.random.default_rng(seed)
    per_week = rng.poisson(rate, len(probs))
    week = np.repeat(np.arange(len(probs)), per_week)
    n = len(week)
    days = pd.Timestamp(START) + pd.to_timedelta(7 * week + rng.integers(0, 7, n), unit="D")
    coop = rng.random(n) < np.asarray(probs)[week]
    kind = rng.integers(0, len(COOP), n)
    table = [COOP[k] if c else CONFLICT[k] for c, k in zip(coop, kind)]
    forward = rng.random(n) < 0.5
    src = np.where(forward, a, b)
    tgt = np.where(forward, b, a)
    return pd.DataFrame({
        "event_id": np.arange(1, n + 1), "event": [t[0] for t in table], "quad_class": [t[1] for t in table],
        "goldstein": [t[2] for t in table], "actor_code": src, "actor_country": src, "recipient_code": tgt,
        "recipient_country": tgt, "modality": "asserted", "date": days.date, "anchor_date": days.date,
        "num_mentions": rng.geometric(0.4, n), "confidence": rng.uniform(0.5, 1.0, n),
    })


def load(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """Replace the store's events by ``frame`` (the store's NOT NULL bookkeeping columns filled in)."""
    frame = frame.copy()
    for col, value in (("date_source", "text"), ("num_articles", 1), ("num_sources", 1),
                       ("added_at", pd.Timestamp("2025-01-01")), ("article_id", "a1")):
        frame[col] = value
    for col in ("first_seen", "last_seen"):
        frame[col] = frame["date"].fillna(frame["anchor_date"])
    con.execute("DELETE FROM events")
    con.execute("INSERT INTO events BY NAME SELECT * FROM frame")


_STORE: list[duckdb.DuckDBPyConnection] = []


def store() -> duckdb.DuckDBPyConnection:
    """One in-memory store for the module (hypothesis examples reuse it too), emptied by ``load``."""
    if not _STORE:
        db = duckdb.connect()
        migrate(db)
        _STORE.append(db)
    return _STORE[0]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return store()


# --- properties on generated streams ------------------------------------------------------------

@settings(max_examples=10, deadline=None, derandomize=True)
@given(sign=st.sampled_from([-1, 1]), change=st.floats(0.5, 0.8), rate=st.floats(6, 20),
       seed=st.integers(0, 10_000))
def test_planted_trend_sign_is_recovered(sign, change, rate, seed):
    db = store()
    lo, hi = 0.5 - change / 2, 0.5 + change / 2
    probs = list(np.linspace(lo, hi, 52) if sign > 0 else np.linspace(hi, lo, 52))
    load(db, stream(probs, rate, seed))
    index = dyad_index(db, "RUS", "USA", by="week")
    assert index.trend is not None
    assert index.trend.direction == ("warming" if sign > 0 else "cooling")
    assert index.trend.low <= index.trend.slope <= index.trend.high


@pytest.mark.parametrize("seed", range(20))
def test_planted_break_found_within_two_periods(con, seed):
    load(con, stream([0.2] * 40 + [0.8] * 40, rate=12, seed=seed))
    index = dyad_index(con, "USA", "RUS", by="week")
    planted = START + timedelta(weeks=40)
    assert any(abs((cp.period - planted).days) <= 14 for cp in index.change_points), index.summary()
    near = min(index.change_points, key=lambda cp: abs((cp.period - planted).days))
    assert near.before < 0 < near.after  # it is a warming


def test_pure_noise_reports_no_break_in_at_least_90_percent_of_seeds(con):
    quiet = 0
    for seed in range(50):
        rate = (2, 5, 10, 20)[seed % 4]  # sparse and busy dyads alike
        load(con, stream([0.5] * 80, rate=rate, seed=1000 + seed))
        quiet += not dyad_index(con, "RUS", "USA", by="week").change_points
    assert quiet >= 45, f"breaks reported in {50 - quiet} of 50 noise series"


def test_monthly_index_of_a_warming_stream(con):
    load(con, stream(list(np.linspace(0.1, 0.9, 104)), rate=10, seed=7))
    index = dyad_index(con, "RUS", "USA", by="month")
    assert index.trend is not None and index.trend.direction == "warming"
    first, last = index.frame.iloc[1], index.frame.iloc[-2]
    assert first["temperature"] < 0 < last["temperature"]
    assert first["smoothed_low"] <= first["smoothed"] <= first["smoothed_high"]


# --- exact behaviour on tiny stores -------------------------------------------------------------

def tiny(rows: list[tuple]) -> pd.DataFrame:
    """(day, event, src, tgt, modality, mentions, confidence[, src_sector, tgt_sector]) -> frame."""
    out = []
    quad = {e: q for e, q, _ in COOP + CONFLICT}
    gold = {e: g for e, _, g in COOP + CONFLICT}
    for i, r in enumerate(rows, start=1):
        day, event, src, tgt, modality, mentions, conf, *sectors = r
        ss, ts = (sectors + [None, None])[:2]
        out.append({"event_id": i, "event": event, "quad_class": quad[event], "goldstein": gold[event],
                    "actor_code": src + (ss or ""), "actor_country": src, "actor_sector": ss,
                    "recipient_code": tgt + (ts or ""), "recipient_country": tgt, "recipient_sector": ts,
                    "modality": modality, "date": day, "anchor_date": day, "num_mentions": mentions,
                    "confidence": conf})
    return pd.DataFrame(out)


def test_one_event_is_not_full_cooperation_and_empty_periods_are_zero(con):
    load(con, tiny([
        (date(2024, 1, 3), "CONSULT", "RUS", "USA", "asserted", 1, 1.0),
        (date(2024, 1, 24), "ACCUSE", "USA", "RUS", "asserted", 1, 1.0),
        (date(2024, 1, 25), "AID", "USA", "RUS", "negated", 9, 1.0),        # "did not send aid"
        (date(2024, 1, 26), "AGREE", "RUS", "USA", "hypothetical", 9, 1.0),  # "could agree"
        (date(2024, 1, 26), "ASSAULT", "RUS", "UKR", "asserted", 9, 1.0),    # another dyad
    ]))
    index = dyad_index(con, "RUS", "USA", by="week", since=date(2024, 1, 1), until=date(2024, 1, 31))
    f = index.frame
    assert [p.isoformat() for p in f["period"]] == ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22",
                                                    "2024-01-29"]
    assert f["events"].tolist() == [1, 0, 0, 1, 0]
    assert f["n_CONSULT"].tolist() == [1, 0, 0, 0, 0] and f["n_AID"].sum() == 0 and f["n_AGREE"].sum() == 0
    assert f["q1"].tolist() == [1, 0, 0, 0, 0] and f["q3"].tolist() == [0, 0, 0, 1, 0]
    one = f.iloc[0]
    assert one["temperature"] == pytest.approx(1 / 3)  # Beta(1+1, 0+1): 2 * 2/3 - 1
    assert one["low"] < 0 < one["high"] and one["high"] - one["low"] > 1.0  # honest: wide
    assert f.iloc[1]["temperature"] == 0 and f.iloc[1]["low"] < -0.8  # no events: no knowledge
    assert f.iloc[3]["temperature"] == pytest.approx(-1 / 3)
    assert f.iloc[0]["a_to_b"] == 1 and f.iloc[3]["b_to_a"] == 1
    assert f.iloc[0]["plover_mean"] == pytest.approx(2.5)  # CONSULT's PLOVER score


def test_mentions_and_confidence_weigh_but_do_not_fake_certainty(con):
    load(con, tiny([
        (date(2024, 1, 1), "CONSULT", "RUS", "USA", "asserted", 50, 1.0),
        (date(2024, 1, 2), "ACCUSE", "USA", "RUS", "asserted", 1, 0.5),
    ]))
    row = dyad_index(con, "RUS", "USA", by="week").frame.iloc[0]
    assert row["temperature"] > 0.1  # the widely reported, confident call outweighs the stray accusation
    assert 1.0 < row["n_eff"] < 2.0  # ... but there are still fewer than two events' worth of evidence
    assert row["coop"] + row["conflict"] == pytest.approx(row["n_eff"])
    assert row["goldstein_mean"] == pytest.approx((1.0 * (1 + np.log(50)) - 2.0 * 0.5) / (1 + np.log(50) + 0.5))


def test_damaged_confidence_and_goldstein_count_as_missing_on_both_paths(con):
    """A NaN or infinite confidence (a damaged or foreign import; in SQL ``greatest(NaN, 0)`` is NaN)
    weighs what a zero one weighs and one above 1 what 1 weighs; a NaN Goldstein value counts as a
    missing one. The event itself still counts. Before, the web server's memory table crashed on the
    NaN (ruptures refused the NaN penalty: ``serve`` died in its warm-up) and the SQL path zeroed the
    weights of the NaN's whole week. Both paths are compared with the same store cleaned by hand."""
    from detente.web.dyad_table import DyadTable

    frame = stream([0.3] * 20 + [0.8] * 20, rate=6, seed=3)
    damaged = {6: ("confidence", "'nan'::DOUBLE", "0.0"), 11: ("confidence", "'inf'::DOUBLE", "0.0"),
               16: ("confidence", "7.5", "1.0"), 8: ("goldstein", "'nan'::DOUBLE", "NULL")}

    def answers(which: int) -> list:
        load(con, frame)
        for event_id, (col, *values) in damaged.items():
            con.execute(f"UPDATE events SET {col} = {values[which]} WHERE event_id = ?", [event_id])
        out = []
        for index in (dyad_index(con, "RUS", "USA", by="week"),
                      DyadTable.build(con.cursor()).index("RUS", "USA", by="week")):
            out.append((index.to_rows(), index.summary(), [c.period for c in index.change_points],
                        index.trend.slope))
        return out

    got, want = answers(0), answers(1)
    for (rows, summary, cps, slope), (rows_w, summary_w, cps_w, slope_w) in zip(got, want):
        assert rows == rows_w and summary == summary_w and cps == cps_w and slope == pytest.approx(slope_w)
    rows = got[1][0]
    assert rows[0]["period"] == START.isoformat()
    assert sum(r["events"] for r in rows) == len(frame)  # the damaged events are still counted
    week = (frame.loc[frame.event_id == 6, "anchor_date"].iloc[0] - START).days // 7
    assert rows[week]["events"] > 1 and rows[week]["coop"] + rows[week]["conflict"] > 0  # its week kept the rest
    assert all(np.isfinite([r["temperature"], r["low"], r["high"], r["goldstein_mean"] or 0]).all() for r in rows)
    with pytest.raises(AnalysisError, match="not numbers"):  # whatever else lets a NaN in is named, not a crash
        change_points(np.array([0.2, -0.4, np.nan, 0.5] * 6))


def test_directed_and_sector_filters(con):
    load(con, tiny([
        (date(2024, 1, 1), "CONSULT", "RUS", "USA", "asserted", 1, 1.0, "MIL", "MIL"),
        (date(2024, 1, 2), "ACCUSE", "USA", "RUS", "asserted", 1, 1.0, "GOV", "GOV"),
        (date(2024, 1, 3), "THREATEN", "RUS", "USA", "asserted", 1, 1.0, "GOV", "MIL"),
        (date(2024, 1, 4), "ACCUSE", "RUS", "RUS", "asserted", 1, 1.0, "MIL", "MIL"),
    ]))
    assert dyad_index(con, "RUS", "USA").n_events == 3
    assert dyad_index(con, "RUS", "USA", directed=True).n_events == 2
    assert dyad_index(con, "RUS MIL", "USA MIL").n_events == 1
    assert dyad_index(con, "RUSMIL", "USA", directed=True).n_events == 1
    assert dyad_index(con, "RUS", "USA", sectors=("GOV", None)).n_events == 2
    # RUS MIL -> RUS MIL is "RUS to RUS MIL" and "RUS MIL to RUS" at once: still one event
    assert dyad_index(con, "RUS", "RUS MIL").n_events == 1
    empty = dyad_index(con, "RUS", "CHN")
    assert empty.n_events == 0 and empty.trend is None and empty.sparkline() == ""


def test_index_render_sparkline_and_rows(con):
    load(con, stream([0.2] * 30 + [0.8] * 30, rate=10, seed=3))
    index = dyad_index(con, "RUS", "USA", by="week")
    spark = index.sparkline(width=30)
    assert len(spark) == 30 and spark[5] in "▁▂▃" and spark[-1] in "▆▇█"  # first weeks: little evidence
    text = index.render(max_rows=None)
    assert "RUS-USA by week" in text and "<- change" in text and text.count("\n") > 60
    assert "50 earlier periods not shown" in index.render(max_rows=10)
    rows = index.to_rows()
    assert len(rows) == len(index.frame) and any(r["change_point"] for r in rows)


@pytest.mark.parametrize("args, kwargs, reason", [
    (("RUS", "USA"), {"by": "year"}, "the period is one of"),
    (("RUS'; DROP TABLE events; --", "USA"), {}, "actor"),
    (("RUS", "USA XYZW"), {}, "not a sector code"),
    (("RUS", "rus"), {}, "two different actors"),
    (("RUS", "USA"), {"since": date(2024, 2, 1), "until": date(2024, 1, 1)}, "since is after until"),
])
def test_bad_requests_are_refused_with_the_input_named(con, args, kwargs, reason):
    with pytest.raises(AnalysisError, match=reason) as err:
        dyad_index(con, *args, **kwargs)
    assert err.value.error.stage == "analysis" and err.value.error.input
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'events'").fetchone()[0]


def test_actor_codes_country_org_and_ambiguous():
    assert parse_actor("rus").kind == "country"
    assert parse_actor("NATO").kind == "org"
    assert parse_actor("NAM").kind == "any"  # Namibia and the Non-Aligned Movement
    assert parse_actor("usa/mil").label == "USA MIL"


def test_plots_write_valid_svg_and_png(con, tmp_path):
    from detente.analysis.plots import plot_dyad

    load(con, stream([0.2] * 20 + [0.8] * 20, rate=8, seed=5))
    index = dyad_index(con, "RUS", "USA", by="week")
    svg = plot_dyad(index, tmp_path / "rus_usa.svg", marks=[(date(2023, 6, 1), "call")])
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and "RUS-USA temperature" in svg.read_text(encoding="utf-8")
    png = plot_dyad(index, tmp_path / "rus_usa.png", kind="counts")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    with pytest.raises(AnalysisError, match="svg or .png"):
        plot_dyad(index, tmp_path / "rus_usa.pdf")


def test_fast_replicas_agree_with_scipy_and_python() -> None:
    """The dyad index's fast paths compute what scipy and Python compute: the Theil-Sen slope and its
    interval, the Beta band, and rounding (random series with ties and integer counts)."""
    import numpy as np
    from scipy.stats import beta, theilslopes

    from detente.analysis.dyad import _distinct_pairs, _theil_sen_slopes, beta_temperature, round_floats

    rng = np.random.default_rng(7)
    for n in (3, 8, 30, 157):
        x = np.arange(n, dtype=float)
        y = np.round(rng.normal(size=n), 1)  # rounded: many tied values
        want = theilslopes(y, x, 0.9)
        got = _theil_sen_slopes(y, x, 0.9)
        assert np.allclose(got, (want.slope, want.low_slope, want.high_slope), rtol=0, atol=1e-12), n
    coop, conf = rng.integers(0, 40, 500).astype(float), rng.integers(0, 40, 500).astype(float)
    mean, low, high = beta_temperature(coop, conf, 1.5, 0.8)
    assert np.allclose(low, 2 * beta.ppf(0.1, coop + 1.5, conf + 1.5) - 1, atol=1e-12)
    assert np.allclose(high, 2 * beta.ppf(0.9, coop + 1.5, conf + 1.5) - 1, atol=1e-12)
    a, b = np.round(rng.normal(size=(2, 300)), 1)  # many repeated pairs, some repeated a with other b
    pairs, back = np.unique(np.stack((a, b), axis=1), axis=0, return_inverse=True)
    ua, ub, back_fast = _distinct_pairs(a, b)
    assert np.array_equal(ua, pairs[:, 0]) and np.array_equal(ub, pairs[:, 1])
    assert np.array_equal(back_fast, back.reshape(-1)) and len(ua) < 300
    values = np.concatenate([rng.normal(scale=10, size=5000), np.arange(-50, 50) / 8 + 0.0625, [np.nan, np.inf]])
    assert round_floats(values, 3)[:-2] == [round(float(v), 3) for v in values[:-2]]
