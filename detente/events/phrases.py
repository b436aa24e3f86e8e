"""Dependency-parse helpers: which tokens play which role around a cue word.

The coder asks these questions of every cue: who is the grammatical source (subject, passive agent,
possessor of a nominal cue, or the subject inherited from a governing clause), who is the target
(object, the cue's preposition, passive subject), and which words make up an actor's noun phrase.
Kept apart from the coder so the role logic can be read and tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Token

from detente.events.view import view

SUBJ = {"nsubj", "csubj"}
PASS_SUBJ = {"nsubjpass", "csubjpass"}
OBJ = {"dobj", "obj", "dative", "attr", "oprd"}
# Children that never belong to the noun phrase naming an actor.
PHRASE_CUT = {"relcl", "acl", "conj", "cc", "appos", "punct", "advcl", "ccomp", "parataxis"}
# Left modifiers that do belong to the core of an actor phrase ("US Defense Secretary Lloyd Austin").
CORE_DEPS = {"compound", "amod", "poss", "det", "nummod", "nmod", "case", "quantmod", "predet"}
# Clause links through which a subject is shared with the governing verb.
INHERIT_DEPS = {"xcomp", "conj", "advcl", "acl", "pcomp", "ccomp", "acomp"}


def conjuncts(tok: Token) -> list[Token]:
    """The token and its coordinated siblings: "Russia and China" -> [Russia, China]. A list the
    parser reads as an apposition ("The US, Russia, and Switzerland") counts as coordination."""
    v = view(tok.doc)
    deps = v.deps
    if deps[tok.i] != "conj" and all(deps[c] not in ("conj", "appos") for c in v.children[tok.i]):
        return [tok]  # the common case: not coordinated at all
    out = [tok.i, *v.conjuncts(tok.i)]
    for ap in v.children[tok.i]:
        if v.deps[ap] == "appos":
            more = v.conjuncts(ap)
            if more:
                out.append(ap)
                out.extend(more)
    return [v.tokens[i] for i in dict.fromkeys(out)]


def core_bounds(tok: Token) -> tuple[int, int]:
    """The head noun with its contiguous left modifiers, the compact name of an actor, as (start,
    end) token indices: the coder asks for the phrases of many words and needs only their words, and
    a Span costs more to build than the phrase costs to find."""
    v = view(tok.doc)
    allowed: set[int] = set()
    for c in v.children[tok.i]:
        if c < tok.i and v.deps[c] in CORE_DEPS:
            allowed.update(v.subtree(c))
    start = tok.i
    while start - 1 in allowed:
        start -= 1
    return start, tok.i + 1


def full_bounds(tok: Token, max_tokens: int = 14) -> tuple[int, int]:
    """The head noun with its whole subtree minus clauses and coordinations ("his counterpart in
    Moscow"), as (start, end) token indices (see ``core_bounds``)."""
    v = view(tok.doc)
    deps, children = v.deps, v.children
    lo = hi = tok.i
    stack = [c for c in children[tok.i] if deps[c] not in PHRASE_CUT]
    while stack:
        c = stack.pop()
        lo, hi = min(lo, c), max(hi, c)
        stack.extend(cc for cc in children[c] if deps[cc] not in PHRASE_CUT)
    # Keep the span contiguous and bounded; strip trailing punctuation.
    if hi - lo + 1 > max_tokens:
        hi = min(hi, tok.i + max_tokens // 2)
        lo = max(lo, tok.i - max_tokens // 2)
    punct = v.punct
    while hi > lo and punct[hi]:
        hi -= 1
    while hi > lo and punct[lo]:
        lo += 1
    return lo, hi + 1


def appositions(tok: Token) -> list[Token]:
    v = view(tok.doc)
    return [v.tokens[c] for c in v.children[tok.i] if v.deps[c] == "appos"]


def subject_of(verb: Token) -> tuple[Token | None, bool]:
    """The source of a verb: (token, passive?). Climbs through xcomp/conj/advcl to inherit a subject.

    "NATO vowed to support Ukraine": support <-xcomp- vowed -nsubj-> NATO.
    "The declaration condemned Russia while also calling out China": calling <-advcl- condemned.
    """
    v = view(verb.doc)
    heads, deps, children, toks = v.heads, v.deps, v.children, v.tokens
    cur = verb.i
    via_xcomp = False
    for _ in range(6):
        for c in children[cur]:
            if deps[c] in SUBJ:
                return toks[c], False
            if deps[c] in PASS_SUBJ and cur != verb.i and via_xcomp:
                return toks[c], False  # "Obama is scheduled to [attend]", "Kyiv was forced to [withdraw]"
        for c in children[cur]:
            if deps[c] == "agent":  # passive "by X"
                for p in children[c]:
                    if deps[p] == "pobj":
                        return toks[p], True
        if deps[cur] in INHERIT_DEPS and heads[cur] != cur:
            via_xcomp = deps[cur] == "xcomp"
            cur = heads[cur]
            # a noun governing an infinitive ("their vow to support"): its possessor is the source
            if v.pos[cur] in {"NOUN", "PROPN"}:
                poss = [c for c in children[cur] if deps[c] == "poss"]
                if poss:
                    return toks[poss[0]], False
                if deps[cur] in _OBJ_OR_POBJ and heads[cur] != cur:
                    cur = heads[cur]
            continue
        break
    return None, False


_OBJ_OR_POBJ = OBJ | {"pobj"}


def infinitive(verb: Token) -> bool:
    """A verb with "to" as its auxiliary: "[to] attack", "vowed [to] support"."""
    v = view(verb.doc)
    return any(v.deps[c] == "aux" and v.lowers[c] == "to" for c in v.children[verb.i])


def passive_subject(verb: Token) -> Token | None:
    v = view(verb.doc)
    for c in v.children[verb.i]:
        if v.deps[c] in PASS_SUBJ:
            return v.tokens[c]
    return None


def direct_objects(verb: Token) -> list[Token]:
    v = view(verb.doc)
    return [v.tokens[c] for c in v.children[verb.i] if v.deps[c] in OBJ]


_PREP_DEPS = frozenset({"prep", "agent", "dative"})
_PREP_OBJ_DEPS = frozenset({"pobj", "pcomp"})


_WANTED: dict[tuple[str, ...], frozenset[str]] = {}  # preposition lists -> their lower-cased set


def prep_objects(head: Token, preps: Iterable[str] | None = None) -> Iterator[tuple[Token, Token]]:
    """(preposition, object) pairs under a head word, optionally only for the given prepositions."""
    wanted = None
    if preps:
        # the same few lists (the cue's, the coder's target prepositions) come for every cue
        key = tuple(preps)
        wanted = _WANTED.get(key)
        if wanted is None:
            wanted = _WANTED[key] = frozenset(p.lower() for p in key)
    v = view(head.doc)
    deps, children, toks = v.deps, v.children, v.tokens
    for c in children[head.i]:
        if deps[c] in _PREP_DEPS and (wanted is None or v.lowers[c] in wanted):
            for p in children[c]:
                if deps[p] in _PREP_OBJ_DEPS:
                    yield toks[c], toks[p]


_CLAUSE_CUT = frozenset({"conj", "ccomp", "relcl", "parataxis"})


def clause_tokens(verb: Token) -> list[Token]:
    """The verb's own clause: its subtree minus embedded clauses and coordinated clauses.

    Dates and places are read from here so that "X spoke on June 25, but no call had happened since
    March 2023" gives each clause its own date.
    """
    toks = view(verb.doc).tokens
    return [toks[i] for i in clause_indices(verb)]


def clause_indices(verb: Token) -> list[int]:
    """``clause_tokens`` as token indices, in order (no Token objects built)."""
    v = view(verb.doc)
    deps, children = v.deps, v.children
    i = verb.i
    out = [c for c in children[i] if deps[c] not in _CLAUSE_CUT]
    # breadth-first over the growing list (it is sorted at the end): a word with no children (most
    # of them) costs one lookup, not a generator
    for t in out:
        for c in children[t]:
            if deps[c] != "relcl":
                out.append(c)
    out.append(i)
    out.sort()
    return out


def when_frame(verb: Token) -> list[Token]:
    """The time phrase a "when" clause hangs from ("March 2023, when he held a call" -> March 2023), or []."""
    v = view(verb.doc)
    if v.deps[verb.i] != "relcl" or not any(v.deps[c] == "advmod" and v.lowers[c] == "when"
                                            for c in v.children[verb.i]):
        return []
    inside = set(v.subtree(verb.i))
    return [v.tokens[t] for t in v.subtree(v.heads[verb.i]) if t not in inside and not v.punct[t]]


def text_of(tokens: list[Token]) -> str:
    """The tokens' text; where tokens were left out between two, a space keeps words apart."""
    if not tokens:
        return ""
    return text_at(tokens[0].doc, [t.i for t in tokens])


def text_at(doc, idx: list[int]) -> str:
    """``text_of`` for the tokens of ``doc`` at the indices ``idx`` (in order)."""
    return view(doc).text_at(idx)


_GOVERNED = frozenset({"xcomp", "acl", "dobj", "pobj", "prep", "advcl", "pcomp"})


def governing_clause(verb: Token) -> Token:
    """The verb whose clause dates a cue: "renewed their vow [to support] Ukraine" is dated by
    "renewed" and its "when the leaders gathered at the summit"; a reported clause keeps its own."""
    v = view(verb.doc)
    cur = verb.i
    for _ in range(6):
        if v.deps[cur] in _GOVERNED and v.heads[cur] != cur:
            cur = v.heads[cur]
        else:
            break
    return verb if cur == verb.i else v.tokens[cur]


def place_indices(verb: Token, actor_tokens: set[int]) -> list[int]:
    """Indices, in order, of the tokens that may name where the event happened: the verb's own
    prepositional phrases ("met in Rome", "shelled positions near Bakhmut"), not the actors' phrases,
    the objects' noun phrases ("condemned the stationing of weapons in Belarus") or what a complement
    clause is about."""
    v = view(verb.doc)
    out: list[int] = []
    for c in v.children[verb.i]:
        if v.deps[c] in {"prep", "npadvmod"}:
            out.extend(t for t in v.subtree(c) if t not in actor_tokens)
    return sorted(out)


def without_quantity_at(doc, start: int, end: int) -> str | None:
    """The words ``start:end`` of ``doc`` without their leading quantity ("up to 100", "thousands
    of", "two"), or None if they have none."""
    v = view(doc)
    keep = [i for i in range(start, end)
            if not (v.like_num[i] or v.deps[i] in {"quantmod", "nummod", "det", "predet"})]
    if len(keep) == end - start or not keep:
        return None
    return v.text_at(keep)
