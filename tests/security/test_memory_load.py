"""Resident memory of the real server under normal load, with large fields (issue 11).

An office holds two cases whose period is about 1 MB each. Such periods can no longer be
entered (periods are length-limited), but a database may still hold them from before the
limit: they are written straight into the case rows here, bypassing the service, as legacy
rows. The app is served by uvicorn in a subprocess on SQLite (:mod:`alur.web.testing`) —
the backend that stored such rows, PostgreSQL refuses them — and driven by normal load:
two people signed in to the web reading their inbox (which lists both large cases) and
case pages, an API client reading the staf's open tasks, and an API client starting a case
every few operations (each write moves the office's event counter on, as real work does).

The server's resident memory (``VmRSS``) is sampled every quarter second. Its peak may
exceed the warm-up's peak by at most :data:`GROWTH_LIMIT_MIB`, what the process's caches
may hold in all (:mod:`alur.tenants.caches`; the inboxes here take a few MiB of it, the
rest is room for the allocator). Before the caches were bounded by bytes, and while an
inbox was kept per office event counter instead of once per person, this load grew the
server by 100 MiB in about 20 s, some 170–250 MiB a minute on a busy 2-core machine. The
load stops after :data:`SECONDS` or :data:`REQUESTS`, whichever comes first, or as soon as
the limit is exceeded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from alur.core import AlurPlugins, periods
from alur.graphql.testing import OFFICE_A, PASSWORD, SOP_A, provision
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Case
from alur.web.testing import ServedApp, resident_mib, serving_app, sign_in

pytestmark = pytest.mark.usefixtures("cheap_hasher")

LARGE_CHARS = 1_000_000  # each of the two large periods
SECONDS = 60.0  # the load runs at most this long ...
REQUESTS = 3000  # ... and makes at most this many requests after the warm-up
WARMUP = 100  # requests of the warm-up, whose peak RSS is the baseline
WRITE_EVERY = 2  # the API writer starts a case every this many of its operations
GROWTH_LIMIT_MIB = 64.0  # ALUR_CACHE_MB's default: all that the caches may hold
SAMPLE_SECONDS = 0.25

TASKS = """
query Open {
  tasks(first: 50, filter: {role: "staf"}) {
    ... on TaskConnection { edges { node { number due case { key period status } } } }
    ... on Error { message }
  }
}
"""
START = """
mutation Start($input: StartCaseInput!) {
  startCase(input: $input) { __typename ... on Error { message } }
}
"""


@dataclass
class Office:
    tokens: dict[str, str]
    large: list[str]  # the keys of the cases with a large period
    small: list[str]


@dataclass
class Load:
    baseline: float = 0.0  # MiB, the warm-up's peak
    peak: float = 0.0
    requests: int = 0
    writes: int = 0
    seconds: float = 0.0
    samples: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def growth(self) -> float:
        return self.peak - self.baseline


async def make_office(url: str, installed: AlurPlugins) -> Office:
    db = await open_database(url)
    try:
        world = await provision(db, installed)
        staf = world.users["staf"]
        keys = [(await world.a.start_case(staf, SOP_A, f"Tahun {2000 + n}")).key for n in range(4)]
        for n, key in enumerate(keys[:2]):  # legacy rows: written past the service's limits
            row = await Case.select(Case.id, Case.state).where(Case.key == key).first()
            assert row is not None
            state = json.loads(row["state"]) if isinstance(row["state"], str) else row["state"]
            state["period"] = period = f"Periode {n} " + "x" * LARGE_CHARS
            await Case.update({Case.period: period, Case.state: json.dumps(state)}).where(
                Case.id == row["id"]
            )
        return Office(world.tokens, keys[:2], keys[2:])
    finally:
        await close_database(db)


async def drive(app: ServedApp, office: Office) -> Load:
    load = Load()
    done = itertools.count(1)  # requests made, warm-up included
    deadline = time.monotonic() + SECONDS
    warm = asyncio.Event()
    stop = asyncio.Event()

    def more() -> bool:
        if stop.is_set() or time.monotonic() > deadline:
            return False
        n = next(done)
        if n == WARMUP:
            warm.set()
        return n <= WARMUP + REQUESTS

    def check(what: str, r: httpx.Response) -> None:
        body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
        if r.status_code != 200 or "errors" in body:
            load.problems.append(f"{what}: {r.status_code} {r.text[:200]}")
            stop.set()

    async def person(username: str) -> None:
        async with httpx.AsyncClient(base_url=app.base, timeout=60) as client:
            await sign_in(client, username, PASSWORD)
            cases = [*office.large, office.small[0]]
            pages = itertools.cycle(
                [f"/t/{OFFICE_A}/{page}" for k in cases for page in ("inbox", f"cases/{k}")]
            )
            while more():
                path = next(pages)
                check(path, await client.get(path))

    started = itertools.count()

    async def api(token: str, writes: bool) -> None:
        headers = {"Authorization": f"Bearer {office.tokens[token]}"}
        async with httpx.AsyncClient(base_url=app.base, timeout=60, headers=headers) as client:
            for n in itertools.count():
                if not more():
                    return
                if writes and n % WRITE_EVERY == 0:
                    # a period of its own each time (the SOP runs once per period), from 2010 on
                    k = next(started)  # shared by the writers: no period twice
                    period = (
                        f"{periods.PARTS[k % len(periods.PARTS)]} {2010 + k // len(periods.PARTS)}"
                    )
                    variables = {"input": {"sop": SOP_A, "period": period}}
                    r = await client.post("/graphql", json={"query": START, "variables": variables})
                    refused = r.json().get("data", {}).get("startCase", {}).get("message")
                    if refused:
                        load.problems.append(f"startCase {period}: {refused}")
                        stop.set()
                    load.writes += 1
                else:
                    r = await client.post("/graphql", json={"query": TASKS})
                check("graphql", r)

    async def sample() -> None:
        # the warm-up's peak: its requests' garbage comes and goes
        while not (warm.is_set() or stop.is_set()):
            load.baseline = max(load.baseline, resident_mib(app.pid))
            await asyncio.sleep(SAMPLE_SECONDS)
        load.peak = load.baseline
        t0 = time.monotonic()
        while not stop.is_set():
            rss = resident_mib(app.pid)
            load.samples.append(rss)
            load.peak = max(load.peak, rss)
            if load.growth > GROWTH_LIMIT_MIB:
                stop.set()  # failed already: no need to go on
            load.seconds = time.monotonic() - t0
            await asyncio.sleep(SAMPLE_SECONDS)

    sampler = asyncio.create_task(sample())
    await asyncio.gather(
        person("staf"), person("staf-2"), api("a-read", False), api("a-staf-2", True)
    )
    load.requests = next(done) - 1 - WARMUP
    stop.set()
    await sampler
    return load


def test_resident_memory_stays_bounded_under_load_with_large_fields(
    tmp_path: Path, installed: AlurPlugins
) -> None:
    url = f"sqlite:///{tmp_path / 'alur.db'}"
    office = asyncio.run(make_office(url, installed))
    # The load measures memory, not the request rate: its tokens are never refused.
    with serving_app(url, tmp_path, environ={"ALUR_GRAPHQL_RATE_LIMIT": "0"}) as app:
        load = asyncio.run(drive(app, office))
        log = app.log_path.read_text(errors="replace")
    print(
        f"\nRSS peak {load.baseline:.0f} MiB in the warm-up, then {load.peak:.0f} MiB "
        f"(+{load.growth:.0f}) over {load.requests} requests ({load.writes} writes) "
        f"in {load.seconds:.0f} s"
    )
    assert not load.problems, load.problems[:3]
    assert "Traceback" not in log, log[-3000:]
    assert load.requests >= 100, "too little load to say anything"
    assert load.growth <= GROWTH_LIMIT_MIB, (
        f"resident memory grew {load.growth:.0f} MiB (from {load.baseline:.0f} MiB) in "
        f"{load.seconds:.0f} s and {load.requests} requests; the limit is {GROWTH_LIMIT_MIB:.0f}"
    )
