"""Counting the statements a database runs, for the tests that check a page costs as many
statements whatever its size (tests/graphql, tests/cases/test_inbox.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from alur.tenants.storage.database import Database


@contextlib.contextmanager
def counting(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every statement ``db``'s engine runs: every query of both backends goes
    through ``run_querystring`` (or ``run_ddl`` for raw SQL strings)."""
    engine_class = type(db.engine)
    seen: list[str] = []
    run_querystring, run_ddl = engine_class.run_querystring, engine_class.run_ddl

    async def querystring(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        if self is db.engine:
            seen.append(str(querystring))
        return await run_querystring(self, querystring, *args, **kwargs)

    async def ddl(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        if self is db.engine:
            seen.append(sql)
        return await run_ddl(self, sql, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(engine_class, "run_querystring", querystring)
        patch.setattr(engine_class, "run_ddl", ddl)
        yield seen
