"""Dependency-parse helpers: which tokens play which role around a cue word.

The coder asks these questions of every cue: who is the grammatical source (subject, passive agent,
possessor of a nominal cue, or the subject inherited from a governing clause), who is the target
(object, the cue's preposition, passive subject), and which words make up an actor's noun phrase.
Kept apart from the coder so the role logic can be read and tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Span, Token

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
    out = [tok]
    out.extend(t for t in tok.conjuncts if t.i > tok.i or t not in out)
    for ap in tok.children:
        if ap.dep_ == "appos" and ap.conjuncts:
            out.append(ap)
            out.extend(ap.conjuncts)
    seen: set[int] = set()
    uniq = []
    for t in out:
        if t.i not in seen:
            seen.add(t.i)
            uniq.append(t)
    return uniq


def core_phrase(tok: Token) -> Span:
    """The head noun with its contiguous left modifiers: the compact name of an actor."""
    allowed: set[int] = set()
    for c in tok.lefts:
        if c.dep_ in CORE_DEPS:
            allowed.update(t.i for t in c.subtree)
    start = tok.i
    while start - 1 in allowed:
        start -= 1
    return tok.doc[start : tok.i + 1]


def full_phrase(tok: Token, max_tokens: int = 14) -> Span:
    """The head noun with its whole subtree minus clauses and coordinations ("his counterpart in Moscow")."""
    toks = [tok]
    stack = [c for c in tok.children if c.dep_ not in PHRASE_CUT]
    while stack:
        c = stack.pop()
        toks.append(c)
        stack.extend(cc for cc in c.children if cc.dep_ not in PHRASE_CUT)
    lo = min(t.i for t in toks)
    hi = max(t.i for t in toks)
    # Keep the span contiguous and bounded; strip trailing punctuation.
    if hi - lo + 1 > max_tokens:
        hi = min(hi, tok.i + max_tokens // 2)
        lo = max(lo, tok.i - max_tokens // 2)
    span = tok.doc[lo : hi + 1]
    while len(span) > 1 and span[-1].is_punct:
        span = span[:-1]
    while len(span) > 1 and span[0].is_punct:
        span = span[1:]
    return span


def appositions(tok: Token) -> list[Token]:
    return [c for c in tok.children if c.dep_ == "appos"]


def subject_of(verb: Token) -> tuple[Token | None, bool]:
    """The source of a verb: (token, passive?). Climbs through xcomp/conj/advcl to inherit a subject.

    "NATO vowed to support Ukraine": support <-xcomp- vowed -nsubj-> NATO.
    "The declaration condemned Russia while also calling out China": calling <-advcl- condemned.
    """
    cur: Token | None = verb
    via_xcomp = False
    for _ in range(6):
        if cur is None:
            break
        for c in cur.children:
            if c.dep_ in SUBJ:
                return c, False
            if c.dep_ in PASS_SUBJ and cur is not verb and via_xcomp:
                return c, False  # "Obama is scheduled to [attend]", "Kyiv was forced to [withdraw]"
        for c in cur.children:
            if c.dep_ == "agent":  # passive "by X"
                for p in c.children:
                    if p.dep_ == "pobj":
                        return p, True
        if cur.dep_ in INHERIT_DEPS and cur.head.i != cur.i:
            via_xcomp = cur.dep_ == "xcomp"
            cur = cur.head
            # a noun governing an infinitive ("their vow to support"): its possessor is the source
            if cur.pos_ in {"NOUN", "PROPN"}:
                poss = [c for c in cur.children if c.dep_ == "poss"]
                if poss:
                    return poss[0], False
                if cur.dep_ in OBJ | {"pobj"} and cur.head.i != cur.i:
                    cur = cur.head
            continue
        break
    return None, False


def infinitive(verb: Token) -> bool:
    """A verb with "to" as its auxiliary: "[to] attack", "vowed [to] support"."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def passive_subject(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ in PASS_SUBJ:
            return c
    return None


def direct_objects(verb: Token) -> list[Token]:
    return [c for c in verb.children if c.dep_ in OBJ]


def prep_objects(head: Token, preps: Iterable[str] | None = None) -> Iterator[tuple[Token, Token]]:
    """(preposition, object) pairs under a head word, optionally only for the given prepositions."""
    wanted = {p.lower() for p in preps} if preps else None
    for c in head.children:
        if c.dep_ in {"prep", "agent", "dative"} and (wanted is None or c.lower_ in wanted):
            for p in c.children:
                if p.dep_ in {"pobj", "pcomp"}:
                    yield c, p


def clause_tokens(verb: Token) -> list[Token]:
    """The verb's own clause: its subtree minus embedded clauses and coordinated clauses.

    Dates and places are read from here so that "X spoke on June 25, but no call had happened since
    March 2023" gives each clause its own date.
    """
    out = []
    stack = [verb]
    while stack:
        t = stack.pop()
        out.append(t)
        for c in t.children:
            if c.dep_ in {"conj", "ccomp", "relcl", "parataxis"} and t.i == verb.i:
                continue
            if c.dep_ in {"relcl"}:
                continue
            stack.append(c)
    return sorted(out, key=lambda t: t.i)


def when_frame(verb: Token) -> list[Token]:
    """The time phrase a "when" clause hangs from ("March 2023, when he held a call" -> March 2023), or []."""
    if verb.dep_ != "relcl" or not any(c.dep_ == "advmod" and c.lower_ == "when" for c in verb.children):
        return []
    inside = {t.i for t in verb.subtree}
    return [t for t in verb.head.subtree if t.i not in inside and not t.is_punct]


def text_of(tokens: list[Token]) -> str:
    """The tokens' text; where tokens were left out between two, a space keeps words apart."""
    out = []
    for n, t in enumerate(tokens):
        out.append(t.text)
        nxt = tokens[n + 1] if n + 1 < len(tokens) else None
        if nxt is not None and (t.whitespace_ or nxt.i != t.i + 1):
            out.append(" ")
    return "".join(out)


def governing_clause(verb: Token) -> Token:
    """The verb whose clause dates a cue: "renewed their vow [to support] Ukraine" is dated by
    "renewed" and its "when the leaders gathered at the summit"; a reported clause keeps its own."""
    cur = verb
    for _ in range(6):
        if cur.dep_ in {"xcomp", "acl", "dobj", "pobj", "prep", "advcl", "pcomp"} and cur.head.i != cur.i:
            cur = cur.head
        else:
            break
    return cur


def place_tokens(verb: Token, actor_tokens: set[int]) -> list[Token]:
    """Tokens that may name where the event happened: the verb's own prepositional phrases ("met
    in Rome", "shelled positions near Bakhmut"), not the actors' phrases, the objects' noun phrases
    ("condemned the stationing of weapons in Belarus") or what a complement clause is about."""
    out: list[Token] = []
    for c in verb.children:
        if c.dep_ in {"prep", "npadvmod"}:
            out.extend(t for t in c.subtree if t.i not in actor_tokens)
    return sorted(out, key=lambda t: t.i)


def without_quantity(span: Span) -> str | None:
    """The phrase without its leading quantity ("up to 100", "thousands of", "two"), or None if it
    has none."""
    toks = [t for t in span if not (t.like_num or t.dep_ in {"quantmod", "nummod", "det", "predet"})]
    if len(toks) == len(span) or not toks:
        return None
    return text_of(toks)
