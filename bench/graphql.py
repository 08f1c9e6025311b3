"""An inbox over GraphQL versus the same rows from a plain litestar JSON endpoint, under
32 concurrent clients, in the same server process, on SQLite and PostgreSQL.

The data is ``bench/web.py``'s (``--tenants`` offices, default 1, with ``--cases`` cases
each, default 200, in varied states; ``--cache DIR`` shares its cache). In office
``bench-01`` it picks the role (and unit) with the most open tasks — at least 50 — and
creates a read token. The server is this script in ``--serve`` mode under uvicorn (one
process, a subprocess of the benchmark): the real app of ``alur.web.app.create_app`` with
one bench-only controller added, ``GET /bench/inbox?role=…&unit=…``, which authenticates
the same bearer token and returns the same 50 tasks with their case and step as JSON,
reading them with the same functions the API uses (``listing.page_tasks``, the cases by
id, the pinned SOP snapshots). Both endpoints must answer the same rows; then
``--clients`` clients (default 32, one keep-alive connection each, no think time) make
``--requests`` requests (default 2,000) of one endpoint, then of the other, ``--rounds``
times (default 2, the order alternating), after a warm-up; then one client alone makes
``--solo`` requests of each (the service time without queueing).

The GraphQL operation is the one an integrator's inbox would send::

    query Inbox($role: String!, $unit: String) {
      tasks(first: 50, filter: {role: $role, unit: $unit}) {
        ... on TaskConnection {
          edges { node { number unit due overdue returnNote role { id name }
                         step { number kegiatan waktu { text } output }
                         case { key period status } } }
          pageInfo { hasNextPage endCursor }
        } } }

Reports p50/p95/p99 latency and throughput of both and their ratios. Goal (issue 5): the
GraphQL p99 at most 2x the plain endpoint's. ``--profile`` adds an in-process pass (httpx's
ASGI transport, one request at a time): SQL statements per request and cProfile's top
functions for both endpoints.

    .venv/bin/python bench/graphql.py [--backend sqlite|postgresql|both] [--clients 32]
        [--requests 2000] [--rounds 2] [--tenants 1] [--cases 200] [--cache DIR] [--profile]
The shared parts (data, server, load, the plain endpoint, profiling) live in ``bench/support/``.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, and this file (graphql.py)
# would shadow graphql-core for every "import graphql" below: that entry goes last, after
# the installed packages, where ``support`` (bench/support/) is still found.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from support.databases import build_postgres, build_sqlite  # noqa: E402
from support.load import EndpointResults, load, percentiles, solo  # noqa: E402
from support.plain_inbox import KINDS, PAGE, Inbox, make_app  # noqa: E402
from support.profiling import profile_endpoints  # noqa: E402
from support.server import script_server  # noqa: E402

from alur.tenants.audit.keys import new_key_entry  # noqa: E402
from alur.tenants.identity.tokens import create_token  # noqa: E402
from alur.tenants.storage.database import close_database, open_database  # noqa: E402
from alur.tenants.storage.tables import Task, Tenant  # noqa: E402

# The throwaway databases need an audit key (required on PostgreSQL): a fresh one per run.
os.environ.setdefault("ALUR_AUDIT_KEY", new_key_entry("bench"))

OFFICE = "bench-01"
GOAL_RATIO_P99 = 2.0


def serve(database_url: str, port: int) -> None:
    """``--serve``: the app with the bench endpoint under uvicorn, one process."""
    import uvicorn

    uvicorn.run(
        make_app(database_url), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )


async def pick_inbox(url: str) -> Inbox:
    """The role (and unit) of ``bench-01`` with the most open tasks, and a read token."""
    db = await open_database(url, run_migrations=False)
    try:
        tenant = await Tenant.select(Tenant.id).where(Tenant.slug == OFFICE).first()
        if tenant is None:
            raise SystemExit(f"no office {OFFICE} in the database")
        rows = await Task.select(Task.role, Task.unit).where(
            (Task.tenant == tenant["id"]) & (Task.status == "open")
        )
        (role, unit), count = Counter((r["role"], r["unit"]) for r in rows).most_common(1)[0]
        if count < PAGE:
            raise SystemExit(f"only {count} open tasks for any role of {OFFICE}: use more --cases")
        token = (await create_token(f"bench-{time.time_ns()}", tenant=OFFICE)).token
    finally:
        await close_database(db)
    return Inbox(token, role, unit, count)


def rows_of(answer: dict[str, Any]) -> list[tuple[int, str, int]]:
    edges = answer["data"]["tasks"]["edges"]
    return [
        (e["node"]["number"], e["node"]["case"]["key"], e["node"]["step"]["number"]) for e in edges
    ]


async def same_rows(base: str, inbox: Inbox) -> int:
    """Both endpoints answer the same 50 tasks (same fields, same values)."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        answers = {}
        for kind in KINDS:
            r = await client.request(**inbox.request(kind))
            if r.status_code != 200 or "errors" in r.json():
                raise SystemExit(f"{kind}: {r.status_code} {r.text[:500]}")
            answers[kind] = r.json()
    graphql, plain = answers["graphql"], answers["plain"]
    if graphql != plain:
        diff = [
            (g, p)
            for g, p in zip(
                graphql["data"]["tasks"]["edges"], plain["data"]["tasks"]["edges"], strict=False
            )
            if g != p
        ]
        raise SystemExit(f"the endpoints disagree, e.g. {diff[:1] or (graphql, plain)}")
    return len(rows_of(graphql))


