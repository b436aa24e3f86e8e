"""detente: news about international affairs in, political event data (PLOVER + CAMEO) out.

The library is organised by stage (ingest, nlp, actors, events, time, geo) around the record types
of ``detente.records``; ``detente.pipeline.Coder`` composes them. The ``detente`` command is a thin
layer over it (``detente.cli``).
"""

__version__ = "0.1.0"
