"""The Mutu baku projection (issue 17): every task's time at its step, kept from the events.

* ``alur_step_span``: one row per task of a case — the fields of
  :class:`alur.core.monitoring.spans.StepSpan` (office minutes on the office's calendar) with
  the case's office, plugin and SOP id, so a report reads one index range
  (:mod:`alur.tenants.monitoring.projection`);
* ``alur_span_progress``: how far each case was projected — the case's ``last_seq`` when its
  spans were written and the fingerprint of the office calendar they were computed on. A
  table of its own, not columns of ``alur_case``: a refresh never locks the case row the
  engine's transitions compare-and-set.

Both are derived (rebuilt from the events by a refresh), never a source of truth; a case's
deletion removes its rows (``ON DELETE CASCADE``). DDL written by hand as in the
2026-12-03T12:00 migration; valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the Mutu baku projection: step spans of every case and how far each was projected"

ID_COLUMN = {
    "sqlite": '"id" INTEGER PRIMARY KEY NOT NULL',
    "postgres": '"id" SERIAL PRIMARY KEY NOT NULL',
}
TENANT = '"tenant" INTEGER NOT NULL REFERENCES "alur_tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null'
CASE = '"case" INTEGER NOT NULL REFERENCES "alur_case" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null'
CREATE_TABLES = (
    'CREATE TABLE IF NOT EXISTS "alur_step_span" ({id}, '
    + TENANT
    + ", "
    + CASE
    + ', "plugin" VARCHAR(100) NOT NULL DEFAULT \'\', "sop_id" VARCHAR(100) NOT NULL DEFAULT \'\', "task_no" INTEGER NOT NULL DEFAULT 0, "step" INTEGER NOT NULL DEFAULT 0, "unit" VARCHAR(64) DEFAULT null, "role" VARCHAR(64) NOT NULL DEFAULT \'\', "opened_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "claimed_at" TIMESTAMPTZ DEFAULT null, "closed_at" TIMESTAMPTZ DEFAULT null, "outcome" VARCHAR(16) DEFAULT null, "actor" VARCHAR(64) DEFAULT null, "actor_name" VARCHAR(255) NOT NULL DEFAULT \'\', "round" INTEGER NOT NULL DEFAULT 0, "total" INTEGER DEFAULT null, "waiting" INTEGER DEFAULT null, "working" INTEGER DEFAULT null, "standard" INTEGER DEFAULT null)',
    'CREATE TABLE IF NOT EXISTS "alur_span_progress" ({id}, '
    + TENANT
    + ", "
    + CASE
    + ', "seq" INTEGER NOT NULL DEFAULT 0, "calendar" VARCHAR(64) NOT NULL DEFAULT \'\')',
)
INDEXES = {
    "alur_step_span_case_task_no": ("alur_step_span", '"case", task_no', True),
    "alur_step_span_tenant_sop_id_closed_at": (
        "alur_step_span",
        "tenant, sop_id, closed_at",
        False,
    ),
    "alur_step_span_plugin_sop_id_closed_at": (
        "alur_step_span",
        "plugin, sop_id, closed_at",
        False,
    ),
    "alur_span_progress_case": ("alur_span_progress", '"case"', True),
    "alur_span_progress_tenant": ("alur_span_progress", "tenant", False),
}
NEW_TABLES = ("alur_step_span", "alur_span_progress")


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for ddl in CREATE_TABLES:
        await engine.run_ddl(ddl.replace("{id}", ID_COLUMN[engine.engine_type]))
    for name, (table, columns, unique) in INDEXES.items():
        kind = "UNIQUE INDEX" if unique else "INDEX"
        await engine.run_ddl(f"CREATE {kind} IF NOT EXISTS {name} ON {table} ({columns})")


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
