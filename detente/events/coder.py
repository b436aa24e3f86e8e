"""The event coder: a parsed sentence plus its cue matches -> Events with source, target and modality.

The cue lexicon says *what* happened (type, mode, CAMEO); this module finds *who did it to whom* from
the dependency parse, following the grammatical roles PETRARCH-style coders use: subject (or the passive
agent) is the source; the direct object, the cue's own preposition ("spoke with", "sanctions on") or the
passive subject is the target; coordinated actors give one event per pair; "X and Y met" is reciprocal.
Reported speech is split into what the speaker did and what the speaker reported, and negated or
hypothetical events are kept but marked.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Span, Token

from detente.actors.names import plural
from detente.actors.resolve import copy_actor
from detente.data import load_yaml
from detente.events import phrases as P
from detente.events.cues import CueMatch, CueModality, cue_modality, recoded_event
from detente.events.view import DocView, view
from detente.records import Actor, Article, Event, Location

ROLES = load_yaml("coder.yaml")
_PRONOUNS = ROLES["pronouns"]
_MEETING_WORDS = ROLES["meeting_words"]
SPEECH = load_yaml("speech.yaml")
SPEECH_VERBS = frozenset(SPEECH["speech_verbs"])
MODE_HINTS = [(h, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in h["words"]) + r")\b"))
              for h in ROLES["mode_hints"]]
EVALUATIVE = {etype: (spec.get("mode"), str(spec["cameo"]), frozenset(spec["words"]))
              for etype, spec in SPEECH["evaluative"].items()}


@dataclass
class DocContext:
    """What the coder remembers across the sentences of one document (for pronouns and "the alliance").

    Mentions are stored as (offset, resolver) pairs and resolved only when a pronoun asks for them:
    most documents never need most of them, and resolving every mention costs more than parsing.
    """

    article: Article
    anchor: date | None
    recent: list = field(default_factory=list)
    # mentions in the current sentence, with their character offsets (for "they" after "NATO")
    here: list = field(default_factory=list)
    # the organiser of the last meeting named ("the declaration" after "the Washington Summit")
    meeting: Actor | None = None
    # the meeting the article is about, for bare "after the summit ended" (a calendar event)
    hint: object | None = None

    def recall(self, kinds: list[list[str]], before: int | None = None) -> Actor | None:
        """The most recent actor of the first group of kinds that has one: this sentence (before the
        pronoun) first, then earlier sentences."""
        for group in kinds:
            for start, mention in reversed(self.here):
                if before is None or start < before:
                    actor = _actor_now(mention)
                    if actor is not None and actor.kind in group:
                        return actor
            for mention in reversed(self.recent):
                actor = _actor_now(mention)
                if actor is not None and actor.kind in group:
                    return actor
        return None

    def enter_sentence(self, mentions: list) -> None:
        """Move the previous sentence's mentions into memory and hold this sentence's.

        A mention is an Actor or a zero-argument callable that resolves to one (or None)."""
        self.recent.extend(m for _, m in self.here)
        del self.recent[:-24]
        self.here = list(mentions)


def _actor_now(mention) -> Actor | None:
    actor = mention() if callable(mention) else mention
    return actor if _placed(actor) else None


@dataclass
class Role:
    """An actor filling a role, with the token it came from (for spans and confidence)."""

    actor: Actor
    token: Token
    how: str


class EventCoder:
    """Codes the events of one parsed sentence. Needs an actor resolver and a cue lexicon."""

    def __init__(self, resolver, lexicon, ontology, date_resolver=None, locator=None, country_location=None,
                 find_meeting=None, contexts_for=None):
        self.resolver = resolver
        self.lexicon = lexicon
        self.ontology = ontology
        self.resolve_date = date_resolver
        self.locate = locator
        self.country_location = country_location
        self.find_meeting = find_meeting
        self.contexts_for = contexts_for
        self._sent_contexts: tuple = (None, [])
        self._text = ""
        # the sentence being coded and its parsed text (a Span builds its text from every token)
        self._sent: Span | None = None
        self._sent_text = ""
        self._start_doc(None)

    def _start_doc(self, doc) -> None:
        """Empty the per-token caches of the sentence being coded; they now belong to ``doc``."""
        self._phrases: dict[int, tuple[int, int]] = {}
        self._clauses: dict[int, list[Token]] = {}
        self._clause_texts: dict[int, str] = {}
        self._texts: dict[int, str] = {}
        self._cores: dict[int, tuple[tuple[int, int], str]] = {}
        self._dates: dict[tuple, tuple[date | None, str]] = {}  # clause text -> its date (``_date_of``)
        self._named_actors: dict[tuple[int, date | None], Actor | None] = {}  # ``_named``
        self._cache_doc = doc  # the document the per-token caches above belong to

    # -- actors -----------------------------------------------------------------------------------

    def _for_doc(self, tok: Token) -> None:
        """Forget the per-token caches when ``tok`` is from another document than the one coded last
        (the helpers may be called outside ``code``)."""
        if tok.doc is not self._cache_doc:
            self._start_doc(tok.doc)

    def _full(self, tok: Token) -> tuple[int, int]:
        """``phrases.full_bounds``, computed once per token of the sentence being coded."""
        self._for_doc(tok)
        bounds = self._phrases.get(tok.i)
        if bounds is None:
            bounds = self._phrases[tok.i] = P.full_bounds(tok)
        return bounds

    def _full_text(self, tok: Token) -> str:
        """The text of ``_full(tok)``, kept with it (a Span builds its text from every token)."""
        self._for_doc(tok)
        text = self._texts.get(tok.i)
        if text is None:
            text = self._texts[tok.i] = view(tok.doc).text(*self._full(tok))
        return text

    def _core(self, tok: Token) -> tuple[tuple[int, int], str]:
        """``phrases.core_bounds`` and its text, computed once per token of the sentence being coded."""
        self._for_doc(tok)
        core = self._cores.get(tok.i)
        if core is None:
            bounds = P.core_bounds(tok)
            core = self._cores[tok.i] = (bounds, view(tok.doc).text(*bounds))
        return core

    def _clause(self, tok: Token) -> list[Token]:
        """``phrases.clause_tokens``, computed once per verb of the sentence being coded (each event
        of a clause reads its date and place from it)."""
        self._for_doc(tok)
        clause = self._clauses.get(tok.i)
        if clause is None:
            clause = self._clauses[tok.i] = P.clause_tokens(tok)
        return clause

    def _clause_text(self, tok: Token) -> str:
        """The text of ``_clause(tok)``, kept with it (each event of the clause reads its date from it)."""
        self._for_doc(tok)
        text = self._clause_texts.get(tok.i)
        if text is None:
            text = self._clause_texts[tok.i] = P.text_at(tok.doc, P.clause_indices(tok))
        return text

    def resolve_phrase(self, text: str, when: date | None) -> Actor | None:
        """The resolver's answer for a phrase (the resolver caches by text itself)."""
        return self.resolver.resolve(text, when) if text else None

    def actor_of(self, tok: Token, ctx: DocContext, recall: bool = True) -> Actor | None:
        """The actor a noun token names: its core phrase, then its full phrase, appositions, the meeting
        it names, and last pronouns and generic nouns that refer back ("they", "the alliance").
        ``recall=False`` reads only the words of the phrase: an event noun that is the cue itself ("the
        summit took place") names its actors in its own words ("the NATO summit") or not at all; "the
        summit" referring back to a summit already told is that event again, not a new one."""
        when = ctx.anchor
        dv = view(tok.doc)
        i = tok.i
        low = dv.lowers[i]
        if low in _PRONOUNS:
            return ctx.recall(_PRONOUNS[low], before=tok.idx) if recall else None
        if dv.pos[i] == "PRON":
            return None
        lemma = dv.lemma_lows[i]
        if lemma in _MEETING_WORDS:
            organiser = self._meeting_actor(self._full_text(tok), when)
            if organiser is not None:
                ctx.meeting = organiser
                return organiser
            if recall and ctx.meeting is not None and any(dv.lowers[c] in {"the", "this", "that"}
                                                          for c in dv.children[i] if c < i):
                return ctx.meeting
        actor = self._named(tok, when)
        if recall and not _placed(actor) and lemma in ROLES["anaphora"]:
            actor = ctx.recall(ROLES["anaphora"][lemma], before=tok.idx) or actor
        # An actor known only by its sector ("demonstrators", "Amnesty International") is kept; the
        # coder pairs it only with a placed actor (see _emit). Unknown people ("two men") are not.
        if actor is not None and not _placed(actor) and (actor.sector in (None, "UNK")):
            return None
        return actor

    def _named(self, tok: Token, when: date | None) -> Actor | None:
        """The actor the words of a noun token's phrase name: its core phrase, the core without its
        quantity, its full phrase, its appositions. It depends on nothing but the token and the date,
        and the roles of the cues of a sentence ask about the same tokens again, so it is found once
        per token and date (a fresh copy each time: callers own what they get)."""
        self._for_doc(tok)
        key = (tok.i, when)
        if key in self._named_actors:
            return copy_actor(self._named_actors[key])
        core, core_text = self._core(tok)
        actor = self.resolve_phrase(core_text, when)
        if actor is None:
            bare = P.without_quantity_at(tok.doc, *core)  # "Up to 100 ethnic Albanians" -> "ethnic Albanians"
            if bare is not None:
                actor = self.resolve_phrase(bare, when)
        if not _placed(actor):
            full = self._full(tok)
            if full[1] - full[0] > core[1] - core[0]:
                better = self.resolve_phrase(self._full_text(tok), when)
                if better is not None and (_placed(better) or actor is None):
                    actor = better
        if not _placed(actor):
            for ap in P.appositions(tok):
                better = self.resolve_phrase(self._full_text(ap), when)
                if _placed(better):
                    actor = better
                    break
        self._named_actors[key] = actor
        return copy_actor(actor)

    def _meeting_actor(self, text: str, when: date | None) -> Actor | None:
        if self.find_meeting is None:
            return None
        meeting = self.find_meeting(text, when)
        if meeting is None or not meeting.org:
            return None
        actor = self.resolve_phrase(meeting.org, when)
        return Actor(**{**_fields(actor), "text": text, "matched": "meeting"}) if actor is not None else None

    def actors_of(self, tok: Token | None, ctx: DocContext, how: str, recall: bool = True) -> list[Role]:
        if tok is None:
            return []
        roles = []
        for t in P.conjuncts(tok):
            actor = self.actor_of(t, ctx, recall)
            if actor is not None:
                roles.append(Role(actor, t, how))
        return roles

    # -- roles ------------------------------------------------------------------------------------

    def sources(self, m: CueMatch, ctx: DocContext) -> list[Role]:
        v = m.token
        dv = view(v.doc)
        if dv.pos[v.i] in {"NOUN", "PROPN"}:
            # nominal cue without a light verb: "Russia's talks with China", "Egyptian demonstrators"
            poss = [c for c in dv.children[v.i] if dv.deps[c] == "poss"]
            if poss:
                return self.actors_of(dv.tokens[poss[0]], ctx, "poss")
            dep = dv.deps[v.i]
            if dep in P.SUBJ | P.PASS_SUBJ or dep == "ROOT":
                found = self.actors_of(v, ctx, "noun", recall=False)
                if found:
                    return found
            if dep in P.OBJ and dv.pos[dv.heads[v.i]] in {"VERB", "AUX"}:
                v = dv.tokens[dv.heads[v.i]]  # "began a hunger strike", "staged a protest": the verb's subject
        if m.entry.adjectives or dv.lowers[v.i] in ROLES["stative_participles"]:
            # predicative adjective cues read the copula's subject, passive-looking or not
            # ("Israel is opposed to", "Norway is willing to")
            ps = P.passive_subject(v)
            if ps is not None:
                return self.actors_of(ps, ctx, "subj")
        subj, passive = P.subject_of(v)
        if subj is not None and dv.deps[subj.i] == "expl":
            subj = None
        # "the summit took place": the event noun is its own subject; its actors are in its words only
        own = subj is not None and any(t.i == subj.i for t in m.cue_tokens)
        return self.actors_of(subj, ctx, "agent" if passive else "subj", recall=not own)

    def targets(self, m: CueMatch, ctx: DocContext, src_tokens: set[int]) -> list[Role]:
        v = m.token
        dv = view(v.doc)
        deps, toks = dv.deps, dv.tokens
        preps = list(m.entry.prep)
        cands: list[tuple[Token, str]] = []
        for prep_tok in m.prep_tokens:
            for c in dv.children[prep_tok.i]:
                if deps[c] in {"pobj", "pcomp"}:
                    cands.append((toks[c], f"prep:{dv.lowers[prep_tok.i]}"))
        if m.obj is not None and m.obj.i != v.i:
            # "rejected Saddam Hussein's proposal for a cease-fire": the object's owner is the target;
            # "imposed sanctions on Russia": the target hangs off the object
            for c in dv.children[m.obj.i]:
                if deps[c] == "poss" and dv.pos[c] != "PRON":
                    cands.append((toks[c], "obj-owner"))
            for p, o in P.prep_objects(m.obj, preps or self._target_preps(m.type)):
                cands.append((o, f"obj-prep:{p.lower_}"))
        for o in P.direct_objects(v):
            if m.obj is None or o.i != m.obj.i:
                cands.append((o, "dobj"))
        ps = P.passive_subject(v)
        vh = dv.heads[v.i]
        if (ps is None and deps[v.i] == "acl" and dv.tags[v.i] == "VBN" and dv.pos[vh] in {"NOUN", "PROPN"}
                and all(t.i != vh for t in m.cue_tokens)):
            # a reduced relative names who underwent it: "ten Russian soldiers [killed] in Ukraine" (but
            # in "missiles [fired] by Russia" the noun is the cue's own object, not its target)
            ps = toks[vh]
        if ps is not None:
            cands.append((ps, "passive-subj"))
        if preps:
            for p, o in P.prep_objects(v, preps):
                cands.append((o, f"prep:{p.lower_}"))
        for p, o in P.prep_objects(v, self._target_preps(m.type)):
            cands.append((o, f"prep:{p.lower_}"))
        for noun in m.cue_tokens:
            if dv.pos[noun.i] == "NOUN" and noun.i != v.i:
                for p, o in P.prep_objects(noun, self._target_preps(m.type)):
                    cands.append((o, f"noun-prep:{p.lower_}"))
        if m.obj is not None and m.obj.i != v.i:
            # "rejected North Korea's demand": the cue's object belongs to the target
            cands.append((m.obj, "obj-inner"))
        seen: set[int] = set(src_tokens)
        fallback: list[Role] = []
        for tok, how in cands:
            if tok.i in seen:
                continue
            seen.add(tok.i)
            found = [] if how == "obj-inner" else self.actors_of(tok, ctx, how)
            if not found and how in {"dobj", "passive-subj", "obj-inner"}:
                found = self._inner_actor(tok, ctx, how)
            found = [r for r in found if r.token.i not in src_tokens]
            if found and any(_placed(r.actor) for r in found):
                return found
            # an actor known only by its sector ("army reservists") is kept in case nothing placed
            # turns up ("mobilized army reservists for a war against Iraq")
            fallback = fallback or found
        return (self._complement_target(v, ctx, src_tokens) or self._nearest_target(m, ctx, src_tokens)
                or fallback)

    @staticmethod
    def _target_preps(etype: str) -> list[str]:
        """Prepositions that may introduce the target, in order: an accusation is "against/over" its
        target and only "to" its audience ("complained to the UN over Israeli raids")."""
        return ROLES["target_prep_priority"].get(etype, ROLES["target_preps"])

    def _nearest_target(self, m: CueMatch, ctx: DocContext, src_tokens: set[int]) -> list[Role]:
        """Last resort: the placed actor closest to the cue in its own phrase structure, e.g. deep in
        the object ("a suspension of air links [with Serbia]") or its place ("targets in Jericho")."""
        v = m.token.i
        dv = view(m.token.doc)
        deps, children = dv.deps, dv.children
        skip = set(src_tokens)
        for c in children[v]:
            if deps[c] in P.SUBJ | {"ccomp", "parataxis", "relcl", "conj"}:
                skip.update(dv.subtree(c))
            elif deps[c] == "prep" and dv.lowers[c] in ROLES["locative_preps"]:
                skip.update(dv.subtree(c))  # "met in Washington": a place, not a party
        frontier = [c for c in children[v] if c not in skip]
        for _ in range(4):
            nxt = []
            for t in sorted(frontier, key=lambda t: abs(t - v)):
                if dv.pos[t] in {"PROPN", "NOUN"} and deps[t] != "compound":
                    found = [r for r in self.actors_of(dv.tokens[t], ctx, "near") if _placed(r.actor)]
                    if found:
                        return found[:1]
                nxt.extend(c for c in children[t] if c not in skip)
            frontier = nxt
        return []

    def _complement_target(self, v: Token, ctx: DocContext, src_tokens: set[int], depth: int = 0) -> list[Role]:
        """The target inside what the cue verb governs: "demanded that [the US] cancel ...",
        "threatened to launch an offensive [against Iraq]"."""
        dv = view(v.doc)
        for c in dv.kids(v.i):
            dep = dv.deps[c.i]
            if dep not in {"ccomp", "xcomp"}:
                continue
            if dep == "ccomp":
                subj, _ = P.subject_of(c)
                if subj is not None and subj.i not in src_tokens and dv.heads[subj.i] == c.i:
                    found = self.actors_of(subj, ctx, "comp-subj")
                    if found:
                        return found
            for o in P.direct_objects(c):
                found = self.actors_of(o, ctx, "comp-dobj") or self._inner_actor(o, ctx, "comp-dobj")
                if found:
                    return found
            for p, o in P.prep_objects(c, ROLES["target_preps"]):
                found = self.actors_of(o, ctx, f"comp-prep:{p.lower_}")
                if found:
                    return found
            if depth < 1:
                found = self._complement_target(c, ctx, src_tokens, depth + 1)
                if found:
                    return found
        return []

    def _inner_actor(self, tok: Token, ctx: DocContext, how: str) -> list[Role]:
        """"condemned Russia's irresponsible rhetoric": the actor is the object's possessor or complement;
        coordinated objects ("Russia's rhetoric and the stationing of weapons in Belarus") each count."""
        roles: list[Role] = []
        dv = view(tok.doc)
        deps, pos = dv.deps, dv.pos
        for head in P.conjuncts(tok):
            if dv.lemma_lows[head.i] in ROLES["meeting_words"]:
                continue  # "adopted the Washington Summit Declaration": a document, not Washington's
            for c in dv.children[head.i]:
                # "Russia's rhetoric", "the Russian invasion" ("their call": the subject's own)
                if deps[c] in {"poss", "compound"} and pos[c] != "PRON" or (deps[c] == "amod" and pos[c] in {"ADJ", "PROPN"}
                                                                            and dv.texts[c][:1].isupper()):
                    found = self.actors_of(dv.tokens[c], ctx, how + ":" + deps[c])
                    if found:
                        roles.extend(found)
                        break
            else:
                for p, o in P.prep_objects(head, ["of", "against", "on", "to", "with"]):
                    found = self.actors_of(o, ctx, how + f":{p.lower_}")
                    if found:
                        roles.extend(found)
                        break
        return roles

    # -- speech -----------------------------------------------------------------------------------

    def speaker(self, tok: Token, ctx: DocContext) -> tuple[Token, Role | None, str | None] | None:
        """If the cue sits inside reported speech: the speech verb, the speaker as an actor (None when
        the speaker is an outlet or unknown), and the attribution text."""
        dv = view(tok.doc)
        cur = tok.i
        for _ in range(6):
            head = dv.heads[cur]
            if head == cur:
                return None
            if dv.deps[cur] in {"ccomp", "parataxis"} and dv.lemma_lows[head] in SPEECH_VERBS:
                sv = dv.tokens[head]
                subj, _ = P.subject_of(sv)
                if subj is None:
                    return sv, None, None
                roles = self.actors_of(subj, ctx, "speaker")
                text = self._full_text(subj)
                if roles and not _reports(roles[0].actor):
                    return sv, roles[0], roles[0].actor.name or text
                return sv, None, text
            cur = head
        return None

    def speech_events(self, sent: Span, index: int, ctx: DocContext, coded_verbs: set[int]) -> list[Event]:
        """"<quote about Y>, said X": X's evaluation of Y, read off evaluative words in what X said.

        What was said is weighed first (by token index, without building its Tokens): most speech
        verbs report nothing evaluative, and then the speaker need not be resolved."""
        out: list[Event] = []
        dv = view(sent.doc)
        for sv_i in _speech_verb_indices(sent):
            if dv.pos[sv_i] not in {"VERB", "AUX"} or sv_i in coded_verbs:
                continue
            sv = dv.tokens[sv_i]
            subj, _ = P.subject_of(sv)
            if subj is None:
                continue
            speaker_toks = set(dv.subtree(subj.i))
            said = [t for c in dv.children[sv_i] if dv.deps[c] in {"ccomp", "parataxis"} for t in dv.subtree(c)]
            if not said:  # a quote before the verb without a parsed link: the rest of the sentence
                said = [t for t in range(sent.start, sent.end) if t not in speaker_toks and t != sv_i and t < sv_i]
            etype = _evaluation(dv, said)
            if etype is None:
                self._note_meetings(subj, ctx)
                continue
            speakers = self.actors_of(subj, ctx, "speaker")
            if not speakers or _reports(speakers[0].actor):
                continue
            target = self._speech_target(sv, said, speaker_toks, ctx)
            if not target:
                continue
            mode, cameo = EVALUATIVE[etype][0], EVALUATIVE[etype][1]
            out.extend(self._emit(sent, index, ctx, speakers[:1], target, etype, mode, cameo,
                                  f"speech.evaluative.{etype.lower()}", sv, [sv], "asserted", None))
        return out

    def _note_meetings(self, tok: Token, ctx: DocContext) -> None:
        """What reading the speaker ``tok`` would leave in the context when the speaker itself is not
        needed: a meeting it names becomes ``ctx.meeting`` ("the summit declaration said ...", see
        ``actor_of``); nothing else ``actors_of`` does outlives the call."""
        lemmas = view(tok.doc).lemma_lows
        for t in P.conjuncts(tok):
            if lemmas[t.i] in _MEETING_WORDS:
                self.actor_of(t, ctx)

    def _speech_target(self, sv: Token, said: list[int], speaker_toks: set[int], ctx: DocContext) -> list[Role]:
        for p, o in P.prep_objects(sv, ROLES["about_preps"]):
            found = self.actors_of(o, ctx, f"about:{p.lower_}") or self._inner_actor(o, ctx, f"about:{p.lower_}")
            if found:
                return found[:1]
        dv = view(sv.doc)
        for t in said:
            if t in speaker_toks or dv.pos[t] not in {"PROPN", "NOUN"} or dv.deps[t] == "compound":
                continue
            found = self.actors_of(dv.tokens[t], ctx, "quoted")
            if found:
                return found[:1]
        return []

    # -- main -------------------------------------------------------------------------------------

    def _reading(self, m: CueMatch, outer: CueMatch | None) -> tuple[CueModality, str, str | None, str, str]:
        """(modality, type, mode, CAMEO, rule) of a cue, given the cue that carries it ("agreed to
        [withdraw]": an intent, whatever lies between) and the intent recoding of ``modality.yaml``."""
        mod = cue_modality(m)
        if outer is not None and not mod.intent:
            mod = dataclasses.replace(mod, intent=True, marker=mod.marker or outer.token.text)
        etype, mode, cameo = recoded_event(m, mod)
        if mod.intent and m.type in ROLES["concessions"] and (mod.marker or "").lower() in ROLES["consent_words"]:
            # "agreed to lift the curfew": consenting to a concession is the concession itself
            etype, mode, cameo = m.type, m.mode, m.cameo
        return mod, etype, mode, cameo, m.entry.id + ("+intent" if mod.intent and etype != m.type else "")

    def code(self, sent: Span, index: int, ctx: DocContext, text: str | None = None) -> list[Event]:
        """The events of one parsed sentence. ``text`` is the sentence as written, when the parser was
        given a normalised form of it (a Title Case headline in sentence case)."""
        self._sent, self._sent_text = sent, view(sent.doc).text(sent.start, sent.end)
        self._text = text if text is not None else self._sent_text
        self._start_doc(sent.doc)
        events: list[Event] = []
        matches = self.lexicon.match(sent)
        # a speech verb that is itself a cue ("calling out China") is not also read as an evaluation
        coded_speech: set[int] = {m.token.i for m in matches}
        heads = {m.token.i: m for m in matches}
        nested = {m.token.i: self._nested(m, heads) for m in matches}
        # "agreed to withdraw": the agreed act is coded (as an intent or a concession), not "agree";
        # carriers go last and are coded only when nothing they carry was
        carried: set[int] = set()
        order = sorted(matches, key=lambda m: m.type in ROLES["intent_carriers"])
        verbs = {m.token.i for m in matches if m.token.pos_ in {"VERB", "AUX"}}
        for m in order:
            if m.token.pos_ in {"NOUN", "PROPN"} and m.token.dep_ in P.SUBJ and m.token.head.i in verbs:
                continue  # "demonstrators received assurances": the noun names the actor of another cue
            outer = nested[m.token.i]
            if outer is not None and outer.type not in ROLES["intent_carriers"]:
                continue
            if m.token.i in carried:
                continue
            before = len(events)
            srcs = self.sources(m, ctx)
            tgts = self.targets(m, ctx, {r.token.i for r in srcs})
            # carried by "is willing to", "agreed to" further up: an intent
            mod, etype, mode, cameo, rule = self._reading(m, outer)
            attribution = None
            speech = self.speaker(m.token, ctx)
            if speech is not None:
                sv, spk, attribution = speech
                if spk is not None and srcs and not _same_actor(spk.actor, srcs[0].actor):
                    coded_speech.add(sv.i)
                    if mod.obligation:
                        # "Lavrov said Kyiv must withdraw": a demand of the speaker
                        events.extend(self._emit(sent, index, ctx, [spk], srcs, etype, mode, cameo,
                                                 f"speech.obligation<{m.entry.id}", sv, [sv], "asserted", None))
                        continue
                    if (self.ontology.cameo(cameo).quad_class == 4 and _partisan(spk.actor)
                            and _aimed_at(spk.actor, tgts)):
                        # "Peskov said NATO is moving towards our borders": Peskov accuses NATO of a
                        # hostile deed. (A deed reported by a bystander, "police said", stays the deed;
                        # a reported threat or refusal stays a threat or refusal.)
                        acc = ROLES["speech_accuse"]
                        events.extend(self._emit(sent, index, ctx, [spk], srcs, acc["type"], acc["mode"],
                                                 acc["cameo"], f"speech.accuse<{m.entry.id}", sv, [sv], "asserted", None))
                        continue
            if not srcs and etype in ROLES["place_recipient_types"]:
                # "Riots break out across Norway", "Gas attack in Beijing kills scores": the text names
                # no agent; an unnamed one of the country where it happens (ICEWS convention)
                srcs = self._unnamed_at_place(m, ctx)
            if mode is None:
                mode, cameo = self._mode_hint(etype, cameo, self._sent_text)
            if srcs and not tgts and len(srcs) > 1 and etype in ROLES["reciprocal_types"]:
                # reciprocal: "Russia and China agreed" / "Belousov and Austin spoke"
                for a in srcs:
                    events.extend(self._emit(sent, index, ctx, [a], [b for b in srcs if b is not a], etype, mode,
                                             cameo, rule + "+reciprocal", m.token, m.cue_tokens, mod.modality,
                                             attribution, m.entry.context))
            else:
                if m.entry.reverse and srcs and tgts and tgts[0] is not None:
                    # "Ukraine received missiles from Germany": the subject is the recipient
                    srcs, tgts = tgts, srcs
                if srcs and not tgts:
                    # "the workers went on strike", "the government rejected the request": the text names
                    # no recipient; the event is kept with recipient null (it makes no dyad)
                    tgts = [None]
                if srcs:
                    events.extend(self._emit(sent, index, ctx, srcs, tgts, etype, mode, cameo, rule, m.token,
                                             m.cue_tokens, mod.modality, attribution, m.entry.context))
            if len(events) > before and outer is not None:
                carried.add(outer.token.i)
        events.extend(self.speech_events(sent, index, ctx, coded_speech))
        if not events and _headline(self._text, sent):
            events = self._linear(sent, index, ctx, matches)
        events = _drop_echoes(events)
        # the sources of this sentence's events are the likeliest antecedents of the next "he"/"it"
        ctx.here.extend((len(self._sent_text), e.actor) for e in events if e.actor is not None)
        return events

    def acts(self, sent: Span, doc_id: str = "", index: int = 0, text: str | None = None) -> list[Event]:
        """What a sentence says happened, without actors: one event per cue (actor and recipient None),
        with its modality and intent recoding, leaving out what another cue demands, threatens or
        refuses. Not event data (an event needs an actor); it serves document classification, where
        a headline that names nobody still names the story's act ("Nationwide Curfew Imposed Following
        Recent Protests", "Ceasefire Begins in War-Torn Region")."""
        matches = self.lexicon.match(sent)
        heads = {m.token.i: m for m in matches}
        kept: list[tuple[CueMatch, Event]] = []
        carriers: set[int] = set()
        for m in matches:
            outer = self._nested(m, heads)
            if outer is not None and outer.type not in ROLES["intent_carriers"]:
                continue  # what was demanded, threatened or refused
            if outer is not None:
                carriers.add(outer.token.i)  # "agreed to withdraw": the withdrawal, not the agreeing
            mod, etype, mode, cameo, rule = self._reading(m, outer)
            rule = "act." + rule
            kept.append((m, Event(doc_id=doc_id, sentence=index, text=text or sent.text, event=etype, actor=None,
                                  recipient=None, mode=mode, cameo=cameo, modality=mod.modality, cue=m.text,
                                  rule=rule)))
        return [e for m, e in kept if m.token.i not in carriers]

    def _linear(self, sent: Span, index: int, ctx: DocContext, matches: list[CueMatch]) -> list[Event]:
        """TABARI-style fallback for headlines the parser could not read ("Serbia and Slovenia ratify
        agreement" parsed without a verb): the actor named last before the cue is the source, the first
        after it the target."""
        mentions = []
        sent_text = self._sent_text if sent is self._sent else sent.text
        for start, end, _ in self.resolver.scan(sent_text):
            actor = self.resolve_phrase(sent_text[start:end], ctx.anchor)
            if actor is not None and (_placed(actor) or actor.sector not in (None, "UNK")):
                span = sent.char_span(start, end, alignment_mode="expand")
                if span is not None:
                    mentions.append(Role(actor, span.root, "linear"))
                    if not matches and span.end < sent.end:
                        # no cue in the parse: the word after an actor is read as its verb, in word
                        # order ("Sri Lanka [thanks] Comoros for support")
                        found = self.lexicon.match_linear(sent.doc[span.end], sent)
                        if found is not None:
                            matches = [found]
        out: list[Event] = []
        heads = {m.token.i: m for m in matches}
        nested = {m.token.i: self._nested(m, heads) for m in matches}
        carriers = {o.token.i for o in nested.values() if o is not None}
        # "All sides agree to [implement] ceasefire": the carried act first, as in ``code``
        for m in sorted(matches, key=lambda m: m.token.i in carriers):
            outer = nested[m.token.i]
            if outer is not None and outer.type not in ROLES["intent_carriers"]:
                continue  # "to establish inquiry into possible genocide": the content of another cue
            first, last = min(t.i for t in m.cue_tokens), max(t.i for t in m.cue_tokens)
            if outer is not None:
                first = min(first, outer.token.i)  # the actor comes before "agree", not "implement"
            before = [r for r in mentions if r.token.i < first]
            after = [r for r in mentions if r.token.i > last]
            if not before:
                continue
            mod, etype, mode, cameo, rule = self._reading(m, outer)
            out.extend(self._emit(sent, index, ctx, before[-1:], after[:1] or [None], etype, mode, cameo,
                                  "linear." + rule, m.token, m.cue_tokens, mod.modality, None,
                                  m.entry.context))
            if out:
                break  # a headline tells one event
        for e in out:
            e.confidence = round(min(e.confidence, 0.4), 3)
        return out

    @staticmethod
    def _nested(m: CueMatch, heads: dict[int, CueMatch]) -> CueMatch | None:
        """The cue whose content this cue is ("demanded that the US [cancel] the sale"), if any: what
        was demanded, threatened or refused is not an event of its own."""
        dv = view(m.token.doc)
        cur = m.token
        purpose = False
        for _ in range(6):
            h = dv.heads[cur.i]
            if h == cur.i or not _content_link(cur):
                return None
            purpose = purpose or _purpose(cur)
            cur = dv.tokens[h]
            outer = heads.get(h)
            # "visited Monaco to deepen ties": a purpose is an intention of the outer act, never an event
            if outer is not None and (outer.type in ROLES["content_types"] or purpose):
                return outer
        return None

    @staticmethod
    def _mode_hint(etype: str, cameo: str, sent_text: str) -> tuple[str | None, str]:
        text = sent_text.lower()
        for hint, pattern in MODE_HINTS:
            if hint["type"] == etype and pattern.search(text):
                return hint["mode"], str(hint["cameo"])
        return None, cameo

    def _emit(self, sent: Span, index: int, ctx: DocContext, srcs: list[Role], tgts: list[Role], etype: str,
              mode: str | None, cameo: str, rule: str, verb: Token, cue_tokens, modality: str,
              attribution: str | None, cue_context=()) -> list[Event]:
        code = self.ontology.cameo(cameo)
        when, source = (ctx.anchor, "publication") if ctx.anchor else (None, "none")
        if self.resolve_date is not None:
            when, source = self._date_of(self._clause_text(verb), ctx)
            framed = P.when_frame(verb)  # "since March 2023, when he held a call": the call is dated March 2023
            if source != "text" and framed:
                when, source = self._date_of(P.text_of(framed), ctx)
            top = P.governing_clause(verb)
            if source != "text" and top.i != verb.i:
                when, source = self._date_of(self._clause_text(top), ctx)
        # Places are read from the clause minus the actors' own phrases: "his counterpart in Moscow"
        # names an actor, not where the event happened.
        in_actors = self._phrase_indices(srcs + tgts)
        place_text = P.text_at(verb.doc, P.place_indices(verb, in_actors))
        cues = sorted(cue_tokens or [verb], key=lambda t: t.i)
        start = cues[0].idx - sent.start_char
        end = cues[-1].idx + len(cues[-1]) - sent.start_char
        contexts = self._contexts(sent, tuple(cue_context))
        place = self.locate(place_text) if self.locate and place_text else None
        wide: list[Location | None] = []  # the clause-wide place, found at most once for all pairs
        out = []
        for s in srcs:
            for t in tgts:
                src, tgt = s.actor, (t.actor if t else None)
                if tgt is not None and (not _placed(src) and not _placed(tgt) or _same_actor(src, tgt)):
                    # two actors known by sector alone make no dyad, and an actor is not its own
                    # counterpart: keep the act, not the pair
                    tgt = None
                t_how = t.how if t else "none"
                src, tgt = self._inherit(src, tgt, place), self._inherit(tgt, src, place)
                if tgt is None and etype in ROLES["place_recipient_types"]:
                    # "fired at targets in Jericho", "lifted a curfew in Montenegro", "a protest in
                    # Kirkuk": with no target named, the country where it happens is on the receiving end;
                    # for domestic acts (protests, curbs, concessions) by default the source's own
                    if not wide:
                        wide.append(place or self._wide_place(self._clause(verb), srcs))
                    where = wide[0]
                    country = where.country if where is not None else None
                    if country is None and etype in ROLES["implicit_recipient_types"]:
                        country = src.country
                    tgt = self._state_of(country, ctx)
                    if tgt is not None and _same_actor(src, tgt):
                        tgt = None  # "Nigeria blocked Twitter": the state acting at home has no other party
                    t_how = "implicit" if tgt is not None else t_how
                if tgt is not None and _same_actor(src, tgt):
                    continue
                conf = 0.5 + (0.2 if s.how == "subj" else 0.1) + (0.2 if t_how.startswith(("dobj", "prep", "passive")) else 0.0)
                conf -= 0.2 if "fuzzy" in f"{src.matched}{tgt.matched if tgt else ''}" else 0.0
                conf -= 0.1 if modality != "asserted" else 0.0
                conf -= 0.1 if not (_placed(src) and tgt is not None and _placed(tgt)) else 0.0
                out.append(Event(
                    doc_id=ctx.article.id, sentence=index, text=self._text, event=etype, mode=mode,
                    context=contexts, cameo=code.code, goldstein=code.goldstein, quad_class=code.quad_class,
                    actor=src, recipient=tgt, date=when, date_source=source,
                    location=place or self._fallback_location(src, tgt, code.quad_class, etype),
                    modality=modality, attribution=attribution, confidence=round(max(0.05, min(conf, 0.99)), 3),
                    cue=" ".join(c.text for c in cues), cue_span=(start, end), rule=f"{rule}|{s.how}>{t_how}",
                ))
        return out

    def _unnamed_at_place(self, m: CueMatch, ctx: DocContext) -> list[Role]:
        tok = m.token
        if tok.pos_ in {"NOUN", "PROPN"} and tok.dep_ in P.SUBJ | P.PASS_SUBJ:
            tok = tok.head  # the place hangs off the verb the event noun is subject of
        where = self._wide_place(self._clause(tok), [])
        if where is None or not where.country:
            return []
        agent = next((self.resolve_phrase(t.text, ctx.anchor) for t in m.cue_tokens if t.pos_ == "NOUN"), None)
        sector = agent.sector if agent is not None and not _placed(agent) and agent.sector else None
        actor = Actor(text="", name=None, country=where.country, sector=sector, sectors=[sector] if sector else [],
                      kind="unknown", matched="unnamed@place")
        return [Role(actor, m.token, "unnamed@place")]

    def _date_of(self, text: str, ctx: DocContext) -> tuple[date | None, str]:
        """``resolve_date`` of a clause's text, remembered for the sentence: the events of one clause,
        and clauses that govern several cues, ask about the same text."""
        key = (text, ctx.anchor, ctx.hint)
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = self.resolve_date(text, ctx.anchor, hint_event=ctx.hint)
        return found

    def _phrase_indices(self, roles: list[Role | None]) -> set[int]:
        """Token indices of the roles' full phrases."""
        out: set[int] = set()
        for r in roles:
            if r is not None:
                out.update(range(*self._full(r.token)))
        return out

    def _wide_place(self, clause: list[Token], srcs: list[Role]) -> Location | None:
        """A place anywhere in the clause outside the source's phrase ("a curfew in Montenegro")."""
        if self.locate is None:
            return None
        skip = self._phrase_indices(srcs)
        text = P.text_of([t for t in clause if t.i not in skip])
        return self.locate(text) if text else None

    @staticmethod
    def _inherit(actor: Actor | None, other: Actor | None, place: Location | None) -> Actor | None:
        """An unnamed agent ("demonstrators", "one person", "a judge") takes the country where the event
        happened, else that of the national actor it deals with ("Egyptian police ... demonstrators").
        Not so an unnamed weapon: where it struck, or what it struck, says nothing of whose it was."""
        if actor is None or _placed(actor) or actor.kind != "unknown" or _weapon(actor):
            return actor
        from_other = other is not None and not other.org and other.sector in ROLES["domestic_sectors"]
        country = (place.country if place else None) or (other.country if from_other else None)
        if not country:
            return actor
        return Actor(**{**_fields(actor), "country": country, "matched": (actor.matched or "") + "+inherited"})

    def _state_of(self, iso3: str | None, ctx: DocContext) -> Actor | None:
        if not iso3:
            return None
        country = self.resolver.kb.countries.get(iso3)
        state = self.resolve_phrase(country.name, ctx.anchor) if country else None
        return state if state is not None and state.country == iso3 else None

    def _contexts(self, sent: Span, cue_context: tuple[str, ...]) -> list[str]:
        """PLOVER contexts: the cue's own, then the sentence's keywords (computed once a sentence)."""
        if self.contexts_for is None:
            return list(cue_context)
        key = (sent.doc, sent.start)
        if self._sent_contexts[0] != key:
            self._sent_contexts = (key, self.contexts_for(self._sent_text if sent is self._sent else sent.text))
        return list(dict.fromkeys([*cue_context, *self._sent_contexts[1]]))

    def _fallback_location(self, src: Actor, tgt: Actor | None, quad: int | None, etype: str) -> Location | None:
        """Country level where the text names no place but the event is clearly domestic."""
        if self.country_location is None:
            return None
        if quad == 4 or etype in ROLES["domestic_location_types"]:
            iso = (tgt.country if tgt else None) or src.country
            return self.country_location(iso) if iso else None
        if tgt is not None and src.country and src.country == tgt.country:
            return self.country_location(src.country)
        return None


