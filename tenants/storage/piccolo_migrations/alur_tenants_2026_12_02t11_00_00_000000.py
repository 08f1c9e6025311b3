"""The audit key of each event: ``alur_event.key_id``.

Events are linked with HMAC-SHA256 under an audit key kept outside the database
(:mod:`alur.tenants.audit.keys`); ``key_id`` names the key that signed each one, so old
events still verify after a key is rotated. Existing events get "" (their links are plain
SHA-256) until ``alur audit rekey`` re-signs them. Written by hand like the
2026-11-21T08:08:13 migration, so that it works on SQLite and PostgreSQL alike.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the audit key id of each event"


async def add_key_id() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_ddl("ALTER TABLE alur_event ADD COLUMN key_id VARCHAR(32) NOT NULL DEFAULT ''")


async def drop_key_id() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_ddl("ALTER TABLE alur_event DROP COLUMN key_id")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(add_key_id)
    manager.add_raw_backwards(drop_key_id)
    return manager
