"""Data kinerja: indicator sets, their indicators and the units' submissions.

Three tables (``alur_indicator_set``, ``alur_indicator``, ``alur_kinerja_submission``) and
their composite unique indexes: one set per tenant and period, one code per set, one
version per case and unit. Written by hand in the shape piccolo generates. The indexes are
``CREATE UNIQUE INDEX`` (see the 2026-11-21T08:08:13 migration for why not piccolo's
``Unique``); piccolo runs ``add_raw`` steps *before* the tables of a migration exist, so
this migration's manager creates them after its tables instead, inside the same
transaction (:class:`_IndexesAfterTables`).
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table


def _serial() -> Serial:
    return Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Tenant(Table, tablename="alur_tenant", schema=None):
    id = _serial()


class User(Table, tablename="alur_user", schema=None):
    id = _serial()


class Case(Table, tablename="alur_case", schema=None):
    id = _serial()


class IndicatorSetRow(Table, tablename="alur_indicator_set", schema=None):
    id = _serial()


ID = "2026-11-25T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "data kinerja: indicator sets, indicators, submissions"

UNIQUE_INDEXES = {
    "alur_indicator_set_tenant_period": ("alur_indicator_set", "tenant, period"),
    "alur_indicator_code_per_set": ("alur_indicator", "indicator_set, code"),
    "alur_kinerja_submission_case_unit_version": (
        "alur_kinerja_submission",
        '"case", unit, version',
    ),
}
INDEXES = {
    "alur_indicator_tenant_set": ("alur_indicator", "tenant, indicator_set"),
}

TABLES = {
    "IndicatorSetRow": "alur_indicator_set",
    "IndicatorRow": "alur_indicator",
    "SubmissionRow": "alur_kinerja_submission",
}


def _params(default: Any, null: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "default": default,
        "null": null,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


def _fk(references: type[Table], null: bool, on_delete: OnDelete) -> dict[str, Any]:
    return _params(
        None,
        null,
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
    )


COLUMNS: dict[str, list[tuple[str, type, dict[str, Any]]]] = {
    "IndicatorSetRow": [
        ("tenant", ForeignKey, _fk(Tenant, False, OnDelete.cascade)),
        ("period", Varchar, _params("", length=120)),
        ("updated_at", Timestamptz, _params(TimestamptzNow())),
        ("updated_by", ForeignKey, _fk(User, True, OnDelete.set_null)),
    ],
    "IndicatorRow": [
        ("tenant", ForeignKey, _fk(Tenant, False, OnDelete.cascade)),
        ("indicator_set", ForeignKey, _fk(IndicatorSetRow, False, OnDelete.cascade)),
        ("position", Integer, _params(0)),
        ("code", Varchar, _params("", length=64)),
        ("sasaran", Text, _params("")),
        ("text", Text, _params("")),
        ("unit_of_measure", Varchar, _params("", length=100)),
        ("target", Varchar, _params("", length=64)),
        ("direction", Varchar, _params("higher", length=8)),
        ("units", JSON, _params("[]")),
        ("allow_negative", Boolean, _params(False)),
    ],
    "SubmissionRow": [
        ("tenant", ForeignKey, _fk(Tenant, False, OnDelete.cascade)),
        ("case", ForeignKey, _fk(Case, False, OnDelete.cascade)),
        ("unit", Varchar, _params("", length=64)),
        ("version", Integer, _params(0)),
        ("entries", JSON, _params("[]")),
        ("submitted_by", ForeignKey, _fk(User, False, OnDelete.cascade)),
        ("submitted_at", Timestamptz, _params(TimestamptzNow())),
    ],
}


async def create_indexes() -> None:
    engine = engine_finder()
    assert engine is not None
    for name, (table, columns) in UNIQUE_INDEXES.items():
        await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for name, (table, columns) in INDEXES.items():
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


class _IndexesAfterTables(MigrationManager):
    """Creates the indexes once the tables exist, in the migration's transaction (piccolo's
    transactions nest, so the outer one below wraps the manager's own). Backwards, dropping
    the tables drops their indexes.

    Wraps piccolo's ``MigrationManager.run`` (piccolo 1.38.0: raw steps first, then tables),
    pinned by tests/storage/test_library_patches.py."""

    async def run(self, backwards: bool = False) -> None:
        engine = engine_finder()
        assert engine is not None
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                await create_indexes()


async def forwards() -> MigrationManager:
    manager = _IndexesAfterTables(migration_id=ID, app_name="alur_tenants", description=DESCRIPTION)
    for class_name, tablename in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
    for class_name, columns in COLUMNS.items():
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=TABLES[class_name],
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
