"""ActorResolver: one noun phrase -> `Actor` (country / org, sectors, known entity, office on a date).

How a phrase is read:
0. An opening quantity is dropped ("Up to 100 ethnic Albanians", "tens of thousands of ...").
1. Its tokens are matched against the knowledge base, longest name first ("Congress Party" before
   "Congress"); names not found exactly are tried again with a strict spelling tolerance. "NATO-
   member Norway" keeps only the state; a demonym after "ethnic" is a community, not a state.
2. The phrase is split at prepositions. A state or entity after "to" is where an envoy is sent,
   not who acts ("Russia's ambassador to Poland" is RUS); other complements still count
   ("his counterpart in Moscow").
3. A known person wins (name, country, office on the date); then a named group, then an IGO, then a
   place (state, demonym, capital, region, city). Agent words give the sectors: the head word (last
   agent word of the first part that has one) is primary, "former"/"retired" make it ELI.
   Several known people behind one surname: the title or the date picks one; if neither can, what
   they share (country, sector) is kept ("President Bush" is USA GOV).
4. Nothing actor-like -> None; unknown capitalised words with no title are taken for the name of an
   unknown person and also give None ("Douglas Paul James", "Jordan Bardella"), never a guess; a
   phrase about a state is not the state ("the war in Ukraine"); a head noun with no actor word is
   an actor only as a collective ("a team of police") or as the act of a named actor ("the
   deployment of NATO troops"), and compounds that name things are none ("the general election").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from operator import attrgetter

from detente.actors.kb import Agent, Entry, Group, Igo, KnowledgeBase, Person, Place
from detente.actors.match import ENTITY_KINDS, Match, Matcher, capitalised
from detente.actors.names import Token, tokenize
from detente.actors.people import Context, fit, pick_person, shared_reading, term_for
from detente.records import Actor

PLACE_KINDS = ("country", "demonym", "capital", "metonym", "region", "city", "people")
WEAK_PLACES = ("city", "region", "people")
NAME_LIKE_PLACES = ("country", "capital", "city", "region")
NAMED_KINDS = PLACE_KINDS + ENTITY_KINDS  # names, as opposed to generic agent words
CACHE_SIZE = 50_000
_ACTOR_FIELDS = attrgetter(*(f.name for f in fields(Actor)))  # positional copy of an Actor


def copy_actor(actor: Actor | None) -> Actor | None:
    """A caller's own copy of a cached answer (callers may change it), sectors list included."""
    if actor is None:
        return None
    out = Actor(*_ACTOR_FIELDS(actor))
    out.sectors = list(actor.sectors)
    return out


