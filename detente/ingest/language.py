"""Which language an article is written in, without a language-identification package.

detente codes English only; an article in another language must be stored with its language and
skipped with a recorded reason, not coded into nonsense. Two cues, cheapest first:

1. The writing system. Han, kana, Hangul, Greek, Hebrew, Thai, Georgian ... are each the script of
   one common news language, which decides at once (Chinese and Japanese have no spaces between
   words, so word lists could not work for them). Latin, Cyrillic, Arabic and Devanagari are shared,
   so they only narrow the candidates to the word lists written in that script.
2. Function words. The stop-word lists shipped with the installed ``justext`` package (100
   languages, most frequent word first; read in order from the package data, as
   ``justext.get_stoplist`` returns an unordered set) are cut to their top ``TOP_WORDS`` words, so a
   list of 10,000 words cannot win by size. The lists come from Wikipedia and carry stray words of
   other languages (English "the" is the first word of the Sundanese list): English function words
   that are words of no other language (``english_only`` in ``data/languages.yaml``) are taken out
   of the other lists, each word votes only for lists of its own script, and its vote is shared
   among the lists holding it in proportion to 1/sqrt(rank): "the" speaks for English, "de" for a
   dozen languages a little each. Capitalised words inside a sentence (names) do not vote. The best
   total wins.

Confidence combines how much of the text the winner's list covers (news prose in a language has
about a third of its tokens among that language's top function words; a list of names has few) and
the margin over the runner-up. Close relatives (Russian/Ukrainian/Belarusian, Spanish/Galician,
Croatian/Serbian/Bosnian, Danish/Norwegian, Indonesian/Malay) share many function words: on a few
sentences they are told apart by their distinctive words (Ukrainian "і", "що", "та"; Russian "и",
"что", "не"), with a low margin, so the confidence is low when the text is short. English is
never such a near tie, which is what the coder needs.

The lists load lazily, once per process (built in 0.2-0.5 s, or loaded from the load cache in a few
ms); a 600-word article then takes 0.2-0.6 ms,
since only its first ``SAMPLE_TOKENS`` tokens are scored, in one numpy sum.
"""

from __future__ import annotations

import pkgutil
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from detente.data import load_yaml
from detente.records import Article

TOP_WORDS = 200
"""Words taken from the top of each jusText list (the lists are ordered by frequency)."""
SAMPLE_TOKENS = 300
"""About this many tokens (their characters: 6 per token) are scored; more adds time, not accuracy."""
SAMPLE_CHARS = 3000
"""Characters of the text looked at (script counts and tokens)."""
MIN_HITS = 3
"""Fewer function-word hits than this and the text is too short or not prose: no language."""
EXPECTED_COVERAGE = 0.25
"""Share of a prose text's tokens found in its language's top list; at or above it the coverage
part of the confidence is full."""
HIGH_CONFIDENCE = 0.6
"""From this confidence on, a detected language overrides the one a page declares."""
LOW_CONFIDENCE = 0.3
"""Below this, a detection is not recorded as the article's language."""



def _is_word(w: str) -> bool:
    """Letters and combining marks (Devanagari, Tamil ... write vowels as marks), an apostrophe
    inside; no digits, no punctuation ("आहे." of the Marathi list is no word, "आहे" is)."""
    if w.isalpha():  # most words: no mark, no apostrophe
        return True
    return w[0].isalpha() and all(ch.isalpha() or ch in "'’" or unicodedata.category(ch)[0] == "M" for ch in w)


class _ScriptTable(NamedTuple):
    lists: tuple[int, ...]
    """List numbers (into ``_Model.codes``) of this script's lists: the weight matrix's columns."""
    rows: dict[str, int]
    """word -> row of the weight matrix."""
    weights: np.ndarray
    """word x list: the share of the word's evidence that speaks for the list (rows sum to 1)."""


class _Model(NamedTuple):
    codes: tuple[str, ...]
    scripts: tuple[str, ...]
    """Script of each list (the script of most of its letters)."""
    tables: dict[str, _ScriptTable]
    """The word lists of each script (Latin, Cyrillic, ...)."""
    ranges: tuple[tuple[int, int, str], ...]
    script_language: dict[str, str]


def _script_of(ch: str, ranges: tuple[tuple[int, int, str], ...]) -> str | None:
    o = ord(ch)
    for lo, hi, name in ranges:
        if lo <= o <= hi:
            return name
    return None


@lru_cache(maxsize=1)
def _model() -> _Model:
    """The word lists, from the load cache (``detente.cache``): building them reads and filters 100
    jusText lists, a quarter of a second at the start of every ingest, whose reading process pays
    for it; loading the built tables takes a few milliseconds."""
    from detente.cache import cached

    return cached("language-lists", build_model)


