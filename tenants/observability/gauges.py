"""The metrics computed at scrape from the database: open and overdue tasks by office, the job
queue's depth, the age of the newest worker heartbeat.

:func:`scrape_gauges` runs a few grouped queries (one over the open tasks of every office,
one over the queue), each bounded by :data:`TIMEOUT_SECONDS`; what could not be read is left
out and ``alur_scrape_database_ok`` says 0, so a slow database never hangs a scrape. On
SQLite the queue is procrastinate's in-memory one inside this process (registered by
:func:`alur.tenants.clock.jobs.queue_app` through :func:`register_memory_queue`).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric

from alur.tenants.observability.heartbeat import last_seen
from alur.tenants.storage.tables import Task

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
OPEN_TASKS_BY_OFFICE = (
    "SELECT o.slug AS office, COUNT(*) AS open, "
    "SUM(CASE WHEN t.due IS NOT NULL AND t.due < {} THEN 1 ELSE 0 END) AS overdue "
    "FROM alur_task t JOIN alur_tenant o ON o.id = t.tenant "
    "WHERE t.status = 'open' GROUP BY o.slug"
)
QUEUE_TABLE = "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
QUEUE_DEPTH = (
    "SELECT queue_name, status::text AS status, COUNT(*) AS jobs FROM procrastinate_jobs "
    "WHERE status IN ('todo', 'doing') GROUP BY queue_name, status"
)

_memory_queues: weakref.WeakSet[Any] = weakref.WeakSet()


def register_memory_queue(connector: Any) -> None:
    """Count the jobs of this in-memory queue (procrastinate's ``InMemoryConnector``)."""
    _memory_queues.add(connector)


def memory_queue_depth() -> Counter[tuple[str, str]]:
    depth: Counter[tuple[str, str]] = Counter()
    for connector in list(_memory_queues):
        for job in list(connector.jobs.values()):
            if job["status"] in ("todo", "doing"):
                depth[(job["queue_name"], job["status"])] += 1
    return depth


async def _tasks(now: datetime) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
    rows = await Task.raw(OPEN_TASKS_BY_OFFICE, now)
    open_ = GaugeMetricFamily("alur_tasks_open", "Open tasks, by office.", labels=["office"])
    overdue = GaugeMetricFamily(
        "alur_tasks_overdue", "Open tasks past their due time, by office.", labels=["office"]
    )
    for row in rows:
        open_.add_metric([row["office"]], float(row["open"]))
        overdue.add_metric([row["office"]], float(row["overdue"] or 0))
    return open_, overdue


async def _queue(is_sqlite: bool) -> GaugeMetricFamily:
    depth = memory_queue_depth() if is_sqlite else Counter()
    if not is_sqlite:
        present = await Task.raw(QUEUE_TABLE)
        if present and present[0]["present"]:
            for row in await Task.raw(QUEUE_DEPTH):
                depth[(row["queue_name"], row["status"])] += int(row["jobs"])
    family = GaugeMetricFamily(
        "alur_job_queue_depth",
        "Jobs waiting (todo) or running (doing), by queue.",
        labels=["queue", "status"],
    )
    for (queue, status), count in sorted(depth.items()):
        family.add_metric([queue, status], float(count))
    return family


async def _heartbeat_age(now: datetime) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "alur_worker_heartbeat_age_seconds",
        "Seconds since the newest worker heartbeat (absent: no worker ever beat).",
    )
    seen = await last_seen()
    if seen is not None:
        seen = seen if seen.tzinfo else seen.replace(tzinfo=UTC)
        family.add_metric([], max(0.0, (now - seen).total_seconds()))
    return family


class Gathered:
    """A collector of metric families already computed (prometheus collectors are sync)."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return iter(self.families)


async def scrape_gauges(
    *, is_sqlite: bool, now: datetime | None = None, timeout: float = TIMEOUT_SECONDS
) -> Gathered:
    """Every database-derived metric family that could be read within ``timeout``."""
    now = now or datetime.now(UTC)
    families: list[Metric] = []
    ok = 1.0
    for read in (_tasks(now), _queue(is_sqlite), _heartbeat_age(now)):
        try:
            result = await asyncio.wait_for(read, timeout)
        except Exception as exc:  # the database away or slow: leave these out, say so
            log.warning("metrics: a database gauge was not read (%s)", type(exc).__name__)
            ok = 0.0
            continue
        families.extend(result if isinstance(result, tuple) else (result,))
    healthy = GaugeMetricFamily(
        "alur_scrape_database_ok", "1 if every database gauge of this scrape was read."
    )
    healthy.add_metric([], ok)
    families.append(healthy)
    return Gathered(families)
