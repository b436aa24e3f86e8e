"""The tag_pos component (detente.nlp.tag_pos): coarse POS from the tag rules and, in the same pass,
the lemmas of spaCy's rule lemmatizer, read and written as arrays and memoised per word. It must set
what the rules say word by word, and what tag_pos followed by spaCy's own lemmatizer sets."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from detente.nlp import load_pipeline
from detente.nlp.tag_pos import TagPos, coarse_pos
from tests.test_nlp_tok2vec import _sentences


@pytest.fixture(scope="module")
def parsed():
    """The pipeline, its tag_pos component, and real sentences parsed up to (not through) it."""
    nlp = load_pipeline()
    comp = nlp.get_pipe("attribute_ruler")
    assert isinstance(comp, TagPos) and comp.rules is not None and "lemmatizer" not in nlp.pipe_names
    with nlp.select_pipes(disable=["attribute_ruler"]):
        docs = list(nlp.pipe(_sentences()))
    assert sum(len(d) for d in docs) > 5_000
    return nlp, comp, [d.to_bytes() for d in docs]


def _docs(nlp, blobs) -> list[Doc]:
    return [Doc(nlp.vocab).from_bytes(b) for b in blobs]


def _answers(docs) -> list[list[tuple[str, str]]]:
    return [[(t.pos_, t.lemma_) for t in d] for d in docs]


def test_word_by_word_rules(parsed) -> None:
    """Each word's POS is the table rule of its tag, form and dependency; its lemma the table's, else
    the rule lemmatizer's for that POS (asked with a spaCy Token, its own way)."""
    nlp, comp, blobs = parsed
    comp.cache.clear(), comp.rule_cache.clear()
    got = [comp(d) for d in _docs(nlp, blobs)]
    n_rules = 0
    for doc in got:
        for t in doc:
            pos, lemma = coarse_pos(t.tag_, t.lower_, t.dep_)
            assert t.pos_ == pos, (t.text, doc.text)
            if lemma is None:
                n_rules += 1
                lemma = comp.rules.rule_lemmatize(t)[0]
            assert t.lemma_ == lemma, (t.text, doc.text)
    assert n_rules > 1_000
    # AUX of both kinds: copula as the root, and auxiliary of another verb
    assert any(t.pos_ == "AUX" and t.dep_ == "ROOT" for d in got for t in d)
    assert any(t.pos_ == "AUX" and t.dep_ != "ROOT" for d in got for t in d)


def test_same_as_tag_pos_then_spacy_lemmatizer(parsed) -> None:
    """One pass with the rules = tag_pos without them followed by spaCy's Lemmatizer component."""
    nlp, comp, blobs = parsed
    two = TagPos()
    want = _answers(comp.rules(two(d)) for d in _docs(nlp, blobs))
    assert all(lem for doc in want for _, lem in doc)
    comp.cache.clear(), comp.rule_cache.clear()
    assert _answers(comp(d) for d in _docs(nlp, blobs)) == want  # cold
    assert _answers(comp(d) for d in _docs(nlp, blobs)) == want  # every answer from the cache


def test_lemmas_and_morphology_set_before(parsed) -> None:
    """A lemma already set is kept unless the table gives one; morphology set by an earlier component
    is read by the rules (base forms keep their form)."""
    from detente.nlp.tag_pos import _TABLES

    table = _TABLES[-1]
    nlp, comp, blobs = parsed
    docs, ref = _docs(nlp, blobs[:80]), _docs(nlp, blobs[:80])
    for d in docs + ref:
        for t in d:
            if t.i % 3 == 0 or t.lower_ in table:
                t.lemma_ = "PRESET"
            elif t.i % 3 == 1 and len(d) % 2 == 0:  # half the documents: words met with and without
                t.set_morph("Degree=Pos")
    want = _answers(comp.rules(TagPos()(d)) for d in ref)
    assert _answers(comp(d) for d in docs) == want
    words = [t for d in docs for t in d]
    assert any(t.lemma_ == "PRESET" for t in words)
    assert any(t.lower_ in table for t in words)
    assert all(t.lemma_ == table[t.lower_] for t in words if t.lower_ in table)


def test_small_cache_empties_and_stays_exact(parsed, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.nlp import tag_pos

    nlp, comp, blobs = parsed
    want = _answers(comp(d) for d in _docs(nlp, blobs))
    monkeypatch.setattr(tag_pos, "CACHE_SIZE", 50)
    comp.cache.clear(), comp.rule_cache.clear()
    assert _answers(comp(d) for d in _docs(nlp, blobs)) == want
    assert 0 < len(comp.cache) <= 50 and len(comp.rule_cache) <= 50


def test_empty_document(parsed) -> None:
    nlp, comp, _ = parsed
    assert len(comp(nlp.make_doc(""))) == 0


def test_batches_of_nlp_pipe_as_one_call_per_document() -> None:
    """``nlp.pipe`` goes through the component's ``pipe`` (batches); ``nlp(text)`` calls it."""
    nlp = load_pipeline()
    texts = _sentences()[:300]
    piped = _answers(nlp.pipe(texts, batch_size=7))
    assert len(piped) == len(texts)
    assert piped == _answers(nlp(t) for t in texts)