def build_model() -> _Model:
    """The word lists and script tables built from ``languages.yaml`` and the jusText lists."""
    data = load_yaml("languages.yaml")
    ranges = tuple(
        sorted((int(lo), int(hi), name) for name, spec in data["scripts"].items() for lo, hi in spec["ranges"])
    )
    script_language = {name: spec["language"] for name, spec in data["scripts"].items() if spec.get("language")}
    char_scripts: dict[str, str | None] = {}  # the lists' letters, looked up once each

    def script_of(ch: str) -> str | None:
        try:
            return char_scripts[ch]
        except KeyError:
            found = char_scripts[ch] = _script_of(ch, ranges)
            return found

    english_only = frozenset(str(w) for w in data.get("english_only") or ())
    words_of: dict[str, list[str]] = {}
    for name, code in data["stoplists"].items():
        if not code:
            continue
        raw = pkgutil.get_data("justext", f"stoplists/{name}.txt")
        if raw is None:  # pragma: no cover - justext ships every list named in languages.yaml
            continue
        top: list[str] = []
        seen: set[str] = set()
        for line in raw.decode("utf-8").splitlines():
            w = line.strip().lower()
            if w and w not in seen and _is_word(w):
                seen.add(w)
                top.append(w)
                if len(top) >= TOP_WORDS:
                    break
        if code != "en":
            top = [w for w in top if w not in english_only]
        have = words_of.setdefault(code, [])
        have.extend(w for w in top if w not in have)  # Simple_English joins English, after it
    codes = tuple(sorted(words_of))
    scripts: list[str] = []
    for code in codes:
        counts: dict[str, int] = {}
        for w in words_of[code]:
            for ch in w:
                sc = script_of(ch)
                if sc:
                    counts[sc] = counts.get(sc, 0) + 1
        scripts.append(max(counts, key=counts.__getitem__) if counts else "")
    # The lists come from Wikipedia and carry stray words of other languages ("the" in the Danish
    # list, at a low rank): a word counts only for lists of its own script, and its evidence is
    # shared among the lists in proportion to its rank in each (1 / sqrt(rank)).
    weights: dict[str, dict[int, float]] = {}
    for n, code in enumerate(codes):
        for rank, w in enumerate(words_of[code], 1):
            if script_of(w[0]) == scripts[n]:
                weights.setdefault(w, {})[n] = rank ** -0.5
    words_by_script: dict[str, list[str]] = {}  # a word's lists all have its script: its first list says which
    for w, by_list in weights.items():
        words_by_script.setdefault(scripts[next(iter(by_list))], []).append(w)
    tables: dict[str, _ScriptTable] = {}
    for script in sorted(set(scripts)):
        lists = tuple(n for n, sc in enumerate(scripts) if sc == script)
        column = {n: c for c, n in enumerate(lists)}
        words = words_by_script.get(script, [])
        matrix = np.zeros((len(words), len(lists)), dtype=np.float32)
        for r, w in enumerate(words):
            total = sum(weights[w].values())
            for n, x in weights[w].items():
                matrix[r, column[n]] = x / total
        tables[script] = _ScriptTable(lists, {w: r for r, w in enumerate(words)}, matrix)
    return _Model(codes, tuple(scripts), tables, ranges, script_language)


_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]", re.UNICODE)
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_PUNCT = "\"'“”‘’«»„()[]{}.,;:!?¿¡…-–—/|*#@&%+=<>"
_SENTENCE_ENDS = (".", "!", "?", ":", "»", "”", '"')


@lru_cache(maxsize=4096)
def _char_script(ch: str) -> str | None:
    return _script_of(ch, _model().ranges)


def _script_counts(sample: str) -> dict[str, int]:
    """Letters per script; ASCII letters are counted by one regex, the rest one by one (cached)."""
    counts: dict[str, int] = {}
    raw = sample.encode("utf-8", "ignore")
    ascii_letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    if ascii_letters:
        counts["latin"] = ascii_letters
    if not sample.isascii():
        for ch in _NON_ASCII_LETTER.findall(sample):
            sc = _char_script(ch)
            if sc:
                counts[sc] = counts.get(sc, 0) + 1
    return counts


