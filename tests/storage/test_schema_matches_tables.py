"""The database our migrations build is the one ``tenants/storage/tables.py`` declares.

On SQLite and on PostgreSQL, two databases are read back from the database's own catalogue
and compared: one built by the migrations in ``tenants/storage/piccolo_migrations`` (the
``database_url`` fixture: a copy of the session's migrated template), and one built from
``tables.py`` alone — piccolo's ``CREATE TABLE`` for every table in ``TABLES`` plus the
indexes ``tables.INDEXES`` lists (the composite and lookup indexes piccolo's column options
cannot express). Columns (name, type, nullability, default, primary key), indexes and unique
constraints (by columns, whatever their names) and foreign keys (target, ``ON DELETE``) must
agree, so a table change without its migration — or a migration without its table change —
fails here with the difference.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from typing import Any

import asyncpg
import pytest

from alur.tenants.storage import tables
from alur.tenants.storage.database import close_database, open_database
from tests.database_fixtures import FreshDatabases

pytestmark = pytest.mark.anyio

Schema = dict[str, dict[str, Any]]

# Where the migrated database differs from piccolo's DDL of tables.py on purpose; each entry
# says why. (table, part, item) -> reason.
_API_RATE = (
    "alur_api_rate is written by hand (the 2026-12-02T10:50 migration): its rows are always "
    "inserted whole (INSERT ... ON CONFLICT), so no column has a default, and the token id is a "
    "foreign key ON DELETE CASCADE, which tables.py keeps a plain Integer so that the counter "
    "is read and written as a number"
)
ACCEPTED: dict[tuple[str, str, str], str] = {
    ("alur_api_rate", "column.default", "token"): _API_RATE,
    ("alur_api_rate", "column.default", "window_start"): _API_RATE,
    ("alur_api_rate", "column.default", "requests"): _API_RATE,
    ("alur_api_rate", "foreign_keys", "('token', 'alur_api_token', 'id', 'cascade')"): _API_RATE,
}


# --- reading a schema back ---------------------------------------------------------------------


def _normalise_default(default: str | None) -> str | None:
    """One spelling per default: PostgreSQL adds casts (``''::character varying``), SQLite
    keeps the DDL's text; piccolo and hand-written migrations quote differently."""
    if default is None:
        return None
    text = default.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if "::" in text and not text.startswith("nextval("):
        text = text.split("::", 1)[0]
    lowered = text.lower()
    if lowered in ("current_timestamp", "now()", "current_timestamp()"):
        return "now"
    return text.strip("'") if text.startswith("'") else lowered


def read_sqlite(path: str) -> Schema:
    schema: Schema = {}
    with closing(sqlite3.connect(path)) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'alur\\_%' "
                "ESCAPE '\\'"
            )
        ]
        for table in names:
            columns = {
                name: {
                    # SQLite has one integer type: piccolo writes BigInt as INTEGER there,
                    # a hand-written migration BIGINT (the same INTEGER affinity).
                    "type": "integer" if ctype.lower() == "bigint" else ctype.lower(),
                    "not_null": bool(notnull) or bool(pk),
                    "default": _normalise_default(default),
                    "primary_key": bool(pk),
                }
                for _, name, ctype, notnull, default, pk in conn.execute(
                    f'PRAGMA table_info("{table}")'
                )
            }
            indexes = set()
            for _, index, unique, origin, _partial in conn.execute(f'PRAGMA index_list("{table}")'):
                if origin == "pk":
                    continue
                cols = tuple(row[2] for row in conn.execute(f'PRAGMA index_info("{index}")'))
                indexes.add((cols, bool(unique)))
            foreign_keys = {
                (src, ref_table, ref_col or "id", on_delete.lower())
                for _, _, ref_table, src, ref_col, _on_update, on_delete, _ in conn.execute(
                    f'PRAGMA foreign_key_list("{table}")'
                )
            }
            schema[table] = {"columns": columns, "indexes": indexes, "foreign_keys": foreign_keys}
    return schema


PG_COLUMNS = """
SELECT table_name, column_name, data_type, character_maximum_length, is_nullable,
       column_default
FROM information_schema.columns
WHERE table_schema = 'public' AND table_name LIKE 'alur\\_%'
"""
PG_PRIMARY_KEYS = """
SELECT tc.table_name, kcu.column_name
FROM information_schema.table_constraints tc
JOIN information_schema.key_column_usage kcu
  ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'
"""
PG_INDEXES = """
SELECT t.relname AS table_name, i.indisunique AS is_unique,
       array_agg(a.attname ORDER BY k.ord) AS columns
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE n.nspname = 'public' AND t.relname LIKE 'alur\\_%' AND NOT i.indisprimary
GROUP BY i.indexrelid, t.relname, i.indisunique
"""
PG_FOREIGN_KEYS = """
SELECT src.relname AS table_name, a.attname AS column_name, ref.relname AS ref_table,
       ra.attname AS ref_column, c.confdeltype::text AS on_delete
FROM pg_constraint c
JOIN pg_class src ON src.oid = c.conrelid
JOIN pg_class ref ON ref.oid = c.confrelid
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
WHERE c.contype = 'f' AND src.relname LIKE 'alur\\_%'
"""
PG_ON_DELETE = {
    "a": "no action",
    "r": "restrict",
    "c": "cascade",
    "n": "set null",
    "d": "set default",
}
PG_TYPES = {  # information_schema's names, in the words SQLite's catalogue (and piccolo) use
    "character varying": "varchar",
    "timestamp with time zone": "timestamptz",
    "bytea": "bytea",
    "jsonb": "jsonb",
}


