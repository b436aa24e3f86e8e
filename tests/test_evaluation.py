"""Evaluation harness: metric functions on hand-made predictions, and smoke runs on the gold sets.

The expected numbers in the metric tests were worked out by hand from the small inputs below.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from detente.evaluation import format_markdown, format_report, run_all
from detente.evaluation.metrics import (actor_matches, cameo_root, confusion, f1_scores,
                                       normalize_code, parse_date, stratified_sample)
from detente.evaluation.ngec_synthetic import document_type, headline, story_type
from detente.evaluation import petrarch_gold, plover_gold
from detente.records import Actor, Article, Event


def _eval_dir() -> Path | None:
    for cand in (Path(__file__).resolve().parents[2] / "shared" / "eval", Path("/work/shared/eval")):
        if cand.is_dir():
            return cand
    return None


EVAL_DIR = _eval_dir()
needs_gold = pytest.mark.skipif(EVAL_DIR is None, reason="gold sets (../shared/eval) not present")


def ev(etype: str, actor: Actor | None = None, recipient: Actor | None = None, *, sentence: int = 0,
       confidence: float = 0.5, cameo: str | None = None, mode: str | None = None,
       modality: str = "asserted") -> Event:
    return Event(doc_id="t", sentence=sentence, text="", event=etype, actor=actor, recipient=recipient,
                 cameo=cameo, confidence=confidence, mode=mode, modality=modality)


USA = Actor(text="Washington", country="USA", sector="GOV", kind="state")
RUS = Actor(text="Moscow", country="RUS", kind="state")
JPN = Actor(text="Tokyo", country="JPN", kind="state")
NATO = Actor(text="NATO", org="NATO", kind="igo")
REBELS = Actor(text="rebels", sector="REB")


# --- actor codes ---------------------------------------------------------------------------------

def test_normalize_code_takes_country_part_and_maps_legacy_codes():
    assert normalize_code("TUNJUD") == "TUN"
    assert normalize_code("JAP") == "JPN"
    assert normalize_code("") == "---"
    assert normalize_code(None) == "---"


def test_actor_matches_states_igos_and_nonstate_slots():
    assert actor_matches(USA, "USAGOV")
    assert not actor_matches(USA, "RUS")
    assert actor_matches(JPN, "JAP")  # legacy gold code
    assert actor_matches(NATO, "IGO") and actor_matches(NATO, "IGOUNOMIL")
    assert not actor_matches(USA, "IGO")
    assert actor_matches(None, "---") and actor_matches(REBELS, "---REB")
    assert not actor_matches(None, "USA") and not actor_matches(USA, "---")
    oxfam = Actor(text="Oxfam", sector="NGO")
    assert actor_matches(oxfam, "NGO") and actor_matches(oxfam, "IGO")
    assert not actor_matches(Actor(text="a Kenyan charity", country="KEN", sector="NGO"), "IGO")


def test_cameo_root_and_dates():
    assert cameo_root("0352") == "03" and cameo_root("173") == "17" and cameo_root(None) is None
    assert parse_date("20080806") == date(2008, 8, 6)
    assert parse_date("2000-01-01") == date(2000, 1, 1)
    assert parse_date("n/a") is None


# --- PLOVER gold -----------------------------------------------------------------------------------

def test_triple_rules_for_multi_actor_golds():
    # Two gold sources, no target: a reciprocal event between them counts, in either direction.
    assert plover_gold.triple_matches(ev("AGREE", USA, RUS), "AGREE", ["USA", "RUS"], [])
    assert plover_gold.triple_matches(ev("AGREE", RUS, USA), "AGREE", ["USA", "RUS"], [])
    assert plover_gold.triple_matches(ev("AGREE", RUS, None), "AGREE", ["USA", "RUS"], [])
    assert not plover_gold.triple_matches(ev("AGREE", RUS, JPN), "AGREE", ["USA", "RUS"], [])
    # One source, several targets: any target will do; wrong type never matches.
    assert plover_gold.triple_matches(ev("ACCUSE", USA, JPN), "ACCUSE", ["USAGOV"], ["RUS", "JAP"])
    assert not plover_gold.triple_matches(ev("REJECT", USA, JPN), "ACCUSE", ["USAGOV"], ["JAP"])
    # One source, no target: the recipient is not checked.
    assert plover_gold.triple_matches(ev("RETREAT", RUS, NATO), "RETREAT", ["RUS"], [])


def test_plover_aggregate_by_hand():
    r1 = {"id": "1", "event_plover2021": "ACCUSE", "source": [{"code": "USA"}],
          "target": [{"code": "RUS"}], "mode": ""}
    r2 = {"id": "2", "event_plover2021": "CONSULT", "source": [{"code": "RUS"}],
          "target": None, "mode": "phone"}
    r3 = {"id": "3", "event_plover2021": "ASSAULT", "source": [{"code": "RUS"}],
          "target": "diplomatic"}
    outcomes = [
        # type found and triple, but the top event (higher confidence) is another type
        plover_gold.score_record(r1, [ev("ACCUSE", USA, RUS, confidence=0.4),
                                      ev("REJECT", USA, RUS, confidence=0.9)]),
        # right type and mode, wrong actor: found + top-1 + mode, no triple
        plover_gold.score_record(r2, [ev("CONSULT", USA, None, mode="phone")]),
        # nothing coded
        plover_gold.score_record(r3, []),
    ]
    agg = plover_gold.aggregate(outcomes)
    assert agg["n"] == 3
    assert agg["type_found"] == pytest.approx(2 / 3)
    assert agg["top1_type"] == pytest.approx(1 / 3)
    assert agg["full_triple"] == pytest.approx(1 / 3)
    assert agg["events_per_sentence"] == pytest.approx(1.0)
    assert agg["mode_accuracy"] == 1.0 and agg["n_with_mode"] == 1
    assert agg["missed_types"] == {"ASSAULT": 1}


# --- PETRARCH gold ---------------------------------------------------------------------------------

def test_petrarch_counts_by_hand():
    rec_a = {"expected": [{"eventcode": "173", "sourcecode": "TUNJUD", "targetcode": "NGAEDU"},
                          {"eventcode": "042", "sourcecode": "USA", "targetcode": "CHN"}],
             "noevents": False}
    rec_b = {"expected": [], "noevents": True}
    tun = Actor(text="court", country="TUN", sector="JUD")
    nga = Actor(text="student", country="NGA", sector="EDU")
    counts = [
        # one full match (root 17, TUN->NGA), one right-root wrong-dyad event
        petrarch_gold.score_record(rec_a, [ev("COERCE", tun, nga, cameo="1731"),
                                           ev("COERCE", USA, nga, cameo="170"),
                                           ev("ACCUSE", USA, RUS, cameo="112")]),
        # a false positive (hypothetical) on a no-event sentence
        petrarch_gold.score_record(rec_b, [ev("AGREE", USA, RUS, cameo="030",
                                              modality="hypothetical")]),
    ]
    agg = petrarch_gold.aggregate(counts)
    assert agg["gold_events"] == 2 and agg["coded_events"] == 4
    assert agg["cameo_root_accuracy"] == pytest.approx(2 / 3)  # 1731 and 170 share gold root 17
    assert agg["dyad_accuracy"] == pytest.approx(1 / 2)  # USA->CHN never coded
    assert agg["recall"] == pytest.approx(1 / 2)
    assert agg["precision"] == pytest.approx(1 / 4)
    assert agg["false_positive_rate"] == 1.0
    assert agg["false_positive_rate_asserted"] == 0.0


# --- NGEC synthetic --------------------------------------------------------------------------------

def test_f1_scores_and_confusion_by_hand():
    gold = ["A", "A", "B", "C"]
    pred = ["A", "B", "B", None]
    res = f1_scores(gold, pred, ["A", "B", "C"])
    assert res["accuracy"] == 0.5
    assert res["per_label"]["A"]["f1"] == pytest.approx(2 / 3)  # P 1, R 1/2
    assert res["per_label"]["B"]["f1"] == pytest.approx(2 / 3)  # P 1/2, R 1
    assert res["per_label"]["C"]["f1"] == 0.0
    assert res["macro_f1"] == pytest.approx(4 / 9)
    assert confusion(gold, pred) == [("A", "B", 1), ("C", "(none)", 1)]


def test_document_type_weights_headline_lead_and_modality():
    head = [ev("ACCUSE")]                                            # 3
    body = [ev("ASSAULT", sentence=0), ev("ASSAULT", sentence=5),    # 2 + 1 = 3 (tie, later)
            ev("AID", sentence=3), ev("AID", sentence=4),            # 1 + 1
            ev("AID", sentence=6, modality="hypothetical"),          # + 0.5 = 2.5
            ev("AGREE", sentence=1, modality="negated")]             # 0
    assert document_type(head, body)[0] == "ACCUSE"  # tie 3 vs 3: first appearance wins
    assert document_type([], body)[0] == "ASSAULT"   # 3 vs 2.5
    assert document_type([], [ev("AGREE", modality="negated")]) == (None, None)
    assert document_type([], [ev("AID", mode="food"), ev("AID", sentence=4, mode="food"),
                              ev("AID", sentence=0, mode="cash")]) == ("AID", "food")


def test_document_type_headline_decides_and_sentences_vote_once():
    head = [ev("PROTEST")]
    body = [ev("ASSAULT", sentence=0), ev("ASSAULT", sentence=1), ev("ASSAULT", sentence=2)]
    assert document_type(head, body)[0] == "PROTEST"          # the news, not the background
    assert document_type([], body)[0] == "ASSAULT"
    # a tie in the headline goes to the type the body supports
    assert document_type([ev("ACCUSE"), ev("PROTEST")], [ev("PROTEST", sentence=3)])[0] == "PROTEST"
    # four actor pairs of one sentence are one vote: 2 (lead) against 1 + 1 + 1
    pairs = [ev("CONSULT", sentence=0) for _ in range(4)]
    later = [ev("AID", sentence=s) for s in (3, 4, 5)]
    assert document_type([], pairs + later)[0] == "AID"


def test_promised_concessions_vote_concede():
    def promise(rule: str) -> Event:
        e = ev("AGREE", cameo="035")
        e.rule = rule + "|subj>none"
        return e
    assert story_type(promise("concede.ease_restrictions+intent")) == "CONCEDE"
    assert story_type(promise("linear.retreat.withdraw.withdraw+intent")) == "CONCEDE"
    assert story_type(promise("act.retreat.withdraw.withdraw+intent")) == "CONCEDE"
    assert story_type(promise("agree.agree")) == "AGREE"                     # an agreement stays one
    assert story_type(promise("aid.provide+intent")) == "AGREE"              # promised aid: no concession
    assert document_type([promise("concede.ease_restrictions+intent")], [])[0] == "CONCEDE"


def test_headline_prefers_filled_prompt():
    row = {"title": "{country_1} Leader Criticizes {country_2}",
           "prompt": "Chile Leader Criticizes Peru\n\n(Reuters) --"}
    assert headline(row) == "Chile Leader Criticizes Peru"
    assert headline({"title": "Talks in {city} end", "prompt": ""}) == "Talks in  end"


def test_stratified_sample_covers_every_stratum_and_is_seeded():
    items = [("x", i) for i in range(90)] + [("y", i) for i in range(9)] + [("z", 0)]
    a = stratified_sample(items, lambda t: t[0], 20, seed=3)
    assert len(a) == 20
    assert {t[0] for t in a} == {"x", "y", "z"}
    assert a == stratified_sample(items, lambda t: t[0], 20, seed=3)
    assert stratified_sample(items, lambda t: t[0], None) == items


# --- smoke runs on the real gold files --------------------------------------------------------------

class StandInCoder:
    """A deliberately trivial coder (one AGREE event for sentences containing 'agree')."""

    def code_sentence_text(self, text: str, date=None) -> list[Event]:
        return [ev("AGREE", cameo="030")] if "agree" in text.lower() else []

    def code(self, article: Article) -> list[Event]:
        return [ev("AGREE", sentence=i, cameo="030")
                for i, s in enumerate(article.text.split(". ")) if "agree" in s.lower()]

    def code_many(self, articles):
        for article in articles:
            yield article, self.code(article)


@needs_gold
def test_run_all_with_stand_in_coder_matches_independent_count():
    res = run_all(EVAL_DIR, StandInCoder(), sets=["plover", "petrarch"])
    assert res["plover"]["status"] == "ok" and res["petrarch"]["status"] == "ok"
    with (EVAL_DIR / "plover_gsr_dev.jsonl").open() as fh:
        recs = [json.loads(line) for line in fh]
    expected = sum(r["event_plover2021"] == "AGREE" and "agree" in r["text"].lower() for r in recs)
    assert res["plover"]["n"] == len(recs)
    assert res["plover"]["type_found"] == pytest.approx(expected / len(recs))
    assert "PLOVER gold records" in format_report(res)
    assert "| PLOVER gold records" in format_markdown(res)


@needs_gold
def test_run_all_samples_ngec_and_skips_missing_files(tmp_path):
    res = run_all(EVAL_DIR, StandInCoder(), limit=32, sets=["ngec"])
    assert res["ngec"]["status"] == "ok"
    assert res["ngec"]["scored"] == 32 and res["ngec"]["of"] > 32
    assert 0.0 <= res["ngec"]["accuracy"] <= 1.0
    empty = run_all(tmp_path, StandInCoder())
    assert {r["status"] for r in empty.values()} == {"skipped"}


@needs_gold
def test_run_all_with_real_coder_small_sample():
    pipeline = pytest.importorskip("detente.pipeline")
    res = run_all(EVAL_DIR, pipeline.Coder(), limit=8, sets=["plover", "petrarch", "ngec"])
    for name in ("plover", "petrarch", "ngec"):
        assert res[name]["status"] == "ok", res[name]
    assert res["plover"]["n"] == 8
    assert res["plover"]["events_per_sentence"] is not None


@needs_gold
def test_main_prints_json_and_fails_on_missing_dir(capsys, tmp_path):
    from detente.evaluation import main

    assert main([str(EVAL_DIR), "--sets", "petrarch", "--json"], coder=StandInCoder()) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["petrarch"]["status"] == "ok" and out["petrarch"]["n"] == out["petrarch"]["of"]
    assert main([str(tmp_path / "absent")], coder=StandInCoder()) == 2
    assert main([str(tmp_path)], coder=StandInCoder()) == 1  # nothing scored: every set skipped


def test_bench_corpus_is_seeded_and_mixes_sentence_kinds():
    corpus = pytest.importorskip("bench.corpus")
    from detente.nlp import split_document

    a, b = corpus.generate(4, seed=7), corpus.generate(4, seed=7)
    assert [x.text for x in a] == [x.text for x in b]
    assert [x.text for x in a] != [x.text for x in corpus.generate(4, seed=8)]
    sentences = [s.text for art in a for s in split_document(art)]
    data = corpus.load_data()
    fillers = {f.split("{")[0][:25] for f in data["filler"]}
    assert len(sentences) >= 4 * 12
    assert any(s.startswith(tuple(fillers)) for s in sentences)  # event-free filler is present
    for art in a:  # a repeated sentence would be coded once and skew the counts
        texts = [s.text for s in split_document(art)]
        assert len(set(texts)) == len(texts)
