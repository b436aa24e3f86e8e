"""A parsed document read once into plain Python lists, for the coder's many questions about it.

spaCy builds a new ``Token`` object for every ``doc[i]``, every ``tok.head`` and every child that
``tok.children`` or ``tok.subtree`` yields, and looks every label up in the string store again. The
coder asks the same few questions (this word's head, children, dependency label, lower form, lemma)
hundreds of times per sentence: about 480,000 Token objects for 100 news articles. ``DocView`` reads
the document's arrays once (one ``to_array`` call) and answers from lists by token index; the
``Token`` objects it hands out are built once per document.

The coder works one document at a time, so ``view(doc)`` keeps the view of the last document asked
about and builds a new one when another is asked about (the answers never depend on which document
was seen before). A document must not be changed (retokenised, re-parsed) while it is being coded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy
from spacy.attrs import DEP, HEAD, IS_PUNCT, LEMMA, LIKE_NUM, LOWER, ORTH, POS, SPACY, TAG
from spacy.tokens import Doc, Token

_ATTRS = [HEAD, DEP, LOWER, LEMMA, POS, TAG, ORTH, SPACY, IS_PUNCT, LIKE_NUM]


class _Strings(dict):
    """Hash -> string of one string store, remembered: the same labels and words recur in every
    sentence and a dict lookup is cheaper than asking the store."""

    def __init__(self, store) -> None:
        super().__init__()
        self.store = store

    def __missing__(self, key: int) -> str:
        if len(self) >= 200_000:
            self.clear()
        value = self[key] = self.store[key]
        return value


_STRINGS: list = [None]


def _strings(doc: Doc) -> _Strings:
    cache = _STRINGS[0]
    if cache is None or cache.store is not doc.vocab.strings:
        cache = _STRINGS[0] = _Strings(doc.vocab.strings)
    return cache


class _Tokens(dict):
    """Token index -> the document's Token, built on first use (most words are never asked for)."""

    def __init__(self, doc: Doc) -> None:
        super().__init__()
        self.doc = doc

    def __missing__(self, i: int) -> Token:
        tok = self[i] = self.doc[i]
        return tok


class DocView:
    """Per-token lists of one parsed document, indexed by ``Token.i``.

    ``heads[i]`` is the absolute index of the head (the token itself for a root); ``children[i]`` the
    children in document order (as ``Token.children`` yields them); ``lemma_lows[i]`` the lower-case
    lemma and ``lemma_keys[i]`` the same with the repair of ``cues.lemma_of``; ``tokens[i]`` the
    Token; ``space[i]`` (1/0) whether whitespace follows; ``punct[i]`` and ``like_num[i]`` (1/0) the
    lexical flags; the other lists hold the string labels (``deps[i]`` is ``Token.dep_`` ...).
    """

    __slots__ = ("doc", "tokens", "heads", "deps", "lowers", "lemmas", "lemma_lows", "lemma_keys", "pos", "tags",
                 "texts", "space", "punct", "like_num", "children", "_subtrees")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.tokens = _Tokens(doc)
        words = _strings(doc)
        arr = doc.to_array(_ATTRS)
        n = len(arr)
        # HEAD is an offset stored unsigned: read as signed, it gives the head's index when added
        self.heads = heads = (arr[:, 0].astype(numpy.int64) + numpy.arange(n)).tolist() if n else []
        deps, lowers, lemmas, pos, tags, texts = arr[:, 1:7].T.tolist() if n else ([],) * 6
        self.deps = [words[h] for h in deps]
        self.lowers = lowers = [words[h] for h in lowers]
        self.lemmas = lemmas = [words[h] for h in lemmas]
        self.pos = [words[h] for h in pos]
        self.tags = [words[h] for h in tags]
        self.texts = [words[h] for h in texts]
        self.space = arr[:, 7].tolist() if n else []
        self.punct = arr[:, 8].tolist() if n else []
        self.like_num = arr[:, 9].tolist() if n else []
        self.lemma_lows = [lemma.lower() for lemma in lemmas]
        keys = self.lemma_keys = list(self.lemma_lows)
        for k, low in enumerate(lowers):
            if low.endswith("ss") and keys[k] == low[:-1]:
                keys[k] = low  # the rule of ``cues.lemma_of``: "discuss", not "discus"
        children: list[list[int]] = [[] for _ in heads]
        for i, h in enumerate(heads):
            if h != i:
                children[h].append(i)
        self.children = children
        self._subtrees: dict[int, list[int]] = {}

    def kids(self, i: int) -> list[Token]:
        """The children of token ``i`` as Tokens, in document order."""
        toks = self.tokens
        return [toks[c] for c in self.children[i]]

    def subtree(self, i: int) -> list[int]:
        """Indices of token ``i`` and all its descendants, in the order ``Token.subtree`` yields them
        (document order; computed from the children, so a non-projective arc is followed too)."""
        found = self._subtrees.get(i)
        if found is None:
            found = []
            placed = False  # the token itself comes between its left and right children
            for c in self.children[i]:
                if c > i and not placed:
                    found.append(i)
                    placed = True
                found.extend(self.subtree(c))
            if not placed:
                found.append(i)
            self._subtrees[i] = found
        return found

    def conjuncts(self, i: int) -> list[int]:
        """``Token.conjuncts`` by index: the coordinated words of ``i``, excluding ``i`` itself."""
        heads, deps, children = self.heads, self.deps, self.children
        start = i
        while heads[start] != start and deps[start] == "conj":
            start = heads[start]
        queue = [start]
        out = [start] if start != i else []
        for word in queue:
            for c in children[word]:
                if c > word and deps[c] == "conj":
                    out.append(c)
                    queue.append(c)
        return [w for w in out if w != i]

    def text(self, start: int, end: int) -> str:
        """``doc[start:end].text`` without building its tokens."""
        return self.text_at(range(start, end))

    def text_at(self, idx: Sequence[int]) -> str:
        """The words at the indices ``idx`` (in order), with the text's own spacing between neighbours
        and one space across a gap."""
        texts, space = self.texts, self.space
        out = []
        last = len(idx) - 1
        for n, i in enumerate(idx):
            out.append(texts[i])
            if n < last and (space[i] or idx[n + 1] != i + 1):
                out.append(" ")
        return "".join(out)


_LAST: list = [None, None]  # [the document, its view]


def view(doc: Doc) -> DocView:
    """The view of ``doc``, built on first use and kept while the same document is asked about."""
    if _LAST[0] is not doc:
        _LAST[1] = DocView(doc)
        _LAST[0] = doc
    return _LAST[1]
