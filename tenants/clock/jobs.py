"""The worker's jobs, on procrastinate: the sweep, deliveries, the daily digest, clean-up.

=====================  ==============  ===============================================
job                    when            what
=====================  ==============  ===============================================
``alur.sweep``         every minute    fire the due timers (:mod:`~alur.tenants.clock.sweep`),
                                       enqueue their deliveries and every delivery whose
                                       job was lost (:func:`~alur.tenants.notify.deliver.due_deliveries`)
``alur.deliver``       on demand       send one delivery; a retry is deferred with
                                       ``schedule_at`` = its ``next_attempt_at``
``alur.digest``        every 5 minutes the offices whose opening time has come
                                       (:mod:`~alur.tenants.clock.digest`)
``alur.clean_up``      every hour      expired ``alur_session`` rows
``alur.sop_effect``    every hour      approved SOP revisions whose tanggal efektif has
                                       come in the office's time zone take effect
                                       (:mod:`~alur.tenants.clock.sop_effect`; a day's
                                       change, checked hourly for every time zone)
``alur.monitoring``    every 5 minutes the Mutu baku projection of every office brought
                                       up to date with its events
                                       (:mod:`~alur.tenants.monitoring.projection`)
``alur.monev``         every hour      open the monev forms of the period just ended,
                                       remind their assessors
                                       (:mod:`~alur.tenants.clock.monev_forms`)
=====================  ==============  ===============================================

The queue holds no domain fact: Alur's tables say what is due and what was sent, so a lost
job costs a minute's delay, never a message. ``alur.deliver`` jobs carry a queueing lock per
delivery (one waiting job per delivery); periodic jobs are deferred once per tick across all
workers by procrastinate's periodic-defer lock.

On PostgreSQL the queue is procrastinate's tables in the same database
(:func:`ensure_queue_schema`, at ``alur migrate`` and worker start); on SQLite, for which
procrastinate has no connector, it is procrastinate's in-memory connector inside the one
process (``alur serve`` or ``alur worker``): jobs lost when it stops are found again by
the next sweep. docs/operations.md says why.

:func:`run_round` is one sweep, the digest, the clean-up, the SOP revisions due, the Mutu baku
projection's refresh and one round of deliveries without any queue: ``alur worker --once`` (cron, operators, tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import procrastinate
from procrastinate import exceptions as queue_errors
from procrastinate.schema import SchemaManager
from procrastinate.testing import InMemoryConnector

from alur.core.plugins import AlurPlugins
from alur.tenants.clock.digest import send_digests
from alur.tenants.clock.monev_forms import monev_round
from alur.tenants.clock.sop_effect import take_effect_due
from alur.tenants.clock.sweep import DEFAULT_LIMIT, sweep
from alur.tenants.monitoring.projection import refresh_all
from alur.tenants.notify.channels import Channel
from alur.tenants.notify.deliver import RETRY, Outcome, deliver_one, due_deliveries
from alur.tenants.notify.settings import DeliverySettings
from alur.tenants.observability.gauges import register_memory_queue
from alur.tenants.observability.heartbeat import run_heartbeat
from alur.tenants.observability.metrics import counted_job
from alur.tenants.storage.database import MIGRATION_LOCK, Database
from alur.tenants.storage.tables import Session

log = logging.getLogger(__name__)

CONCURRENCY = 8  # deliveries sent at once by one worker


@dataclass
class RoundReport:
    """What one round did (``alur worker --once`` prints it)."""

    fired: int = 0
    dropped: int = 0
    left: int = 0
    digests: int = 0
    sessions_removed: int = 0
    revisions_in_force: int = 0
    spans_projected: int = 0  # cases whose Mutu baku spans were recomputed
    monev_opened: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        o = self.outcomes
        return (
            f"timers fired {self.fired}, dropped {self.dropped}, left {self.left}; "
            f"digests {self.digests}; deliveries sent {o['sent']}, to retry {o['retry']}, "
            f"failed {o['failed']}, not taken {o['not_taken']}; "
            f"expired sessions removed {self.sessions_removed}; "
            f"SOP revisions in force {self.revisions_in_force}; "
            f"Mutu baku cases projected {self.spans_projected}; "
            f"monev forms opened {self.monev_opened}"
        )


async def clean_up(now: datetime) -> int:
    """Delete expired web sessions; returns how many."""
    rows = await Session.raw("DELETE FROM alur_session WHERE expires_at <= {} RETURNING id", now)
    return len(rows)


async def deliver_all(
    ids: list[int],
    now: datetime,
    channels: dict[str, Channel],
    settings: DeliverySettings,
    concurrency: int = CONCURRENCY,
) -> list[Outcome]:
    """Send ``ids``, at most ``concurrency`` at once; one delivery's failure is its own."""
    gate = asyncio.Semaphore(concurrency)

    async def one(delivery_id: int) -> Outcome:
        async with gate:
            return await deliver_one(delivery_id, now, channels, settings)

    return list(await asyncio.gather(*(one(i) for i in ids)))


