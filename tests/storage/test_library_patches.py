"""The library code Alur's patches replace or rely on is still the code they were written for.

Alur reaches into a library's internals in a few places, each kept in one named module:

========================================================  ===========================================
patch                                                     what it reaches into
========================================================  ===========================================
tenants/storage/piccolo_patches/foreign_key.py            piccolo ``ForeignKey.__getattribute__``
tenants/storage/piccolo_patches/sqlite_engine.py          piccolo ``SQLiteEngine._run_in_new_connection``
tenants/storage/piccolo_patches/postgres_engine.py        piccolo ``PostgresTransaction.__aexit__``
graphql/graphql_core_patches/executor.py                  graphql-core's ``Executor`` (field execution),
                                                          strawberry's default-resolver marker
graphql/document_cache.py                                 strawberry's parse and validate steps
tenants/storage/piccolo_migrations/                       piccolo ``MigrationManager.run`` (the
  alur_tenants_2026_11_25t09_00_00_000000.py              ``_IndexesAfterTables`` subclass)
========================================================  ===========================================

Each upstream function or method is pinned here by a hash of its source, with the library
version it was read in. When an upgrade changes one, the test fails and names the patch to
re-check; once it is re-checked (and its own tests pass), update the pin: run this file with
``ALUR_SHOW_PINS=1`` to print the current hashes. What the patches *do* is tested in
tests/storage/test_columns.py (ForeignKey), tests/storage/test_sqlite_engine.py, tests/graphql/test_graphql_execution.py
(the executor answers as graphql-core does) and tests/graphql/test_graphql_limits.py; the session
backend's two litestar overrides (public extension points) are pinned by
tests/web/test_web_sessions.py.

Not patches: ``alur.tenants.storage.database.keep_session`` is passed through piccolo's
``start_connection_pool(**kwargs)`` to asyncpg's public ``create_pool(reset=...)``, and
``Table._meta`` is piccolo's documented way to bind a table to an engine; both are checked
below by signature only.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import os
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from graphql import GraphQLSchema
from graphql.execution.middleware import MiddlewareManager
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine
from strawberry.schema.schema_converter import GraphQLCoreConverter

from alur.graphql.graphql_core_patches.executor import AlurExecutor
from alur.graphql.schema import schema
from alur.tenants.storage.piccolo_patches.foreign_key import ForeignKey
from alur.tenants.storage.piccolo_patches.sqlite_engine import PooledSQLiteEngine


@dataclass(frozen=True)
class Pin:
    patch: str  # the file of ours that depends on the upstream code
    upstream: str  # "module:Qualified.name" of the function or method
    distribution: str  # the library's distribution name (for its version)
    version: str  # the version the hash was taken from
    sha256: str  # the first 16 hex digits of the SHA-256 of its source


FOREIGN_KEY = "tenants/storage/piccolo_patches/foreign_key.py"
SQLITE_ENGINE = "tenants/storage/piccolo_patches/sqlite_engine.py"
POSTGRES_ENGINE = "tenants/storage/piccolo_patches/postgres_engine.py"
EXECUTOR = "graphql/graphql_core_patches/executor.py"
DOCUMENT_CACHE = "graphql/document_cache.py"
MIGRATION_MANAGER = "tenants/storage/piccolo_migrations/alur_tenants_2026_11_25t09_00_00_000000.py"

PINS = (
    Pin(
        FOREIGN_KEY,
        "piccolo.columns.column_types:ForeignKey.__getattribute__",
        "piccolo",
        "1.38.0",
        "0f3e348150c5efd8",
    ),
    Pin(
        SQLITE_ENGINE,
        "piccolo.engine.sqlite:SQLiteEngine._run_in_new_connection",
        "piccolo",
        "1.38.0",
        "b1d06d9de80697ec",
    ),
    Pin(
        SQLITE_ENGINE,
        "piccolo.engine.sqlite:SQLiteEngine.run_querystring",
        "piccolo",
        "1.38.0",
        "daa84d07b7abc88b",
    ),
    Pin(
        SQLITE_ENGINE,
        "piccolo.engine.sqlite:SQLiteEngine.run_ddl",
        "piccolo",
        "1.38.0",
        "dfda8cdf8740d80f",
    ),
    Pin(
        SQLITE_ENGINE,
        "piccolo.engine.sqlite:SQLiteEngine.__init__",
        "piccolo",
        "1.38.0",
        "23491854d9608c25",
    ),
    Pin(
        POSTGRES_ENGINE,
        "piccolo.engine.postgres:PostgresTransaction.__aexit__",
        "piccolo",
        "1.38.0",
        "d0402b41941d3b79",
    ),
    Pin(
        POSTGRES_ENGINE,
        "piccolo.engine.postgres:PostgresEngine.transaction",
        "piccolo",
        "1.38.0",
        "a1b739ed5b51d553",
    ),
    Pin(
        EXECUTOR,
        "graphql.execution.executor:Executor.execute_fields",
        "graphql-core",
        "3.3.2",
        "797f54fbd779b4e3",
    ),
    Pin(
        EXECUTOR,
        "graphql.execution.executor:Executor.execute_field",
        "graphql-core",
        "3.3.2",
        "5281dc836ecc24a0",
    ),
    Pin(
        EXECUTOR,
        "graphql.execution.executor:Executor.complete_value",
        "graphql-core",
        "3.3.2",
        "06c34f7681a13120",
    ),
    Pin(
        EXECUTOR,
        "graphql.execution.incremental.incremental_executor:"
        "IncrementalExecutor.execute_collected_root_fields",
        "graphql-core",
        "3.3.2",
        "68b710867496cc9a",
    ),
    Pin(
        EXECUTOR,
        "strawberry.schema.schema_converter:GraphQLCoreConverter.from_resolver",
        "strawberry-graphql",
        "0.341.2",
        "bcac1354fecdee79",
    ),
    Pin(
        DOCUMENT_CACHE,
        "strawberry.schema.schema:_parse_operation_document",
        "strawberry-graphql",
        "0.341.2",
        "6816c6ff52b3cca8",
    ),
    Pin(
        DOCUMENT_CACHE,
        "strawberry.schema.schema:_run_validation",
        "strawberry-graphql",
        "0.341.2",
        "8f2b2eef9b75c8ef",
    ),
    Pin(
        MIGRATION_MANAGER,
        "piccolo.apps.migrations.auto.migration_manager:MigrationManager.run",
        "piccolo",
        "1.38.0",
        "47383404f2a240de",
    ),
)


def upstream_object(dotted: str) -> Any:
    """The function ``module:Class.name`` names, as the class itself defines it (an upstream
    method moved to a base class counts as changed)."""
    module_name, _, qualname = dotted.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        namespace = vars(obj)
        if part not in namespace:
            raise LookupError(f"{dotted}: {obj!r} no longer defines {part!r}")
        obj = namespace[part]
    return inspect.unwrap(obj)


def source_hash(dotted: str) -> str:
    source = inspect.getsource(upstream_object(dotted))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


@pytest.mark.parametrize("pin", PINS, ids=[p.upstream.partition(":")[2] for p in PINS])
def test_upstream_code_is_what_the_patch_was_written_for(pin: Pin) -> None:
    installed = importlib.metadata.version(pin.distribution)
    library = pin.distribution.split("-")[0]
    try:
        found = source_hash(pin.upstream)
    except (LookupError, OSError, TypeError) as exc:
        found = f"unreadable ({exc})"
    if os.environ.get("ALUR_SHOW_PINS"):
        print(f"{pin.upstream} {pin.distribution} {installed} {found}")
    if found != pin.sha256:
        pytest.fail(
            f"{library} changed {pin.upstream} (pinned in {pin.distribution} {pin.version}, "
            f"installed {installed}): re-check {pin.patch} against the new code, run its "
            f"tests, then update the pin in tests/storage/test_library_patches.py.",
            pytrace=False,
        )


# --- what the patches call or read, by name ----------------------------------------------------


def test_the_executor_overrides_and_calls_methods_graphql_core_still_has() -> None:
    upstream = AlurExecutor.__mro__[1]
    for name in ("execute_fields", "complete_value", "execute_collected_root_fields"):
        ours = inspect.signature(getattr(AlurExecutor, name))
        theirs = inspect.signature(getattr(upstream, name))
        assert list(ours.parameters) == list(theirs.parameters), (
            f"graphql-core changed the signature of {name}; re-check {EXECUTOR}"
        )
    used = (
        "execute_field",
        "build_resolve_info",
        "complete_awaitable_value",
        "handle_field_error",
        "collect_subfields",
        "execute_collected_subfields",
        "settle_in_background",
        "is_awaitable",
    )
    missing = [name for name in used if not hasattr(upstream, name)]
    assert not missing, f"graphql-core's executor lost {missing}; re-check {EXECUTOR}"
    assert "_middleware_resolvers" in MiddlewareManager.__slots__, (
        f"graphql-core's MiddlewareManager lost _middleware_resolvers; re-check {EXECUTOR}"
    )
    assert hasattr(GraphQLCoreConverter, "DEFINITION_BACKREF"), (
        f"strawberry's GraphQLCoreConverter lost DEFINITION_BACKREF; re-check {EXECUTOR}"
    )
    assert schema.execution_context_class is AlurExecutor


def test_the_document_cache_finds_strawberrys_graphql_core_schema() -> None:
    assert isinstance(schema._schema, GraphQLSchema), (
        f"strawberry's Schema._schema is no longer graphql-core's schema; re-check {DOCUMENT_CACHE}"
    )


def test_the_sqlite_engine_keeps_piccolos_connection_settings() -> None:
    engine = PooledSQLiteEngine(path=":memory:")
    try:
        assert engine.connection_kwargs["database"] == ":memory:", (
            f"piccolo's SQLiteEngine no longer keeps connection_kwargs; re-check {SQLITE_ENGINE}"
        )
        ours = inspect.signature(PooledSQLiteEngine._run_in_new_connection)
        theirs = inspect.signature(PooledSQLiteEngine.__mro__[1]._run_in_new_connection)
        assert list(ours.parameters) == list(theirs.parameters), SQLITE_ENGINE
    finally:
        engine.close()


def test_the_foreign_key_is_piccolos() -> None:
    from piccolo.columns import ForeignKey as PiccoloForeignKey

    assert ForeignKey.__mro__[1] is PiccoloForeignKey
    assert "__getattribute__" in vars(PiccoloForeignKey), (
        f"piccolo's ForeignKey no longer defines __getattribute__; {FOREIGN_KEY} may be unneeded"
    )


def test_the_migration_manager_subclass_can_wrap_run() -> None:
    assert list(inspect.signature(MigrationManager.run).parameters) == ["self", "backwards"], (
        f"piccolo changed MigrationManager.run; re-check {MIGRATION_MANAGER}"
    )
    assert "preview" in MigrationManager.__dataclass_fields__, MIGRATION_MANAGER


def test_keep_session_still_reaches_asyncpg() -> None:
    """Not a patch: the pool's ``reset`` hook is asyncpg's public API, passed through piccolo."""
    assert "reset" in inspect.signature(asyncpg.create_pool).parameters
    kinds = {
        p.kind for p in inspect.signature(PostgresEngine.start_connection_pool).parameters.values()
    }
    assert inspect.Parameter.VAR_KEYWORD in kinds, (
        "piccolo's start_connection_pool no longer forwards keyword arguments to asyncpg; "
        "re-check keep_session in tenants/storage/database.py"
    )
