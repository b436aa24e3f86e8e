"""Claims an article makes about who holds which office, and since when, read from its sentences.

News text restates office facts in passing ("Belousov, who took over as defence minister in May
2023", "former foreign minister X", "Y, Russia's defence minister,") and these restatements are
where copy errors hide. This module only *reads* the claims; ``detente.analysis.audit`` checks them
against the knowledge base. Reading is pattern-based (no parse) because the claims have a small set
of fixed shapes and a parse of every sentence would cost more than the audit is worth; the words of
the patterns live in ``detente/data/claims.yaml`` and the month names in ``timewords.yaml``.

Who a claim is about is found the way a reader finds it: the known person named right next to the
title or apposition, the person before ", who ...", else the nearest person named before the verb
(a pronoun subject falls back to the last person named, possibly in an earlier sentence). How the
subject was found lowers the claim's confidence.

Names the knowledge base knows only through a spelling correction are claims too (kind
"spelling"): "Belousev" is read as Andrey Belousov, and a reader should be told.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from detente.actors import ActorResolver, default_resolver
from detente.actors.names import key_tokens
from detente.data import load_yaml
from detente.nlp import split_document
from detente.records import Actor, Article, Sentence

ClaimKind = Literal["tenure", "role", "former", "spelling"]
Qualifier = Literal["current", "former", "then"]
Edge = Literal["start", "end"]

# How sure we are that a claim is about the person it is attached to, by how the subject was found.
SUBJECT_CONFIDENCE = {"title": 0.95, "apposition": 0.9, "relative": 0.9, "adjacent": 0.9,
                      "nearest": 0.75, "pronoun": 0.7, "previous": 0.55}
INFERRED_YEAR_FACTOR = 0.8  # "who took office in May": the year is the article's (or the one before)
GIVEN_NAME_RATIO = 75  # "Andriy" ~ "Andrey": a transliteration, not another person
_WINDOW = 160  # characters looked at before a name for its title, after a verb for its date


@dataclass(frozen=True, slots=True)
class Role:
    """A kind of office ("defence minister"): what news writes, and which KB offices it means."""

    name: str
    phrases: tuple[str, ...]
    offices: tuple[re.Pattern[str], ...]
    shared: bool = False  # several people hold it at once (spokespeople): "someone else held it" proves nothing

    def fits(self, office: str) -> bool:
        return any(p.match(office) for p in self.offices)


@dataclass(frozen=True, slots=True)
class DatePhrase:
    """A date as written, as the interval it covers ("May 2023" is 2023-05-01..2023-05-31)."""

    text: str
    start: dt.date
    end: dt.date
    precision: Literal["day", "month", "year"]
    inferred_year: bool = False

    def describe(self) -> str:
        if self.precision == "year":
            return str(self.start.year)
        if self.precision == "month":
            return f"{calendar.month_name[self.start.month]} {self.start.year}"
        return self.start.isoformat()


@dataclass(slots=True)
class PersonMention:
    """A known person named in a sentence: character offsets in the sentence, the resolved actor."""

    start: int
    end: int
    surface: str
    actor: Actor


@dataclass(slots=True)
class Claim:
    """One claim of an article: ``person`` holds (``current``), held (``former``/``then``) or began or
    ended (``edge``, at ``date``) an office of kind ``role``, in state or organisation ``country``."""

    kind: ClaimKind
    doc_id: str
    sentence: Sentence
    text: str  # the words of the sentence that make the claim
    person: Actor
    mention: str  # the person's name as written
    subject: str  # how the person was found (a key of SUBJECT_CONFIDENCE)
    role: Role | None = None
    role_text: str | None = None
    country: str | None = None  # ISO3 or IGO code the text ties the office to
    qualifier: Qualifier = "current"
    edge: Edge | None = None
    date: DatePhrase | None = None
    slack_days: int = 0
    sentence_dates: list[DatePhrase] = field(default_factory=list)  # every date of the sentence
    similarity: float | None = None  # spelling claims: how close the written name is to the KB name
    corroborated: bool = True  # spelling claims: the article names the person rightly too, or in full

    @property
    def confidence(self) -> float:
        c = SUBJECT_CONFIDENCE.get(self.subject, 0.6)
        if self.date is not None and self.date.inferred_year:
            c *= INFERRED_YEAR_FACTOR
        return round(c, 2)

    def describe(self) -> str:
        """The claim in plain words, as the article makes it."""
        who = self.person.name or self.mention
        if self.kind == "spelling":
            return f'"{self.mention}" read as {who}'
        role = self.role_text or (self.role.name if self.role else "in office")
        where = f" ({self.country})" if self.country else ""
        when = self.date.describe() if self.date else "?"
        if self.edge and self.role is None:
            return f"{who} {'took' if self.edge == 'start' else 'left'} office in {when}"
        if self.edge == "start":
            return f"{who} took office as {role}{where} in {when}"
        if self.edge == "end":
            return f"{who} left office as {role}{where} in {when}"
        if self.qualifier == "former":
            return f"{who} is a former {role}{where}"
        if self.qualifier == "then":
            return f"{who} was {role}{where} at the time"
        return f"{who} is {role}{where}"


# ---------------------------------------------------------------------------------- the patterns
class ClaimPatterns:
    """The compiled patterns of ``claims.yaml`` (built once per process, see `patterns`)."""

    def __init__(self, data: dict, months: dict[str, int]) -> None:
        self.roles: list[Role] = []
        self.role_of_phrase: dict[str, Role] = {}
        for name, spec in data["roles"].items():
            role = Role(name, tuple(spec["phrases"]), tuple(re.compile(p, re.I) for p in spec["offices"]),
                        bool(spec.get("shared")))
            self.roles.append(role)
            for p in role.phrases:
                self.role_of_phrase[_norm(p)] = role
        self.months = {k: v for k, v in months.items() if len(k) >= 3}
        # (verbs, slack days) per group of start verbs; the exact ones ("took office") first
        groups = sorted(data.get("start_verbs") or (), key=lambda g: int(g["slack_days"]))
        self.start_groups = [(_verb_pattern(g["verbs"]), int(g["slack_days"])) for g in groups]
        self.start_slack = self.start_groups[0][1] if self.start_groups else 7
        self.other_office = frozenset(w.lower() for w in data.get("other_office_words") or ())
        self.former = frozenset(w.lower().rstrip("-") for w in data.get("former_words") or ())
        self.then = frozenset(w.lower().rstrip("-") for w in data.get("then_words") or ())
        self.future = frozenset(w.lower() for w in data.get("future_words") or ())
        self.pronouns = frozenset(w.lower() for w in data.get("pronouns") or ())
        openers = data.get("apposition_openers") or {}
        self.past_openers = frozenset(_norm(w) for w in openers.get("past") or ())
        self.articles = _alternation(data.get("articles") or ())
        self.article_words = frozenset(w.lower() for w in data.get("articles") or ())
        self.passive = re.compile(r"(?i)\b(?:" + _alternation(data.get("passive_auxiliaries") or ()) + r")\s+$")
        self.role_after_date = re.compile(r"(?i)\s*(?:" + _alternation(data.get("role_after_date") or ()) + r")\b")
        self.then_after = re.compile(r"(?i)\s+(?:" + _alternation(data.get("then_after") or ()) + r")\b")
        relative = _alternation(data.get("relative_pronouns") or ())
        self.relative_before = re.compile(rf"(?i),\s*(?:{relative})\s+(?:\w+\s+){{0,2}}$")  # "X, who (has) (since) became"
        self.relative_clause = re.compile(rf"(?i),\s*(?:{relative})\b[^,]*,")  # ", who replaced Y,"
        gap = _alternation(data.get("subject_gap_words") or ())
        self.subject_gap = re.compile(rf"(?i)(?:’s|'s)?\s*(?:(?:\w+ly|{gap})\s+)*")
        # where the words about a verb end: a clause break (the comma of "May 14, 2024" is not one)
        self.clause_break = re.compile(r"[;:()“”\"]|\s[-–—]\s|,\s(?!(?:19|20)\d\d)")

        role_alt = _alternation(self.role_of_phrase)
        mods = _alternation(self.former | self.then | self.future)
        fill = _alternation(w.lower() for w in data.get("fillers") or ())
        cap = r"(?:[A-Z][\w.’'-]*|[A-Z]\.)"  # a capitalised word ("U.S.", "Kremlin", "Russia's")
        owner_words = rf"{cap}(?:\s+{cap}){{0,3}}"
        # what may stand before a role: "[former ][the ][Russia's ][new ]" (a whole-word start)
        self.prefix = re.compile(
            rf"(?:^|(?<=\s))(?:(?P<mod1>(?i:{mods}))[\s-]+)?(?:(?i:{self.articles})\s+)?(?:(?P<owner>{owner_words})\s+)?"
            rf"(?:(?P<mod2>(?i:{mods}))[\s-]+)?(?:(?i:{fill})\s+)*$")
        # a role ending right before a name: "Defence Minister Shoigu", "the defence minister, Sergei Shoigu"
        self.role_before = re.compile(rf"(?i)(?<!\w)(?P<role>{role_alt}),?\s+$")
        self.role_any = re.compile(rf"(?i)(?<!\w)(?P<role>{role_alt})(?![\w-])")
        # what may follow a role: "of Russia", "of the Russian Federation"
        self.role_tail = re.compile(r"\s+(?i:of)\s+(?P<owner>(?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3})")
        # where an apposition's role must end: punctuation or the next clause ("..., said", "... since 2004")
        followers = _alternation(data.get("apposition_followers") or ())
        self.apposition_end = re.compile(rf"(?:\s*(?:[,.;:)]|$|—|–|\s-{{1,2}}\s)|\s+(?i:{followers})\b)")
        # ", who is", ", who was", ", who served as" opening an apposition
        opener = _alternation([*(openers.get("present") or ()), *(openers.get("past") or ())])
        self.apposition_open = re.compile(rf"^\s*,\s+(?:(?P<who>(?i:{opener}))\s+)?")
        self.served_verbs = _verb_pattern(data.get("served_verbs") or ())
        self.in_office = re.compile(r"(?i)\b(?:" + _alternation(data.get("in_office_phrases") or ()) + r")\s*$")
        self.in_office_only = re.compile(r"(?i)(?:" + _alternation(data.get("in_office_phrases") or ()) + r"|office|the post)")
        self.date_preps = _alternation(data.get("date_prepositions") or ())
        self.since = _alternation(data.get("since_words") or ())
        self.until = _alternation(data.get("until_words") or ())

        month = "(?:" + "|".join(sorted((m.capitalize() for m in self.months), key=len, reverse=True)) + r")(?:\.|\b(?!-))"
        year = r"(?:19|20)\d\d"
        d = r"\d{1,2}(?:st|nd|rd|th)?"
        self.date = re.compile(
            rf"\b(?:(?P<m1>{month})\s+(?P<d1>{d}),?\s+(?P<y1>{year})"
            rf"|(?P<d2>{d})\s+(?:of\s+)?(?P<m2>{month}),?\s+(?P<y2>{year})"
            rf"|(?P<m3>{month}),?\s+(?:of\s+)?(?P<y3>{year})"
            rf"|(?P<m4>{month})\s+(?P<d4>{d})\b(?!,?\s*{year})"
            rf"|(?P<y5>{year})(?![\d-])"
            rf"|(?P<m6>{month})(?!\s*\d))")

    def role_for(self, phrase: str) -> Role | None:
        return self.role_of_phrase.get(_norm(phrase))


def _norm(phrase: str) -> str:
    return re.sub(r"[\s-]+", " ", phrase.lower()).strip()


def _alternation(words) -> str:
    """A regex alternation of phrases, longest first; spaces and hyphens inside match either."""
    out = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(re.sub(r"\\[ \-]", r"[\\s-]+", re.escape(w)) for w in out) or "(?!)"


def _verb_pattern(verbs) -> re.Pattern[str]:
    return re.compile(r"(?i)\b(?P<verb>" + _alternation(verbs) + r")\b")


@lru_cache(maxsize=1)
def patterns() -> ClaimPatterns:
    return ClaimPatterns(load_yaml("claims.yaml"), load_yaml("timewords.yaml")["months"])


# ---------------------------------------------------------------------------------- dates
def parse_date(m: re.Match[str], anchor: dt.date | None, pats: ClaimPatterns) -> DatePhrase | None:
    """The interval a date match covers; a month or day without a year takes the anchor's year, or
    the year before when that would put it after the anchor ("in May" in a March article)."""
    g = m.groupdict()

    def month(s: str) -> int:
        return pats.months[s.rstrip(".").lower()]

    def day(s: str) -> int:
        return int(re.match(r"\d+", s).group())

    try:
        if g["y1"] or g["y2"]:
            y, mo, d = int(g["y1"] or g["y2"]), month(g["m1"] or g["m2"]), day(g["d1"] or g["d2"])
            start = dt.date(y, mo, d)
            return DatePhrase(m.group(), start, start, "day")
        if g["y3"]:
            y, mo = int(g["y3"]), month(g["m3"])
            return DatePhrase(m.group(), dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), "month")
        if g["y5"]:
            y = int(g["y5"])
            return DatePhrase(m.group(), dt.date(y, 1, 1), dt.date(y, 12, 31), "year")
        if anchor is None:
            return None
        if g["m4"]:
            mo, d = month(g["m4"]), day(g["d4"])
            y = anchor.year if (mo, d) <= (anchor.month, anchor.day) else anchor.year - 1
            start = dt.date(y, mo, d)
            return DatePhrase(m.group(), start, start, "day", inferred_year=True)
        if g["m6"]:
            mo = month(g["m6"])
            y = anchor.year if mo <= anchor.month else anchor.year - 1
            return DatePhrase(m.group(), dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), "month",
                              inferred_year=True)
    except ValueError:  # "February 30": not a date
        return None
    return None


def sentence_dates(text: str, anchor: dt.date | None, pats: ClaimPatterns | None = None) -> list[DatePhrase]:
    """Every explicit date of a sentence (bare month names only when they follow "in")."""
    pats = pats or patterns()
    out = []
    for m in pats.date.finditer(text):
        if m.group("m6") and not re.search(r"(?i)\b(?:in|since|until|last|early|late|mid)\s+$", text[: m.start()]):
            continue  # "May" alone is usually the verb
        d = parse_date(m, anchor, pats)
        if d is not None:
            out.append(d)
    return out


def date_after(text: str, words: str, anchor: dt.date | None,
               pats: ClaimPatterns) -> tuple[int, int, DatePhrase] | None:
    """The first "<word> <date>" in `text` ("in May 2023", "since 2004"): (where the word starts,
    where the date ends, the date)."""
    for m in re.finditer(rf"(?i)\b(?:{words})\s+", text):
        dm = pats.date.match(text, m.end())
        if dm is None:
            continue
        d = parse_date(dm, anchor, pats)
        if d is not None:
            return m.start(), dm.end(), d
    return None


# ---------------------------------------------------------------------------------- extraction
class ClaimReader:
    """Reads the claims of articles; one per process is enough (it holds the resolver)."""

    def __init__(self, resolver: ActorResolver | None = None) -> None:
        self.resolver = resolver or default_resolver()
        self.pats = patterns()
        self._names: dict[str, set[str]] | None = None  # person -> every name and alias (spelling similarity)

    # -- people ------------------------------------------------------------------------------------
    def people(self, text: str, day: dt.date | None) -> list[PersonMention]:
        """Known people named in a sentence, including names found only through a spelling correction
        (the fast scanner knows exact names only, so runs of capitalised words it missed are tried)."""
        out: list[PersonMention] = []
        spans = self.resolver.scan(text)
        covered = [(s, e) for s, e, _ in spans]
        for s, e, surface in spans:
            actor = self.resolver.resolve(surface, day)
            if actor is None or actor.kind != "person" or not actor.name:
                continue
            # a known surname after an unknown given name is someone else ("Anote Tong" is not Goh
            # Chok Tong): the name with the capitalised word before it must still be the same person
            # (a title keeps it: "Minister Belousov"; a sentence's first word is left out)
            prev = re.search(r"(?<![\w’'-])([A-Z][\w’'.-]*)\s$", text[:s])
            if prev and text[: prev.start()].strip(" \"'“‘([—–-"):
                wider = self.resolver.resolve(text[prev.start() : e], day)
                if wider is None and not self._given_name_like(prev.group(1), actor):
                    continue
                if wider is not None and wider.name != actor.name:
                    continue
                inside = any(cs <= prev.start() < ce for cs, ce in covered)  # "Secretary of State"
                if not inside and self.resolver.resolve(prev.group(1)) is None:  # a given name
                    s, surface = prev.start(), text[prev.start() : e]
            out.append(PersonMention(s, e, surface, actor))
        for m in re.finditer(r"(?<![\w’'-])[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*", text):
            if any(s <= m.start() < e or s < m.end() <= e for s, e in covered):
                continue
            starts = [m.start()]
            # a sentence may open with a capitalised word that is not part of the name ("Despite
            # Belousev"); elsewhere the whole run is the name ("Jack Roberts" is not a misspelt Robertson)
            first = re.match(r"\S+\s+", m.group())
            if first and first.group().strip().lower() in self.pats.article_words:
                continue  # "The Guardian" is a newspaper, not a misspelt Guardia
            if first and not text[: m.start()].strip(" \"'“‘([—–-"):
                starts.append(m.start() + first.end())
            for start in starts:
                surface = re.sub(r"(?:'s|’s|'|’)$", "", text[start : m.end()]).rstrip(".,")
                if len(surface) < 4 or re.search(rf"(?i)\b(?:{self.pats.articles})\s+$", text[:start]):
                    continue  # "the Guardian" is a newspaper, not a misspelt Guardia
                actor = self.resolver.resolve(surface, day)
                if actor is not None and actor.kind == "person" and actor.name:
                    out.append(PersonMention(start, start + len(surface), surface, actor))
                    break
        out.sort(key=lambda p: p.start)
        return self._tidy(out, text)

    def _tidy(self, people: list[PersonMention], text: str) -> list[PersonMention]:
        """Some aliases carry a title ("President Xi", "Premier Li Qiang"): the title is left out of
        the name, so that it is read as a title; and "President Xi" + "Jinping" is one name."""
        out: list[PersonMention] = []
        for p in people:
            title = self.pats.role_any.match(p.surface)
            if title and title.end() < len(p.surface) and p.surface[title.end()].isspace():
                skip = title.end() + len(p.surface[title.end() :]) - len(p.surface[title.end() :].lstrip())
                p = PersonMention(p.start + skip, p.end, p.surface[skip:], p.actor)
            last = out[-1] if out else None
            if last and last.actor.name == p.actor.name and not text[last.end : p.start].strip():
                out[-1] = PersonMention(last.start, p.end, text[last.start : p.end], p.actor)
                continue
            out.append(p)
        return out

    def names_of(self, actor: Actor) -> set[str]:
        """Every name and alias the knowledge base has for a person (index built on first use)."""
        if self._names is None:
            names: dict[str, set[str]] = {}
            for bucket in self.resolver.kb.index.values():
                for e in bucket:
                    if e.kind == "person":
                        names.setdefault(e.ref.name, set()).add(e.surface)
            self._names = names
        return self._names.get(actor.name or "", set()) | {actor.name or ""}

    def similarity(self, written: str, actor: Actor) -> float:
        """How close a written name is to the nearest of the person's known names (0-1)."""
        return max(_similarity(written, f) for f in self.names_of(actor))

    def _given_name_like(self, word: str, actor: Actor) -> bool:
        """Is `word` a spelling of one of the person's given names ("Andriy" for Andrey Belousov)?"""
        firsts = {k[0] for n in self.names_of(actor) if len(k := key_tokens(n)) > 1}
        w = " ".join(key_tokens(word))
        return any(fuzz.ratio(w, f) >= GIVEN_NAME_RATIO for f in firsts)

    def _owner(self, phrase: str | None) -> str | None:
        """The state or organisation a title names ("Russia's", "U.S.", "Kremlin", "NATO")."""
        if not phrase:
            return None
        words = phrase.split()
        # only the words that name a state or organisation: "Russian Deputy" is not an owner at all
        actor = self.resolver.resolve(phrase)
        if actor is None:
            return None
        if actor.kind == "person" and actor.country:
            return actor.country  # "Putin's spokesman": the person's state
        code = actor.country or actor.org
        if code is None or any(w.lower().strip(".,’'") in self.pats.other_office for w in words):
            return None
        return code

    def _blocked(self, before: str) -> bool:
        """Is the title another office ("Deputy Defence Minister", "shadow foreign secretary")?"""
        words = re.findall(r"[\w-]+", before.lower())
        return bool(words) and (words[-1] in self.pats.other_office or words[-1].rstrip("-") in self.pats.other_office)

    def _qualifier(self, *mods: str | None) -> Qualifier | None:
        """current / former / then from the modifier words; None for a future office ("incoming")."""
        for mod in mods:
            if not mod:
                continue
            w = mod.lower().rstrip("-")
            if w in self.pats.future:
                return None
            if w in self.pats.former:
                return "former"
            if w in self.pats.then:
                return "then"
        return "current"

    # -- sentences ---------------------------------------------------------------------------------
    def read(self, article: Article) -> list[Claim]:
        """Every claim of an article, in sentence order."""
        claims: list[Claim] = []
        last_person: PersonMention | None = None
        spelled: dict[str, tuple[Sentence, PersonMention]] = {}
        named: set[str] = set()  # people named with the right spelling somewhere in the article
        for sent in split_document(article):
            people = self.people(sent.text, article.date)
            dates = sentence_dates(sent.text, article.date, self.pats)
            found = self._titles(article, sent, people)
            found += self._tenures(article, sent, people, last_person)
            for c in found:
                c.sentence_dates = dates
            claims += _dedup(found)
            for p in people:
                if p.actor.matched == "fuzzy":
                    spelled.setdefault(p.surface.lower(), (sent, p))
                else:
                    named.add(p.actor.name or "")
            if people:
                last_person = people[-1]
        for sent, p in spelled.values():
            # one misspelt word alone may be another person's name ("Anderson said" is not Magdalena
            # Andersson): it is a finding when the article also names the person rightly, or when
            # given name and surname were both written
            sure = p.actor.name in named or len(p.surface.split()) > 1
            claims.append(Claim("spelling", article.id, sent, p.surface, p.actor, p.surface, "title",
                                similarity=self.similarity(p.surface, p.actor), corroborated=sure))
        return claims

    def _titles(self, article: Article, sent: Sentence, people: list[PersonMention]) -> list[Claim]:
        """Titles before a name ("Defence Minister Shoigu") and appositions after it (", Russia's
        defence minister,")."""
        out: list[Claim] = []
        text = sent.text
        pats = self.pats
        for i, p in enumerate(people):
            lo = max(0, p.start - _WINDOW, people[i - 1].end if i else 0)
            before = text[lo : p.start]
            rm = pats.role_before.search(before)
            if rm:
                pre = before[: rm.start()]
                pm = pats.prefix.search(pre)  # None when the role follows "(" or a quote mark
                mods = (pm.group("mod1"), pm.group("mod2")) if pm else ()
                role = pats.role_for(rm.group("role"))
                q = self._qualifier(*mods)
                if role and q and not self._blocked(pre):
                    out.append(self._role_claim(article, sent, p, role, rm.group("role"), q,
                                                self._owner(pm.group("owner") if pm else None),
                                                before[pm.start() if pm else rm.start() :].strip(), "title"))
            hi = min(len(text), p.end + _WINDOW, people[i + 1].start if i + 1 < len(people) else len(text))
            after = text[p.end : hi]
            if (claim := self._apposition(article, sent, p, after)) is not None:
                out.append(claim)
        return out

    def _apposition(self, article: Article, sent: Sentence, p: PersonMention, after: str) -> Claim | None:
        """", Russia's defence minister," / ", the former defence minister," / ", who was defence
        minister until 2020," after a name; with "since <date>" / "until <date>" it dates the term."""
        pats = self.pats
        am = pats.apposition_open.match(after)
        if am is None:
            return None
        rest = after[am.end() :]
        rm = pats.role_any.search(rest, 0, 80)
        if rm is None or "," in rest[: rm.start()]:
            return None
        pre = rest[: rm.start()]
        pm = pats.prefix.match(pre)
        if pm is None or self._blocked(pre):
            return None
        role = pats.role_for(rm.group("role"))
        q = self._qualifier(pm.group("mod1"), pm.group("mod2"))
        if role is None or q is None:
            return None
        tm = pats.role_tail.match(rest, rm.end())
        end = tm.end() if tm else rm.end()
        if not pats.apposition_end.match(rest, end):
            return None  # "X, the president of a company ...": the role names something else
        who = _norm(am.group("who") or "")
        if q == "current" and (who in pats.past_openers or pats.then_after.match(rest, end)):
            q = "then"  # ", who was defence minister", ", the defence minister at the time,"
        owner = self._owner(pm.group("owner")) or self._owner(tm.group("owner") if tm else None)
        claim = self._role_claim(article, sent, p, role, rm.group("role"), q, owner,
                                 (p.surface + after[: am.end() + end]).strip(), "apposition")
        tail = rest[end:]
        # ", Russia's foreign minister since 2004," / ", who was defence minister until 2020"
        for words, edge in ((pats.since, "start"), (pats.until, "end")):
            hit = re.match(rf"\s+(?i:{words})\s+", tail)
            if hit and (dm := pats.date.match(tail, hit.end())) and (d := parse_date(dm, article.date, pats)):
                claim.kind = "tenure" if edge == "start" else "former"
                claim.edge, claim.date, claim.slack_days = edge, d, pats.start_slack
                claim.text = (p.surface + after[: am.end() + end] + tail[: dm.end()]).strip()
                if edge == "end":
                    claim.qualifier = "former"
        return claim

    def _role_after_verb(self, between: str) -> tuple[str, str | None] | None:
        """The role between a tenure verb and its date ("as the Russian Minister of Defense"):
        (role words, owner code), or None when the words name no role of claims.yaml."""
        pats = self.pats
        lead = re.match(r"\s*(?:(?i:as)\s+)?", between)
        body = between[lead.end() :]
        rm = pats.role_any.search(body)
        if rm is None:
            return None
        pre = body[: rm.start()]
        pm = pats.prefix.match(pre)
        if pm is None or self._blocked(pre) or self._qualifier(pm.group("mod1"), pm.group("mod2")) != "current":
            return None
        tm = pats.role_tail.match(body, rm.end())
        end = tm.end() if tm else rm.end()
        if not re.fullmatch(r"\s*,?\s*", body[end:]):
            return None
        owner = self._owner(pm.group("owner")) or self._owner(tm.group("owner") if tm else None)
        return rm.group("role"), owner

    def _role_claim(self, article: Article, sent: Sentence, p: PersonMention, role: Role, role_text: str,
                    q: Qualifier, owner: str | None, words: str, subject: str) -> Claim:
        kind: ClaimKind = "former" if q == "former" else "role"
        return Claim(kind, article.id, sent, words, p.actor, p.surface, subject, role=role, role_text=role_text,
                     country=owner, qualifier=q)

    def _tenures(self, article: Article, sent: Sentence, people: list[PersonMention],
                 last_person: PersonMention | None) -> list[Claim]:
        """Starts and ends of terms: "X became defence minister in May 2024", "X, who took office in
        2004", "X has been foreign minister since 2004", "X, who served as president until 2020"."""
        out: list[Claim] = []
        text = sent.text
        pats = self.pats
        jobs = [(verbs, "start", pats.date_preps, slack) for verbs, slack in pats.start_groups]
        jobs += [(verbs, "start", pats.since, slack) for verbs, slack in pats.start_groups]
        jobs += [(pats.served_verbs, "start", pats.since, pats.start_slack),
                 (pats.served_verbs, "end", pats.until, pats.start_slack)]
        seen: set[int] = set()
        for verbs, edge, preps, slack in jobs:
            for vm in verbs.finditer(text):
                if vm.start() in seen:
                    continue
                verb = vm.group("verb").lower()
                if " " not in verb and pats.passive.search(text[: vm.start()]):
                    continue  # "Shoigu was replaced by ...": the verb's subject is not the one who took office
                window = pats.clause_break.split(text[vm.end() : vm.end() + _WINDOW])[0]
                hit = date_after(window, preps, article.date, pats)
                if hit is None:
                    continue
                gap, date_end, date = hit
                between = window[:gap]
                role = role_text = owner = None
                if not between.strip() or pats.in_office_only.fullmatch(between.strip()):
                    if verbs is pats.served_verbs and not between.strip():
                        continue  # "X was in 2004 ...": no office named
                    if slack > pats.start_slack or pats.role_after_date.match(window, date_end):
                        continue  # "was elected in 2016 to lead his party": elected or appointed to what?
                else:
                    found = self._role_after_verb(between)
                    if found is None:
                        continue  # something else became, or took over something else
                    role_text, owner = found
                    role = pats.role_for(role_text)
                subject = self._subject(text, vm.start(), people, last_person)
                if subject is None:
                    continue
                who, how = subject
                seen.add(vm.start())
                kind: ClaimKind = "tenure" if edge == "start" else "former"
                out.append(Claim(kind, article.id, sent, text[vm.start() : vm.end() + date_end].strip(),
                                 who.actor, who.surface, how, role=role, role_text=role_text, country=owner,
                                 qualifier="former" if edge == "end" else "current", edge=edge, date=date,
                                 slack_days=slack))
        # "X, in office since 2004" / "X, Russia's foreign minister since 2004" (appositions are read in _titles)
        for m in re.finditer(rf"(?i)\b(?:{pats.since})\s+", text):
            dm = pats.date.match(text, m.end())
            if dm is None or not pats.in_office.search(text[: m.start()]):
                continue
            d = parse_date(dm, article.date, pats)
            subject = self._subject(text, m.start(), people, last_person)
            if d is None or subject is None:
                continue
            who, how = subject
            out.append(Claim("tenure", article.id, sent, text[pats.in_office.search(text[: m.start()]).start() : dm.end()],
                             who.actor, who.surface, how, edge="start", date=d, slack_days=pats.start_slack))
        return out

    def _subject(self, text: str, at: int, people: list[PersonMention],
                 last_person: PersonMention | None) -> tuple[PersonMention, str] | None:
        """Who the verb at `at` is about: the person before ", who", the person right before the verb,
        else the nearest person before it (through a pronoun: possibly the last person of an earlier
        sentence)."""
        before = [p for p in people if p.end <= at]
        head = text[:at]
        rel = self.pats.relative_before.search(head)
        if rel:
            owner = [p for p in before if p.end <= rel.start() and not text[p.end : rel.start()].strip(" ’'s")]
            return (owner[-1], "relative") if owner else None
        # a relative clause between the subject and the verb is skipped ("X, who replaced Y, became ...")
        masked = self.pats.relative_clause.sub(lambda m: " " * len(m.group()), head)
        before = [p for p in before if masked[p.start : p.end].strip()]
        pron = None
        for m in re.finditer(r"\b(\w+)\b", masked):
            if m.group(1).lower() in self.pats.pronouns:
                pron = m
        if before:
            p = before[-1]
            gap = masked[p.end :]
            if pron is not None and pron.start() >= p.end:
                return p, "pronoun"
            if self.pats.subject_gap.fullmatch(gap):
                return p, "adjacent"
            return p, "nearest"
        # "... since he took over": he is the last person named before, unless this sentence names
        # someone the knowledge base does not know (a capitalised word other than the first)
        if pron is not None and last_person is not None and not re.search(r"(?<=\s)[A-Z]\w+", masked[: pron.start()]):
            return last_person, "previous"
        return None


