"""A few hundred generated bad inputs of every kind through ``detente ingest``: no crash, no hang, each
one in the store's ``errors`` with a reason, and not one request to the loopback test server behind the
refused URLs. ``bench/bad_inputs.py --n 10000`` is the full-size run."""

from __future__ import annotations

from bench.bad_inputs import run


def test_every_bad_input_is_recorded_with_a_reason(tmp_path):
    r = run(400, tmp_path, seed=3, huge=1, workers=1)
    assert r["server_hits"] == 0, "a refused URL reached the server"
    assert r["ok"] == 0 and r["articles_stored"] == 0, r
    assert r["errors_stored"] == r["inputs"] == r["failed"], r
    assert r["blank_reasons"] == 0
    assert set(r["kinds"]) >= {"50 MB page", "binary", "truncated_html", "malformed_html", "undecodable",
                               "broken_feed", "broken_jsonl_line", "refused_url"}
    assert r["wall"] < 120
