"""The platform-level log (issue 15, the life of offices): ``alur_platform_event``.

What a platform operator does to a whole office — suspend, resume, export, import, delete —
is recorded here, outside any office (an office's own chain is deleted with it). Each entry
is linked to the previous one with the audit key, as an office's events are
(:mod:`alur.tenants.offices.platform_log`), so ``alur audit verify`` checks this log too.
``seq`` is unique (a ``CREATE UNIQUE INDEX``): two entries can never take the same place.

DDL written by hand as in the 2026-12-03T06:00 migration; valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T10:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the platform-level log of what operators do to offices"

ID_COLUMN = {
    "sqlite": '"id" INTEGER PRIMARY KEY NOT NULL',
    "postgres": '"id" SERIAL PRIMARY KEY NOT NULL',
}
CREATE_TABLES = (
    'CREATE TABLE IF NOT EXISTS "alur_platform_event" ({id}, "seq" INTEGER NOT NULL DEFAULT 0, "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "actor" VARCHAR(100) NOT NULL DEFAULT \'\', "action" VARCHAR(32) NOT NULL DEFAULT \'\', "office" VARCHAR(64) NOT NULL DEFAULT \'\', "details" JSON NOT NULL DEFAULT \'{}\', "archive_sha256" VARCHAR(64) NOT NULL DEFAULT \'\', "chain_seq" INTEGER NOT NULL DEFAULT 0, "chain_head" VARCHAR(64) NOT NULL DEFAULT \'\', "prev_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "hash" VARCHAR(64) NOT NULL DEFAULT \'\', "key_id" VARCHAR(32) NOT NULL DEFAULT \'\')',
)
UNIQUE_INDEXES = {
    "alur_platform_event_seq": ("alur_platform_event", "seq"),
}
INDEXES = {
    "alur_platform_event_office": ("alur_platform_event", "office"),
}
NEW_TABLES = ("alur_platform_event",)


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    kind = engine.engine_type
    for ddl in CREATE_TABLES:
        await engine.run_ddl(ddl.replace("{id}", ID_COLUMN[kind]))
    for name, (table, columns) in UNIQUE_INDEXES.items():
        await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for name, (table, columns) in INDEXES.items():
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


async def backwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for name in (*UNIQUE_INDEXES, *INDEXES):
        await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
    for table in NEW_TABLES:
        await engine.run_ddl(f"DROP TABLE IF EXISTS {table}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(forwards_ddl)
    manager.add_raw_backwards(backwards_ddl)
    return manager
