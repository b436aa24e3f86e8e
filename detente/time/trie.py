"""A regex alternation built as a prefix tree, so large word lists match fast.

Python's ``re`` tries the alternatives of ``a|b|c`` one after the other at every position; with a
few hundred phrases (calendar names, time words) that dominates the run time. Factoring common
prefixes ("g20 summit|g20 leaders" -> "g20 (?:summit|leaders)") lets the engine discard most
alternatives after one character.
"""

from __future__ import annotations

import re
from typing import Iterable


def trie_pattern(words: Iterable[str]) -> str:
    """A non-capturing regex source matching exactly the given words (longest match preferred)."""
    trie: dict = {}
    for word in set(words):
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(trie) if trie else "(?!)"


def _emit(node: dict) -> str:
    end = "" in node
    branches = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch != ""]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if end:
        # The word may stop here; the longer continuations are tried first (greedy ?).
        return f"(?:{body})?"
    return body