class ActorResolver:
    """Resolves noun phrases to actors against a `KnowledgeBase` (loaded once, see `default_resolver`)."""

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self.kb = kb or KnowledgeBase.load()
        self._scanner = None
        self._cache: dict[tuple[str, dt.date | None], Actor | None] = {}  # the same phrases recur
        # per phrase text: the answer when no date can change it, else the parsed phrase
        # (the same phrase recurs on many dates; only people and dated groups need the date)
        self._parsed: dict[str, tuple[Actor | None, tuple[list[Token], list[Match]] | None]] = {}
        self._quantity_index: dict[str, list[tuple[str, ...]]] = {}
        self._quantity_source: tuple[tuple[str, ...], ...] | None = None
        self._word_union: tuple[frozenset[str], frozenset[str], frozenset[str]] = (frozenset(),) * 3
        self._word_source: tuple[frozenset[str], ...] | None = None
        self.matcher = Matcher(self.kb)
        self._office_sectors: dict[str, list[str]] = {}

    # ------------------------------------------------------------------ public API
    def resolve(self, text: str, date: dt.date | None = None) -> Actor | None:
        """The actor a noun phrase stands for, or None when nothing in it is an actor."""
        if isinstance(date, dt.datetime):
            date = date.date()
        key = (text, date)
        if key in self._cache:
            return copy_actor(self._cache[key])
        actor = self._resolve(text, date)
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = actor
        return copy_actor(actor)

    def clear_cache(self) -> None:
        """Forget every cached answer (benchmarks of the uncached path; after changing the KB)."""
        self._cache.clear()
        self._parsed.clear()
        self._office_sectors.clear()
        self.matcher.clear_cache()

    def _resolve(self, text: str, date: dt.date | None) -> Actor | None:
        parsed = self._parsed.get(text)
        if parsed is None:
            parsed = self._parse(text)
            if len(self._parsed) >= CACHE_SIZE:
                self._parsed.clear()
            self._parsed[text] = parsed
        fixed, dated = parsed
        if dated is None:
            return fixed
        return self._build(text, dated[0], dated[1], date)

    def _parse(self, text: str) -> tuple[Actor | None, tuple[list[Token], list[Match]] | None]:
        """What a phrase says regardless of the date: (answer, None) when the date cannot change
        the answer, else (None, (tokens, matches)) for `_build` to finish on the date."""
        tokens = self._drop_quantity(tokenize(text))
        determiners = self.kb.determiners
        content = [t for t in tokens if t.key not in determiners and not t.key.isdigit()]
        if not content:
            return None, None
        if len(content) == 1 and any(e.kind == "pronoun" for e in self.kb.index.get((content[0].key,), ())):
            return Actor(text=text, sector="UNK", sectors=["UNK"], kind="unknown", matched="agent"), None
        matches = self._drop_membership(tokens, self._drop_name_parts(tokens, self.matcher.match(tokens)))
        matches = self._ethnic_groups(tokens, matches)
        segments = self._segment(tokens, matches)
        if not self._head_is_actor(tokens, matches, segments):
            return None, None
        if _dated(matches):
            return None, (tokens, matches)
        return self._build(text, tokens, matches, None), None

    def scan(self, text: str) -> list[tuple[int, int, str]]:
        """Character spans of actor-like mentions (fast prefilter, no spaCy)."""
        if self._scanner is None:
            from detente.actors.scan import Scanner

            self._scanner = Scanner(self.kb)
        return self._scanner.scan(text)

    def search_nat(self, text: str) -> tuple[str | None, str]:
        """The first state named in a phrase (name, demonym) and the rest of the phrase."""
        tokens = tokenize(text)
        for m in self.matcher.match(tokens):
            entry = m.first("country", "demonym")
            if entry is not None:
                rest = [t.surface for i, t in enumerate(tokens) if not (m.start <= i < m.end)]
                while rest and rest[0].lower() in self.kb.determiners:
                    rest.pop(0)
                return entry.ref.country, " ".join(rest)
        return None, text.strip()

    def agent_sectors(self, text: str) -> list[str]:
        """Sectors from the agent words of a phrase alone (no entities), primary first."""
        tokens = tokenize(text)
        matches = self.matcher.match(tokens)
        self._segment(tokens, matches)
        return self._sectors(matches)

    def office_sectors(self, office: str | None) -> list[str]:
        """The sectors an office's title names ("Minister of Defence of Russia": GOV, MIL), kept per
        title: a person named without a title still holds the office ("Belousov" is military too)."""
        if not office:
            return []
        found = self._office_sectors.get(office)
        if found is None:
            found = self._office_sectors[office] = self.agent_sectors(office)
        return found

    def _segment(self, tokens: list[Token], matches: list[Match]) -> list[int]:
        """Number the parts of the phrase between prepositions; flag parts introduced by "to".
        Returns the part number of every token."""
        inside = {i for m in matches for i in range(m.start, m.end)}
        seg, to_seg, marks = 0, False, []
        for i, t in enumerate(tokens):
            if i not in inside and t.key in self.kb.prepositions:
                seg += 1
                to_seg = t.key == "to"
            marks.append((seg, to_seg))
        for m in matches:
            m.segment, m.to_segment = marks[m.start]
        return [seg for seg, _ in marks]

    def _drop_quantity(self, tokens: list[Token]) -> list[Token]:
        """Drop an opening quantity ("Up to 100", "more than 2,000", "tens of thousands of"): what
        follows is the actor. Nothing is dropped when nothing would be left."""
        i, n = 0, len(tokens)
        by_first = self._quantities()
        keys = tuple(t.key for t in tokens)
        while i < n:
            q = next((q for q in by_first.get(keys[i], ()) if keys[i : i + len(q)] == q), None)
            if q is None:
                break
            i += len(q)
            while i < n and (tokens[i].key.isdigit() or tokens[i].key == "of"):
                i += 1
        return tokens[i:] if 0 < i < n else tokens

    def _word_sets(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """Unions of the KB's word sets the rules skip over, made once (not on every phrase):
        (determiners | prepositions | place words, determiners | prepositions, determiners | place words)."""
        kb, seen = self.kb, self._word_source
        d, p, w = kb.determiners, kb.prepositions, kb.place_words
        if seen is None or not (d is seen[0] and p is seen[1] and w is seen[2]):
            self._word_union, self._word_source = (d | p | w, d | p, d | w), (d, p, w)
        return self._word_union

    def _quantities(self) -> dict[str, list[tuple[str, ...]]]:
        """The KB's quantity phrases by first word, longest first as in the KB (built on first use)."""
        if self._quantity_source is not self.kb.quantities:
            index: dict[str, list[tuple[str, ...]]] = {}
            for q in self.kb.quantities:
                if q:
                    index.setdefault(q[0], []).append(q)
            self._quantity_index, self._quantity_source = index, self.kb.quantities
        return self._quantity_index

    def _ethnic_groups(self, tokens: list[Token], matches: list[Match]) -> list[Match]:
        """"ethnic Albanians": a demonym after an ethnic marker is a community (CVL, weak) with no
        state of its own; a state named elsewhere ("... in south Serbia") gives the country."""
        out = []
        for m in matches:
            e = m.first("demonym")
            if e is not None and m.start > 0 and tokens[m.start - 1].key in self.kb.ethnic_markers:
                m = Match(m.start, m.end, [Entry("agent", Agent(e.surface, ("CVL",), weak=True), e.surface, proper=False)])
            out.append(m)
        return out

    def _drop_membership(self, tokens: list[Token], matches: list[Match]) -> list[Match]:
        """"NATO-member Norway", "EU member Poland": the IGO and the member word describe the state
        that follows; only the state is kept."""
        out, skip = [], set()
        for k, m in enumerate(matches):
            if k in skip:
                continue
            if m.first("igo") and not m.first("country", "demonym"):
                for w in self.kb.igo_member_words:
                    if tuple(t.key for t in tokens[m.end : m.end + len(w)]) != w:
                        continue
                    after = m.end + len(w)
                    state = next((j for j, o in enumerate(matches) if o.start == after and o.first("country", "demonym")), None)
                    if state is not None:  # drop the IGO and whatever matched the member word
                        skip.update(j for j, o in enumerate(matches) if m.end <= o.start < after)
                        break
                else:
                    out.append(m)
                continue
            out.append(m)
        return out

    def _drop_name_parts(self, tokens: list[Token], matches: list[Match]) -> list[Match]:
        """A one-word place next to an unknown capitalised word is part of another name: "Jordan
        Bardella" is a person, "Washington Nationals" a team, neither Jordan nor Washington."""
        covered = {i for m in matches for i in range(m.start, m.end)}
        skip = self._word_sets()[0]  # determiners, prepositions, place words ("South Lebanon")

        def unknown_name_word(i: int) -> bool:
            if i < 0 or i >= len(tokens) or i in covered:
                return False
            t = tokens[i]
            return capitalised(t) and not t.is_upper and t.key not in skip and not t.key.isdigit()

        out = []
        for m in matches:
            if m.start > 0 and tokens[m.start - 1].key in self.kb.stance_prefixes and m.first(*PLACE_KINDS):
                continue  # "pro-Russia rebels"
            if m.end < len(tokens) and tokens[m.end].key in self.kb.stance_suffixes and not m.first(*ENTITY_KINDS):
                continue  # "US-backed rebels", "military-installed government"
            if m.end - m.start == 1 and all(e.kind in NAME_LIKE_PLACES for e in m.entries):
                # after the place, only a state name that is also a given name ("Jordan", "Chad")
                # gives way: "Kenya Airways" and "Iran International" still belong to their state
                weak = all(e.kind != "country" or e.ref.name_like for e in m.entries)
                own = not _possessive(tokens[m.start])
                if unknown_name_word(m.start - 1) or (weak and own and unknown_name_word(m.end)):
                    continue
            out.append(m)
        return out

    def _head_is_actor(self, tokens: list[Token], matches: list[Match], segments: list[int]) -> bool:
        """The first part of the phrase with content must name something: "the war in Ukraine" is
        about Ukraine but is not Ukraine ("regions across Indonesia" is, through "regions")."""
        skip = self._word_sets()[1]  # determiners and prepositions
        head = next((segments[i] for i, t in enumerate(tokens) if t.key not in skip and not t.key.isdigit()), None)
        if head is None:
            return False
        if any(segments[m.start] == head and not m.first("thing") for m in matches):
            return True
        if any(segments[m.start] == head for m in matches):
            return False  # the head names a thing ("the general election", "a press conference")
        # a head with no actor word of its own may still be a collective of people: "a team of
        # heavily armed police", "chairman of the company's board"; or an act or thing of a named
        # actor, which news coders code as that actor ("the first deployment of NATO troops", "a
        # demand from the US President"); a thing about a generic agent word is no actor ("the
        # target of spending 2% on defence" is not the military)
        collective = any(segments[i] == head and t.key in self.kb.complement_heads for i, t in enumerate(tokens))
        if collective:  # "a team of police", "allies of Putin"
            return any((m.first("agent") or m.first(*NAMED_KINDS)) and not m.to_segment for m in matches)
        # only an "of"/"from"/"by" complement says whose act it is ("the war in Ukraine", "talks
        # with Russia" are not Ukraine or Russia); a place noun is no act ("the capital of Ukraine")
        if any(segments[i] == head and t.key in self.kb.place_heads for i, t in enumerate(tokens)):
            return False
        opener: dict[int, str] = {}
        for i, t in enumerate(tokens):
            if i and segments[i] != segments[i - 1]:
                opener[segments[i]] = t.key
        return any(m.first(*NAMED_KINDS) and opener.get(segments[m.start]) in self.kb.actor_prepositions for m in matches)

    # ------------------------------------------------------------------ building the actor
    def _build(self, text: str, tokens: list[Token], matches: list[Match], date: dt.date | None) -> Actor | None:
        usable = [m for m in matches if not m.to_segment]
        agents = [m for m in usable if m.first("agent")]
        # "Austin's Russian counterpart", "Putin's spokesman": a possessive person followed by a title
        # is not the actor; only their country is kept, for when the phrase names no other state
        owners = [m for m in usable if m.first("person") and _possessive(tokens[m.end - 1]) and any(a.start >= m.end for a in agents)]
        owner_country = next((o.first("person").ref.country for o in owners), None)
        entity = _first_entity([m for m in usable if m not in owners], agents, self._explicit_country(usable))
        places = [m for m in usable if m.first(*PLACE_KINDS)]
        sectors = self._sectors(usable)
        mods = [e.ref.sectors[0] for m in usable if (e := m.first("modifier"))]
        if entity is None and not places and not agents and not owner_country and not (set(mods) - {"ELI"}):
            return None
        strong_place = any(m.first("country", "demonym", "capital", "metonym") for m in usable)
        if entity is None and not agents and not strong_place and _unknown_name(tokens, matches, self._word_sets()[2], self.kb.prepositions):
            return None
        actor = Actor(text=text)
        explicit_country = self._explicit_country(usable)
        if entity is not None:
            e = entity.first(*ENTITY_KINDS)
            assert e is not None
            actor.matched = "fuzzy" if entity.fuzzy else ("alias" if e.alias else "exact")
            if e.kind == "person":
                ctx = Context(
                    sectors=sectors,
                    titles=[m.first("agent").ref.phrase.lower() for m in agents],
                    orgs={i.ref.code for m in usable if (i := m.first("igo"))},
                    country=explicit_country,
                )
                self._person(actor, entity, e.ref, date, ctx)
            elif e.kind == "group":
                g: Group = e.ref
                actor.kind, actor.name, actor.wikidata = "group", g.name, g.wikidata
                actor.country = g.country or explicit_country
                actor.sectors = _merge(list(g.sectors_on(date)), sectors)
            else:
                o: Igo = e.ref
                actor.kind, actor.name, actor.wikidata, actor.org = "igo", o.name, o.wikidata, o.code
                actor.sectors = _merge([o.sector] if o.sector else [], sectors) if o.sector else sectors
        else:
            place: Place | None = explicit_country_place(usable)
            actor.kind = "state" if place else "unknown"
            actor.matched = "title" if (place and (agents or mods)) else ("exact" if place else "agent")
            if place:
                p_entry = next(m.first(*PLACE_KINDS) for m in usable if m.first(*PLACE_KINDS))
                actor.country = place.country
                own = self.kb.countries.get(place.country)
                actor.name = place.name if p_entry.kind in ("capital", "metonym", "city", "region", "people") else (own.name if own else None)
                if p_entry.kind == "country" and own and not agents:
                    actor.wikidata = own.wikidata
                if p_entry.alias:
                    actor.matched = "alias" if not agents else actor.matched
                # a community named with its state ("Chinese Uighurs") is civilian unless titled
                community = next((list(e.ref.sectors) for m in usable if (e := m.first("people"))), [])
                actor.sectors = sectors or list(place.sectors) or community
            else:
                actor.country = owner_country
                actor.kind = "state" if owner_country else "unknown"
                owner_state = self.kb.countries.get(owner_country or "")
                actor.name = owner_state.name if owner_state else None
                actor.sectors = sectors
        if mods and actor.kind != "person":  # "former Hamas official": ELI before the group's REB
            actor.sectors = _merge(mods, actor.sectors)
        actor.sector = actor.sectors[0] if actor.sectors else None
        if actor.kind == "unknown" and not actor.sectors and not actor.country:
            return None  # e.g. a surname shared by several people and nothing else
        return actor

    def _person(self, actor: Actor, match: Match, person: Person, date: dt.date | None, ctx: Context) -> None:
        """Fill a person's actor: the office held on `date` (or the latest), ELI when out of office."""
        actor.kind, actor.name, actor.wikidata = "person", person.name, person.wikidata
        if len(match.entries) > 1:  # several people share the surname: the one in office wins
            people = [e.ref for e in match.entries if e.kind == "person"]
            chosen = pick_person(people, date, ctx.titles)
            if chosen is None:  # cannot tell who: keep what the rest of the phrase says
                actor.kind, actor.name, actor.wikidata, actor.matched = "unknown", None, None, "title"
                states = {p.country for p in people}
                actor.country = ctx.country or (states.pop() if len(states) == 1 else None)
                shared_country, shared_sectors = shared_reading(people, date, ctx)
                if shared_country and shared_country in self.kb.countries and (ctx.country in (None, shared_country)):
                    actor.country = shared_country
                    actor.sectors = _merge(ctx.sectors, shared_sectors)  # the title first, if any
                else:
                    actor.sectors = ctx.sectors
                if actor.country:  # "President Bush": one of two American presidents
                    actor.kind = "state"
                    actor.name = self.kb.countries[actor.country].name if actor.country in self.kb.countries else None
                return
            person = chosen
            actor.name, actor.wikidata = person.name, person.wikidata
        title = ctx.sectors
        term, state = term_for(person, date, ctx)
        modifier = "ELI" in title[:1]
        if term is None:  # not (yet) in office on the date: former office holders are ELI
            actor.country = person.country
            actor.sectors = _merge(["ELI"], title) if state == "former" else title
            return
        actor.country, actor.org = term.country, term.org
        if date is None and title and not modifier and fit(term, ctx) < 2:
            # undated, and the title names an office the knowledge base does not have for this
            # person ("US Senator Marco Rubio" without his Senate term): the phrase wins
            actor.sectors = list(title)
            return
        actor.office = term.office if state in ("current", "latest") else None
        own = _merge([s for s in term.sectors if s], self.office_sectors(term.office)) if state == "current" else ["ELI"]
        actor.sectors = _merge(["ELI"] if modifier else own, title)
        if not actor.wikidata:
            actor.wikidata = term.wikidata

    def _sectors(self, matches: list[Match]) -> list[str]:
        """Sectors from agent words: modifiers first, then the head word of the first part that has a
        strong agent word, then the other agent words; weak words ("leader") only when alone."""
        usable = [m for m in matches if not m.to_segment]
        strong = [(m, e.ref) for m in usable if (e := m.first("agent")) and not e.ref.weak]
        weak = [(m, e.ref) for m in usable if (e := m.first("agent")) and e.ref.weak]
        mods = [e.ref.sectors[0] for m in usable if (e := m.first("modifier"))]
        ordered: list[Agent] = []
        if strong:
            head_seg = min(m.segment for m, _ in strong)
            head = [a for m, a in strong if m.segment == head_seg]
            ordered = list(reversed(head)) + [a for m, a in strong if m.segment != head_seg]
        elif weak:  # only the head's weak word: "community leader" is a leader (GOV), not CVL + GOV
            head_seg = min(m.segment for m, _ in weak)
            ordered = [[a for m, a in weak if m.segment == head_seg][-1]]
        out: list[str] = list(mods)
        for a in ordered:
            out = _merge(out, list(a.sectors))
        return out

    def _explicit_country(self, matches: list[Match]) -> str | None:
        place = explicit_country_place(matches)
        return place.country if place else None


# ---------------------------------------------------------------------- helpers
def explicit_country_place(matches: list[Match]) -> Place | None:
    """The first place named outside "to" complements (state names before cities)."""
    places = [(m, m.first(*PLACE_KINDS)) for m in matches if not m.to_segment and m.first(*PLACE_KINDS)]
    strong = [e.ref for m, e in places if e.kind not in WEAK_PLACES]
    if strong:
        return strong[0]
    return places[0][1].ref if places else None


def _first_entity(matches: list[Match], agents: list[Match], country: str | None) -> Match | None:
    """Person > group > IGO. A group whose name is also an agent word ("Congress") yields to the
    agent reading when the phrase names another state ("Indian Congress"); an IGO between a state
    and a title is where the title serves ("Russia's UN ambassador", "Chinese UN peacekeepers")."""
    for kind in ENTITY_KINDS:
        for m in matches:
            e = m.first(kind)
            if e is None:
                continue
            if kind == "group" and m.first("agent") and country and e.ref.country not in (None, country):
                continue
            if kind == "igo" and _state_before(matches, m) and any(a.start >= m.end for a in agents):
                continue
            return m
    return None


def _dated(matches: list[Match]) -> bool:
    """Can the date change the reading? Only people (offices) and groups with dated periods."""
    for m in matches:
        for e in m.entries:
            if e.kind == "person" or (e.kind == "group" and e.ref.periods):
                return True
    return False


def _state_before(matches: list[Match], m: Match) -> bool:
    return any(o.end <= m.start and o.first("country", "demonym", "capital") for o in matches)


def _possessive(t: Token) -> bool:
    return t.surface.endswith(("'s", "s'"))


def _unknown_name(tokens: list[Token], matches: list[Match], determiners: frozenset[str], preps: frozenset[str]) -> bool:
    """True when the phrase has capitalised words that nothing matched (the name of someone unknown)
    and no entity: "Leon Bobb" is a person, not the Mexican city of León."""
    covered = {i for m in matches for i in range(m.start, m.end)}
    for i, t in enumerate(tokens):
        if i in covered or t.key in determiners or t.key in preps:
            continue
        if capitalised(t) and not t.is_upper:
            return True
    return False


def _merge(first: list[str], more: list[str]) -> list[str]:
    """`first`, then what `more` adds; "unknown" (UNK) adds nothing to a known sector."""
    out = list(first)
    for s in more:
        if s and s not in out and not (s == "UNK" and out):
            out.append(s)
    return out
