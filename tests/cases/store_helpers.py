"""Helpers of the case-store tests (test_store*.py, test_inbox.py): a fake clock, a throwaway
"dinas-contoh" plugin and office with people, acting as someone, and reading rows back."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any

from alur.core import (
    AlurPlugins,
    Answer,
    Institution,
    SopDefinition,
    Unit,
    create_plugin_manager,
    hookimpl,
)
from alur.core.calendar import JAKARTA
from alur.core.engine import (
    Action,
    Claim,
    Complete,
    Decide,
    EventKind,
    Task,
    replay,
)
from alur.core.engine.codec import state_from_dict
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Event
from alur.tenants.storage.tables import Task as TaskRow

CONTOH = "contoh"


UNITS = ("bidang-a", "bidang-b", "bidang-c")


# --- fixtures and helpers -----------------------------------------------------------------


class Clock:
    """A fake clock for the service: ``clock()`` is now, ``clock.tick()`` moves it on.

    It starts at Monday 23 Nov 2026 09:00 WIB with microseconds, as a real clock would give,
    so the tests also prove that stored times keep their microseconds (the hash chain and
    the compare-and-set depend on exact round trips).
    """

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=JAKARTA)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: int = 7, microseconds: int = 654321) -> datetime:
        self.now += timedelta(minutes=minutes, microseconds=microseconds)
        return self.now


def contoh_plugin(definition: SopDefinition) -> ModuleType:
    """A throwaway institution plugin running ``definition`` over three bidang."""
    module = ModuleType("alur_test_contoh")
    hooks: dict[str, Callable[[], object]] = {
        "alur_institution": lambda: Institution(slug="dinas-contoh", name="Dinas Contoh"),
        "alur_roles": lambda: list(definition.roles),
        "alur_units": lambda: [Unit(u, u.replace("-", " ").title()) for u in UNITS],
        "alur_sop_definitions": lambda: [definition],
    }
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    return module


def plugins_with(definition: SopDefinition, version: str = "1.0") -> AlurPlugins:
    manager = create_plugin_manager(load_entrypoints=False, environ={})
    loaded = manager.register(contoh_plugin(definition), name=CONTOH, version=version)
    assert loaded.ok, loaded.errors
    return manager


@dataclass
class Office:
    """A tenant with its people (user ids by short name) and a fake clock."""

    db: Database
    plugins: AlurPlugins
    tenant_id: int
    slug: str
    clock: Clock
    users: dict[str, int] = field(default_factory=dict)
    tenant_plugin: str = CONTOH

    @property
    def ref(self) -> TenantRef:
        return TenantRef(self.tenant_id, self.slug)

    async def service(self, plugins: AlurPlugins | None = None) -> TenantService:
        return await TenantService.open(self.db, plugins or self.plugins, self.slug, self.clock)

    async def person(
        self, key: str, role: str | None, unit: str | None = None, **kwargs: Any
    ) -> int:
        roles = {r.id: r for r in self.plugins.get(self.tenant_plugin).roles}
        user = await create_user(f"{self.slug}.{key}", f"{key.title()} ({self.slug})", "x" * 12)
        await add_membership(self.tenant_id, user.id, roles[role] if role else None, unit, **kwargs)
        self.users[key] = user.id
        return user.id


async def contoh_office(db: Database, plugins: AlurPlugins, slug: str = "dinas-contoh") -> Office:
    tenant = await create_tenant(plugins, slug, f"Dinas {slug}", CONTOH)
    office = Office(db, plugins, tenant.id, slug, Clock())
    await office.person("staf", "staf")
    await office.person("kasubag", "kasubag")
    for u in UNITS:
        await office.person(f"kabid_{u[-1]}", "kabid", u)
    await office.person("kepala", "kepala")
    # Kasi A holds no role of the SOP: she is in the office as an administrator only.
    await office.person("kasi_a", None, administrator=True)
    await office.person("admin", None, administrator=True)
    # Kasi A stands in for the Kabid of bidang A this week (Plh).
    await add_delegation(
        office.tenant_id,
        office.users["kasi_a"],
        office.users["kabid_a"],
        "kabid",
        "bidang-a",
        "Plh",
        date(2026, 11, 23),
        date(2026, 11, 27),
    )
    return office


def task_at(state, step: int, unit: str | None = None) -> Task:
    (found,) = [t for t in state.open_tasks.values() if (t.step, t.unit) == (step, unit)]
    return found


async def do(
    svc: TenantService,
    office: Office,
    who: str,
    key: str,
    step: int,
    unit: str | None,
    what: str,
    note: str = "",
    data: dict | None = None,
):
    """One action through the service, a few minutes after the previous one."""
    office.clock.tick()
    case = await svc.case(key)
    task = task_at(case.state, step, unit)
    action: Action = {
        "claim": Claim(task.id),
        "complete": Complete(task.id, note, data or {}),
        "ya": Decide(task.id, Answer.YA, note),
        "tidak": Decide(task.id, Answer.TIDAK, note),
    }[what]
    return await svc.act(office.users[who], key, action)


async def start_contoh(svc: TenantService, office: Office, period: str = "Triwulan III 2026"):
    return await svc.start_case(office.users["staf"], "contoh", period, {3: "3 hari"})


async def case_row(case_id: int) -> dict:
    return await Case.select().where(Case.id == case_id).first()


async def events_of(case_id: int) -> int:
    return await Event.count().where(Event.case == case_id)


async def task_rows(case_id: int) -> list[dict]:
    return await (
        TaskRow.select(
            TaskRow.task_no,
            TaskRow.step,
            TaskRow.unit,
            TaskRow.role,
            TaskRow.status,
            TaskRow.opened_at,
            TaskRow.due,
            TaskRow.assignee,
            TaskRow.return_note,
            TaskRow.closed_at,
        )
        .where(TaskRow.case == case_id)
        .order_by(TaskRow.task_no)
    )


async def assert_consistent(office: Office, case_id: int, task_no: int, kind: EventKind) -> None:
    """One ``kind`` event for the task, the case row in step with its events, the task row
    closed, the tenant's chain intact and as long as its events."""
    assert (
        await Event.count().where(
            (Event.case == case_id) & (Event.task_no == task_no) & (Event.kind == str(kind))
        )
        == 1
    )
    row = await case_row(case_id)
    n = await events_of(case_id)
    assert row["last_seq"] == n
    seqs = [r["seq"] for r in await Event.select(Event.seq).where(Event.case == case_id)]
    assert sorted(seqs) == list(range(1, n + 1))
    state = state_from_dict(
        json.loads(row["state"]) if isinstance(row["state"], str) else row["state"]
    )
    assert state.last_seq == n
    store = CaseStore(office.db)
    assert replay(await store.events(office.tenant_id, case_id)) == state
    report = await store.verify_chain(office.ref)
    assert report.ok, str(report)
    assert report.events == await Event.count().where(Event.tenant == office.tenant_id)


