"""Slideshow and digest pages reduced to their article, once.

News sites publish a story as a slideshow (a list of the slide titles, then each slide with its
heading and text), as a digest (teasers of the stories, then the stories), or with the whole text
twice (an AMP copy in the same page), and sprinkle newsletter boxes, "More for you" blocks, slide
counters and share buttons in between. trafilatura keeps much of that. Coded as it comes, the
story's sentences would be counted twice and the store would see a different text from the same
story's plain version. ``reduce_paragraphs`` drops, in this order:

1. furniture lines (markers in ``data/page_furniture.yaml``: whole lines, short lines starting with a
   marker, and patterns such as slide counters);
2. repeats, compared case-, quote-, dash- and punctuation-blind. A headline-like line met more
   than once (the list of slide titles, then the same titles as slide headings) stays where it
   heads prose, so the list goes and each slide keeps its heading; any other repeated paragraph
   (the second copy of the story) stays where it first appears;
3. teasers: paragraphs that are the opening words of a longer paragraph elsewhere in the page.

Only furniture removes words the page does not also carry elsewhere. An ordinary article has none
of these, so nothing of it is dropped. ``canonical_key`` is the
text identity ``Article.content_hash()`` hashes: the reduced prose paragraphs, with headings,
the title line and punctuation variants left out, so a page and its plain-text copy are one article.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from detente.data import load_yaml

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_TRAILING = re.compile(r"[\s.!?:;,…\"'”’»)\]|·•-]+$")
_LEADING = re.compile(r"^[\s\"'“‘«(\[|·•*>-]+")
_FINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_LEADING_ASCII = "".join(chr(c) for c in range(128) if _LEADING.fullmatch(chr(c)))
_TRAILING_ASCII = "".join(chr(c) for c in range(128) if _TRAILING.fullmatch(chr(c)))
"""The ASCII characters of ``_LEADING`` and ``_TRAILING``: on an ASCII line, ``lstrip``/``rstrip`` of
these remove what the two regexes remove (a run at the start; the run at the end, which the regex
finds only after trying every position of the line)."""
_ELLIPSIS = re.compile(r"(\.\.\.|…)\s*$")
_BLANK_LINE = re.compile(r"\n\s*\n")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "´": "'",
                         "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
                         "–": "-", "—": "-", "―": "-", "‒": "-", "−": "-", "\xa0": " "})

HEADING_MAX_WORDS = 20
"""A line without final punctuation and at most this many words reads as a heading or title."""
TEASER_MIN_WORDS = 6
"""A teaser must carry at least this many words (or end in an ellipsis with at least 3 words), so a
heading such as "China" is never taken for the teaser of "China rejected the criticism."."""


class Dropped(NamedTuple):
    """A paragraph left out of the article and why (``furniture``, ``title list``, ``repeat``, ``teaser``)."""

    paragraph: str
    reason: str


class _Furniture(NamedTuple):
    lines: frozenset[str]
    prefix: re.Pattern[str] | None
    pattern: re.Pattern[str] | None
    max_chars: int


@lru_cache(maxsize=1)
def _furniture() -> _Furniture:
    data = load_yaml("page_furniture.yaml") or {}
    lines = frozenset(_marker(str(m)) for m in data.get("lines") or () if m)
    prefixes = sorted({_fold(str(m)) for m in data.get("prefixes") or () if m}, key=len, reverse=True)
    # a prefix ending in a letter must end a word there ("share on" is no prefix of "shared")
    prefix = re.compile("|".join(re.escape(p) + (r"(?!\w)" if p[-1].isalnum() else "") for p in prefixes)) if prefixes else None
    pats = [str(p) for p in data.get("patterns") or () if p]
    pattern = re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) if pats else None
    return _Furniture(lines, prefix, pattern, int(data.get("prefix_max_chars", 240)))


def _fold(s: str) -> str:
    """Folded quotes and dashes, lower case, no leading bullets or quotes: how prefixes compare."""
    if s.isascii():  # NFKC changes no ASCII text, and the backtick is the one ASCII key of _QUOTES
        return (s.replace("`", "'") if "`" in s else s).lower().strip().lstrip(_LEADING_ASCII)
    return _LEADING.sub("", unicodedata.normalize("NFKC", s).translate(_QUOTES).lower().strip())


def _marker(s: str) -> str:
    """A whole line as whole-line markers compare: folded, without trailing punctuation either."""
    return _TRAILING.sub("", _fold(s))


def is_furniture(line: str) -> bool:
    """Is the whole line page furniture ("Never miss a story!", "Next slide", "3 of 12")?

    Furniture is short: a line longer than ``prefix_max_chars`` is prose whatever it starts with.
    """
    f = _furniture()
    raw = line.strip()
    if not raw or len(raw) > f.max_chars:
        return False
    folded = _fold(raw)
    m = folded.rstrip(_TRAILING_ASCII) if folded.isascii() else _TRAILING.sub("", folded)
    if not m:  # only punctuation or bullets
        return True
    return (
        m in f.lines
        or (f.pattern is not None and f.pattern.fullmatch(m) is not None)
        or (f.prefix is not None and f.prefix.match(folded) is not None)
    )


def normalise(paragraph: str) -> str:
    """The comparison key of a paragraph: case, quotes, dashes, punctuation and spacing ignored.

    It is most of the cost of ``Article.content_hash``, which the ingest computes for every article
    before deciding to code it: ASCII text (most English news) takes a byte path that gives the same
    key four to eight times faster than the Unicode regex, which replaces every space of the text one by one.
    """
    if paragraph.isascii():
        # NFKC and the quote table change no ASCII letter or digit, and everything else becomes a
        # separator either way: map non-alphanumerics to spaces, then squeeze the runs of spaces.
        return b" ".join(paragraph.encode("ascii").lower().translate(_ASCII_SEPARATORS).split()).decode("ascii")
    s = unicodedata.normalize("NFKC", paragraph).translate(_QUOTES).casefold()
    return _NON_WORD.sub(" ", s).strip()


_ASCII_SEPARATORS = bytes(c if chr(c).isascii() and chr(c).isalnum() else 0x20 for c in range(256))
"""Byte table of ``normalise``'s ASCII path: letters and digits stay (``_`` is no word character for
``_NON_WORD`` either), every other byte becomes a space."""


def is_heading(paragraph: str) -> bool:
    """A headline-like line: no sentence-final punctuation and few words."""
    s = paragraph.strip()
    return bool(s) and not _ends_sentence(s) and len(s.split()) <= HEADING_MAX_WORDS


_CLOSERS = "\"'”’»)]"
_FINAL_MARKS = ".!?…"


def _ends_sentence(line: str) -> bool:
    """``_FINAL.search(line)``: a final mark, then only closing quotes or brackets, at the end (or
    before a last newline, as ``$`` allows). Without the regex, which tries every position of the
    line: each paragraph of every article read asks this."""
    rest = line.rstrip(_CLOSERS)
    if rest and rest[-1] in _FINAL_MARKS:
        return True
    if line.endswith("\n"):
        rest = line[:-1].rstrip(_CLOSERS)
        return bool(rest) and rest[-1] in _FINAL_MARKS
    return False


def reduce_paragraphs(paragraphs: list[str]) -> tuple[list[str], list[Dropped]]:
    """The page's paragraphs with furniture, title lists, repeats and teasers dropped (see module doc).

    Near-linear in the number of paragraphs (a sorted key list answers the teaser question), so a
    long page costs no more than its length.
    """
    paras = [p.strip() for p in paragraphs]
    keep, _, _, dropped = _reduce(paras)
    return [p for p, k in zip(paras, keep) if k], dropped


def _reduce(paras: list[str]) -> tuple[list[bool], list[str], list[bool], list[Dropped]]:
    """Which paragraphs stay, the paragraphs' comparison keys, which of the paragraphs that are not
    furniture are headings (``is_heading``), and what was dropped why."""
    dropped: list[Dropped] = []
    keep = [bool(p) for p in paras]
    keys = [normalise(p) if k else "" for p, k in zip(paras, keep)]

    # 1. furniture, and lines of punctuation only
    for i, p in enumerate(paras):
        if keep[i] and (is_furniture(p) or not keys[i]):
            keep[i] = False
            dropped.append(Dropped(p, "furniture"))

    # 2. repeats. A headline-like line met more than once (a list of slide titles, then the same
    # titles as slide headings) is kept where it heads prose; other repeats keep their first place.
    heading = [keep[i] and is_heading(p) for i, p in enumerate(paras)]
    kept_idx = [i for i in range(len(paras)) if keep[i]]
    next_kept = {a: b for a, b in zip(kept_idx, kept_idx[1:])}
    occurrences: dict[str, list[int]] = {}
    for i in kept_idx:
        occurrences.setdefault(keys[i], []).append(i)
    for key, idx in occurrences.items():
        if len(idx) < 2:
            continue
        stay = idx[0]
        if heading[idx[0]]:
            stay = next((i for i in idx if i in next_kept and not heading[next_kept[i]]), idx[0])
        for i in idx:
            if i == stay:
                continue
            keep[i] = False
            in_list = heading[i] and (heading[next_kept.get(i, -1)] if i in next_kept else False)
            dropped.append(Dropped(paras[i], "title list" if in_list else "repeat"))

    # 3. teasers: the opening words of a longer kept paragraph elsewhere on the page
    ordered = sorted({keys[i] for i in range(len(paras)) if keep[i]})
    for i in range(len(paras)):
        if not keep[i]:
            continue
        k = keys[i]
        words = k.count(" ") + 1
        if not (words >= TEASER_MIN_WORDS or (words >= 3 and _ELLIPSIS.search(paras[i]))):
            continue
        n = bisect.bisect_right(ordered, k)
        if n < len(ordered) and ordered[n].startswith(k + " "):
            keep[i] = False
            dropped.append(Dropped(paras[i], "teaser"))

    return keep, keys, heading, dropped


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text: blocks between blank lines, or lines when the text has no blank line
    (one paragraph per line, as trafilatura writes them).

    A block's lines are joined (hard-wrapped prose), except in a block where no line ends a
    sentence: that is a list of headings (slide titles, links), one paragraph per line.
    """
    if not _BLANK_LINE.search(text):
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    out: list[str] = []
    for block in _BLANK_LINE.split(text):
        lines = [" ".join(line.split()) for line in block.splitlines() if line.strip()]
        if len(lines) > 1 and not any(_ends_sentence(line) for line in lines):
            out.extend(lines)
        elif lines:
            out.append(" ".join(lines))
    return out


