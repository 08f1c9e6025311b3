"""Lookup indexes for the per-request reads of the web UI.

The signed-in person's memberships and delegations are read in every office at once (by
user, by delegate: the existing ``(tenant, user)`` index does not serve a query by user
alone), and a case page lists the case's attachments. Written by hand like the
2026-11-21T08:08:13 migration, so that it works on SQLite and PostgreSQL alike.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "lookup indexes by person and by case"

INDEXES = {
    "alur_membership_user": ("alur_membership", '"user"'),
    "alur_delegation_delegate": ("alur_delegation", "delegate"),
    "alur_attachment_case": ("alur_attachment", '"case"'),
}


async def create_indexes() -> None:
    engine = engine_finder()
    assert engine is not None
    for name, (table, columns) in INDEXES.items():
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


async def drop_indexes() -> None:
    engine = engine_finder()
    assert engine is not None
    for name in INDEXES:
        await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
