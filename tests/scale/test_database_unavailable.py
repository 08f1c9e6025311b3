"""The clear 503 while the database cannot be reached (issue 15, "Scale-out").

In process, on both backends: every kind of "the database is away" error (asyncpg's lost
connection and "cannot connect now", a refused socket, SQLite locked beyond its busy
timeout) answers 503 with ``Retry-After`` and the Indonesian message, as a page, an htmx
fragment or JSON; a bug stays a 500. Then for real: a running app process on a throwaway
PostgreSQL that is shut down answers 503 (web and GraphQL, code ``DATABASE_UNAVAILABLE``)
and, once the server is back, 200 again without being restarted; and a transaction whose
connection is killed before it commits leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx
from litestar import get
from litestar.params import FromPath
from litestar.testing import TestClient

from alur.core.plugins import create_plugin_manager
from alur.graphql.testing import OFFICE_A, PASSWORD, SOP_A, provision
from alur.tenants.cases.store import CaseStore
from alur.tenants.storage.database import (
    Database,
    close_database,
    is_unavailable,
    open_database,
)
from alur.tenants.storage.tables import Case, Event
from alur.tenants.testing.people import use_cheap_hasher
from alur.tenants.testing.postgres import TemporaryPostgres
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import HTMX, running_app, sign_in_sync

MESSAGE_ID = "Layanan sedang tidak tersedia sebentar, coba lagi dalam beberapa detik."
RECOVERY_SECONDS = 30.0  # the app must answer 200 again within this after the restart

FAILURES: dict[str, Callable[[], Exception]] = {
    "connection-lost": lambda: asyncpg.ConnectionDoesNotExistError(
        "connection was closed in the middle of operation"
    ),
    "cannot-connect-now": lambda: asyncpg.CannotConnectNowError(
        "the database system is shutting down"
    ),
    "admin-shutdown": lambda: asyncpg.AdminShutdownError("terminating connection"),
    "closed": lambda: asyncpg.InterfaceError("connection is closed"),
    "refused": lambda: ConnectionRefusedError(111, "Connect call failed"),
    "sqlite-locked": lambda: sqlite3.OperationalError("database is locked"),
}


@get("/test-db-away/{kind:str}", sync_to_thread=False)
def fail(kind: FromPath[str]) -> None:
    if kind == "bug":
        raise RuntimeError("a bug")
    raise FAILURES[kind]()


def test_every_kind_of_database_away_is_a_503(database_url: str) -> None:
    settings = WebSettings(database_url=database_url, secret_key="k" * 40)
    with TestClient(create_app(settings, extra_controllers=(fail,))) as client:
        for kind in FAILURES:
            page = client.get(f"/test-db-away/{kind}")
            assert page.status_code == 503, (kind, page.status_code)
            assert page.headers["retry-after"] == "5"
            assert page.headers["x-alur-error"] == "database_unavailable"
            assert MESSAGE_ID in page.text
            assert "<html" in page.text.lower()
        fragment = client.get("/test-db-away/connection-lost", headers=HTMX)
        assert fragment.status_code == 503
        assert MESSAGE_ID in fragment.text
        assert "<html" not in fragment.text.lower()
        answer = client.get("/test-db-away/refused", headers={"Accept": "application/json"}).json()
        assert answer == {"error": {"code": "database_unavailable", "message": MESSAGE_ID}}
        client.cookies.set("lang", "en")
        english = client.get("/test-db-away/sqlite-locked")
        assert "briefly unavailable" in english.text
        assert client.get("/test-db-away/bug").status_code == 500


async def _provision(url: str) -> tuple[str, list[str]]:
    """Office A of :mod:`alur.graphql.testing` with a case; (Staf's token, case keys)."""
    use_cheap_hasher()
    db = await open_database(url)
    try:
        world = await provision(db, create_plugin_manager())
        key = (await world.a.start_case(world.users["staf"], SOP_A, "Tahun 2020")).key
        return world.tokens["a-staf"], [key]
    finally:
        await close_database(db)


GRAPHQL_CASE = "query($k: String!) { case(key: $k) { __typename ... on Case { key } } }"


def _graphql(base: str, token: str, key: str) -> httpx.Response:
    return httpx.post(
        base + "/graphql",
        json={"query": GRAPHQL_CASE, "variables": {"k": key}},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "id"},
        timeout=30,
    )


