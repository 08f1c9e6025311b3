"""The office's own changes on its chain (issue 15): ``alur_event.case`` may be NULL.

An administrative change of an office — a person edited, deactivated or reactivated, a role
removed, a Plt/Plh ended early, a password reset — is an event of kind ``office_changed`` on
the office's keyed hash chain (:mod:`alur.tenants.audit.office_log`), like every case event,
but it belongs to no case. The column keeps its foreign key and its indexes.

PostgreSQL drops the NOT NULL constraint in place. SQLite cannot alter a column, so the table
is rebuilt the way its documentation prescribes (https://www.sqlite.org/lang_altertable.html,
"Making Other Kinds Of Table Schema Changes"): the new table is created from the stored
``CREATE TABLE`` with only that constraint removed, the rows copied column by column, the old
table dropped, the new one renamed, and the indexes created again from their stored SQL.
Nothing else refers to ``alur_event`` with a foreign key.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events of the office itself: alur_event.case may be NULL"

NOT_NULL_CASE = '"case" INTEGER NOT NULL REFERENCES'
NULLABLE_CASE = '"case" INTEGER REFERENCES'


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    if engine.engine_type == "postgres":
        await engine.run_ddl('ALTER TABLE alur_event ALTER COLUMN "case" DROP NOT NULL')
        return
    await rebuild_sqlite_events(engine)


async def rebuild_sqlite_events(engine) -> None:  # type: ignore[no-untyped-def]
    table = await engine.run_ddl(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'alur_event'"
    )
    create = table[0]["sql"]
    if NOT_NULL_CASE not in create:  # already nullable (a database made after this change)
        return
    indexes = await engine.run_ddl(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alur_event' "
        "AND sql IS NOT NULL"
    )
    columns = [c["name"] for c in await engine.run_ddl("PRAGMA table_info(alur_event)")]
    column_list = ", ".join(f'"{c}"' for c in columns)
    new_create = create.replace(NOT_NULL_CASE, NULLABLE_CASE, 1)
    new_create = new_create.replace('"alur_event"', '"alur_event_new"', 1)
    new_create = new_create.replace("EXISTS alur_event ", "EXISTS alur_event_new ", 1)
    assert "alur_event_new" in new_create, new_create
    await engine.run_ddl(new_create)
    await engine.run_ddl(
        f"INSERT INTO alur_event_new ({column_list}) SELECT {column_list} FROM alur_event"
    )
    await engine.run_ddl("DROP TABLE alur_event")
    await engine.run_ddl("ALTER TABLE alur_event_new RENAME TO alur_event")
    for index in indexes:
        await engine.run_ddl(index["sql"])


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(forwards_ddl)
    return manager
