"""Office SOP revisions (issue 16): the SOP's own life in an office.

* ``alur_sop_revision``: the revisions of an office's SOPs — the office's part over a pinned
  plugin definition, their state (draf → diajukan → disahkan → berlaku → diganti / dicabut),
  content hash, edit counter, tanggal efektif and who approved them
  (:mod:`alur.tenants.sop_life.revisions`); one number per office and SOP;
* ``alur_office_plugin``: the plugins an operator allows an office to adopt SOPs from,
  besides its own;
* ``alur_tenant.kop_government``, ``kop_unit``, ``kop_phone``, ``kop_email``: the office's own
  identity on its SOP sheets and reports.

DDL written by hand as in the 2026-12-03T06:00 migration; valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "office SOP revisions, the plugins an office may adopt from, the office identity"

ID_COLUMN = {
    "sqlite": '"id" INTEGER PRIMARY KEY NOT NULL',
    "postgres": '"id" SERIAL PRIMARY KEY NOT NULL',
}
TENANT = '"tenant" INTEGER NOT NULL REFERENCES "alur_tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null'
CREATE_TABLES = (
    'CREATE TABLE IF NOT EXISTS "alur_office_plugin" ({id}, '
    + TENANT
    + ', "plugin" VARCHAR(100) NOT NULL DEFAULT \'\', "allowed_by" VARCHAR(255) NOT NULL DEFAULT \'\', "allowed_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE TABLE IF NOT EXISTS "alur_sop_revision" ({id}, '
    + TENANT
    + ', "plugin" VARCHAR(100) NOT NULL DEFAULT \'\', "sop_id" VARCHAR(100) NOT NULL DEFAULT \'\', "number" INTEGER NOT NULL DEFAULT 0, "state" VARCHAR(16) NOT NULL DEFAULT \'draf\', "base_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "part" JSON NOT NULL DEFAULT \'{}\', "content_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "version" INTEGER NOT NULL DEFAULT 1, "effective_on" DATE DEFAULT null, "note" TEXT NOT NULL DEFAULT \'\', "signatory" JSON NOT NULL DEFAULT \'{}\', "approved_by" INTEGER REFERENCES "alur_user" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "updated_by" VARCHAR(255) NOT NULL DEFAULT \'\', "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "submitted_at" TIMESTAMPTZ DEFAULT null, "approved_at" TIMESTAMPTZ DEFAULT null, "ended_at" TIMESTAMPTZ DEFAULT null)',
)
UNIQUE_INDEXES = {
    "alur_office_plugin_tenant_plugin": ("alur_office_plugin", "tenant, plugin"),
    "alur_sop_revision_tenant_sop_id_number": ("alur_sop_revision", "tenant, sop_id, number"),
}
NEW_TABLES = ("alur_sop_revision", "alur_office_plugin")
ADD_COLUMNS = (
    "\"kop_government\" VARCHAR(255) NOT NULL DEFAULT ''",
    "\"kop_unit\" VARCHAR(255) NOT NULL DEFAULT ''",
    "\"kop_phone\" VARCHAR(64) NOT NULL DEFAULT ''",
    "\"kop_email\" VARCHAR(254) NOT NULL DEFAULT ''",
)


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for ddl in CREATE_TABLES:
        await engine.run_ddl(ddl.replace("{id}", ID_COLUMN[engine.engine_type]))
    for name, (table, columns) in UNIQUE_INDEXES.items():
        await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for column in ADD_COLUMNS:
        await engine.run_ddl(f"ALTER TABLE alur_tenant ADD COLUMN {column}")


async def backwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for column in ADD_COLUMNS:
        name = column.split('"')[1]
        await engine.run_ddl(f'ALTER TABLE alur_tenant DROP COLUMN "{name}"')
    for name in UNIQUE_INDEXES:
        await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
    for table in NEW_TABLES:
        await engine.run_ddl(f"DROP TABLE IF EXISTS {table}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(forwards_ddl)
    manager.add_raw_backwards(backwards_ddl)
    return manager
