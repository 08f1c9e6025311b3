"""Login throttling in the database: ``alur_login_throttle``.

One row per username and per client address with the failed sign-ins of the current window,
so that every app process counts the same failures (see ``alur.tenants.identity.throttle``). Written
by hand like the 2026-11-26T09:00:00 migration: plain DDL that SQLite and PostgreSQL both
accept, except the key column, which each writes its own way (as piccolo does).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "login throttling shared by every process"

ID_COLUMN = {
    "sqlite": '"id" INTEGER PRIMARY KEY NOT NULL',
    "postgres": '"id" SERIAL PRIMARY KEY NOT NULL',
}
COLUMNS = (
    "\"kind\" VARCHAR(8) NOT NULL DEFAULT ''",
    "\"subject\" VARCHAR(200) NOT NULL DEFAULT ''",
    '"window_start" BIGINT NOT NULL DEFAULT 0',
    '"failures" INTEGER NOT NULL DEFAULT 0',
)


async def create_table() -> None:
    engine = engine_finder()
    assert engine is not None
    columns = ", ".join((ID_COLUMN[engine.engine_type], *COLUMNS))
    await engine.run_ddl(f'CREATE TABLE IF NOT EXISTS "alur_login_throttle" ({columns})')
    await engine.run_ddl(
        "CREATE UNIQUE INDEX IF NOT EXISTS alur_login_throttle_kind_subject "
        "ON alur_login_throttle (kind, subject)"
    )
    await engine.run_ddl(
        "CREATE INDEX IF NOT EXISTS alur_login_throttle_window_start "
        "ON alur_login_throttle (window_start)"
    )


async def drop_table() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_ddl('DROP TABLE IF EXISTS "alur_login_throttle"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(create_table)
    manager.add_raw_backwards(drop_table)
    return manager
