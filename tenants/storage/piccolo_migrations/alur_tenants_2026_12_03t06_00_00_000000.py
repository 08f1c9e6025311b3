"""The official letter and the signing (issue 14, points 4 and 5).

* ``alur_tenant.kop_place`` and ``kop_address``: the office's place name ("Purwokerto", printed
  before the date) and the address line of its kop (letterhead);
* ``alur_office_logo``: the logo of the kop, one per office (a ``CREATE UNIQUE INDEX`` on
  ``tenant``), uploaded by the office admin; in its own table so that reading an office row
  never reads the image;
* ``alur_user.pangkat``: a person's pangkat/golongan ("Pembina Tingkat I, IV/b"), printed under
  the signer's name;
* ``alur_event.approval_hash``: the recap hash a paraf or tanda tangan approved, copied from
  the event's own record when the event is written, with an index: the public verification
  page finds the events of a document by it (the event stays the record; the column is not
  part of the hash chain). The events written before this migration get theirs here
  (:func:`backfill_approval_hashes`), so that reports signed before the upgrade verify too.

DDL written by hand as in the 2026-12-03T01:30 migration; valid on SQLite and PostgreSQL.
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from alur.tenants.cases.rows import approval_hash

ID = "2026-12-03T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "kop of the signed report, pangkat, office logo, approval hash of events"

ID_COLUMN = {
    "sqlite": '"id" INTEGER PRIMARY KEY NOT NULL',
    "postgres": '"id" SERIAL PRIMARY KEY NOT NULL',
}
BYTES = {"sqlite": "BLOB", "postgres": "BYTEA"}
CREATE_TABLES = (
    'CREATE TABLE IF NOT EXISTS "alur_office_logo" ({id}, "tenant" INTEGER NOT NULL REFERENCES "alur_tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "content_type" VARCHAR(32) NOT NULL DEFAULT \'\', "size" INTEGER NOT NULL DEFAULT 0, "content" {bytes} NOT NULL DEFAULT \'\', "updated_by" VARCHAR(255) NOT NULL DEFAULT \'\', "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
)
ADD_COLUMNS = (
    ("alur_tenant", "\"kop_place\" VARCHAR(100) NOT NULL DEFAULT ''"),
    ("alur_tenant", "\"kop_address\" VARCHAR(255) NOT NULL DEFAULT ''"),
    ("alur_user", "\"pangkat\" VARCHAR(100) NOT NULL DEFAULT ''"),
    ("alur_event", '"approval_hash" VARCHAR(64) DEFAULT null'),
)
UNIQUE_INDEXES = {
    "alur_office_logo_tenant": ("alur_office_logo", "tenant"),
}
INDEXES = {
    "alur_event_approval_hash": ("alur_event", "approval_hash"),
}
NEW_TABLES = ("alur_office_logo",)


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    kind = engine.engine_type
    for ddl in CREATE_TABLES:
        await engine.run_ddl(ddl.replace("{id}", ID_COLUMN[kind]).replace("{bytes}", BYTES[kind]))
    for table, column in ADD_COLUMNS:
        await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {column}")
    for name, (table, columns) in UNIQUE_INDEXES.items():
        await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for name, (table, columns) in INDEXES.items():
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    await backfill_approval_hashes()


# Only events whose payload mentions a recap hash can hold an approval.
CANDIDATES = {
    "sqlite": "SELECT id, payload FROM alur_event WHERE payload LIKE '%recap_hash%' AND id > {after} ORDER BY id LIMIT 500",
    "postgres": "SELECT id, payload::text AS payload FROM alur_event WHERE payload::text LIKE '%recap_hash%' AND id > {after} ORDER BY id LIMIT 500",
}


async def backfill_approval_hashes() -> int:
    """Set ``approval_hash`` of the events already written (paraf and tanda tangan records,
    read as :func:`alur.tenants.cases.rows.approval_hash` reads a new event); returns how
    many. The verification page still checks each against the report's rules."""
    engine = engine_finder()
    assert engine is not None
    after, count = 0, 0
    while True:
        rows = await engine.run_ddl(CANDIDATES[engine.engine_type].format(after=after))
        if not rows:
            return count
        for row in rows:
            after = row["id"]
            payload = row["payload"]
            found = approval_hash(json.loads(payload) if isinstance(payload, str) else payload)
            if found is not None:
                await engine.run_ddl(
                    f"UPDATE alur_event SET approval_hash = '{found}' WHERE id = {int(row['id'])}"
                )
                count += 1


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
