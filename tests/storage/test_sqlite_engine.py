"""``PooledSQLiteEngine``: reads on the calling thread, writes on the workers, WAL isolation."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from alur.tenants.storage.piccolo_patches.sqlite_engine import PooledSQLiteEngine

pytestmark = pytest.mark.anyio


def engine_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: Any
) -> tuple[PooledSQLiteEngine, list[tuple[str, int]]]:
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)")
    engine = PooledSQLiteEngine(path=str(path), timeout=5.0, **kwargs)
    seen: list[tuple[str, int]] = []
    run = engine._run

    def recording(query: str, args: list[Any]) -> list[dict]:
        seen.append((query.split()[0].upper(), threading.get_ident()))
        return run(query, args)

    monkeypatch.setattr(engine, "_run", recording)
    return engine, seen


async def test_reads_run_here_and_writes_on_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, seen = engine_at(tmp_path, monkeypatch)
    try:
        await engine._run_in_new_connection("INSERT INTO item (name) VALUES (?)", ["a"])
        rows = await engine._run_in_new_connection("SELECT name FROM item", [])
        assert rows == [{"name": "a"}]
        here = threading.get_ident()
        assert seen[0][0] == "INSERT"
        assert seen[0][1] != here
        assert seen[1] == ("SELECT", here)
    finally:
        engine.close()


async def test_reads_can_be_sent_to_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, seen = engine_at(tmp_path, monkeypatch, inline_reads=False)
    try:
        await engine._run_in_new_connection("SELECT 1 AS one", [])
        assert seen[0][1] != threading.get_ident()
    finally:
        engine.close()


async def test_a_read_neither_waits_for_nor_sees_an_open_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = engine_at(tmp_path, monkeypatch)
    writer = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock
        writer.execute("INSERT INTO item (name) VALUES ('uncommitted')")
        assert await engine._run_in_new_connection("SELECT name FROM item", []) == []
        writer.execute("COMMIT")
        rows = await engine._run_in_new_connection("SELECT name FROM item", [])
        assert rows == [{"name": "uncommitted"}]
    finally:
        writer.close()
        engine.close()
