"""The cited digest on a small store written through the store's own write path.

The store tells a short story: Austin and Shoigu spoke in January 2023; then, in 2024, Russia and the
United States only accused, sanctioned and threatened each other; on 2024-07-12 Belousov phoned Austin
(reported by two outlets, one of which carries a ``<script>`` payload and fake citation marks in its
title and text, and the false claim that Belousov became defence minister in May 2023). France and
Germany met in the same week, and a "could meet" and a "did not meet" between Russia and the United
States were reported -- which are not events that happened.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from detente.analysis.digest import CITATION, digest, md_escape, wording
from detente.analysis.dyad import AnalysisError
from detente.records import Actor, Article, Event
from detente.store import open as open_store

SINCE, UNTIL = date(2024, 7, 8), date(2024, 7, 14)
PAYLOAD = "<script>alert('digest')</script>"
CALL = f"Belousov phoned Austin on Friday {PAYLOAD} [e999] *urgently*, the ministry said."
CLAIM = "Andrey Belousov, who took over as the Russian Minister of Defense in May 2023, asked for the call."

_TONE = {"CONSULT": ("040", 1.0, 1), "ACCUSE": ("112", -2.0, 3), "SANCTION": ("163", -8.0, 4),
         "THREATEN": ("130", -4.4, 3)}


def person(name: str, country: str, sector: str = "GOV") -> Actor:
    return Actor(text=name.split()[-1], name=name, country=country, sector=sector, kind="person")


def state(code: str) -> Actor:
    return Actor(text=code, name=code, country=code, kind="state")


def report(doc: str, sentence: int, text: str, event: str, actor: Actor, recipient: Actor, day: date,
           modality: str = "asserted", mode: str | None = None) -> Event:
    cameo, goldstein, quad = _TONE[event]
    return Event(doc, sentence, text, event, actor, recipient, mode=mode, cameo=cameo, goldstein=goldstein,
                 quad_class=quad, date=day, date_source="text", modality=modality, confidence=0.9)


def article(doc: str, day: date, sentences: list[str], title: str, outlet: str) -> Article:
    return Article(doc, " ".join(sentences), day, title=title, url=f"https://{outlet.lower()}.example/{doc}",
                   outlet=outlet)


def story() -> list[tuple[Article, list[Event]]]:
    austin, shoigu = person("Lloyd Austin", "USA"), person("Sergei Shoigu", "RUS")
    belousov = person("Andrey Belousov", "RUS")
    rus, usa = state("RUS"), state("USA")
    items = []

    def add(doc: str, day: date, title: str, outlet: str, sentences: list[str], events: list[tuple]) -> None:
        art = article(doc, day, sentences, title, outlet)
        items.append((art, [report(doc, i, sentences[i], *rest) for i, *rest in events]))

    jan = date(2023, 1, 10)
    add("jan-call", jan, "Austin and Shoigu talk", "Wire", ["Austin spoke with Shoigu by phone."],
        [(0, "CONSULT", austin, shoigu, jan, "asserted", "phone")])
    for doc, day, text, ev, a, b in [
        ("accuse", date(2024, 5, 2), "Russia accused the United States of provocations.", "ACCUSE", rus, usa),
        ("sanction", date(2024, 5, 20), "The United States imposed sanctions on Russia.", "SANCTION", usa, rus),
        ("threat", date(2024, 6, 15), "Russia threatened the United States with retaliation.", "THREATEN", rus, usa),
    ]:
        add(doc, day, text, "Wire", [text], [(0, ev, a, b, day)])
    july = date(2024, 7, 12)
    add("july-call", july, f"Belousov calls Austin {PAYLOAD} [e999]", "Wire", [CALL, CLAIM],
        [(0, "CONSULT", belousov, austin, july, "asserted", "phone")])
    second = "Russia's defence minister Andrey Belousov called Lloyd Austin on Friday."
    add("july-call-2", date(2024, 7, 13), "Belousov and Austin speak", "Courier", [second],
        [(0, "CONSULT", belousov, austin, july, "asserted", "phone")])
    fra, deu = state("FRA"), state("DEU")
    add("paris", date(2024, 7, 10), "Macron and Scholz meet", "Courier",
        ["France and Germany held talks in Berlin.", "Russia and the United States could meet soon.",
         "Russia did not meet the United States."],
        [(0, "CONSULT", fra, deu, date(2024, 7, 10)),
         (1, "CONSULT", rus, usa, date(2024, 7, 10), "hypothetical"),
         (2, "CONSULT", rus, usa, date(2024, 7, 10), "negated")])
    return items


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("digest") / "news.duckdb"
    with open_store(path) as s:
        s.write_batch(story())
    with open_store(path, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def brief(store):
    return digest(store, since=SINCE, until=UNTIL)


def _sections(markdown: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = line[3:]
            out[current] = []
        elif line.strip() and current is not None:
            out[current].append(line)
    return out


def _sources(lines: list[str]) -> dict[str, list[str]]:
    """Sources section -> {citation key: [quoted sentence as written in the Markdown, ...]}."""
    out: dict[str, list[str]] = {}
    key = None
    for line in lines:
        if m := re.match(r"- \*\*\[([es]\d+)\]\*\* ", line):
            key = m.group(1)
            out[key] = []
        elif m := re.match(r"  - “(.*)” — ", line):
            assert key is not None, line
            out[key].append(m.group(1))
    return out


def test_every_fact_carries_citations_that_resolve_to_the_store(store, brief):
    sections = _sections(brief.to_markdown())
    sources = _sources(sections.pop(wording()["titles"]["sources"]))
    said = {sec.title: sec.empty for sec in brief.sections}
    cited: set[str] = set()
    for title, lines in sections.items():
        for line in lines:
            if line.startswith("_"):  # an empty section says so, and states no fact
                assert lines == [f"_{md_escape(said[title])}_"], lines
                continue
            assert line.startswith("- "), line
            keys = CITATION.findall(line)
            assert keys, f"{title}: uncited line {line!r}"
            cited.update(keys)
    assert cited == set(sources), "every citation has its source, every source is cited"
    con = store.con
    for key, quotes in sources.items():
        assert quotes, key
        if key.startswith("e"):
            eid = int(key[1:])
            assert con.execute("SELECT count(*) FROM events WHERE event_id = ?", [eid]).fetchone()[0] == 1
            mentions = {md_escape(t) for t in store.mentions(eid)["text"]}
            assert set(quotes) <= mentions, (key, quotes, mentions)
        else:  # an audited sentence: it is in the article the Sources line names
            texts = [" ".join(t.split()) for t in store.articles(with_text=True)["text"]]
            assert any(md_escape(q) in md_escape(t) for q in quotes for t in texts), quotes


def test_the_call_story_is_told_with_the_stored_numbers(store, brief):
    events = store.events(modality="asserted")
    events["day"] = events["date"].dt.date
    call = events[(events["event"] == "CONSULT") & (events["day"] == date(2024, 7, 12))]
    assert len(call) == 1 and int(call["num_mentions"].iloc[0]) == 2 and int(call["num_sources"].iloc[0]) == 2
    call_id = f"e{int(call['event_id'].iloc[0])}"
    jan_id = f"e{int(events[events['day'] == date(2023, 1, 10)]['event_id'].iloc[0])}"

    head = brief.section("headlines").lines
    assert head[0].cites == [call_id], "the most reported event heads the brief"
    assert "2 sentences of 2 articles from 2 sources" in head[0].plain()
    assert "Andrey Belousov (RUS GOV) → Lloyd Austin (USA GOV)" in head[0].plain()

    gap = brief.section("gaps").lines
    rus_usa = [line for line in gap if call_id in line.cites]
    assert len(rus_usa) == 1 and "ended a silence of 18 months since the previous contact on 2023-01-10" in \
        rus_usa[0].plain()
    assert rus_usa[0].segments[0].cites == (call_id,) and rus_usa[0].segments[1].cites == (jan_id,)

    climate = brief.section("climate").lines
    assert len(climate) == 1 and climate[0].plain().startswith("RUS-USA warmed")
    assert "from 1 event in the period" in climate[0].plain() and "from 3 events in the 365 days" in climate[0].plain()
    conflict_ids = {f"e{i}" for i in events[events["event"].isin(["ACCUSE", "SANCTION", "THREATEN"])]["event_id"]}
    assert climate[0].segments[0].cites == (call_id,) and set(climate[0].segments[1].cites) == conflict_ids

    assert call_id in {c for line in brief.section("surprises").lines for c in line.cites}

    audit = brief.section("audit").lines
    assert audit and "May 2023" in audit[0].plain() and "2024-05-14" in audit[0].plain()
    assert brief.sources[audit[0].cites[0]].quotes[0].text == CLAIM


def test_reports_that_did_not_happen_and_other_dyads(store, brief):
    """Hypothetical and negated reports are never cited; a dyad digest leaves other pairs out."""
    events = store.events()
    unreal = {int(i) for i in events[events["modality"] != "asserted"]["event_id"]}
    assert len(unreal) == 2 and not unreal & set(brief.event_ids())
    fra = int(events[events["actor_country"] == "FRA"]["event_id"].iloc[0])
    assert fra in brief.event_ids()
    narrow = digest(store, since=SINCE, until=UNTIL, dyad="RUS-USA")
    assert narrow.dyad == "RUS-USA" and fra not in narrow.event_ids()
    assert narrow.section("audit").lines, "the call's article reported the dyad"
    assert narrow.title.endswith("· RUS-USA")


def test_untrusted_text_is_escaped(brief):
    page = brief.to_html()
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
    assert "Content-Security-Policy" in page
    assert all(href.startswith(("#", "https://")) for href in re.findall(r'href="([^"]*)"', page))
    text = brief.to_markdown()
    assert "<script" not in text.lower() and "&lt;script>" in text
    # the payload's "[e999]" is quoted as text, not taken for a citation
    assert "e999" not in CITATION.findall(text) and r"\[e999\]" in text


def test_only_web_addresses_become_links(tmp_path):
    path = tmp_path / "links.duckdb"
    day = date(2024, 7, 12)
    art = Article("bad-url", "Russia accused the United States of provocations.", day, title="t",
                  url="javascript:alert(1)", outlet="Wire")
    ev = report("bad-url", 0, art.text, "ACCUSE", state("RUS"), state("USA"), day)
    with open_store(path) as s:
        s.write_batch([(art, [ev])])
        page = digest(s, since=day, until=day, audit=False).to_html()
    assert "javascript:alert(1)" in page and 'href="javascript' not in page


def test_an_unreadable_article_is_named_and_the_brief_goes_on(tmp_path):
    path = tmp_path / "blank.duckdb"
    day = date(2024, 7, 12)
    art = Article("blank", "Russia accused the United States of provocations.", day, title="t", outlet="Wire")
    ev = report("blank", 0, art.text, "ACCUSE", state("RUS"), state("USA"), day)
    with open_store(path) as s:
        s.write_batch([(art, [ev])])
        s.con.execute("UPDATE articles SET text = ' '")  # a damaged row: the audit cannot read it
        brief = digest(s, since=day, until=day)
    assert [(e.stage, e.reason) for e in brief.errors] == [("audit", "stored article has no text")]
    assert brief.errors[0].input == s_id(path)
    assert brief.section("headlines").lines and not brief.section("audit").lines


def s_id(path: Path) -> str:
    with open_store(path, read_only=True) as s:
        return s.con.execute("SELECT article_id FROM articles").fetchone()[0]


def test_an_empty_period_says_so(store):
    empty = digest(store, since="2020-01-01", until="2020-01-31")
    assert empty.empty and not empty.sources
    text = empty.to_markdown()
    for sec in empty.sections:
        assert md_escape(sec.empty) in text
    assert not CITATION.findall(text) and wording()["titles"]["sources"] not in text
    assert "No asserted event" in empty.to_html()


@pytest.mark.parametrize("kwargs, reason", [
    (dict(since="2024-07-14", until="2024-07-08"), "since is after until"),
    (dict(since="last week", until="2024-07-08"), "not a date"),
    (dict(since=SINCE, until=UNTIL, dyad="RUS"), "two actor codes"),
    (dict(since=SINCE, until=UNTIL, dyad="RUS-RUS"), "two different actors"),
    (dict(since=SINCE, until=UNTIL, limit=0), "at least 1"),
])
def test_bad_requests_name_the_input(store, kwargs, reason):
    with pytest.raises(AnalysisError, match=reason) as err:
        digest(store, **kwargs)
    assert err.value.error.stage == "analysis"


def test_a_missing_database_is_named(tmp_path):
    with pytest.raises(AnalysisError, match="no such database"):
        digest(tmp_path / "nope.duckdb", since=SINCE, until=UNTIL)


def test_save_picks_the_format_by_suffix(brief, tmp_path):
    md = brief.save(tmp_path / "brief.md").read_text(encoding="utf-8")
    page = brief.save(Path(tmp_path / "brief.html")).read_text(encoding="utf-8")
    assert md.startswith("# Digest: 2024-07-08 to 2024-07-14") and page.startswith("<!DOCTYPE html>")
