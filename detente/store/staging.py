"""Rows of one batch, collected column by column and handed to DuckDB as Arrow tables.

DuckDB inserts an Arrow table in one vectorised statement; ``executemany`` goes row by row and is two
orders of magnitude slower. The Arrow types are spelled out so that an all-NULL column of a small batch
still has the column's type.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

_S, _I32, _I64, _F, _D, _TS, _I8 = (pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.date32(),
                                    pa.timestamp("us"), pa.int8())

_ACTOR_COLS = [("code", _S), ("name", _S), ("country", _S), ("org", _S), ("sector", _S), ("sectors", pa.list_(_S)),
               ("wikidata", _S), ("text", _S), ("kind", _S)]
ACTOR_FIELDS = tuple(c for c, _ in _ACTOR_COLS)
"""The columns of each side of an event, after its ``actor_``/``recipient_`` prefix."""

SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema([
        ("article_id", _S), ("doc_id", _S), ("content_hash", _S), ("url", _S), ("url_key", _S),
        ("outlet", _S), ("title", _S), ("author", _S), ("published", _D), ("language", _S), ("text", _S),
        ("status", _S), ("skip_reason", _S), ("n_events", _I32), ("source_input", _S), ("ingested_at", _TS),
    ]),
    "events": pa.schema([
        ("event_id", _I64), ("event", _S), ("mode", _S), ("context", pa.list_(_S)), ("cameo", _S),
        ("goldstein", _F), ("quad_class", _I8),
        *[(f"actor_{c}", t) for c, t in _ACTOR_COLS],
        *[(f"recipient_{c}", t) for c, t in _ACTOR_COLS],
        ("modality", _S), ("date", _D), ("date_source", _S), ("anchor_date", _D),
        ("location_text", _S), ("location_country", _S), ("location_geonameid", _I64),
        ("location_lat", _F), ("location_lon", _F), ("attribution", _S),
        ("num_mentions", _I32), ("num_articles", _I32), ("num_sources", _I32),
        ("first_seen", _D), ("last_seen", _D), ("added_at", _TS), ("confidence", _F),
        ("text", _S), ("cue", _S), ("rule", _S), ("article_id", _S), ("sentence", _I32), ("source_url", _S),
    ]),
    "mentions": pa.schema([
        ("event_id", _I64), ("article_id", _S), ("sentence", _I32), ("char_start", _I32), ("char_end", _I32),
        ("confidence", _F), ("attribution", _S), ("text", _S), ("cue", _S), ("date", _D),
        ("date_source", _S), ("source", _S), ("seen", _D),
    ]),
    "errors": pa.schema([("input", _S), ("stage", _S), ("reason", _S), ("time", _TS), ("run_id", _I32)]),
    "actors": pa.schema([
        ("actor_id", _S), ("code", _S), ("name", _S), ("country", _S), ("org", _S), ("sector", _S),
        ("wikidata", _S), ("kind", _S), ("n_mentions", _I32), ("n_as_source", _I32), ("n_as_target", _I32),
        ("first_seen", _D), ("last_seen", _D),
    ]),
}

# What a merged (already stored) event may receive from a better report: the representative mention's
# description (when more confident), a better date, a place when it had none (see queries.MERGE_EVENTS).
SCHEMAS["event_updates"] = pa.schema([
    ("event_id", _I64), ("confidence", _F), ("context", pa.list_(_S)), ("cameo", _S), ("goldstein", _F),
    ("quad_class", _I8),
    ("attribution", _S), ("text", _S), ("cue", _S), ("rule", _S),
    ("new_date", pa.bool_()), ("date", _D), ("date_source", _S), ("anchor_date", _D),
    ("location_text", _S), ("location_country", _S), ("location_geonameid", _I64),
    ("location_lat", _F), ("location_lon", _F),
])


_ROW_TYPES: dict[str, pa.StructType] = {name: pa.struct(list(schema)) for name, schema in SCHEMAS.items()}
"""Each table's columns as one struct type: the type a list of row dicts is converted to."""


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows (dicts keyed by column name; missing keys are NULL, others ignored) as an Arrow table of
    ``table``'s schema.

    Converted row by row, as one struct array (Arrow's converter reads each dict once, every
    column of it), not column by column as ``Table.from_pylist`` does: that walks all the batch's
    dicts once per column, 48 times for the events of a batch (tens of megabytes of dicts, out of
    the CPU's caches each time). Same table, a third of the time for the events.
    """
    schema = SCHEMAS[table]
    rows_array = pa.array(rows, type=_ROW_TYPES[table])
    return pa.Table.from_batches([pa.RecordBatch.from_struct_array(rows_array)], schema=schema)
