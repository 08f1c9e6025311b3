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
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, and this file (graphql.py)
# would shadow graphql-core for every "import graphql" below: drop that entry first.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import cProfile  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402
import pstats  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from litestar import Controller, Request, Response, get  # noqa: E402

from alur.graphql.pagination import encode_cursor  # noqa: E402
from alur.tenants.audit.keys import new_key_entry  # noqa: E402
from alur.tenants.cases import listing, store  # noqa: E402
from alur.tenants.cases.snapshots import pinned_definitions  # noqa: E402
from alur.tenants.identity.tokens import authenticate, create_token  # noqa: E402
from alur.tenants.storage.database import close_database, open_database  # noqa: E402
from alur.tenants.storage.tables import Case, Task, Tenant  # noqa: E402
from alur.web.testing import free_port  # noqa: E402

# The throwaway databases need an audit key (required on PostgreSQL): a fresh one per run.
os.environ.setdefault("ALUR_AUDIT_KEY", new_key_entry("bench"))

SECRET_KEY = "bench-graphql-secret-" + "k" * 32
OFFICE = "bench-01"
PAGE = 50
GOAL_RATIO_P99 = 2.0
KINDS = ("plain", "graphql")
INBOX = """
query Inbox($role: String!, $unit: String) {
  tasks(first: 50, filter: {role: $role, unit: $unit}) {
    ... on TaskConnection {
      edges {
        node {
          number unit due overdue returnNote
          role { id name }
          step { number kegiatan waktu { text } output }
          case { key period status }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def bench_web() -> ModuleType:
    """``bench/web.py`` as a module (provisioning, the cache, percentiles, the SQL meter)."""
    spec = importlib.util.spec_from_file_location("alur_bench_web", Path(_HERE) / "web.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --- the plain endpoint (mounted in the server process only) -------------------------------


async def plain_inbox(authorization: str | None, role: str, unit: str | None) -> Any:
    """The first 50 open tasks of ``role`` (in ``unit``) with their case and step, as the
    GraphQL inbox reads them (same queries), shaped like its ``edges`` and ``pageInfo``."""
    scheme, _, token = (authorization or "").partition(" ")
    identity = await authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if identity is None or identity.tenant_id is None:
        return None
    now = datetime.now(UTC)
    wanted = listing.TaskFilter(role=role, unit=unit)
    rows = await listing.page_tasks(identity.tenant_id, wanted, now, first=PAGE)
    more, rows = len(rows) > PAGE, rows[:PAGE]
    case_ids = sorted({r["case"] for r in rows})
    cases = {
        c["id"]: c
        for c in await Case.select(*listing.CASE_COLUMNS).where(
            Case.id.is_in(case_ids or [-1]), Case.tenant == identity.tenant_id
        )
    }
    hashes = sorted({r["definition_hash"] for r in rows})
    definitions = await pinned_definitions(hashes)  # as the API's loader reads them
    edges = []
    for r in rows:
        d = definitions[r["definition_hash"]]
        step, task_role, case = (
            d.steps_by_number[r["step"]],
            d.roles_by_id[r["role"]],
            cases[r["case"]],
        )
        due = r["due"]
        edges.append(
            {
                "node": {
                    "number": r["task_no"],
                    "unit": r["unit"],
                    "due": due.isoformat() if due else None,
                    "overdue": due is not None and now > due,
                    "returnNote": r["return_note"],
                    "role": {"id": task_role.id, "name": task_role.name},
                    "step": {
                        "number": step.number,
                        "kegiatan": step.kegiatan,
                        "waktu": {"text": step.waktu.text},
                        "output": step.output,
                    },
                    "case": {
                        "key": case["key"],
                        "period": case["period"],
                        "status": case["status"].upper(),
                    },
                }
            }
        )
    end = encode_cursor("task", rows[-1]["due"], rows[-1]["id"]) if rows else None
    return {
        "data": {"tasks": {"edges": edges, "pageInfo": {"hasNextPage": more, "endCursor": end}}}
    }


class BenchInbox(Controller):
    """``GET /bench/inbox?role=…&unit=…`` with ``Authorization: Bearer …``."""

    path = "/bench"

    # Like /graphql, no session: the bearer token authenticates (a session row read would
    # cost the plain endpoint a statement the API does not pay).
    @get("/inbox", opt={"skip_session": True})
    async def inbox(self, request: Request[Any, Any, Any]) -> Response:
        params = request.query_params
        answer = await plain_inbox(
            request.headers.get("authorization"), params.get("role", ""), params.get("unit")
        )
        if answer is None:
            return Response({"errors": [{"message": "unauthenticated"}]}, status_code=401)
        return Response(answer)


def make_app(database_url: str) -> Any:
    from alur.graphql.limits import ApiLimits
    from alur.web.app import create_app
    from alur.web.settings import WebSettings

    settings = WebSettings(database_url=database_url, secret_key=SECRET_KEY)
    # every request of the one bench token is still counted (that write is part of what a
    # request costs), but never refused: the bench measures speed, not the rate limit
    limits = ApiLimits(rate_limit=10**9)
    return create_app(settings, extra_controllers=(BenchInbox,), graphql_limits=limits)


def serve(database_url: str, port: int) -> None:
    """``--serve``: the app with the bench endpoint under uvicorn, one process."""
    import uvicorn

    uvicorn.run(
        make_app(database_url), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )


@contextlib.contextmanager
def server(web: ModuleType, url: str, tmp: Path) -> Iterator[str]:
    """This script with ``--serve`` on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    log_path = tmp / f"server-{port}.log"
    command = [sys.executable, __file__, "--serve", "--port", str(port), "--database-url", url]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=tmp, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited ({proc.returncode}):\n{web.tail(log_path)}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer within 90 s:\n{web.tail(log_path)}")
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if "Traceback" in log_path.read_text(errors="replace"):
            print(f"  server log has errors:\n{web.tail(log_path)}")