def _speech_verb_indices(sent: Span) -> list[int]:
    """The indices of the tokens of ``sent`` whose lemma is a speech verb, in order."""
    lemmas = view(sent.doc).lemma_lows
    return [i for i in range(sent.start, sent.end) if lemmas[i] in SPEECH_VERBS]


def _evaluation(dv: DocView, said: list[int]) -> str | None:
    """The evaluative type of what was said (the tokens at ``said`` of the view ``dv``), if its words
    lean one way and are not negated."""
    lowers, lemmas, heads, deps, children = dv.lowers, dv.lemma_lows, dv.heads, dv.deps, dv.children
    counts: dict[str, int] = {}
    for t in said:
        word, lemma = lowers[t], lemmas[t]
        for etype, (_, _, words) in EVALUATIVE.items():
            if (word in words or lemma in words) and not any(deps[c] == "neg" for c in children[heads[t]]):
                counts[etype] = counts.get(etype, 0) + 1
    if not counts:
        return None
    best = max(counts, key=counts.get)
    return best if list(counts.values()).count(counts[best]) == 1 else None


def _placed(actor: Actor | None) -> bool:
    return actor is not None and bool(actor.country or actor.org)


_ATTRIBUTION_SECTORS = frozenset(ROLES["attribution_sectors"])
# the listed weapons with their regular plurals, as the knowledge base adds them to agent words
_WEAPONS = frozenset(f for w in ROLES["ownerless_weapons"] for f in (w, plural(w)) if f)


