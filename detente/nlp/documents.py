"""Split an article into sentences without spaCy: paragraphs, then rule-based sentence boundaries.

spaCy's parser is the expensive step of the pipeline, so the document is split first by cheap rules
and only the sentences that may hold an event are parsed later. The splitter also cleans the text
of what a web page adds around the news: page furniture lines (``data/boilerplate.txt``) are dropped
and a sentence repeated in the document (slideshow pages list every slide title at the top and again
before each slide) is kept once, so it is coded once.

Every ``Sentence`` keeps character offsets into ``article.text``; its ``text`` is that slice with
line breaks, tabs and no-break spaces replaced by plain spaces (same length, so offsets inside a
sentence map one-to-one onto the article).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator

from detente.data import data_path, load_yaml
from detente.records import Article, Sentence

MAX_SENTENCE_CHARS = 1000
"""Longer "sentences" are tables or run-on page text: split at clause marks or dropped."""

# A sentence ends at . ! ? (possibly repeated, possibly followed by closing quotes or brackets)
# followed by white space and then something that can start a sentence.
_BOUNDARY = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s+["'“‘«(\[]?[A-Z0-9À-Ý])""")
_SPACE_LIKE = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\xa0": " ", "\u2009": " ", "\u202f": " "})
_WORD_BEFORE = re.compile(r"(?<!\w)([A-Za-z][A-Za-z.]*)\.$")
_NORM = re.compile(r"[\W_]+", re.UNICODE)
# ASCII text, byte by byte: letters and digits kept, every other character (what [\W_] matches
# there) made a space; and the ASCII letters, which are all that str.isalpha is true for there
_ASCII_WORDS = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))
_ASCII_LETTERS = bytes(c for c in range(128) if chr(c).isalpha())
_FINAL_PUNCT = ".!?…:;\"'”’)»"


@lru_cache(maxsize=1)
def _words() -> dict[str, frozenset[str]]:
    """The splitter's word lists from ``data/splitter.yaml`` (abbreviations, sentence openers ...)."""
    data = load_yaml("splitter.yaml")
    return {
        "abbreviations": frozenset(str(w).lower() for w in data["abbreviations"]),
        "number_abbreviations": frozenset(str(w).lower() for w in data["number_abbreviations"]),
        "sentence_starters": frozenset(str(w) for w in data["sentence_starters"]),
        "continuation_words": frozenset(str(w).lower() for w in data["continuation_words"]),
    }


@lru_cache(maxsize=1)
def _boilerplate() -> re.Pattern[str]:
    """One compiled alternation of the page-furniture patterns (each must match a whole line)."""
    lines = data_path("boilerplate.txt").read_text(encoding="utf-8").splitlines()
    pats = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=1)
def _dateline() -> re.Pattern[str]:
    """A wire dateline: PLACE in capitals, then a date and/or (Agency), then a dash."""
    months = "|".join(sorted((m.capitalize() for m in load_yaml("timewords.yaml")["months"]), key=len, reverse=True))
    place = r"[A-Z][A-Z.'’\-]+(?:\s+[A-Z][A-Z.'’\-]+){0,3}(?:,\s+[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)?)?"
    when = rf"(?:,?\s+(?:{months})\.?\s+\d{{1,2}}(?:,\s+\d{{4}})?)"
    agency = r"(?:\s*\([^()\n]{1,40}\))"
    return re.compile(rf"{place}(?:{when}{agency}?|{agency})\s*[-–—]+\s*")


def dateline_length(block: str) -> int:
    """Length of the wire dateline opening ``block`` ("WASHINGTON, July 16 (AP) - "), or 0."""
    m = _dateline().match(block)
    return m.end() if m else 0


def is_boilerplate(line: str) -> bool:
    """True when the whole (stripped) line is page furniture ("Never miss a story ...", "Share")."""
    s = line.strip()
    return bool(s) and _boilerplate().fullmatch(s) is not None


def _is_abbreviation_stop(text: str, dot: int) -> bool:
    """Does the full stop at ``text[dot]`` end an abbreviation rather than a sentence?"""
    m = _WORD_BEFORE.search(text, max(0, dot - 20), dot + 1)
    if not m:
        return False
    word = m.group(1)
    if "." in word:  # dotted forms: U.S., U.N., a.m., e.g.
        # "U.S." at the end of a sentence is ambiguous; a following capitalised function word
        # ("The", "But") is taken as a new sentence by the caller's check, not here.
        return True
    if len(word) == 1 and word.isupper():  # an initial: George W. Bush
        return True
    w = word.lower()
    if w in _words()["abbreviations"]:
        return True
    return w in _words()["number_abbreviations"] and re.match(r"\s+\d", text[dot + 1 : dot + 4]) is not None


