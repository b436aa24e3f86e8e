"""Fast replacements for spaCy's attribute ruler and rule lemmatizer.

The attribute ruler runs a token matcher over every sentence and costs about a third of the small
English pipeline's time; the coder needs only the coarse classes, which follow from the tag and a few
word lists (``data/tag_pos.yaml``).

Both components work on the document's attribute arrays instead of spaCy ``Token`` objects: creating
a Python Token per word and per component cost more than the rules themselves. The coarse class of a
word depends only on (tag, lower form, dependency, has a verbal complement); its lemma only on (form,
coarse class, morphology), so both are computed once per process and key and then looked up.
"""

from __future__ import annotations

import numpy
from spacy.attrs import DEP, HEAD, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc

from detente.data import load_yaml

NAME = "detente_tag_pos"
LEMMATIZER = "detente_lemmatizer"


def _tables():
    data = load_yaml("tag_pos.yaml")
    return (dict(data["tags"]), frozenset(data["auxiliaries"]), frozenset(data["subordinators"]),
            frozenset(data["particles"]), dict(data["lemmas"]))


_TABLES = _tables()
_PRONOUN_DEPS = frozenset({"nsubj", "dobj", "pobj", "nsubjpass"})
_VERB_CHILD_DEPS = ("acomp", "attr", "xcomp")
# Entries kept before a cache is emptied: a long ingest meets ever new words (names, typos), and a
# worker must stay within its memory budget.
CACHE_SIZE = 200_000
# (tag, lower, dep, has a verbal complement) hashes -> (POS id, lemma string or None)
_POS_CACHE: dict[tuple[int, int, int, bool], tuple[int, str | None]] = {}


def coarse_pos(tag: str, low: str, dep: str, has_verb_child: bool) -> tuple[str, str | None]:
    """(coarse POS, lemma set by the table or None) of one word: the rules of ``tag_pos.yaml``."""
    tags, aux, subs, parts, lemmas = _TABLES
    pos = tags.get(tag, "X")
    if pos == "VERB" and (low in aux and dep != "ROOT" or low in aux and has_verb_child):
        pos = "AUX"
    elif pos == "VERB" and low in aux and dep == "ROOT":
        pos = "AUX"  # the copula ("Israel is opposed to")
    elif tag == "IN" and low in subs and dep == "mark":
        pos = "SCONJ"
    elif tag == "RB" and low in parts:
        pos = "PART"
    elif tag == "DT" and dep in _PRONOUN_DEPS:
        pos = "PRON"  # "that was the reason"
    if low in lemmas:
        lemma = lemmas[low]
    elif low == "'s" and tag == "VBZ":
        lemma = "be"
    else:
        lemma = None
    return pos, lemma


@Language.component(NAME)
def tag_pos(doc: Doc) -> Doc:
    n = len(doc)
    if not n:
        return doc
    arr = doc.to_array([TAG, LOWER, DEP, HEAD, LEMMA])
    tags, lows, deps, lem = (arr[:, k].tolist() for k in (0, 1, 2, 4))
    heads = arr.view(numpy.int64)[:, 3].tolist()  # relative offsets, stored unsigned
    strings = doc.vocab.strings
    verb_child_deps = {strings.add(d) for d in _VERB_CHILD_DEPS}
    has_verb_child = [False] * n
    for i, (d, h) in enumerate(zip(deps, heads)):
        if d in verb_child_deps and h:  # HEAD is relative: 0 is the word itself (no child of itself)
            has_verb_child[i + h] = True
    out = numpy.empty((n, 2), dtype="uint64")
    for i in range(n):
        key = (tags[i], lows[i], deps[i], has_verb_child[i])
        hit = _POS_CACHE.get(key)
        if hit is None:
            if len(_POS_CACHE) >= CACHE_SIZE:
                _POS_CACHE.clear()
            pos, lemma = coarse_pos(strings[tags[i]], strings[lows[i]], strings[deps[i]], has_verb_child[i])
            hit = _POS_CACHE[key] = (POS_IDS[pos], lemma)
        out[i, 0] = hit[0]
        out[i, 1] = strings.add(hit[1]) if hit[1] is not None else lem[i]
    doc.from_array([POS, LEMMA], out)
    return doc


class FastLemmatizer:
    """spaCy's rule lemmatizer with its answer memoised per (form, POS, morphology) for the whole
    process: spaCy's own cache skips words it takes for base forms and still builds a Token per word.
    Words whose lemma is already set (by ``tag_pos``) keep it, as with spaCy's ``overwrite=False``."""

    def __init__(self) -> None:
        self.rules = None  # the pipeline's own Lemmatizer, set by ``use``
        self.cache: dict[tuple[int, int, int], int] = {}

    def use(self, lemmatizer) -> "FastLemmatizer":
        self.rules = lemmatizer
        return self

    def __call__(self, doc: Doc) -> Doc:
        if self.rules is None:
            raise RuntimeError(f"{LEMMATIZER}: no rule lemmatizer given (call .use(lemmatizer) after "
                               "adding the component)")
        n = len(doc)
        if not n:
            return doc
        arr = doc.to_array([ORTH, POS, MORPH, LEMMA])
        orths, poss, morphs, lemmas = (arr[:, k].tolist() for k in range(4))
        cache = self.cache
        changed = False
        for i in range(n):
            if lemmas[i]:
                continue
            key = (orths[i], poss[i], morphs[i])
            h = cache.get(key)
            if h is None:
                if len(cache) >= CACHE_SIZE:
                    cache.clear()
                h = cache[key] = doc.vocab.strings.add(self.rules.lemmatize(doc[i])[0])
            lemmas[i] = h
            changed = True
        if changed:
            doc.from_array([LEMMA], numpy.asarray(lemmas, dtype="uint64"))
        return doc


@Language.factory(LEMMATIZER)
def make_lemmatizer(nlp, name):  # untyped: spaCy validates factory signatures at run time
    return FastLemmatizer()
