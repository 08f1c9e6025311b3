"""Running a command's database work: open, run, close, and turn errors into exit codes.

Every database command hands an ``async`` function of the :class:`Database` to
:func:`run_with_database`, which opens the database of ``ALUR_DATABASE_URL`` (creating and
migrating it on first use), runs the function on a fresh event loop and closes the
database. Wrong input never shows a traceback: :class:`InvalidInput` prints one line per
field and :class:`NotFound` its message, both with exit code 2 (wrong usage); a database
that cannot be opened or migrated exits with 1.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import anyio
import asyncpg
import click
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from alur.core.errors import PluginNotFound, SopNotFound
from alur.tenants.audit.keys import AuditKeyError
from alur.tenants.errors import InvalidInput, NotFound, TenantSuspended
from alur.tenants.storage.database import (
    Database,
    DatabaseConfigError,
    MigrationError,
    close_database,
    database_url,
    open_database,
)

T = TypeVar("T")
USAGE_ERRORS = (NotFound, DatabaseConfigError, PluginNotFound, SopNotFound, TenantSuspended)
# Cannot connect, log in or open the file (server errors of asyncpg are not OSErrors).
CONNECTION_ERRORS = (
    OSError,
    sqlite3.OperationalError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)


def run_with_database(
    work: Callable[[Database], Awaitable[T]], *, run_migrations: bool = True
) -> T:
    """Run ``work(db)`` on the configured database; exits 2 on wrong input, 1 if the
    database cannot be used."""

    async def main() -> T:
        db = await open_database(run_migrations=run_migrations)
        try:
            return await work(db)
        finally:
            await close_database(db)

    try:
        return anyio.run(main)
    except InvalidInput as exc:
        fail_invalid(exc)
    except USAGE_ERRORS as exc:
        fail(exc.message, 2)
    except (MigrationError, AuditKeyError) as exc:
        fail(exc.message, 1)
    except CONNECTION_ERRORS as exc:
        fail(f"cannot use the database {shown_url(database_url())}: {exc}", 1)


def fail(message: str, code: int) -> Any:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(code)


# Fields of the storage layer that the command line calls differently.
OPTION_NAMES = {"sops": "sop", "ends_on": "until", "starts_on": "from"}


def fail_invalid(exc: InvalidInput) -> Any:
    """One line per field, named as its command-line option; exit 2."""
    click.echo("Error: the input is not valid:", err=True)
    for name, message in exc.errors.items():
        option = OPTION_NAMES.get(name, name).replace("_", "-")
        click.echo(f"  --{option}: {message}", err=True)
    raise click.exceptions.Exit(2)


def shown_url(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def transaction(db: Database) -> Any:
    """One write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
    if isinstance(db.engine, SQLiteEngine):
        return db.engine.transaction(transaction_type=TransactionType.immediate)
    return db.engine.transaction()
