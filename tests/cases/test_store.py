"""Persistence of cases (alur.tenants.cases.store / service / audit) on SQLite and PostgreSQL.

Every test runs on both backends through the ``database`` fixture. What is proved here:

* concurrency: of 20 people (or one person 20 times) acting on the same task at the same
  moment exactly one wins, the others get a clear conflict error, and nothing of theirs is
  written (one event, a consistent case row, task row and hash chain);
* restart: a case half-way through (fan-out with units done, a returned task, a claim, a
  Plh) reads back exactly the same after the database is closed and reopened, also from a
  fresh Python process, and its events replay to the stored state;
* audit: the per-tenant hash chain catches a changed, a removed and a missing last event,
  and tenants' chains are independent;
* attachments: type and size limits with per-field messages, SHA-256 content hashes,
  tenant isolation;
* definition pinning: a running case keeps the definition it started with.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from piccolo.engine.postgres import PostgresEngine

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
    Cancel,
    CaseStatus,
    Claim,
    Complete,
    Decide,
    EventKind,
    Reassign,
    Task,
    act,
    replay,
)
from alur.core.engine.codec import event_from_dict, state_from_dict
from alur.core.errors import ActionError, AlreadyClaimed, TaskNotOpen
from alur.core.loader import definition_from_mapping
from alur.core.snapshot import definition_to_dict
from alur.tenants.audit.links import ChainReport
from alur.tenants.cases.service import MAX_ATTACHMENT_BYTES, InboxTask, TenantService
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.errors import Conflict, InvalidInput, NotFound
from alur.tenants.identity.belonging import actor_for
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database, bind, close_database, open_database
from alur.tenants.storage.tables import Attachment, Case, Event, SopSnapshot, Tenant
from alur.tenants.storage.tables import Task as TaskRow

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

CONTOH = "contoh"
UNITS = ("bidang-a", "bidang-b", "bidang-c")
RACERS = 20
BANYUMAS = "satpolpp_banyumas"


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


@pytest.fixture
def plugins(sample: SopDefinition) -> AlurPlugins:
    return plugins_with(sample)


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


def outcome(results: list[Any], allowed: tuple[type[BaseException], ...]) -> list[Any]:
    """The successful results; every failure must be one of ``allowed`` (else re-raised)."""
    for r in results:
        if isinstance(r, BaseException) and not isinstance(r, allowed):
            raise r
    return [r for r in results if not isinstance(r, BaseException)]


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


# --- a first walk ---------------------------------------------------------------------------


async def test_a_case_walks_through_the_service_and_is_stored(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    case = await start_contoh(svc, office)
    assert case.state.open_tasks[1].role == "staf"
    rows = await task_rows(case.id)
    assert [(r["task_no"], r["step"], r["status"]) for r in rows] == [(1, 1, "open")]
    assert rows[0]["due"] == case.state.open_tasks[1].due

    await do(svc, office, "staf", case.key, 1, None, "claim")
    assert (await task_rows(case.id))[0]["assignee"] == office.users["staf"]
    await do(svc, office, "staf", case.key, 1, None, "complete", "draft", {"berkas": "f.xlsx"})
    stored = await do(svc, office, "kasubag", case.key, 2, None, "ya")
    assert {t.unit for t in stored.state.open_tasks.values()} == set(UNITS)
    inbox = await svc.inbox(office.users["kabid_b"])
    assert [(i.step, i.unit) for i in inbox] == [(3, "bidang-b")]
    # the Plh of bidang A sees bidang A's task, and acts as Plh
    assert [(i.step, i.unit) for i in await svc.inbox(office.users["kasi_a"])] == [(3, "bidang-a")]
    await do(svc, office, "kasi_a", case.key, 3, "bidang-a", "complete", "diisi Plh")
    history = await svc.history(case.key)
    plh = history[-2]
    assert plh.kind is EventKind.TASK_COMPLETED
    assert (plh.delegation, plh.acting_for) == ("Plh", str(office.users["kabid_a"]))
    assert history[0].payload["definition_hash"] == case.definition_hash
    assert history[-1].at == office.clock.now  # microseconds survive the round trip
    assert await SopSnapshot.count() == 1
    await assert_consistent(office, case.id, 1, EventKind.TASK_COMPLETED)


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["complete", "claim"])
async def test_twenty_transitions_from_the_same_state_only_one_is_written(
    database, plugins, what
) -> None:
    """All 20 transitions are computed from the same loaded state before any is written,
    then applied at once: the compare-and-set lets exactly one through."""
    office = await contoh_office(database, plugins)
    for i in range(RACERS):
        await office.person(f"staf{i}", "staf")
    svc = await office.service()
    case = await start_contoh(svc, office)
    store = CaseStore(database)
    loaded = await store.get(office.tenant_id, case.key)
    d = await store.definition(loaded.definition_hash)
    transitions = []
    for i in range(RACERS):
        office.clock.tick(0, 1000 + i)
        if what == "complete":  # one person, twenty clicks (notes tell them apart)
            ctx = await svc.context(office.users["staf"])
            action: Action = Complete(1, f"percobaan {i}")
        else:  # twenty people, one task
            ctx = await svc.context(office.users[f"staf{i}"])
            action = Claim(1)
        transitions.append(act(d, loaded.state, action, ctx))

    results = await asyncio.gather(
        *(store.apply(office.ref, loaded, t) for t in transitions), return_exceptions=True
    )
    (winner,) = outcome(results, (Conflict,))
    assert sum(isinstance(r, Conflict) for r in results) == RACERS - 1
    i = results.index(winner)
    if what == "complete":
        await assert_consistent(office, case.id, 1, EventKind.TASK_COMPLETED)
        (row,) = await Event.select(Event.note).where(
            (Event.case == case.id) & (Event.kind == "task_completed")
        )
        assert row["note"] == f"percobaan {i}"  # the winner's, and only the winner's
        assert (await task_rows(case.id))[0]["status"] == "done"
    else:
        await assert_consistent(office, case.id, 1, EventKind.TASK_CLAIMED)
        (row,) = await Event.select(Event.actor).where(Event.kind == "task_claimed")
        assert row["actor"] == str(office.users[f"staf{i}"])
        first = (await task_rows(case.id))[0]
        assert (first["status"], first["assignee"]) == ("open", office.users[f"staf{i}"])
    assert (await case_row(case.id))["last_seq"] == winner.last_seq


async def banyumas_office(db: Database, installed: AlurPlugins) -> tuple[Office, SopDefinition]:
    """A tenant of an installed institution plugin, with 20 Staf and one of each other role."""
    tenant = await create_tenant(installed, "satpolpp-banyumas", "Satpol PP Banyumas", BANYUMAS)
    office = Office(db, installed, tenant.id, tenant.slug, Clock(), tenant_plugin=BANYUMAS)
    (d,) = [s for s in installed.get(BANYUMAS).sops.values() if s.id == "pengumpulan-data-kinerja"]
    for i in range(RACERS):
        await office.person(f"staf{i}", "staf")
    return office, d


async def start_banyumas(svc: TenantService, office: Office, d: SopDefinition):
    durations = dict.fromkeys(d.needs_duration_at_start(), "3 hari")
    case = await svc.start_case(office.users["staf0"], d.id, "Triwulan III 2026", durations)
    # its first step designs the format data kinerja: it cannot be completed without one
    await fill_in_sample(KinerjaService(svc), office.users["staf0"], case.key, 1)
    return case


def synchronise_loads(svc: TenantService, n: int) -> None:
    """Make the service's ``n`` next case loads wait for each other, so that every racer
    has read the case before anyone writes."""
    barrier = asyncio.Barrier(n)
    real = svc.store.get

    async def get(tenant_id: int, key: str):
        case = await real(tenant_id, key)
        await barrier.wait()
        return case

    svc.store.get = get  # type: ignore[method-assign]


async def staggered(i: int, call: Any) -> Any:
    await asyncio.sleep(0.005 * i)
    return await call


@pytest.mark.parametrize("loads", ["synchronised", "free", "staggered"])
@pytest.mark.parametrize("what", ["complete", "claim"])
async def test_twenty_people_race_through_the_service(database, installed, what, loads) -> None:
    """Through the service, on an installed plugin's SOP: 20 completions of one task by its
    holder, or 20 Staf claiming it. "synchronised": everyone has loaded the case before the
    first write, so every loser gets Conflict. "free" and "staggered" (5 ms apart): a racer
    that loads after the winner's commit gets the engine's own refusal instead (task not
    open / already claimed); either way exactly one wins and nothing else is written."""
    office, d = await banyumas_office(database, installed)
    svc = await office.service()
    case = await start_banyumas(svc, office, d)
    if what == "complete":
        await svc.act(office.users["staf0"], case.key, Claim(1))
        calls = [
            svc.act(office.users["staf0"], case.key, Complete(1, f"#{i}")) for i in range(RACERS)
        ]
        late: tuple[type[ActionError], ...] = (TaskNotOpen,)
        kind = EventKind.TASK_COMPLETED
    else:
        calls = [svc.act(office.users[f"staf{i}"], case.key, Claim(1)) for i in range(RACERS)]
        late = (AlreadyClaimed,)
        kind = EventKind.TASK_CLAIMED
    if loads == "synchronised":
        synchronise_loads(svc, RACERS)
        late = ()
    elif loads == "staggered":
        calls = [staggered(i, call) for i, call in enumerate(calls)]
    results = await asyncio.gather(*calls, return_exceptions=True)
    (winner,) = outcome(results, (Conflict, *late))
    if not late:
        assert sum(isinstance(r, Conflict) for r in results) == RACERS - 1
    await assert_consistent(office, case.id, 1, kind)
    row = (await task_rows(case.id))[0]
    if what == "complete":
        assert row["status"] == "done"
        (completed,) = await Event.select(Event.note).where(Event.kind == "task_completed")
        assert completed["note"] == f"#{results.index(winner)}"
        assert [r.step for r in winner.state.open_tasks.values()] == [2]
    else:
        i = results.index(winner)
        assert (row["status"], row["assignee"]) == ("open", office.users[f"staf{i}"])


async def test_concurrent_actions_on_different_cases_all_win(database, plugins) -> None:
    """Cases started at once and then acted on at once do not conflict (the definition is
    pinned once); the tenant's hash chain stays one unbroken line."""
    office = await contoh_office(database, plugins)
    svc = await office.service()
    cases = await asyncio.gather(*(start_contoh(svc, office, f"Periode {i}") for i in range(10)))
    assert len({c.key for c in cases}) == 10
    assert await SopSnapshot.count() == 1
    staf = office.users["staf"]
    results = await asyncio.gather(
        *(svc.act(staf, c.key, Complete(1, f"draft {i}")) for i, c in enumerate(cases)),
        return_exceptions=True,
    )
    assert len(outcome(results, ())) == 10
    for c in cases:
        await assert_consistent(office, c.id, 1, EventKind.TASK_COMPLETED)
    chain = [r["chain_seq"] for r in await Event.select(Event.chain_seq)]
    assert sorted(chain) == list(range(1, len(chain) + 1))
    tenant = await Tenant.select(Tenant.chain_seq).where(Tenant.id == office.tenant_id).first()
    assert tenant["chain_seq"] == len(chain)