def _weapon(actor: Actor) -> bool:
    """An unplaced actor that is a weapon ("the drones", "two fighter jets"): its phrase ends in a
    listed head word (``_inherit`` has checked it is unplaced)."""
    if not actor.text:
        return False
    words = actor.text.lower().split()
    return words[-1] in _WEAPONS or " ".join(words[-2:]) in _WEAPONS


def _headline(text: str, sent: Span) -> bool:
    """A headline-like line: short and without final punctuation."""
    return len(sent) <= 20 and not text.rstrip().endswith((".", "!", "?", '"', "”", "'"))


def _content_link(tok: Token) -> bool:
    """Does ``tok`` belong to what its head says, asks or refuses? ("accused NATO of [moving] ...",
    "condemned its decision to [station] weapons", "agreed to set up a command to [coordinate] ...")"""
    dv = view(tok.doc)
    dep = dv.deps[tok.i]
    if dep in {"ccomp", "xcomp", "pcomp", "prep", "acl", "dobj", "pobj"}:
        return True
    if dep == "advcl":  # an infinitive of purpose, not a separate clause ("..., killing two")
        return _purpose(tok)
    return dep == "conj" and dv.pos[dv.heads[tok.i]] in {"NOUN", "PROPN"}


def _reports(speaker: Actor) -> bool:
    """A speaker that reports rather than speaks for a side: media, also a state's ("Syrian state
    media reported ..." credits an outlet; the deed it reports stays the deed)."""
    return bool({speaker.sector, *speaker.sectors} & _ATTRIBUTION_SECTORS)


