"""Helpers of the database command tests (test_cli_storage.py, test_cli_demo.py): reading the
SQLite file back and checking a command's result."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from click.testing import Result

TABLES = (
    "alur_tenant",
    "alur_unit",
    "alur_user",
    "alur_operator",
    "alur_membership",
    "alur_case",
    "alur_task",
    "alur_event",
    "alur_attachment",
)


def query(db_file: Path, sql: str, *params: object) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db_file)) as connection:
        rows = connection.execute(sql, params).fetchall()
        connection.commit()
        return rows


def counts(db_file: Path) -> dict[str, int]:
    return {t: query(db_file, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def usage_error(result: Result, *texts: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for text in texts:
        assert text in result.stderr
