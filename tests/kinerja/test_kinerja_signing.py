"""Paraf and tanda tangan ask the person's password again (alur.tenants.kinerja.signing), on
SQLite and PostgreSQL: no password or a wrong one is refused under "password" with nothing
recorded (a wrong one counted by the login throttle), the right one records the approval with
its method; a "tidak" needs no password; the event's approval hash is indexed for the public
verification page (alur.tenants.kinerja.verification)."""

from __future__ import annotations

import importlib

import pytest

from alur.core.engine import Decide, EventKind
from alur.core.model import Answer
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.throttle import USERNAME, ThrottleRules
from alur.tenants.kinerja import signing
from alur.tenants.kinerja.verification import check_document
from alur.tenants.storage.tables import Event, LoginThrottle
from tests.kinerja.kinerja_helpers import (
    Office,
    design,
    do,
    fill,
    kinerja_record,
    start,
    task_no,
)

MIGRATION = importlib.import_module(
    "alur.tenants.storage.piccolo_migrations.alur_tenants_2026_12_03t06_00_00_000000"
)
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]
PASSWORD = "x" * 12  # kinerja_helpers.Office.person's


async def at_paraf(office: Office) -> str:
    case = await start(office)
    await design(office, case)
    for unit, who, values in (
        ("bidang-a", "kabid_a", {"IKU-1": "90"}),
        ("bidang-b", "kabid_b", {"IKU-1": "80", "IKU-2": "8"}),
    ):
        await fill(office, case.key, unit, values)
        await do(office, who, case.key, 2, unit, "complete")
        await do(office, "staf", case.key, 3, unit, "ya")
    await do(office, "staf", case.key, 4, None, "complete")
    return case.key


async def paraf(office: Office, key: str, password: str | None):
    office.clock.tick()
    svc = await office.service()
    task = task_no(await svc.case(key), 5)
    return await svc.act(
        office.users["kasubag"], key, Decide(task, Answer.YA, "benar"), password=password
    )


async def test_a_paraf_needs_the_right_password(office: Office) -> None:
    key = await at_paraf(office)
    svc = await office.service()
    before = len(await svc.history(key))
    for given in (None, "", "salah-sekali"):
        with pytest.raises(InvalidInput) as refused:
            await paraf(office, key, given)
        assert set(refused.value.errors) == {"password"}
    assert len(await svc.history(key)) == before  # nothing recorded
    assert await Event.count().where(Event.approval_hash.is_not_null()) == 0
    # the wrong one was counted against the username, like a failed sign-in
    (row,) = await LoginThrottle.select().where(LoginThrottle.kind == USERNAME)
    assert row["failures"] == 1
    done = await paraf(office, key, PASSWORD)
    (record,) = kinerja_record(await svc.history(key), 5, EventKind.GATE_DECIDED)
    recap = await (await office.kinerja()).recap(key)
    assert record == {"method": "password", "approval": "paraf", "recap_hash": recap.content_hash}
    assert 6 in {t.step for t in done.state.open_tasks.values()}
    assert await LoginThrottle.count().where(LoginThrottle.kind == USERNAME) == 0  # forgotten
    # the approval hash is indexed: the public check finds the document (paraf only)
    found = await check_document(office.db, office.plugins, recap.content_hash)
    assert found is not None
    assert not found.signed
    assert found.signatures == ()


async def test_a_tidak_needs_no_password_and_a_sign_does(office: Office) -> None:
    key = await at_paraf(office)
    await do(office, "kasubag", key, 5, None, "tidak", "cek lagi")  # no password asked
    await do(office, "staf", key, 4, None, "complete")
    await paraf(office, key, PASSWORD)
    svc = await office.service()
    task = task_no(await svc.case(key), 6)
    with pytest.raises(InvalidInput) as refused:
        await svc.act(office.users["kepala"], key, Decide(task, Answer.YA, ""), password="no")
    assert "password" in refused.value.errors
    await svc.act(office.users["kepala"], key, Decide(task, Answer.YA, ""), password=PASSWORD)
    recap = await (await office.kinerja()).recap(key)
    found = await check_document(office.db, office.plugins, recap.content_hash[:16].upper())
    assert found is not None
    assert found.signed
    (signature,) = found.signatures
    assert signature.name == "Kepala dinas-uji"
    assert signature.jabatan == "Jabatan Kepala Dinas Uji"  # the full title, with the office
    assert found.office == "Dinas Uji"
    assert await check_document(office.db, office.plugins, "0" * 64) is None
    # An event that is no approval but carries a hash sharing the printed code (as a forged
    # record written before such records were dropped on every step would): the printed code
    # still finds the one real document.
    (first,) = await Event.select(Event.id).where(Event.seq == 1).limit(1)
    planted = recap.content_hash[:16] + "f" * 48
    await Event.update({Event.approval_hash: planted}).where(Event.id == first["id"])
    found = await check_document(office.db, office.plugins, recap.content_hash[:16])
    assert found is not None
    assert found.signed


async def test_the_migration_indexes_approvals_written_before_it(office: Office) -> None:
    key = await at_paraf(office)
    await paraf(office, key, PASSWORD)
    recap = await (await office.kinerja()).recap(key)
    await Event.update({Event.approval_hash: None}, force=True)  # as before the migration
    assert await check_document(office.db, office.plugins, recap.content_hash) is None
    assert await MIGRATION.backfill_approval_hashes() == 1  # the paraf; nothing else
    found = await check_document(office.db, office.plugins, recap.content_hash)
    assert found is not None
    assert not found.signed
    assert await check_document(office.db, office.plugins, "not a code") is None


async def test_a_locked_username_is_refused_without_checking(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await at_paraf(office)
    monkeypatch.setattr(signing, "_PASSWORD", signing.PasswordSigner(ThrottleRules(per_username=2)))
    for _ in range(2):
        with pytest.raises(InvalidInput):
            await paraf(office, key, "salah-sekali")
    with pytest.raises(InvalidInput) as locked:
        await paraf(office, key, PASSWORD)  # right, but the username is locked
    assert "minute" in locked.value.errors["password"] or "menit" in locked.value.errors["password"]