async def read_postgres(url: str) -> Schema:
    conn = await asyncpg.connect(url)
    try:
        schema: Schema = {}
        primary = {(r["table_name"], r["column_name"]) for r in await conn.fetch(PG_PRIMARY_KEYS)}
        for row in await conn.fetch(PG_COLUMNS):
            table = schema.setdefault(
                row["table_name"], {"columns": {}, "indexes": set(), "foreign_keys": set()}
            )
            ctype = PG_TYPES.get(row["data_type"], row["data_type"])
            if row["character_maximum_length"] is not None:
                ctype = f"{ctype}({row['character_maximum_length']})"
            table["columns"][row["column_name"]] = {
                "type": ctype,
                "not_null": row["is_nullable"] == "NO",
                "default": _normalise_default(row["column_default"]),
                "primary_key": (row["table_name"], row["column_name"]) in primary,
            }
        for row in await conn.fetch(PG_INDEXES):
            schema[row["table_name"]]["indexes"].add((tuple(row["columns"]), row["is_unique"]))
        for row in await conn.fetch(PG_FOREIGN_KEYS):
            schema[row["table_name"]]["foreign_keys"].add(
                (
                    row["column_name"],
                    row["ref_table"],
                    row["ref_column"],
                    PG_ON_DELETE[row["on_delete"]],
                )
            )
        return schema
    finally:
        await conn.close()


async def read_schema(url: str) -> Schema:
    if url.startswith("sqlite:///"):
        return read_sqlite(url[len("sqlite:///") :])
    return await read_postgres(url)


# --- the schema tables.py declares -------------------------------------------------------------


async def declared_schema(url: str) -> Schema:
    """Build tables.py's schema in the empty database at ``url`` with piccolo, read it back."""
    db = await open_database(url, run_migrations=False)
    try:
        for table in tables.TABLES:
            await table.create_table().run()
        for table, columns, unique in tables.INDEXES:
            name = f"{table._meta.tablename}_{'_'.join(columns)}"
            quoted = ", ".join(f'"{c}"' for c in columns)
            kind = "UNIQUE INDEX" if unique else "INDEX"
            await db.engine.run_ddl(
                f'CREATE {kind} "{name}" ON "{table._meta.tablename}" ({quoted})'
            )
    finally:
        await close_database(db)
    return await read_schema(url)


# --- comparing ---------------------------------------------------------------------------------


def differences(migrated: Schema, declared: Schema) -> list[str]:
    found: list[str] = []

    def note(table: str, part: str, item: str, text: str) -> None:
        if (table, part, item) not in ACCEPTED:
            found.append(f"{table}: {text}")

    for table in sorted(set(migrated) | set(declared)):
        if table not in declared:
            found.append(f"{table}: created by a migration, but tables.py has no such table")
            continue
        if table not in migrated:
            found.append(f"{table}: declared in tables.py, but no migration creates it")
            continue
        got, want = migrated[table], declared[table]
        for column in sorted(set(got["columns"]) | set(want["columns"])):
            if column not in want["columns"]:
                note(table, "column", column, f"column {column!r} is not in tables.py")
            elif column not in got["columns"]:
                note(table, "column", column, f"column {column!r} has no migration")
            else:
                for key, value in want["columns"][column].items():
                    actual = got["columns"][column][key]
                    if actual != value:
                        note(
                            table,
                            f"column.{key}",
                            column,
                            f"column {column!r}: {key} is {actual!r} after the migrations, "
                            f"{value!r} in tables.py",
                        )
        for label, part in (("index", "indexes"), ("foreign key", "foreign_keys")):
            for item in sorted(_show(got[part] - want[part])):
                note(table, part, item, f"{label} {item} is not declared in tables.py")
            for item in sorted(_show(want[part] - got[part])):
                note(table, part, item, f"{label} {item} has no migration")
    return found


def _show(items: Iterable[tuple[Any, ...]]) -> list[str]:
    return [repr(item) for item in items]


async def test_migrated_database_matches_tables(
    database_url: str, fresh_databases: FreshDatabases
) -> None:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    declared = await declared_schema(fresh_databases.url(backend, migrated=False))
    migrated = await read_schema(database_url)
    found = differences(migrated, declared)
    assert not found, (
        "the migrated database differs from tenants/storage/tables.py (add a migration in "
        "tenants/storage/piccolo_migrations/ or fix tables.py; composite and lookup indexes "
        "go in tables.INDEXES):\n  " + "\n  ".join(found)
    )
