"""Choosing, binding and migrating the database.

``ALUR_DATABASE_URL`` selects it: ``sqlite:///alur.db`` (the default: a file in the working
directory, in WAL mode) or ``postgresql://user:password@host:port/dbname`` for production.
:func:`bind` points every table at the engine — piccolo keeps one engine per table class,
so this happens once per process (or per test), never at import time. :func:`migrate`
applies the migrations in ``piccolo_migrations/``; :func:`open_database` does both.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from alur.core.errors import N_, AlurError
from alur.tenants import piccolo_conf
from alur.tenants.tables import TABLES

DEFAULT_URL = "sqlite:///alur.db"
SQLITE_TIMEOUT_SECONDS = 30.0


class DatabaseConfigError(AlurError):
    code = "database_config"
    template = N_(
        "ALUR_DATABASE_URL {url!r} is not usable: {reason}. Use sqlite:///path/to/alur.db "
        "or postgresql://user:password@host:5432/dbname"
    )


class MigrationError(AlurError):
    code = "migration_failed"
    template = N_("the database migration failed: {reason}")


def database_url(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("ALUR_DATABASE_URL", "").strip() or DEFAULT_URL


@dataclass(frozen=True)
class Database:
    url: str
    engine: Engine

    @property
    def is_sqlite(self) -> bool:
        return isinstance(self.engine, SQLiteEngine)


def engine_from_url(url: str) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise DatabaseConfigError(url=url, reason="no file path after sqlite:///")
        Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(Path(path).expanduser()), timeout=SQLITE_TIMEOUT_SECONDS)
    if parsed.scheme in ("postgresql", "postgres"):
        if not parsed.path.strip("/"):
            raise DatabaseConfigError(url=url, reason="no database name")
        return PostgresEngine(config={"dsn": url})
    raise DatabaseConfigError(url=url, reason=f"unknown scheme {parsed.scheme!r}")


def bind(engine: Engine) -> None:
    """Point every table (and piccolo's migration table) at ``engine``."""
    os.environ["PICCOLO_CONF"] = "alur.tenants.piccolo_conf"
    piccolo_conf.DB = engine
    for table in (*TABLES, Migration):
        table._meta.db = engine


async def migrate(engine: Engine) -> str:
    """Apply every pending migration; returns piccolo's report."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    bind(engine)
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        result = await run_forwards(app_name="alur_tenants", migration_id="all", fake=False)
    if not result.success:
        raise MigrationError(reason=result.message)
    return report.getvalue()


async def open_database(url: str | None = None, *, run_migrations: bool = True) -> Database:
    """Bind the configured database, start its connection pool and migrate it."""
    url = url or database_url()
    engine = engine_from_url(url)
    bind(engine)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=20)
    if run_migrations:
        await migrate(engine)
    return Database(url=url, engine=engine)


async def close_database(db: Database) -> None:
    if isinstance(db.engine, PostgresEngine):
        await db.engine.close_connection_pool()
