"""Choosing, binding and migrating the database, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import asyncpg
import pytest
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from alur.tenants.storage.database import (
    DEFAULT_URL,
    Database,
    DatabaseConfigError,
    bind,
    close_database,
    database_url,
    engine_from_url,
    migrate,
    open_database,
)
from alur.tenants.storage.tables import TABLES, Tenant
from alur.tenants.testing.postgres import PostgresUnavailable, TemporaryPostgres

pytestmark = pytest.mark.anyio


def tenant(slug: str = "dinas-contoh") -> Tenant:
    return Tenant(slug=slug, name="Dinas Contoh", plugin="contoh")


async def existing_tables(db: Database) -> set[str]:
    if db.is_sqlite:
        rows = await db.engine.run_ddl("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = await db.engine.run_ddl(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    return {row["name"] for row in rows}


# --- migrations ---------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_migrate_creates_every_table(backend: str, fresh_databases) -> None:
    db = await open_database(fresh_databases.url(backend, migrated=False), run_migrations=False)
    try:
        assert not await existing_tables(db) & {t._meta.tablename for t in TABLES}
        await migrate(db.engine)
        tables = await existing_tables(db)
        for table in TABLES:
            assert table._meta.tablename in tables
            assert await table.table_exists()
        assert await Migration.count().where(Migration.app_name == "alur_tenants") > 0
    finally:
        await close_database(db)


async def test_migrating_again_is_a_no_op(database: Database) -> None:
    await Tenant.insert(tenant())
    applied = await Migration.select(Migration.name).order_by(Migration.id)
    report = await migrate(database.engine)
    assert "No migrations need to be run" in report
    assert await Migration.select(Migration.name).order_by(Migration.id) == applied
    assert await Tenant.count() == 1


async def test_the_database_fixture_is_fresh_and_bound(database: Database) -> None:
    for table in TABLES:
        assert table._meta.db is database.engine
        assert await table.count() == 0
    assert isinstance(database.engine, SQLiteEngine if database.is_sqlite else PostgresEngine)


async def test_a_pooled_connection_goes_back_without_a_reset_round_trip(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.is_sqlite:
        pytest.skip("PostgreSQL's connection pool")
    sent: list[str] = []
    execute = asyncpg.Connection.execute

    async def recording(self: asyncpg.Connection, query: str, *args: object, **kw: object) -> str:
        sent.append(query)
        return await execute(self, query, *args, **kw)

    monkeypatch.setattr(asyncpg.Connection, "execute", recording)
    assert await Tenant.count() == 0
    assert not [q for q in sent if "RESET ALL" in q]
    # a transaction left open is still rolled back before the connection is reused
    pool = database.engine.pool
    async with pool.acquire() as connection:
        await connection.execute("BEGIN")
        await connection.execute(
            "INSERT INTO alur_tenant (slug, name, plugin) VALUES ('x', 'X', 'p')"
        )
    assert "ROLLBACK" in sent
    assert await Tenant.count() == 0


# --- configuration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "",
        "alur.db",
        "mysql://alur@localhost/alur",
        "sqlite://alur.db",
        "sqlite:///",
        "postgresql://alur@localhost",
        "postgresql://alur@localhost:5432/",
    ],
)
def test_engine_from_url_rejects_bad_urls(url: str) -> None:
    with pytest.raises(DatabaseConfigError) as raised:
        engine_from_url(url)
    assert repr(url) in str(raised.value)
    assert raised.value.code == "database_config"


def test_engine_from_url_accepts_both_backends(
    tmp_path: Path, postgres_server: TemporaryPostgres
) -> None:
    assert isinstance(engine_from_url(f"sqlite:///{tmp_path}/a.db"), SQLiteEngine)
    # piccolo connects when an engine is made (to check the server version): use a real one.
    url = postgres_server.url()
    for scheme in ("postgresql", "postgres"):
        engine = engine_from_url(url.replace("postgresql", scheme, 1))
        assert isinstance(engine, PostgresEngine)


async def test_default_is_sqlite_in_the_working_directory_in_wal_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ALUR_DATABASE_URL", raising=False)
    assert database_url() == DEFAULT_URL == "sqlite:///alur.db"
    assert database_url({"ALUR_DATABASE_URL": "  "}) == DEFAULT_URL
    db = await open_database()
    try:
        assert db.is_sqlite
        assert db.url == DEFAULT_URL
        assert (tmp_path / "alur.db").is_file()
        assert (await db.engine.run_ddl("PRAGMA journal_mode"))[0]["journal_mode"] == "wal"
        with contextlib.closing(sqlite3.connect(tmp_path / "alur.db")) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        await close_database(db)


async def test_binding_switches_engines(fresh_databases) -> None:
    lite = await open_database(fresh_databases.url("sqlite"), run_migrations=False)
    pg = await open_database(fresh_databases.url("postgresql"), run_migrations=False)
    try:
        bind(lite.engine)
        await Tenant.insert(tenant())
        bind(pg.engine)
        assert await Tenant.count() == 0
        bind(lite.engine)
        assert await Tenant.select(Tenant.slug) == [{"slug": "dinas-contoh"}]
    finally:
        await close_database(pg)
        await close_database(lite)


# --- the throwaway PostgreSQL server ------------------------------------------------------


async def test_temporary_postgres_runs_a_real_server(postgres_server: TemporaryPostgres) -> None:
    assert postgres_server.url("x") == f"postgresql://alur@127.0.0.1:{postgres_server.port}/x"
    connection = await asyncpg.connect(postgres_server.url())
    try:
        assert (await connection.fetchval("SELECT version()")).startswith("PostgreSQL ")
        assert await connection.fetchval("SHOW fsync") == "off"
        assert await connection.fetchval("SHOW max_connections") == "200"
        assert await connection.fetchval("SELECT current_user") == "alur"
    finally:
        await connection.close()
    assert postgres_server.data_dir.is_dir()


def test_temporary_postgres_says_how_to_install_postgresql(tmp_path: Path) -> None:
    with pytest.raises(PostgresUnavailable) as raised, TemporaryPostgres(bindir=tmp_path):
        pass
    assert "scripts/setup" in str(raised.value)
    assert "postgresql" in str(raised.value)
