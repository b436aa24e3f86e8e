"""A fast replacement for spaCy's attribute ruler: coarse POS from the fine-grained tag.

The attribute ruler runs a token matcher over every sentence and costs about a third of the small
English pipeline's time; the coder needs only the coarse classes, which follow from the tag and a few
word lists (``data/tag_pos.yaml``).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from detente.data import load_yaml

NAME = "detente_tag_pos"


def _tables():
    data = load_yaml("tag_pos.yaml")
    return (dict(data["tags"]), frozenset(data["auxiliaries"]), frozenset(data["subordinators"]),
            frozenset(data["particles"]), dict(data["lemmas"]))


@Language.component(NAME)
def tag_pos(doc: Doc) -> Doc:
    tags, aux, subs, parts, lemmas = _TABLES
    for tok in doc:
        tag = tok.tag_
        pos = tags.get(tag, "X")
        low = tok.lower_
        if pos == "VERB" and (low in aux and tok.dep_ != "ROOT" or low in aux and _has_verb_child(tok)):
            pos = "AUX"
        elif pos == "VERB" and low in aux and tok.dep_ == "ROOT":
            pos = "AUX"  # the copula ("Israel is opposed to")
        elif tag == "IN" and low in subs and tok.dep_ == "mark":
            pos = "SCONJ"
        elif tag == "RB" and low in parts:
            pos = "PART"
        elif tag == "DT" and tok.dep_ in {"nsubj", "dobj", "pobj", "nsubjpass"}:
            pos = "PRON"  # "that was the reason"
        tok.pos_ = pos
        if low in lemmas:
            tok.lemma_ = lemmas[low]
        elif low == "'s" and tag == "VBZ":
            tok.lemma_ = "be"
    return doc


def _has_verb_child(tok) -> bool:
    return any(c.dep_ in {"acomp", "attr", "xcomp"} for c in tok.children)


_TABLES = _tables()