def _sentence_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans inside the block ``text[start:end]`` (one paragraph or line)."""
    seg_start = start
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.end()
        if m.group(0)[0] == ".":
            dot = m.start()
            if _is_abbreviation_stop(text, dot):
                # "... the U.S. The next day ..." : a dotted abbreviation followed by a common
                # sentence opener still ends the sentence; titles (Mr., Gen.) never do.
                nxt = re.match(r"\s+[\"'“‘]?([A-Za-z]+)", text[stop:end])
                before = _WORD_BEFORE.search(text, max(0, dot - 20), dot + 1)
                dotted = before is not None and "." in before.group(1)
                if not (dotted and nxt and nxt.group(1) in _words()["sentence_starters"]):
                    continue
        yield seg_start, stop
        seg_start = stop
    if seg_start < end:
        yield seg_start, end


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Paragraph-or-line blocks: blank lines separate paragraphs; a single line break separates
    lines too (headlines, lists) unless the text is hard-wrapped (the line runs on mid-sentence)."""
    for pm in re.finditer(r"[^\n]+(?:\n(?![ \t\r\xa0]*\n)[^\n]*)*", text):
        p_start = pm.start()
        lines = [(lm.start() + p_start, lm.end() + p_start) for lm in re.finditer(r"[^\n]+", pm.group(0))]
        cur_start: int | None = None
        cur_end = 0
        for ls, le in lines:
            if cur_start is None:
                cur_start, cur_end = ls, le
            elif _joins(text[cur_start:cur_end], text[ls:le]):
                cur_end = le
            else:
                yield cur_start, cur_end
                cur_start, cur_end = ls, le
        if cur_start is not None:
            yield cur_start, cur_end


def _joins(prev: str, nxt: str) -> bool:
    """Is the line break between ``prev`` and ``nxt`` a hard wrap inside a sentence?"""
    p, n = prev.rstrip(), nxt.lstrip()
    if not p or not n:
        return False
    if p[-1] in _FINAL_PUNCT:
        return False
    if n[0].islower() or p[-1] in ",-–(" or p.split()[-1].lower() in _words()["continuation_words"]:
        return True
    # A long line that stops without punctuation is a wrapped line, a short one a headline.
    last_line = p.rsplit("\n", 1)[-1]
    return len(last_line) >= 60


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _prose_like(s: str) -> bool:
    """Mostly letters, in words of word length: not a number table, not an encoded blob."""
    if s.isascii():  # the usual case, counted in C: the length less that without the letters
        letters = (len(s) - len(s.encode().translate(None, _ASCII_LETTERS))) / max(1, len(s))
    else:
        letters = sum(map(str.isalpha, s)) / max(1, len(s))
    words = len(s.split())
    return letters >= 0.5 and words > 0 and len(s) / words <= 20


def _split_long(text: str, s: int, e: int) -> Iterator[tuple[int, int]]:
    """Cut an over-long span at clause marks (; : then , then spaces) into pieces of at most
    ``MAX_SENTENCE_CHARS``; pieces that are not prose (tables, number dumps, encoded blobs) are dropped."""
    while e - s > MAX_SENTENCE_CHARS:
        window = text[s : s + MAX_SENTENCE_CHARS]
        cut = -1
        for mark in ("; ", ": ", ", ", " "):
            cut = window.rfind(mark, MAX_SENTENCE_CHARS // 3)
            if cut > 0:
                cut += len(mark.rstrip())
                break
        if cut <= 0:
            cut = MAX_SENTENCE_CHARS
        ps, pe = _trim(text, s, s + cut)
        if pe > ps and _prose_like(text[ps:pe]):
            yield ps, pe
        s = s + cut
    ps, pe = _trim(text, s, e)
    if pe > ps and _prose_like(text[ps:pe]):
        yield ps, pe


def normalise(sentence: str) -> str:
    """The comparison key for repeated sentences: case, punctuation and spacing ignored."""
    if sentence.isascii():  # the same key, from bytes: the words between the non-word runs
        return b" ".join(sentence.encode().translate(_ASCII_WORDS).split()).decode().lower()
    return _NORM.sub(" ", sentence.lower()).strip()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (furniture and repeats not yet removed)."""
    return [span for bs, be in _blocks(text) for span in _iter_block(text, bs, be)]


def split_document(article: Article) -> list[Sentence]:
    """The article's sentences in order, with furniture dropped and repeated sentences kept once.

    Indices are consecutive over the kept sentences (the sentence index in the output contract).
    A block whose whole line is furniture is dropped, and so is a single furniture sentence inside
    a paragraph, and a "sentence" that is not prose (a bare URL, a dateline, list numbering). A
    wire dateline opening a paragraph ("KYIV, July 16 (Reuters) - ") is left out of the first
    sentence: it names where the story was filed, and its date is the publication's, not the event's.
    Headline-like lines without final punctuation are their own sentences.
    """
    text = article.text
    out: list[Sentence] = []
    seen: set[str] = set()
    for bs, be in _blocks(text):
        if is_boilerplate(text[bs:be]):
            continue
        bs += dateline_length(text[bs:be])
        for s, e in _iter_block(text, bs, be):
            raw = text[s:e]
            if is_boilerplate(raw) or not _prose_like(raw):  # furniture, bare URLs, datelines, numbering
                continue
            key = normalise(raw)
            if not key or key in seen:
                continue
            seen.add(key)
            out.append(Sentence(article.id, len(out), raw.translate(_SPACE_LIKE), s, e))
    return out


def _iter_block(text: str, bs: int, be: int) -> Iterable[tuple[int, int]]:
    for s, e in _sentence_spans(text, bs, be):
        s, e = _trim(text, s, e)
        if e <= s:
            continue
        if e - s > MAX_SENTENCE_CHARS:
            yield from _split_long(text, s, e)
        else:
            yield s, e
