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
from detente.cache import cached

__all__ = ["ActorResolver", "KnowledgeBase", "default_resolver"]


@lru_cache(maxsize=4)
def default_resolver(people_dir: Path | None = None) -> ActorResolver:
    """One resolver per process. The knowledge base of the data files takes over a second to build;
    built once, it is loaded from the load cache (``detente.cache``) by later processes. A people
    folder of one's own (tests) is read afresh."""
    if people_dir is not None:
        return ActorResolver(KnowledgeBase.load(people_dir))
    return ActorResolver(cached("actors-kb", KnowledgeBase.load))
