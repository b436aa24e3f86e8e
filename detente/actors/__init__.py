"""Actor resolution: noun phrases -> states, IGOs, groups and people with sectors (see resolve.py).

    from detente.actors import default_resolver
    default_resolver().resolve("US Defense Secretary Lloyd Austin", date)  # -> Actor(USA, GOV, MIL ...)
    default_resolver().scan(sentence)                                     # -> [(start, end, text)]
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from detente.actors.kb import KnowledgeBase
from detente.actors.resolve import ActorResolver

__all__ = ["ActorResolver", "KnowledgeBase", "default_resolver"]


@lru_cache(maxsize=4)
def default_resolver(people_dir: Path | None = None) -> ActorResolver:
    """One resolver per process (the knowledge base takes about a second to load)."""
    return ActorResolver(KnowledgeBase.load(people_dir))
