"""The event coder's role and modality rules, on sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

ANCHOR = date(2024, 7, 16)


def _code(coder, text: str):
    return coder.code_sentence_text(text, ANCHOR)


def _side(actor) -> str | None:
    return (actor.country or actor.org) if actor is not None else None


def _triples(events) -> set[tuple[str, str | None, str | None]]:
    return {(e.event, _side(e.actor), _side(e.recipient)) for e in events}


@pytest.mark.parametrize("text, triple", [
    # subject -> object
    ("Turkey condemned Israel on Monday.", ("ACCUSE", "TUR", "ISR")),
    # passive voice: the agent is the source
    ("Ukrainian positions near Bakhmut were shelled by Russian forces overnight.", ("ASSAULT", "RUS", "UKR")),
    # the cue's own preposition names the target
    ("The European Union imposed new sanctions on Iran.", ("SANCTION", "EU", "IRN")),
    # the object's possessor is the target
    ("South Korea rejected North Korea's demand for talks.", ("REJECT", "KOR", "PRK")),
    # the subject of what was demanded is the target
    ("China demanded that the United States stop arms sales to Taiwan.", ("REQUEST", "CHN", "USA")),
])
def test_source_and_target(coder, text, triple):
    assert triple in _triples(_code(coder, text)), [e.to_json() for e in _code(coder, text)]


def test_compound_subjects_are_reciprocal(coder):
    got = _triples(_code(coder, "Egypt and Jordan agreed on a new border crossing."))
    assert {("AGREE", "EGY", "JOR"), ("AGREE", "JOR", "EGY")} <= got


def test_list_read_as_apposition_still_counts_every_party(coder):
    got = _triples(_code(coder, "France, Germany and Poland met in Weimar on Tuesday."))
    assert ("CONSULT", "FRA", "POL") in got and ("CONSULT", "POL", "DEU") in got


def test_negation_and_hypothesis_are_marked(coder):
    neg = _code(coder, "The Russian defence minister has not spoken with his American counterpart since March.")
    assert neg and all(e.modality == "negated" for e in neg if e.event == "CONSULT")
    hyp = _code(coder, "Japan could impose sanctions on Russia if the talks fail.")
    assert any(e.modality == "hypothetical" for e in hyp)


def test_promised_aid_is_an_intent(coder):
    ev = _code(coder, "Germany pledged to send air-defence systems to Ukraine.")
    assert any(e.event == "AGREE" and e.cameo.startswith("03") and _side(e.recipient) == "UKR" for e in ev)


def test_demanded_act_is_not_an_event(coder):
    ev = _code(coder, "Iran urged Azerbaijan to withdraw its troops from the border.")
    assert {e.event for e in ev} == {"REQUEST"}


def test_outlet_is_attribution_not_actor(coder):
    ev = _code(coder, "Reuters reported that Turkey expelled the Swedish ambassador.")
    hit = [e for e in ev if e.event == "SANCTION"]
    assert hit and _side(hit[0].actor) == "TUR" and hit[0].attribution == "Reuters"


def test_partisan_speaker_reporting_a_hostile_deed_accuses(coder):
    ev = _code(coder, "Zakharova said NATO troops attacked Russian positions near Belgorod.")
    assert ("ACCUSE", "RUS", "NATO") in _triples(ev)
    assert not any(e.event == "ASSAULT" for e in ev)


def test_place_receives_event_without_target(coder):
    ev = _code(coder, "Serbia lifted the night curfew in Montenegro.")
    assert any(_side(e.recipient) == "MNE" for e in ev)


def test_headline_the_parser_cannot_read_is_coded_linearly(coder):
    ev = _code(coder, "Liechtenstein and Jordan Sign Trade Deal in Renewed Push for Economic Cooperation")
    assert ev and ev[0].rule.startswith("linear.") and _side(ev[0].actor) == "JOR"
    assert ev[0].confidence <= 0.4


def test_relative_and_explicit_dates(coder):
    ev = _code(coder, "Russia's foreign minister met his Chinese counterpart in Beijing on Friday.")
    assert ev and ev[0].date == date(2024, 7, 12) and ev[0].date_source == "text"
    assert ev[0].location is not None and ev[0].location.country == "CHN"
