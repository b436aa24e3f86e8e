"""Name normalisation shared by the knowledge base and the resolver.

Both sides of every lookup go through the same `key_tokens`, so "Nausėda", "NAUSEDA" and "Nauseda"
meet, as do "U.S."/"US", "Russia's"/"Russia" and "Kassym-Jomart"/"Kassym Jomart". Tokens keep their
character offsets and surface form so that case-sensitive acronyms ("US" but not "us") can be checked.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# A token: letters/digits, with inner dots ("U.S."), apostrophes ("Sana'a") or ampersands ("R&AW").
_TOKEN = re.compile(r"[^\W_]+(?:[.'&][^\W_]+)*\.?", re.UNICODE)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
# Name suffixes that news writes or drops at will ("Ferdinand Marcos Jr.").
_DROP = frozenset({"jr", "sr"})
# Words in -man whose plural is -mans, not -men ("Germans").
_MAN_PLURAL_S = frozenset({"german", "roman", "human", "ottoman", "shaman", "oman"})


class Token(NamedTuple):
    """One word (a named tuple: made for every word of every phrase, so cheap to build)."""

    key: str  # normalised form used for lookups
    surface: str  # as written (apostrophes unified)
    start: int
    end: int

    @property
    def is_lower(self) -> bool:
        return self.surface == self.surface.lower()

    @property
    def is_upper(self) -> bool:
        return any(c.isalpha() for c in self.surface) and self.surface == self.surface.upper()


def strip_accents(text: str) -> str:
    """'Nausėda' -> 'Nauseda'; characters without a decomposition are kept."""
    if text.isascii():  # nothing to decompose (most news text): skip the Unicode pass
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _key(surface: str) -> str:
    k = strip_accents(surface).lower()
    if k.endswith("'s"):
        k = k[:-2]
    return k.replace(".", "").replace("'", "")


_KEYS: dict[str, str] = {}  # surface -> key: `_key` is pure and runs for every word of every phrase
_KEYS_MAX = 100_000


def tokenize(text: str) -> list[Token]:
    """Word tokens of `text` with offsets; possessive 's and dots are dropped from the keys."""
    if "’" in text or "‘" in text or "`" in text or "´" in text or "ʼ" in text:
        text = text.translate(_APOSTROPHES)  # (translate is slow; most text has none of these)
    out: list[Token] = []
    keys = _KEYS
    for m in _TOKEN.finditer(text):
        surface = m.group().rstrip("'")
        key = keys.get(surface)
        if key is None:
            if len(keys) >= _KEYS_MAX:
                keys.clear()
            key = keys[surface] = _key(surface)
        if key and key not in _DROP:
            start = m.start()
            out.append(Token(key, surface, start, start + len(surface)))
    return out


def key_tokens(text: str) -> tuple[str, ...]:
    """The lookup key of a name: its normalised tokens."""
    return tuple(t.key for t in tokenize(text))


def is_acronym(name: str) -> bool:
    """All-capital short forms ("US", "U.S.", "NATO", "DRC") are matched case-sensitively."""
    letters = [c for c in name if c.isalpha()]
    return 0 < len(letters) <= 5 and all(c.isupper() for c in letters) and " " not in name.strip()


def plural(phrase: str) -> str | None:
    """The regular English plural of a phrase's last word, or None when it has none of its own.

    Only the regular patterns are produced ("soldier" -> "soldiers", "ministry" -> "ministries",
    "policeman" -> "policemen"); words that are already plural or invariable ("police", "Chinese",
    "British") return None, and irregular plurals are listed in the data instead.
    """
    head, _, last = phrase.rpartition(" ")
    prefix = head + " " if head else ""
    w = last
    if not w or not w[-1].isalpha() or len(w) < 3:
        return None
    lower = w.lower()
    if lower.endswith(("ese", "ish", "ch", "ss", "s", "x", "z", "police", "staff", "press", "media", "people", "personnel")):
        if lower.endswith(("ch", "ss", "x", "z")) and not lower.endswith(("ese", "ish", "french", "dutch", "czech")):
            return prefix + w + "es"
        return None
    if lower.endswith("man") and lower not in _MAN_PLURAL_S:
        return prefix + w[:-3] + "men"
    if lower.endswith("y") and lower[-2] not in "aeiou":
        return prefix + w[:-1] + "ies"
    return prefix + w + "s"
