"""The event coder: a parsed sentence plus its cue matches -> Events with source, target and modality.

The cue lexicon says *what* happened (type, mode, CAMEO); this module finds *who did it to whom* from
the dependency parse, following the grammatical roles PETRARCH-style coders use: subject (or the passive
agent) is the source; the direct object, the cue's own preposition ("spoke with", "sanctions on") or the
passive subject is the target; coordinated actors give one event per pair; "X and Y met" is reciprocal.
Reported speech is split into what the speaker did and what the speaker reported, and negated or
hypothetical events are kept but marked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Span, Token

from detente.data import load_yaml
from detente.events import phrases as P
from detente.records import Actor, Article, Event, Location

MODALITY = load_yaml("coder.yaml")


@dataclass
class DocContext:
    """What the coder remembers across the sentences of one document (for pronouns and "the alliance")."""

    article: Article
    anchor: date | None
    recent: list[Actor] = field(default_factory=list)

    def remember(self, actor: Actor) -> None:
        if actor.country or actor.org:
            self.recent.append(actor)
            del self.recent[:-12]

    def recall(self, kinds: set[str]) -> Actor | None:
        for actor in reversed(self.recent):
            if actor.kind in kinds:
                return actor
        return None


@dataclass
class Role:
    """An actor filling a role, with the token it came from (for spans and confidence)."""

    actor: Actor
    token: Token
    how: str


class EventCoder:
    """Codes the events of one parsed sentence. Needs an actor resolver and a cue lexicon."""

    def __init__(self, resolver, lexicon, date_resolver=None, locator=None, country_location=None):
        self.resolver = resolver
        self.lexicon = lexicon
        self.resolve_date = date_resolver
        self.locate = locator
        self.country_location = country_location
        self._cache: dict[tuple[str, date | None], Actor | None] = {}

    # -- actors -----------------------------------------------------------------------------------

    def _resolve_text(self, text: str, when: date | None) -> Actor | None:
        key = (text, when)
        if key not in self._cache:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = self.resolver.resolve(text, when) if text else None
        return self._cache[key]

    def actor_of(self, tok: Token, ctx: DocContext, allow_inside: bool = True) -> Actor | None:
        """The actor a noun token names: its core phrase, then its full phrase, appositions, anaphora."""
        when = ctx.anchor
        low = tok.lower_
        if tok.pos_ == "PRON" or low in MODALITY["pronouns"]:
            kinds = set(MODALITY["pronouns"].get(low, []))
            return ctx.recall(kinds) if kinds else None
        core = P.core_phrase(tok)
        actor = self._resolve_text(core.text, when)
        if actor is None or not (actor.country or actor.org):
            full = P.full_phrase(tok)
            if len(full) > len(core):
                better = self._resolve_text(full.text, when)
                if better is not None and (better.country or better.org or actor is None):
                    actor = better
        if actor is None or not (actor.country or actor.org):
            for ap in P.appositions(tok):
                better = self._resolve_text(P.full_phrase(ap).text, when)
                if better is not None and (better.country or better.org):
                    actor = better
                    break
        if actor is None and tok.lemma_.lower() in MODALITY["anaphora"]:
            actor = ctx.recall(set(MODALITY["anaphora"][tok.lemma_.lower()]))
        if actor is not None and not (actor.country or actor.org):
            # A sector without a country ("the spokesman"): keep only if nothing better; it will not
            # make a dyad, so treat as unresolved for role filling.
            return None
        return actor

    def actors_of(self, tok: Token | None, ctx: DocContext, how: str) -> list[Role]:
        if tok is None:
            return []
        roles = []
        for t in P.conjuncts(tok):
            actor = self.actor_of(t, ctx)
            if actor is not None:
                roles.append(Role(actor, t, how))
        return roles

    # -- roles ------------------------------------------------------------------------------------

    def sources(self, match, ctx: DocContext) -> list[Role]:
        v = match.token
        if v.pos_ in {"NOUN", "PROPN"} and v is getattr(match, "noun", v):
            # nominal cue without a light verb: "Russia's talks with China", "a call between X and Y"
            poss = [c for c in v.children if c.dep_ == "poss"]
            if poss:
                return self.actors_of(poss[0], ctx, "poss")
        subj, passive = P.subject_of(v)
        if subj is not None and subj.dep_ == "expl":
            subj = None
        return self.actors_of(subj, ctx, "agent" if passive else "subj")

    def targets(self, match, ctx: DocContext, src_tokens: set[int]) -> list[Role]:
        v = match.token
        entry = match.entry
        preps = list(getattr(entry, "prep", None) or [])
        cands: list[tuple[Token, str]] = []
        for prep_tok in getattr(match, "prep_tokens", None) or []:
            for c in prep_tok.children:
                if c.dep_ in {"pobj", "pcomp"}:
                    cands.append((c, f"prep:{prep_tok.lower_}"))
        obj = getattr(match, "obj", None)
        if obj is not None:
            # "imposed sanctions on Russia": the object is the cue; the target hangs off it or the verb
            for p, o in P.prep_objects(obj, preps or MODALITY["target_preps"]):
                cands.append((o, f"obj-prep:{p.lower_}"))
        else:
            for o in P.direct_objects(v):
                cands.append((o, "dobj"))
        ps = P.passive_subject(v)
        if ps is not None:
            cands.append((ps, "passive-subj"))
        if preps:
            for p, o in P.prep_objects(v, preps):
                cands.append((o, f"prep:{p.lower_}"))
        for p, o in P.prep_objects(v, MODALITY["target_preps"]):
            cands.append((o, f"prep:{p.lower_}"))
        if v.pos_ in {"NOUN", "PROPN"} or (match.cue_tokens and match.cue_tokens[-1].pos_ == "NOUN"):
            noun = match.cue_tokens[-1] if match.cue_tokens else v
            for p, o in P.prep_objects(noun, MODALITY["target_preps"]):
                cands.append((o, f"noun-prep:{p.lower_}"))
        roles: list[Role] = []
        seen: set[int] = set()
        for tok, how in cands:
            if tok.i in seen or tok.i in src_tokens:
                continue
            found = self.actors_of(tok, ctx, how)
            if not found and how in {"dobj", "passive-subj"}:
                # "condemned Russia's irresponsible rhetoric": the actor is the object's possessor
                for c in tok.children:
                    if c.dep_ in {"poss", "compound"}:
                        found = self.actors_of(c, ctx, how + ":poss")
                        if found:
                            break
                if not found:
                    for p, o in P.prep_objects(tok, ["of", "against", "on", "to", "with", "in"]):
                        found = self.actors_of(o, ctx, how + f":{p.lower_}")
                        if found:
                            break
            for r in found:
                seen.add(r.token.i)
            seen.add(tok.i)
            if found:
                roles.extend(found)
                break
        return roles

    # -- modality ---------------------------------------------------------------------------------

    def modality(self, match) -> str:
        v = match.token
        chain = [v]
        cur = v
        while cur.dep_ in {"xcomp", "conj", "aux", "acl"} and cur.head is not cur and len(chain) < 5:
            cur = cur.head
            chain.append(cur)
        for t in chain:
            for c in t.children:
                if c.dep_ == "neg" or c.lower_ in MODALITY["negation_words"]:
                    return "negated"
                if c.dep_ in {"nsubj", "nsubjpass"}:
                    if any(d.lower_ in MODALITY["negating_determiners"] and d.dep_ == "det" for d in c.children):
                        return "negated"
        for t in chain:
            for c in t.children:
                if c.dep_ in {"aux", "auxpass"} and c.lower_ in MODALITY["hypothetical_modals"]:
                    return "hypothetical"
                if c.dep_ == "mark" and c.lower_ in MODALITY["hypothetical_marks"]:
                    return "hypothetical"
            if t is not v and t.lemma_.lower() in MODALITY["hypothetical_heads"]:
                return "hypothetical"
        # an event inside an if/whether clause governed higher up
        cur = v
        for _ in range(4):
            if cur.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in MODALITY["hypothetical_marks"] for c in cur.children):
                return "hypothetical"
            if cur.head is cur:
                break
            cur = cur.head
        return "asserted"

    def intent(self, match) -> bool:
        """Is the cue the content of a promise or plan ("vowed to support", "plans to help")?"""
        v = match.token
        cur = v
        for _ in range(3):
            if cur.dep_ in {"xcomp", "acl"} and cur.head is not cur:
                if cur.head.lemma_.lower() in MODALITY["intent_heads"]:
                    return True
                cur = cur.head
            else:
                break
        return False

    # -- speech -----------------------------------------------------------------------------------

    def speaker(self, tok: Token, ctx: DocContext) -> tuple[Token, Role | None, str | None] | None:
        """If the cue sits inside reported speech, the speech verb, the speaker as an actor, and the
        attribution text (an outlet or unresolved speaker)."""
        cur = tok
        for _ in range(5):
            if cur.head is cur:
                return None
            if cur.dep_ in {"ccomp", "parataxis"} and cur.head.lemma_.lower() in MODALITY["speech_verbs"]:
                sv = cur.head
                subj, _ = P.subject_of(sv)
                if subj is None:
                    return sv, None, None
                roles = self.actors_of(subj, ctx, "speaker")
                text = P.full_phrase(subj).text
                if roles and roles[0].actor.sector not in MODALITY["attribution_sectors"]:
                    return sv, roles[0], None
                return sv, None, text
            cur = cur.head
        return None

    # -- main -------------------------------------------------------------------------------------

    def code(self, sent: Span, index: int, ctx: DocContext, sent_offset: int = 0) -> list[Event]:
        art = ctx.article
        matches = self.lexicon.match(sent)
        events: list[Event] = []
        for m in matches:
            srcs = self.sources(m, ctx)
            src_idx = {r.token.i for r in srcs}
            tgts = self.targets(m, ctx, src_idx)
            attribution = None
            speech = self.speaker(m.token, ctx)
            entry = m.entry
            etype, mode, cameo, rule = entry.type, entry.mode, entry.cameo, entry.id
            if speech is not None:
                sv, spk, attribution = speech
                if spk is not None and srcs and not _same_actor(spk.actor, srcs[0].actor):
                    if m.quad_class in (3, 4):
                        # "Peskov said NATO is moving towards our borders": Peskov accuses NATO.
                        acc = MODALITY["speech_accuse"]
                        events.extend(self._emit(sent, index, ctx, [spk], srcs, acc["type"], acc.get("mode"),
                                                 acc["cameo"], f"speech.accuse<{entry.id}", sv, [sv], "asserted",
                                                 None, sent_offset))
                        continue
                    attribution = spk.actor.name or spk.actor.text
            if not srcs or not tgts:
                # reciprocal: "Russia and China agreed" / "the two sides met"
                if srcs and not tgts and len(srcs) > 1 and etype in MODALITY["reciprocal_types"]:
                    for a in srcs:
                        others = [b for b in srcs if b is not a]
                        events.extend(self._emit(sent, index, ctx, [a], others, etype, mode, cameo, rule + "+reciprocal",
                                                 m.token, m.cue_tokens, self.modality(m), attribution, sent_offset))
                continue
            modality = self.modality(m)
            if self.intent(m) and etype in MODALITY["intent_cameo"]:
                cameo = MODALITY["intent_cameo"][etype]
                rule += "+intent"
                etype = "AGREE"
                mode = None
            events.extend(self._emit(sent, index, ctx, srcs, tgts, etype, mode, cameo, rule, m.token, m.cue_tokens,
                                     modality, attribution, sent_offset))
        for e in events:
            for a in (e.actor, e.recipient):
                if a is not None:
                    ctx.remember(a)
        return events

    def _emit(self, sent, index, ctx, srcs, tgts, etype, mode, cameo, rule, verb, cue_tokens, modality,
              attribution, sent_offset) -> list[Event]:
        from detente.events.ontology import default_ontology

        onto = default_ontology()
        code = onto.cameo(cameo)
        clause = P.clause_tokens(verb)
        clause_text = P.text_of(clause)
        # Places are read from the clause minus the actors' own phrases: "his counterpart in Moscow"
        # names an actor, not where the event happened.
        in_actors = {t.i for r in srcs + tgts for t in P.full_phrase(r.token)}
        place_text = P.text_of([t for t in clause if t.i not in in_actors])
        when, source = (ctx.anchor, "publication" if ctx.anchor else "none")
        if self.resolve_date is not None:
            when, source = self.resolve_date(clause_text, ctx.anchor)
        out = []
        for s in srcs:
            for t in tgts:
                if _same_actor(s.actor, t.actor):
                    continue
                loc = self._location(place_text, s.actor, t.actor, code.quad_class, etype)
                cues = list(cue_tokens) or [verb]
                start = min(c.idx for c in cues) - sent.start_char
                end = max(c.idx + len(c) for c in cues) - sent.start_char
                conf = 0.55
                conf += 0.15 if s.how == "subj" else 0.05
                conf += 0.15 if t.how.startswith(("dobj", "prep", "passive")) else 0.05
                conf -= 0.15 if "fuzzy" in (s.actor.matched or "") + (t.actor.matched or "") else 0.0
                out.append(Event(
                    doc_id=ctx.article.id, sentence=index, text=sent.text, event=etype, mode=mode,
                    context=self.lexicon.contexts_for(sent.text, etype) if hasattr(self.lexicon, "contexts_for") else [],
                    cameo=code.code, goldstein=code.goldstein, quad_class=code.quad_class,
                    actor=s.actor, recipient=t.actor, date=when, date_source=source, location=loc,
                    modality=modality, attribution=attribution, confidence=max(0.05, min(conf, 0.99)),
                    cue=" ".join(c.text for c in cues), cue_span=(start, end), rule=f"{rule}|{s.how}>{t.how}",
                ))
        return out

    def _location(self, place_text: str, src: Actor, tgt: Actor, quad: int | None, etype: str) -> Location | None:
        loc = self.locate(place_text) if self.locate else None
        if loc is not None:
            return loc
        if self.country_location is None:
            return None
        if quad == 4 or etype in MODALITY["domestic_location_types"]:
            iso = tgt.country or src.country
            return self.country_location(iso) if iso else None
        if src.country and src.country == tgt.country:
            return self.country_location(src.country)
        return None


def _same_actor(a: Actor, b: Actor) -> bool:
    if a.name and b.name and a.name == b.name:
        return True
    return (a.country, a.org, a.sector) == (b.country, b.org, b.sector) and a.kind == b.kind and a.kind != "person"
