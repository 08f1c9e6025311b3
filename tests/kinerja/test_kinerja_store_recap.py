"""Data kinerja storage on SQLite and PostgreSQL, the end of the case (the SOP is described in
test_kinerja_store.py): approvals carry the recap hash, are invalidated by a later change,
show a Plh, cannot be forged; the recap step needs a complete recap; the archive needs a
valid tanda tangan; an empty case has an empty recap."""

from __future__ import annotations

import pytest

from alur.core.engine import EventKind
from alur.core.kinerja.model import ApprovalKind
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.errors import InvalidInput
from tests.kinerja.kinerja_helpers import (
    PERIOD,
    ROWS,
    UNITS,
    Office,
    design,
    do,
    fill,
    kinerja_record,
    start,
    task_no,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


# --- the recap, approvals, archive -----------------------------------------------------------


async def through_verification(office: Office, key: str, versions: dict[str, dict]) -> None:
    for unit, values in versions.items():
        await fill(office, key, unit, values)
        who = "kabid_a" if unit == "bidang-a" else "kabid_b"
        await do(office, who, key, 2, unit, "complete")
        await do(office, "staf", key, 3, unit, "ya")


async def test_approvals_hold_until_the_data_changes(office: Office) -> None:
    case = await start(office)
    await design(office, case)
    k = await office.kinerja()
    await fill(office, case.key, "bidang-a", {"IKU-1": "90"})
    await do(office, "kabid_a", case.key, 2, "bidang-a", "complete")
    await do(office, "staf", case.key, 3, "bidang-a", "ya")
    # Bidang B has not reported: the recap cannot be completed yet... once it arrives it can.
    await through_verification(office, case.key, {"bidang-b": {"IKU-1": "80", "IKU-2": "8"}})
    recap = await k.recap(case.key)
    assert recap.complete
    await do(office, "staf", case.key, 4, None, "complete")

    # A forged approval on a "tidak" is dropped; the real paraf records the recap hash.
    forged = {"kinerja": {"approval": "sign", "recap_hash": recap.content_hash}, "x": 1}
    await do(office, "kasubag", case.key, 5, None, "tidak", "cek lagi", data=forged)
    assert await k.approvals(case.key) == []
    events = await (await office.service()).history(case.key)
    assert events[-2].payload["data"] == {"x": 1, "attachments": []}
    await do(office, "staf", case.key, 4, None, "complete")
    await do(office, "kasubag", case.key, 5, None, "ya")
    (paraf,) = await k.approvals(case.key)
    assert (paraf.kind, paraf.step, paraf.recap_hash) == (ApprovalKind.PARAF, 5, recap.content_hash)
    assert (paraf.name, paraf.jabatan, paraf.acting) == (
        "Kasubag dinas-uji",
        "Jabatan Kasubag",
        "",
    )
    assert paraf.valid_for(recap.content_hash)

    # The Kepala sends bidang A's data back: a new version invalidates the paraf.
    case = await do(office, "kepala", case.key, 6, None, "tidak", "IKU-1 bidang A", data=None)
    await fill(office, case.key, "bidang-a", {"IKU-1": "88"})
    changed = await k.recap(case.key)
    assert changed.content_hash != recap.content_hash
    assert not paraf.valid_for(changed.content_hash)
    await do(office, "kabid_a", case.key, 2, "bidang-a", "complete")
    await do(office, "staf", case.key, 3, "bidang-a", "ya")
    await do(office, "kabid_b", case.key, 2, "bidang-b", "complete")
    await do(office, "staf", case.key, 3, "bidang-b", "ya")
    await do(office, "staf", case.key, 4, None, "complete")
    await do(office, "kasubag", case.key, 5, None, "ya")
    # The Sekretaris signs as Plh. Kepala.
    await do(office, "sekretaris", case.key, 6, None, "ya")
    old_paraf, new_paraf, sign = await k.approvals(case.key)
    assert old_paraf == paraf
    assert [a.valid_for(changed.content_hash) for a in (old_paraf, new_paraf, sign)] == [
        False,
        True,
        True,
    ]
    assert sign.kind is ApprovalKind.SIGN
    assert (sign.name, sign.nip, sign.acting, sign.acting_for, sign.jabatan) == (
        "Sekretaris dinas-uji",
        "198001012006011006",  # stored without the spaces it was typed with
        "Plh",
        "Kepala dinas-uji",
        "Jabatan Kepala",  # the position signed as: the official's
    )

    # Another case of the same period changes the shared format: the signature no longer
    # holds, and the archive refuses until it is signed again.
    other = await start(office)
    await (await office.kinerja()).save_indicator_set(
        office.users["staf"],
        other.key,
        task_no(other, 1),
        [*ROWS, dict(ROWS[0], code="IKU-3")],
        language="id",
    )
    with pytest.raises(InvalidInput) as refused:
        await do(office, "staf", case.key, 7, None, "complete")
    assert set(refused.value.errors) == {"approvals"}
    await (await office.kinerja()).save_indicator_set(
        office.users["staf"], other.key, task_no(other, 1), ROWS, language="id"
    )
    done = await do(office, "staf", case.key, 7, None, "complete")
    assert done.status == "finished"

    # The audit still verifies: hash chain and stored state.
    store = CaseStore(office.db)
    ref = TenantRef(office.tenant_id, office.slug)
    report = await store.verify_chain(ref)
    assert report.ok, str(report)
    assert await store.verify_cases(ref) == []


async def test_the_recap_step_needs_a_complete_recap(office: Office) -> None:
    case = await start(office)
    await design(office, case)
    k = await office.kinerja()
    assert not (await k.recap(case.key)).complete
    await through_verification(
        office,
        case.key,
        {"bidang-a": {"IKU-1": "90"}, "bidang-b": {"IKU-1": "80", "IKU-2": "8"}},
    )
    # The format changes after the units filled in: IKU-3 has no realisasi yet.
    other = await start(office)
    await k.save_indicator_set(
        office.users["staf"],
        other.key,
        task_no(other, 1),
        [*ROWS, dict(ROWS[0], code="IKU-3")],
        language="id",
    )
    with pytest.raises(InvalidInput) as refused:
        await do(office, "staf", case.key, 4, None, "complete")
    assert set(refused.value.errors) == {"recap"}
    await k.save_indicator_set(
        office.users["staf"], other.key, task_no(other, 1), ROWS, language="id"
    )
    await do(office, "staf", case.key, 4, None, "complete")
    events = await (await office.service()).history(case.key)
    assert kinerja_record(events, 4, EventKind.TASK_COMPLETED) == [
        {"recap_hash": (await k.recap(case.key)).content_hash}
    ]


async def test_an_empty_case_has_an_empty_recap(office: Office) -> None:
    case = await start(office)
    recap = await (await office.kinerja()).recap(case.key)
    assert (recap.period, recap.units, recap.sasaran, recap.complete) == (
        PERIOD,
        UNITS,
        (),
        False,
    )
    assert await (await office.kinerja()).latest(case.key) == {}
