"""/healthz and /readyz (issue 15, observability), on SQLite and PostgreSQL: cheap,
unauthenticated, no session rows, JSON saying which check failed, 503 when not ready; the
worker's heartbeat reported, and required only when the operator says so."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient

from alur.tenants.observability import heartbeat, readiness
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Session, WorkerHeartbeat
from alur.web.app import create_app
from alur.web.settings import WebSettings


async def migrated(url: str) -> None:
    await close_database(await open_database(url))


@pytest.fixture
def client(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("ALUR_READY_REQUIRES_WORKER", raising=False)
    asyncio.run(migrated(database_url))
    readiness.forget_current()
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        yield c
    readiness.forget_current()


def call(c: TestClient, coro_fn, *args):  # run in the app's own event loop
    return c.blocking_portal.call(coro_fn, *args)


async def session_rows() -> int:
    return await Session.count()


def test_healthz_answers_without_a_session(client: TestClient) -> None:
    before = call(client, session_rows)
    for _ in range(3):
        answer = client.get("/healthz")
        assert answer.status_code == 200
        assert answer.json() == {"status": "ok"}
        assert "set-cookie" not in answer.headers
    assert call(client, session_rows) == before


def test_readyz_reports_each_check_and_the_absent_worker(client: TestClient) -> None:
    before = call(client, session_rows)
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "worker": "absent"},
    }
    assert "set-cookie" not in answer.headers
    assert call(client, session_rows) == before
    # a monitor that asks for the worker learns that it is missing
    strict = client.get("/readyz?worker=1")
    assert strict.status_code == 503
    assert strict.json()["checks"]["worker"] == "absent"


def test_readyz_follows_the_heartbeat(client: TestClient) -> None:
    row_id = call(client, heartbeat.start_beating)
    assert client.get("/readyz?worker=1").json()["checks"]["worker"] == "ok"
    old = datetime.now(UTC) - heartbeat.STALE_AFTER - timedelta(seconds=5)
    call(client, heartbeat.beat, row_id, old)
    stale = client.get("/readyz?worker=1")
    assert stale.status_code == 503
    assert stale.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "migrations": "ok", "worker": "stale"},
    }
    assert client.get("/readyz").status_code == 200  # reported, not required
    call(client, heartbeat.stop_beating, row_id)
    assert call(client, WorkerHeartbeat.count) == 0


def test_operator_can_require_the_worker(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(migrated(database_url))
    readiness.forget_current()
    monkeypatch.setenv("ALUR_READY_REQUIRES_WORKER", "1")
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        assert c.get("/readyz").status_code == 503
        row_id = call(c, heartbeat.start_beating)
        assert c.get("/readyz").status_code == 200
        call(c, heartbeat.stop_beating, row_id)


def test_readyz_names_missing_migrations(client: TestClient) -> None:
    from piccolo.apps.migrations.tables import Migration

    async def forget_last() -> None:
        await Migration.delete().where(Migration.name == "2026-12-03T10:30:00:000000")

    readiness.forget_current()
    call(client, forget_last)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "migrations": "1 not applied: run alur migrate"},
    }


def test_readyz_says_the_database_is_unreachable(client: TestClient) -> None:
    async def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("connect call failed")

    original = heartbeat.last_seen
    readiness_last_seen = readiness.last_seen
    try:
        readiness.last_seen = unreachable  # type: ignore[assignment]
        answer = client.get("/readyz")
    finally:
        readiness.last_seen = readiness_last_seen  # type: ignore[assignment]
    assert original is readiness_last_seen
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable",
        "checks": {"database": "unreachable (ConnectionRefusedError)"},
    }


def test_worker_beats_while_it_runs(database_url: str) -> None:
    """run_heartbeat inserts its row at once, and removes it when stopped."""

    async def walk() -> tuple[int, int]:
        db = await open_database(database_url)
        try:
            task = asyncio.create_task(heartbeat.run_heartbeat(every=0.05))
            for _ in range(500):  # bounded: 500 × 20 ms
                await asyncio.sleep(0.02)
                if await WorkerHeartbeat.count():
                    break
            running = await WorkerHeartbeat.count()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return running, await WorkerHeartbeat.count()
        finally:
            await close_database(db)

    assert asyncio.run(walk()) == (1, 0)


def test_readyz_answers_503_when_postgresql_is_gone(tmp_path) -> None:
    """A server of its own, stopped under the running app: /readyz says so, quickly."""
    from alur.tenants.testing.postgres import TemporaryPostgres

    server = TemporaryPostgres().start()
    try:
        url = server.create_database("alur_gone")
        asyncio.run(migrated(url))
        readiness.forget_current()
        app = create_app(WebSettings(database_url=url, secret_key="k" * 40))
        with TestClient(app) as c:
            assert c.get("/readyz").status_code == 200
            server.stop()
            answer = c.get("/readyz")
            assert c.get("/healthz").status_code == 200  # alive, not ready
        assert answer.status_code == 503, answer.text
        assert answer.json()["status"] == "unavailable"
        assert answer.json()["checks"]["database"].startswith(("unreachable (", "no answer within"))
    finally:
        server.stop()
