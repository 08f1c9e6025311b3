"""``alur worker``: the clock's timed work — the sweep, deliveries, the digest, clean-up.

``alur worker`` runs the jobs of :mod:`alur.tenants.clock.jobs` until stopped (SIGINT or
SIGTERM); ``alur worker --once [--now TIMESTAMP]`` does one round without the queue and
exits 0, printing what it did. ``alur serve`` runs the same jobs in-process
(:func:`attach_jobs`) when ``ALUR_WORKER_IN_PROCESS`` says so (default: on SQLite only).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from alur.cli.context import get_plugins
from alur.cli.db import fail, run_with_database
from alur.core.i18n import error_message
from alur.core.plugins import AlurPlugins
from alur.tenants.clock.jobs import CONCURRENCY, run_queue_worker, run_round
from alur.tenants.notify.deliver import build_channels
from alur.tenants.notify.plugin_channels import PluginChannelError
from alur.tenants.notify.settings import DeliverySettings, SettingsError
from alur.tenants.observability.access import MetricsAccess, MetricsAccessError
from alur.tenants.observability.logs import LogSettingsError, configure_logging
from alur.tenants.observability.metrics import MultiprocessDirError, check_multiprocess_dir
from alur.tenants.observability.worker_metrics import start_metrics_server
from alur.tenants.settings import SettingError, yes_no
from alur.tenants.storage.database import Database

FUTURE_SLACK = timedelta(minutes=5)  # --now this far ahead needs --allow-future


class Timestamp(click.ParamType):
    """An ISO 8601 time with its offset: ``2026-12-07T09:00+07:00`` or ``…Z``."""

    name = "timestamp"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            at = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time, e.g. 2026-12-07T09:00+07:00", param, ctx)
        if at.tzinfo is None:
            self.fail(
                f"{value!r} has no time zone; add one, e.g. 2026-12-07T09:00+07:00 or …Z",
                param,
                ctx,
            )
        try:
            return at.astimezone(UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00+07:00: before the first UTC time
            self.fail(f"{value!r} is out of range", param, ctx)


def delivery_settings() -> DeliverySettings:
    try:
        return DeliverySettings.from_env()
    except SettingsError as exc:
        return fail(exc.message, 2)


@click.command()
@click.option("--once", is_flag=True, help="One sweep and one round of deliveries, then exit.")
@click.option(
    "--now",
    type=Timestamp(),
    default=None,
    help="With --once: run as of this time (ISO 8601 with offset) instead of the clock.",
)
@click.option(
    "--allow-future",
    is_flag=True,
    help="Accept a --now more than 5 minutes ahead of the clock (its events are dated then).",
)
@click.option(
    "--concurrency",
    default=CONCURRENCY,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Jobs (deliveries) run at once by this worker.",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Serve this worker's Prometheus metrics on this port (/metrics; "
    "ALUR_METRICS_TOKEN or ALUR_METRICS_ALLOW as for the app).",
)
@click.option(
    "--metrics-address",
    default="0.0.0.0",
    show_default=True,
    help="The address --metrics-port listens on.",
)
@click.pass_context
def worker(
    ctx: click.Context,
    once: bool,
    now: datetime | None,
    allow_future: bool,
    concurrency: int,
    metrics_port: int | None,
    metrics_address: str,
) -> None:
    """Send reminders, escalations, digests and notifications (see docs/operations.md)."""
    if now is not None and not once:
        raise click.UsageError("--now is only for a single round: add --once")
    if now is not None and not allow_future and now > datetime.now(UTC) + FUTURE_SLACK:
        # the events it writes on the hash chain would be dated ahead of everything after them
        raise click.UsageError(
            "--now is in the future: the reminders it records would be dated then; "
            "add --allow-future to do it anyway (a test, a copy of the database)"
        )
    plugins = get_plugins(ctx)
    settings = delivery_settings()
    channels = worker_channels(plugins, settings)
    if once:
        at = now or datetime.now(UTC)

        async def one_round(db: Database) -> str:
            return (await run_round(db, plugins, at, channels, settings)).summary()

        click.echo(run_with_database(one_round))
        return
    try:
        configure_logging()  # ALUR_LOG_FORMAT, ALUR_LOG_LEVEL
        access = MetricsAccess.from_env()
        check_multiprocess_dir()
    except (LogSettingsError, MetricsAccessError, MultiprocessDirError) as exc:
        fail(str(exc), 2)
    logging.getLogger("procrastinate").setLevel(logging.WARNING)  # a line per job otherwise
    if metrics_port is not None:
        try:
            start_metrics_server(metrics_port, metrics_address, access)
        except OSError as exc:
            fail(f"--metrics-port {metrics_port}: {exc.strerror or exc}", 2)
        click.echo(f"Worker metrics on http://{metrics_address}:{metrics_port}/metrics")
    click.echo(
        f"Alur worker running (channels: {', '.join(sorted(channels)) or 'app only'}); Ctrl+C stops it"
    )
    run_with_database(
        lambda db: run_queue_worker(db, plugins, channels, settings, concurrency=concurrency)
    )


# --- in-process jobs for `alur serve` --------------------------------------------------------


def in_process_default(url: str, environ: dict[str, str] | None = None) -> bool:
    """``ALUR_WORKER_IN_PROCESS`` (1/0); unset: on for SQLite, off for PostgreSQL."""
    try:
        on = yes_no(os.environ if environ is None else environ, "ALUR_WORKER_IN_PROCESS")
    except SettingError as exc:
        return fail(str(exc), 2)
    return url.startswith("sqlite") if on is None else on


def worker_channels(plugins: AlurPlugins, settings: DeliverySettings) -> dict[str, Any]:
    """The channels, or exit 1 naming every problem of the plugins' ones (no traceback)."""
    try:
        return build_channels(plugins, settings)
    except PluginChannelError as exc:
        return fail(error_message(exc), 1)


def attach_jobs(app: Any, plugins: AlurPlugins) -> None:
    """Run the worker's jobs inside the litestar ``app`` (after its database is open)."""
    settings = delivery_settings()
    channels = worker_channels(plugins, settings)
    logging.getLogger("procrastinate").setLevel(logging.WARNING)  # a line per job otherwise
    running: list[asyncio.Task[None]] = []

    async def start(app: Any) -> None:
        db = app.state["services"].db
        running.append(
            asyncio.create_task(
                run_queue_worker(db, plugins, channels, settings, install_signal_handlers=False),
                name="alur-jobs",
            )
        )

    async def stop(app: Any) -> None:
        for task in running:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.on_startup.append(start)
    app.on_shutdown.insert(0, stop)
