"""The motivating case: the July 2024 Belousov-Austin call article, coded end to end."""

from __future__ import annotations

from datetime import date

import pytest

from detente.records import Article
from tests.conftest import REPO, shared_dir


def _events(coder, text: str, when: date):
    return coder.code(Article(id="ex", text=text, date=when))


def _has(events, etype, src, tgt, *, when=None, mode=None, modality="asserted"):
    def code(a):
        return (a.country or a.org) if a else None

    types = {etype} if isinstance(etype, str) else set(etype)
    for e in events:
        if e.event in types and code(e.actor) == src and code(e.recipient) == tgt and e.modality == modality:
            if when is not None and e.date != when:
                continue
            if mode is not None and e.mode != mode:
                continue
            return e
    return None


@pytest.fixture(scope="module")
def shared_example(coder):
    sh = shared_dir()
    if sh is None or not (sh / "examples" / "belousov_austin_call_2024.txt").exists():
        pytest.skip("../shared/examples not available")
    text = (sh / "examples" / "belousov_austin_call_2024.txt").read_text(encoding="utf-8")
    return text, _events(coder, text, date(2024, 7, 16))


def test_phone_call_after_summit(shared_example):
    _, ev = shared_example
    e = _has(ev, "CONSULT", "RUS", "USA", when=date(2024, 7, 12), mode="phone")
    assert e is not None, [x.to_json() for x in ev if x.event == "CONSULT"]
    assert e.actor.name == "Andrey Belousov"
    assert e.recipient.name == "Lloyd Austin"
    assert e.date_source == "text"


def test_june_call(shared_example):
    _, ev = shared_example
    e = _has(ev, "CONSULT", "USA", "RUS", when=date(2024, 6, 25))
    assert e is not None, [x.to_json() for x in ev if x.event == "CONSULT"]
    assert e.attribution and "Hill" in e.attribution


def test_accusations(shared_example):
    _, ev = shared_example
    peskov = _has(ev, "ACCUSE", "RUS", "NATO")
    assert peskov is not None and peskov.actor.name == "Dmitry Peskov"
    assert _has(ev, "ACCUSE", "NATO", "RUS") is not None
    assert _has(ev, "ACCUSE", "NATO", "CHN") is not None


def test_support_for_ukraine(shared_example):
    _, ev = shared_example
    assert _has(ev, {"SUPPORT", "AID", "AGREE"}, "NATO", "UKR") is not None


def test_no_duplicates_no_boilerplate(shared_example):
    text, ev = shared_example
    keys = [e.key() for e in ev]
    assert len(keys) == len(set(keys))
    for e in ev:
        assert "Never miss a story" not in e.text and "More for you" not in e.text


def test_negated_silence_is_not_a_fact(shared_example):
    _, ev = shared_example
    for e in ev:
        if "no communication had happened" in e.text and e.event == "CONSULT" and e.date == date(2023, 3, 1):
            assert e.modality == "negated"


def test_bundled_example_codes_the_same_story(coder):
    text = (REPO / "examples" / "nato_summit_call.txt").read_text(encoding="utf-8")
    ev = _events(coder, text, date(2024, 7, 16))
    assert _has(ev, "CONSULT", "RUS", "USA", when=date(2024, 7, 12)) is not None
    assert _has(ev, "ACCUSE", "NATO", "RUS") is not None
