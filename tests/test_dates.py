"""Event dates against a fixed publication date, and the calendar of summits."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from detente.time import (
    calendar_events,
    find_calendar_event,
    resolve_date,
    resolve_date_detail,
)

ANCHOR = date(2024, 7, 16)  # a Tuesday, five days after the NATO summit in Washington ended


@pytest.mark.parametrize(
    "text, expected, precision",
    [
        ("Kremlin spokesman Dmitry Peskov spoke about the alliance's plans on July 12th.", date(2024, 7, 12), "day"),
        ("Austin last spoke with his Russian counterpart on June 25, before the summit.", date(2024, 6, 25), "day"),
        ("The two ministers talked by phone on 12 July 2024.", date(2024, 7, 12), "day"),
        ("The accord was signed on Jan. 6, 2021, in Doha.", date(2021, 1, 6), "day"),
        ("The release is dated 2024-03-05.", date(2024, 3, 5), "day"),
        ("He took over as defence minister in May 2024.", date(2024, 5, 1), "month"),
        ("Talks resumed in March.", date(2024, 3, 1), "month"),
        ("Talks collapsed in November.", date(2023, 11, 1), "month"),  # no year: the last November
        ("The protest in December 2019 turned violent.", date(2019, 12, 1), "month"),
        ("Iran seized a tanker yesterday.", date(2024, 7, 15), "day"),
        ("Iran seized a tanker today, the navy said.", date(2024, 7, 16), "day"),
        ("Shelling resumed last night near the border.", date(2024, 7, 15), "day"),
        ("The envoy arrived two days ago.", date(2024, 7, 14), "day"),
        ("Two weeks ago the rebels took the town.", date(2024, 7, 2), "week"),
        ("Turkey said on Friday it would mediate.", date(2024, 7, 12), "day"),
        ("Turkey said last Friday it would mediate.", date(2024, 7, 12), "day"),
        ("Protesters gathered on Monday night in the capital.", date(2024, 7, 15), "day"),
        ("Ukraine said on Tuesday that talks were off.", date(2024, 7, 16), "day"),
        ("Last week, the ministers met in Brussels.", date(2024, 7, 8), "week"),
        ("Earlier this month, the two sides exchanged prisoners.", date(2024, 7, 1), "month"),
        ("Last month the council voted on a ceasefire.", date(2024, 6, 1), "month"),
        ("The leaders will meet on Friday.", date(2024, 7, 19), "day"),  # future: on or after
        ("The leaders will meet on July 20 in Geneva.", date(2024, 7, 20), "day"),
        ("Russia said on Friday it will respond to the deployment.", date(2024, 7, 12), "day"),  # dated report
        ("Peskov told reporters on Monday that Putin will not attend.", date(2024, 7, 15), "day"),
        ("One day after the 2024 Washington Summit ended, Belousov spoke with Austin.", date(2024, 7, 12), "day"),
        ("A day after the 2024 Washington Summit, the ministers spoke.", date(2024, 7, 12), "day"),
        ("Two days before the G7 summit, Japan announced new sanctions.", date(2024, 6, 11), "day"),
        ("On the eve of the NATO summit in Vilnius, Turkey lifted its veto.", date(2023, 7, 10), "day"),
        ("The envoys met on the 12th and again on the 14th.", date(2024, 7, 12), "day"),
        ("The envoys met on the 20th.", date(2024, 6, 20), "day"),  # not yet the 20th: last month's
        ("Russia annexed Crimea in 2014.", date(2014, 1, 1), "year"),
        ("Police charged protesters in Seoul on Monday, March 26, 2017.", date(2017, 3, 26), "day"),  # apposition
        ("The Washington Summit Declaration condemned Russia's nuclear rhetoric.", date(2024, 7, 9), "approx"),
        ("The Vilnius Summit Communique said Ukraine's future is in NATO.", date(2023, 7, 11), "approx"),
        ("Clashes broke out in mid-June near the border.", date(2024, 6, 1), "month"),
    ],
)
def test_dates_in_text(text: str, expected: date, precision: str) -> None:
    r = resolve_date_detail(text, ANCHOR)
    assert (r.date, r.source, r.precision) == (expected, "text", precision), r


@pytest.mark.parametrize(
    "text",
    [
        "Russia and China condemned the statement, calling it hostile.",
        "The US may impose new sanctions, the official said.",  # "may" the verb
        "No communication had happened since March 2023.",  # a boundary, not the event
        "Troops will stay until December.",
        "The blockade has lasted since 2014.",
        "Washington Summit attendees flew home.",  # a meeting named, but no date relation
        "NATO pledged 40 billion euros in military aid over the next year.",  # a duration
        "Drone attacks doubled in the past month, the ministry said.",
        "",
    ],
)
def test_no_date_falls_back_to_publication(text: str) -> None:
    assert resolve_date(text, ANCHOR) == (ANCHOR, "publication")
    assert resolve_date(text, None)[1] in ("none", "text")


def test_no_anchor() -> None:
    assert resolve_date("NATO condemned the attack.", None) == (None, "none")
    assert resolve_date("The deal was signed on 12 July 2024.", None) == (date(2024, 7, 12), "text")
    assert resolve_date("Russia attacked yesterday.", None) == (None, "none")


def test_first_day_precise_date_wins() -> None:
    text = (
        "The Hill reported that Austin last spoke with his counterpart on June 25th, about two and a "
        "half weeks before their phone call that followed the NATO summit, but no contact had "
        "happened since March 2023."
    )
    assert resolve_date(text, ANCHOR) == (date(2024, 6, 25), "text")


@pytest.mark.parametrize("offset", range(14))
def test_past_references_never_after_anchor(offset: int) -> None:
    anchor = date(2024, 2, 19) + timedelta(days=offset)
    for phrase in ("on Monday", "last Wednesday", "Friday", "on Sunday", "last week", "last month", "in December", "on March 3"):
        d, src = resolve_date(f"Officials said {phrase} that the border was closed.", anchor)
        assert src == "text" and d is not None and d <= anchor, (phrase, anchor, d)
    d, _ = resolve_date("Officials said last Monday that the border was closed.", anchor)
    assert d is not None and d < anchor and (anchor - d).days <= 7


def test_hint_event_resolves_a_bare_summit() -> None:
    nato = find_calendar_event("the 2024 NATO Summit in Washington", ANCHOR)
    r = resolve_date_detail("Following the summit, nobody expected what Russia did.", ANCHOR, hint_event=nato)
    assert r.date == date(2024, 7, 12) and r.source == "text"
    assert resolve_date("Following the summit, nobody expected it.", ANCHOR) == (ANCHOR, "publication")


def test_find_calendar_event() -> None:
    ev = find_calendar_event("The Washington Summit Declaration condemned Russia.", ANCHOR)
    assert ev is not None and ev.org == "NATO" and ev.start == date(2024, 7, 9) and ev.country == "USA"
    assert find_calendar_event("the NATO summit", date(2023, 8, 1)).place == "Vilnius"
    assert find_calendar_event("the 2018 NATO summit", ANCHOR).start == date(2018, 7, 11)
    assert find_calendar_event("at the G20 summit in Hamburg", ANCHOR).start.year == 2017
    assert find_calendar_event("the BRICS summit in Kazan", ANCHOR).org == "BRICS"
    assert find_calendar_event("Russia and Ukraine traded accusations.", ANCHOR) is None


def test_calendar_coverage_and_consistency() -> None:
    events = calendar_events()
    assert events == sorted(events, key=lambda e: e.start)
    for ev in events:
        assert ev.start <= ev.end and (ev.end - ev.start).days < 20, ev
        assert len(ev.country) == 3 and ev.country.isupper(), ev
    years = {s: {e.start.year for e in events if e.series == s} for s in ("nato", "g7", "g20", "brics", "sco", "unga")}
    assert {2002, 2004, 2008, 2014, 2022, 2023, 2024, 2025, 2026} <= years["nato"]
    assert set(range(2008, 2027)) - {2020} <= years["g7"]
    assert set(range(2008, 2027)) <= years["g20"]
    assert set(range(2009, 2026)) <= years["brics"]
    assert set(range(2002, 2026)) <= years["sco"] and set(range(2002, 2026)) <= years["unga"]


def test_fast_on_sentences_without_dates() -> None:
    sentences = [
        "Russian Defence Minister Andrei Belousov spoke with his American counterpart about the war.",
        "The alliance said its military infrastructure was not a threat to anyone.",
        "Protesters clashed with police outside the parliament building in the capital.",
        "China urged all parties to show restraint and return to negotiations.",
    ] * 500
    t0 = time.perf_counter()
    for s in sentences:
        resolve_date(s, ANCHOR)
    rate = len(sentences) / (time.perf_counter() - t0)
    assert rate >= 5000, f"{rate:.0f} calls/s"


def test_trie_pattern_matches_exactly_its_words() -> None:
    import re

    from detente.time.trie import trie_pattern

    words = ["g20", "g20 summit", "g2", "nato", "nato summit", "june", "jun", "a", "ab", "abc"]
    rx = re.compile(rf"(?:{trie_pattern(words)})")
    for w in words:
        assert rx.fullmatch(w), w
    for other in ["g", "g20 summi", "nat", "ju", "abcd", "b", ""]:
        assert not rx.fullmatch(other), other
    # longest match first, as a plain alternation sorted by length would do
    assert rx.match("nato summit in Vilnius").group(0) == "nato summit"
    assert re.fullmatch(trie_pattern([]), "") is None


def test_a_when_clause_takes_the_date_it_hangs_from(coder):
    """"since March 2023, when he held a call with Shoigu": the call is dated March 2023, not the
    publication date, while the main clause keeps its own reading."""
    text = ("Lloyd Austin spoke with Andrey Belousov on June 25. Before that conversation, the U.S. defense "
            "secretary had not spoken with his Russian counterpart since March 2023, when he held a call with "
            "Sergei Shoigu.")
    events = coder.code_sentence_text(text, date(2024, 7, 16))
    call = [e for e in events if e.modality == "asserted" and e.recipient and e.recipient.name == "Sergei Shoigu"]
    assert call and call[0].date == date(2023, 3, 1) and call[0].date_source == "text"


def test_dates_beyond_the_calendar_fall_back_instead_of_crashing() -> None:
    from detente.time.resolve import resolve_date_detail

    early = resolve_date_detail("Russia accused NATO of aggression last year.", date(1, 1, 1))
    assert early.date == date(1, 1, 1) and early.source == "publication"
    late = resolve_date_detail("The talks will resume tomorrow.", date(9999, 12, 31))
    assert late.date == date(9999, 12, 31) and late.source == "publication"
    # an ordinary anchor still resolves the same words
    assert resolve_date_detail("The talks will resume tomorrow.", date(2024, 7, 1)).date == date(2024, 7, 2)


@pytest.mark.parametrize("odd, plain", [
    ("The ministers met yeſterday.", "The ministers met yesterday."),   # long s
    ("They talked laſt week.", "They talked last week."),
    ("The envoy arrived on Frıday.", "The envoy arrived on Friday."),   # dotless i
])
def test_letters_that_case_blind_matching_folds_read_as_their_ascii_letter(odd: str, plain: str) -> None:
    """The rules' regexes ignore case, and Unicode case-folding equates these letters with ASCII ones:
    they used to match and then miss the ASCII-keyed tables (a KeyError on a whole article)."""
    anchor = date(2024, 7, 16)
    assert resolve_date(odd, anchor) == resolve_date(plain, anchor)
    assert resolve_date(odd, anchor)[1] == "text"


def test_trigger_searched_by_clue_agrees_with_the_whole_trigger() -> None:
    """``_Words.triggered`` searches only the trigger's alternatives whose clue the text holds; it
    must answer as the whole trigger regex does, on texts with and without date words."""
    from detente.time.resolve import _ASCII_FOLD, _words

    w = _words()
    base = [
        "Kremlin spokesman Dmitry Peskov spoke about the alliance's plans on July 12th.",
        "The two ministers talked by phone on 12 July 2024.", "The release is dated 2024-03-05.",
        "Shelling resumed last night near the border.", "The envoy arrived two days ago.",
        "Turkey said on Friday it would mediate.", "Earlier this month, the two sides exchanged prisoners.",
        "They met on the 3rd in Doha.", "They met ON THE 3RD.", "in2024 the deal lapsed", "Talks resumed in March.",
        "May the talks succeed", "a march on Monday", "over the next year", "Mondays are quiet", "the 1990s",
        "TODAY the council voted", "yeſterday the council voted", "Russia and China condemned the statement.",
        "12 of March the army left", "the weekend talks", "AGO", "ago", "the day before yesterday",
    ]
    texts = base + [t.lower() for t in base] + [t.upper() for t in base] + [t.title() for t in base]
    # as ``resolve_date_detail`` reads them: the letters case-blind matching folds made ASCII first
    texts = [t.translate(_ASCII_FOLD) for t in texts]
    checked = 0
    for text in texts:
        clues = w.clues(text)
        if clues.any():
            assert w.triggered(text, clues) == (w.trigger.search(text) is not None), text
            checked += 1
        else:
            assert w.trigger.search(text) is None, text  # the clues are necessary for the trigger
    assert checked > len(texts) // 2
