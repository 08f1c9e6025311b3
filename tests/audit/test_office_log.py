"""The office's own audit log (alur.tenants.audit.office_log), on SQLite and PostgreSQL.

An administrative change is an event with no case on the office's keyed chain: it is read
back, ``alur audit verify`` passes with it among the case events, and a change to it, or
its removal, breaks the chain. A change and its record are one transaction.
"""

from __future__ import annotations

import asyncio

import pytest

from alur.core import AlurPlugins
from alur.tenants.audit.office_log import (
    office_changes,
    operator_actor,
    record_office_change,
    write_transaction,
)
from alur.tenants.cases.store import TenantRef
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Tenant, User
from tests.audit import test_audit_tamper as tamper
from tests.audit.test_audit_tamper import OFFICE, alur, one, sql

banyumas = tamper.banyumas  # the fixtures of the tamper tests: the demo office, verified
demo = tamper.demo

pytestmark = pytest.mark.usefixtures("cheap_hasher")


def record(url: str, change: str, *, fail_after: bool = False, **details: object) -> int:
    """Record one change (and, with ``fail_after``, roll its transaction back)."""

    async def work() -> int:
        db = await open_database(url)
        try:
            row = await Tenant.select(Tenant.id, Tenant.chain_seq).where(Tenant.slug == OFFICE)
            tenant = TenantRef(row[0]["id"], OFFICE)
            admin = (
                await User.select(User.id, User.name)
                .where(User.username == "satpolpp.admin")
                .first()
            )
            try:
                async with write_transaction(db):
                    await User.update({User.jabatan: "Diubah"}).where(
                        User.username == "satpolpp.admin"
                    )
                    recorded = await record_office_change(
                        db,
                        tenant,
                        change,
                        actor=str(admin["id"]),
                        actor_name=admin["name"],
                        details=details,
                        note="alasan",
                    )
                    if fail_after:
                        raise RuntimeError("the change fails after its record")
            except RuntimeError:
                return -1
            return recorded.chain_seq
        finally:
            await close_database(db)

    return asyncio.run(work())


def changes(url: str, **kwargs: object) -> list:
    tenant_id = one(url, "SELECT id FROM alur_tenant WHERE slug = {}", OFFICE)

    async def work() -> list:
        db = await open_database(url)
        try:
            return await office_changes(tenant_id, **kwargs)
        finally:
            await close_database(db)

    return asyncio.run(work())


def test_a_change_is_on_the_chain_and_verifies(demo: str, banyumas: AlurPlugins) -> None:
    before = one(demo, "SELECT chain_seq FROM alur_tenant WHERE slug = {}", OFFICE)
    seq = record(demo, "person_deactivated", user="budi", reason_given=True)
    assert seq == before + 1
    assert one(demo, "SELECT chain_seq FROM alur_tenant WHERE slug = {}", OFFICE) == seq
    row = sql(demo, 'SELECT "case", kind, seq FROM alur_event WHERE chain_seq = {}', seq)
    assert row == [(None, "office_changed", 0)]
    found = changes(demo)
    assert [(c.chain_seq, c.change, c.note) for c in found][:1] == [
        (seq, "person_deactivated", "alasan")
    ]
    assert found[0].details == {"user": "budi", "reason_given": True}
    assert not found[0].by_operator
    second = record(demo, "role_removed", role="kabid")
    assert [c.change for c in changes(demo)][:2] == ["role_removed", "person_deactivated"]
    assert [c.change for c in changes(demo, change="person_deactivated")] == ["person_deactivated"]
    assert [c.chain_seq for c in changes(demo, before=second)][:1] == [seq]
    result = alur(demo, banyumas, "audit", "verify")
    assert result.exit_code == 0, result.output


def test_a_changed_or_removed_record_breaks_the_chain(demo: str, banyumas: AlurPlugins) -> None:
    seq = record(demo, "person_edited", user="budi")
    record(demo, "person_edited", user="siti")
    sql(
        demo,
        "UPDATE alur_event SET payload = {} WHERE chain_seq = {} AND tenant = "
        "(SELECT id FROM alur_tenant WHERE slug = {})",
        '{"change": "person_edited", "user": "orang-lain"}',
        seq,
        OFFICE,
    )
    result = alur(demo, banyumas, "audit", "verify")
    assert result.exit_code != 0
    assert f"#{seq}" in result.output, result.output


