"""Issue 4's seed, end to end as a user runs it: ingest the dated history articles and the shared
example article, then ask the relations analysis what happened.

The history (examples/history/history.jsonl) holds the March 2023 Black Sea drone clash, the
Austin-Shoigu call of 2023-03-15, the Gershkovich arrest, the February 2024 sanctions and the
Austin-Belousov call of 2024-06-25; the shared article (published 2024-07-16) reports Belousov's call
to Austin one day after the Washington summit (2024-07-12) and claims Belousov became defence minister
in May 2023 (he did in May 2024). Nothing here is hand-coded: every event comes from the coder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from detente.analysis.audit import audit_store
from detente.analysis.digest import CITATION, digest, md_escape
from detente.analysis.gaps import gaps
from detente.analysis.surprises import surprises
from tests.conftest import REPO, shared_dir

HISTORY = REPO / "examples" / "history" / "history.jsonl"
PUBLISHED = date(2024, 7, 16)
JULY_CALL, JUNE_CALL, MARCH_CALL = date(2024, 7, 12), date(2024, 6, 25), date(2023, 3, 15)
DETENTE = Path(sys.executable).with_name("detente")


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory) -> Path:
    shared = shared_dir()
    example = shared / "examples" / "belousov_austin_call_2024.txt" if shared else None
    if example is None or not example.is_file():
        pytest.skip("the shared example article is not available")
    from detente.ingestion import ingest

    db = tmp_path_factory.mktemp("seed") / "news.duckdb"
    summary = ingest([str(HISTORY), str(example)], db, workers=1, progress=False, default_date=PUBLISHED)
    assert summary.ok == 6 and summary.failed == 0, summary.line()
    return db


@pytest.fixture(scope="module")
def con(seed_db):
    with duckdb.connect(str(seed_db), read_only=True) as c:
        yield c


def call_ids(con, day: date) -> list[int]:
    """The stored asserted RUS -> USA CONSULT events dated ``day``."""
    return [r[0] for r in con.execute(
        "SELECT event_id FROM events WHERE event = 'CONSULT' AND modality = 'asserted' AND actor_country = 'RUS'"
        " AND recipient_country = 'USA' AND coalesce(date, anchor_date) = ? ORDER BY event_id", [day]).fetchall()]


def test_the_article_dates_the_july_call_from_the_summit(con):
    """"One day after the 2024 Washington Summit ended" is 2024-07-12 -- not the publication date."""
    assert call_ids(con, JULY_CALL), "the July 12 call is stored as RUS -> USA CONSULT"
    row = con.execute("SELECT date_source, actor_name, recipient_name FROM events WHERE event_id = ?",
                      [call_ids(con, JULY_CALL)[0]]).fetchone()
    assert row == ("text", "Andrey Belousov", "Lloyd Austin")



def test_defence_level_gaps_find_the_ministers_calls(con):
    """A defence minister is government and military (GOV, MIL): the ministers' calls are defence-level
    contacts, found by a MIL filter on both sides though each minister's first sector is GOV."""
    mil = gaps(con, "RUS", "USA", event="CONSULT", level="MIL")
    days = [c.day for c in mil.contacts]
    assert MARCH_CALL in days and JUNE_CALL in days and JULY_CALL in days
    july = next(c for c in mil.contacts if c.day == JULY_CALL)
    assert july.previous == JUNE_CALL
    sectors = con.execute("SELECT actor_sector, actor_sectors FROM events WHERE event_id = ?",
                          [call_ids(con, JULY_CALL)[0]]).fetchone()
    assert sectors[0] == "GOV" and "MIL" in sectors[1]
    # a level no side has finds nothing
    assert gaps(con, "RUS", "USA", event="CONSULT", level="REB").contacts == []

def test_gaps_report_the_june_and_july_calls_with_the_silence_before(con):
    report = gaps(con, "RUS", "USA", event="CONSULT")
    by_day = {c.day: c for c in report.contacts}
    june, july = by_day[JUNE_CALL], by_day[JULY_CALL]
    assert june.previous == MARCH_CALL and june.days_since == 468 and june.since_phrase == "15 months"
    assert "first RUS-USA CONSULT contact since 2023-03-15 (15 months)" in june.describe()
    assert july.previous == JUNE_CALL and july.days_since == 17 and july.since_phrase == "17 days"
    assert set(call_ids(con, JULY_CALL)) <= set(july.event_ids)
    assert report.longest(1)[0].start == MARCH_CALL and report.longest(1)[0].end == JUNE_CALL


