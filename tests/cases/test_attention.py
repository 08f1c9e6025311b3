"""'Perlu perhatian' (``alur.tenants.cases.inbox.attention_tasks``): the open tasks a
``task_escalated`` event put before a role the person holds today — in the task's unit for a
role held per unit, as Plt/Plh too — while the task stays with its holder."""

from __future__ import annotations

import pytest

from alur.core import AlurPlugins, SopDefinition
from alur.core.clock import TimerKind, clock_event
from alur.tenants.cases.service import TenantService
from alur.tenants.storage.database import Database
from tests.cases.store_helpers import (
    Office,
    contoh_office,
    do,
    plugins_with,
    start_contoh,
    task_at,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


@pytest.fixture
def plugins(sample: SopDefinition) -> AlurPlugins:
    return plugins_with(sample)


async def escalate(svc: TenantService, office: Office, key: str, step: int, unit, role: str):
    case = await svc.case(key)
    task = task_at(case.state, step, unit)
    t = clock_event(
        case.state,
        task.id,
        TimerKind.ESCALATE,
        at=office.clock.tick(),
        to=[],
        channels=["app"],
        to_role=role,
    )
    await svc.store.apply(svc.ref, case, t)
    return task


async def attention(office: Office, who: str) -> list[tuple[str, int, str | None]]:
    svc = await office.service()
    return [(i.case_key, i.step, i.unit) for i in await svc.attention(office.users[who])]


async def test_an_escalated_task_needs_the_roles_attention_and_stays_with_its_holder(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    case = await start_contoh(svc, office)
    assert await attention(office, "kasubag") == []
    await escalate(svc, office, case.key, 1, None, "kasubag")

    assert await attention(office, "kasubag") == [(case.key, 1, None)]
    assert await attention(office, "kepala") == []
    assert await attention(office, "staf") == []
    inbox = await (await office.service()).inbox(office.users["staf"])
    assert [(i.case_key, i.step) for i in inbox] == [(case.key, 1)]  # still the holder's
    items = await (await office.service()).attention(office.users["kasubag"])
    assert items[0].escalated_to == "kasubag"
    assert items[0].role == "staf"

    await do(svc, office, "staf", case.key, 1, None, "complete", "draft")  # the task closes
    assert await attention(office, "kasubag") == []


async def test_a_per_unit_role_sees_its_units_tasks_and_a_plh_too(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    case = await start_contoh(svc, office)
    await do(svc, office, "staf", case.key, 1, None, "complete", "draft")
    await do(svc, office, "kasubag", case.key, 2, None, "ya")
    for u in ("a", "b", "c"):
        await do(svc, office, f"kabid_{u}", case.key, 3, f"bidang-{u}", "complete", "data")
    await escalate(svc, office, case.key, 4, "bidang-a", "kabid")

    assert await attention(office, "kabid_a") == [(case.key, 4, "bidang-a")]
    assert await attention(office, "kabid_b") == []
    # Kasi A is Plh for the Kabid of bidang A this week: she holds the role today
    assert await attention(office, "kasi_a") == [(case.key, 4, "bidang-a")]
