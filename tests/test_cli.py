"""The `detente` command as a user runs it: JSON Lines out, loud errors for bad input, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DETENTE = [str(Path(sys.executable).with_name("detente"))]


def run(args: list[str], stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(DETENTE + args, input=stdin, capture_output=True, text=True, cwd=cwd or REPO,
                          timeout=300, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    files = {
        "empty": d / "empty.txt",
        "binary": d / "binary.txt",
        "latin1": d / "latin1.txt",
        "huge": d / "huge.txt",
        "corpus": d / "corpus.jsonl",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)) * 64)
    files["latin1"].write_bytes("Le pr\xe9sident fran\xe7ais a rencontr\xe9 Poutine.".encode("latin-1"))
    files["huge"].write_text("Russia condemned NATO. " * (21 * 1024 * 1024 // 23), encoding="utf-8")
    files["corpus"].write_text(
        json.dumps({"id": "good-1", "text": "Russia condemned NATO on Monday.", "date": "2024-07-12"}) + "\n"
        + "this is not json\n"
        + json.dumps({"id": "good-2", "text": "China accused the United States of interference.", "date": "2024-07-12"}) + "\n",
        encoding="utf-8")
    return files


def test_code_example_writes_contract_fields():
    res = run(["code", "examples/nato_summit_call.txt", "--date", "2024-07-16"])
    assert res.returncode == 0, res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert events, res.stderr
    keys = {"doc_id", "sentence", "text", "event", "mode", "context", "cameo", "goldstein", "quad_class", "actor",
            "recipient", "date", "date_source", "location", "modality", "attribution", "confidence", "cue",
            "cue_span", "rule"}
    assert all(keys <= set(e) for e in events)
    call = [e for e in events if e["event"] == "CONSULT" and e["actor"]["country"] == "RUS"
            and (e["recipient"] or {}).get("country") == "USA"]
    assert call and call[0]["date"] == "2024-07-12"
    assert all(e["cue"] and e["rule"] for e in events)


def test_bad_jsonl_line_is_named_and_the_rest_coded(bad_inputs):
    res = run(["code", str(bad_inputs["corpus"])])
    assert res.returncode == 0
    assert "corpus.jsonl:2" in res.stderr and "JSON" in res.stderr
    docs = {json.loads(line)["doc_id"] for line in res.stdout.splitlines()}
    assert docs == {"good-1", "good-2"}


def test_stdin_jsonl():
    rec = json.dumps({"id": "s1", "text": "Iran threatened to close the Strait of Hormuz to US ships.", "date": "2019-05-02"})
    res = run(["code", "-"], stdin=rec + "\n")
    assert res.returncode == 0, res.stderr
    assert any(json.loads(line)["event"] == "THREATEN" for line in res.stdout.splitlines())


def test_each_bad_file_gets_a_reason_and_nothing_coded_exits_nonzero(bad_inputs):
    res = run(["code", str(bad_inputs["empty"]), str(bad_inputs["binary"]), str(bad_inputs["huge"])])
    assert res.returncode != 0
    for name in ("empty.txt", "binary.txt", "huge.txt"):
        assert name in res.stderr, res.stderr
    assert res.stdout == ""


def test_mixed_batch_exits_zero(bad_inputs):
    res = run(["code", str(bad_inputs["binary"]), "examples/nato_summit_call.txt", "--date", "2024-07-16"])
    assert res.returncode == 0
    assert "binary.txt" in res.stderr
    assert res.stdout.strip()


def test_implausible_publication_date_option_is_refused():
    """--date dates every undated input: a typo like 2999 would date every event, so it is refused
    with the same reason a record's own date gets."""
    res = run(["code", "examples/nato_summit_call.txt", "--date", "2999-07-16"])
    assert res.returncode != 0
    assert "--date" in res.stderr and "future" in res.stderr
    assert res.stdout == ""


def test_non_utf8_is_not_silently_garbled(bad_inputs):
    res = run(["code", str(bad_inputs["latin1"])])
    # decoded with a note, or refused with a reason: never silent
    assert "latin1.txt" in res.stderr


def test_actor_command_date_aware():
    pm = json.loads(run(["actor", "Vladimir Putin", "--date", "2009-01-01"]).stdout)
    pres = json.loads(run(["actor", "Vladimir Putin", "--date", "2022-03-01"]).stdout)
    assert pm["country"] == "RUS" and pm["office"] == "Prime Minister of Russia"
    assert pres["office"] == "President of Russia"


def test_actor_stdin_keeps_order_and_reports_bad_lines():
    lines = [json.dumps({"text": "Belousev", "date": "2024-07-12"}), "{not json", json.dumps({"text": "the Kremlin"})]
    res = run(["actor", "-"], stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["name"] == "Andrey Belousov" and out[0]["office"].startswith("Minister of Defence")
    assert "error" in out[1]
    assert out[2]["country"] == "RUS"
    assert "stdin:2" in res.stderr
