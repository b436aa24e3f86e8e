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

from spacy.attrs import DEP, HEAD, IDX, IS_PUNCT, LEMMA, LIKE_NUM, LOWER, ORTH, POS, SPACY, TAG
from spacy.tokens import Doc, Token

_ATTRS = [HEAD, DEP, LOWER, LEMMA, POS, TAG, ORTH, SPACY, IS_PUNCT, LIKE_NUM, IDX]
_WRAP = 1 << 64  # a negative HEAD offset comes out of the uint64 array as offset + 2**64
_SIGNED = 1 << 63


class _Memo(dict):
    """key -> ``compute(key)``, remembered; emptied when it holds 200,000 answers (a long run meets
    ever new words)."""

    def __init__(self, compute) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        if len(self) >= 200_000:
            self.clear()
        value = self[key] = self.compute(key)
        return value


class _Strings(_Memo):
    """Hash -> string of one string store, remembered: the same labels and words recur in every
    sentence and a dict lookup is cheaper than asking the store. ``lowered`` maps a hash to the
    lower-cased string (the lemmas are read lower-cased)."""

    def __init__(self, store) -> None:
        super().__init__(store.__getitem__)
        self.store = store
        self.lowered = _Memo(lambda key: self[key].lower())


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
    lexical flags; ``idx[i]`` the character offset (``Token.idx``); the other lists hold the string
    labels (``deps[i]`` is ``Token.dep_`` ...; ``lemmas``, as written, is built when asked for).
    """

    __slots__ = ("doc", "tokens", "heads", "deps", "lowers", "_lemma_ids", "lemma_lows", "lemma_keys", "pos",
                 "tags", "texts", "space", "punct", "like_num", "idx", "children", "_subtrees", "_doc_text", "_conjoined")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.tokens = _Tokens(doc)
        words = _strings(doc)
        # one conversion of the whole array to Python ints, one column per attribute (``_ATTRS``)
        cols = doc.to_array(_ATTRS).T.tolist() if len(doc) else [[] for _ in _ATTRS]
        # HEAD is an offset stored unsigned: read as signed, it gives the head's index when added
        self.heads = heads = [i + h if h < _SIGNED else i + h - _WRAP for i, h in enumerate(cols[0])]
        string = words.__getitem__
        self.deps = list(map(string, cols[1]))
        self.lowers = lowers = list(map(string, cols[2]))
        self._lemma_ids = cols[3]  # ``lemmas`` (as written) is built only if asked for
        self.pos = list(map(string, cols[4]))
        self.tags = list(map(string, cols[5]))
        self.texts = list(map(string, cols[6]))
        self.space, self.punct, self.like_num, self.idx = cols[7], cols[8], cols[9], cols[10]
        self.lemma_lows = lemma_lows = list(map(words.lowered.__getitem__, cols[3]))
        # the rule of ``cues.lemma_of``: "discuss", not "discus" (a lemma equal to its word, as most
        # are, is kept after one comparison)
        self.lemma_keys = [low if lem != low and low[-2:] == "ss" and lem == low[:-1] else lem
                           for low, lem in zip(lowers, lemma_lows)]
        children: list[list[int]] = [[] for _ in heads]
        for i, h in enumerate(heads):
            if h != i:
                children[h].append(i)
        self.children = children
        self._subtrees: dict[int, list[int]] = {}
        self._doc_text: str | None = None
        self._conjoined: set[int] | None = None

    @property
    def lemmas(self) -> list[str]:
        """The lemmas as the lemmatizer wrote them (the coder reads ``lemma_lows``)."""
        return list(map(_strings(self.doc).__getitem__, self._lemma_ids))

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

    @property
    def conjoined(self) -> set[int]:
        """The words whose ``conjuncts`` may be non-empty: every "conj" word and its head (a word that
        is neither has no coordinated words), built when first asked for."""
        found = self._conjoined
        if found is None:
            heads = self.heads
            found = self._conjoined = {x for c, d in enumerate(self.deps) if d == "conj" for x in (c, heads[c])}
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

    @property
    def doc_text(self) -> str:
        """``doc.text``, built once from the view's lists (spaCy builds it from every Token)."""
        text = self._doc_text
        if text is None:
            text = self._doc_text = "".join([t + " " if s else t for t, s in zip(self.texts, self.space)])
        return text

    def text(self, start: int, end: int) -> str:
        """``doc[start:end].text`` without building its tokens: a slice of ``doc_text``."""
        if end <= start:
            return ""
        last = end - 1
        return self.doc_text[self.idx[start] : self.idx[last] + len(self.texts[last])]

    def text_at(self, idx: Sequence[int]) -> str:
        """The words at the indices ``idx`` (in order), with the text's own spacing between neighbours
        and one space across a gap: each run of neighbours is a slice of ``doc_text``."""
        if not idx:
            return ""
        text, offsets, texts = self.doc_text, self.idx, self.texts
        pieces = []
        first = prev = idx[0]
        for i in idx[1:]:
            if i != prev + 1:
                pieces.append(text[offsets[first] : offsets[prev] + len(texts[prev])])
                first = i
            prev = i
        pieces.append(text[offsets[first] : offsets[prev] + len(texts[prev])])
        return " ".join(pieces)


_LAST: list = [None, None]  # [the document, its view]


def view(doc: Doc) -> DocView:
    """The view of ``doc``, built on first use and kept while the same document is asked about."""
    if _LAST[0] is not doc:
        _LAST[1] = DocView(doc)
        _LAST[0] = doc
    return _LAST[1]