def measure(name: str, url: str, tmp: Path, args: argparse.Namespace) -> bool:
    inbox = asyncio.run(pick_inbox(url))
    unit = f", unit {inbox.unit}" if inbox.unit else ""
    print(f"  inbox: role {inbox.role}{unit} of {OFFICE}: {inbox.open_tasks} open tasks")
    if args.profile:
        asyncio.run(profile_endpoints(url, inbox, args.profile_rounds, args.profile_top))
    results = {kind: EndpointResults() for kind in KINDS}
    alone = {}
    with script_server(__file__, url, tmp) as base:
        rows = asyncio.run(same_rows(base, inbox))
        print(f"  both endpoints answer the same {rows} tasks")
        load_before = os.getloadavg()[0]
        for n in range(args.rounds):
            for kind in KINDS if n % 2 == 0 else KINDS[::-1]:
                request = inbox.request(kind)
                r = asyncio.run(load(base, request, args.clients, args.requests, args.warmup))
                results[kind].add(r)
        if args.solo:
            alone = {
                kind: asyncio.run(solo(base, inbox.request(kind), args.solo)) for kind in KINDS
            }
    print(
        f"  {name}: {args.clients} concurrent clients, {args.rounds} x {args.requests} requests"
        f" per endpoint; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        f" ({os.cpu_count()} CPUs)"
    )
    print(
        f"  {'endpoint':<8} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'p99 ms':>8} {'errors':>6}   1 client: p50 / p99 ms"
    )
    figures = {}
    for kind in KINDS:
        r = results[kind]
        p50, p95, p99 = percentiles(r.times)
        rate = len(r.times) / r.wall if r.wall else 0.0
        figures[kind] = (p50, p95, p99, rate)
        solo_text = ""
        if kind in alone:
            s50, _, s99 = percentiles(alone[kind].times)
            solo_text = f"   {s50:6.2f} / {s99:6.2f}"
        print(
            f"  {kind:<8} {len(r.times):>8} {rate:>7.1f} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}"
            f" {r.errors:>6}{solo_text}"
        )
        if r.samples:
            print(f"    first errors: {'; '.join(r.samples)}")
    g, p = figures["graphql"], figures["plain"]
    print(
        f"  graphql / plain: p50 {g[0] / p[0]:.2f}x, p95 {g[1] / p[1]:.2f}x, p99 {g[2] / p[2]:.2f}x;"
        f" throughput {g[3] / p[3]:.2f}x"
    )
    if alone:
        gs, ps = percentiles(alone["graphql"].times), percentiles(alone["plain"].times)
        print(f"  1 client, graphql / plain: p50 {gs[0] / ps[0]:.2f}x, p99 {gs[2] / ps[2]:.2f}x")
    met = g[2] <= GOAL_RATIO_P99 * p[2] and not any(results[k].errors for k in KINDS)
    print(f"  goal graphql p99 <= {GOAL_RATIO_P99:.0f}x plain p99: {'met' if met else 'not met'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=5, help="requests per client")
    parser.add_argument("--solo", type=int, default=200, help="per endpoint, one client; 0: skip")
    parser.add_argument("--tenants", type=int, default=1)
    parser.add_argument("--cases", type=int, default=200, help="per tenant")
    parser.add_argument("--parallel", type=int, default=2, help="offices provisioned at once (PG)")
    parser.add_argument("--cache", metavar="DIR", help="keep/reuse provisioned databases here")
    parser.add_argument("--profile", action="store_true", help="also profile in process")
    parser.add_argument("--profile-rounds", type=int, default=200)
    parser.add_argument("--profile-top", type=int, default=22, help="functions per profile")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.database_url, args.port)
        return
    if min(args.clients, args.requests, args.rounds, args.tenants, args.cases) < 1:
        parser.error("--clients, --requests, --rounds, --tenants and --cases must be at least 1")
    started = time.perf_counter()
    outcomes = []
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="alur-bench-graphql-")))
        sqlite_url = pg_url = None
        print(f"data: {args.tenants} office(s) x {args.cases} cases (bench/web.py's)")
        if args.backend in ("postgresql", "both"):
            from alur.tenants.testing.postgres import TemporaryPostgres

            pg = stack.enter_context(TemporaryPostgres(durable=True))
            pg_url = build_postgres(pg, args)
        if args.backend in ("sqlite", "both"):
            sqlite_url = build_sqlite(tmp, args, source=pg_url)
        if sqlite_url is not None:
            print("SQLite (WAL):")
            outcomes.append(("SQLite", measure("SQLite", sqlite_url, tmp, args)))
        if pg_url is not None:
            print("PostgreSQL:")
            outcomes.append(("PostgreSQL", measure("PostgreSQL", pg_url, tmp, args)))
    print(
        "summary: "
        + ", ".join(f"{name} {'met' if met else 'not met'}" for name, met in outcomes)
        + f"; benchmark ran {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