def test_surprises_rank_the_july_call_among_the_top_events(con):
    found = surprises(con, since=date(2024, 7, 1))
    ranked = [(s.day, s.event, s.source.split()[0], s.target.split()[0]) for s in found]
    rank = ranked.index((JULY_CALL, "CONSULT", "RUS", "USA"))
    assert rank < 3, ranked
    why = found[rank].explanation
    assert "previous RUS-USA CONSULT 17 days earlier" in why, why
    # over the whole period since the first call, the June call -- after 15 months of silence -- is the top
    top = surprises(con, since=date(2024, 6, 1), limit=2)
    assert {(s.day, s.event) for s in top} == {(JUNE_CALL, "CONSULT")}


def test_audit_flags_the_may_2023_tenure_claim(con):
    findings = audit_store(con)
    tenure = [f for f in findings if f.kind == "tenure"]
    assert len(tenure) == 1, findings
    f = tenure[0]
    assert f.person == "Andrey Belousov" and f.severity == "high"
    assert "May 2023" in f.claim and "2024-05-14" in f.kb_says and "Sergei Shoigu" in f.kb_says
    published = con.execute("SELECT published FROM articles WHERE article_id = ?", [f.article_id]).fetchone()[0]
    assert published == PUBLISHED


@pytest.fixture(scope="module")
def week(con):
    return digest(con, since="2024-07-10", until="2024-07-16")


def test_the_digest_of_the_week_cites_the_call_and_the_audit_finding(con, week):
    call = {f"e{i}" for i in call_ids(con, JULY_CALL)}
    june = {f"e{i}" for i in call_ids(con, JUNE_CALL)}
    assert call & {c for line in week.section("headlines").lines for c in line.cites}
    assert call & {c for line in week.section("surprises").lines for c in line.cites}
    gap = [line for line in week.section("gaps").lines if call & set(line.cites)]
    assert len(gap) == 1
    text = gap[0].plain()
    assert "came 17 days after the previous one on 2024-06-25" in text
    assert "ended a silence of 15 months since 2023-03-15" in text
    assert june & set(gap[0].cites)
    warm = [line for line in week.section("climate").lines if line.plain().startswith("RUS-USA")]
    assert len(warm) == 1 and "warmed" in warm[0].plain() and call & set(warm[0].cites)
    audit = week.section("audit").lines
    tenure = [line for line in audit if "May 2023" in line.plain()]
    assert len(tenure) == 1
    quote = week.sources[tenure[0].cites[0]].quotes[0]
    assert "took over as the Russian Minister of Defense in May 2023" in quote.text
    assert quote.published == PUBLISHED


def test_every_citation_of_the_week_resolves_to_its_reports(con, week):
    markdown = week.to_markdown()
    body, _, sources = markdown.partition("\n## Sources\n")
    assert set(CITATION.findall(body)) == set(week.sources)
    for key, src in week.sources.items():
        assert f"- **[{key}]**" in sources
        if src.event_id is None:
            continue
        reports = {r[0] for r in con.execute("SELECT text FROM mentions WHERE event_id = ?", [src.event_id]).fetchall()}
        assert src.quotes and {q.text for q in src.quotes} <= reports
        assert all(md_escape(q.text) in sources for q in src.quotes)


def _commands() -> set[str]:
    if not DETENTE.exists():
        return set()
    out = subprocess.run([str(DETENTE), "--help"], capture_output=True, text=True, timeout=120).stdout
    return {line.split()[1] for line in out.splitlines() if line.startswith("│ ") and len(line.split()) > 1}


def test_the_cli_answers_as_the_library_does(seed_db, tmp_path):
    commands = _commands()
    if not {"gaps", "surprises"} <= commands:
        pytest.skip("the analysis commands are not wired into the CLI")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def run(*args: str) -> str:
        done = subprocess.run([str(DETENTE), *args, "--db", str(seed_db)], capture_output=True, text=True,
                              timeout=300, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    rows = [json.loads(line) for line in run("gaps", "RUS", "USA", "--type", "CONSULT", "--json").splitlines()]
    by_day = {r["date"]: r for r in rows}
    assert by_day["2024-06-25"]["since"] == "15 months" and by_day["2024-07-12"]["days_since"] == 17
    ranked = [json.loads(line) for line in run("surprises", "--since", "2024-07-01", "--json").splitlines()]
    top = [(r["date"], r["event"].split("/")[0], r["direction"]) for r in ranked[:3]]
    assert any(d == "2024-07-12" and e == "CONSULT" and t.startswith("RUS") and "->USA" in t for d, e, t in top), top
    if "digest" in commands:
        brief = tmp_path / "brief.md"
        run("digest", "--since", "2024-07-10", "--until", "2024-07-16", "-o", str(brief))
        text = brief.read_text(encoding="utf-8")
        assert "May 2023" in text and any(f"[e{i}]" in text for i in _july_ids(seed_db))


def _july_ids(db: Path) -> list[int]:
    with duckdb.connect(str(db), read_only=True) as c:
        return call_ids(c, JULY_CALL)
