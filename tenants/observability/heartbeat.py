"""The worker's heartbeat: a row in ``alur_worker_heartbeat`` per running worker process.

:func:`run_heartbeat` (started next to the job queue by
:func:`alur.tenants.clock.jobs.run_queue_worker`, so both ``alur worker`` and the jobs ``alur
serve`` runs in-process beat) inserts its row and updates ``seen_at`` every
:data:`BEAT_SECONDS`; rows not seen for :data:`FORGET_AFTER` are deleted. :func:`last_seen` is
what ``/readyz`` reads: the newest ``seen_at`` of any worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import UTC, datetime, timedelta

from alur.tenants.storage.tables import WorkerHeartbeat

log = logging.getLogger(__name__)

BEAT_SECONDS = 30.0
STALE_AFTER = timedelta(seconds=90)  # three beats missed: the worker is stale
FORGET_AFTER = timedelta(days=1)  # rows of workers gone this long are deleted


async def start_beating(now: datetime | None = None) -> int:
    """Insert this process's row; returns its id."""
    now = now or datetime.now(UTC)
    await WorkerHeartbeat.delete().where(WorkerHeartbeat.seen_at < now - FORGET_AFTER)
    rows = await WorkerHeartbeat.insert(
        WorkerHeartbeat(host=_host(), pid=os.getpid(), started_at=now, seen_at=now)
    ).returning(WorkerHeartbeat.id)
    return int(rows[0]["id"])


def _host() -> str:
    return socket.gethostname()[:255]


async def _forget_this_process() -> None:
    """Stopped before its row's id was known: remove this process's row(s) by host and pid."""
    await WorkerHeartbeat.delete().where(
        (WorkerHeartbeat.host == _host()) & (WorkerHeartbeat.pid == os.getpid())
    )


async def beat(row_id: int, now: datetime | None = None) -> None:
    """Say this worker is alive now."""
    await WorkerHeartbeat.update({WorkerHeartbeat.seen_at: now or datetime.now(UTC)}).where(
        WorkerHeartbeat.id == row_id
    )


async def stop_beating(row_id: int) -> None:
    """A worker that stops cleanly removes its row."""
    await WorkerHeartbeat.delete().where(WorkerHeartbeat.id == row_id)


async def run_heartbeat(every: float = BEAT_SECONDS) -> None:
    """Beat until cancelled; a failed beat (the database away) is logged and retried."""
    row_id: int | None = None
    try:
        while True:
            try:
                if row_id is None:
                    row_id = await start_beating()
                else:
                    await beat(row_id)
            except Exception as exc:  # the database restarting: try again at the next beat
                log.warning("worker heartbeat not recorded: %s", type(exc).__name__)
            await asyncio.sleep(every)
    finally:
        try:
            if row_id is not None:
                await asyncio.shield(stop_beating(row_id))
            else:  # cancelled while the first beat was being written
                await asyncio.shield(_forget_this_process())
        except Exception:  # gone anyway: it goes stale, then is forgotten
            log.warning("worker heartbeat row left behind (it will go stale)")


async def last_seen() -> datetime | None:
    """The newest heartbeat of any worker, or None if no worker ever beat."""
    row = (
        await WorkerHeartbeat.select(WorkerHeartbeat.seen_at)
        .order_by(WorkerHeartbeat.seen_at, ascending=False)
        .first()
    )
    return None if row is None else row["seen_at"]