async def run_round(
    db: Database,
    plugins: AlurPlugins,
    now: datetime,
    channels: dict[str, Channel],
    settings: DeliverySettings,
    *,
    limit: int = DEFAULT_LIMIT,
) -> RoundReport:
    """One sweep, the digests due, the clean-up, the SOP revisions due, the Mutu baku
    projection's refresh, then every delivery due — no queue."""
    report = RoundReport()
    swept = await sweep(db, plugins, now, limit=limit, offered=channels.keys())
    report.fired, report.dropped, report.left = swept.fired, swept.dropped, swept.left
    digests = await send_digests(db, now, channels.keys())
    report.digests = digests.notices
    report.sessions_removed = await clean_up(now)
    report.revisions_in_force = (await take_effect_due(db, now)).revisions
    report.spans_projected = (await refresh_all()).cases
    report.monev_opened = (await monev_round(db, plugins, now)).opened
    ids = sorted({*swept.deliveries, *digests.deliveries, *await due_deliveries(now, limit=limit)})
    for outcome in await deliver_all(ids, now, channels, settings):
        report.outcomes[outcome.status] += 1
    return report


# --- the queue ---------------------------------------------------------------------------


async def ensure_queue_schema(db: Database) -> bool:
    """Create procrastinate's tables on PostgreSQL if they are not there (under the
    migration lock, so workers starting together create them once); True if created."""
    if db.is_sqlite:
        return False
    import asyncpg

    conn = await asyncpg.connect(db.url)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        if await conn.fetchval("SELECT to_regclass('procrastinate_jobs') IS NOT NULL"):
            return False
        await conn.execute(SchemaManager.get_schema())
        return True
    finally:
        await conn.close()


