"""Passwords of people and operators (issue 15): one-time passwords and ending sessions.

* ``must_change_password`` (``alur_user``, ``alur_operator``): the password is a one-time
  password set by a reset; after signing in with it the person can do nothing but choose a
  new one (:mod:`alur.tenants.identity.passwords`);
* ``password_expires_at``: when that one-time password stops working (NULL: never, and for
  every password a person chose);
* ``password_version``: counts the resets and changes of the password. A web session keeps
  the version it signed in with; a session of an older version is refused, so a reset or a
  change ends the person's other sessions at once in every app process.

DDL written by hand as in the 2026-12-03T06:00 migration; valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one-time passwords and the password version of people and operators"

ADD_COLUMNS = tuple(
    (table, column)
    for table in ("alur_user", "alur_operator")
    for column in (
        '"must_change_password" BOOLEAN NOT NULL DEFAULT false',
        '"password_expires_at" TIMESTAMPTZ DEFAULT null',
        '"password_version" INTEGER NOT NULL DEFAULT 0',
    )
)


async def forwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for table, column in ADD_COLUMNS:
        await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {column}")


async def backwards_ddl() -> None:
    engine = engine_finder()
    assert engine is not None
    for table, column in ADD_COLUMNS:
        await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    manager.add_raw(forwards_ddl)
    manager.add_raw_backwards(backwards_ddl)
    return manager
