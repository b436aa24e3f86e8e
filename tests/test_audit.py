"""The claim audit (issue 4): office and tenure claims checked against the people knowledge base.

The knowledge base says Andrey Belousov became Russia's defence minister on 2024-05-14 (Sergei Shoigu
held the post from 2012-11-06 to 2024-05-12) and Sergey Lavrov has been foreign minister since
2004-03-09; the sentences below are checked against those terms.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from detente.analysis.audit import AuditStats, audit_article, audit_articles, audit_store, render, to_rows
from detente.analysis.claims import read_claims
from detente.ingest import read_inputs
from detente.records import Article, InputError
from tests.conftest import REPO, shared_dir

JULY_2024 = date(2024, 7, 16)
HISTORY = REPO / "examples" / "history"


def _audit(text: str, when: date | None = JULY_2024) -> tuple[list, AuditStats]:
    stats = AuditStats()
    return audit_article(Article(id="t", text=text, date=when), stats=stats), stats


@pytest.fixture(scope="module")
def shared_example() -> Article:
    sh = shared_dir()
    path = sh / "examples" / "belousov_austin_call_2024.txt" if sh else None
    if path is None or not path.exists():
        pytest.skip("../shared/examples not available")
    return Article(id="belousov_austin_call_2024", text=path.read_text(encoding="utf-8"), date=JULY_2024)


# ---------------------------------------------------------------------------------- the seed case
def test_shared_example_flags_the_may_2023_tenure_claim(shared_example):
    findings = audit_article(shared_example)
    tenure = [f for f in findings if f.kind == "tenure"]
    assert len(tenure) == 1
    f = tenure[0]
    assert f.person == "Andrey Belousov"
    assert "May 2023" in f.text and "May 2023" in f.claim
    assert "2024-05-14" in f.kb_says and "Sergei Shoigu" in f.kb_says  # who really held it then
    assert f.severity == "high"


def test_shared_example_has_nothing_false(shared_example):
    """Besides the tenure claim, only the misspelt "Belousev" (a headline) is reported: the correct
    titles (U.S. Defense Secretary Lloyd Austin, Kremlin Press Secretary Dmitry Peskov) are not."""
    stats = AuditStats()
    findings = audit_article(shared_example, stats=stats)
    assert sorted(f.kind for f in findings) == ["spelling", "tenure"]
    spelling = next(f for f in findings if f.kind == "spelling")
    assert spelling.quote == "Belousev" and spelling.person == "Andrey Belousov"
    assert 0.8 <= spelling.similarity < 1.0
    assert stats.count("consistent") >= 2  # the titles of Austin and Peskov were read and agree


def test_repo_example_article_passes(shared_example):
    """examples/nato_summit_call.txt states the same facts correctly: nothing to report."""
    text = (REPO / "examples" / "nato_summit_call.txt").read_text(encoding="utf-8")
    findings, stats = _audit(text)
    assert findings == []
    assert stats.claims["tenure"] >= 1 and stats.count("consistent") >= 5


# ---------------------------------------------------------------------------------- correct claims
@pytest.mark.parametrize("text", [
    "Andrey Belousov became defence minister in May 2024.",
    "Belousov, who took over as Russia's defence minister on May 14, 2024, met generals in Moscow.",
    "Sergei Shoigu, the former defence minister, now heads the Security Council.",
    "Defence Minister Belousov spoke with Lloyd Austin on Friday.",
    "Russia's new defence minister, Andrey Belousov, called his U.S. counterpart.",
    "Sergey Lavrov, Russia's foreign minister since 2004, met his Chinese counterpart.",
    "The then-defence minister Sergei Shoigu had ordered the withdrawal.",
    "In March 2023, Defence Minister Sergei Shoigu spoke with Austin.",
    "Ex-president Dmitry Medvedev wrote on Telegram that talks were pointless.",
    "Kremlin spokesman Dmitry Peskov said Vice President Kamala Harris had no say.",
    "Lloyd Austin took office as defense secretary in January 2021.",
    "Chinese President Xi Jinping and Premier Li Qiang received the delegation.",
    "U.S. Secretary of State Antony Blinken met Lavrov.",
])
def test_correct_claims_are_not_flagged(text):
    findings, stats = _audit(text)
    assert findings == []
    assert stats.count("consistent") >= 1, "the claim was not read at all"


def test_month_precision_against_day_precision():
    """A term that began on 2024-05-14 agrees with "in May 2024", not with "in May 2023"; April is a
    near miss (medium), a year off is a plain error (high)."""
    assert _audit("Belousov became defence minister in May 2024.")[0] == []
    near = _audit("Belousov became defence minister in April 2024.")[0]
    far = _audit("Belousov became defence minister in May 2023.")[0]
    assert [f.severity for f in near] == ["medium"]
    assert [f.severity for f in far] == ["high"]


# ---------------------------------------------------------------------------------- wrong claims
@pytest.mark.parametrize("text, kind, kb_words", [
    ("Defence Minister Shoigu inspected troops near Donetsk on Monday.", "role", ["Andrey Belousov", "2024-05-12"]),
    ("Former defence minister Belousov visited a tank factory in the Urals.", "former", ["still in office"]),
    ("Sergey Lavrov, who became foreign minister in 2010, told reporters talks were possible.", "tenure",
     ["2004-03-09"]),
    ("Ukraine's defence minister Belousov said nothing.", "role", ["RUS", "UKR"]),
    ("Lavrov, who served as foreign minister until 2020, is now retired.", "former", ["still in office"]),
    ("Former U.S. Secretary of State Antony Blinken criticised the plan.", "former", ["2025-01-20"]),
    ("Belousov can't be blamed, since he only took over as the Russian Minister of Defense in May 2023.", "tenure",
     ["2024-05-14"]),
])
def test_wrong_claims_are_flagged(text, kind, kb_words):
    findings, stats = _audit(text)
    assert [f.kind for f in findings] == [kind]
    f = findings[0]
    assert f.severity == "high"
    assert all(w in f.kb_says for w in kb_words), f.kb_says
    assert f.sentence == 0 and f.text == text and f.person
    assert stats.count("contradicted") == 1


def test_claims_name_the_right_subject():
    """The claim of a relative clause is about the person before ", who", not the nearest name."""
    claims = read_claims(Article("t", "Belousov replaced Shoigu, who became defence minister in 2012.", JULY_2024))
    tenure = [c for c in claims if c.kind == "tenure"]
    assert [c.person.name for c in tenure] == ["Sergei Shoigu"]
    assert _audit("Belousov replaced Shoigu, who became defence minister in 2012.")[0] == []


def test_known_surname_after_another_given_name_is_someone_else():
    """"Anote Tong" is not Goh Chok Tong: the claim is not pinned on the known Tong."""
    findings, stats = _audit("President Anote Tong, who took office in 2003, spoke.")
    assert findings == [] and sum(stats.claims.values()) == 0


def test_other_offices_and_future_offices_are_not_claims():
    """"Deputy Defence Minister", "incoming defence minister": no claim about the defence minister."""
    for text in ("Deputy Defence Minister Belousov toured a plant.", "Incoming defence minister Shoigu will face hard choices."):
        findings, stats = _audit(text, date(2024, 7, 16))
        assert findings == [] and stats.claims.get("role", 0) == 0, text


# ---------------------------------------------------------------------------------- spelling
def test_misspelt_name_is_flagged_with_its_similarity():
    text = "Defence Minister Andrey Belousov toured a drone plant. Belousev said output would double."
    findings, _ = _audit(text)
    assert [f.kind for f in findings] == ["spelling"]
    f = findings[0]
    assert f.person == "Andrey Belousov" and f.quote == "Belousev" and f.sentence == 1
    assert f.severity == "low" and 0.8 <= f.similarity < 1.0


def test_lone_surname_near_a_known_one_is_not_reported():
    """"Anderson said" may be anyone: a common surname one letter from a known one (Andersson) is not
    read as that person at all, so there is no spelling claim to report or to count."""
    findings, stats = _audit("Anderson said he would appeal the ruling.")
    assert findings == []
    assert stats.status[("spelling", "unchecked")] == 0 and stats.status[("spelling", "contradicted")] == 0


# ---------------------------------------------------------------------------------- dates and bad input
def test_undated_article_checks_only_dated_claims():
    findings, stats = _audit("Defence Minister Shoigu spoke. Lavrov, who became foreign minister in 2010, spoke too.", None)
    assert [f.kind for f in findings] == ["tenure"]
    assert stats.status[("role", "unchecked")] == 1


def test_bad_articles_are_named_and_the_batch_goes_on():
    stats = AuditStats()
    bad = InputError("broken.jsonl:3", "ingest", "line is not JSON")
    good = Article("ok", "Former defence minister Belousov visited a tank factory.", JULY_2024)
    findings = audit_articles([bad, Article("empty", "", JULY_2024), good], stats=stats)
    assert [f.article_id for f in findings] == ["ok"]
    assert stats.errors and stats.errors[0].input == "broken.jsonl:3"


# ---------------------------------------------------------------------------------- the store
def test_audit_store_reads_the_articles_table(tmp_path, shared_example):
    from detente.store import open as open_store

    db = tmp_path / "news.duckdb"
    with open_store(db) as store:
        items = [(a, []) for a in read_inputs([HISTORY / "history.jsonl"])]
        items.append((shared_example, []))
        store.write_batch(items)
        stats = AuditStats()
        findings = audit_store(store, stats=stats)
        assert stats.articles == 6
        assert {f.kind for f in findings} == {"tenure", "spelling"}
        stored = store.con.execute("SELECT article_id FROM articles WHERE doc_id = ?", [shared_example.id]).fetchone()[0]
        assert {f.article_id for f in findings} == {stored}
        early = AuditStats()
        assert audit_store(store, until="2024-06-30", stats=early) == [] and early.articles == 5
    later = audit_store(str(db), since=date(2024, 7, 1))  # a path works too (opened read-only)
    assert {f.kind for f in later} == {"tenure", "spelling"}


def test_render_and_rows(shared_example):
    from rich.console import Console

    stats = AuditStats()
    findings = audit_article(shared_example, stats=stats)
    rows = to_rows(findings)
    assert json.loads(json.dumps(rows)) == rows and rows[0]["article_id"] == shared_example.id
    out = io.StringIO()
    render(findings, stats, console=Console(file=out, width=200))
    text = out.getvalue()
    assert "May 2023" in text and "2024-05-14" in text and "contradicted" in text


# ---------------------------------------------------------------------------------- history examples
def test_history_examples_are_dated_wire_copy():
    records = [json.loads(line) for line in (HISTORY / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["date"] for r in records] == ["2023-03-14", "2023-03-15", "2023-03-30", "2024-02-23", "2024-06-25"]
    for r in records:
        assert r["title"] == r["text"].splitlines()[0]
        assert 150 <= len(r["text"].split()) <= 300


def test_history_examples_pass_the_audit():
    stats = AuditStats()
    findings = audit_articles(read_inputs([HISTORY / "history.jsonl"]), stats=stats)
    assert findings == [] and not stats.errors
    assert stats.count("consistent") >= 10


def test_history_calls_are_coded_as_consult(coder):
    """The two defence-chief calls are RUS-USA CONSULT events on their own dates."""
    calls = {r.id: r for r in read_inputs([HISTORY / "history.jsonl"]) if "call" in r.id}
    for doc_id, day in (("2023-03-15_austin_shoigu_call", date(2023, 3, 15)),
                        ("2024-06-25_austin_belousov_call", date(2024, 6, 25))):
        events = coder.code(calls[doc_id])
        pairs = {((e.actor.country if e.actor else None), (e.recipient.country if e.recipient else None))
                 for e in events if e.event == "CONSULT" and e.date == day}
        assert ("USA", "RUS") in pairs, (doc_id, pairs)
