"""``alur backup``: an online copy of the SQLite database (:mod:`alur.tenants.storage.backup`)."""

from __future__ import annotations

from pathlib import Path

import click

from alur.cli.db import fail
from alur.tenants.storage.backup import BackupError, backup_sqlite
from alur.tenants.storage.database import database_url


@click.command()
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write: a complete SQLite database.",
)
def backup(output: Path) -> None:
    """Copy the SQLite database of ALUR_DATABASE_URL while the app keeps running.

    The copy is the database as it was at one moment (SQLite's online backup API). On
    PostgreSQL, use pg_basebackup with WAL archiving or pg_dump (docs/operations.md). The
    audit key is not in the backup: keep ALUR_AUDIT_KEY safe separately.
    """
    try:
        pages = backup_sqlite(database_url(), output)
    except BackupError as exc:
        fail(exc.message, 2)
    click.echo(f"Backed up {pages} page(s) to {output}.")
    click.echo("Check it: ALUR_DATABASE_URL=sqlite:///" + str(output) + " alur audit verify")
