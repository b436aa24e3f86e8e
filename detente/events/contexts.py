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


def _pattern(keyword: str) -> str:
    """A keyword as a regex: whole words, spaces flexible, a trailing "*" for any word ending."""
    kw = keyword.strip().lower()
    stem = kw[:-1] if kw.endswith("*") else kw
    body = r"[\s-]+".join(re.escape(w) for w in stem.split())
    return rf"\b{body}" + (r"[\w-]*" if kw.endswith("*") else r"\b")


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[str, ...], re.Pattern[str]]:
    """One pattern for all contexts, a named group per context: one pass over the sentence finds them
    all (a pattern per context cost a search per context per sentence)."""
    raw = load_yaml("contexts.yaml")
    known = default_ontology().contexts()
    unknown = set(raw) - set(known)
    if unknown:
        raise OntologyError(f"contexts.yaml: unknown PLOVER context(s) {sorted(unknown)}")
    names = tuple(name for name in known if name in raw)  # PLOVER's own order, so results are stable
    groups = [f"(?P<c{i}>" + "|".join(_pattern(str(w)) for w in raw[name]) + ")" for i, name in enumerate(names)]
    return names, re.compile("|".join(groups), re.IGNORECASE)


def contexts_for(text: str, cue_context: Iterable[str] | str | None = ()) -> list[str]:
    """The cue's own contexts (``CueEntry.context``) first, then every context whose keywords occur
    in ``text``. A single name may be passed as a string; names that are not PLOVER contexts (such
    as an event type) are ignored."""
    names, rx = _compiled()
    given = [cue_context] if isinstance(cue_context, str) else list(cue_context or ())
    known = set(names) | set(default_ontology().contexts())
    found: set[str] = set()
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        found.add(names[int(m.lastgroup[1:])])
        pos = m.end() if m.end() > m.start() else m.start() + 1
    out = [c for c in dict.fromkeys(given) if c in known]
    out.extend(name for name in names if name in found and name not in out)
    return out
