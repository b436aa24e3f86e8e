"""The cue lexicon: which words signal which PLOVER event, and matching them in a parsed sentence.

The entries live in ``data/cues/<type>.yaml`` (schema in ``data/cues/README.md``) so that a political
scientist can read and extend them; this module loads and validates them against the ontology, offers
a fast spaCy-free prefilter (``scan``) and finds cues in a dependency-parsed sentence (``match``).
The coder (``detente.events.coder``) then finds source and target around the returned token.

``scan`` and ``match`` share one set of surface forms generated from the cue lemmas (suffix rules plus
the irregular table ``data/verb_forms.tsv``): ``match`` only accepts a head word, object, particle,
preposition or light verb whose lower-case text is one of those forms, and ``scan`` answers True only
when the words an entry needs all occur, so the prefilter can never drop a sentence ``match`` would code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable

from detente.data import load_table, load_yaml, table_names
from detente.events.ontology import CameoCode, Ontology, OntologyError, default_ontology
from detente.events.phrases import infinitive
from detente.events.view import view

if TYPE_CHECKING:  # spaCy is only needed by ``match``; ``scan`` must stay import-light
    from spacy.tokens import Span, Token

_WORD = re.compile(r"[^\W\d_]+")
# ASCII text, byte by byte: the letters kept (all that _WORD matches there), the rest made spaces
_ASCII_LETTERS = bytes(c if chr(c).isascii() and chr(c).isalpha() else 32 for c in range(256))


def _word_set(low: str) -> set[str]:
    """The words (``_WORD``) of a lower-cased text; ASCII text is split in C, twice as fast."""
    if low.isascii():
        return set(low.encode().translate(_ASCII_LETTERS).decode().split())
    return set(_WORD.findall(low))


_PHRASE_PART = re.compile(r"[^\W_]+|[^\w\s]")

# Dependency labels (ClearNLP scheme of the English spaCy pipelines) by role.
_OBJ_DEPS = frozenset({"dobj", "obj", "nsubjpass", "attr", "oprd", "dative"})
_PREP_DEPS = frozenset({"prep", "agent", "dative"})
_PRT_DEPS = frozenset({"prt", "advmod", "prep", "npadvmod", "acomp", "oprd"})
_XCOMP_DEPS = frozenset({"xcomp", "ccomp", "advcl"})
_VERB_TAGS = ("VB",)
# subjects that make "X must ..." the speaker's own resolve or a generic remark, not a request to others
_SELF_SUBJECTS = frozenset({"we", "i", "this", "that", "it", "there", "one", "you", "everyone", "everybody"})
_NOUN_POS = frozenset({"NOUN"})
NAMED_OBJECT = "@name"  # an `object` item: any proper noun (a named person or people) is the object
_NOUN_COMPLEMENT_PREPS = frozenset({"of", "to"})  # not PROPN: "March" is a month, "Strike" a name

_KNOWN_KEYS = frozenset({
    "id", "type", "verbs", "adjectives", "auxiliaries", "nouns", "light_verbs", "particle", "object",
    "not_object", "prep", "xcomp", "subject", "reverse", "mode", "cameo", "context", "priority", "note",
    "examples", "participants", "occurrence",
})


@dataclass(frozen=True, slots=True)
class CueEntry:
    """One lexicon entry, as written in a cue file (lists are normalised to lower-case tuples)."""

    id: str
    type: str
    mode: str | None
    cameo: str
    context: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()  # predicative adjectives: "ready to", "willing to"
    auxiliaries: tuple[str, ...] = ()  # modals in a reported clause: "X said Y [must] withdraw"
    nouns: tuple[tuple[str, ...], ...] = ()  # each noun cue split into words: ("hunger", "strike")
    light_verbs: tuple[str, ...] = ()
    particle: tuple[str, ...] = ()
    object: tuple[str, ...] = ()  # for noun cues: a required modifier ("joint" exercises)
    not_object: tuple[str, ...] = ()
    prep: tuple[str, ...] = ()
    xcomp: tuple[str, ...] = ()  # "*" = any verbal complement
    subject: tuple[str, ...] = ()  # required subject word ("troops" left, "peacekeepers" arrived)
    reverse: bool = False  # the grammatical subject is the recipient ("Ukraine received aid from Germany")
    participants: bool = False  # the nouns name who takes part ("protesters"), not the event itself
    occurrence: bool = True  # the noun also stands with a verb of occurrence ("talks began")
    priority: int = 0
    source: str = ""

    @property
    def requirements(self) -> int:
        """How many conditions the entry sets beyond its head word: more conditions, more specific."""
        return sum(bool(x) for x in (self.light_verbs, self.particle, self.object, self.prep, self.xcomp,
                                     self.subject))


@dataclass(slots=True)
class CueMatch:
    """A cue found in a sentence. ``token`` governs the event (verb, light verb, or the noun)."""

    entry: CueEntry
    token: "Token"
    cue_tokens: list["Token"]
    char_span: tuple[int, int]
    obj: "Token | None" = None
    prep_tokens: list["Token"] = field(default_factory=list)
    cameo_info: CameoCode | None = None
    extra_words: int = 0  # words of a multi-word noun cue beyond its head: each makes the match more specific

    @property
    def type(self) -> str:
        return self.entry.type

    @property
    def mode(self) -> str | None:
        return self.entry.mode

    @property
    def cameo(self) -> str:
        return self.entry.cameo

    @property
    def goldstein(self) -> float:
        return self.cameo_info.goldstein if self.cameo_info else 0.0

    @property
    def quad_class(self) -> int:
        return self.cameo_info.quad_class if self.cameo_info else 0

    @property
    def text(self) -> str:
        """The cue words in sentence order ("imposed sanctions")."""
        return " ".join(t.text for t in sorted(self.cue_tokens, key=lambda t: t.i))


def lemma_of(tok: "Token") -> str:
    """The token's lower-case lemma, repaired where the English pipeline's rule lemmatizer strips the
    last "s" of a base form ending in "ss" ("willingness" -> "willingnes", "discuss" -> "discus")."""
    return view(tok.doc).lemma_keys[tok.i]


# --- word forms ------------------------------------------------------------------------------

_VOWELS = set("aeiou")


def _irregular() -> dict[str, list[str]]:
    return {row["lemma"]: row["forms"].split() for row in load_table("verb_forms.tsv")}


def verb_forms(lemma: str, irregular: dict[str, list[str]] | None = None) -> set[str]:
    """Every inflected form of a verb lemma: suffix rules, both doubled and plain, plus irregulars."""
    w = lemma.lower()
    forms = {w}
    if w.endswith(("s", "x", "z", "ch", "sh", "o")):
        forms.add(w + "es")
    elif w.endswith("y") and len(w) > 1 and w[-2] not in _VOWELS:
        forms.add(w[:-1] + "ies")
    else:
        forms.add(w + "s")
    if w.endswith("ie"):
        forms |= {w + "d", w[:-2] + "ying"}
    elif w.endswith("ee"):
        forms |= {w + "d", w + "ing"}
    elif w.endswith("e"):
        forms |= {w + "d", w[:-1] + "ing", w + "ing"}
    elif w.endswith("y") and len(w) > 1 and w[-2] not in _VOWELS:
        forms |= {w[:-1] + "ied", w + "ing"}
    else:
        forms |= {w + "ed", w + "ing"}
        if len(w) >= 3 and w[-1] not in _VOWELS | {"w", "x", "y"} and w[-2] in _VOWELS and w[-3] not in _VOWELS:
            forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}  # plan -> planned; also "targetted" spellings
        if w.endswith("c"):
            forms |= {w + "ked", w + "king"}
    forms |= set((irregular or {}).get(w, ()))
    return forms


def noun_forms(word: str, irregular: dict[str, list[str]] | None = None) -> set[str]:
    """Singular and plural of a noun (irregular plurals from the same table as verbs)."""
    w = word.lower()
    forms = {w} | set((irregular or {}).get(w, ()))
    if w.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(w + "es")
    elif w.endswith("y") and len(w) > 1 and w[-2] not in _VOWELS:
        forms.add(w[:-1] + "ies")
    else:
        forms.add(w + "s")
    return forms


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(p.lower() for p in _PHRASE_PART.findall(phrase))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if any(isinstance(v, bool) for v in value):  # YAML reads bare on/off/yes/no as booleans
        raise ValueError(f"{value}: quote words like \"on\", \"off\", \"no\" in cue files")
    return [str(v) for v in value]


# --- lexicon ---------------------------------------------------------------------------------


class CueLexiconError(ValueError):
    """A cue file has a bad entry; the message names the file and the entry id."""


@dataclass(frozen=True, slots=True)
class _Gate:
    """The surface forms an entry needs, used by both ``scan`` and ``match`` so that they agree."""

    verb_heads: frozenset[str]
    noun_phrases: tuple[tuple[frozenset[str], tuple[frozenset[str], ...]], ...]  # head forms, preceding words
    objects: tuple[tuple[frozenset[str], tuple[frozenset[str], ...]], ...]  # last-word forms, other words
    particle: frozenset[str]
    subject: tuple[tuple[frozenset[str], tuple[frozenset[str], ...]], ...]
    prep: frozenset[str]
    light: frozenset[str]
    xcomp: frozenset[str] | None  # None = any complement
    named_object: bool = False  # "@name" in the entry's objects: a proper noun object also counts
    # the last-word forms of all ``objects`` when one of them is required ("*" and "@name" accept any)
    object_heads: frozenset[str] | None = None

    def object_possible(self, words: set[str]) -> bool:
        """Can an object among these word forms (objects' and their modifiers' lower forms) satisfy
        the entry's ``objects``? A necessary condition of ``_match_verb``, checked once per entry and
        verb instead of once per object; True when the entry does not require a listed object word."""
        return self.object_heads is None or not self.object_heads.isdisjoint(words)

    def needs(self) -> list[frozenset[str]]:
        """Word sets of which the text must contain at least one each, besides the head word."""
        req = [x for x in (self.particle, self.prep, self.light, self.xcomp) if x]
        if self.subject:
            req.append(frozenset().union(*(o[0] for o in self.subject)))
        if self.objects and not self.named_object:
            req.append(frozenset().union(*(o[0] for o in self.objects)))
        return req


class CueLexicon:
    """All cue entries, indexed by head word; use ``default_lexicon()`` for the shared instance."""

    def __init__(self, files: Iterable[str] | None = None, ontology: Ontology | None = None) -> None:
        self.ontology = ontology or default_ontology()
        self.entries: list[CueEntry] = []
        for name in files if files is not None else table_names("cues", ".yaml"):
            self.entries.extend(self._load_file(name))
        irregular = _irregular()
        # irregular form -> lemma, for forms the lemmatizer does not know ("retook" -> "retake")
        self._irregular_lemma = {f: lemma for lemma, forms in irregular.items() for f in forms}
        self._gates: dict[str, _Gate] = {e.id: self._gate(e, irregular) for e in self.entries}
        self._by_verb: dict[str, list[CueEntry]] = {}
        self._verb_entry_cache: dict[tuple[str, str], list[CueEntry]] = {}  # see ``_verb_entries``
        self._by_noun: dict[str, list[CueEntry]] = {}
        self._noun_slots: dict[str, dict[str, tuple[int, ...]]] = {}
        self._verb_forms: dict[str, list[CueEntry]] | None = None
        # scan index: head form -> [(entry, alternative requirement lists)]
        self._scan: dict[str, list[tuple[CueEntry, list[frozenset[str]]]]] = {}
        for e in self.entries:
            g = self._gates[e.id]
            for v in (*e.verbs, *e.adjectives, *e.auxiliaries):
                self._by_verb.setdefault(v, []).append(e)
            for words in e.nouns:
                self._by_noun.setdefault(words[-1], []).append(e)
            # head form -> positions in ``e.nouns`` of the nouns it may head, in order (``_match_noun``)
            slots: dict[str, list[int]] = {}
            for k, (heads, _) in enumerate(g.noun_phrases):
                for form in heads:
                    slots.setdefault(form, []).append(k)
            self._noun_slots[e.id] = {form: tuple(ks) for form, ks in slots.items()}
            for form in g.verb_heads:
                self._scan.setdefault(form, []).append((e, g.needs()))
            for heads, before in g.noun_phrases:
                for form in heads:
                    self._scan.setdefault(form, []).append((e, [*before, *g.needs()]))
        # evaluative words of reported speech: the coder turns "X said <hostile words about Y>" into an
        # event, so the prefilter keeps such sentences too (a superset of what ``match`` finds)
        self._evaluative = frozenset(
            p for w in load_yaml("speech.yaml")["evaluative"].values() for word in w["words"]
            for p in _WORD.findall(str(word).lower())
        )
        self.forms: frozenset[str] = frozenset(self._scan) | self._evaluative
        # words that are a cue on their own (an entry with no further requirement), or evaluative
        self._free = frozenset(f for f, lst in self._scan.items() if any(not needs for _, needs in lst)) | self._evaluative
        self._scan = {f: [x for x in lst if x[1]] for f, lst in self._scan.items() if f not in self._free}

    @staticmethod
    def _gate(e: CueEntry, irregular: dict[str, list[str]]) -> _Gate:
        def any_forms(word: str) -> frozenset[str]:
            return frozenset(verb_forms(word, irregular) | noun_forms(word, irregular))

        def phrase(words: Iterable[str]) -> list[str]:
            return [p for w in words for p in _WORD.findall(w)]

        verb_heads = frozenset().union(*(verb_forms(v, irregular) for v in e.verbs), e.adjectives, e.auxiliaries)
        nouns = tuple(
            (frozenset(noun_forms(ws[-1], irregular)), tuple(any_forms(w) for w in phrase(ws[:-1])))
            for ws in e.nouns
        )
        objects = []
        for item in e.object:
            if item in ("*", NAMED_OBJECT):  # handled in _match_verb, no word to require
                continue
            parts = phrase([item])
            if parts:
                objects.append((any_forms(parts[-1]), tuple(any_forms(w) for w in parts[:-1])))
        return _Gate(
            verb_heads=verb_heads,
            noun_phrases=nouns,
            objects=tuple(objects),
            particle=frozenset(e.particle),
            subject=tuple((any_forms(p[-1]), tuple(any_forms(w) for w in p[:-1]))
                          for p in (phrase([w]) for w in e.subject) if p),
            prep=frozenset(e.prep),
            # a noun cue may also stand with a verb or adjective of occurrence ("talks began"), so the
            # prefilter accepts those words in place of a light verb
            light=frozenset().union(*(verb_forms(v, irregular) for v in e.light_verbs),
                                    *((_occurrence_forms(irregular),) if e.nouns and e.light_verbs else ())),
            xcomp=None if "*" in e.xcomp or not e.xcomp else frozenset().union(
                *(verb_forms(v, irregular) for v in e.xcomp)),
            named_object=NAMED_OBJECT in e.object,
            object_heads=(frozenset().union(*(last for last, _ in objects))
                          if objects and "*" not in e.object and NAMED_OBJECT not in e.object else None),
        )

    def _load_file(self, name: str) -> list[CueEntry]:
        raw = load_yaml(name) or []
        file_type = name.rsplit("/", 1)[-1].removesuffix(".yaml").upper()
        if not isinstance(raw, list):
            raise CueLexiconError(f"{name}: expected a list of entries")
        out = []
        for i, item in enumerate(raw):
            ident = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
            try:
                out.append(self._parse(item, file_type, name))
            except (OntologyError, KeyError, TypeError, ValueError) as exc:
                raise CueLexiconError(f"{name}: entry {ident}: {exc}") from None
        return out

    def _parse(self, item: dict[str, Any], file_type: str, source: str) -> CueEntry:
        unknown = set(item) - _KNOWN_KEYS
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)}")
        if "id" not in item:
            raise ValueError("missing 'id'")
        etype = str(item.get("type", file_type)).upper()
        mode = item.get("mode") or None
        cameo = item.get("cameo")
        cameo = str(cameo) if cameo is not None else self.ontology.default_cameo(etype, mode)
        self.ontology.validate(etype, mode, cameo)
        contexts = tuple(_as_list(item.get("context")))
        for c in contexts:
            if c not in self.ontology.contexts():
                raise ValueError(f"unknown context {c!r}")
        low = lambda k: tuple(s.lower() for s in _as_list(item.get(k)))  # noqa: E731
        nouns = tuple(_words(n) for n in _as_list(item.get("nouns")))
        if not (low("verbs") or low("adjectives") or low("auxiliaries") or nouns):
            raise ValueError("an entry needs 'verbs', 'adjectives', 'auxiliaries' or 'nouns'")
        return CueEntry(
            id=str(item["id"]), type=etype, mode=mode, cameo=cameo, context=contexts, verbs=low("verbs"),
            adjectives=low("adjectives"), auxiliaries=low("auxiliaries"), nouns=nouns,
            light_verbs=low("light_verbs"), particle=low("particle"), object=low("object"),
            not_object=low("not_object"), prep=low("prep"), xcomp=low("xcomp"), subject=low("subject"),
            reverse=bool(item.get("reverse", False)), participants=bool(item.get("participants", False)),
            occurrence=bool(item.get("occurrence", True)),
            priority=int(item.get("priority", 0)), source=source,
        )

    # --- prefilter -------------------------------------------------------------------------
    def scan(self, text: str) -> bool:
        """Could this sentence hold a cue? No parsing: a cue head word must occur together with at
        least one word of each set its entry requires (object, preposition, particle, light verb).
        These are necessary conditions of ``match``, so a sentence dropped here has no cue."""
        words = _word_set(text.lower())
        if not self._free.isdisjoint(words):
            return True
        for w in words:
            for _, needs in self._scan.get(w, ()):
                if all(not n.isdisjoint(words) for n in needs):
                    return True
        return False

    # --- matching on a parse ---------------------------------------------------------------
    def match(self, sent: "Span", background: bool = False) -> list[CueMatch]:
        """The most specific entry for every cue token of a parsed sentence, in sentence order.

        Nominal cues inside a time or cause adjunct ("after violent *protests*", "amid *shelling*")
        name the background of the reported event, not an event of the sentence's actors; they are
        left out unless ``background`` is true."""
        best: dict[int, CueMatch] = {}
        _MODS.clear()
        _PASSIVE_SUBJECTS.clear()
        dv = view(sent.doc)
        for tok in _tokens_among(sent, self.forms):
            i = tok.i
            low = dv.lowers[i]
            lemma = dv.lemma_keys[i]
            tag, pos = dv.tags[i], dv.pos[i]
            cands: list[CueMatch] = []
            verb_entries = self._verb_entries(lemma, low)
            objs = _objects(tok) if verb_entries else []
            if tag.startswith(_VERB_TAGS) or _predicate(tok):
                for e in self._object_possible(verb_entries, tok, objs):
                    if e.verbs:
                        m = self._match_verb(e, tok, sent, objs)
                        if m:
                            cands.append(m)
            elif tag == "MD":
                # an obligation in a reported clause ("said Y must return"): the cue governs the verb
                h = dv.heads[i]
                subj = [c for c in dv.children[h] if dv.deps[c] in ("nsubj", "nsubjpass")]
                if (dv.deps[i] == "aux" and dv.deps[h] == "ccomp" and dv.pos[dv.heads[h]] in ("VERB", "AUX")
                        and subj and dv.lowers[subj[0]] not in _SELF_SUBJECTS):
                    head = dv.tokens[h]
                    for e in verb_entries:
                        if low in e.auxiliaries:
                            cands.append(self._finish(e, head, [tok, head], sent, None, []))
            elif pos == "ADJ":
                for e in self._object_possible(verb_entries, tok, objs):
                    if low in e.adjectives:
                        m = self._match_verb(e, tok, sent, objs)
                        if m:
                            cands.append(m)
            # a noun cue that only modifies another noun names a kind of thing, not an event: "[riot]
            # police", "[aid] workers", "[attack] helicopters"
            modifier = dv.deps[i] == "compound" and dv.pos[dv.heads[i]] == "NOUN"
            if (pos in _NOUN_POS or not cands) and not _is_date(tok) and not modifier:
                seen: set[str] = set()
                for key in (lemma, low):
                    for e in self._by_noun.get(key, ()):
                        if e.id not in seen:
                            seen.add(e.id)
                            m = self._match_noun(e, tok, sent)
                            if m:
                                cands.append(m)
            for m in cands:
                cur = best.get(m.token.i)
                if cur is None or _rank(m) > _rank(cur):
                    best[m.token.i] = m
        # a word inside another cue ("imposed [sanctions]") is not a second cue: keep the better one; a
        # verb cue governs a noun cue in its object ("rejected [the demand] for talks" is a rejection)
        # (a verbal complement that the entry takes as "any", "asked Peru to [end] sanctions", is the cue's
        # content, not part of it: both stay and the coder nests one in the other; one the entry names,
        # "promised to [democratize]", is part of the cue)
        drop: set[int] = set()
        for i, m in best.items():
            for t in m.cue_tokens:
                if t.dep_ in _XCOMP_DEPS and t.head.i == m.token.i and "*" in m.entry.xcomp:
                    continue
                other = best.get(t.i)
                if t.i != i and other is not None and t.i not in drop and i not in drop:
                    outer_wins = bool(m.entry.verbs) or _rank(m)[0] >= _rank(other)[0]  # tie: the outer governs
                    drop.add(t.i if outer_wins else i)
        # "police beat [protesters]": a participant noun that is an argument of another cue is that
        # cue's actor or target, not a second event
        govs = {m.token.i for i, m in best.items() if i not in drop and not m.entry.participants}
        for i, m in best.items():
            if m.entry.participants and _argument_of(m.token) in govs:
                drop.add(i)
        return sorted((m for i, m in best.items() if i not in drop and (background or not _is_background(m))),
                      key=lambda m: m.token.i)

    def _verb_entries(self, lemma: str, low: str) -> list[CueEntry]:
        """The verb, adjective and auxiliary entries a word with this lemma and lower form may head:
        those of its lemma (else of its form, else of the lemma of an irregular form) of which the
        form is an inflection. Depends on the two strings only, so it is remembered per pair."""
        key = (lemma, low)
        found = self._verb_entry_cache.get(key)
        if found is None:
            found = [e for e in (self._by_verb.get(lemma, ()) or self._by_verb.get(low, ())
                                 or self._by_verb.get(self._irregular_lemma.get(low, ""), ()))
                     if low in self._gates[e.id].verb_heads]
            if len(self._verb_entry_cache) >= 100_000:
                self._verb_entry_cache.clear()
            self._verb_entry_cache[key] = found
        return found

    def _object_possible(self, entries: list[CueEntry], v: "Token", objs: list["Token"]) -> list[CueEntry]:
        """The entries that ``_match_verb`` may accept at verb ``v`` as far as their required object
        words go (``_Gate.object_possible``): most entries of a common verb ("hold", "give") need an
        object word the sentence lacks, and this rules them out without looking at each object."""
        if not entries:
            return entries
        words = _object_words(v, objs)
        gates = self._gates
        return [e for e in entries if gates[e.id].object_possible(words)]

    def match_linear(self, tok: "Token", sent: "Span", window: int = 6) -> CueMatch | None:
        """The most specific verb cue at ``tok`` read in word order, not through the parse (TABARI's
        patterns): for headlines the parser read as one noun phrase ("Serbia and Slovenia [ratify]
        agreement", "Sri Lanka [thanks] Comoros"), where the verb was tagged a noun. The particle
        must follow the verb, the object and the preposition must be among the next ``window``
        words. Entries that need a subject or a verbal complement are not read this way (their
        conditions are grammatical, not linear)."""
        low = tok.lower_
        if tok.pos_ not in ("NOUN", "PROPN"):
            return None  # only a verb the tagger took for a noun; "head [back]" is no verb "back"
        rest = [t for t in sent if tok.i < t.i <= tok.i + window]
        best: CueMatch | None = None
        for e in self._by_form().get(low, ()):
            if e.subject or e.xcomp:
                continue
            g = self._gates[e.id]
            toks = [tok]
            if g.particle:
                if not rest or rest[0].lower_ not in g.particle:
                    continue
                toks.append(rest[0])
            if e.not_object and any(lemma_of(t) in e.not_object or t.lower_ in e.not_object for t in rest):
                continue
            obj = None
            if "*" in e.object:
                obj = next((t for t in rest if t.pos_ in ("NOUN", "PROPN")), None)
            elif g.objects or g.named_object:
                words = {t.lower_ for t in rest}
                obj = next((t for t in rest if any(t.lower_ in last and all(not o.isdisjoint(words) for o in others)
                                                   for last, others in g.objects)), None)
                if obj is None and g.named_object:
                    obj = next((t for t in rest if t.pos_ == "PROPN"), None)
            if e.object and obj is None:
                continue
            if obj is not None:
                toks.append(obj)
            preps = [t for t in rest if t.lower_ in g.prep] if g.prep else []
            if g.prep and not preps:
                continue
            m = self._finish(e, tok, toks, sent, obj, preps)
            if best is None or _rank(m) > _rank(best):
                best = m
        return best

    def _by_form(self) -> dict[str, list[CueEntry]]:
        """Inflected verb form -> the verb entries it may head (built on first use)."""
        if self._verb_forms is None:
            irregular = _irregular()
            self._verb_forms = {}
            for e in self.entries:
                for v in e.verbs:
                    for form in verb_forms(v, irregular):
                        self._verb_forms.setdefault(form, []).append(e)
        return self._verb_forms

    def _finish(self, e: CueEntry, gov: "Token", toks: list["Token"], sent: "Span", obj, preps) -> CueMatch:
        dv = view(gov.doc)
        idx, texts = dv.idx, dv.texts
        start = min(idx[t.i] for t in toks) - sent.start_char
        end = max(idx[t.i] + len(texts[t.i]) for t in toks) - sent.start_char
        return CueMatch(e, gov, sorted(toks, key=lambda t: t.i), (start, end), obj, preps,
                        self.ontology.cameo(e.cameo))

    def _match_verb(self, e: CueEntry, v: "Token", sent: "Span", objs: list["Token"]) -> CueMatch | None:
        g = self._gates[e.id]
        dv = view(v.doc)
        toks = [v]
        if g.particle:
            # a particle follows its verb ("gave in"); adverbs may precede ("jointly develop", "test-fired")
            prt = [c for c in dv.children[v.i] if dv.deps[c] in _PRT_DEPS and dv.lowers[c] in g.particle
                   and (c > v.i or dv.deps[c] in ("npadvmod", "advmod"))]
            if not prt:
                return None
            toks.append(dv.tokens[prt[0]])
        if e.not_object and any(_lemma_in(o, e.not_object) for o in objs):
            return None
        obj = None
        if "*" in e.object:  # "protested the visit": any direct object (not a prepositional one)
            obj = next((o for o in objs if dv.deps[o.i] in ("dobj", "obj") and dv.heads[o.i] == v.i), None)
            if obj is None:
                return None
            toks.append(obj)
        elif g.objects or g.named_object:
            # the noun of a reduced relative counts only by itself, not through its modifiers
            vhead = dv.heads[v.i]
            obj = next((o for o in objs if _form_in(o, g.objects, mods_ok=o.i != vhead)), None)
            if obj is None and g.named_object:
                # "released Navalny", "freed two Americans": a named person or people
                obj = next((o for o in objs if _named(o)), None)
            if obj is None:
                obj = next((s for s in _reduced_passive_subjects(v) if _form_in(s, g.objects)), None)
            if obj is None:
                return None
            toks.append(obj)
        preps: list[Token] = []
        deps, lowers, children = dv.deps, dv.lowers, dv.children
        if g.prep:
            holders = [v.i] + ([obj.i] if obj is not None else [])
            preps = [dv.tokens[c] for h in holders for c in children[h]
                     if deps[c] in _PREP_DEPS and lowers[c] in g.prep]
            if not preps:
                return None
        if g.subject:
            subj = [c for c in children[v.i] if deps[c] in ("nsubj", "nsubjpass")]
            subj += [cc for c in subj for cc in dv.conjuncts(c)]
            # "a first batch of peacekeeping troops arrived": the noun after "of" counts too
            subj += [g for c in subj for p in children[c] if lowers[p] == "of"
                     for g in children[p] if deps[g] == "pobj"]
            if not any(_form_in(dv.tokens[c], g.subject) for c in subj):
                return None
        if e.xcomp:
            comps = [c for c in children[v.i] if deps[c] in _XCOMP_DEPS and dv.pos[c] in ("VERB", "AUX")]
            if g.xcomp is not None:
                comps = [c for c in comps if lowers[c] in g.xcomp and dv.lemma_keys[c] in e.xcomp]
            if not comps:
                return None
            toks.append(dv.tokens[comps[0]])
        return self._finish(e, v, toks, sent, obj, preps)

    def _match_noun(self, e: CueEntry, n: "Token", sent: "Span") -> CueMatch | None:
        g = self._gates[e.id]
        dv = view(n.doc)
        low = dv.lowers[n.i]
        for k in self._noun_slots[e.id].get(low, ()):  # the entry's nouns of which ``low`` is a head form
            before = g.noun_phrases[k][1]
            toks = [n]
            prev: list[int] = []  # the words before the head, right to left, hyphens skipped
            i = n.i - 1
            while len(prev) < len(before) and i >= sent.start:
                if dv.texts[i] != "-":
                    prev.append(i)
                i -= 1
            if len(prev) < len(before):
                continue
            if before and any(dv.lowers[i] not in forms for i, forms in zip(prev, reversed(before))):
                continue
            toks.extend(dv.tokens[i] for i in prev[: len(before)])
            gov = n
            light = _light_verb(n)
            if g.light:
                # the form must be one of the entry's verbs; the lemma guards against a form shared by
                # two verbs ("lay" of "lie")
                if light is None or light.lower_ not in g.light or lemma_of(light) not in e.light_verbs:
                    happened = _occurrence(n) if e.occurrence else None
                    if happened is None:
                        continue
                    light = happened  # "talks began", "ongoing negotiations": the event is reported
                if light.i != n.i:
                    gov = light
                    toks.append(light)
            deps, children = dv.deps, dv.children
            mods = [dv.tokens[c] for c in children[n.i] if deps[c] in ("compound", "amod", "nmod", "nummod", "poss")]
            if e.not_object and any(_lemma_in(c, e.not_object) for c in mods):
                continue
            if g.objects:
                # a required modifier ("[joint] exercises") or the noun of the cue's "of"/"to" phrase
                # ("a suspension [of attacks]", "an end [to hostilities]")
                comps = [dv.tokens[o] for p in children[n.i]
                         if deps[p] == "prep" and dv.lowers[p] in _NOUN_COMPLEMENT_PREPS
                         for o in children[p] if deps[o] == "pobj"]
                mod = next((c for c in [*mods, *comps] if _form_in(c, g.objects)), None)
                if mod is None:
                    continue
                toks.append(mod)
            preps: list[Token] = []
            if g.prep:
                holders = [n.i] + ([gov.i] if gov.i != n.i else [])
                preps = [dv.tokens[c] for h in holders for c in children[h]
                         if deps[c] in _PREP_DEPS and dv.lowers[c] in g.prep]
                if not preps:
                    continue
            m = self._finish(e, gov, toks, sent, None, preps)
            m.extra_words = len(before)
            return m
        return None


@lru_cache(maxsize=1)
def _background_preps() -> frozenset[str]:
    return frozenset(str(w).lower() for w in load_yaml("modality.yaml")["background_preps"])


@lru_cache(maxsize=1)
def _cessation_nouns() -> frozenset[str]:
    return frozenset(str(w).lower() for w in load_yaml("modality.yaml")["cessation_nouns"])


def _background_clause(m: CueMatch) -> bool:
    """A cue in a clause that dates or frames the report: "contacts have been rare [since] Russia
    launched its invasion" (the invasion is the known starting point, not news of the article), "[while]
    the war goes on", "[as] fighting continues" (an event noun reported as ongoing). ``background_clauses``
    in ``modality.yaml`` lists the subordinators: ``any`` for every cue of the clause, ``occurrence``
    for event nouns with a verb of occurrence only."""
    marks = _background_marks()
    dv = view(m.token.doc)
    deps, lowers, children, pos = dv.deps, dv.lowers, dv.children, dv.pos
    ti = m.token.i
    occurrence = (dv.lemma_keys[ti] in _occurrence_words()[0]
                  and any(pos[t.i] in ("NOUN", "PROPN") and t.i != ti for t in m.cue_tokens))
    cur = ti
    if not occurrence and pos[ti] in ("NOUN", "PROPN"):
        # the event noun is the cue ("after the Washington Summit [ended]"): climb from its verb
        verb = _occurrence(m.token)
        if verb is not None and verb.i != ti:
            occurrence, cur = True, verb.i
    for _ in range(4):
        if deps[cur] == "advcl":
            for c in children[cur]:
                kind = marks.get(lowers[c]) if deps[c] == "mark" else None
                if deps[c] == "npadvmod":  # "one day [after] the summit ended", parsed as "day after"
                    kind = next((marks[lowers[p]] for p in children[c] if deps[p] == "prep" and lowers[p] in marks),
                                None)
                if kind == "any" or (kind == "occurrence" and occurrence):
                    return True
            return False
        if deps[cur] not in ("conj", "xcomp") or dv.heads[cur] == cur:
            return False
        cur = dv.heads[cur]
    return False


@lru_cache(maxsize=1)
def _background_marks() -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (load_yaml("modality.yaml").get("background_clauses") or {}).items()}


def _is_background(m: CueMatch) -> bool:
    """A noun cue without a light verb whose phrase hangs from "after", "amid", "following" ...; or
    any cue in a background clause (``_background_clause``)."""
    if _background_clause(m):
        return True
    dv = view(m.token.doc)
    deps, lowers, heads = dv.deps, dv.lowers, dv.heads
    h = m.token.i
    if dv.pos[h] != "NOUN":
        return False
    for _ in range(3):  # "after [violent protests]", "in the wake of [the shelling]"
        if deps[h] in ("pobj", "conj", "compound") and heads[h] != h:
            h = heads[h]
            if deps[h] == "prep" and lowers[h] in _background_preps():
                return True
            if deps[h] == "prep" and lowers[h] == "of" and lowers[heads[h]] in ("wake", "aftermath", "run-up"):
                return True
            if deps[h] == "prep" and dv.lemma_keys[heads[h]] in _cessation_nouns():
                return True  # "a pause in the bombing", "an end to the fighting": not an attack
        else:
            break
    return False


_MONTH_CONTEXT = frozenset({"in", "since", "of", "until", "by", "early", "late", "mid", "last", "next", "this",
                            "on", "from", "to", "through", "between", "before", "after", "till"})


def _is_date(tok: "Token") -> bool:
    """ "March" as a month ("since March 2023", "in March"), not a protest march."""
    if view(tok.doc).texts[tok.i] != "March" or tok.i == tok.sent.start:
        return False  # (the text from the view: no string is built for the many other words)
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    return (nxt is not None and nxt.like_num) or tok.nbor(-1).lower_ in _MONTH_CONTEXT


@lru_cache(maxsize=1)
def _occurrence_words() -> tuple[frozenset[str], frozenset[str]]:
    d = load_yaml("modality.yaml")["occurrence"]
    return frozenset(map(str, d["verbs"])), frozenset(map(str, d["adjectives"]))


def _occurrence_forms(irregular: dict[str, list[str]]) -> frozenset[str]:
    verbs, adjectives = _occurrence_words()
    return frozenset().union(adjectives, *(verb_forms(v, irregular) for v in verbs))


def _occurrence(n: "Token") -> "Token | None":
    """The verb that reports an event noun as happening ("talks [began]", "riots [broke] out"), or the
    noun itself when an adjective does ("[ongoing] negotiations", "negotiations [ongoing]"); else None."""
    verbs, adjectives = _occurrence_words()
    dv = view(n.doc)
    deps, lowers, children = dv.deps, dv.lowers, dv.children
    h, dep = dv.heads[n.i], deps[n.i]
    if dep in ("nsubj", "nsubjpass") and dv.pos[h] in ("VERB", "AUX") and dv.lemma_keys[h] in verbs:
        return dv.tokens[h]
    if dep in ("ROOT", "nsubj", "nsubjpass", "dobj", "appos") and any(
            deps[c] in ("amod", "acomp", "advmod", "acl") and lowers[c] in adjectives for c in children[n.i]):
        return n  # "Negotiations Ongoing", "renewed fighting erupted"; not "for a renewed offensive"
    if dep in ("nsubj", "ROOT") and any(deps[c] in ("acomp", "advmod", "amod") and lowers[c] in adjectives
                                        for c in children[h]):
        return n
    return None


def _argument_of(n: "Token") -> int:
    """The index of the word a noun is the subject or object of (through a preposition and through
    coordination: "clashed with [protesters]", "police and [protesters]"); -1 if none."""
    while n.dep_ == "conj" and n.head.i != n.i:
        n = n.head
    if n.dep_ in ("nsubj", "nsubjpass", "dobj", "obj", "agent", "dative"):
        return n.head.i
    if n.dep_ == "pobj" and n.head.dep_ in ("prep", "agent"):
        return n.head.head.i
    return -1


def _predicate(tok: "Token") -> bool:
    """A word tagged as a noun that the parse uses as a verb: it has a subject and an object
    ("Norway [thanks] Kenya for its support", where the tagger read "thanks" as a plural noun)."""
    dv = view(tok.doc)
    if dv.pos[tok.i] not in ("NOUN", "PROPN"):
        return False
    deps = {dv.deps[c] for c in dv.children[tok.i]}
    return "nsubj" in deps and bool(deps & {"dobj", "ccomp", "xcomp"})


def _rank(m: CueMatch) -> tuple[int, int]:
    return (m.entry.requirements + m.extra_words + m.entry.priority, -len(m.cue_tokens))


def _form_in(tok: "Token", items: tuple[tuple[frozenset[str], tuple[frozenset[str], ...]], ...],
             mods_ok: bool = True) -> bool:
    """The token, or one of its compound/adjective modifiers, is an inflected form of a required
    word; a multi-word item ("air defense") needs its last word on the token, the others among
    the modifiers. Modifiers of a compound modifier count too: in "a defence cooperation agreement"
    "defence" qualifies the agreement through "cooperation"."""
    mods = _modifier_forms(tok) if mods_ok else []
    low = view(tok.doc).lowers[tok.i]
    for last, others in items:
        if low in last and all(not o.isdisjoint(mods) for o in others):
            return True
        if not others and not last.isdisjoint(mods):
            return True
    return False


def _object_words(v: "Token", objs: list["Token"]) -> set[str]:
    """Every lower form ``_form_in`` may read for the objects of verb ``v`` (``objs``, from
    ``_objects``) and its reduced passive subjects: the words and their modifiers, for
    ``_Gate.object_possible`` (asked once per verb)."""
    lowers = view(v.doc).lowers
    words = set()
    for o in (*objs, *_reduced_passive_subjects(v)):
        words.add(lowers[o.i])
        words.update(_modifier_forms(o))
    return words


# token index -> lower forms of its modifiers (``_modifier_forms``); emptied by each ``CueLexicon.match``
_MODS: dict[tuple[int, int], list[str]] = {}


def _modifier_forms(tok: "Token") -> list[str]:
    """Lower forms of a token's compound/amod modifiers and of their own; asked for the same token by
    many entries of one sentence, so kept for the sentence being matched."""
    key = (id(tok.doc), tok.i)
    mods = _MODS.get(key)
    if mods is None:
        dv = view(tok.doc)
        deps, lowers, children = dv.deps, dv.lowers, dv.children
        near = [c for c in children[tok.i] if deps[c] in ("compound", "amod")]
        mods = [lowers[c] for c in near] + [lowers[g] for c in near if deps[c] == "compound"
                                            for g in children[c] if deps[g] in ("compound", "amod")]
        _MODS[key] = mods
    return mods


def _tokens_among(sent: "Span", forms: frozenset[str]) -> list["Token"]:
    """The tokens of ``sent`` whose lower form is in ``forms``, in order. Read from the document's
    LOWER array: building a spaCy Token for every word only to reject most costs more than matching."""
    dv = view(sent.doc)
    lowers, toks = dv.lowers, dv.tokens
    return [toks[i] for i in range(sent.start, sent.end) if lowers[i] in forms]


# (document, verb index) -> ``_reduced_passive_subjects``, asked once per entry of the verb; emptied
# by each ``CueLexicon.match``
_PASSIVE_SUBJECTS: dict[tuple[int, int], list["Token"]] = {}


def _reduced_passive_subjects(v: "Token") -> list["Token"]:
    """The subject of a verb that may be a headline's passive without its auxiliary ("Curfew lifted in
    Beirut", tagged as an active past tense): no auxiliary, no object. Only a subject that is the
    entry's required object counts (a curfew lifts nothing; it was lifted)."""
    key = (id(v.doc), v.i)
    found = _PASSIVE_SUBJECTS.get(key)
    if found is None:
        found = _PASSIVE_SUBJECTS[key] = _passive_subjects_of(v)
    return found


def _passive_subjects_of(v: "Token") -> list["Token"]:
    dv = view(v.doc)
    deps, kids = dv.deps, dv.children[v.i]
    if dv.tags[v.i] not in ("VBD", "VBN") or any(deps[c] in ("aux", "auxpass", "dobj", "obj", "dative") for c in kids):
        return []
    return [dv.tokens[c] for c in kids if deps[c] == "nsubj" and c < v.i]


def _named(o: "Token") -> bool:
    """A proper noun that is the object itself ("released Navalny", "hundreds of Palestinians"), not a
    date or place in a prepositional phrase ("released a statement on Monday")."""
    return o.pos_ == "PROPN" and (o.dep_ in ("dobj", "obj", "nsubjpass", "conj", "appos")
                                  or (o.dep_ == "pobj" and o.head.lower_ == "of"))


def _lemma_in(tok: "Token", words: tuple[str, ...]) -> bool:
    """The token (or a compound/amod modifier of it) is one of ``words``; a multi-word item
    ("air defense") matches its last word on the token and its other words among the modifiers."""
    dv = view(tok.doc)
    mods = {w for c in dv.children[tok.i] if dv.deps[c] in ("compound", "amod")
            for w in (dv.lemma_keys[c], dv.lowers[c])}
    forms = {dv.lemma_keys[tok.i], dv.lowers[tok.i]}
    for w in words:
        if " " in w:
            parts = w.split()
            if parts[-1] in forms and all(p in mods for p in parts[:-1]):
                return True
        elif w in forms or w in mods:
            return True
    return False


def _objects(v: "Token") -> list["Token"]:
    """Direct objects, passive subjects and prepositional objects of a verb, with their conjuncts;
    for a reduced relative ("the prisoners [released] by Israel") the modified noun as well."""
    dv = view(v.doc)
    deps, children, pos = dv.deps, dv.children, dv.pos
    i, h = v.i, dv.heads[v.i]
    out = [h] if deps[i] == "acl" and dv.tags[i] == "VBN" and pos[h] in _NOUN_POS else []
    for c in children[i]:
        d = deps[c]
        if d in _OBJ_DEPS:
            out.append(c)
        elif d in ("prep", "agent"):
            out.extend(g for g in children[c] if deps[g] == "pobj")
        elif d == "xcomp" and pos[c] in _NOUN_POS:
            out.append(c)
    # (each list is built from ``out`` as it stands, then added; only a word in ``dv.conjoined`` can
    # have conjuncts, so the others are not asked)
    conjoined = dv.conjoined
    out += [cc for o in out if o in conjoined for cc in dv.conjuncts(o)]
    # "a state of emergency", "hundreds of prisoners", "tons of food": the noun after "of" counts too
    lowers = dv.lowers
    out += [g for o in out for p in children[o] if lowers[p] == "of" for g in children[p] if deps[g] == "pobj"]
    toks = dv.tokens
    return [toks[o] for o in out]


def _light_verb(n: "Token") -> "Token | None":
    """The verb a cue noun hangs from: "held [talks]", "engaged in [talks]", "[talks] were held"."""
    dv = view(n.doc)
    h, dep = dv.heads[n.i], dv.deps[n.i]
    if dep in _LIGHT_DEPS and dv.pos[h] in ("VERB", "AUX"):
        return dv.tokens[h]
    if dep == "pobj" and dv.deps[h] in ("prep",) and dv.pos[dv.heads[h]] in ("VERB", "AUX"):
        return dv.tokens[dv.heads[h]]
    return None


_LIGHT_DEPS = _OBJ_DEPS | {"nsubj", "conj"}


@lru_cache(maxsize=1)
def default_lexicon() -> CueLexicon:
    """The shared lexicon of every cue file (loaded and validated once, then kept in the load cache,
    ``detente.cache``, for later processes), holding the process's shared ontology."""
    from detente.cache import cached

    lexicon = cached("cue-lexicon", CueLexicon)
    lexicon.ontology = default_ontology()  # a loaded lexicon brings its own copy: one is enough
    return lexicon


# --- modality of a cue -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CueModality:
    """What the grammar around a cue says about it (markers from ``data/modality.yaml``).

    ``modality`` is the Event field: negated beats hypothetical beats asserted. ``intent`` means a
    stated future act ("will provide", "promised to withdraw"); ``obligation`` a stated duty of
    someone ("Y must withdraw"), which a speaker's sentence turns into a REQUEST.
    """

    modality: str = "asserted"
    intent: bool = False
    obligation: bool = False
    marker: str | None = None


def _modality_data() -> dict[str, Any]:
    return load_yaml("modality.yaml")


def _chain(tok: "Token", wishes: frozenset[str] = frozenset()) -> list["Token"]:
    """The cue word and the words it is a complement of ("agreed to [provide]", "will meet and [talk]",
    "a plan to [invade]"), also through a clause with its own subject that is infinitival ("wants
    Putin to [attack]") or that a verb of ``wishes`` governs ("hopes Iran will [sign]"), but not
    through reported speech ("said Russia [attacked]": that is told as done)."""
    dv = view(tok.doc)
    heads, deps = dv.heads, dv.deps
    out = [tok]
    cur = tok.i
    while heads[cur] != cur and len(out) < 6 and (
            deps[cur] in ("xcomp", "conj", "acomp", "acl")
            or deps[cur] == "ccomp" and (dv.lemma_keys[heads[cur]] in wishes
                                         or infinitive(dv.tokens[cur]))):
        cur = heads[cur]
        out.append(dv.tokens[cur])
    return out


_MODALITY_SETS: list = [None, None]  # [the modality.yaml data, its word sets]


def _modality_sets(d: dict[str, Any]) -> tuple[frozenset[str], ...]:
    """The marker word sets of ``modality.yaml``, built once per loaded file (``cue_modality`` runs
    for every cue)."""
    if _MODALITY_SETS[0] is not d:
        hyp, it = d["hypothetical"], d["intent"]
        _MODALITY_SETS[:] = [d, tuple(frozenset(words) for words in (
            d["negation"]["words"], d["negation"]["governors"], hyp["modals"], hyp["marks"], hyp["hedges"],
            hyp["governors"], it["auxiliaries"], it["governors"], it["conditional_auxiliaries"],
            d["obligation"]["modals"], hyp["clause_governors"]))]
    return _MODALITY_SETS[1]


def cue_modality(m: CueMatch) -> CueModality:
    """Negation, hypothetical, intent and obligation markers on the cue and its governing verbs."""
    (neg_words, neg_gov, hyp_modals, hyp_marks, hedges, hyp_gov, int_aux, int_gov, cond_aux,
     obl, wishes) = _modality_sets(_modality_data())
    negated = hypothetical = intent = obligation = False
    conditional = False
    marker = None
    tok = m.token
    dv = view(tok.doc)
    deps, heads, pos, lowers, texts, children = dv.deps, dv.heads, dv.pos, dv.lowers, dv.texts, dv.children
    ti, th = tok.i, heads[tok.i]
    chain = _chain(tok, wishes)
    if pos[ti] == "NOUN" and deps[ti] in ("dobj", "nsubjpass") and pos[th] in ("VERB", "AUX"):
        chain = [tok, *_chain(dv.tokens[th], wishes)]  # "promised to renew the [bombing campaign]"
    if (m.entry.nouns and pos[ti] in ("VERB", "AUX") and dv.lemma_keys[ti] in int_gov
            and not any(deps[t.i] in ("nsubj", "nsubjpass") and heads[t.i] == ti for t in m.cue_tokens)):
        # "offered concessions": the light verb states an intent (not "the war [goes] on", where the
        # event noun is the subject of a verb of occurrence)
        intent, marker = True, texts[ti]
    if deps[ti] == "advcl" and pos[th] in ("VERB", "AUX") and infinitive(tok):
        if any(deps[c] == "dobj" and dv.lemma_keys[c] in int_gov for c in children[th]):
            intent, marker = True, "to"  # "renewed their vow [to support]" (the parser's advcl)
        else:
            hypothetical, marker = True, "to"  # a purpose: "visited Kyiv [to deepen] ties" states an aim
    top = chain[-1]
    if deps[top.i] == "ROOT" and dv.tags[top.i] == "VB" and infinitive(top):
        intent, marker = True, "to"  # a headline's bare infinitive is a future act: "Government to Detain ..."
    intent_depth = wish_depth = -1  # where the first intent marker / wishing verb sits in the chain
    for depth, tk in enumerate(chain):
        t = tk.i
        lemma = dv.lemma_keys[t]
        if depth > 0 and deps[chain[depth - 1].i] != "conj":  # t governs the cue: "agreed to [X]"
            if lemma in neg_gov:
                negated, marker = True, marker or texts[t]
            elif lemma in int_gov:
                intent, marker = True, marker or texts[t]
            elif lemma in hyp_gov:
                hypothetical, marker = True, marker or texts[t]
                wish_depth = depth if wish_depth < 0 else wish_depth
        for c in children[t]:
            cl, cd = lowers[c], deps[c]
            if cd == "neg" or (cl in neg_words and cd in ("advmod", "det", "neg", "preconj")):
                negated, marker = True, marker or texts[c]
            elif cd == "aux" or dv.tags[c] == "MD":
                if cl in int_aux:
                    intent, marker = True, marker or texts[c]
                    intent_depth = depth if intent_depth < 0 else intent_depth
                    if cl in cond_aux:
                        conditional = True
                elif cl in hyp_modals:
                    hypothetical, marker = True, marker or texts[c]
                elif cl in obl:
                    obligation, marker = True, marker or texts[c]
            elif cd == "mark" and cl in hyp_marks:
                hypothetical, conditional, marker = True, True, marker or texts[c]  # "unless he agrees to [X]"
            elif cd == "advcl":
                if any(deps[g] == "mark" and lowers[g] in hyp_marks for g in children[c]) and conditional:
                    hypothetical = True
            elif cd == "advmod" and cl in hedges:
                hypothetical, marker = True, marker or texts[c]
    if negated:
        return CueModality("negated", intent, obligation, marker)
    # "Obama hopes Iran [will sign]": a stated intent inside someone else's wish is only wished for
    if hypothetical and (not intent or conditional or wish_depth > intent_depth >= 0):
        return CueModality("hypothetical", False, obligation, marker)
    return CueModality("asserted", intent, obligation, marker)


def _recode(table: dict[str, list[Any]], m: CueMatch) -> tuple[str, str | None, str] | None:
    """The row for the cue's entry id, else its type/mode, else its type, else "*"."""
    row = table.get(m.entry.id) or table.get(f"{m.type}/{m.mode}") or table.get(m.type) or table.get("*")
    return (row[0], row[1], str(row[2])) if row else None


def recoded_event(m: CueMatch, mod: CueModality | None = None) -> tuple[str, str | None, str]:
    """(type, mode, CAMEO) the cue stands for once its modality is known: a stated intent to give
    aid is AGREE 033, an intent to sanction THREATEN 1313, "Y must withdraw" a REQUEST 025."""
    mod = mod or cue_modality(m)
    d = _modality_data()
    if mod.obligation:
        row = _recode(d["obligation_recode"], m)
        if row and m.type not in ("REQUEST", "THREATEN", "ACCUSE", "REJECT"):
            return row
    if mod.intent and mod.modality == "negated":  # "would not provide support": a refusal
        row = _recode(d["negated_intent_recode"], m)
        if row:
            return row
    elif mod.intent:
        row = _recode(d["intent_recode"], m)
        if row:
            return row
    mode = clause_mode(m)
    if mode is not None:
        onto = default_ontology()
        # the entry's own CAMEO code stands unless it is only the type's default ("killed" -> 190)
        cameo = onto.default_cameo(m.type, mode) if m.cameo == onto.default_cameo(m.type) else m.cameo
        return (m.type, mode, cameo)
    return (m.type, m.mode, m.cameo)


_EMBEDDED_CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "conj", "parataxis"})


