"""Issue 14 (points 7 and 9) through the service, on SQLite and PostgreSQL: one case per SOP
and period unless the SOP is repeatable; whom a case waits on; which of claim, give back and
hand over the case page offers (exactly what the engine accepts)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from alur.core import AlurPlugins, SopDefinition
from alur.core.engine import Claim, Unclaim
from alur.tenants.cases.listing import CaseFilter
from alur.tenants.cases.takers import office_holders, task_choices
from alur.tenants.errors import InvalidInput
from alur.tenants.storage.database import Database
from tests.cases.store_helpers import contoh_office, do, plugins_with, start_contoh, task_at

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]
TODAY = date(2026, 11, 23)  # the office clock's day: Kasi A is Plh of the Kabid of bidang A


@pytest.fixture
def plugins(sample: SopDefinition) -> AlurPlugins:
    return plugins_with(replace(sample, repeatable=False))  # runs once per period


async def test_a_second_case_of_a_period_is_refused_until_the_first_is_cancelled(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    first = await start_contoh(svc, office, "triwulan  iii 2026")
    assert first.period == "Triwulan III 2026"  # written one way
    with pytest.raises(InvalidInput) as refused:
        await start_contoh(svc, office, "Triwulan III 2026")
    assert refused.value.errors == {
        "period": "A case of this SOP for Triwulan III 2026 has already been started; "
        "this SOP runs once per period."
    }
    with pytest.raises(InvalidInput) as unreadable:
        await start_contoh(svc, office, "TW 3")
    assert list(unreadable.value.errors) == ["period"]
    assert (await start_contoh(svc, office, "Triwulan IV 2026")).period == "Triwulan IV 2026"
    await svc.cancel_case(office.users["kepala"], first.key, "Salah periode")
    again = await start_contoh(svc, office, "Triwulan III 2026")
    assert again.key != first.key


async def test_a_repeatable_sop_runs_twice_in_a_period(
    database: Database, sample: SopDefinition
) -> None:
    assert sample.repeatable
    office = await contoh_office(database, plugins_with(sample))
    svc = await office.service()
    one = await start_contoh(svc, office)
    two = await start_contoh(svc, office)
    assert one.period == two.period == "Triwulan III 2026"


async def test_cancel_needs_a_reason_and_an_allowed_person(
    database: Database, plugins: AlurPlugins
) -> None:
    from alur.core.errors import NotPermitted

    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = (await start_contoh(svc, office)).key
    with pytest.raises(InvalidInput) as empty:
        await svc.cancel_case(office.users["staf"], key, "  ")
    assert empty.value.errors == {"reason": "Say why the case is cancelled."}
    with pytest.raises(NotPermitted):
        await svc.cancel_case(office.users["kabid_a"], key, "Bukan urusan saya")
    done = await svc.cancel_case(office.users["admin"], key, "Salah periode")
    assert done.status == "cancelled"
    history = await svc.history(key)
    assert (history[-1].kind, history[-1].note) == ("case_cancelled", "Salah periode")


async def test_whom_each_case_waits_on(database: Database, plugins: AlurPlugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = (await start_contoh(svc, office)).key
    (row,) = await svc.case_list(CaseFilter())
    (w,) = row.waiting
    assert (w.step, w.role, w.people, w.units, w.assigned) == (
        1,
        "Staf",
        ("Staf (dinas-contoh)",),
        0,
        False,
    )
    assert w.due == row.next_due
    await do(svc, office, "staf", key, 1, None, "complete")
    await do(svc, office, "kasubag", key, 2, None, "ya")
    (row,) = await svc.case_list(CaseFilter())
    (w,) = row.waiting
    assert (w.role, w.units, w.people) == ("Kabid", 3, ())  # "Kabid (3 bidang)"
    for unit in ("a", "b"):
        await do(svc, office, f"kabid_{unit}", key, 3, f"bidang-{unit}", "complete")
    (row,) = await svc.case_list(CaseFilter())
    by_step = {w.step: w for w in row.waiting}
    assert by_step[3].people == ("Kabid_C (dinas-contoh)",)  # one unit left: its Kabid
    assert by_step[4].units == 2  # two bidang to verify
    await do(svc, office, "kabid_c", key, 3, "bidang-c", "claim")
    (row,) = await svc.case_list(CaseFilter())
    w = {w.step: w for w in row.waiting}[3]
    assert (w.people, w.assigned) == (("Kabid_C (dinas-contoh)",), True)


async def test_claim_give_back_and_hand_over_are_offered_as_the_engine_allows(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = (await start_contoh(svc, office)).key

    async def choices(who: str, step: int, unit: str | None = None):
        case = await svc.case(key)
        actor = (await svc.context(office.users[who])).actor
        holders = await office_holders(office.tenant_id, TODAY)
        return task_choices(
            await svc.definition_of(case), task_at(case.state, step, unit), actor, holders
        )

    alone = await choices("staf", 1)
    assert (alone.claim, alone.unclaim, alone.reassign) == (False, False, False)  # just work it
    await office.person("staf_2", "staf")
    two = await choices("staf", 1)
    assert (two.claim, two.reassign) == (True, False)  # unclaimed: nobody's to hand over
    senior = await choices("kepala", 1)
    assert senior.reassign
    assert {p["id"] for p in senior.people} == {office.users["staf"], office.users["staf_2"]}
    await svc.act(office.users["staf"], key, Claim(1))
    holder = await choices("staf", 1)
    assert (holder.claim, holder.unclaim, holder.reassign) == (False, True, True)
    assert [p["id"] for p in holder.people] == [office.users["staf_2"]]
    await svc.reassign(office.users["staf"], key, 1, office.users["staf_2"])  # accepted
    await svc.act(office.users["staf_2"], key, Unclaim(1))
    assert task_at((await svc.case(key)).state, 1).assignee is None
    # a per-unit step: the Kabid of the unit and her Plh this week, labelled as such
    await do(svc, office, "staf", key, 1, None, "complete")
    await do(svc, office, "kasubag", key, 2, None, "ya")
    kabid = await choices("kepala", 3, "bidang-a")
    names = sorted(p["name"] for p in kabid.people)
    assert names == ["Kabid_A (dinas-contoh)", "Plh. Kasi_A (dinas-contoh)"]
    assert (await choices("kabid_a", 3, "bidang-a")).claim  # she or her Plh could take it
    assert not (await choices("kabid_b", 3, "bidang-b")).claim  # only he could
