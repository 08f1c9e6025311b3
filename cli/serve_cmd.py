"""``alur serve``: the web UI (litestar under uvicorn), and on SQLite the worker's jobs
in-process (:func:`alur.cli.worker_cmd.attach_jobs`; ``--no-jobs`` or
``ALUR_WORKER_IN_PROCESS=0`` turns them off, ``=1`` turns them on for PostgreSQL).

Unsafe production settings for ``--workers`` (or ``ALUR_PROCESSES``, if larger) processes
and unusable values such as a bad ``ALUR_METRICS_ALLOW`` or ``ALUR_ONE_TIME_PASSWORD_HOURS``
(:mod:`alur.tenants.deployment`) are refused with every problem listed, exit code 2, before
the database is opened or anything is served."""

from __future__ import annotations

import os

import click

from alur.cli.context import get_plugins
from alur.cli.db import fail, run_with_database
from alur.cli.demo_cmd import print_report
from alur.cli.worker_cmd import attach_jobs, in_process_default
from alur.tenants.demo.offices import DEMO_PASSWORD, provision_demo
from alur.tenants.deployment import PROCESSES_ENV, UnsafeSettings, refuse_unsafe
from alur.tenants.observability.logs import LogSettingsError, configure_logging
from alur.tenants.observability.metrics import prepare_multiprocess
from alur.tenants.storage.database import database_url


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--demo",
    "with_demo",
    is_flag=True,
    help="First create the demo offices, people and cases, and print the logins.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="App processes (use PostgreSQL for more than one).",
)
@click.option(
    "--jobs/--no-jobs",
    default=None,
    help="Run the worker's jobs (reminders, deliveries) in this process "
    "[default: ALUR_WORKER_IN_PROCESS, else on for SQLite, off for PostgreSQL].",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, with_demo: bool, workers: int, jobs: bool | None
) -> None:
    """Start the web UI on ALUR_DATABASE_URL (default: ./alur.db, migrated on first start)."""
    import uvicorn

    try:
        configure_logging()  # ALUR_LOG_FORMAT, ALUR_LOG_LEVEL (before uvicorn starts)
    except LogSettingsError as exc:
        fail(str(exc), 2)
    try:
        refuse_unsafe(os.environ, processes=workers)
    except UnsafeSettings as exc:
        fail(exc.message, 2)
    if workers > 1:  # the app processes check the same count (alur.web.asgi)
        current = os.environ.get(PROCESSES_ENV, "").strip()
        os.environ[PROCESSES_ENV] = str(max(workers, int(current) if current else 1))
    plugins = get_plugins(ctx)
    if with_demo:
        print_report(
            run_with_database(lambda db: provision_demo(plugins, password=DEMO_PASSWORD, db=db))
        )
    else:
        run_with_database(lambda db: _noop())  # create and migrate the database before serving
    click.echo(f"\nAlur is running: open http://{host}:{port}/login  (Ctrl+C stops it)")
    if workers > 1:
        # one /metrics adds up every process (PROMETHEUS_MULTIPROC_DIR)
        prepare_multiprocess(workers)
        uvicorn.run(
            "alur.web.asgi:app",
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            log_config=None,  # uvicorn's lines go through Alur's structured logs
            proxy_headers=False,  # the app reads X-Forwarded-For from ALUR_TRUSTED_PROXIES only
        )
        return
    from alur.web.app import create_app

    app = create_app(plugins=plugins)
    if in_process_default(database_url()) if jobs is None else jobs:
        attach_jobs(app, plugins)
        click.echo("The worker's jobs run in this process (reminders, deliveries).")
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        log_config=None,  # uvicorn's lines go through Alur's structured logs
        proxy_headers=False,  # the app reads X-Forwarded-For from ALUR_TRUSTED_PROXIES only
    )


async def _noop() -> None:
    return None
