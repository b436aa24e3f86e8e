"""Matching a phrase's tokens against the knowledge base: longest name first, then a strict
spelling tolerance for names that are not found exactly.

Misspellings are looked for only in runs of capitalised words that matched nothing, and only for
multi-word names (ratio >= 90) or long single names (>= 7 letters, ratio >= 86, against known
surnames), so an unknown name is never turned into a famous one. Initials and surnames find known
people too ("G. W. Bush", "President Duterte"), except after an article ("the Hill").
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from detente.actors.kb import Entry, KnowledgeBase, Person
from detente.actors.names import Token, key_tokens

ENTITY_KINDS = ("person", "group", "igo")
# Spelling tolerance (rapidfuzz ratio, 0-100).
FUZZY_MULTI = 90.0
FUZZY_SINGLE = 86.0
FUZZY_SINGLE_MIN_LEN = 7
ARTICLES = frozenset({"the", "a", "an"})


@dataclass(slots=True)
class Match:
    start: int  # token index
    end: int  # token index (exclusive)
    entries: list[Entry]
    fuzzy: bool = False
    segment: int = 0
    to_segment: bool = False

    def first(self, *kinds: str) -> Entry | None:
        for e in self.entries:  # a plain loop: called for every match, many times per phrase
            if e.kind in kinds:
                return e
        return None


class Matcher:
    """Finds the knowledge-base entries a token sequence names."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._fuzzy_names: dict[str, tuple[list[str], list[Entry]]] | None = None
        self._fuzzy_surnames: dict[str, list[str]] = {}
        self._longest: dict[str, int] = {}  # first word -> longest name that starts with it
        self._indexed = -1  # size of the index `_longest` was built for
        self._fuzzy_cache: dict[tuple[tuple[str, ...], bool, bool], Match | None] = {}

    def _longest_names(self) -> dict[str, int]:
        """Longest name per first word, so a lookup tries only the n-gram sizes that can exist
        (rebuilt if names were added to the knowledge base after the matcher was made)."""
        index = self.kb.index
        if self._indexed != len(index):
            longest: dict[str, int] = {}
            for key, bucket in index.items():
                if bucket and len(key) > longest.get(key[0], 0):
                    longest[key[0]] = len(key)
            self._longest, self._indexed = longest, len(index)
            self._fuzzy_names = None
            self._fuzzy_cache.clear()
        return self._longest

    def clear_cache(self) -> None:
        self._fuzzy_cache.clear()

    def match(self, tokens: list[Token]) -> list[Match]:
        """Longest-first matching of token n-grams against the index, then spelling tolerance."""
        out: list[Match] = []
        i, n = 0, len(tokens)
        index = self.kb.index
        longest = self._longest_names()
        keys = tuple(t.key for t in tokens)
        while i < n:
            found = None
            for size in range(min(longest.get(keys[i], 0), n - i), 0, -1):
                bucket = index.get(keys[i : i + size])
                if bucket:
                    span = tokens[i : i + size]
                    valid = [e for e in bucket if _case_ok(e, span)]
                    if valid:
                        found = Match(i, i + size, valid)
                        break
            if found:
                out.append(found)
                i = found.end
            else:
                i += 1
        return self._fuzzy(tokens, out)

    def _fuzzy(self, tokens: list[Token], matches: list[Match]) -> list[Match]:
        """Runs of unknown capitalised words: try a misspelt known name or a known surname."""
        covered = {i for m in matches for i in range(m.start, m.end)}
        runs: list[tuple[int, int]] = []
        i = 0
        while i < len(tokens):
            if i not in covered and capitalised(tokens[i]) and tokens[i].key not in self.kb.determiners:
                j = i
                while j < len(tokens) and j not in covered and capitalised(tokens[j]):
                    j += 1
                runs.append((i, j))
                i = j
            else:
                i += 1
        titled = {m.end for m in matches if m.first("agent")}  # a run right after a title
        person_starts = {m.start for m in matches if m.first("person")}
        for start, end in runs:
            if end in person_starts:
                continue  # a word before a known name is its title or part of it ("Maulana Fazl-ur-Rehman")
            # an honorific opens a run ("Mr Major") but is not part of the name
            while start < end and tokens[start].key in self.kb.honorifics:
                start += 1
                titled.add(start)
            if start < end:
                m = self._fuzzy_run(tokens, start, end, start in titled)
                if m:
                    matches.append(m)
        matches.sort(key=lambda m: m.start)
        return matches

    def _fuzzy_run(self, tokens: list[Token], start: int, end: int, titled: bool = False) -> Match | None:
        """A misspelt or partial name in tokens[start:end]; the search depends only on the words,
        the article before them and the title, so its outcome is cached on those (fresh `Match`)."""
        keys = tuple(t.key for t in tokens[start:end])
        after_article = start > 0 and tokens[start - 1].key in ARTICLES
        ckey = (keys, after_article, titled)
        if ckey in self._fuzzy_cache:
            hit = self._fuzzy_cache[ckey]
            return None if hit is None else Match(start, end, list(hit.entries), hit.fuzzy)
        if len(self._fuzzy_cache) >= 50_000:
            self._fuzzy_cache.clear()
        found = self._search_run(list(keys), after_article, titled)
        self._fuzzy_cache[ckey] = found
        return None if found is None else Match(start, end, list(found.entries), found.fuzzy)

    def _search_run(self, keys: list[str], after_article: bool, titled: bool) -> Match | None:
        """The name search of `_fuzzy_run`; the returned match's offsets are placeholders."""
        start, end = 0, len(keys)
        if self._fuzzy_names is None:
            self._build_fuzzy()
        # initials + surname ("G. W. Bush"), then surname alone ("Museveni", "President Duterte")
        surname = keys[-1]
        candidates = self.kb.surnames.get(surname, [])
        if len(keys) == 1 and after_article:
            candidates = []  # "the Hill" is not Mr Hill
        if len(keys) == 1 and surname in self.kb.word_surnames and not titled:
            return None  # "Price" alone is a word; "Mr Price", "spokesman Price" are people
        if candidates:
            given = keys[:-1]
            fits = [p for p in candidates if _given_names_fit(given, p)]
            if len(fits) > 1 and given:  # "G. W. Bush": as many given names as written
                fits = [p for p in fits if len(_person_keys(p)) == len(keys)] or fits
            if len(fits) == 1:
                return Match(start, end, [Entry("person", fits[0], fits[0].name, alias=True)], fuzzy=False)
            if len(fits) > 1:
                return Match(start, end, [Entry("person", p, p.name, alias=True) for p in fits])
        query = " ".join(keys)
        multi = len(keys) >= 2
        if after_article:
            return None  # "The Guardian" is no misspelt Guardia: a name after an article is a thing's
        if not multi and (len(query) < FUZZY_SINGLE_MIN_LEN or (query in self.kb.common_surnames and not titled)):
            # a common surname alone is someone else's, not a misspelt known one ("Anderson" is not
            # Magdalena Andersson); after a title it may still be a slip ("President Andersen")
            return None
        # misspellings seldom touch the first letter: compare only with names that share it
        if multi:
            names, refs = self._fuzzy_names.get(query[0], ([], []))
            hit = process.extractOne(query, names, scorer=fuzz.ratio, score_cutoff=FUZZY_MULTI)
            if hit:
                return Match(start, end, [refs[hit[2]]], fuzzy=True)
            return None
        hit = process.extractOne(query, self._fuzzy_surnames.get(query[0], []), scorer=fuzz.ratio, score_cutoff=FUZZY_SINGLE)
        if hit and (hit[0].startswith(query) or query.startswith(hit[0])):
            return None  # one name inside the other is another name, not a slip: Roberts, Robertson
        if hit and len(self.kb.surnames[hit[0]]) == 1:
            person = self.kb.surnames[hit[0]][0]
            return Match(start, end, [Entry("person", person, person.name, alias=True)], fuzzy=True)
        return None

    def _build_fuzzy(self) -> None:
        """Multi-word entity names and surnames, bucketed by first letter."""
        names: dict[str, tuple[list[str], list[Entry]]] = {}
        for key, bucket in self.kb.index.items():
            if len(key) < 2:
                continue
            for e in bucket:
                if e.kind in ENTITY_KINDS:
                    text = " ".join(key)
                    slot = names.setdefault(text[0], ([], []))
                    slot[0].append(text)
                    slot[1].append(e)
                    break
        surnames: dict[str, list[str]] = {}
        for surname in self.kb.surnames:
            surnames.setdefault(surname[0], []).append(surname)
        self._fuzzy_names, self._fuzzy_surnames = names, surnames


def _case_ok(entry: Entry, span: list[Token]) -> bool:
    if not entry.proper:
        return True
    if all(t.is_lower for t in span):
        return False
    if entry.acronym:
        return all(t.is_upper or (len(t.surface) >= 4 and t.surface[0].isupper()) for t in span)
    return True


def capitalised(t: Token) -> bool:
    return t.surface[:1].isupper()


def _given_names_fit(given: list[str], person: Person) -> bool:
    """Query words before the surname must be the person's given names or their initials."""
    if not given:
        return True
    names = [k for k in _person_keys(person)[:-1]]
    for g in given:
        if not any(n == g or (len(g) == 1 and n.startswith(g)) for n in names):
            return False
    return True


def _person_keys(person: Person) -> list[str]:
    return list(key_tokens(person.name))