def test_the_record_rolls_back_with_its_change(demo: str, banyumas: AlurPlugins) -> None:
    before = one(demo, "SELECT chain_seq FROM alur_tenant WHERE slug = {}", OFFICE)
    assert record(demo, "person_edited", fail_after=True, user="admin") == -1
    assert one(demo, "SELECT chain_seq FROM alur_tenant WHERE slug = {}", OFFICE) == before
    assert one(demo, "SELECT count(*) FROM alur_event WHERE kind = 'office_changed'") == 0
    assert one(demo, "SELECT jabatan FROM alur_user WHERE username = 'satpolpp.admin'") != "Diubah"
    assert alur(demo, banyumas, "audit", "verify").exit_code == 0


def test_change_identifiers_are_checked() -> None:
    async def work() -> None:
        with pytest.raises(ValueError, match="not a change identifier"):
            await record_office_change(
                None,  # type: ignore[arg-type]
                TenantRef(1, "x"),
                "Person Deactivated",
                actor=None,
                actor_name="",
            )
        with pytest.raises(ValueError, match="must not hold"):
            await record_office_change(
                None,  # type: ignore[arg-type]
                TenantRef(1, "x"),
                "person_edited",
                actor=None,
                actor_name="",
                details={"change": "x"},
            )

    asyncio.run(work())
    assert operator_actor("ops") == "operator:ops"


def test_case_events_still_need_their_case_in_the_history(demo: str) -> None:
    """The migration keeps every event of the demo and its indexes."""
    record(demo, "person_edited", user="budi")
    assert one(demo, 'SELECT count(*) FROM alur_event WHERE "case" IS NULL') == 1
    # the unique (case, seq) index still holds for case events
    case, seq = sql(demo, 'SELECT "case", seq FROM alur_event WHERE "case" IS NOT NULL')[0]
    with pytest.raises(Exception):  # noqa: B017, PT011 - either driver's IntegrityError
        sql(
            demo,
            'INSERT INTO alur_event (tenant, "case", seq, chain_seq, kind, at, actor_name, note, '
            'payload, prev_hash, hash, key_id) SELECT tenant, "case", seq, 999999, kind, at, '
            "actor_name, note, payload, prev_hash, hash, key_id FROM alur_event "
            'WHERE "case" = {} AND seq = {}',
            case,
            seq,
        )


def test_the_sqlite_rebuild_keeps_every_event_and_index(
    demo: str, banyumas: AlurPlugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 2026-12-03T09:00 migration on a database with events: made NOT NULL again (as
    before the migration), then rebuilt; every row, column and index is kept."""
    if not demo.startswith("sqlite"):
        pytest.skip("PostgreSQL drops the constraint in place")
    from piccolo.engine.sqlite import SQLiteEngine

    from alur.tenants.storage.piccolo_migrations import (
        alur_tenants_2026_12_03t09_00_00_000000 as migration,
    )

    def schema() -> tuple[list, list, int]:
        columns = sql(
            demo,
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('alur_event')",
        )
        indexes = sql(
            demo,
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'alur_event' AND type = 'index' ORDER BY name",
        )
        return columns, indexes, one(demo, "SELECT count(*) FROM alur_event")

    rows = sql(demo, "SELECT * FROM alur_event ORDER BY id")
    after = schema()
    engine = SQLiteEngine(path=demo[len("sqlite:///") :])
    monkeypatch.setattr(migration, "NOT_NULL_CASE", migration.NULLABLE_CASE)
    monkeypatch.setattr(migration, "NULLABLE_CASE", '"case" INTEGER NOT NULL REFERENCES')
    asyncio.run(migration.rebuild_sqlite_events(engine))
    before = schema()
    assert next(c for c in before[0] if c[0] == "case")[2] == 1  # NOT NULL, as before
    monkeypatch.undo()
    asyncio.run(migration.rebuild_sqlite_events(engine))
    assert schema() == after
    assert next(c for c in after[0] if c[0] == "case")[2] == 0
    assert sql(demo, "SELECT * FROM alur_event ORDER BY id") == rows
    assert len(after[1]) >= 3
    assert alur(demo, banyumas, "audit", "verify").exit_code == 0
