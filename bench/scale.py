"""Scale-out on one PostgreSQL (issue 15): transitions per second with 1, 2 and 4 app
processes and 8-32 clients, against pgbench's read-write TPS on the same server in the same
run; and the inbox and case pages' p95 with many offices against few.

Transitions go through the real HTTP app, as GraphQL ``claimTask`` / ``unclaimTask`` with
write tokens (each one a whole transition: the case loaded, the engine run, the
compare-and-set, a hash-chained event, the task rows and the office's chain head, in one
transaction; plus the token check and the API rate count the door adds). Each client has an
office of its own, as a province's offices each have their own chain.

Targets: Alur >= 60% of pgbench's TPS; >= 500 transitions/s sustained on a 2-core machine;
pages' p95 with 1,000 offices <= 1.2x the p95 with 10.

    .venv/bin/python bench/scale.py [--processes 1,2,4] [--clients 8,16,32] [--seconds 10]
        [--pool 10] [--offices 10,1000] [--cases 2] [--requests 400] [--cache DIR]
        [--skip-pages] [--skip-transitions]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from types import SimpleNamespace  # noqa: E402

from support.databases import build_postgres  # noqa: E402
from support.load import PAGES, percentiles, pick_users, run_users  # noqa: E402
from support.server import app_server  # noqa: E402
from support.transitions import drive, provision_writers  # noqa: E402

from alur.tenants.audit.keys import new_key_entry  # noqa: E402
from alur.tenants.testing.postgres import TemporaryPostgres  # noqa: E402
from alur.web.testing import serving_app  # noqa: E402

os.environ.setdefault("ALUR_AUDIT_KEY", new_key_entry("bench"))
SECRET_KEY = "bench-scale-secret-" + "k" * 32
GOAL_RATIO, GOAL_RATE, GOAL_PAGES = 0.60, 500.0, 1.2


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def pgbench_tps(pg: TemporaryPostgres, clients: int, seconds: int) -> float:
    assert pg.bindir is not None
    url = pg.url("pgbench")
    bench = [str(pg.bindir / "pgbench"), "-n", "-c", str(clients), "-j", "2", "-T", str(seconds)]
    done = subprocess.run([*bench, url], capture_output=True, text=True, timeout=seconds + 120)
    found = re.search(r"tps = ([\d.]+)", done.stdout)
    if found is None:
        raise SystemExit(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    return float(found.group(1))


def transitions(args: argparse.Namespace, tmp: Path) -> None:
    with TemporaryPostgres(durable=True, max_connections=300) as pg:
        url = pg.create_database("alur")
        most = max(ints(args.clients))
        writers = asyncio.run(provision_writers(url, most, args.cases))
        pg.create_database("pgbench")
        init = [str(pg.bindir / "pgbench"), "-i", "-q", "-s", "10", pg.url("pgbench")]
        subprocess.run(init, check=True, capture_output=True, timeout=600)
        print(f"transitions/s (GraphQL claim/unclaim, {args.seconds:.0f} s each), {load()}")
        print(
            f"  {'processes':>9} {'clients':>7} {'trans/s':>8} {'errors':>6} {'pgbench tps':>11}"
            f" {'ratio':>6}"
        )
        best = 0.0
        for processes in ints(args.processes):
            env = {
                "ALUR_SECRET_KEY": SECRET_KEY,
                "ALUR_DATABASE_POOL_SIZE": str(args.pool),
                "ALUR_GRAPHQL_RATE_LIMIT": "0",
            }
            with serving_app(
                url,
                tmp,
                environ=env,
                workers=processes,
                options=("--no-access-log",),
                startup_timeout=90,
            ) as app:
                for clients in ints(args.clients):
                    asyncio.run(drive(app.base, writers[:clients], 2.0))  # warm-up
                    got = asyncio.run(drive(app.base, writers[:clients], args.seconds))
                    rate = got.done / got.wall if got.wall else 0.0
                    tps = pgbench_tps(pg, clients, int(args.seconds))
                    best = max(best, rate)
                    print(
                        f"  {processes:>9} {clients:>7} {rate:>8.0f} {got.errors:>6}"
                        f" {tps:>11.0f} {rate / tps:>6.0%}  {load()}"
                    )
                    if got.samples:
                        print(f"    errors: {got.samples}")
        print(
            f"  best {best:.0f} transitions/s: goal >= {GOAL_RATE:.0f}/s "
            f"{'met' if best >= GOAL_RATE else 'NOT met'}; the ratio goal is >= {GOAL_RATIO:.0%}"
        )


def pages(args: argparse.Namespace, tmp: Path) -> None:
    p95: dict[int, dict[str, float]] = {}
    for offices in ints(args.offices):
        with TemporaryPostgres(durable=True) as pg:
            ns = SimpleNamespace(cache=args.cache, tenants=offices, cases=args.cases, parallel=2)
            url = build_postgres(pg, ns)
            users = asyncio.run(pick_users(url, 16))
            with app_server(url, 1, tmp, SECRET_KEY) as base:
                r = asyncio.run(run_users(base, users, args.requests, 5, 300.0))
            p95[offices] = {page: percentiles(r.times[page])[1] for page in PAGES}
            errors = sum(r.errors.values())
            print(
                f"  {offices:>5} offices: "
                + ", ".join(f"{page} p95 {p95[offices][page]:.0f} ms" for page in PAGES)
                + f", errors {errors}; {load()}"
            )
    few, many = min(p95), max(p95)
    for page in PAGES:
        ratio = p95[many][page] / p95[few][page]
        verdict = "met" if ratio <= GOAL_PAGES else "NOT met"
        print(
            f"  {page}: p95 with {many} offices / with {few} = {ratio:.2f}x "
            f"(goal <= {GOAL_PAGES}x: {verdict})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--clients", default="8,16,32")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pool", type=int, default=10, help="ALUR_DATABASE_POOL_SIZE")
    parser.add_argument("--offices", default="10,1000")
    parser.add_argument("--cases", type=int, default=2, help="cases per office")
    parser.add_argument("--requests", type=int, default=400, help="per page, 16 users")
    parser.add_argument("--cache", default=None)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-transitions", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alur-bench-scale-") as tmp:
        if not args.skip_transitions:
            transitions(args, Path(tmp))
        if not args.skip_pages:
            print(f"pages under 16 users, {args.requests} of each: {load()}")
            pages(args, Path(tmp))


if __name__ == "__main__":
    main()
