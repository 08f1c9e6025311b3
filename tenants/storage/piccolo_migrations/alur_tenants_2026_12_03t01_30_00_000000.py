"""The clock (issue 13): timers, notifications, webhooks, deliveries, and how people are told.

* ``alur_timer``: the pending clock timers of open tasks, indexed by ``fires_at`` (the sweep
  reads what is due by that index);
* ``alur_notification``, ``alur_webhook``, ``alur_delivery``: what people were told, the
  integrators' URLs, and each message to send with its attempts — every one with a unique
  idempotency ``key``;
* ``alur_tenant.clock_policy`` (the office's policy), ``alur_task.escalated_role`` (the role
  an escalation put the task before), and the contact details and choices of each person on
  ``alur_user``.

The tables' DDL is piccolo's own for ``tables.py`` at the time of writing (frozen here), with
the key column written per database as in the 2026-12-02T10:30 migration.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the clock: timers, notifications, webhooks, deliveries"

ID_COLUMN = {
    "sqlite": '"id" INTEGER PRIMARY KEY NOT NULL',
    "postgres": '"id" SERIAL PRIMARY KEY NOT NULL',
}
CREATE_TABLES = (
    'CREATE TABLE IF NOT EXISTS "alur_timer" ({id}, "tenant" INTEGER NOT NULL REFERENCES "alur_tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "case" INTEGER NOT NULL REFERENCES "alur_case" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "task_no" INTEGER NOT NULL DEFAULT 0, "kind" VARCHAR(16) NOT NULL DEFAULT \'\', "fires_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "to_role" VARCHAR(64) NOT NULL DEFAULT \'\')',
    'CREATE INDEX IF NOT EXISTS alur_timer_fires_at ON "alur_timer" ("fires_at")',
    'CREATE TABLE IF NOT EXISTS "alur_notification" ({id}, "tenant" INTEGER NOT NULL REFERENCES "alur_tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "user" INTEGER NOT NULL REFERENCES "alur_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "kind" VARCHAR(32) NOT NULL DEFAULT \'\', "case" INTEGER REFERENCES "alur_case" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "task_no" INTEGER DEFAULT null, "body" JSON NOT NULL DEFAULT \'{}\', "key" VARCHAR(200) UNIQUE NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "read_at" TIMESTAMPTZ DEFAULT null)',
    'CREATE TABLE IF NOT EXISTS "alur_webhook" ({id}, "tenant" INTEGER NOT NULL REFERENCES "alur_tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "url" VARCHAR(2000) NOT NULL DEFAULT \'\', "secret" VARCHAR(128) NOT NULL DEFAULT \'\', "events" JSON NOT NULL DEFAULT \'[]\', "active" BOOLEAN NOT NULL DEFAULT true, "created_by" INTEGER REFERENCES "alur_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE TABLE IF NOT EXISTS "alur_delivery" ({id}, "tenant" INTEGER NOT NULL REFERENCES "alur_tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "notification" INTEGER REFERENCES "alur_notification" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "webhook" INTEGER REFERENCES "alur_webhook" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "channel" VARCHAR(64) NOT NULL DEFAULT \'\', "recipient" VARCHAR(2000) NOT NULL DEFAULT \'\', "payload" JSON NOT NULL DEFAULT \'{}\', "key" VARCHAR(200) UNIQUE NOT NULL DEFAULT \'\', "status" VARCHAR(16) NOT NULL DEFAULT \'pending\', "attempts" INTEGER NOT NULL DEFAULT 0, "not_before" TIMESTAMPTZ DEFAULT null, "next_attempt_at" TIMESTAMPTZ DEFAULT null, "lease_until" TIMESTAMPTZ DEFAULT null, "last_error" TEXT NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "sent_at" TIMESTAMPTZ DEFAULT null)',
)
ADD_COLUMNS = (
    ("alur_tenant", "\"clock_policy\" JSON NOT NULL DEFAULT '{}'"),
    ("alur_task", '"escalated_role" VARCHAR(64) DEFAULT null'),
    ("alur_user", "\"email\" VARCHAR(254) NOT NULL DEFAULT ''"),
    ("alur_user", "\"whatsapp\" VARCHAR(20) NOT NULL DEFAULT ''"),
    ("alur_user", "\"channels\" JSON NOT NULL DEFAULT '[]'"),
    ("alur_user", '"digest_only" BOOLEAN NOT NULL DEFAULT false'),
    ("alur_user", '"after_hours" BOOLEAN NOT NULL DEFAULT false'),
    ("alur_user", "\"language\" VARCHAR(8) NOT NULL DEFAULT 'id'"),
)
UNIQUE_INDEXES = {
    "alur_timer_case_task_kind": ("alur_timer", '"case", task_no, kind'),
}
INDEXES = {
    "alur_task_tenant_status_escalated": ("alur_task", "tenant, status, escalated_role"),
    "alur_notification_user_read": ("alur_notification", '"user", read_at'),
    "alur_notification_tenant_user_created": ("alur_notification", 'tenant, "user", created_at'),
    "alur_webhook_tenant": ("alur_webhook", "tenant"),
    "alur_delivery_status_next": ("alur_delivery", "status, next_attempt_at"),
    "alur_delivery_tenant_created": ("alur_delivery", "tenant, created_at"),
}
NEW_TABLES = ("alur_delivery", "alur_webhook", "alur_notification", "alur_timer")


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for ddl in CREATE_TABLES:
        await engine.run_ddl(ddl.replace("{id}", ID_COLUMN[engine.engine_type]))
    for table, column in ADD_COLUMNS:
        await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {column}")
    for name, (table, columns) in UNIQUE_INDEXES.items():
        await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for name, (table, columns) in INDEXES.items():
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


async def backwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for name in (*UNIQUE_INDEXES, *INDEXES):
        await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
    for table, column in ADD_COLUMNS:
        await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}")
    for table in NEW_TABLES:
        await engine.run_ddl(f"DROP TABLE IF EXISTS {table}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(forwards_ddl)
    manager.add_raw_backwards(backwards_ddl)
    return manager
