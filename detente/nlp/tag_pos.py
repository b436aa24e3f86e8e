"""Fast replacements for spaCy's attribute ruler and rule lemmatizer.

The attribute ruler runs a token matcher over every sentence and costs about a third of the small
English pipeline's time; the coder needs only the coarse classes, which follow from the tag and a few
word lists (``data/tag_pos.yaml``).

The component works on the document's attribute arrays instead of spaCy ``Token`` objects: creating
a Python Token per word cost more than the rules themselves. A word's coarse class depends only on
(tag, form, dependency) and its lemma on (form, coarse class, morphology, lemma already set), so each
word's answer is computed once per pipeline and looked up by the bytes of its row of the array
(tag, form, dependency, morphology, lemma): one bytes object per word, where a tuple of Python ints
cost five. The answers are kept as bytes too and joined into the array ``Doc.from_array`` reads.
On sentence-sized documents the fixed cost of each ``to_array`` / ``from_array`` call is a large part
of the work, so with spaCy's rule lemmatizer the same pass sets the lemmas as well (``use``): one
call of each per document instead of two.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator

import numpy
from spacy.attrs import DEP, LEMMA, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc
from spacy.util import minibatch

from detente.data import load_yaml

NAME = "detente_tag_pos"


def _tables():
    data = load_yaml("tag_pos.yaml")
    return (dict(data["tags"]), frozenset(data["auxiliaries"]), frozenset(data["subordinators"]),
            frozenset(data["particles"]), dict(data["lemmas"]))


_TABLES = _tables()
_PRONOUN_DEPS = frozenset({"nsubj", "dobj", "pobj", "nsubjpass"})
# Entries kept before a cache is emptied: a long ingest meets ever new words (names, typos), and a
# worker must stay within its memory budget.
CACHE_SIZE = 200_000
# The columns a word's answer depends on, in the order of its key's bytes.
_KEY_ATTRS = [TAG, ORTH, DEP, MORPH, LEMMA]
_ROW = numpy.dtype((numpy.void, 8 * len(_KEY_ATTRS)))
_KEY = struct.Struct(f"={len(_KEY_ATTRS)}Q")  # native order, as in the arrays
_ANSWER = struct.Struct("=2Q")


def coarse_pos(tag: str, low: str, dep: str) -> tuple[str, str | None]:
    """(coarse POS, lemma set by the table or None) of one word: the rules of ``tag_pos.yaml``."""
    tags, aux, subs, parts, lemmas = _TABLES
    pos = tags.get(tag, "X")
    if pos == "VERB" and low in aux:
        pos = "AUX"  # auxiliaries and the copula ("Israel is opposed to")
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


class TagPos:
    """Sets the coarse POS of every word and the lemmas of the table (``tag_pos.yaml``); with
    spaCy's rule lemmatizer given (``use``), also every other lemma as that lemmatizer would
    (``overwrite=False``: a lemma already set is kept unless the table gives one)."""

    def __init__(self) -> None:
        self.rules = None  # the pipeline's own rule Lemmatizer, if given by ``use``
        # bytes of a word's row of _KEY_ATTRS -> bytes of its (POS id, lemma id) as uint64
        self.cache: dict[bytes, bytes] = {}
        # (orth, POS id, morph) -> lemma id: the rule lemmatizer's answers
        self.rule_cache: dict[tuple[int, int, int], int] = {}

    def use(self, lemmatizer) -> "TagPos":
        self.rules = lemmatizer
        self.cache.clear()  # answers without the rules' lemmas no longer hold
        return self

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        keys = doc.to_array(_KEY_ATTRS).view(_ROW).ravel().tolist()
        hits = list(map(self.cache.get, keys))
        if None in hits:
            for i, hit in enumerate(hits):
                if hit is None:
                    hits[i] = self._answer(doc, i, keys[i])
        doc.from_array([POS, LEMMA], numpy.frombuffer(b"".join(hits), dtype=numpy.uint64).reshape(n, 2))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        """``nlp.pipe``'s way in: a batch at a time, as the parser before it works. Called one
        document at a time, as the coder takes them, the component ran between the coder's steps
        and paid for cold caches on every call: measured in the coder, three times its cost here."""
        for batch in minibatch(docs, batch_size):
            for doc in batch:
                self(doc)
            yield from batch

    def _answer(self, doc: Doc, i: int, key: bytes) -> bytes:
        """Compute and remember the answer for word ``i`` (whose row is ``key``)."""
        hit = self.cache.get(key)  # the same row earlier in this document
        if hit is not None:
            return hit
        tag, orth, dep, morph, lemma_id = _KEY.unpack(key)
        strings = doc.vocab.strings
        token = doc[i]
        pos, lemma = coarse_pos(strings[tag], token.lower_, strings[dep])
        pos_id = POS_IDS[pos]
        if lemma is not None:
            lemma_id = strings.add(lemma)
        elif not lemma_id and self.rules is not None:
            rule_key = (orth, pos_id, morph)
            lemma_id = self.rule_cache.get(rule_key)
            if lemma_id is None:
                token.pos = pos_id  # what the rules read; from_array sets the same value
                if len(self.rule_cache) >= CACHE_SIZE:
                    self.rule_cache.clear()
                lemma_id = self.rule_cache[rule_key] = strings.add(self.rules.lemmatize(token)[0])
        if len(self.cache) >= CACHE_SIZE:
            self.cache.clear()
        hit = self.cache[key] = _ANSWER.pack(pos_id, lemma_id)
        return hit


@Language.factory(NAME)
def make_tag_pos(nlp, name):  # untyped: spaCy validates factory signatures at run time
    return TagPos()
