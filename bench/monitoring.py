"""The Mutu baku report over 10,000 finished cases on PostgreSQL (issue 17).

One office on the Banyumas plugin runs ``--cases`` (default 10,000) finished cases of its SOP
*pengumpulan data kinerja* (9 kegiatan, 4 bidang: about 16 spans a case), started over the
last five months. Each case is driven through the real state machine (``alur.core.engine``,
in memory: claims, completions, gates answered "tidak" now and then, with rework), each task
taking a spread of office time around its mutu baku; the resulting events are written in
bulk (``COPY``) with their real hash chain, and the case rows with their engine state. (The
task rows and timers, which the projection never reads, are left out.) ``--running`` more
cases (default 100) are started through :class:`~alur.tenants.cases.store.CaseStore`.

Then it measures, with the load average:

a. the first full projection: :func:`alur.tenants.monitoring.projection.refresh` of the office
   (every case recomputed from its events);
b. a warm report: :meth:`MutuBakuReports.report` for the office's administrator (a leader:
   per person figures too) over six months, ``--rounds`` times (median and worst) — the
   refresh it makes first included (nothing to do), and its parts (the office's spans, the
   SOP family's, the arithmetic);
c. a refresh after ``--running`` cases changed (one transition each, through the store).

Goal: (b) ≤ 1 s.

    .venv/bin/python bench/monitoring.py [--cases 10000] [--running 100] [--rounds 5]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import asyncpg  # noqa: E402

from alur.core.calendar import WorkingCalendar  # noqa: E402
from alur.core.engine import Actor, Claim, Complete, Context, Decide, StartCase, act, start  # noqa: E402
from alur.core.engine.codec import state_to_dict  # noqa: E402
from alur.core.engine.state import CaseState  # noqa: E402
from alur.core.model import Answer, SopDefinition, StepKind  # noqa: E402
from alur.core.plugins import create_plugin_manager  # noqa: E402
from alur.tenants.audit.keys import audit_keys, new_key_entry  # noqa: E402
from alur.tenants.audit.links import GENESIS, chain_record, event_hash  # noqa: E402
from alur.tenants.cases.rows import EVENT_COLUMNS, event_values  # noqa: E402
from alur.tenants.cases.service import TenantService  # noqa: E402
from alur.tenants.cases.store import CaseStore, TenantRef  # noqa: E402
from alur.tenants.identity.belonging import actor_for  # noqa: E402
from alur.tenants.identity.memberships import add_membership  # noqa: E402
from alur.tenants.identity.people import create_user  # noqa: E402
from alur.tenants.monitoring import source  # noqa: E402
from alur.tenants.monitoring.projection import refresh  # noqa: E402
from alur.tenants.monitoring.report import (  # noqa: E402
    MutuBakuReports,
    Period,
    ReportFilter,
)
from alur.tenants.offices.provisioning import calendar_for, create_tenant, tenant_sops  # noqa: E402
from alur.tenants.storage.database import close_database, open_database  # noqa: E402
from alur.tenants.storage.tables import Tenant  # noqa: E402
from alur.tenants.testing.people import add_staff, staff_username, use_cheap_hasher  # noqa: E402
from alur.tenants.testing.postgres import TemporaryPostgres  # noqa: E402

os.environ.setdefault("ALUR_AUDIT_KEY", new_key_entry("bench"))
PLUGIN, SOP, SLUG = "satpolpp_banyumas", "pengumpulan-data-kinerja", "bench-mutu"
PASSWORD = "bench-mutu-2026"
GOAL_SECONDS = 1.0
RETURNS = 0.08  # share of gate decisions answered "tidak"
MAX_ACTIONS = 400  # per case: a guard against a story that never ends
CASE_COLUMNS = (
    "tenant",
    "key",
    "plugin",
    "sop_id",
    "definition_hash",
    "period",
    "status",
    "state",
    "last_seq",
    "started_by",
    "started_at",
    "updated_at",
    "ended_at",
)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


class Driver:
    """Runs cases to the end in memory, each task taking office time around its mutu baku."""

    def __init__(
        self,
        d: SopDefinition,
        actors: dict[tuple[str, str | None], tuple[int, Actor]],
        calendar: WorkingCalendar,
        units: tuple[str, ...],
        now: datetime,
        seed: int,
    ) -> None:
        self.d, self.actors, self.calendar, self.units, self.now = d, actors, calendar, units, now
        self.rng = random.Random(seed)

    def _actor(self, role: str, unit: str | None) -> tuple[int, Actor]:
        return self.actors[(role, unit if self.d.roles_by_id[role].per_unit else None)]

    def _plan(self, task) -> list[tuple[datetime, str]]:
        step = self.d.step(task.step)
        standard = step.waktu.office_minutes(self.calendar.minutes_per_day) or 60
        total = max(1, int(standard * self.rng.lognormvariate(-0.2, 0.8)))
        waiting = int(total * self.rng.uniform(0.05, 0.7))
        add = self.calendar.add_office_minutes
        return [(add(task.opened_at, waiting), "claim"), (add(task.opened_at, total), "close")]

    def run(self, i: int, days_back: int) -> tuple[str, CaseState, list, int]:
        """Case ``i`` from start to end: (key, final state, events, started-by user id)."""
        d, cal = self.d, self.calendar
        day = (self.now - timedelta(days=days_back)).astimezone(cal.timezone).date()
        while not cal.is_working_day(day):
            day -= timedelta(days=1)
        at = datetime.combine(day, cal.office_start, tzinfo=cal.timezone) + timedelta(
            minutes=self.rng.randrange(0, cal.minutes_per_day)
        )
        user_id, actor = self._actor(d.start_step.actor, None)
        key = f"mutu-{i:06d}"
        t = start(d, StartCase(key, f"Bulan {i}", self.units, {}), Context(actor, at, cal))
        state, events, plans = t.state, list(t.events), {}
        for _ in range(MAX_ACTIONS):
            if state.status != "active" or not state.open_tasks:
                break
            for task in state.open_tasks.values():
                plans.setdefault(task.id, self._plan(task))
            when, task_id = min((plans[t][0][0], t) for t in state.open_tasks)
            kind = plans[task_id].pop(0)[1]
            task = state.open_tasks[task_id]
            at = max(at, when)
            _, who = self._actor(task.role, task.unit)
            step = d.step(task.step)
            if kind == "claim":
                action = Claim(task_id)
            elif step.kind is StepKind.DECISION:
                no = self.rng.random() < RETURNS
                action = Decide(
                    task_id, Answer.TIDAK if no else Answer.YA, "Perbaiki." if no else ""
                )
            else:
                action = Complete(task_id, step.output or "Selesai.")
            t = act(d, state, action, Context(who, at, cal))
            state = t.state
            events += t.events
        return key, state, events, user_id


async def build(url: str, cases: int, running: int, now: datetime) -> dict:
    """The office, its people and cases (module docstring); returns what the runs need."""
    use_cheap_hasher()
    db = await open_database(url)
    plugins = create_plugin_manager()
    store = CaseStore(db)
    t0 = time.perf_counter()
    tenant = await create_tenant(plugins, SLUG, "Satpol PP Bench", PLUGIN)
    row = await Tenant.select().where(Tenant.id == tenant.id).first()
    d = tenant_sops(row, plugins)[SOP]
    units = tuple(u.id for u in plugins.get(PLUGIN).units)
    calendar = await calendar_for(row)
    admin = await create_user(f"{SLUG}.admin", "Admin Bench", PASSWORD)
    await add_membership(tenant.id, admin.id, None, administrator=True)
    staff = await add_staff(
        tenant.id,
        plugins.get(PLUGIN).roles,
        units,
        PASSWORD,
        username=lambda role, unit: f"{SLUG}.{staff_username(role, unit)}",
    )
    today = now.astimezone(calendar.timezone).date()
    actors = {
        k: (m.user_id, await actor_for(tenant.id, m.user_id, today)) for k, m in staff.items()
    }
    await store.pin_definition(PLUGIN, d)
    driver = Driver(d, actors, calendar, units, now, seed=17)
    runs = [driver.run(i, 25 + (i * 7919) % 130) for i in range(cases)]
    actions = sum(len(events) for _, _, events, _ in runs)
    print(
        f"  {cases:,} cases driven in memory ({actions:,} events) in {time.perf_counter() - t0:.1f} s"
    )

    t0 = time.perf_counter()
    keys = audit_keys()
    key_id = keys.signing
    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table(
            "alur_case",
            columns=list(CASE_COLUMNS),
            records=[
                (
                    tenant.id,
                    key,
                    PLUGIN,
                    d.id,
                    d.content_hash,
                    state.period,
                    str(state.status),
                    json.dumps(state_to_dict(state)),
                    state.last_seq,
                    user_id,
                    state.started_at,
                    events[-1].at,
                    state.ended_at,
                )
                for key, state, events, user_id in runs
            ],
        )
        ids = {r["key"]: r["id"] for r in await conn.fetch("SELECT id, key FROM alur_case")}
        head, chain_seq, records = GENESIS, 0, []
        for key, _, events, _ in runs:
            for e in events:
                chain_seq += 1
                digest = event_hash(
                    head, chain_record(SLUG, key, chain_seq, e, key_id), keys.keys[key_id]
                )
                records.append(
                    event_values(tenant.id, ids[key], chain_seq, head, digest, key_id, e)
                )
                head = digest
        columns = [c.strip('"') for c in EVENT_COLUMNS]
        await conn.copy_records_to_table("alur_event", columns=columns, records=records)
        await conn.execute(
            "UPDATE alur_tenant SET chain_seq = $1, chain_head = $2 WHERE id = $3",
            chain_seq,
            head,
            tenant.id,
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    print(
        f"  written with COPY ({chain_seq:,} events on the chain) in {time.perf_counter() - t0:.1f} s"
    )

    ref = TenantRef(tenant.id, SLUG)
    started = []
    user_id, actor = actors[(d.start_step.actor, None)]
    for i in range(running):
        ctx = Context(actor, now - timedelta(hours=2), calendar)
        t = start(d, StartCase(f"jalan-{i:04d}", f"Minggu {i}", units, {}), ctx)
        started.append(await store.create(ref, PLUGIN, d, t, user_id))
    await close_database(db)
    return {
        "tenant_id": tenant.id,
        "admin": admin.id,
        "running": [c.key for c in started],
        "actor": actor,
        "calendar": calendar,
        "d": d,
    }


async def measure(url: str, built: dict, now: datetime, rounds: int) -> None:
    db = await open_database(url)
    plugins = create_plugin_manager()
    tenant_id = built["tenant_id"]
    try:
        t0 = time.perf_counter()
        first = await refresh(tenant_id)
        took = time.perf_counter() - t0
        print(
            f"(a) first full projection: {first.cases:,} cases, {first.rows:,} spans in "
            f"{took:.2f} s ({first.cases / took:,.0f} cases/s); {load()}"
        )

        service = await TenantService.open(db, plugins, SLUG, clock=lambda: now)
        reports = MutuBakuReports(service)
        today = now.astimezone(built["calendar"].timezone).date()
        f = ReportFilter(SOP, Period(today - timedelta(days=183), today))
        report = await reports.report(built["admin"], f)  # warm-up
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            report = await reports.report(built["admin"], f)
            times.append(time.perf_counter() - t0)
        (sop,) = report.sops
        counted = sum(s.figures.count for s in sop.steps)
        median, worst = statistics.median(times), max(times)
        verdict = "met" if median <= GOAL_SECONDS else "NOT met"
        print(
            f"(b) warm report for a leader, {sop.cases:,} cases, {counted:,} spans counted: "
            f"median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms over {rounds} "
            f"(goal <= {GOAL_SECONDS:.0f} s: {verdict}); {load()}"
        )
        await parts(tenant_id, built, f, report.per_person)

        store = CaseStore(db)
        ref = TenantRef(tenant_id, SLUG)
        actor, calendar, d = built["actor"], built["calendar"], built["d"]
        for key in built["running"]:
            case = await store.get(tenant_id, key)
            (task,) = case.state.open_tasks.values()
            t = act(d, case.state, Complete(task.id, "Selesai."), Context(actor, now, calendar))
            await store.apply(ref, case, t)
        t0 = time.perf_counter()
        changed = await refresh(tenant_id)
        took = time.perf_counter() - t0
        print(
            f"(c) refresh after {len(built['running'])} cases changed: {changed.cases} cases, "
            f"{changed.rows} spans in {took * 1000:.0f} ms; {load()}"
        )
    finally:
        await close_database(db)


async def parts(tenant_id: int, built: dict, f: ReportFilter, per_person: bool) -> None:
    """Where a warm report's time goes: the refresh, the office's groups, the province."""
    start, end = f.period.bounds(built["calendar"].timezone)
    t0 = time.perf_counter()
    await refresh(tenant_id)
    t1 = time.perf_counter()
    await source.office_groups(tenant_id, SOP, start, end, per_person=per_person)
    t2 = time.perf_counter()
    await source.province_medians(PLUGIN, SOP, start, end)
    t3 = time.perf_counter()
    print(
        f"    parts: refresh with nothing to do {(t1 - t0) * 1000:.0f} ms (inside each read "
        f"too), office groups {(t2 - t1) * 1000:.0f} ms, province medians "
        f"{(t3 - t2) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--running", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    now = datetime.now(UTC)
    print(f"Mutu baku report, {args.cases:,} finished cases on PostgreSQL; {load()}")
    with TemporaryPostgres(durable=True) as pg:
        url = pg.create_database("alur")
        built = asyncio.run(build(url, args.cases, args.running, now))
        asyncio.run(measure(url, built, now, args.rounds))


if __name__ == "__main__":
    main()
