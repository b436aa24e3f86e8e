"""The coder's document view (``detente.events.view``) must answer exactly as spaCy's Token API does:
the role and cue rules read heads, children, subtrees, conjuncts and labels from it instead."""

from __future__ import annotations

import pytest

from detente.events.cues import lemma_of
from detente.events.view import DocView, view

SENTENCES = [
    # apposition, possessive, quotes, a double space (a whitespace token), coordination, negation
    'Russia\'s  ambassador, Sergei Nechayev, said on Friday that the U.S. and Britain "will" not '
    "discuss Iran's nuclear sites -- again.",
    "Belousov and Austin spoke by phone, and the ministry said they discussed the war in Ukraine.",
    "Protesters gathered outside the embassy, demanding that the government release 12 detainees.",
    "The EU imposed new sanctions on Iran on 12th March 2024 after talks collapsed.",
    "Bulgaria Government Rejects Request",  # a headline without final punctuation
    "Hi",
]


@pytest.fixture(scope="module")
def docs(coder):
    return list(coder.nlp.pipe(SENTENCES + [" ".join(SENTENCES[:3])]))  # the last: several sentences


def test_view_agrees_with_spacy_tokens(docs) -> None:
    for doc in docs:
        v = DocView(doc)
        assert len(v.heads) == len(doc)
        for t in doc:
            i = t.i
            assert (v.heads[i], v.deps[i], v.lowers[i], v.lemmas[i], v.pos[i], v.tags[i], v.texts[i]) == \
                (t.head.i, t.dep_, t.lower_, t.lemma_, t.pos_, t.tag_, t.text)
            assert (bool(v.space[i]), bool(v.punct[i]), bool(v.like_num[i])) == \
                (bool(t.whitespace_), t.is_punct, t.like_num)
            assert v.lemma_keys[i] == lemma_of(t) and v.lemma_lows[i] == t.lemma_.lower()
            assert v.children[i] == [c.i for c in t.children]
            assert v.subtree(i) == [c.i for c in t.subtree]
            assert v.conjuncts(i) == [c.i for c in t.conjuncts]
            if i not in v.conjoined:  # ``conjoined`` may leave out only words without conjuncts
                assert not t.conjuncts
            assert v.tokens[i] == t and v.tokens[i].i == i
        for sent in doc.sents:
            assert v.text(sent.start, sent.end) == sent.text
        assert v.text(0, len(doc)) == doc[:].text
        assert v.doc_text == doc.text
        # words with gaps: each run of neighbours as spaCy writes it, one space across each gap
        n = len(doc)
        for idx in ([i for i in range(n) if i % 3 != 1], [i for i in range(n) if i % 4 < 2], [n - 1, 0]):
            idx = [i for i in idx if i < n]
            runs: list[list[int]] = []
            for i in idx:
                if runs and i == runs[-1][-1] + 1:
                    runs[-1].append(i)
                else:
                    runs.append([i])
            assert v.text_at(idx) == " ".join(doc[r[0] : r[-1] + 1].text for r in runs)


def test_conjoined_words(docs) -> None:
    # "Belousov and Austin spoke ...": the coordinated names are conjoined, "phone" is not
    doc = docs[1]
    v = DocView(doc)
    names = {t.i for t in doc if t.text in ("Belousov", "Austin")}
    assert names <= v.conjoined
    assert not {t.i for t in doc if t.text == "phone"} & v.conjoined
    assert {t.i for t in doc if t.conjuncts} <= v.conjoined


def test_view_is_kept_per_document(docs) -> None:
    first = view(docs[0])
    assert view(docs[0]) is first  # asked again: the same view
    other = view(docs[1])
    assert other is not first and other.doc is docs[1]
    assert view(docs[0]).doc is docs[0]  # back to the first document: rebuilt for it


def test_empty_document(coder) -> None:
    v = DocView(coder.nlp(""))
    assert v.heads == [] and v.children == [] and v.text(0, 0) == ""
