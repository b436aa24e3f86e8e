"""Relations analysis over the event store: how a pair of actors gets on, and what breaks the pattern.

``dyad`` (the warming/cooling index of a pair), ``gaps`` (silences between contacts), ``surprises``
(events improbable given the pair's own history), ``plots`` (charts of the index), ``audit`` (claims
in articles checked against the knowledge base) and ``digest`` (a cited brief of a period). Each
submodule is imported on its own, so that the CLI pays only for what a command uses; this package
deliberately imports none of them.
"""
