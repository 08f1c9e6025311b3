"""Who last changed an office's clock policy, and when (issue 13, the web lane).

``alur_tenant.clock_policy_by`` holds the administrator's name and username as they were when
they saved (like an event's ``actor_name``: a later rename does not rewrite it) and
``clock_policy_at`` the moment; the policy page shows both. Plain ``ALTER TABLE ADD COLUMN``,
valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "who last changed an office's clock policy"

ADD_COLUMNS = (
    ("alur_tenant", "\"clock_policy_by\" VARCHAR(255) NOT NULL DEFAULT ''"),
    ("alur_tenant", '"clock_policy_at" TIMESTAMPTZ DEFAULT null'),
)


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for table, column in ADD_COLUMNS:
        await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {column}")


async def backwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for table, column in ADD_COLUMNS:
        await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(forwards_ddl)
    manager.add_raw_backwards(backwards_ddl)
    return manager
