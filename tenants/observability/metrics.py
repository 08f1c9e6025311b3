"""Alur's Prometheus metrics (the official ``prometheus-client``), defined once per process.

Counted where things happen (these objects), and read at scrape (:func:`exposition`):

===========================================  ==================  ===========================
metric                                       labels              counted / read
===========================================  ==================  ===========================
``alur_http_requests_total``                 method, route,      each request, by the route
                                             status              *template* (never the raw path)
``alur_http_request_duration_seconds``       method, route       histogram of each request
``alur_db_pool_connections``                 state (in_use,      after each request (PostgreSQL:
                                             idle, max)          the asyncpg pool; SQLite: none)
``alur_transitions_total``                   kind                each event written
                                                                 (:mod:`alur.tenants.cases.store`)
``alur_jobs_total``                          job, outcome        each job the worker ran
                                                                 (succeeded / failed)
===========================================  ==================  ===========================

Those computed at scrape from the database are in :mod:`alur.tenants.observability.gauges`.

Several processes: when ``PROMETHEUS_MULTIPROC_DIR`` names a directory (``alur serve --workers
N`` sets one), prometheus-client keeps each process's values in files there and
:func:`exposition` adds them up, so one scrape through any process sees them all; the gauges
sum the living processes (``livesum``). :func:`process_exited` removes a stopping process's
live gauges.
"""

from __future__ import annotations

import asyncio
import functools
import os
import tempfile
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

F = TypeVar("F", bound=Callable[..., Any])
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "alur_http_requests",
    "HTTP requests answered, by route template and status.",
    ("method", "route", "status"),
)
LATENCY = Histogram(
    "alur_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ("method", "route"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL = Gauge(
    "alur_db_pool_connections",
    "PostgreSQL connections of the app processes' pools (in_use, idle, max).",
    ("state",),
    multiprocess_mode="livesum",
)
TRANSITIONS = Counter(
    "alur_transitions", "Case events written, by kind (task_completed, ...).", ("kind",)
)
JOBS = Counter("alur_jobs", "Worker jobs run, by job and outcome.", ("job", "outcome"))


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def count_transitions(kinds: Iterable[str]) -> None:
    """One more event of each kind written (called by the case store)."""
    for kind in kinds:
        TRANSITIONS.labels(kind).inc()


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def observe_pool(engine: object) -> None:
    """The connection pool's use now (asyncpg's pool; nothing on SQLite, whose statements
    run on a few threads of this process)."""
    pool = getattr(engine, "pool", None)
    if pool is None or not hasattr(pool, "get_idle_size"):
        return
    size, idle = pool.get_size(), pool.get_idle_size()
    POOL.labels("in_use").set(size - idle)
    POOL.labels("idle").set(idle)
    POOL.labels("max").set(pool.get_max_size())


def exposition(*extra: Collector) -> bytes:
    """The text exposition of this process's metrics (or every process's, in multiprocess
    mode), followed by ``extra`` collectors (computed at scrape)."""
    path = multiprocess_dir()
    if path:
        base = CollectorRegistry()
        multiprocess.MultiProcessCollector(base, path=path)
    else:
        base = REGISTRY
    out = generate_latest(base)
    if extra:
        more = CollectorRegistry(auto_describe=False)
        for collector in extra:
            more.register(collector)
        out += generate_latest(more)
    return out


def process_exited(pid: int | None = None) -> None:
    """Drop a stopped process's live gauges (multiprocess mode only)."""
    path = multiprocess_dir()
    if path:
        multiprocess.mark_process_dead(pid or os.getpid(), path)


def counted_job(name: str) -> Callable[[F], F]:
    """Count each run of a job function in ``alur_jobs_total`` (succeeded / failed)."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        async def run(*args: Any, **kwargs: Any) -> Any:
            try:
                result = await function(*args, **kwargs)
            except BaseException as exc:
                if not isinstance(exc, asyncio.CancelledError):
                    JOBS.labels(name, "failed").inc()
                raise
            JOBS.labels(name, "succeeded").inc()
            return result

        return run  # type: ignore[return-value]

    return decorate


def prepare_multiprocess(
    workers: int, environ: MutableMapping[str, str] | None = None
) -> str | None:
    """For ``alur serve --workers N`` (N > 1): a fresh ``PROMETHEUS_MULTIPROC_DIR`` unless the
    operator set one, before the worker processes start (they read it at import)."""
    env = os.environ if environ is None else environ
    path = env.get(MULTIPROC_ENV) or None
    if workers > 1 and path is None:
        path = tempfile.mkdtemp(prefix="alur-metrics-")
        env[MULTIPROC_ENV] = path
    return path


class MultiprocessDirError(ValueError):
    pass


def check_multiprocess_dir() -> None:
    """A ``PROMETHEUS_MULTIPROC_DIR`` that is not a writable directory is refused at start
    (every request would fail to count itself otherwise)."""
    path = multiprocess_dir()
    if path and not (os.path.isdir(path) and os.access(path, os.W_OK)):
        raise MultiprocessDirError(
            f"{MULTIPROC_ENV}={path!r} is not a writable directory: create it (empty) or unset it"
        )