# --- the inbox to read ---------------------------------------------------------------------


@dataclass
class Inbox:
    token: str
    role: str
    unit: str | None
    open_tasks: int

    def request(self, kind: str) -> dict[str, Any]:
        """httpx request arguments for one inbox read over ``kind``."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if kind == "graphql":
            variables = {"role": self.role, "unit": self.unit}
            body = {"query": INBOX, "variables": variables, "operationName": "Inbox"}
            return {"method": "POST", "url": "/graphql", "json": body, "headers": headers}
        params = {"role": self.role, **({"unit": self.unit} if self.unit else {})}
        return {"method": "GET", "url": "/bench/inbox", "params": params, "headers": headers}


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


# --- load ----------------------------------------------------------------------------------


@dataclass
class Results:
    times: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    wall: float = 0.0

    def add(self, other: Results) -> None:
        self.times += other.times
        self.errors += other.errors
        self.samples += other.samples[: 5 - len(self.samples)]
        self.wall += other.wall


async def one(client: httpx.AsyncClient, request: dict[str, Any], into: Results) -> None:
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
    base: str, inbox: Inbox, kind: str, clients: int, requests: int, warmup: int
) -> Results:
    """``clients`` clients together make ``requests`` requests of ``kind`` (after each made
    ``warmup``)."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    pool = [httpx.AsyncClient(base_url=base, timeout=120, limits=limits) for _ in range(clients)]
    request = inbox.request(kind)
    results = Results()
    try:

        async def run(client: httpx.AsyncClient, count: int, into: Results) -> None:
            for _ in range(count):
                await one(client, request, into)

        await asyncio.gather(*(run(c, warmup, Results()) for c in pool))
        share = [requests // clients + (i < requests % clients) for i in range(clients)]
        t0 = time.perf_counter()
        await asyncio.gather(*(run(c, n, results) for c, n in zip(pool, share, strict=True)))
        results.wall = time.perf_counter() - t0
    finally:
        await asyncio.gather(*(c.aclose() for c in pool))
    return results


async def solo(base: str, inbox: Inbox, kind: str, requests: int) -> Results:
    results = Results()
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        request = inbox.request(kind)
        for _ in range(10):
            await one(client, request, Results())
        t0 = time.perf_counter()
        for _ in range(requests):
            await one(client, request, results)
        results.wall = time.perf_counter() - t0
    return results


# --- profiling -----------------------------------------------------------------------------


async def profile(web: ModuleType, url: str, inbox: Inbox, rounds: int, top: int = 22) -> None:
    """Each endpoint ``rounds`` times in this process, one request at a time."""
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    meter = web.Meter()
    meter.wrap_sql(SQLiteEngine)
    meter.wrap_sql(PostgresEngine)
    meter.wrap_sync(store, "definition_from_mapping", "snapshot parse")
    app = make_app(url)
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
        ):
            logging.getLogger("httpx").setLevel(logging.WARNING)
            for kind in KINDS:
                for _ in range(10):
                    await client.request(**inbox.request(kind))
            print(f"  in process, one request at a time, {rounds} of each")
            print(f"  {'endpoint':<8} {'ms/req':>7} {'SQL/req':>8} {'SQL ms':>7} {'parse ms':>8}")
            profiles, statements = {}, {}
            for kind in KINDS:
                meter.reset()
                t0 = time.perf_counter()
                for _ in range(rounds):
                    r = await client.request(**inbox.request(kind))
                    assert r.status_code == 200, r.text[:300]
                took = (time.perf_counter() - t0) / rounds * 1000
                statements[kind] = dict(meter.statements)
                calls = {k: v / rounds for k, v in meter.calls.items()}
                ms = {k: v * 1000 / rounds for k, v in meter.seconds.items()}
                print(
                    f"  {kind:<8} {took:>7.2f} {calls.get('sql', 0):>8.1f}"
                    f" {ms.get('sql', 0):>7.2f} {ms.get('snapshot parse', 0):>8.2f}"
                )
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(rounds):
                    await client.request(**inbox.request(kind))
                prof.disable()
                profiles[kind] = prof
            for kind, shapes in statements.items():
                print(f"  SQL of {kind}, per request:")
                for shape, (calls, seconds) in sorted(shapes.items(), key=lambda kv: -kv[1][1]):
                    short = shape if len(shape) <= 100 else shape[:97] + "..."
                    print(f"    {calls / rounds:4.1f} x {seconds / calls * 1000:5.2f} ms  {short}")
            for kind, prof in profiles.items():
                for order in ("tottime", "cumulative"):
                    out = io.StringIO()
                    pstats.Stats(prof, stream=out).strip_dirs().sort_stats(order).print_stats(top)
                    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
                    start = next(i for i, ln in enumerate(lines) if "ncalls" in ln)
                    print(f"  cProfile, {kind} (top {top} by {order}):")
                    for ln in lines[start : start + top + 1]:
                        print("    " + ln)
    finally:
        meter.restore()