def detect_language(text: str) -> tuple[str | None, float]:
    """The text's language as an ISO 639-1 code and a confidence in [0, 1]; ``(None, 0.0)`` when
    the text is too short or matches no list (numbers, names, code)."""
    if not text:
        return None, 0.0
    model = _model()
    sample = text[:SAMPLE_CHARS]
    counts = _script_counts(sample)
    letters = sum(counts.values())
    if not letters:
        return None, 0.0
    script = max(counts, key=counts.__getitem__)
    share = counts[script] / letters
    # Han with some kana is Japanese (kanji + kana); Han alone is Chinese.
    cjk = counts.get("han", 0) + counts.get("kana", 0)
    if script in ("han", "kana") and counts.get("kana", 0) >= 0.05 * cjk:
        script, share = "kana", cjk / letters
    if script in model.script_language:
        return model.script_language[script], round(share * min(1.0, counts[script] / 10), 3)
    head = sample[: SAMPLE_TOKENS * 6]
    if "’" in head:
        head = head.replace("’", "'")
    # Capitalised words inside a sentence are mostly names (Zelensky, bin Salman, von der Leyen),
    # which should not vote; a sentence's first word does, and a text in capitals or title case
    # keeps them all.
    # (list comprehensions rather than a loop: this runs for every article the ingest reads)
    words = head.split()
    stripped = [w.strip(_PUNCT) for w in words]
    tokens = [t for t in stripped if t]
    previous = ["."] + words  # the word before each word; the first word opens a sentence
    voting = [t for t, before in zip(stripped, previous)
              if t and (not t[0].isupper() or before.endswith(_SENTENCE_ENDS))]
    if len(voting) * 2 >= len(tokens):
        tokens = voting
    table = model.tables.get(script)
    if table is None:
        return None, 0.0
    get = table.rows.get
    found = [r for r in map(get, map(str.lower, tokens)) if r is not None]
    if len(found) < MIN_HITS:
        return None, 0.0
    votes = table.weights[found]
    scores = votes.sum(axis=0)
    hits = (votes > 0).sum(axis=0)
    order = np.argsort(scores)
    best, second = int(order[-1]), (int(order[-2]) if len(order) > 1 else None)
    if hits[best] < MIN_HITS:
        return None, 0.0
    runner_up = float(scores[second]) if second is not None else 0.0
    margin = 1.0 - runner_up / float(scores[best])
    coverage = min(1.0, int(hits[best]) / max(1, len(tokens)) / EXPECTED_COVERAGE)
    # A short text cannot be certain however clean: scale by the hits seen, full from 20 on.
    amount = min(1.0, int(hits[best]) / 20)
    confidence = coverage * (0.5 + 0.5 * margin) * (0.5 + 0.5 * amount) * min(1.0, share / 0.8)
    return model.codes[table.lists[best]], round(confidence, 3)


@lru_cache(maxsize=1024)
def primary_subtag(code: str | None) -> str | None:
    """``"en-GB"`` -> ``"en"``, ``"eng"`` -> ``"en"``: the form languages are compared and stored in.

    Metadata names languages in several ways (BCP 47 tags, ISO 639-2 codes in feeds and library
    records, now and then the English name); ``langcodes`` (a spaCy dependency) normalises codes.
    """
    if not code or not code.strip():
        return None
    value = code.strip()
    if value.lower() == "english":
        return "en"
    try:
        import langcodes

        found = langcodes.Language.get(value.replace("_", "-")).language
    except Exception:  # not a language tag ("English", "??"); langcodes raises several kinds
        found = None
    return (found or re.split(r"[-_]", value, maxsplit=1)[0]).lower() or None


def choose_language(declared: str | None, text: str) -> str | None:
    """The language to record for a text whose source declares ``declared`` (or nothing).

    A page's ``lang`` attribute comes from the site's template and is often left at the default
    (an English template serving a French story), so a confident detection overrides it; a weak
    detection (short text, close relatives) does not. Without a declaration the detection is used
    when it is at least weakly confident.
    """
    declared = primary_subtag(declared)
    code, conf = detect_language(text)
    if declared is None:
        return code if code and conf >= LOW_CONFIDENCE else None
    if code and code != declared and conf >= HIGH_CONFIDENCE:
        return code
    return declared


def is_english(article: Article) -> tuple[bool, str | None]:
    """Should the article be coded? ``(True, None)`` for English or an undetermined language;
    ``(False, reason)`` otherwise, the reason naming the language and how it was found."""
    lang = primary_subtag(article.language)
    if lang == "en":  # declared or already detected by the reader: no second detection
        return True, None
    code, conf = detect_language(article.text)
    if lang is None:
        if code is None or conf < LOW_CONFIDENCE or code == "en":
            return True, None
        return False, f"language detected as {code} ({conf:.2f}); only English is coded"
    if code == lang:
        return False, f"language detected as {code} ({conf:.2f}); only English is coded"
    return False, f"language given as {lang}; only English is coded"