def _clause(tok: "Token") -> list[int]:
    """The indices of the tokens of the cue's own clause: its subtree without embedded clauses of
    other verbs (read from the document view: no Token is built for them)."""
    dv = view(tok.doc)
    deps, pos, children = dv.deps, dv.pos, dv.children
    out, stack = [], [tok.i]
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(c for c in children[t] if not (deps[c] in _EMBEDDED_CLAUSE_DEPS and pos[c] in ("VERB", "AUX")))
    return out


@lru_cache(maxsize=1)
def _mode_words() -> dict[str, list[tuple[str, frozenset[str], tuple[str, ...]]]]:
    """type -> [(mode, single words, multi-word phrases)] in file order."""
    raw = load_yaml("ontology/plover.yaml").get("mode_words") or {}
    out: dict[str, list[tuple[str, frozenset[str], tuple[str, ...]]]] = {}
    for etype, modes in raw.items():
        for mode, words in modes.items():
            ws = [str(w).lower() for w in words]
            out.setdefault(etype, []).append(
                (mode, frozenset(w for w in ws if " " not in w), tuple(w for w in ws if " " in w)))
    return out


def clause_mode(m: CueMatch) -> str | None:
    """The mode the cue's clause implies ("killed two soldiers in a bomb attack" -> explosives), from
    ``mode_words`` in ontology/plover.yaml; None when the cue has a mode or the clause names none."""
    if m.mode is not None or m.type not in _mode_words():
        return None
    dv = view(m.token.doc)
    idx = _clause(m.token)
    if dv.pos[m.token.i] == "NOUN" or m.token.i != m.cue_tokens[0].i:
        idx += [t for c in m.cue_tokens for t in dv.subtree(c.i)]
    lowers = dv.lowers
    words = {lowers[t] for t in idx} | {dv.lemma_keys[t] for t in idx}
    text = " " + " ".join(lowers[t] for t in sorted(set(idx))) + " "
    for mode, single, multi in _mode_words()[m.type]:
        if not single.isdisjoint(words) or any(f" {p} " in text for p in multi):
            return mode
    return None


