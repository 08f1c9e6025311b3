"""The database fixtures every folder of tests/ sees (imported into tests/conftest.py).

``database`` is a fresh, migrated, empty database per test — the test runs twice, once on
SQLite ([sqlite]) and once on a real PostgreSQL server ([postgresql]), a throwaway cluster
started once per session (per xdist worker). Every table is bound to it. Async tests run
under anyio:

    pytestmark = pytest.mark.anyio

    async def test_tenant_round_trip(database: Database) -> None:
        await Tenant.insert(Tenant(slug="dinas-contoh", name="Dinas Contoh", plugin="contoh"))
        assert await Tenant.count() == 1

``database_url`` is the same database as a URL only (e.g. for ALUR_DATABASE_URL of a
subprocess); ``fresh_databases.url("sqlite" | "postgresql", migrated=False)`` makes more.
If PostgreSQL cannot be started the [postgresql] tests fail with the reason; they never skip.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from alur.core import AlurPlugins
from alur.graphql.testing import World, provision
from alur.tenants.identity import people as identity
from alur.tenants.storage.database import Database, close_database, open_database
from alur.tenants.testing.people import cheap_hasher as cheap_password_hasher
from alur.tenants.testing.postgres import TemporaryPostgres, run_coroutine

# The audit chain's key for every test (and the processes tests start): never a key file
# in the working directory. A fixed test key, so a chain written in one test process
# verifies in another.
os.environ.setdefault("ALUR_AUDIT_KEY", "test:" + base64.b64encode(b"alur-test-key" * 3).decode())

BACKENDS = ("sqlite", "postgresql")
POSTGRES_TEMPLATE = "alur_template"
_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TemporaryPostgres]:
    """A throwaway PostgreSQL server for the whole session (one per xdist worker)."""
    with TemporaryPostgres() as server:
        yield server


async def _migrate(url: str) -> None:
    await close_database(await open_database(url))


@pytest.fixture(scope="session")
def postgres_template(postgres_server: TemporaryPostgres) -> str:
    """The name of a migrated database on ``postgres_server`` to copy; nothing stays connected."""
    postgres_server.create_database(POSTGRES_TEMPLATE)
    run_coroutine(_migrate(postgres_server.url(POSTGRES_TEMPLATE)))
    return POSTGRES_TEMPLATE


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file (WAL mode, checkpointed) to copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "alur.db"
    run_coroutine(_migrate(f"sqlite:///{path}"))
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


class FreshDatabases:
    """Makes empty databases for one test; the PostgreSQL ones are dropped after it."""

    def __init__(self, request: pytest.FixtureRequest, directory: Path) -> None:
        self._request = request
        self._directory = directory
        self._created: list[str] = []

    def url(self, backend: str, *, migrated: bool = True) -> str:
        """The URL of a new database on ``backend``; ``migrated=False``: no tables at all."""
        number = next(_database_numbers)
        if backend == "sqlite":
            path = self._directory / f"alur-{number}.db"
            if migrated:
                shutil.copyfile(self._request.getfixturevalue("sqlite_template"), path)
            return f"sqlite:///{path}"
        if backend == "postgresql":
            server: TemporaryPostgres = self._request.getfixturevalue("postgres_server")
            template = self._request.getfixturevalue("postgres_template") if migrated else None
            name = f"alur_test_{number}"
            self._created.append(name)
            return server.create_database(name, template=template)
        raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}")

    def drop(self) -> None:
        if self._created:
            server: TemporaryPostgres = self._request.getfixturevalue("postgres_server")
            for name in self._created:
                server.drop_database(name)


@pytest.fixture
def fresh_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FreshDatabases]:
    """``fresh_databases.url(backend, migrated=True)``: a new database's URL, for this test."""
    databases = FreshDatabases(request, tmp_path)
    yield databases
    databases.drop()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, fresh_databases: FreshDatabases) -> str:
    """The URL of a fresh, migrated, empty database on SQLite and on PostgreSQL."""
    return fresh_databases.url(request.param)


@pytest.fixture
async def database(database_url: str, anyio_backend: str) -> AsyncIterator[Database]:
    """A fresh, migrated, empty :class:`Database` (SQLite and PostgreSQL), every table bound."""
    db = await open_database(database_url, run_migrations=False)
    try:
        yield db
    finally:
        await close_database(db)


# --- the GraphQL offices ------------------------------------------------------------------------


@pytest.fixture
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with the cheapest parameters: tests that create people pay milliseconds, not
    tens of them. Modules use it for every test: ``pytest.mark.usefixtures("cheap_hasher")``."""
    monkeypatch.setattr(identity, "_hasher", cheap_password_hasher())


@pytest.fixture
async def world(database: Database, installed: AlurPlugins, cheap_hasher: None) -> World:
    """Two provisioned offices with people and tokens (:func:`alur.graphql.testing.provision`)."""
    return await provision(database, installed)
