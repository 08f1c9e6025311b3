"""The office clock policy service (``alur.tenants.offices.clock_policy``): every problem at
once in the user's language, only administrators, and the open tasks' timers recomputed in
the same transaction (never setting again a timer that has fired)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alur.core import AlurPlugins, SopDefinition
from alur.core.clock import TimerKind, clock_event
from alur.core.i18n import current_language
from alur.tenants.errors import Forbidden, InvalidInput
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.clock_policy import form_mapping, read_policy, save_policy
from alur.tenants.offices.provisioning import calendar_for
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Tenant, Timer
from tests.cases.store_helpers import contoh_office, plugins_with, start_contoh, task_at

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

GOOD = {
    "remind_before": "80",
    "remind_before_min": "1 hari",
    "remind_at_due": "on",
    "escalate_after": "2 jam",
    "escalate_to": "kasubag",
    "digest": "on",
}


@pytest.fixture
def plugins(sample: SopDefinition) -> AlurPlugins:
    return plugins_with(sample)


async def timers_of_case(case_id: int) -> dict[tuple[int, str], dict]:
    rows = await Timer.select().where(Timer.case == case_id)
    return {(r["task_no"], r["kind"]): r for r in rows}


async def test_every_problem_at_once_in_the_users_language(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    admin = TenantAdmin(await office.service(), office.users["admin"])
    wrong = {**GOOD, "remind_before": "150", "escalate_after": "besok", "escalate_to": "bupati"}
    token = current_language.set("id")  # as a page in Indonesian sets it
    try:
        with pytest.raises(InvalidInput) as info:
            await save_policy(admin, wrong)
    finally:
        current_language.reset(token)
    errors = info.value.errors
    assert set(errors) == {"remind_before", "escalate_after", "escalate_to"}
    assert "antara 1 dan 99" in errors["remind_before"]
    assert "1 hari" in errors["escalate_after"]
    # names the roles that exist
    assert "'bupati'" in errors["escalate_to"]
    assert "Kasubag Perencanaan" in errors["escalate_to"]
    row = await Tenant.select(Tenant.clock_policy).where(Tenant.id == office.tenant_id).first()
    assert row["clock_policy"] in ({}, "{}")  # nothing written


async def test_only_the_offices_administrators(database: Database, plugins: AlurPlugins) -> None:
    office = await contoh_office(database, plugins)
    staf = TenantAdmin(await office.service(), office.users["staf"])
    with pytest.raises(Forbidden):
        await save_policy(staf, GOOD)
    with pytest.raises(Forbidden):
        await read_policy(staf)


async def test_saving_stores_the_policy_and_who_changed_it(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    admin = TenantAdmin(await office.service(), office.users["admin"])
    before = await read_policy(admin)
    assert before.policy.remind_before_percent == 50
    assert before.changed_at is None
    assert list(before.roles) == ["staf", "kabid", "kasubag", "kepala"]
    await save_policy(admin, {**GOOD, "digest": "", "escalate_after": ""})
    after = await read_policy(admin)
    assert after.policy.remind_before_percent == 80
    assert after.policy.escalate_after is None  # empty: never
    assert after.policy.digest is False  # unticked
    assert after.changed_by == f"Admin (dinas-contoh) ({'dinas-contoh.admin'})"
    assert after.changed_at == office.clock()


async def test_saving_recomputes_the_timers_of_open_tasks(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    service = await office.service()
    case = await start_contoh(service, office)
    task = task_at(case.state, 1)
    before = await timers_of_case(case.id)
    assert set(before) == {(task.id, "remind_before"), (task.id, "remind_due")}  # no atasan

    await save_policy(TenantAdmin(service, office.users["admin"]), GOOD)

    after = await timers_of_case(case.id)
    assert set(after) == {
        (task.id, "remind_before"),
        (task.id, "remind_due"),
        (task.id, "escalate"),
    }
    calendar = await calendar_for(service.tenant)
    # step 1 takes 2 hari: 80% of it has passed after 1.6 office days
    minutes = calendar.office_minutes_between(task.opened_at, task.due)
    expected = calendar.add_office_minutes(task.opened_at, minutes * 80 // 100)
    assert after[(task.id, "remind_before")]["fires_at"] == expected
    assert (
        after[(task.id, "remind_before")]["fires_at"]
        > before[(task.id, "remind_before")]["fires_at"]
    )
    assert after[(task.id, "escalate")]["to_role"] == "kasubag"
    assert after[(task.id, "escalate")]["fires_at"] == calendar.add_office_minutes(task.due, 120)


async def test_a_timer_that_fired_is_not_set_again(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    service = await office.service()
    case = await start_contoh(service, office)
    task = task_at(case.state, 1)
    # the sweep's work, by hand: the reminder before the due time fired and was recorded
    office.clock.now += timedelta(days=1, hours=2)
    fired = clock_event(
        case.state,
        task.id,
        TimerKind.REMIND_BEFORE,
        at=office.clock(),
        to=[str(office.users["staf"])],
        channels=["app"],
    )
    await service.store.apply(service.ref, case, fired)
    await Timer.delete().where((Timer.case == case.id) & (Timer.kind == "remind_before"))

    # 60% of step 1 lies in the future now, yet the reminder was sent: it stays sent
    await save_policy(TenantAdmin(service, office.users["admin"]), {**GOOD, "remind_before": "90"})
    assert set(await timers_of_case(case.id)) == {(task.id, "remind_due"), (task.id, "escalate")}


def test_the_form_reads_empty_fields_as_never_and_unticked_boxes_as_false() -> None:
    mapping = form_mapping({"remind_before": "", "escalate_after": " ", "escalate_to": ""})
    assert mapping == {
        "remind_before": False,
        "remind_before_min": "1 hari",
        "remind_at_due": False,
        "escalate_after": False,
        "escalate_to": "",
        "digest": False,
    }
    assert form_mapping({"remind_before": "50 %"})["remind_before"] == "50%"
