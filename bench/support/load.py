"""The load generators: simulated people signed in to the web pages (``bench/web.py``),
and clients of one API endpoint (``bench/graphql.py``); their timings and percentiles."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Case, Membership
from alur.web import testing
from support.provisioning import PASSWORD

PAGES = ("inbox", "case")


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


# --- clients of one endpoint -----------------------------------------------------------


@dataclass
class EndpointResults:
    times: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    wall: float = 0.0

    def add(self, other: EndpointResults) -> None:
        self.times += other.times
        self.errors += other.errors
        self.samples += other.samples[: 5 - len(self.samples)]
        self.wall += other.wall


async def one(client: httpx.AsyncClient, request: dict[str, Any], into: EndpointResults) -> None:
    t0 = time.perf_counter()
    try:
        r = await client.request(**request)
        ok = r.status_code == 200 and b'"errors"' not in r.content
        what = f"{r.status_code} {r.text[:120]}"
    except httpx.HTTPError as exc:
        ok, what = False, type(exc).__name__
    took = time.perf_counter() - t0
    if ok:
        into.times.append(took)
    else:
        into.errors += 1
        if len(into.samples) < 5:
            into.samples.append(what)


async def load(
    base: str, request: dict[str, Any], clients: int, requests: int, warmup: int
) -> EndpointResults:
    """``clients`` clients together make ``requests`` of ``request`` (httpx request
    arguments), after each made ``warmup``."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    pool = [httpx.AsyncClient(base_url=base, timeout=120, limits=limits) for _ in range(clients)]
    results = EndpointResults()
    try:

        async def run(client: httpx.AsyncClient, count: int, into: EndpointResults) -> None:
            for _ in range(count):
                await one(client, request, into)

        await asyncio.gather(*(run(c, warmup, EndpointResults()) for c in pool))
        share = [requests // clients + (i < requests % clients) for i in range(clients)]
        t0 = time.perf_counter()
        await asyncio.gather(*(run(c, n, results) for c, n in zip(pool, share, strict=True)))
        results.wall = time.perf_counter() - t0
    finally:
        await asyncio.gather(*(c.aclose() for c in pool))
    return results


async def solo(base: str, request: dict[str, Any], requests: int) -> EndpointResults:
    """One client alone: the endpoint's service time without queueing."""
    results = EndpointResults()
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(10):
            await one(client, request, EndpointResults())
        t0 = time.perf_counter()
        for _ in range(requests):
            await one(client, request, results)
        results.wall = time.perf_counter() - t0
    return results