def reduce_page(text: str) -> tuple[str, list[Dropped]]:
    """``reduce_paragraphs`` on a text; paragraphs rejoined with blank lines (the splitter's cue)."""
    kept, dropped = reduce_paragraphs(split_paragraphs(text))
    return "\n\n".join(kept), dropped


def canonical_key(text: str, title: str | None = None) -> str:
    """The identity of an article's text for deduplication.

    The reduced paragraphs (as ``reduce_page``), normalised (case, quotes, dashes, punctuation,
    spacing), without headline-like lines (the title line a plain-text file carries, slide
    headings, bylines) and without a paragraph equal to ``title``. A text made only of short lines
    keeps them all, so it still has an identity.

    The store asks for an article's hash several times: keys of ordinary-sized texts are cached.
    """
    if len(text) <= _CACHED_CHARS:
        return _cached_key(text, title)
    return _canonical_key(text, title)


_CACHED_CHARS = 100_000


@lru_cache(maxsize=128)
def _cached_key(text: str, title: str | None) -> str:
    return _canonical_key(text, title)


def _canonical_key(text: str, title: str | None) -> str:
    paras = split_paragraphs(text)
    keep, keys, heading, _ = _reduce(paras)
    title_key = normalise(title) if title else ""
    # heading[i] is is_heading(paras[i]) for every paragraph still kept
    prose = [k for k, kept, head in zip(keys, keep, heading) if kept and k != title_key and not head]
    if not prose:
        prose = [k for k in (normalise(p) for p in paras) if k]
    return "\n".join(prose)
