"""Latency of the inbox and case pages under concurrent users, on SQLite and PostgreSQL.

For each backend it builds a database of ``--tenants`` offices (default 50, cycling through
the bundled plugins satpolpp_banyumas, kesbangpol_pekalongan and biro_organisasi_kalbar,
slugs ``bench-01`` …) with their units, one user per role (per unit for per-unit roles) and
``--cases`` cases each (default 200: 10,000 in all) in varied states — just started, a few
steps in, waiting at a fan-out with some units done, returned at a gate, finished — driven
through the real state machine and :class:`~alur.tenants.cases.store.CaseStore` (hash-chained
events, task rows), one transaction per office. With ``--backend both`` the data is built
once, on PostgreSQL (about twice as fast to provision), and copied row for row — same ids,
same hash chains — into the SQLite file. Then it starts the real app under uvicorn
in a subprocess (``--workers`` processes, default 1) and lets ``--users`` simulated people
(default 16, each a different user of a different office, signed in through ``/login``)
alternate ``GET /t/{slug}/inbox`` and ``GET /t/{slug}/cases/{key}`` (cases of their office)
without think time (or, with ``--think S``, pausing S seconds on average between pages, as
people reading a page do), until ``--requests`` of each page (default 2,000) are done, after a
warm-up. It reports requests, throughput and p50/p95/p99 latency per page, plus the same
pages for one user alone (no queueing: the service time).

Goal (issue 4): p95 <= 100 ms for both pages with 16 concurrent users.

    .venv/bin/python bench/web.py [--backend sqlite|postgresql|both] [--requests 2000]
        [--users 16] [--tenants 50] [--cases 200] [--workers 1] [--think 0] [--cache DIR]
        [--profile]

``--cache DIR`` keeps each provisioned database in DIR (the SQLite file, a ``pg_dump`` of
the PostgreSQL one), keyed by the data version, sizes, plugin versions and migrations, and
reuses it on the next run; without it every run builds from scratch. ``--profile`` adds an in-process pass (no HTTP server): SQL statements, time in
the database, template rendering and snapshot parsing per page, then cProfile's top
functions. PostgreSQL runs in a throwaway cluster (``TemporaryPostgres(durable=True)``),
SQLite in a temporary WAL file; only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import hashlib
import io
import logging
import os
import pstats
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher

from alur.core.calendar import WorkingCalendar
from alur.core.engine import Actor, Complete, Context, Decide, StartCase, act, start
from alur.core.engine.state import CaseState, Task
from alur.core.model import Answer, SopDefinition, StepKind
from alur.core.plugins import AlurPlugins, create_plugin_manager
from alur.tenants.audit.keys import new_key_entry
from alur.tenants.cases.store import CaseStore, StoredCase, TenantRef
from alur.tenants.identity import people as identity
from alur.tenants.identity.belonging import actor_for
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import calendar_for, create_tenant, tenant_sops
from alur.tenants.storage.database import Database, bind, close_database, open_database
from alur.tenants.storage.tables import TABLES, Attachment, Case, Membership, Tenant
from alur.web import testing
from alur.web.testing import free_port

# The throwaway databases need an audit key (required on PostgreSQL): a fresh one per run.
os.environ.setdefault("ALUR_AUDIT_KEY", new_key_entry("bench"))

DATA_VERSION = 1  # bump when the generated data changes (invalidates --cache)
PLUGINS = ("satpolpp_banyumas", "kesbangpol_pekalongan", "biro_organisasi_kalbar")
PASSWORD = "bench-web-2026"
SECRET_KEY = "bench-web-secret-" + "k" * 32
GOAL_P95_MS = 100.0
PAGES = ("inbox", "case")
RETURN_NOTE = "Belum sesuai: kolom target dan realisasi belum lengkap; mohon diperbaiki."
CSV = b"indikator,target,realisasi\nPenyelesaian kegiatan tepat waktu,100,92\n"
MAX_ACTIONS = 200  # per case, a guard against an SOP that never reaches the wanted state

# --- provisioning ------------------------------------------------------------------------


def cheap_hasher() -> None:
    """Bench users get a cheap argon2 hash; the web login verifies whatever hash is stored."""
    identity._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


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
        actors: dict[tuple[str, str | None], tuple[int, Actor]] = {}
        for role in loaded.roles:
            for unit in units if role.per_unit else (None,):
                name = f"{slug}.{role.id}" + (f".{unit}" if unit else "")
                user = await create_user(name.replace("_", "-"), f"{role.name} {slug}", PASSWORD)
                await add_membership(tenant.id, user.id, role, unit)
                actors[(role.id, unit)] = (user.id, await actor_for(tenant.id, user.id, today))
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
    cheap_hasher()
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
                rows = await table.raw(f"SELECT {names} FROM {name} ORDER BY id")
                bind(target.engine)
                one = "(" + ", ".join(["{}"] * len(columns)) + ")"
                per = 30_000 // len(columns)  # both backends take up to 32,766 parameters
                for i in range(0, len(rows), per):
                    batch = rows[i : i + per]
                    await table.raw(
                        f"INSERT INTO {name} ({names}) VALUES " + ", ".join([one] * len(batch)),
                        *[r[c] for r in batch for c in columns],
                    )
                if rows and not target.is_sqlite:
                    await table.raw(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), MAX(id)) FROM {name}"
                    )
                total += len(rows)
    finally:
        await close_database(source)
        await close_database(target)
    print(f"  copied {total:,} rows in {time.perf_counter() - t0:.1f} s")


# --- who signs in, and which cases they open ----------------------------------------------


@dataclass
class BenchUser:
    username: str
    slug: str
    role: str
    keys: list[str]
    inbox_rows: int = 0


async def pick_users(url: str, users: int) -> list[BenchUser]:
    """``users`` people spread over the offices, each of another role where possible."""
    db = await open_database(url, run_migrations=False)
    try:
        rows = (
            await Membership.select(
                Membership.user.username.as_alias("username"),
                Membership.tenant.slug.as_alias("slug"),
                Membership.role,
            )
            .where(Membership.administrator == False)  # noqa: E712
            .order_by(Membership.id)
        )
        keys: dict[str, list[str]] = {}
        for r in await Case.select(Case.key, Case.tenant.slug.as_alias("slug")).order_by(Case.id):
            keys.setdefault(r["slug"], []).append(r["key"])
    finally:
        await close_database(db)
    by_tenant: dict[str, list[dict]] = {}
    for r in rows:
        if r["slug"].startswith("bench-"):
            by_tenant.setdefault(r["slug"], []).append(r)
    slugs = sorted(by_tenant)
    if not slugs:
        raise SystemExit("no bench offices in the database")
    chosen: list[BenchUser] = []
    taken: set[str] = set()
    for k in range(users):
        slug = slugs[k * len(slugs) // users] if users <= len(slugs) else slugs[k % len(slugs)]
        people = [p for p in by_tenant[slug] if p["username"] not in taken]
        if not people:
            raise SystemExit(f"not enough bench users for {users} simulated users")
        p = people[k % len(people)]
        taken.add(p["username"])
        chosen.append(BenchUser(p["username"], slug, p["role"], keys.get(slug, [])))
    return chosen


# --- the server ---------------------------------------------------------------------------


@contextlib.contextmanager
def server(url: str, workers: int, tmp: Path) -> Iterator[str]:
    """``uvicorn alur.web.asgi:app`` on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    env = {**os.environ, "ALUR_DATABASE_URL": url, "ALUR_SECRET_KEY": SECRET_KEY}
    log_path = tmp / f"server-{port}.log"
    command = [
        sys.executable,
        *("-m", "uvicorn", "alur.web.asgi:app"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--log-level", "warning", "--no-access-log"),
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited ({proc.returncode}):\n{tail(log_path)}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer within 90 s:\n{tail(log_path)}")
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # uvicorn (and its workers) shut down cleanly
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if "Traceback" in log_path.read_text(errors="replace"):
            print(f"  server log has errors:\n{tail(log_path)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- the simulated users ------------------------------------------------------------------

CSRF = testing.CSRF_TOKEN


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PAGES, 0))
    samples: list[str] = field(default_factory=list)  # first few error descriptions
    wall: float = 0.0
    client_cpu: float = 0.0  # CPU seconds the simulated users themselves used
    stopped_early: bool = False


async def sign_in(client: httpx.AsyncClient, user: BenchUser) -> None:
    try:
        await testing.sign_in(client, user.username, PASSWORD)
    except testing.SignInFailed as exc:
        raise SystemExit(str(exc)) from exc
    inbox = await client.get(f"/t/{user.slug}/inbox")
    if inbox.status_code != 200:
        raise SystemExit(f"{user.username} cannot open the inbox: {inbox.status_code}")
    user.inbox_rows = inbox.text.count("<tr class=")


async def one_request(
    client: httpx.AsyncClient, page: str, user: BenchUser, rng: random.Random, results: Results
) -> None:
    path = f"/t/{user.slug}/inbox" if page == "inbox" else f"/t/{user.slug}/cases/"
    if page == "case":
        path += rng.choice(user.keys)
    t0 = time.perf_counter()
    try:
        r = await client.get(path)
        ok = r.status_code == 200
        what = f"{r.status_code} {path}"
    except httpx.HTTPError as exc:
        ok, what = False, f"{type(exc).__name__} {path}"
    took = time.perf_counter() - t0
    if ok:
        results.times[page].append(took)
    else:
        results.errors[page] += 1
        if len(results.samples) < 5:
            results.samples.append(what)


async def run_users(
    base: str,
    users: list[BenchUser],
    requests: int,
    warmup: int,
    max_seconds: float,
    think: float = 0.0,
) -> Results:
    """Each user signs in, warms up, then all alternate inbox and case pages together,
    pausing a random think time (exponential, mean ``think`` seconds) after each page."""
    results = Results()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=base, timeout=60, limits=limits, follow_redirects=False)
        for _ in users
    ]
    try:
        await asyncio.gather(*(sign_in(c, u) for c, u in zip(clients, users, strict=True)))
        warm = Results()

        async def loop(i: int, count: int, into: Results, deadline: float) -> None:
            rng = random.Random(i)
            client, user = clients[i], users[i]
            for n in range(count):
                if time.monotonic() > deadline:
                    into.stopped_early = True
                    return
                await one_request(client, PAGES[(n + i) % 2], user, rng, into)
                if think > 0:
                    await asyncio.sleep(rng.expovariate(1 / think))

        far = time.monotonic() + max_seconds
        await asyncio.gather(*(loop(i, 2 * warmup, warm, far) for i in range(len(users))))
        # Each user makes its share of 2 * requests, alternating the pages.
        share = [2 * requests // len(users)] * len(users)
        for i in range(2 * requests - sum(share)):
            share[i] += 1
        deadline = time.monotonic() + max_seconds
        t0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(loop(i, share[i], results, deadline) for i in range(len(users))))
        results.wall = time.perf_counter() - t0
        results.client_cpu = time.process_time() - cpu0
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return results