# --- restart ----------------------------------------------------------------------------------


async def half_way(svc: TenantService, office: Office) -> str:
    """A case stopped mid-way: B through the fan-out, A sent back by the verifier and
    claimed again, C waiting for verification; the Plh of A acted once."""
    case = await start_contoh(svc, office)
    key = case.key
    await do(svc, office, "staf", key, 1, None, "claim")
    await do(svc, office, "staf", key, 1, None, "complete", "draft", {"kolom": ["target"]})
    await do(svc, office, "kasubag", key, 2, None, "ya")
    await do(svc, office, "kasi_a", key, 3, "bidang-a", "complete", "diisi Plh")
    await do(svc, office, "kabid_b", key, 3, "bidang-b", "complete", "", {"realisasi": 97.5})
    await do(svc, office, "kabid_c", key, 3, "bidang-c", "complete")
    await do(svc, office, "staf", key, 4, "bidang-a", "tidak", "realisasi kosong")
    await do(svc, office, "staf", key, 4, "bidang-b", "ya")
    await do(svc, office, "kabid_a", key, 3, "bidang-a", "claim")
    state = (await svc.case(key)).state
    assert state.fan_out is not None
    assert state.fan_out.arrived == frozenset({"bidang-b"})
    returned = task_at(state, 3, "bidang-a")
    assert (returned.returned_from, returned.return_note) == (4, "realisasi kosong")
    assert returned.assignee == str(office.users["kabid_a"])
    assert sorted((t.step, t.unit) for t in state.open_tasks.values()) == [
        (3, "bidang-a"),
        (4, "bidang-c"),
    ]
    return key
