"""Bench data: offices cycling through the bundled plugins, one person per role (per unit
for per-unit roles) and cases in varied states driven through the real state machine and
:class:`~alur.tenants.cases.store.CaseStore`; and copying it row for row into another
database (same ids, same hash chains). Shared by ``bench/web.py`` and ``bench/graphql.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import UTC, datetime, timedelta

from alur.core.calendar import WorkingCalendar
from alur.core.engine import Actor, Complete, Context, Decide, StartCase, act, start
from alur.core.engine.state import CaseState, Task
from alur.core.model import Answer, SopDefinition, StepKind
from alur.core.plugins import AlurPlugins, create_plugin_manager
from alur.tenants.cases.store import CaseStore, StoredCase, TenantRef
from alur.tenants.identity.belonging import actor_for
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import calendar_for, create_tenant, tenant_sops
from alur.tenants.storage.database import Database, bind, close_database, open_database
from alur.tenants.storage.tables import TABLES, Attachment, Tenant
from alur.tenants.testing.people import add_staff, staff_username, use_cheap_hasher

DATA_VERSION = 1  # bump when the generated data changes (invalidates --cache)
PLUGINS = ("satpolpp_banyumas", "kesbangpol_pekalongan", "biro_organisasi_kalbar")
PASSWORD = "bench-web-2026"
RETURN_NOTE = "Belum sesuai: kolom target dan realisasi belum lengkap; mohon diperbaiki."
CSV = b"indikator,target,realisasi\nPenyelesaian kegiatan tepat waktu,100,92\n"
MAX_ACTIONS = 200  # per case, a guard against an SOP that never reaches the wanted state


def story_of(i: int) -> tuple[str, int]:
    """Case ``i``'s story and, for "advanced", how many actions: 30% just started, 25% a
    few steps in, 20% at the fan-out, 5% returned at a gate, 20% finished."""
    r = i % 20
    if r < 6:
        return "started", 0
    if r < 11:
        return "advanced", 1 + (i // 20) % 3
    if r < 15:
        return "fan-out", 0
    if r < 16:
        return "returned", 0
    return "finished", 0


def case_key(slug: str, i: int) -> str:
    return hashlib.sha256(f"{slug}/{i}".encode()).hexdigest()[:16]


def start_time(calendar: WorkingCalendar, now: datetime, days_back: int, offset: int) -> datetime:
    """Shortly after opening on the working day ``days_back`` calendar days before ``now``."""
    tz = calendar.timezone
    day = (now - timedelta(days=days_back)).astimezone(tz).date()
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    at = datetime.combine(day, calendar.office_start, tzinfo=tz) + timedelta(minutes=offset)
    return min(at, now)


class CaseDriver:
    """Carries cases of one office to their story's state, acting as its users."""

    def __init__(
        self,
        store: CaseStore,
        ref: TenantRef,
        plugin: str,
        actors: dict[tuple[str, str | None], tuple[int, Actor]],
        calendar: WorkingCalendar,
        units: tuple[str, ...],
        now: datetime,
    ) -> None:
        self.store = store
        self.ref = ref
        self.plugin = plugin
        self.actors = actors
        self.calendar = calendar
        self.units = units
        self.now = now
        self.attachments: list[Attachment] = []
        self.actions = 0

    def _actor(self, d: SopDefinition, role: str, unit: str | None) -> tuple[int, Actor]:
        return self.actors[(role, unit if d.roles_by_id[role].per_unit else None)]

    def _when(self, at: datetime, task: Task) -> datetime:
        spent = 60
        if task.due is not None:
            spent = self.calendar.office_minutes_between(task.opened_at, task.due)
        minutes = max(5, spent * 3 // 5) + (task.id % 4) * 9
        return max(at, min(self.calendar.add_office_minutes(task.opened_at, minutes), self.now))

    async def run(self, d: SopDefinition, i: int) -> None:
        story, steps = story_of(i)
        key = case_key(self.ref.slug, i)
        at = start_time(self.calendar, self.now, 1 + (i * 7) % 40, 20 + i % 90)
        first = d.start_step
        user_id, actor = self._actor(d, first.actor, None)
        durations = dict.fromkeys(d.needs_duration_at_start(), "3 hari")
        period = f"Triwulan {('I', 'II', 'III', 'IV')[i % 4]} {2025 + i % 2}"
        ctx = Context(actor, at, self.calendar)
        t = start(d, StartCase(key, period, self.units, durations), ctx)
        case = await self.store.create(self.ref, self.plugin, d, t, user_id)
        for done in range(MAX_ACTIONS):  # each round acts once or stops
            state = case.state
            if state.status != "active" or not state.open_tasks:
                break
            if story == "started" or (story == "advanced" and done >= steps):
                break
            task = self._next_task(story, state)
            if task is None:
                break
            step = d.step(task.step)
            returning = story == "returned" and step.gate is not None
            user_id, actor = self._actor(d, task.role, task.unit)
            at = self._when(at, task)
            if step.kind is StepKind.DECISION:
                answer = Answer.TIDAK if returning else Answer.YA
                action: Decide | Complete = Decide(
                    task.id, answer, RETURN_NOTE if returning else "Sudah sesuai."
                )
            else:
                action = Complete(task.id, step.output or "Selesai.")
                if task.unit is not None and step.kind is StepKind.PROCESS:
                    self._attach(case, task, user_id)
            t = act(d, state, action, Context(actor, at, self.calendar))
            case = await self.store.apply(self.ref, case, t)
            self.actions += 1
            if returning:
                break

    def _next_task(self, story: str, state: CaseState) -> Task | None:
        tasks = sorted(state.open_tasks.values(), key=lambda t: t.id)
        if story != "fan-out":
            return tasks[0]
        per_unit = [t for t in tasks if t.unit is not None]
        if not per_unit:
            return tasks[0]  # not in the fan-out yet
        # Finish the branches of the first units only; the others keep the join waiting.
        done = state.units[: min(len(state.units) - 1, (len(state.units) + 1) // 2)]
        mine = [t for t in per_unit if t.unit in done]
        return mine[0] if mine else None

    def _attach(self, case: StoredCase, task: Task, user_id: int) -> None:
        self.attachments.append(
            Attachment(
                tenant=self.ref.id,
                case=case.id,
                task_no=task.id,
                filename=f"data-kinerja-{task.unit}.csv",
                content_type="text/csv",
                size=len(CSV),
                sha256=hashlib.sha256(CSV).hexdigest(),
                content=CSV,
                uploaded_by=user_id,
            )
        )


async def provision_tenant(
    db: Database, plugins: AlurPlugins, n: int, cases: int, now: datetime
) -> int:
    """Office number ``n`` with its units, people and cases; returns the actions taken."""
    plugin = PLUGINS[(n - 1) % len(PLUGINS)]
    slug = f"bench-{n:02d}"
    store = CaseStore(db)
    async with store.transaction():
        tenant = await create_tenant(plugins, slug, f"Kantor Bench {n:02d}", plugin)
        row = await Tenant.select().where(Tenant.id == tenant.id).first()
        loaded = plugins.get(plugin)
        sops = sorted(tenant_sops(row, plugins).values(), key=lambda d: d.id)
        units = tuple(u.id for u in loaded.units)
        today = now.astimezone(WorkingCalendar().timezone).date()
        admin = await create_user(f"{slug}.admin", f"Admin {slug}", PASSWORD)
        await add_membership(tenant.id, admin.id, None, administrator=True)
        staff = await add_staff(
            tenant.id,
            loaded.roles,
            units,
            PASSWORD,
            username=lambda role, unit: f"{slug}.{staff_username(role, unit)}",
            name=lambda role, unit: f"{role.name} {slug}",
        )
        actors: dict[tuple[str, str | None], tuple[int, Actor]] = {
            key: (m.user_id, await actor_for(tenant.id, m.user_id, today))
            for key, m in staff.items()
        }
        driver = CaseDriver(
            store,
            TenantRef(tenant.id, slug),
            plugin,
            actors,
            await calendar_for(row),
            units,
            now,
        )
        for i in range(cases):
            await driver.run(sops[i % len(sops)], i)
        if driver.attachments:
            await Attachment.insert(*driver.attachments)
    return driver.actions


async def provision(url: str, tenants: int, cases: int, *, parallel: int = 1) -> None:
    use_cheap_hasher()
    db = await open_database(url)
    plugins = create_plugin_manager()
    missing = [p for p in PLUGINS if p not in {lp.name for lp in plugins.plugins() if lp.ok}]
    if missing:
        raise SystemExit(f"plugins not installed or broken: {', '.join(missing)}")
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    gate = asyncio.Semaphore(parallel)
    actions = 0

    async def one(n: int) -> None:
        nonlocal actions
        async with gate:
            done = await provision_tenant(db, plugins, n, cases, now)
        actions += done

    try:
        await asyncio.gather(*(one(n) for n in range(1, tenants + 1)))
    finally:
        await close_database(db)
    took = time.perf_counter() - t0
    total = tenants * cases
    print(
        f"  provisioned {tenants} offices, {total:,} cases, {actions:,} actions in {took:.1f} s"
        f" ({(total + actions) / took:,.0f} transitions/s)"
    )


async def copy_rows(source_url: str, target_url: str) -> None:
    """Every row of Alur's tables from ``source_url`` into a new ``target_url``, ids and hash
    chains unchanged: the data is generated once (on the faster backend) and serves both."""
    t0 = time.perf_counter()
    target = await open_database(target_url)
    source = await open_database(source_url, run_migrations=False)
    total = 0
    try:
        async with CaseStore(target).transaction():
            for table in TABLES:
                name = table._meta.tablename
                columns = [c._meta.db_column_name for c in table._meta.columns]
                names = ", ".join(f'"{c}"' for c in columns)
                bind(source.engine)
                key = table._meta.primary_key._meta.db_column_name  # not always "id"
                rows = await table.raw(f"SELECT {names} FROM {name} ORDER BY {key}")
                bind(target.engine)
                one = "(" + ", ".join(["{}"] * len(columns)) + ")"
                per = 30_000 // len(columns)  # both backends take up to 32,766 parameters
                for i in range(0, len(rows), per):
                    batch = rows[i : i + per]
                    await table.raw(
                        f"INSERT INTO {name} ({names}) VALUES " + ", ".join([one] * len(batch)),
                        *[r[c] for r in batch for c in columns],
                    )
                if rows and not target.is_sqlite and key == "id":
                    await table.raw(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), MAX(id)) FROM {name}"
                    )
                total += len(rows)
    finally:
        await close_database(source)
        await close_database(target)
    print(f"  copied {total:,} rows in {time.perf_counter() - t0:.1f} s")
