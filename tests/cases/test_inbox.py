"""The inbox remembered across requests (``alur.tenants.cases.inbox``): read again exactly when
something happened in the office, when the person's roles change, or after this request's
own write; overdue marks follow the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alur.core import AlurPlugins, SopDefinition
from alur.tenants.cases.inbox import inboxes
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.storage.database import Database
from tests.cases.store_helpers import Office, contoh_office, do, plugins_with, start_contoh
from tests.statements import counting

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


@pytest.fixture
def plugins(sample: SopDefinition) -> AlurPlugins:
    return plugins_with(sample)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    inboxes.clear()


async def one_request(office: Office) -> TenantService:
    """A service as the web opens it for one request."""
    return (await office.service()).for_one_request()


def task_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "alur_task" in s]


async def test_an_inbox_is_read_again_only_when_the_office_changes(
    database: Database, plugins: AlurPlugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = await contoh_office(database, plugins)
    writer = await office.service()
    case = await start_contoh(writer, office)
    staf, kasubag = office.users["staf"], office.users["kasubag"]
    first = await (await one_request(office)).inbox(staf)
    assert [(i.case_key, i.step) for i in first] == [(case.key, 1)]

    svc = await one_request(office)
    with counting(database, monkeypatch) as seen:
        again = await svc.inbox(staf)
    assert again == first
    assert task_reads(seen) == []  # remembered

    await do(writer, office, "staf", case.key, 1, None, "complete", "draft")  # another request
    svc = await one_request(office)
    with counting(database, monkeypatch) as seen:
        assert await svc.inbox(staf) == []
    assert task_reads(seen)  # the office's event sequence moved on: read again
    assert [i.step for i in await svc.inbox(kasubag)] == [2]


async def test_a_request_that_writes_reads_its_own_change(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    case = await start_contoh(await office.service(), office)
    svc = await one_request(office)
    assert [i.step for i in await svc.inbox(office.users["staf"])] == [1]
    await do(svc, office, "staf", case.key, 1, None, "complete", "draft")
    # the office row this request read still has the old sequence: the cache is not used
    assert await svc.inbox(office.users["staf"]) == []
    assert [i.step for i in await svc.inbox(office.users["kasubag"])] == [2]


async def test_a_new_role_is_a_new_inbox(database: Database, plugins: AlurPlugins) -> None:
    office = await contoh_office(database, plugins)
    writer = await office.service()
    case = await start_contoh(writer, office)
    await do(writer, office, "staf", case.key, 1, None, "complete", "draft")
    staf = office.users["staf"]
    assert await (await one_request(office)).inbox(staf) == []
    roles = {r.id: r for r in plugins.get("contoh").roles}
    await add_membership(office.tenant_id, staf, roles["kasubag"], None)  # no event
    assert [i.step for i in await (await one_request(office)).inbox(staf)] == [2]


async def test_overdue_marks_follow_the_clock(
    database: Database, plugins: AlurPlugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = await contoh_office(database, plugins)
    await start_contoh(await office.service(), office)
    staf = office.users["staf"]
    (task,) = await (await one_request(office)).inbox(staf)
    assert task.due is not None
    assert not task.overdue
    office.clock.now = task.due + timedelta(minutes=1)
    svc = await one_request(office)
    with counting(database, monkeypatch) as seen:
        (late,) = await svc.inbox(staf)
    assert task_reads(seen) == []
    assert late.overdue
    assert (late.case_key, late.task_no, late.due) == (task.case_key, task.task_no, task.due)


async def test_a_delegated_task_says_plt_or_plh_in_the_inbox(
    database: Database, plugins: AlurPlugins
) -> None:
    """Kasi A stands in for the Kabid of bidang A (Plh): her inbox says so, with the
    official's name; the Kabid of bidang B holds his own role and sees no mark."""
    office = await contoh_office(database, plugins)
    svc = await office.service()
    case = await start_contoh(svc, office)
    await do(svc, office, "staf", case.key, 1, None, "complete", "draft")
    await do(svc, office, "kasubag", case.key, 2, None, "ya")
    (plh,) = await (await one_request(office)).inbox(office.users["kasi_a"])
    assert (plh.step, plh.unit, plh.acting_as) == (3, "bidang-a", "Plh")
    assert plh.acting_for_name == "Kabid_A (dinas-contoh)"
    (own,) = await (await one_request(office)).inbox(office.users["kabid_b"])
    assert (own.acting_as, own.acting_for_name) == (None, None)
