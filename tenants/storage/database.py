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
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from alur.core.errors import N_, AlurError
from alur.tenants.audit.keys import audit_keys
from alur.tenants.storage import piccolo_conf
from alur.tenants.storage.piccolo_patches.postgres_engine import AlurPostgresEngine
from alur.tenants.storage.piccolo_patches.sqlite_engine import PooledSQLiteEngine
from alur.tenants.storage.tables import TABLES

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


class DatabaseUnavailable(AlurError):
    """The database cannot be reached for a moment (see :func:`is_unavailable`)."""

    code = "database_unavailable"
    template = N_("The service is briefly unavailable, try again in a few seconds.")


RETRY_AFTER_SECONDS = 5  # what a 503 asks clients to wait (PostgreSQL restarts in seconds)

# asyncpg's messages for a connection that died under it (the server went away).
_CLOSED_MESSAGES = (
    "connection is closed",
    "connection was closed",
    # a pooled connection the server ended is detached from its proxy by asyncpg
    "connection has been released back to the pool",
)
# SQLite's for a lock held beyond the busy timeout (SQLITE_TIMEOUT_SECONDS).
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def is_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an exception it was raised from) means the database cannot be
    reached right now, so the request may succeed if retried in a few seconds: PostgreSQL
    restarting or down (no connection, the connection dropped, "the database system is
    shutting down / starting up", too many connections) or SQLite locked beyond the busy
    timeout. What a transaction wrote before such an error is rolled back by the server
    (PostgreSQL never commits a transaction whose connection is lost; SQLite's write lock
    was never granted), so answering "try again" is true: nothing was half-applied.
    """
    import sqlite3

    import asyncpg

    seen = 0
    while exc is not None and seen < 10:  # bounded: causes can form cycles
        seen += 1
        if isinstance(
            exc,
            asyncpg.PostgresConnectionError  # includes ConnectionDoesNotExistError
            | asyncpg.exceptions.OperatorInterventionError  # shutdown, cannot connect now
            | asyncpg.TooManyConnectionsError
            # the server ended the connection between two statements: asyncpg read its
            # "terminating connection" message and refuses the next statement this way
            | asyncpg.exceptions.InternalClientError
            | ConnectionError  # refused, reset, broken pipe
            | socket.gaierror,
        ):
            return True
        if isinstance(exc, asyncpg.InterfaceError) and any(m in str(exc) for m in _CLOSED_MESSAGES):
            return True
        if isinstance(exc, sqlite3.OperationalError) and str(exc).startswith(_SQLITE_BUSY):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def database_url(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("ALUR_DATABASE_URL", "").strip() or DEFAULT_URL


def pool_size(environ: dict[str, str] | None = None) -> int:
    """PostgreSQL connections per app process (``ALUR_DATABASE_POOL_SIZE``, default 10)."""
    env = os.environ if environ is None else environ
    raw = env.get("ALUR_DATABASE_POOL_SIZE", "").strip() or "10"
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise DatabaseConfigError(
            url="ALUR_DATABASE_POOL_SIZE=" + raw,
            reason="the pool size must be a whole number from 1 to 500",
        )
    return int(raw)


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages and logs)."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return parsed._replace(netloc=netloc).geturl()
    return url


@dataclass(frozen=True)
class Database:
    url: str
    engine: Engine

    @property
    def is_sqlite(self) -> bool:
        return isinstance(self.engine, SQLiteEngine)


def engine_from_url(url: str) -> Engine:
    parsed = urlparse(url)
    shown = redacted(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path or "?" in path:
            raise DatabaseConfigError(url=shown, reason="give a file path after sqlite:///")
        # Resolved now, so a later change of working directory cannot move the database.
        file = Path(path).expanduser().resolve()
        file.parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(path=str(file), timeout=SQLITE_TIMEOUT_SECONDS)
    if parsed.scheme in ("postgresql", "postgres"):
        if not parsed.path.strip("/"):
            raise DatabaseConfigError(url=shown, reason="no database name")
        return AlurPostgresEngine(config={"dsn": url})
    raise DatabaseConfigError(url=shown, reason=f"unknown scheme {parsed.scheme!r}")


def bind(engine: Engine) -> None:
    """Point every table (and piccolo's migration table) at ``engine``."""
    os.environ["PICCOLO_CONF"] = "alur.tenants.storage.piccolo_conf"
    piccolo_conf.DB = engine
    for table in (*TABLES, Migration):
        table._meta.db = engine


MIGRATION_LOCK = 7_431_001  # pg_advisory_lock key: one migrating process at a time


async def migrate(engine: Engine) -> str:
    """Apply every pending migration; returns piccolo's report.

    On PostgreSQL an advisory lock makes app processes that start together migrate one
    after the other (the later ones find nothing to do).
    """
    from piccolo.apps.migrations.commands.forwards import run_forwards

    bind(engine)
    report = io.StringIO()
    async with _migration_lock(engine):
        with contextlib.redirect_stdout(report):
            result = await run_forwards(app_name="alur_tenants", migration_id="all", fake=False)
    if not result.success:
        raise MigrationError(reason=result.message)
    return report.getvalue()


@contextlib.asynccontextmanager
async def _migration_lock(engine: Engine) -> AsyncIterator[None]:
    if not isinstance(engine, PostgresEngine):
        yield
        return
    import asyncpg

    conn = await asyncpg.connect(engine.config["dsn"])
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        yield
    finally:
        await conn.close()  # closing the session releases the lock


async def keep_session(connection: Any) -> None:
    """How a pooled connection is reset on release: nothing beyond asyncpg's own rollback.

    asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` after every statement run outside a transaction — a second round trip for
    each one. Alur never changes a pooled session: no ``SET``, no ``LISTEN``, no cursors
    outside a transaction, and its one advisory lock (:func:`_migration_lock`) is taken on
    a connection of its own. An open transaction is still rolled back by asyncpg before
    this is called.
    """


async def open_database(url: str | None = None, *, run_migrations: bool = True) -> Database:
    """Bind the configured database, start its connection pool and migrate it."""
    url = url or database_url()
    engine = engine_from_url(url)
    # The audit key: required on PostgreSQL (production), else kept in a file; checked at
    # start rather than at the first event.
    audit_keys(require=isinstance(engine, PostgresEngine))
    bind(engine)
    if isinstance(engine, PostgresEngine):
        size = pool_size()
        await engine.start_connection_pool(min_size=1, max_size=size, reset=keep_session)
    else:
        await engine.run_ddl("PRAGMA journal_mode=WAL")  # persistent: once per file suffices
    if run_migrations:
        await migrate(engine)
    return Database(url=url, engine=engine)


async def close_database(db: Database) -> None:
    if isinstance(db.engine, PostgresEngine):
        await db.engine.close_connection_pool()
    elif isinstance(db.engine, PooledSQLiteEngine):
        db.engine.close()
