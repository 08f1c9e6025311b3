"""Per-token request counters of the GraphQL API: ``alur_api_rate``.

One row per API token: the start of its current window (epoch seconds) and the requests
counted in it (see ``alur.tenants.identity.api_rate``). In the database so that every app process
counts against the same limit. Written by hand like the 2026-11-26T09:00:00 migration: the
same DDL runs on SQLite and PostgreSQL. The token is the primary key, so a row is replaced
in place (``INSERT … ON CONFLICT``) and goes with its token.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T10:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "per-token request counters of the GraphQL API"

CREATE = """
CREATE TABLE IF NOT EXISTS alur_api_rate (
    token INTEGER PRIMARY KEY REFERENCES alur_api_token (id) ON DELETE CASCADE,
    window_start BIGINT NOT NULL,
    requests INTEGER NOT NULL
)
"""


async def create_table() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_ddl(CREATE)


async def drop_table() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_ddl("DROP TABLE IF EXISTS alur_api_rate")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(create_table)
    manager.add_raw_backwards(drop_table)
    return manager
