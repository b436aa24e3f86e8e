"""Fast prefilter: character spans of actor-like mentions in a sentence, without spaCy.

All names, aliases, demonyms, capitals, metonyms, IGO and group names, people and agent words are
compiled into two trie-shaped regular expressions (case-insensitive for words, case-sensitive for
acronyms such as "US"), so one `finditer` over the sentence does the work in C. Matches never start
or end inside a word. Cities are left out: alone they are places, not actors.

Run ``python -m detente.actors.scan`` to measure the speed (sentences per second on one core).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from detente.actors.kb import Entry, KnowledgeBase
from detente.actors.names import strip_accents

SCAN_KINDS = ("country", "demonym", "capital", "metonym", "region", "igo", "group", "person", "agent")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_SEP = "\x00"  # a space or hyphen inside a name: matches either in the text


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


def _variants(entry: Entry) -> set[str]:
    """Written forms of a name: as in the data, without accents, without a leading "the"."""
    s = entry.surface.translate(_APOSTROPHES).strip()
    forms = {s, strip_accents(s)}
    for f in list(forms):
        if f.lower().startswith("the ") and len(f) > 4:
            forms.add(f[4:])
        if f.endswith(".") and len(f) > 2:  # "U.S." also written "U.S"
            forms.add(f[:-1])
    return {re.sub(r"[\s\-]+", _SEP, f) for f in forms if f}


class Scanner:
    """Compiled patterns over the knowledge base's names (built once per resolver)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        words: set[str] = set()
        acronyms: set[str] = set()
        proper: set[str] = set()
        for entry in kb.surfaces(SCAN_KINDS):
            for form in _variants(entry):
                if entry.acronym:
                    acronyms.add(form)
                else:
                    words.add(form.lower())
                    if entry.proper:
                        proper.add(form.lower())
        # Lower-case forms that are also common words only count when written with a capital.
        self._proper_only = proper - {w for w in words if w not in proper}
        bound_l, bound_r = r"(?<![\w'])", r"(?![\w])"
        self._words = re.compile(bound_l + "(?:" + _trie_pattern(words) + ")" + bound_r, re.IGNORECASE)
        self._acronyms = re.compile(bound_l + "(?:" + _trie_pattern(acronyms) + ")" + bound_r)

    def scan(self, text: str) -> list[tuple[int, int, str]]:
        text = text.translate(_APOSTROPHES)  # same length: offsets stay valid
        spans: list[tuple[int, int, str]] = []
        for m in self._words.finditer(text):
            surface = m.group()
            if surface.islower() and re.sub(r"[\s\-]+", _SEP, surface) in self._proper_only:
                continue
            spans.append((m.start(), m.end(), surface))
        for m in self._acronyms.finditer(text):
            spans.append((m.start(), m.end(), m.group()))
        spans.sort()
        out: list[tuple[int, int, str]] = []
        for span in spans:  # drop spans inside a longer one ("Russian" in "Russian Federation")
            if out and span[0] < out[-1][1]:
                if span[1] - span[0] > out[-1][1] - out[-1][0]:
                    out[-1] = span
                continue
            out.append(span)
        return out


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