def test_a_restarted_postgresql_gives_503s_then_200s_without_restarting_the_app(
    tmp_path: Path,
) -> None:
    with TemporaryPostgres() as pg:
        url = pg.create_database("alur")
        token, keys = asyncio.run(_provision(url))
        with running_app(url, tmp_path) as (base, log_path), httpx.Client(base_url=base) as web:
            sign_in_sync(web, "staf", PASSWORD)
            inbox, case = f"/t/{OFFICE_A}/inbox", f"/t/{OFFICE_A}/cases/{keys[0]}"
            assert web.get(inbox).status_code == 200
            assert _graphql(base, token, keys[0]).status_code == 200
            pg.pause()
            try:
                for path in (inbox, case):
                    away = web.get(path, timeout=30)
                    assert away.status_code == 503, (path, away.status_code, away.text[:300])
                    assert away.headers["retry-after"] == "5"
                    assert MESSAGE_ID in away.text
                api = _graphql(base, token, keys[0])
                assert api.status_code == 503, api.text
                assert api.headers["retry-after"] == "5"
                error = api.json()["errors"][0]
                assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
                assert error["message"] == MESSAGE_ID
            finally:
                pg.resume()
            deadline = time.monotonic() + RECOVERY_SECONDS
            statuses: list[int] = []
            while time.monotonic() < deadline:  # bounded by time (and so by count)
                statuses = [
                    web.get(inbox).status_code,
                    web.get(case).status_code,
                    _graphql(base, token, keys[0]).status_code,
                ]
                if statuses == [200, 200, 200]:
                    break
                time.sleep(0.5)
            assert statuses == [200, 200, 200], statuses
            # every pooled connection died with the server: several requests in a row must
            # all find a live one (asyncpg's pool replaces the closed ones)
            assert {web.get(inbox).status_code for _ in range(15)} == {200}
            # no error logged by Alur (asyncpg's pool warns while it restores its floor)
            logged = log_path.read_text(errors="replace").splitlines()
            assert not [line for line in logged if line.startswith(("ERROR", "CRITICAL"))]


TERMINATE = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = 'alur' AND pid <> pg_backend_pid()"
)


async def _killed_transaction(db: Database, pg: TemporaryPostgres) -> Exception:
    """What a transaction raises when its connection is killed after its writes."""
    try:
        async with CaseStore(db).transaction():
            await Case.raw("UPDATE alur_case SET status = 'cancelled'")
            await Event.raw("DELETE FROM alur_event")
            await pg.execute_async(TERMINATE)
            await Case.raw("SELECT 1")
    except Exception as exc:
        return exc
    raise AssertionError("the transaction of a killed connection went through")


async def _until_answered(query: object, attempts: int = 10) -> object:
    """``query`` run again while it fails for a database that is away: the pool's other
    connections died too, and each is found dead only when used (a 503 for that request)."""
    for _ in range(attempts):  # bounded by count (and each attempt by time)
        try:
            return await asyncio.wait_for(query.run(), 30)  # type: ignore[attr-defined]
        except Exception as exc:
            if not is_unavailable(exc):
                raise
    raise AssertionError(f"no answer after {attempts} attempts")


def test_a_transaction_whose_connection_dies_leaves_nothing_and_the_task_goes_on() -> None:
    """The connection of a transaction is killed after its writes, before the commit:
    nothing of it is stored, the error is one that answers 503, and the same task (a
    worker's job loop) goes on — piccolo's own ``__aexit__`` left the task bound to the
    dead, released connection for good. (Run by asyncio directly: asyncpg reports the lost
    connection from a callback too, which anyio's test runner would turn into a failure.)"""

    async def walk(pg: TemporaryPostgres, url: str) -> None:
        await _provision(url)
        db = await open_database(url)
        try:
            cases, events = await Case.count(), await Event.count()
            assert cases > 0
            for _round in range(2):  # twice: the task is not left in a broken transaction
                raised = await _killed_transaction(db, pg)
                assert is_unavailable(raised), repr(raised)
                assert await _until_answered(Case.count()) == cases
                assert await _until_answered(Event.count()) == events
                cancelled = Case.count().where(Case.status == "cancelled")
                assert await _until_answered(cancelled) == 0
        finally:
            await close_database(db)

    with TemporaryPostgres() as pg:
        url = pg.create_database("alur")
        asyncio.run(walk(pg, url))
