"""The SOP monitoring form (monev, issue 17).

* ``alur_tenant.monev_policy``: the office's monev policy as JSON, ``{"role": <the assessor
  role id>, "every_months": 6}`` (``{}``: none chosen yet), with who saved it and when;
* ``alur_monev_form``: one monitoring form per office, SOP and period — the definition hash
  of the SOP in force it assesses, its state (open → diparaf), due date, current version,
  content (the form as JSON) and content hash, and the paraf: who, when, their name, jabatan
  and NIP as they were (:mod:`alur.tenants.monitoring.monev`);
* ``alur_monev_version``: every version of a form (each save, paraf, reopening): its JSON,
  content hash, who and when.

DDL written by hand as in the 2026-12-03T12:00 migration; valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the SOP monitoring form (monev): the office policy, forms and their versions"

ID_COLUMN = {
    "sqlite": '"id" INTEGER PRIMARY KEY NOT NULL',
    "postgres": '"id" SERIAL PRIMARY KEY NOT NULL',
}
TENANT = '"tenant" INTEGER NOT NULL REFERENCES "alur_tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null'
USER = 'INTEGER REFERENCES "alur_user" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null'
CREATE_TABLES = (
    'CREATE TABLE IF NOT EXISTS "alur_monev_form" ({id}, '
    + TENANT
    + ', "plugin" VARCHAR(100) NOT NULL DEFAULT \'\', "sop_id" VARCHAR(100) NOT NULL DEFAULT \'\', "definition_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "period_start" DATE NOT NULL DEFAULT current_date, "period_end" DATE NOT NULL DEFAULT current_date, "state" VARCHAR(16) NOT NULL DEFAULT \'open\', "due_on" DATE NOT NULL DEFAULT current_date, "remind_on" DATE NOT NULL DEFAULT current_date, "version" INTEGER NOT NULL DEFAULT 1, "form" JSON NOT NULL DEFAULT \'{}\', "content_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "opened_by" VARCHAR(255) NOT NULL DEFAULT \'\', "opened_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "updated_by" VARCHAR(255) NOT NULL DEFAULT \'\', "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "paraf_by" '
    + USER
    + ', "paraf_at" TIMESTAMPTZ DEFAULT null, "paraf_name" VARCHAR(255) NOT NULL DEFAULT \'\', "paraf_jabatan" VARCHAR(255) NOT NULL DEFAULT \'\', "paraf_nip" VARCHAR(32) NOT NULL DEFAULT \'\')',
    'CREATE TABLE IF NOT EXISTS "alur_monev_version" ({id}, '
    + TENANT
    + ', "monev" INTEGER NOT NULL REFERENCES "alur_monev_form" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "version" INTEGER NOT NULL DEFAULT 1, "what" VARCHAR(16) NOT NULL DEFAULT \'\', "form" JSON NOT NULL DEFAULT \'{}\', "content_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "saved_by" '
    + USER
    + ', "saved_by_name" VARCHAR(255) NOT NULL DEFAULT \'\', "saved_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
)
INDEXES = {
    "alur_monev_form_tenant_sop_id_period_start": (
        "alur_monev_form",
        "tenant, sop_id, period_start",
        True,
    ),
    "alur_monev_form_state_remind_on": ("alur_monev_form", "state, remind_on", False),
    "alur_monev_version_monev_version": ("alur_monev_version", "monev, version", True),
}
NEW_TABLES = ("alur_monev_version", "alur_monev_form")
ADD_COLUMNS = (
    "\"monev_policy\" JSON NOT NULL DEFAULT '{}'",
    "\"monev_policy_by\" VARCHAR(255) NOT NULL DEFAULT ''",
    '"monev_policy_at" TIMESTAMPTZ DEFAULT null',
)


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for ddl in CREATE_TABLES:
        await engine.run_ddl(ddl.replace("{id}", ID_COLUMN[engine.engine_type]))
    for name, (table, columns, unique) in INDEXES.items():
        kind = "UNIQUE INDEX" if unique else "INDEX"
        await engine.run_ddl(f"CREATE {kind} IF NOT EXISTS {name} ON {table} ({columns})")
    for column in ADD_COLUMNS:
        await engine.run_ddl(f"ALTER TABLE alur_tenant ADD COLUMN {column}")


async def backwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for column in ADD_COLUMNS:
        name = column.split('"')[1]
        await engine.run_ddl(f'ALTER TABLE alur_tenant DROP COLUMN "{name}"')
    for name in INDEXES:
        await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
    for table in NEW_TABLES:
        await engine.run_ddl(f"DROP TABLE IF EXISTS {table}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(forwards_ddl)
    manager.add_raw_backwards(backwards_ddl)
    return manager
