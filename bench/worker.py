"""The worker's sweep and deliveries on PostgreSQL, at a province's size.

For each size it builds, with bulk SQL (``generate_series``), ``--offices`` offices × 100
open tasks (one case each, step 1 open, a remind-due and an escalation timer per task), one
Staf per office with an email address, and makes ``--due`` of the remind-due timers due
(spread over the offices); then it measures:

* **one sweep**: :func:`alur.tenants.clock.sweep.sweep` firing every due timer (the event on
  the case's chain, the notice, the email delivery, the timer deleted — one transaction
  each), and prints the plan of the sweep's timer query;
* **deliveries/s**: the deliveries the sweep made, sent to a local SMTP server (aiosmtpd in a
  thread) by :func:`alur.tenants.clock.jobs.deliver_all` with the worker's concurrency; and as
  many signed webhook deliveries to a local HTTP receiver (the standard library's threading
  server), the same way.

Goal (issue 13): with 100,000 open tasks and 1% due, one sweep ≤ 1 s, and the sweep's time
does not grow with the tasks that are not due (compare the sizes: same due count, 10× the
open tasks).

    .venv/bin/python bench/worker.py [--sizes 100,1000] [--due 1000] [--concurrency 8]

PostgreSQL runs in a throwaway cluster with its durable settings (fsync on). Note the load
average it prints next to any figure you quote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

from aiosmtpd.controller import Controller

from alur.core import (
    Duration,
    Role,
    SopDefinition,
    SopHeader,
    Step,
    StepKind,
    WorkingCalendar,
    create_plugin_manager,
    ensure_valid,
)
from alur.core.calendar import JAKARTA
from alur.core.engine import Actor, Context, Membership, StartCase, start
from alur.core.engine.codec import state_to_dict
from alur.tenants.audit.keys import new_key_entry
from alur.tenants.cases.store import CaseStore
from alur.tenants.clock.jobs import deliver_all
from alur.tenants.clock.sweep import _NEXT_TIMER, LANES, sweep
from alur.tenants.notify.deliver import build_channels
from alur.tenants.notify.records import record_webhook_deliveries
from alur.tenants.notify.settings import DeliverySettings
from alur.tenants.storage.database import Database, close_database, open_database
from alur.tenants.storage.tables import Tenant, Webhook

os.environ.setdefault("ALUR_AUDIT_KEY", new_key_entry("bench"))
os.environ.setdefault("ALUR_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8")  # the local receiver

TASKS_PER_OFFICE = 100
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=JAKARTA)  # every case started then
NOW = datetime(2026, 11, 23, 11, 0, tzinfo=JAKARTA)  # when the sweep runs
DUE = NOW - timedelta(hours=1)  # a due timer
LATER = NOW + timedelta(days=30)  # a timer not due


def bench_sop() -> SopDefinition:
    steps = (
        Step(
            1,
            "Mengisi data kinerja",
            "staf",
            StepKind.START,
            waktu=Duration.parse("1 hari"),
            next=2,
        ),
        Step(2, "Menandatangani", "kepala", StepKind.END, waktu=Duration.parse("1 jam")),
    )
    roles = (Role("staf", "Staf", 1, atasan="kepala"), Role("kepala", "Kepala", 5))
    return ensure_valid(SopDefinition("bench", "1", SopHeader("B/1", "Bench"), roles, steps))


async def build(db: Database, offices: int, due: int) -> None:
    d = bench_sop()
    await CaseStore(db).pin_definition("bench", d)
    ctx = Context(Actor("1", "Staf", (Membership("staf"),)), T0, WorkingCalendar())
    state = start(d, StartCase("TEMPLATEKEY", "Triwulan IV 2026"), ctx).state
    template = json.dumps(state_to_dict(state))
    cases = offices * TASKS_PER_OFFICE
    every = max(cases // due, 1)
    statements = [
        (
            "INSERT INTO alur_tenant (slug, name, plugin, sops, office_start, office_end, timezone, "
            "suspended, chain_seq, chain_head, created_at, clock_policy) "
            "SELECT 'office-' || n, 'Office ' || n, 'bench', '[]', '07:30', '16:00', 'Asia/Jakarta', "
            "false, 0, '', now(), {} FROM generate_series(1, {}) n",
            json.dumps({"digest": False}),
            offices,
        ),
        (
            "INSERT INTO alur_user (username, name, nip, jabatan, password_hash, active, created_at, "
            "email, whatsapp, channels, digest_only, after_hours, language) "
            "SELECT 'staf-' || n, 'Staf ' || n, '', 'Staf', 'x', true, now(), "
            "'staf-' || n || '@example.org', '', '[]', false, false, 'id' FROM generate_series(1, {}) n",
            offices,
        ),
        (
            'INSERT INTO alur_membership (tenant, "user", role, unit, administrator) '
            "SELECT n, n, 'staf', NULL, false FROM generate_series(1, {}) n",
            offices,
        ),
        (
            "INSERT INTO alur_case (tenant, key, plugin, sop_id, definition_hash, period, status, "
            "state, last_seq, started_by, started_at, updated_at, ended_at) "
            "SELECT t, 'c' || t || '-' || i, 'bench', 'bench', {}, 'Triwulan IV 2026', 'active', "
            "CAST(replace({}, 'TEMPLATEKEY', 'c' || t || '-' || i) AS JSON), {}, NULL, {}, {}, NULL "
            "FROM generate_series(1, {}) t, generate_series(1, {}) i",
            d.content_hash,
            template,
            state.last_seq,
            T0,
            T0,
            offices,
            TASKS_PER_OFFICE,
        ),
        (
            'INSERT INTO alur_task (tenant, "case", task_no, step, unit, role, status, opened_at, '
            "due, assignee, return_note, closed_at, escalated_role) "
            "SELECT c.tenant, c.id, 1, 1, NULL, 'staf', 'open', {}, {}, NULL, '', NULL, NULL "
            "FROM alur_case c",
            T0,
            DUE,
        ),
        (
            'INSERT INTO alur_timer (tenant, "case", task_no, kind, fires_at, to_role) '
            "SELECT c.tenant, c.id, 1, 'remind_due', "
            "CASE WHEN c.id % {} = 0 THEN CAST({} AS TIMESTAMPTZ) ELSE CAST({} AS TIMESTAMPTZ) END, '' "
            "FROM alur_case c",
            every,
            DUE,
            LATER,
        ),
        (
            'INSERT INTO alur_timer (tenant, "case", task_no, kind, fires_at, to_role) '
            "SELECT c.tenant, c.id, 1, 'escalate', {}, 'kepala' FROM alur_case c",
            LATER,
        ),
    ]
    for sql, *args in statements:
        await Tenant.raw(sql, *args)
    await Tenant.raw("ANALYZE")


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.count += 1
        return "250 OK"


class Receiver(BaseHTTPRequestHandler):
    count = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.count += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


async def webhook_rate(
    channels: dict, settings: DeliverySettings, count: int, concurrency: int
) -> tuple[int, int, float]:
    """``count`` signed webhook deliveries of office 1 to a local receiver: (sent, received,
    per second)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/alur"
        await Webhook(tenant=1, url=url, secret="whsec_bench", events=[], active=True).save()
        ids: list[int] = []
        for n in range(count):
            body = {"id": f"bench:{n}", "kind": "task_reminded", "office": "office-1"}
            ids += await record_webhook_deliveries(1, body, body["id"], now=NOW)
        Receiver.count = 0
        started = time.perf_counter()
        outcomes = await deliver_all(ids, NOW, channels, settings, concurrency)
        took = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    sent = sum(o.status == "sent" for o in outcomes)
    return sent, Receiver.count, sent / took if took else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def measure(
    url: str, offices: int, due: int, concurrency: int, lanes: int = LANES
) -> dict[str, float]:
    db = await open_database(url)
    try:
        started = time.perf_counter()
        await build(db, offices, due)
        built = time.perf_counter() - started
        open_tasks = (await Tenant.raw("SELECT count(*) AS n FROM alur_task"))[0]["n"]
        timers = (await Tenant.raw("SELECT count(*) AS n FROM alur_timer"))[0]["n"]
        plan = await Tenant.raw(
            "EXPLAIN "
            + _NEXT_TIMER.format("{}", skip="", lock="FOR UPDATE OF tm, c, t SKIP LOCKED"),
            NOW,
        )
        scan = [r["QUERY PLAN"].strip() for r in plan if "alur_timer" in r["QUERY PLAN"]]
        plugins = create_plugin_manager(load_entrypoints=False, environ={})
        started = time.perf_counter()
        result = await sweep(db, plugins, NOW, limit=due * 2, lanes=lanes)
        swept = time.perf_counter() - started

        sink = Sink()
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            settings = DeliverySettings.from_env(
                {"ALUR_SMTP_URL": f"smtp://127.0.0.1:{port}", "ALUR_SMTP_FROM": "alur@example.org"}
            )
            channels = build_channels(plugins, settings)
            started = time.perf_counter()
            outcomes = await deliver_all(result.deliveries, NOW, channels, settings, concurrency)
            sent = time.perf_counter() - started
        finally:
            controller.stop()
        hooks = await webhook_rate(channels, settings, due, concurrency)
        ok = sum(o.status == "sent" for o in outcomes)
        return {
            "offices": offices,
            "open": open_tasks,
            "timers": timers,
            "built_s": built,
            "fired": result.fired,
            "sweep_s": swept,
            "per_timer_ms": 1000 * swept / max(result.fired, 1),
            "sent": ok,
            "received": sink.count,
            "deliveries_per_s": ok / sent if sent else 0.0,
            "webhooks_sent": hooks[0],
            "webhooks_received": hooks[1],
            "webhooks_per_s": hooks[2],
            "plan": " / ".join(scan),
        }
    finally:
        await close_database(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="offices per run, comma-separated")
    parser.add_argument("--due", type=int, default=1000, help="due timers in each run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--lanes", type=int, default=LANES, help="the sweep's transactions at once")
    args = parser.parse_args()
    from alur.tenants.testing.postgres import TemporaryPostgres

    print(f"CPUs {os.cpu_count()}, load average {os.getloadavg()}")
    with TemporaryPostgres(durable=True) as pg:
        for n, offices in enumerate(int(s) for s in args.sizes.split(",")):
            name = f"bench_worker_{n}"
            pg.create_database(name)
            r = asyncio.run(measure(pg.url(name), offices, args.due, args.concurrency, args.lanes))
            print(
                f"{r['offices']} offices, {r['open']} open tasks, {r['timers']} timers "
                f"(built in {r['built_s']:.1f} s): one sweep fired {r['fired']} in "
                f"{r['sweep_s']:.2f} s ({r['per_timer_ms']:.2f} ms per timer); "
                f"{r['sent']} emails sent ({r['received']} received) at "
                f"{r['deliveries_per_s']:.0f}/s with concurrency {args.concurrency}; "
                f"{r['webhooks_sent']} webhook deliveries ({r['webhooks_received']} received) "
                f"at {r['webhooks_per_s']:.0f}/s"
            )
            print(f"  timer query: {r['plan']}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
