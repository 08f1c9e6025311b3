"""Composite unique and lookup indexes.

Written by hand: piccolo's ``Unique`` constraints become ``ALTER TABLE ... ADD
CONSTRAINT``, which SQLite does not support, while ``CREATE [UNIQUE] INDEX`` works on both
SQLite and PostgreSQL. In a separate migration because piccolo runs raw steps before the
tables of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T08:08:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes"

UNIQUE_INDEXES = {
    "alur_unit_tenant_slug": ("alur_unit", "tenant, slug"),
    "alur_day_off_tenant_day": ("alur_day_off", "tenant, day"),
    "alur_task_case_task_no": ("alur_task", '"case", task_no'),
    "alur_event_case_seq": ("alur_event", '"case", seq'),
    "alur_event_tenant_chain_seq": ("alur_event", "tenant, chain_seq"),
}
INDEXES = {
    "alur_task_tenant_status_role": ("alur_task", "tenant, status, role"),
    "alur_case_tenant_updated": ("alur_case", "tenant, updated_at"),
    "alur_membership_tenant_user": ("alur_membership", 'tenant, "user"'),
}


async def create_indexes() -> None:
    engine = engine_finder()
    assert engine is not None
    for name, (table, columns) in UNIQUE_INDEXES.items():
        await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for name, (table, columns) in INDEXES.items():
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


async def drop_indexes() -> None:
    engine = engine_finder()
    assert engine is not None
    for name in (*UNIQUE_INDEXES, *INDEXES):
        await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
