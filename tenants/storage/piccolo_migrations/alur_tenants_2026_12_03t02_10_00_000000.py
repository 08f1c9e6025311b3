"""The daily digest's mark: ``alur_tenant.digest_on``, the office day whose digest was made.

The digest job claims an office's day with one ``UPDATE … WHERE digest_on < today`` in the
transaction that records the digests, so several workers make each office's digest once.
Written by hand like the 2026-11-26T09:00 migration, valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T02:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the office day of the last daily digest"


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_ddl('ALTER TABLE alur_tenant ADD COLUMN "digest_on" DATE DEFAULT null')


async def backwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_ddl("ALTER TABLE alur_tenant DROP COLUMN digest_on")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(forwards_ddl)
    manager.add_raw_backwards(backwards_ddl)
    return manager
