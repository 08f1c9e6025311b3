"""The ``db_file``, ``run`` and ``office`` fixtures of the database command tests (helpers:
cli_helpers.py)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from alur.cli.main import cli
from alur.core import AlurPlugins


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "alur.db"


@pytest.fixture
def run(installed: AlurPlugins, db_file: Path):
    """``run("tenants list", *more_args, input=None, url=None, columns=250)``: ``alur`` on
    the SQLite file (or ``url``) in a ``columns`` wide console; the command line is split
    like a shell does."""

    def invoke(
        command: str,
        *more: str,
        input: str | None = None,
        url: str | None = None,
        columns: int = 250,
    ) -> Result:
        env = {"ALUR_DATABASE_URL": url or f"sqlite:///{db_file}", "COLUMNS": str(columns)}
        args = [*shlex.split(command), *more]
        return CliRunner().invoke(cli, args, obj=lambda: installed, env=env, input=input)

    return invoke