def _partisan(speaker: Actor) -> bool:
    """A speaker who speaks for a side (a state, its government or forces, an IGO), not a witness,
    lawyer or police source reporting what happened."""
    return speaker.kind in {"state", "igo"} or speaker.sector in ROLES["partisan_sectors"]


def _purpose(tok: Token) -> bool:
    """An infinitive of purpose ("to deepen ties", "in order to end the war")."""
    return view(tok.doc).deps[tok.i] == "advcl" and P.infinitive(tok)


def _aimed_at(speaker: Actor, targets: list[Role]) -> bool:
    """Is a reported hostile act aimed at the speaker's own side (or at no one named)?"""
    if not targets:
        return True
    side = speaker.country or speaker.org
    return any(side and (t.actor.country or t.actor.org) == side for t in targets)


def _drop_echoes(events: list[Event]) -> list[Event]:
    """Drop an event without recipient that repeats one with a recipient in the same sentence ("met
    Armenia ... to discuss debt relief" is one meeting, not a second one with nobody)."""
    full = {(e.event, e.actor.code() if e.actor else None) for e in events if e.recipient is not None}
    return [e for e in events if e.recipient is not None or (e.event, e.actor.code() if e.actor else None) not in full]


def _fields(actor: Actor) -> dict:
    return {f: getattr(actor, f) for f in actor.__slots__}


def _same_actor(a: Actor, b: Actor) -> bool:
    """One actor named twice: the same person, or the same country/organisation and sector."""
    if a.kind == "person" or b.kind == "person":
        return a.kind == b.kind and a.name == b.name
    if a.org and a.org == b.org:
        return True  # "NATO leaders ... the alliance": one organisation, whatever the sector read
    return (a.country, a.org, a.sector, a.name if a.kind == "group" else None) == \
        (b.country, b.org, b.sector, b.name if b.kind == "group" else None)
