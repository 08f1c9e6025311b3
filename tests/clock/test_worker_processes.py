"""The worker as a process: killed (SIGKILL) in the middle of a sweep and of a delivery round
and started again, nothing is lost, each timer fires once and the chain verifies; the
at-least-once window (a message the SMTP server accepted just before the kill) repeats at
most the messages in flight, with the same Message-ID. Two workers at once on PostgreSQL
send nothing twice. ``alur worker`` (the procrastinate queue) sends and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import anyio
import pytest

from alur.core import AlurPlugins
from alur.tenants.cases.store import CaseStore
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Delivery, Event, Notification, Timer
from tests.cases.store_helpers import Office, start_contoh
from tests.clock.clock_helpers import SmtpServer, emailed_office

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

ALUR = str(Path(sys.executable).parent / "alur")
NOW = "2026-11-26T10:00:00+07:00"  # every timer of step 1 of the cases below is due
CASES = 30  # x 3 timers (two reminders to the staf, one escalation to the kasubag)
IN_FLIGHT = 8
ONCE = ("--once", "--now", NOW, "--concurrency", str(IN_FLIGHT))


def worker(url: str, smtp: SmtpServer, *args: str, **env: str) -> subprocess.Popen[str]:
    environ = {
        **os.environ,
        "ALUR_DATABASE_URL": url,
        "ALUR_SMTP_URL": smtp.url,
        "ALUR_SMTP_FROM": "alur@example.org",
        "ALUR_DELIVERY_LEASE": "1",  # a killed worker's deliveries are taken again after 1 s
        **env,
    }
    return subprocess.Popen(
        [ALUR, "worker", *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str], seconds: float = 120) -> str:
    out, _ = process.communicate(timeout=seconds)
    assert process.returncode == 0, out
    return out


async def busy_office(database: Database, plugins: AlurPlugins) -> Office:
    office = await emailed_office(database, plugins, after_hours=True)
    svc = await office.service()
    for i in range(CASES):
        await start_contoh(svc, office, period=f"Tahun {2000 + i}")
    assert await Timer.count() == 3 * CASES
    return office


async def wait_for(condition, seconds: float) -> bool:
    """Poll ``await condition()`` every 10 ms, at most ``seconds`` (bounded by time and count)."""
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds * 100)):
        if await condition() or time.monotonic() > deadline:
            break
        await anyio.sleep(0.01)
    return bool(await condition())


async def assert_all_delivered_once(office: Office, smtp: SmtpServer, *, repeats: int) -> None:
    """Each timer fired once (one event each), every notice delivered, the chain intact, and
    at most ``repeats`` messages received twice (each with its own Message-ID kept)."""
    assert await Timer.count() == 0
    events = await Event.select(Event.task_no, Event.case, Event.kind, Event.payload).where(
        Event.kind.is_in(["task_reminded", "task_escalated"])
    )
    assert len(events) == 3 * CASES
    assert await Notification.count() == 3 * CASES
    statuses = Counter(d["status"] for d in await Delivery.select(Delivery.status))
    assert statuses == {"sent": 3 * CASES}
    received = Counter(m.key for m in smtp.all())
    assert set(received) == {d["key"] for d in await Delivery.select(Delivery.key)}
    twice = {k: n for k, n in received.items() if n > 1}
    assert sum(n - 1 for n in twice.values()) <= repeats, twice
    for m in smtp.all():  # a repeat carries the same Message-ID as the first copy
        assert m.message_id == next(x.message_id for x in smtp.all() if x.key == m.key)
    store = CaseStore(office.db)
    report = await store.verify_chain(office.ref)
    assert report.ok, str(report)
    assert await store.verify_cases(office.ref) == []


async def test_a_killed_worker_loses_nothing_and_repeats_at_most_what_was_in_flight(
    database: Database, database_url: str, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await busy_office(database, plugins)
    smtp.delay = 0.03  # slow enough to be killed while sending

    # 1. killed in the middle of the sweep: some timers fired, not all
    first = worker(database_url, smtp, *ONCE)
    assert await wait_for(lambda: _fewer_timers(3 * CASES), 60)
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    fired_before_kill = 3 * CASES - await Timer.count()

    # 2. killed in the middle of the deliveries: some messages received, not all
    second = worker(database_url, smtp, *ONCE)
    assert await wait_for(lambda: _received_at_least(smtp, 10), 60)
    second.send_signal(signal.SIGKILL)
    second.wait(30)
    assert len(smtp.all()) < 3 * CASES

    # 3. started again after the lease: it finishes the work
    await anyio.sleep(1.2)
    finish(worker(database_url, smtp, *ONCE))
    # The at-least-once window: a message whose DATA the killed worker had sent in full,
    # but whose "250" it had not yet recorded, is taken by the server all the same and
    # sent again after the lease. At most the messages in flight: --concurrency.
    await assert_all_delivered_once(office, smtp, repeats=IN_FLIGHT)
    assert 0 < fired_before_kill <= 3 * CASES

    # 4. and again: nothing more
    before = len(smtp.all())
    out = finish(worker(database_url, smtp, "--once", "--now", NOW))
    assert "timers fired 0" in out
    assert len(smtp.all()) == before


async def test_two_workers_at_once_on_postgresql_send_nothing_twice(
    fresh_databases, plugins: AlurPlugins, smtp: SmtpServer, anyio_backend: str
) -> None:
    from alur.tenants.storage.database import close_database, open_database

    url = fresh_databases.url("postgresql")
    db = await open_database(url, run_migrations=False)
    try:
        office = await busy_office(db, plugins)
        smtp.delay = 0.005
        workers = [
            worker(url, smtp, "--once", "--now", NOW, "--concurrency", "4") for _ in range(2)
        ]
        outs = [finish(w) for w in workers]
        fired = [int(o.split("timers fired ")[1].split(",")[0]) for o in outs]
        assert sum(fired) == 3 * CASES, outs  # each timer fired by exactly one of them
        await assert_all_delivered_once(office, smtp, repeats=0)
    finally:
        await close_database(db)


async def test_the_queue_worker_sends_and_stops_on_sigterm(
    database: Database, database_url: str, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    """``alur worker`` without --once: procrastinate runs the sweep at start and every minute,
    the deliveries as jobs; SIGTERM stops it cleanly."""
    office = await emailed_office(database, plugins, after_hours=True)
    from tests.cases.store_helpers import Clock

    office.clock = Clock()  # 23 Nov 2026: by the real clock every timer is long due
    await start_contoh(await office.service(), office)
    process = worker(database_url, smtp)
    try:
        assert await wait_for(lambda: _received_at_least(smtp, 3), 60), _output(process)
    finally:
        process.send_signal(signal.SIGTERM)
        out = process.communicate(timeout=60)[0]
    assert process.returncode == 0, out
    assert "Traceback" not in out
    assert sorted(m.recipients[0] for m in smtp.all()) == [
        "kasubag@example.org",
        "staf@example.org",
        "staf@example.org",
    ]
    if not database.is_sqlite:  # procrastinate's tables were made at start
        rows = await Timer.raw("SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS made")
        assert rows[0]["made"]


async def _fewer_timers(n: int) -> bool:
    return await Timer.count() < n


async def _received_at_least(smtp: SmtpServer, n: int) -> bool:
    return len(smtp.all()) >= n


def _output(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        return "(still running)"
    return process.stdout.read() if process.stdout else ""


async def test_serve_runs_the_jobs_in_process_on_sqlite(
    fresh_databases, plugins: AlurPlugins, smtp: SmtpServer, tmp_path: Path, anyio_backend: str
) -> None:
    """``alur serve`` on SQLite sends the reminders itself (nothing else to start) and stops
    cleanly on SIGTERM."""
    from alur.tenants.storage.database import close_database, open_database

    url = fresh_databases.url("sqlite")
    db = await open_database(url, run_migrations=False)
    try:
        office = await emailed_office(db, plugins, after_hours=True)
        await start_contoh(await office.service(), office)  # 23 Nov 2026: long due by now
    finally:
        await close_database(db)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environ = {
        **os.environ,
        "ALUR_DATABASE_URL": url,
        "ALUR_SMTP_URL": smtp.url,
        "ALUR_SECRET_KEY": "x" * 40,
    }
    environ.pop("ALUR_WORKER_IN_PROCESS", None)
    process = subprocess.Popen(
        [ALUR, "serve", "--port", str(port)],
        env=environ,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert await wait_for(lambda: _received_at_least(smtp, 3), 60), _output(process)
    finally:
        process.send_signal(signal.SIGTERM)
        out = process.communicate(timeout=60)[0]
    assert "The worker's jobs run in this process" in out
    assert "Traceback" not in out, out
    assert len(smtp.all()) == 3


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        ("sqlite:///alur.db", {}, True),
        ("postgresql://u@h/db", {}, False),
        ("sqlite:///alur.db", {"ALUR_WORKER_IN_PROCESS": "0"}, False),
        ("postgresql://u@h/db", {"ALUR_WORKER_IN_PROCESS": "1"}, True),
    ],
)
def test_serve_runs_jobs_by_default_on_sqlite_only(url: str, env: dict, expected: bool) -> None:
    from alur.cli.worker_cmd import in_process_default

    assert in_process_default(url, env) is expected