def check_modality_data(ontology: Ontology | None = None) -> None:
    """Every recode target in modality.yaml must be a valid type/mode/CAMEO triple."""
    onto = ontology or default_ontology()
    d = _modality_data()
    for etype, modes in _mode_words().items():
        for mode, _, _ in modes:
            onto.validate(etype, mode, None)
    for table in ("intent_recode", "obligation_recode", "negated_intent_recode"):
        entry_ids = {e.id for e in default_lexicon().entries}
        for key, (etype, mode, cameo) in d[table].items():
            if key != "*" and key not in entry_ids:
                onto.plover(key.split("/")[0])
            onto.validate(etype, mode, str(cameo))


# --- reported speech -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def speech_verbs() -> frozenset[str]:
    """Lemmas of verbs that report speech ("say", "tell", "add" ...), from ``data/speech.yaml``."""
    return frozenset(str(v).lower() for v in load_yaml("speech.yaml")["speech_verbs"])


@lru_cache(maxsize=1)
def evaluative_words() -> dict[str, tuple[str, str | None, str]]:
    """Evaluative word -> (type, mode, CAMEO) it implies when a speaker uses it about someone."""
    out: dict[str, tuple[str, str | None, str]] = {}
    for etype, spec in load_yaml("speech.yaml")["evaluative"].items():
        for w in spec["words"]:
            out.setdefault(str(w).lower(), (etype, spec.get("mode"), str(spec["cameo"])))
    return out


