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
SQLite in a temporary WAL file; only 127.0.0.1 is used. The shared parts live in
``bench/support/`` (provisioning, databases, server, load, profiling).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Run as a script, bench/ comes first on sys.path, where bench/graphql.py would shadow
# graphql-core once the app (alur.web.app imports the GraphQL API) is imported: bench/ goes
# last, after the installed packages, where ``support`` (bench/support/) is still found.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from support.databases import build_postgres, build_sqlite  # noqa: E402
from support.load import PAGES, Results, percentiles, pick_users, run_solo, run_users  # noqa: E402
from support.profiling import profile_pages  # noqa: E402
from support.server import app_server  # noqa: E402

from alur.tenants.audit.keys import new_key_entry  # noqa: E402

# The throwaway databases need an audit key (required on PostgreSQL): a fresh one per run.
os.environ.setdefault("ALUR_AUDIT_KEY", new_key_entry("bench"))

SECRET_KEY = "bench-web-secret-" + "k" * 32
GOAL_P95_MS = 100.0


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


def measure(name: str, url: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    users = asyncio.run(pick_users(url, args.users))
    if args.profile:
        asyncio.run(profile_pages(url, users[0], args.profile_rounds, SECRET_KEY))
    with app_server(url, args.workers, tmp, SECRET_KEY) as base:
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
