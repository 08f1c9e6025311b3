"""Persistence of cases under concurrency, on SQLite and PostgreSQL: of 20 people (or one person
20 times) acting on the same task at the same moment exactly one wins, the others get a clear
conflict error, and nothing of theirs is written (one event, a consistent case row, task row
and hash chain)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from alur.core import (
    AlurPlugins,
    SopDefinition,
)
from alur.core.engine import (
    Action,
    Cancel,
    Claim,
    Complete,
    EventKind,
    Reassign,
    act,
)
from alur.core.errors import ActionError, AlreadyClaimed, TaskNotOpen
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import CaseStore
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.errors import Conflict
from alur.tenants.identity.belonging import actor_for
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Event, SopSnapshot, Tenant
from tests.cases.store_helpers import (
    Clock,
    Office,
    assert_consistent,
    case_row,
    contoh_office,
    half_way,
    start_contoh,
    task_at,
    task_rows,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


RACERS = 20


BANYUMAS = "satpolpp_banyumas"


def outcome(results: list[Any], allowed: tuple[type[BaseException], ...]) -> list[Any]:
    """The successful results; every failure must be one of ``allowed`` (else re-raised)."""
    for r in results:
        if isinstance(r, BaseException) and not isinstance(r, allowed):
            raise r
    return [r for r in results if not isinstance(r, BaseException)]


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
    cases = await asyncio.gather(
        *(start_contoh(svc, office, f"Tahun {2000 + i}") for i in range(10))
    )
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