def _dedup(claims: list[Claim]) -> list[Claim]:
    """One claim per (person, kind, role, edge, date) in a sentence: the most specific wording wins."""
    out: dict[tuple, Claim] = {}
    for c in claims:
        key = (c.person.name, c.kind, c.role.name if c.role else None, c.edge, c.date.start if c.date else None,
               c.qualifier)
        if key not in out or SUBJECT_CONFIDENCE.get(c.subject, 0) > SUBJECT_CONFIDENCE.get(out[key].subject, 0):
            out[key] = c
    # a dated start without a role says less than the same start with one
    roled = {(c.person.name, c.edge, c.date.start) for c in out.values() if c.role and c.date}
    return [c for c in out.values() if c.role or not c.date or (c.person.name, c.edge, c.date.start) not in roled]


def _similarity(written: str, name: str) -> float:
    """How close a written name is to the knowledge base's (0-1): the full name, or its surname
    when only one word was written."""
    w = " ".join(key_tokens(written))
    keys = key_tokens(name)
    target = keys[-1] if len(w.split()) == 1 and keys else " ".join(keys)
    return round(fuzz.ratio(w, target) / 100, 3)


def read_claims(article: Article, resolver: ActorResolver | None = None) -> list[Claim]:
    """The claims of one article (see `ClaimReader`)."""
    return ClaimReader(resolver).read(article)
