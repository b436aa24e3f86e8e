"""PLOVER contexts of an event: the cue's fixed contexts plus the keywords of ``data/contexts.yaml``.

Contexts are topical tags (military, economic, health ...) that PLOVER attaches to an event
independently of its type; a keyword list per context is a transparent, reviewable way to find them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from detente.data import load_yaml
from detente.events.ontology import OntologyError, default_ontology


_WORDS = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[str, ...], dict[tuple[str, ...], set[int]], dict[tuple[str, ...], set[int]], int,
                      frozenset[tuple[str, ...]], dict[tuple[str, ...], tuple[int, ...]], frozenset[str]]:
    """Keywords as word tuples: whole-word keywords, and keywords whose last word is a stem
    ("soldier*"). Matching looks words up instead of running a regex per context: a sentence is coded
    in one pass over its words."""
    raw = load_yaml("contexts.yaml")
    known = default_ontology().contexts()
    unknown = set(raw) - set(known)
    if unknown:
        raise OntologyError(f"contexts.yaml: unknown PLOVER context(s) {sorted(unknown)}")
    names = tuple(name for name in known if name in raw)  # PLOVER's own order, so results are stable
    exact: dict[tuple[str, ...], set[int]] = {}
    stems: dict[tuple[str, ...], set[int]] = {}
    longest = 1
    for i, name in enumerate(names):
        for keyword in raw[name]:
            kw = str(keyword).strip().lower()
            words = tuple(_WORDS.findall(kw))
            if not words:
                continue
            longest = max(longest, len(words))
            (stems if kw.endswith("*") else exact).setdefault(words, set()).add(i)
    # the word sequences that begin some keyword (an n-gram not among them cannot grow into one) and
    # the stem lengths after each sequence: the only prefixes of a word worth looking up
    heads = frozenset(words[:k] for words in (*exact, *stems) for k in range(1, len(words)))
    stem_lengths: dict[tuple[str, ...], set[int]] = {}
    for words in stems:
        stem_lengths.setdefault(words[:-1], set()).add(len(words[-1]))
    firsts = frozenset(h[0] for h in heads if len(h) == 1)  # first words of keywords of several words
    return names, exact, stems, longest, heads, {h: tuple(sorted(ks)) for h, ks in stem_lengths.items()}, firsts


def contexts_for(text: str, cue_context: Iterable[str] | str | None = ()) -> list[str]:
    """The cue's own contexts (``CueEntry.context``) first, then every context whose keywords occur
    in ``text`` (whole words; a keyword ending in "*" matches any word ending). A single name may be
    passed as a string; names that are not PLOVER contexts (such as an event type) are ignored."""
    names, exact, stems, longest, heads, stem_lengths, firsts = _index()
    words = _WORDS.findall(text.lower())
    found: set[int] = set()
    single = _SINGLE
    for i, word in enumerate(words):
        hit = single.get(word)
        if hit is None:
            hit = _single_word_hits(word)
        if hit:
            found |= hit
        if word not in firsts:
            continue  # no keyword of several words starts with this one
        for n in range(2, min(longest, len(words) - i) + 1):
            gram = tuple(words[i:i + n])
            head, last = gram[:-1], gram[-1]
            if head not in heads:
                break  # no keyword starts with these words, nor with any longer run of them
            hit = exact.get(gram)
            if hit:
                found |= hit
            for k in stem_lengths.get(head, ()):
                if k > len(last):
                    break
                hit = stems.get(head + (last[:k],))
                if hit:
                    found |= hit
    given = [cue_context] if isinstance(cue_context, str) else list(cue_context or ())
    out = [c for c in dict.fromkeys(given) if c in _known()] if given else []
    out.extend(names[i] for i in sorted(found) if names[i] not in out)  # in PLOVER's order
    return out


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """The names ``contexts_for`` accepts from a cue: PLOVER's contexts (built once, not per call)."""
    return frozenset(_index()[0]) | frozenset(default_ontology().contexts())


# word -> the contexts its one-word keywords give (exact or stem): a word's own hits do not depend on
# its neighbours, and the same words recur in every sentence, so each is looked up once
_SINGLE: dict[str, frozenset[int]] = {}
_SINGLE_MAX = 100_000


def _single_word_hits(word: str) -> frozenset[int]:
    """The contexts of the one-word keywords (whole or stem) that ``word`` matches, remembered."""
    _, exact, stems, _, _, stem_lengths, _ = _index()
    found: set[int] = set(exact.get((word,), ()))
    for k in stem_lengths.get((), ()):
        if k > len(word):
            break
        found |= stems.get((word[:k],), set())
    if len(_SINGLE) >= _SINGLE_MAX:
        _SINGLE.clear()
    hit = _SINGLE[word] = frozenset(found)
    return hit
