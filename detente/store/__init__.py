"""The event store (DuckDB): articles, events with their mentions, actors, errors; queries and exports.

``detente.store.open("news.duckdb")`` returns a ``Store``; ``write_batch`` is the one way in (one
transaction per batch), ``events(...)`` and friends return pandas DataFrames, and
``detente.store.export.export`` writes PLOVER JSON Lines, a GDELT 2.0-shaped table, Parquet or CSV.
"""

from detente.store.db import BatchResult, Store, open
from detente.store.schema import SchemaError, migrate

__all__ = ["BatchResult", "SchemaError", "Store", "migrate", "open"]
