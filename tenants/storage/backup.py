"""``alur backup``: a consistent copy of a SQLite database while the app keeps writing.

SQLite's online backup API (:meth:`sqlite3.Connection.backup`) copies the database page by
page; pages that a writer changes during the copy are copied again, so the result is the
database as it was at one moment, whatever the app does meanwhile. The copy is written
under a temporary name and renamed when complete. On PostgreSQL there is nothing to do here:
use ``pg_basebackup`` with WAL archiving (point-in-time recovery) or ``pg_dump`` —
docs/operations.md, "Backups and restore". The audit key is not in the database, so not in
the backup: keep ``ALUR_AUDIT_KEY`` (or the key file) safe separately.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from alur.core.errors import N_, AlurError

PAGES_PER_STEP = 1024


class BackupError(AlurError):
    code = "backup"
    template = N_("cannot back up the database: {reason}")


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for any other database)."""
    return Path(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else None


def backup_sqlite(url: str, output: Path) -> int:
    """Copy the SQLite database of ``url`` to ``output`` online; the pages copied."""
    source = sqlite_path(url)
    if source is None:
        raise BackupError(
            reason="ALUR_DATABASE_URL is PostgreSQL: use pg_basebackup with WAL archiving "
            "(point-in-time recovery) or pg_dump, as docs/operations.md describes"
        )
    if not source.exists():
        raise BackupError(reason=f"{source} does not exist")
    if output.resolve() == source.resolve():
        raise BackupError(reason="the output is the database itself")
    tmp = output.with_name(f".{output.name}.{os.getpid()}.part")
    tmp.unlink(missing_ok=True)
    pages = 0

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    try:
        with (
            contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            contextlib.closing(sqlite3.connect(tmp)) as dst,
        ):
            src.backup(dst, pages=PAGES_PER_STEP, progress=progress)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(reason=str(exc)) from None
    os.replace(tmp, output)
    return pages