def queue_app(
    db: Database,
    plugins: AlurPlugins,
    channels: dict[str, Channel],
    settings: DeliverySettings,
    *,
    limit: int = DEFAULT_LIMIT,
) -> procrastinate.App:
    """The procrastinate app with Alur's jobs, on ``db`` (see the module docstring)."""
    connector: Any = (
        InMemoryConnector() if db.is_sqlite else procrastinate.PsycopgConnector(conninfo=db.url)
    )
    app = procrastinate.App(connector=connector)
    if db.is_sqlite:
        register_memory_queue(connector)  # alur_job_queue_depth reads it

    async def enqueue(ids: list[int]) -> None:
        for delivery_id in ids:
            with contextlib.suppress(queue_errors.AlreadyEnqueued):  # one waits already
                await deliver_job.configure(
                    queueing_lock=f"alur.deliver:{delivery_id}"
                ).defer_async(delivery_id=delivery_id)

    @app.periodic(cron="* * * * *", periodic_id="sweep")
    @app.task(name="alur.sweep", queueing_lock="alur.sweep")
    @counted_job("alur.sweep")
    async def sweep_job(timestamp: int) -> None:
        now = datetime.now(UTC)
        swept = await sweep(db, plugins, now, limit=limit, offered=channels.keys())
        await enqueue(sorted({*swept.deliveries, *await due_deliveries(now, limit=limit)}))
        if swept.fired or swept.left:
            log.info("sweep: %s fired, %s left for the next sweep", swept.fired, swept.left)

    @app.task(name="alur.deliver")
    @counted_job("alur.deliver")
    async def deliver_job(delivery_id: int) -> None:
        outcome = await deliver_one(delivery_id, datetime.now(UTC), channels, settings)
        if outcome.status == RETRY and outcome.next_attempt_at is not None:
            with contextlib.suppress(queue_errors.AlreadyEnqueued):
                await deliver_job.configure(
                    queueing_lock=f"alur.deliver:{delivery_id}",
                    schedule_at=outcome.next_attempt_at,
                ).defer_async(delivery_id=delivery_id)

    @app.periodic(cron="*/5 * * * *", periodic_id="digest")
    @app.task(name="alur.digest", queueing_lock="alur.digest")
    @counted_job("alur.digest")
    async def digest_job(timestamp: int) -> None:
        result = await send_digests(db, datetime.now(UTC), channels.keys())
        await enqueue(result.deliveries)

    @app.periodic(cron="17 * * * *", periodic_id="clean_up")
    @app.task(name="alur.clean_up", queueing_lock="alur.clean_up")
    @counted_job("alur.clean_up")
    async def clean_up_job(timestamp: int) -> None:
        await clean_up(datetime.now(UTC))

    @app.periodic(cron="1 * * * *", periodic_id="sop_effect")
    @app.task(name="alur.sop_effect", queueing_lock="alur.sop_effect")
    @counted_job("alur.sop_effect")
    async def sop_effect_job(timestamp: int) -> None:
        done = await take_effect_due(db, datetime.now(UTC))
        if done.revisions:
            log.info("%s SOP revisions took effect", done.revisions)

    @app.periodic(cron="*/5 * * * *", periodic_id="monitoring")
    @app.task(name="alur.monitoring", queueing_lock="alur.monitoring")
    @counted_job("alur.monitoring")
    async def monitoring_job(timestamp: int) -> None:
        done = await refresh_all()
        if done.cases:
            log.info("Mutu baku projection: %s cases recomputed", done.cases)

    @app.periodic(cron="7 * * * *", periodic_id="monev")
    @app.task(name="alur.monev", queueing_lock="alur.monev")
    @counted_job("alur.monev")
    async def monev_job(timestamp: int) -> None:
        done = await monev_round(db, plugins, datetime.now(UTC))
        await enqueue(done.deliveries)

    app.alur_enqueue = enqueue  # type: ignore[attr-defined]  # for serve and tests
    return app


async def run_queue_worker(
    db: Database,
    plugins: AlurPlugins,
    channels: dict[str, Channel],
    settings: DeliverySettings,
    *,
    concurrency: int = CONCURRENCY,
    install_signal_handlers: bool = True,
) -> None:
    """Run the jobs until stopped (SIGINT/SIGTERM, or cancelled when embedded).

    procrastinate's worker stops by itself (and returns as if asked to) when a side task
    fails — its LISTEN connection does when PostgreSQL restarts. Here a worker that stopped
    without being asked is started again after :data:`RESTART_SECONDS`, so ``alur worker``
    outlives a database restart like the app processes do.
    """
    await ensure_queue_schema(db)
    app = queue_app(db, plugins, channels, settings)
    stop = asyncio.Event()
    if install_signal_handlers:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    heartbeat = asyncio.create_task(run_heartbeat(), name="alur-heartbeat")  # /readyz reads it
    try:
        while not stop.is_set():
            with contextlib.suppress(*DATABASE_AWAY):
                async with app.open_async():
                    await _run_until_stopped(app, db, concurrency, stop)
            if stop.is_set():
                break
            log.warning("the worker stopped by itself; starting it again in %s s", RESTART_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RESTART_SECONDS)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat


RESTART_SECONDS = 2.0  # between a worker that stopped by itself and the next one
# what opening the queue raises while PostgreSQL is away (then: wait, try again)
DATABASE_AWAY = (queue_errors.ConnectorException, OSError)


async def _run_until_stopped(app: Any, db: Database, concurrency: int, stop: asyncio.Event) -> None:
    run = asyncio.create_task(
        app.run_worker_async(
            concurrency=concurrency,
            install_signal_handlers=False,
            delete_jobs="always",  # Alur's delivery rows are the record, not the jobs
            listen_notify=not db.is_sqlite,
            fetch_job_polling_interval=1.0 if db.is_sqlite else 5.0,
        )
    )
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({run, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:  # asked to stop, or cancelled (embedded in `alur serve`): stop gracefully
        stopping.cancel()
        if not run.done():
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
    if run.done() and not run.cancelled() and run.exception() is not None:
        log.warning("the worker stopped: %r", run.exception())