async def run_solo(base: str, user: BenchUser, requests: int) -> Results:
    """One user alone: the pages' service time without queueing."""
    results = Results()
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await sign_in(client, user)
        rng = random.Random(0)
        t0 = time.perf_counter()
        for n in range(2 * requests):
            await one_request(client, PAGES[n % 2], user, rng, results)
        results.wall = time.perf_counter() - t0
    return results


# --- reporting ----------------------------------------------------------------------------


def percentiles(times: list[float]) -> tuple[float, float, float]:
    if not times:
        return (float("nan"),) * 3
    if len(times) == 1:
        return (times[0] * 1000,) * 3
    q = statistics.quantiles(times, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000, q[98] * 1000


def report(name: str, users: int, r: Results, solo: Results | None) -> bool:
    """Print the table for one backend; True when the goal is met for both pages."""
    print(f"{name}: {users} concurrent users, {r.wall:.1f} s")
    print(
        f"  {'page':<6} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'errors':>6}   1 user: p50 / p95 ms"
    )
    met = not r.stopped_early
    for page in PAGES:
        times = r.times[page]
        p50, p95, p99 = percentiles(times)
        rate = len(times) / r.wall if r.wall else 0.0
        alone = ""
        if solo is not None:
            s50, s95, _ = percentiles(solo.times[page])
            alone = f"   {s50:6.1f} / {s95:6.1f}"
        print(
            f"  {page:<6} {len(times):>8} {rate:>7.1f} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}"
            f" {r.errors[page]:>6}{alone}"
        )
        met = met and r.errors[page] == 0 and p95 <= GOAL_P95_MS
    total = sum(len(t) for t in r.times.values())
    print(
        f"  total  {total:>8} {total / r.wall if r.wall else 0:>7.1f} req/s; the clients used"
        f" {r.client_cpu * 1000 / max(total, 1):.1f} ms CPU per request on the same machine"
    )
    if r.samples:
        print("  first errors: " + "; ".join(r.samples))
    if r.stopped_early:
        print("  stopped at the time limit (--max-seconds) before all requests were made")
    print(f"  goal p95 <= {GOAL_P95_MS:.0f} ms on both pages: {'met' if met else 'not met'}")
    return met


# --- profiling (in process, no HTTP server) -----------------------------------------------


class Meter:
    """Wall time and calls of a few functions, patched for the duration of the profile."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.statements: dict[str, tuple[int, float]] = {}
        self._undo: list[Callable[[], None]] = []

    def reset(self) -> None:
        self.calls.clear()
        self.seconds.clear()
        self.statements.clear()

    def _count(self, name: str, took: float) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1
        self.seconds[name] = self.seconds.get(name, 0.0) + took

    def wrap_async(self, owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self._count(name, time.perf_counter() - t0)

        setattr(owner, attr, wrapper)
        self._undo.append(lambda: setattr(owner, attr, original))

    def wrap_sync(self, owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._count(name, time.perf_counter() - t0)

        setattr(owner, attr, wrapper)
        self._undo.append(lambda: setattr(owner, attr, original))

    def wrap_sql(self, engine: Any) -> None:
        """Count statements and their wall time, also by statement (values left out)."""
        original = engine.run_querystring
        shapes = self.statements

        async def wrapper(self_: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(self_, querystring, *args, **kwargs)
            finally:
                took = time.perf_counter() - t0
                self._count("sql", took)
                sql, _ = querystring.compile_string(engine_type=self_.engine_type)
                shape = re.sub(r"\s+", " ", sql).strip()
                calls, seconds = shapes.get(shape, (0, 0.0))
                shapes[shape] = (calls + 1, seconds + took)

        engine.run_querystring = wrapper
        self._undo.append(lambda: setattr(engine, "run_querystring", original))

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()


async def profile(url: str, user: BenchUser, rounds: int) -> None:
    """Each page ``rounds`` times, one at a time, in this process: where the time goes."""
    import jinja2
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    from alur.tenants.cases import store as store_module
    from alur.web.app import create_app
    from alur.web.settings import WebSettings

    meter = Meter()
    meter.wrap_sql(SQLiteEngine)
    meter.wrap_sql(PostgresEngine)
    meter.wrap_sync(jinja2.Template, "render", "template")
    meter.wrap_sync(store_module, "definition_from_mapping", "snapshot parse")
    meter.wrap_sync(identity, "verify_password", "argon2 verify")
    app = create_app(WebSettings(database_url=url, secret_key=SECRET_KEY))
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
        ):
            logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
            page = await client.get("/login")
            token = CSRF.search(page.text)
            assert token, page.text[:300]
            data = {"_csrf_token": token.group(1), "username": user.username, "password": PASSWORD}
            await client.post("/login", data=data, follow_redirects=False)
            rng = random.Random(0)
            paths = {
                "inbox": lambda: f"/t/{user.slug}/inbox",
                "case": lambda: f"/t/{user.slug}/cases/{rng.choice(user.keys)}",
            }
            for _ in range(5):  # warm up (template compilation, first snapshot loads)
                for page_name in PAGES:
                    await client.get(paths[page_name]())
            print(f"  in-process, one request at a time, {rounds} each, as {user.username}")
            print(
                f"  {'page':<6} {'ms/req':>7} {'SQL/req':>8} {'SQL ms':>7} {'render ms':>9}"
                f" {'snapshot parses':>15} {'parse ms':>8}"
            )
            profiles = {}
            statements = {}
            for page_name in PAGES:
                meter.reset()  # first the meters alone, then cProfile (it slows everything)
                t0 = time.perf_counter()
                for _ in range(rounds):
                    r = await client.get(paths[page_name]())
                    assert r.status_code == 200, (r.status_code, r.text[:300])
                took = (time.perf_counter() - t0) / rounds * 1000
                statements[page_name] = dict(meter.statements)
                calls = {k: v / rounds for k, v in meter.calls.items()}
                ms = {k: v * 1000 / rounds for k, v in meter.seconds.items()}
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(rounds):
                    await client.get(paths[page_name]())
                prof.disable()
                profiles[page_name] = prof

                print(
                    f"  {page_name:<6} {took:>7.1f} {calls.get('sql', 0):>8.1f}"
                    f" {ms.get('sql', 0):>7.1f} {ms.get('template', 0):>9.1f}"
                    f" {calls.get('snapshot parse', 0):>15.1f} {ms.get('snapshot parse', 0):>8.1f}"
                )
            for page_name, shapes in statements.items():
                print(f"  SQL of the {page_name} page, per request (most time first):")
                ranked = sorted(shapes.items(), key=lambda kv: -kv[1][1])
                for shape, (calls, seconds) in ranked[:12]:
                    short = shape if len(shape) <= 110 else shape[:107] + "..."
                    print(f"    {calls / rounds:4.1f} x {seconds / calls * 1000:5.2f} ms  {short}")
            for page_name, prof in profiles.items():
                out = io.StringIO()
                stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime")
                stats.print_stats(15)
                lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
                start_at = next(i for i, ln in enumerate(lines) if "ncalls" in ln)
                print(f"  cProfile, {page_name} page (this thread only; top 15 by own time):")
                for ln in lines[start_at : start_at + 16]:
                    print("    " + ln)
    finally:
        meter.restore()


# --- databases and caching ----------------------------------------------------------------


def cache_key(backend: str, tenants: int, cases: int) -> str:
    migrations = Path(identity.__file__).parent / "piccolo_migrations"
    parts = [
        str(DATA_VERSION),
        backend,
        str(tenants),
        str(cases),
        *(f"{p}={metadata.version('alur-' + p.replace('_', '-'))}" for p in PLUGINS),
        *sorted(p.name for p in migrations.glob("*.py")),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def plugin_versions_ok() -> bool:
    try:
        for p in PLUGINS:
            metadata.version("alur-" + p.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return False
    return True


def build_sqlite(tmp: Path, args: argparse.Namespace, source: str | None = None) -> str:
    """The SQLite database: from the cache, copied from ``source``, or provisioned."""
    path = tmp / "bench-web.db"
    url = f"sqlite:///{path}"
    cached = None
    if args.cache and plugin_versions_ok():
        cached = Path(args.cache) / f"web-sqlite-{cache_key('sqlite', args.tenants, args.cases)}.db"
    if cached is not None and cached.exists():
        shutil.copyfile(cached, path)
        print(f"  SQLite: using the cached database {cached}")
        return url
    if source is not None:
        print("  SQLite: copying the PostgreSQL data")
        asyncio.run(copy_rows(source, url))
    else:
        print("  SQLite:")
        asyncio.run(provision(url, args.tenants, args.cases))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        asyncio.run(checkpoint(url))
        shutil.copyfile(path, cached)
        print(f"  cached in {cached}")
    return url


async def checkpoint(url: str) -> None:
    db = await open_database(url, run_migrations=False)
    await db.engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")


def build_postgres(pg: Any, args: argparse.Namespace) -> str:
    url = pg.create_database("bench")
    cached = None
    if args.cache and plugin_versions_ok():
        key = cache_key("postgresql", args.tenants, args.cases)
        cached = Path(args.cache) / f"web-postgresql-{key}.dump"
    if cached is not None and cached.exists():
        restore = [str(pg.bindir / "pg_restore"), "--no-owner", "-j", "2", "-d", url, str(cached)]
        subprocess.run(restore, check=True, capture_output=True, timeout=600)
        subprocess.run(
            [str(pg.bindir / "psql"), "-q", "-d", url, "-c", "ANALYZE"], check=True, timeout=600
        )
        print(f"  PostgreSQL: using the cached database {cached}")
        return url
    print("  PostgreSQL:")
    asyncio.run(provision(url, args.tenants, args.cases, parallel=args.parallel))
    subprocess.run(
        [str(pg.bindir / "psql"), "-q", "-d", url, "-c", "VACUUM ANALYZE"], check=True, timeout=600
    )
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        dump = [str(pg.bindir / "pg_dump"), "-Fc", "-f", str(cached), url]
        subprocess.run(dump, check=True, capture_output=True, timeout=600)
        print(f"  cached in {cached}")
    return url


def measure(name: str, url: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    users = asyncio.run(pick_users(url, args.users))
    if args.profile:
        asyncio.run(profile(url, users[0], args.profile_rounds))
    with server(url, args.workers, tmp) as base:
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        r = asyncio.run(
            run_users(base, users, args.requests, args.warmup, args.max_seconds, args.think)
        )
        solo = asyncio.run(run_solo(base, users[0], args.solo)) if args.solo else None
        took = time.perf_counter() - t0
    rows = sorted(u.inbox_rows for u in users)
    print(
        f"  inbox rows of the {len(users)} users: min {rows[0]}, median"
        f" {statistics.median(rows):.0f}, max {rows[-1]}; HTTP phase {took:.1f} s;"
        f" load average {load:.1f} before, {os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs)"
    )
    if args.think:
        print(f"  each user thinks {args.think:g} s on average (exponential) between pages")
    else:
        print("  no think time: every user asks for the next page as soon as one arrives")
    met = report(name, len(users), r, solo)
    return {"name": name, "met": met}


def main() -> None:
    # Run as a script, bench/ comes first on sys.path, where bench/graphql.py would shadow
    # graphql-core once the app (alur.web.app imports the GraphQL API) is imported here.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != here]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=2000, help="per page type")
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated users")
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--cases", type=int, default=200, help="per tenant")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean think time between pages, seconds"
    )
    parser.add_argument("--warmup", type=int, default=5, help="requests per page and user")
    parser.add_argument("--solo", type=int, default=100, help="per page for one user; 0: skip")
    parser.add_argument("--max-seconds", type=float, default=300, help="per measured phase")
    parser.add_argument("--parallel", type=int, default=2, help="offices provisioned at once (PG)")
    parser.add_argument("--cache", metavar="DIR", help="keep/reuse provisioned databases here")
    parser.add_argument("--profile", action="store_true", help="also profile in process")
    parser.add_argument("--profile-rounds", type=int, default=50)
    args = parser.parse_args()
    if args.think < 0:
        parser.error("--think: a number of seconds, 0 or more")
    if args.tenants < 1 or args.cases < 1 or args.users < 1 or args.requests < 1:
        parser.error("--tenants, --cases, --users and --requests must be at least 1")
    if args.tenants > 99:
        parser.error("--tenants: at most 99")
    started = time.perf_counter()
    outcomes = []
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="alur-bench-web-")))
        sqlite_url = pg_url = None
        print(f"data: {args.tenants} offices x {args.cases} cases")
        if args.backend in ("postgresql", "both"):
            from alur.tenants.testing.postgres import TemporaryPostgres

            pg = stack.enter_context(TemporaryPostgres(durable=True))
            pg_url = build_postgres(pg, args)  # provisioning is faster here, so first
        if args.backend in ("sqlite", "both"):
            sqlite_url = build_sqlite(tmp, args, source=pg_url)
        if sqlite_url is not None:
            print("SQLite (WAL):")
            outcomes.append(measure("SQLite", sqlite_url, tmp, args))
        if pg_url is not None:
            print("PostgreSQL:")
            outcomes.append(measure("PostgreSQL", pg_url, tmp, args))
    print(
        "summary: "
        + ", ".join(f"{o['name']} {'met' if o['met'] else 'not met'}" for o in outcomes)
        + f"; benchmark ran {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