# --- the run -------------------------------------------------------------------------------


def percentiles(times: list[float]) -> tuple[float, float, float]:
    if len(times) < 2:
        return (times[0] * 1000,) * 3 if times else (float("nan"),) * 3
    q = statistics.quantiles(times, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000, q[98] * 1000


def measure(web: ModuleType, name: str, url: str, tmp: Path, args: argparse.Namespace) -> bool:
    inbox = asyncio.run(pick_inbox(url))
    unit = f", unit {inbox.unit}" if inbox.unit else ""
    print(f"  inbox: role {inbox.role}{unit} of {OFFICE}: {inbox.open_tasks} open tasks")
    if args.profile:
        asyncio.run(profile(web, url, inbox, args.profile_rounds, args.profile_top))
    results = {kind: Results() for kind in KINDS}
    alone = {}
    with server(web, url, tmp) as base:
        rows = asyncio.run(same_rows(base, inbox))
        print(f"  both endpoints answer the same {rows} tasks")
        load_before = os.getloadavg()[0]
        for n in range(args.rounds):
            for kind in KINDS if n % 2 == 0 else KINDS[::-1]:
                r = asyncio.run(load(base, inbox, kind, args.clients, args.requests, args.warmup))
                results[kind].add(r)
        if args.solo:
            alone = {kind: asyncio.run(solo(base, inbox, kind, args.solo)) for kind in KINDS}
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
    web = bench_web()
    started = time.perf_counter()
    outcomes = []
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="alur-bench-graphql-")))
        sqlite_url = pg_url = None
        print(f"data: {args.tenants} office(s) x {args.cases} cases (bench/web.py's)")
        if args.backend in ("postgresql", "both"):
            from alur.tenants.testing.postgres import TemporaryPostgres

            pg = stack.enter_context(TemporaryPostgres(durable=True))
            pg_url = web.build_postgres(pg, args)
        if args.backend in ("sqlite", "both"):
            sqlite_url = web.build_sqlite(tmp, args, source=pg_url)
        if sqlite_url is not None:
            print("SQLite (WAL):")
            outcomes.append(("SQLite", measure(web, "SQLite", sqlite_url, tmp, args)))
        if pg_url is not None:
            print("PostgreSQL:")
            outcomes.append(("PostgreSQL", measure(web, "PostgreSQL", pg_url, tmp, args)))
    print(
        "summary: "
        + ", ".join(f"{name} {'met' if met else 'not met'}" for name, met in outcomes)
        + f"; benchmark ran {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
