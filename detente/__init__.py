"""detente: news about international affairs in, political event data (PLOVER + CAMEO) out.

The library is organised by stage (ingest, nlp, actors, events, time, geo) around the record types
of ``detente.records``; ``detente.pipeline.Coder`` composes them. The ``detente`` command is a thin
layer over it (``detente.cli``).
"""

__version__ = "0.1.0"


def open(path="detente.duckdb", **options):  # noqa: A001 - mirrors duckdb.connect / sqlite3.connect
    """The event store at ``path`` (created when missing): ``detente.open("news.duckdb").events(dyad=("RUS", "USA"))``
    returns a pandas DataFrame."""
    from detente.store import open as open_store

    return open_store(path, **options)
