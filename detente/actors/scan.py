"""Fast prefilter: character spans of actor-like mentions in a sentence, without spaCy.

All names, aliases, demonyms, capitals, metonyms, IGO and group names, people and agent words are
compiled into two trie-shaped regular expressions (case-insensitive for words, case-sensitive for
acronyms such as "US"), so one `finditer` over the sentence does the work in C. Matches never start
or end inside a word. Cities are left out: alone they are places, not actors.

Run ``python -m detente.actors.scan`` to measure the speed (sentences per second on one core).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from detente.actors.kb import Entry, KnowledgeBase
from detente.actors.names import strip_accents
from detente.cache import cached_pattern

SCAN_KINDS = ("country", "demonym", "capital", "metonym", "region", "people", "igo", "group", "person", "agent")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_SEP = "\x00"  # a space or hyphen inside a name: matches either in the text
_SEPS = re.compile(r"[\s\-]+")


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation shaped like a trie (shared prefixes factored out; the optional tails are
    greedy, so the longest name wins)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        branches = []
        for ch in sorted(c for c in node if c):
            piece = r"[\s\-]+" if ch == _SEP else re.escape(ch)
            branches.append(piece + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


def _name_pattern(names: Iterable[str]) -> str:
    """The scanner's pattern: one of the names, from the start of a word to the end of one."""
    return r"\b(?:" + _trie_pattern(names) + r")(?![\w])"


def _digest(names: list[str]) -> str:
    return hashlib.sha256("\n".join(names).encode("utf-8", "surrogatepass")).hexdigest()


def _variants(entry: Entry) -> set[str]:
    """Written forms of a name: as in the data, without accents, without a leading "the"."""
    s = entry.surface.translate(_APOSTROPHES).strip()
    forms = {s, strip_accents(s)}
    for f in list(forms):
        if f.lower().startswith("the ") and len(f) > 4:
            forms.add(f[4:])
        if f.endswith(".") and len(f) > 2:  # "U.S." also written "U.S"
            forms.add(f[:-1])
    return {_SEPS.sub(_SEP, f) for f in forms if f}


class Scanner:
    """One compiled pattern over the knowledge base's names (built once per resolver).

    The pattern is matched against the lower-cased sentence (case-insensitive matching is about
    twice as slow in `re`); case is then checked on the few matches: proper names need a capital
    ("Amnesty", not "amnesty") and acronyms need capitals ("US", not "us").
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        plain: set[str] = set()  # agent words: any case
        proper: set[str] = set()
        acronyms: set[str] = set()
        for entry in kb.surfaces(SCAN_KINDS):
            for form in _variants(entry):
                low = form.lower()
                (acronyms if entry.acronym else proper if entry.proper else plain).add(low)
        # known people are often named by surname alone ("Austin last spoke with ...")
        # (surnames that are English words, "Price", need a title and are left to the resolver)
        proper.update(s for s, people in kb.surnames.items() if len(people) == 1 and s not in kb.word_surnames)
        self._plain, self._proper, self._acronyms = plain, proper - plain, acronyms - plain - proper
        # compiling the pattern of some 10,000 names takes a second; its compiled program is kept in
        # the load cache under a hash of the names (the pattern is a function of them alone)
        names = sorted(plain | proper | acronyms)
        self._pattern = cached_pattern("actor-scanner", lambda: _name_pattern(names), _digest(names))

    def scan(self, text: str) -> list[tuple[int, int, str]]:
        if "’" in text or "‘" in text or "`" in text or "´" in text or "ʼ" in text:
            text = text.translate(_APOSTROPHES)  # same length: offsets stay valid
        low = text.lower()
        if len(low) != len(text):  # a few characters grow when lower-cased ("İ"): keep offsets
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        spans: list[tuple[int, int, str]] = []
        plain, proper, acronyms = self._plain, self._proper, self._acronyms  # locals: a hot loop
        for m in self._pattern.finditer(low):
            start, end = m.span()
            if start and text[start - 1] == "'":  # "'s", not a name
                continue
            form = m.group()
            if " " in form or "-" in form or "\t" in form or "\n" in form:
                form = _SEPS.sub(_SEP, form)
            surface = text[start:end]
            if form not in plain:
                if form in proper:
                    if surface.islower():
                        continue
                elif form in acronyms:
                    if not _acronym_case(surface):
                        continue
            spans.append((start, end, surface))
        return spans


def _acronym_case(surface: str) -> bool:
    """"US", "U.S." and "Nato" (title case from four letters on), not "us"."""
    letters = [c for c in surface if c.isalpha()]
    if all(c.isupper() for c in letters):
        return True
    return len(letters) >= 4 and surface[0].isupper()


if __name__ == "__main__":  # speed check: python -m detente.actors.scan
    import time

    from detente.actors import default_resolver

    resolver = default_resolver()
    sample = [
        "Russian Defence Minister Andrei Belousov held a phone call with US Defense Secretary Lloyd Austin on Friday.",
        "The Kremlin said on Tuesday that NATO was escalating tensions by sending more weapons to Ukraine.",
        "Heavy rain caused flooding in several districts, and the weather service warned of more storms.",
        "Two Chinese warplanes crossed the median line of the Taiwan Strait, the ministry in Taipei said.",
        "Shares rose 2 percent in early trading as investors awaited the quarterly earnings report.",
    ]
    resolver.scan(sample[0])
    n = 20000
    t0 = time.perf_counter()
    for i in range(n):
        resolver.scan(sample[i % len(sample)])
    dt_ = time.perf_counter() - t0
    print(f"{n / dt_:,.0f} sentences/s ({dt_ / n * 1e6:.1f} us per sentence)")
