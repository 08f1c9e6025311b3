"""Offices for transition throughput (``bench/scale.py``): one office per simulated client
(each its own hash chain, as a province's offices are), a Staf with a write token and
cases whose task 1 the Staf claims and gives back; and the clients that do it through
GraphQL (``claimTask`` / ``unclaimTask``: each one a whole transition — load the case, run
the engine, compare-and-set, hash-chained event, task rows, office chain head)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx

from alur.core.plugins import create_plugin_manager
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.testing.people import use_cheap_hasher

PLUGIN = "satpolpp_banyumas"
SOP = "pengumpulan-data-kinerja"
CLAIM = "mutation($k: String!) { claimTask(caseKey: $k, task: 1) { __typename } }"
UNCLAIM = "mutation($k: String!) { unclaimTask(caseKey: $k, task: 1) { __typename } }"


@dataclass
class Writer:
    token: str
    cases: list[str]
    claimed: dict[str, bool] = field(default_factory=dict)  # whose task 1 is claimed now


async def provision_writers(url: str, writers: int, cases: int) -> list[Writer]:
    use_cheap_hasher()
    db = await open_database(url)
    plugins = create_plugin_manager()
    made = []
    try:
        for n in range(writers):
            slug = f"scale-{n:03d}"
            tenant = await create_tenant(plugins, slug, f"Kantor Scale {n:03d}", PLUGIN)
            service = await TenantService.open(db, plugins, slug)
            user = await create_user(f"{slug}.staf", f"Staf {slug}", "bench-scale-2026")
            await add_membership(tenant.id, user.id, service.sop(SOP).roles_by_id["staf"])
            token = await create_token(f"{slug}-w", "write", tenant=slug, user=user.username)
            keys = [
                (await service.start_case(user.id, SOP, f"Tahun {2000 + i}")).key
                for i in range(cases)
            ]
            made.append(Writer(token.token, keys))
    finally:
        await close_database(db)
    return made


@dataclass
class Throughput:
    done: int = 0
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    wall: float = 0.0


async def drive(base: str, writers: list[Writer], seconds: float) -> Throughput:
    """Each writer claims and gives back its cases' task 1 in turn, one request at a time,
    for ``seconds``; counts the transitions applied."""
    out = Throughput()
    deadline = time.monotonic() + seconds

    async def one(w: Writer) -> None:
        claimed = w.claimed
        headers = {"Authorization": f"Bearer {w.token}"}
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as c:
            i = 0
            while time.monotonic() < deadline:
                key = w.cases[i % len(w.cases)]
                i += 1
                query = UNCLAIM if claimed.get(key) else CLAIM
                try:
                    r = await c.post(
                        "/graphql", json={"query": query, "variables": {"k": key}}, headers=headers
                    )
                    kind = next(iter(r.json()["data"].values()))["__typename"]
                except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                    kind = f"{type(exc).__name__}"
                if kind in ("CaseChanged", "ActionRefused"):  # refused: it was already so
                    claimed[key] = not claimed.get(key)
                if kind == "CaseChanged":
                    out.done += 1
                else:
                    out.errors += 1
                    if len(out.samples) < 5:
                        out.samples.append(kind)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(w) for w in writers))
    out.wall = time.perf_counter() - t0
    return out
