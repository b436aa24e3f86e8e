"""The store's versioned schema: numbered SQL migrations applied in order, each in its own transaction.

The DDL lives in ``migrations/NNN_name.sql`` (package data) so a reader sees the tables as SQL, not as
strings inside Python. ``schema_version`` holds one row per applied migration; opening an older store
upgrades it, and a store written by a newer detente is refused rather than half-understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import duckdb

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class SchemaError(RuntimeError):
    """The database cannot be used by this version of detente (too new, or not a detente store)."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


@lru_cache(maxsize=1)
def migrations() -> tuple[Migration, ...]:
    """The known migrations, by version; numbering must be 1, 2, 3 ... without gaps."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise SchemaError(f"{path}: migration files are named NNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), path.read_text(encoding="utf-8")))
    for i, mig in enumerate(found, start=1):
        if mig.version != i:
            raise SchemaError(f"migration {mig.version:03d}_{mig.name}: expected version {i} (no gaps)")
    return tuple(found)


def latest_version() -> int:
    return len(migrations())


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version of the schema in ``con``; 0 for an empty database."""
    has_table = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        " AND table_schema = current_schema()"
    ).fetchall()[0][0]
    if not has_table:
        others = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()[0][0]
        if others:
            raise SchemaError("the database has tables but no schema_version: not a detente store")
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None) -> int:
    """Apply the pending migrations up to ``target`` (default: the latest); returns the new version.

    Each migration and its ``schema_version`` row commit together, so a crash mid-upgrade leaves the
    store at the previous version, and the next open simply retries.
    """
    known = latest_version()
    target = known if target is None else target
    version = current_version(con)
    if version > known:
        raise SchemaError(
            f"the store has schema version {version}, newer than this detente knows ({known}); "
            "upgrade detente to open it"
        )
    if version == 0:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL)"
        )
    for mig in migrations()[version:target]:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(mig.sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [mig.version, mig.name, datetime.now(timezone.utc).replace(tzinfo=None)],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        version = mig.version
    return version