async def test_reassigning_and_cancelling_follow_the_task_rows(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    await office.person("staf_b", "staf")
    svc = await office.service()
    key = await half_way(svc, office)
    task = task_at((await svc.case(key)).state, 4, "bidang-c")
    assert [i.task_no for i in await svc.inbox(office.users["staf"])] == [task.id]
    to = await actor_for(office.tenant_id, office.users["staf_b"], office.clock.now.date())
    office.clock.tick()
    await svc.act(office.users["kepala"], key, Reassign(task.id, to))
    case = await svc.case(key)
    rows = {r["task_no"]: r for r in await task_rows(case.id)}
    assert rows[task.id]["assignee"] == office.users["staf_b"]
    assert await svc.inbox(office.users["staf"]) == []
    (mine,) = await svc.inbox(office.users["staf_b"])
    assert (mine.task_no, mine.assigned_to_me) == (task.id, True)

    office.clock.tick()
    await svc.act(office.users["kepala"], key, Cancel("periode salah"))
    await assert_consistent(office, case.id, task.id, EventKind.TASK_CANCELLED)
    row = await case_row(case.id)
    assert (row["status"], row["ended_at"]) == ("cancelled", office.clock.now)
    rows = await task_rows(case.id)
    assert {r["status"] for r in rows} == {"done", "cancelled"}
    cancelled = [r for r in rows if r["status"] == "cancelled"]
    assert sorted(r["task_no"] for r in cancelled) == sorted(case.state.open_tasks)
    assert all(r["closed_at"] == office.clock.now for r in cancelled)
    for uid in office.users.values():
        assert await svc.inbox(uid) == []


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


async def snapshot(svc: TenantService, office: Office, key: str) -> dict[str, Any]:
    case = await svc.case(key)
    return {
        "state": case.state,
        "history": await svc.history(key),
        "tasks": await task_rows(case.id),
        "inbox": {who: await svc.inbox(uid) for who, uid in office.users.items()},
        "chain": await CaseStore(office.db).verify_chain(office.ref),
    }


async def restore(database: Database) -> None:
    """Bind the tables to the ``database`` fixture's engine again, pool restarted, so that
    its teardown closes it as usual."""
    bind(database.engine)
    if isinstance(database.engine, PostgresEngine):
        await database.engine.start_connection_pool(min_size=1, max_size=20)


async def test_a_case_survives_closing_and_reopening_the_database(
    database, plugins, sample
) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = await half_way(svc, office)
    office.clock.tick(60 * 24 * 3)  # three days later: some tasks are overdue now
    before = await snapshot(svc, office, key)
    assert replay(before["history"]) == before["state"]
    assert any(i.overdue for inbox in before["inbox"].values() for i in inbox)
    assert [(i.step, i.unit, i.assigned_to_me) for i in before["inbox"]["kabid_a"]] == [
        (3, "bidang-a", True)
    ]
    assert before["inbox"]["kasi_a"] == []  # claimed by the Kabid himself

    await close_database(database)
    reopened = await open_database(database.url)
    try:
        office.db = reopened
        svc = await office.service(plugins_with(sample))  # a new process would make a new one
        after = await snapshot(svc, office, key)
        assert after == before
        assert replay(after["history"]) == after["state"]
        # and the case goes on where it stopped
        await do(svc, office, "kabid_a", key, 3, "bidang-a", "complete", "sudah diisi")
        await assert_consistent(office, (await svc.case(key)).id, 1, EventKind.TASK_COMPLETED)
    finally:
        await close_database(reopened)
        office.db = database
        await restore(database)


READER = textwrap.dedent(
    """
    import asyncio, dataclasses, json, sys
    from datetime import datetime, timezone
    from alur.core import create_plugin_manager
    from alur.core.engine.codec import event_to_dict, state_to_dict
    from alur.tenants.storage.database import close_database, open_database
    from alur.tenants.cases.service import TenantService

    url, slug, key, users, now = sys.argv[1:]

    async def main():
        db = await open_database(url, run_migrations=False)
        try:
            # no plugins at all: everything needed comes from the database
            svc = await TenantService.open(
                db, create_plugin_manager(load_entrypoints=False, environ={}), slug,
                clock=lambda: datetime.fromisoformat(now),
            )
            case = await svc.case(key)
            inbox = {}
            for who, uid in json.loads(users).items():
                inbox[who] = [
                    {**dataclasses.asdict(i), "due": i.due and i.due.isoformat()}
                    for i in await svc.inbox(uid)
                ]
            report = await svc.store.verify_chain(svc.ref)
            print(json.dumps({
                "state": state_to_dict(case.state),
                "history": [event_to_dict(e) for e in await svc.history(key)],
                "inbox": inbox,
                "chain": [report.ok, report.events],
            }))
        finally:
            await close_database(db)

    asyncio.run(main())
    """
)


async def test_a_fresh_process_reads_the_same_case(database, plugins) -> None:
    """Nothing lives only in memory: another Python process, with no plugin installed,
    reads the same state, history and inboxes from the database."""
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = await half_way(svc, office)
    before = await snapshot(svc, office, key)
    await close_database(database)
    try:
        done = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-c",
                READER,
                database.url,
                office.slug,
                key,
                json.dumps(office.users),
                office.clock.now.isoformat(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        await restore(database)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert state_from_dict(seen["state"]) == before["state"]
    assert [event_from_dict(e) for e in seen["history"]] == before["history"]
    for who, items in seen["inbox"].items():
        parsed = [
            InboxTask(**{**i, "due": i["due"] and datetime.fromisoformat(i["due"])}) for i in items
        ]
        assert parsed == before["inbox"][who], who
    assert seen["chain"] == [True, before["chain"].events]


# --- audit ----------------------------------------------------------------------------------


async def walk_to_the_end(svc: TenantService, office: Office) -> str:
    key = (await start_contoh(svc, office)).key
    await do(svc, office, "staf", key, 1, None, "complete")
    await do(svc, office, "kasubag", key, 2, None, "tidak", "format salah")
    await do(svc, office, "staf", key, 1, None, "complete", "diperbaiki")
    await do(svc, office, "kasubag", key, 2, None, "ya")
    for u in UNITS:
        await do(svc, office, f"kabid_{u[-1]}", key, 3, u, "complete", "", {"nilai": 1})
        await do(svc, office, "staf", key, 4, u, "ya")
    await do(svc, office, "kasubag", key, 5, None, "ya")
    stored = await do(svc, office, "kepala", key, 6, None, "complete", "ditandatangani")
    assert stored.state.status is CaseStatus.FINISHED
    return key


async def test_the_chain_of_a_finished_case_verifies(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = await walk_to_the_end(svc, office)
    report = await svc.store.verify_chain(office.ref)
    n = await Event.count().where(Event.tenant == office.tenant_id)
    assert (report.ok, report.events, report.broken_at) == (True, n, None)
    assert replay(await svc.history(key)) == (await svc.case(key)).state
    assert str(report).endswith("chain intact")
    for batch in (1, 3, n - 1, n):  # reading the chain in pages changes nothing
        assert await svc.store.verify_chain(office.ref, batch=batch) == report
    links = await Event.select(Event.prev_hash, Event.hash).order_by(Event.chain_seq)
    assert links[0]["prev_hash"] == ""
    assert all(a["hash"] == b["prev_hash"] for a, b in itertools.pairwise(links))
    tenant = await Tenant.select(Tenant.chain_head).where(Tenant.id == office.tenant_id).first()
    assert tenant["chain_head"] == links[-1]["hash"]
    case = await case_row((await svc.case(key)).id)
    assert (case["status"], case["ended_at"]) == ("finished", office.clock.now)
    assert {r["status"] for r in await task_rows(case["id"])} == {"done"}
    assert all(r["closed_at"] is not None for r in await task_rows(case["id"]))


async def test_a_changed_event_is_caught_where_it_was_changed(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    await walk_to_the_end(svc, office)
    target = (
        await Event.select(Event.id, Event.chain_seq)
        .where((Event.tenant == office.tenant_id) & (Event.kind == "gate_decided"))
        .order_by(Event.chain_seq)
        .first()
    )
    await Event.raw("UPDATE alur_event SET note = {} WHERE id = {}", "format benar", target["id"])
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, target["chain_seq"])
    assert report.events == target["chain_seq"] - 1
    assert await svc.store.verify_chain(office.ref, batch=2) == report
    assert "changed" in report.reason
    assert f"#{target['chain_seq']}" in str(report)


async def test_a_changed_payload_or_time_is_caught(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    await walk_to_the_end(svc, office)
    rows = await Event.select(Event.id, Event.chain_seq, Event.kind).order_by(Event.chain_seq)
    completed = next(r for r in rows if r["kind"] == "task_completed" and r["chain_seq"] > 10)
    await Event.raw(
        "UPDATE alur_event SET payload = {} WHERE id = {}",
        json.dumps({"data": {"nilai": 2}}),
        completed["id"],
    )
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, completed["chain_seq"])
    # a time moved by one second, earlier in the chain, is caught first
    first_opened = next(r for r in rows if r["kind"] == "task_opened")
    at = (await Event.select(Event.at).where(Event.id == first_opened["id"]).first())["at"]
    await Event.update({Event.at: at + timedelta(seconds=1)}).where(Event.id == first_opened["id"])
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, first_opened["chain_seq"])


async def test_removed_events_are_caught(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    await walk_to_the_end(svc, office)
    rows = await Event.select(Event.id, Event.chain_seq).order_by(Event.chain_seq)
    last = rows[-1]
    await Event.raw("DELETE FROM alur_event WHERE id = {}", last["id"])
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, last["chain_seq"])
    assert report.events == last["chain_seq"] - 1
    middle = rows[len(rows) // 2]
    await Event.raw("DELETE FROM alur_event WHERE id = {}", middle["id"])
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, middle["chain_seq"])
    assert "missing" in report.reason


async def test_chains_of_two_tenants_are_independent(database, plugins) -> None:
    a = await contoh_office(database, plugins, "dinas-a")
    b = await contoh_office(database, plugins, "dinas-b")
    svc_a, svc_b = await a.service(), await b.service()
    await walk_to_the_end(svc_a, a)
    await walk_to_the_end(svc_b, b)
    key_a = await start_contoh(svc_a, a, "Triwulan IV 2026")  # interleave the two chains
    await walk_to_the_end(svc_b, b)
    await do(svc_a, a, "staf", key_a.key, 1, None, "complete")
    for office in (a, b):
        seqs = [
            r["chain_seq"]
            for r in await Event.select(Event.chain_seq)
            .where(Event.tenant == office.tenant_id)
            .order_by(Event.chain_seq)
        ]
        assert seqs == list(range(1, len(seqs) + 1))
    report_b = await svc_b.store.verify_chain(b.ref)
    assert report_b.ok
    empty = await contoh_office(database, plugins, "dinas-kosong")
    assert await CaseStore(database).verify_chain(empty.ref) == ChainReport("dinas-kosong", 0, True)
    victim = (
        await Event.select(Event.id, Event.chain_seq)
        .where(Event.tenant == a.tenant_id)
        .order_by(Event.chain_seq)
        .offset(3)
        .first()
    )
    await Event.raw("UPDATE alur_event SET note = {} WHERE id = {}", "diubah", victim["id"])
    report_a = await svc_a.store.verify_chain(a.ref)
    assert (report_a.ok, report_a.broken_at) == (False, victim["chain_seq"])
    assert await svc_b.store.verify_chain(b.ref) == report_b  # B is untouched
    # and B keeps writing, still verifiable
    await start_contoh(svc_b, b, "Triwulan I 2027")
    assert (await svc_b.store.verify_chain(b.ref)).ok


async def test_another_tenants_case_is_not_found(database, plugins) -> None:
    a = await contoh_office(database, plugins, "dinas-a")
    b = await contoh_office(database, plugins, "dinas-b")
    svc_a, svc_b = await a.service(), await b.service()
    case = await start_contoh(svc_a, a)
    for attempt in (
        svc_b.case(case.key),
        svc_b.history(case.key),
        svc_b.act(b.users["staf"], case.key, Complete(1)),
        svc_a.act(b.users["staf"], case.key, Complete(1)),  # B's Staf is nobody in A
    ):
        with pytest.raises(NotFound):
            await attempt
    # the store refuses a transition for a case of another tenant, and writes nothing
    t = act(
        await svc_a.definition_of(case),
        case.state,
        Complete(1),
        await svc_a.context(a.users["staf"]),
    )
    with pytest.raises(Conflict):
        await svc_b.store.apply(b.ref, case, t)
    assert await events_of(case.id) == len(await svc_a.history(case.key)) == 2
    assert (await svc_a.store.verify_chain(a.ref)).ok
    assert (await svc_b.store.verify_chain(b.ref)).events == 0


# --- attachments ------------------------------------------------------------------------------


async def test_attachment_limits_are_reported_per_field_and_nothing_is_stored(
    database, plugins
) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = (await start_contoh(svc, office)).key
    staf = office.users["staf"]
    with pytest.raises(InvalidInput) as raised:
        await svc.attach(staf, key, 1, "  ", "application/x-msdownload", b"MZ\x90\x00")
    assert set(raised.value.errors) == {"filename", "content_type"}
    assert "application/x-msdownload" in raised.value.errors["content_type"]
    with pytest.raises(InvalidInput) as raised:
        await svc.attach(staf, key, 1, "rekap.pdf", "application/pdf", b"")
    assert raised.value.errors == {"content": "the file is empty"}
    big = b"\0" * (MAX_ATTACHMENT_BYTES + 1)
    with pytest.raises(InvalidInput) as raised:
        await svc.attach(staf, key, 1, "scan.pdf", "application/pdf", big)
    assert set(raised.value.errors) == {"content"}
    assert "20 MB" in raised.value.errors["content"]
    with pytest.raises(InvalidInput) as raised:
        await svc.attach(staf, key, 99, "rekap.pdf", "application/pdf", b"%PDF-1.7")
    assert set(raised.value.errors) == {"task"}
    assert await Attachment.count() == 0
    # exactly at the limit is accepted
    info = await svc.attach(staf, key, None, "scan.pdf", "application/pdf", big[:-1])
    assert info.size == MAX_ATTACHMENT_BYTES
    assert await Attachment.count() == 1


async def test_attachments_are_hashed_and_stay_in_their_tenant(database, plugins) -> None:
    a = await contoh_office(database, plugins, "dinas-a")
    b = await contoh_office(database, plugins, "dinas-b")
    svc_a, svc_b = await a.service(), await b.service()
    key = (await start_contoh(svc_a, a)).key
    content = "Realisasi IKU triwulan III: 97,5 % ✓\n".encode() * 100 + bytes(range(256))
    info = await svc_a.attach(a.users["staf"], key, 1, "dir/rekap.csv", "text/csv", content)
    assert info.sha256 == hashlib.sha256(content).hexdigest()
    assert (info.filename, info.size, info.case_key, info.task_no) == (
        "dir_rekap.csv",
        len(content),
        key,
        1,
    )
    got, body = await svc_a.attachment(a.users["staf"], key, info.id)
    assert (got, body) == (info, content)
    assert await svc_a.attachments(key) == [info]
    with pytest.raises(NotFound):
        await svc_b.attachment(b.users["staf"], key, info.id)
    with pytest.raises(NotFound):
        await svc_b.attachments(key)
    with pytest.raises(NotFound):  # B's people cannot upload to A's case either
        await svc_b.attach(b.users["staf"], key, 1, "x.txt", "text/plain", b"x")
    with pytest.raises(NotFound):  # nor through A's service
        await svc_a.attach(b.users["staf"], key, 1, "x.txt", "text/plain", b"x")
    with pytest.raises(NotFound):
        await svc_b.attachment(b.users["staf"], key, info.id + 1000)
    assert await Attachment.count() == 1


# --- definition pinning -----------------------------------------------------------------------


def revised(sample: SopDefinition) -> SopDefinition:
    """The sample SOP, revised under the same id: version 2, step 2 now takes 1 hari."""
    data = definition_to_dict(sample)
    data["sop"]["version"] = "2"
    step2 = next(s for s in data["steps"] if s["number"] == 2)
    step2["waktu"] = "1 hari"
    step2["kegiatan"] = "Mengoreksi format data kinerja (revisi)"
    return definition_from_mapping(data, source="revised.toml")


async def test_a_running_case_keeps_its_pinned_definition(database, plugins, sample) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    old = await start_contoh(svc, office)
    new_definition = revised(sample)
    assert new_definition.id == sample.id
    assert new_definition.content_hash != sample.content_hash

    # The plugin is upgraded: a fresh plugin manager holds the revised SOP.
    upgraded = await office.service(plugins_with(new_definition, "2.0"))
    assert upgraded.sop("contoh").content_hash == new_definition.content_hash
    pinned = await upgraded.store.definition(old.definition_hash)
    assert pinned == sample
    assert pinned.content_hash == sample.content_hash
    assert (await upgraded.definition_of(await upgraded.case(old.key))).version == "1"

    # the old case still acts with the old snapshot: step 2 takes 10 menit
    stored = await do(upgraded, office, "staf", old.key, 1, None, "complete")
    step2 = task_at(stored.state, 2)
    assert step2.due - step2.opened_at == timedelta(minutes=10)
    inbox = await upgraded.inbox(office.users["kasubag"])
    assert [(i.case_key, i.kegiatan) for i in inbox] == [
        (old.key, "Mengoreksi format data kinerja")
    ]

    # a new case uses the new definition: step 2 takes 1 hari
    new = await start_contoh(upgraded, office, "Triwulan IV 2026")
    assert new.definition_hash == new_definition.content_hash
    stored = await do(upgraded, office, "staf", new.key, 1, None, "complete")
    step2 = task_at(stored.state, 2)
    assert step2.due - step2.opened_at == timedelta(days=1)
    kegiatan = {i.case_key: i.kegiatan for i in await upgraded.inbox(office.users["kasubag"])}
    assert kegiatan[new.key].endswith("(revisi)")
    assert await SopSnapshot.count() == 2
    rows = await SopSnapshot.select(SopSnapshot.version).order_by(SopSnapshot.id)
    assert [r["version"] for r in rows] == ["1", "2"]

    # both cases go on, each with its own definition
    await do(upgraded, office, "kasubag", old.key, 2, None, "ya")
    await do(upgraded, office, "kasubag", new.key, 2, None, "ya")
    for c in (old, new):
        assert (await upgraded.case(c.key)).state.current_steps == (3,)
        assert (await upgraded.history(c.key))[0].payload["version"] in ("1", "2")
    assert (await upgraded.store.verify_chain(office.ref)).ok


async def test_the_old_plugin_version_gone_the_case_still_loads(database, plugins, sample):
    """Even when the running process has never seen the old definition (no cache), the
    snapshot in the database is enough."""
    office = await contoh_office(database, plugins)
    old = await start_contoh(await office.service(), office)
    fresh = CaseStore(database)
    d = await fresh.definition(old.definition_hash)
    assert d.content_hash == old.definition_hash == sample.content_hash
    with pytest.raises(NotFound):
        await fresh.definition("0" * 64)


async def test_a_snapshot_whose_body_does_not_match_its_hash_is_not_found(database, sample) -> None:
    body = json.dumps(definition_to_dict(sample), ensure_ascii=False)
    for definition_hash in (sample.content_hash, "f" * 64):  # the right hash; a wrong one
        await SopSnapshot.insert(
            SopSnapshot(
                definition_hash=definition_hash,
                plugin=CONTOH,
                sop_id=sample.id,
                version=sample.version,
                body=body,
            )
        )
    found = await pinned_definitions([sample.content_hash, "f" * 64, "0" * 64])
    assert list(found) == [sample.content_hash]
    assert found[sample.content_hash] == sample
    with pytest.raises(NotFound):
        await CaseStore(database).definition("f" * 64)
