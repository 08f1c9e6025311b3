"""The bench databases: built (or copied) once per run, or reused from ``--cache DIR``
(the SQLite file, a ``pg_dump`` of the PostgreSQL one), keyed by the data version, the
sizes, the plugin versions and the migrations."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from alur.tenants.storage import piccolo_migrations
from alur.tenants.storage.database import open_database
from support.provisioning import DATA_VERSION, PLUGINS, copy_rows, provision


def cache_key(backend: str, tenants: int, cases: int) -> str:
    migrations = Path(piccolo_migrations.__file__).parent
    parts = [
        str(DATA_VERSION),
        backend,
        str(tenants),
        str(cases),
        *(f"{p}={metadata.version('alur-' + p.replace('_', '-'))}" for p in PLUGINS),
        *sorted(p.name for p in migrations.glob("*.py")),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def plugin_versions_ok() -> bool:
    try:
        for p in PLUGINS:
            metadata.version("alur-" + p.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return False
    return True


def build_sqlite(tmp: Path, args: argparse.Namespace, source: str | None = None) -> str:
    """The SQLite database: from the cache, copied from ``source``, or provisioned."""
    path = tmp / "bench-web.db"
    url = f"sqlite:///{path}"
    cached = None
    if args.cache and plugin_versions_ok():
        cached = Path(args.cache) / f"web-sqlite-{cache_key('sqlite', args.tenants, args.cases)}.db"
    if cached is not None and cached.exists():
        shutil.copyfile(cached, path)
        print(f"  SQLite: using the cached database {cached}")
        return url
    if source is not None:
        print("  SQLite: copying the PostgreSQL data")
        asyncio.run(copy_rows(source, url))
    else:
        print("  SQLite:")
        asyncio.run(provision(url, args.tenants, args.cases))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        asyncio.run(checkpoint(url))
        shutil.copyfile(path, cached)
        print(f"  cached in {cached}")
    return url


async def checkpoint(url: str) -> None:
    db = await open_database(url, run_migrations=False)
    await db.engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")


def build_postgres(pg: Any, args: argparse.Namespace) -> str:
    url = pg.create_database("bench")
    cached = None
    if args.cache and plugin_versions_ok():
        key = cache_key("postgresql", args.tenants, args.cases)
        cached = Path(args.cache) / f"web-postgresql-{key}.dump"
    if cached is not None and cached.exists():
        restore = [str(pg.bindir / "pg_restore"), "--no-owner", "-j", "2", "-d", url, str(cached)]
        subprocess.run(restore, check=True, capture_output=True, timeout=600)
        subprocess.run(
            [str(pg.bindir / "psql"), "-q", "-d", url, "-c", "ANALYZE"], check=True, timeout=600
        )
        print(f"  PostgreSQL: using the cached database {cached}")
        return url
    print("  PostgreSQL:")
    asyncio.run(provision(url, args.tenants, args.cases, parallel=args.parallel))
    subprocess.run(
        [str(pg.bindir / "psql"), "-q", "-d", url, "-c", "VACUUM ANALYZE"], check=True, timeout=600
    )
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        dump = [str(pg.bindir / "pg_dump"), "-Fc", "-f", str(cached), url]
        subprocess.run(dump, check=True, capture_output=True, timeout=600)
        print(f"  cached in {cached}")
    return url