def evaluate(tokens: Iterable["Token"]) -> tuple[str, str | None, str, "Token"] | None:
    """The stance of a quote or reported clause: ACCUSE if its evaluative words are mostly hostile,
    SUPPORT if mostly approving, else None. Words under a negation ("not hostile") do not count."""
    words = evaluative_words()
    neg = set(load_yaml("modality.yaml")["negation"]["words"])
    toks = list(tokens)
    votes: dict[str, list[Token]] = {}
    for i, t in enumerate(toks):
        hit = None
        if i + 1 < len(toks) and f"{t.lower_} {toks[i + 1].lower_}" in words:
            hit = f"{t.lower_} {toks[i + 1].lower_}"
        elif t.lower_ in words:
            hit = t.lower_
        elif lemma_of(t) in words:
            hit = lemma_of(t)
        if hit is None:
            continue
        if any(c.dep_ == "neg" or c.lower_ in neg for c in (*t.children, *t.head.children)):
            continue
        votes.setdefault(words[hit][0], []).append(t)
    if not votes:
        return None
    etype = max(votes, key=lambda k: (len(votes[k]), k == "ACCUSE"))
    ev = next(v for w, v in words.items() if v[0] == etype)
    return (etype, ev[1], ev[2], votes[etype][0])


def check_speech_data(ontology: Ontology | None = None) -> None:
    """Every evaluative type/mode/CAMEO in speech.yaml must be valid."""
    onto = ontology or default_ontology()
    for etype, spec in load_yaml("speech.yaml")["evaluative"].items():
        onto.validate(etype, spec.get("mode"), str(spec["cameo"]))
