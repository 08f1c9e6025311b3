"""Tenant isolation: every id of another office answers "not found", on both backends.

Two offices (bound to the same plugin, or to different plugins), each with people, a case
and an attachment. Every :class:`TenantService` method that takes an id is called with the
other office's ids, in both directions, and must raise :class:`NotFound` without writing
anything. Inside one office, acting on a step of a role one does not hold is the engine's
:class:`WrongRole`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import pytest

from alur.core import AlurPlugins, Answer
from alur.core.calendar import JAKARTA
from alur.core.engine import Action, Complete, Decide
from alur.core.errors import WrongRole
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.errors import NotFound
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Attachment, Case, Event, Task

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=JAKARTA)  # a Monday

# (slug, plugin, the role that starts a case, the role of its second step)
OFFICES = {
    "banyumas": ("satpolpp-banyumas", "satpolpp_banyumas", "staf", "kasubag_perencanaan"),
    "cilacap": ("satpolpp-cilacap", "satpolpp_banyumas", "staf", "kasubag_perencanaan"),
    "pekalongan": ("kesbangpol-pekalongan", "kesbangpol_pekalongan", "kepala_dinas", "sekretaris"),
}


@dataclass
class Office:
    service: TenantService
    sop_id: str
    starter: int  # user id of the role of step 1
    second: int  # user id of the role of step 2
    case_key: str
    open_task: int  # the case's open task (step 2)
    next_action: Action  # what step 2 takes: "ya" on a gate, else completing it
    attachment_id: int


async def make_office(db: Database, plugins: AlurPlugins, key: str) -> Office:
    slug, plugin, first_role, second_role = OFFICES[key]
    tenant = await create_tenant(plugins, slug, slug.replace("-", " ").title(), plugin)
    roles = {r.id: r for r in plugins.get(plugin).roles}
    ids = []
    for role in (first_role, second_role):
        user = await create_user(f"{key}.{role}", f"{role.title()} {key.title()}", "rahasia-123")
        await add_membership(tenant.id, user.id, roles[role])
        ids.append(user.id)
    service = await TenantService.open(db, plugins, slug, clock=lambda: NOW)
    sop_id = next(iter(service.sops()))
    case = await service.start_case(ids[0], sop_id, "Triwulan IV 2026")
    first_task = next(iter(case.state.open_tasks))
    await fill_in_sample(KinerjaService(service), ids[0], case.key, first_task)  # a format
    case = await service.act(ids[0], case.key, Complete(first_task, "Draft"))
    attached = await service.attach(
        ids[0], case.key, first_task, "draft.csv", "text/csv", b"indikator,target\nA,100\n"
    )
    (open_task,) = case.state.open_tasks
    gate = service.sop(sop_id).step(2).gate is not None
    action = Decide(open_task, Answer.YA, "Sudah sesuai") if gate else Complete(open_task, "ok")
    return Office(service, sop_id, ids[0], ids[1], case.key, open_task, action, attached.id)


@pytest.fixture(params=["same plugin", "different plugins"])
async def offices(
    request: pytest.FixtureRequest, database: Database, installed: AlurPlugins
) -> tuple[Office, Office]:
    other = "cilacap" if request.param == "same plugin" else "pekalongan"
    return (
        await make_office(database, installed, "banyumas"),
        await make_office(database, installed, other),
    )


def cross_tenant_calls(mine: Office, theirs: Office) -> dict[str, Callable[[], Awaitable[object]]]:
    """Every service call of ``mine`` given an id of ``theirs``."""
    s = mine.service
    return {
        "case(their case)": lambda: s.case(theirs.case_key),
        "history(their case)": lambda: s.history(theirs.case_key),
        "attachments(their case)": lambda: s.attachments(theirs.case_key),
        "attachment(their attachment, my case)": lambda: s.attachment(
            mine.starter, mine.case_key, theirs.attachment_id
        ),
        "attachment(their attachment, their case)": lambda: s.attachment(
            mine.starter, theirs.case_key, theirs.attachment_id
        ),
        "attachment(my attachment, by their user)": lambda: s.attachment(
            theirs.starter, mine.case_key, mine.attachment_id
        ),
        "user(their user)": lambda: s.user(theirs.starter),
        "inbox(their user)": lambda: s.inbox(theirs.second),
        "context(their user)": lambda: s.context(theirs.starter),
        "start_case by their user": lambda: s.start_case(
            theirs.starter, mine.sop_id, "Triwulan I 2027"
        ),
        "act on their case (their task number)": lambda: s.act(
            mine.second, theirs.case_key, theirs.next_action
        ),
        "act by their user on my case": lambda: s.act(
            theirs.second, mine.case_key, mine.next_action
        ),
        "attach to their case": lambda: s.attach(
            mine.starter, theirs.case_key, None, "x.txt", "text/plain", b"x"
        ),
        "attach by their user to my case": lambda: s.attach(
            theirs.starter, mine.case_key, None, "x.txt", "text/plain", b"x"
        ),
    }


async def snapshot() -> tuple[int, ...]:
    return (
        await Case.count(),
        await Event.count(),
        await Task.count(),
        await Attachment.count(),
    )


async def test_every_id_of_the_other_office_is_not_found(offices: tuple[Office, Office]) -> None:
    a, b = offices
    before = await snapshot()
    refused = []
    for mine, theirs in ((a, b), (b, a)):
        for name, call in cross_tenant_calls(mine, theirs).items():
            with pytest.raises(NotFound):
                await call()
            refused.append(f"{mine.service.ref.slug}: {name}")
    assert len(refused) == 2 * len(cross_tenant_calls(a, b))
    assert await snapshot() == before, "a refused call wrote something"
    for o in (a, b):  # the other office's case is untouched
        case = await o.service.case(o.case_key)
        assert list(case.state.open_tasks) == [o.open_task]


async def test_the_same_calls_with_own_ids_succeed(offices: tuple[Office, Office]) -> None:
    """The control: the ids used above are real, only in the wrong office."""
    for o in offices:
        s = o.service
        assert (await s.case(o.case_key)).key == o.case_key
        assert len(await s.history(o.case_key)) > 2
        assert [x.id for x in await s.attachments(o.case_key)] == [o.attachment_id]
        info, content = await s.attachment(o.starter, o.case_key, o.attachment_id)
        assert (info.case_key, content) == (o.case_key, b"indikator,target\nA,100\n")
        assert (await s.user(o.starter))["id"] == o.starter
        assert [t.task_no for t in await s.inbox(o.second)] == [o.open_task]
        assert (await s.context(o.starter)).actor.id == str(o.starter)


async def test_lists_show_only_the_own_office(offices: tuple[Office, Office]) -> None:
    a, b = offices
    for mine, theirs in ((a, b), (b, a)):
        assert [c["key"] for c in await mine.service.cases()] == [mine.case_key]
        units = {u["id"] for u in await mine.service.units()}
        assert units.isdisjoint(u["id"] for u in await theirs.service.units())
        assert await mine.service.inbox(mine.starter) == []  # step 2 is not the starter's


async def test_an_unknown_office_is_not_found(database: Database, installed: AlurPlugins) -> None:
    with pytest.raises(NotFound, match="office nowhere not found"):
        await TenantService.open(database, installed, "nowhere")


async def test_a_role_one_does_not_hold_is_wrong_role(offices: tuple[Office, Office]) -> None:
    for o in offices:
        before = await snapshot()
        with pytest.raises(WrongRole) as raised:
            await o.service.act(o.starter, o.case_key, o.next_action)
        assert raised.value.params["step"] == 2
        assert await snapshot() == before
        case = await o.service.act(o.second, o.case_key, o.next_action)  # the holder may
        assert o.open_task not in case.state.open_tasks
