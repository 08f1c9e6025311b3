"""The worker's heartbeat (issue 15, observability).

``alur_worker_heartbeat``: one row per running worker process (``alur worker``, or the jobs
``alur serve`` runs in-process on SQLite) — its host, pid, when it started and when it was last
seen (updated every ~30 s by :mod:`alur.tenants.observability.heartbeat`). ``/readyz`` reads the
newest ``seen_at`` (an index on it); rows not seen for a day are deleted by the workers.

DDL written by hand as in the 2026-12-03T06:00 migration; valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the worker heartbeat"

ID_COLUMN = {
    "sqlite": '"id" INTEGER PRIMARY KEY NOT NULL',
    "postgres": '"id" SERIAL PRIMARY KEY NOT NULL',
}
CREATE_TABLES = (
    'CREATE TABLE IF NOT EXISTS "alur_worker_heartbeat" ({id}, "host" VARCHAR(255) NOT NULL DEFAULT \'\', "pid" INTEGER NOT NULL DEFAULT 0, "started_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "seen_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
)
INDEXES = {
    "alur_worker_heartbeat_seen_at": ("alur_worker_heartbeat", "seen_at"),
}
NEW_TABLES = ("alur_worker_heartbeat",)


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for ddl in CREATE_TABLES:
        await engine.run_ddl(ddl.replace("{id}", ID_COLUMN[engine.engine_type]))
    for name, (table, columns) in INDEXES.items():
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


async def backwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for name in INDEXES:
        await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
    for table in NEW_TABLES:
        await engine.run_ddl(f"DROP TABLE IF EXISTS {table}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(forwards_ddl)
    manager.add_raw_backwards(backwards_ddl)
    return manager
