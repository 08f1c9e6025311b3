"""Fixtures of the data kinerja storage tests: the small bound SOP, its plugin and an office
(helpers: kinerja_helpers.py)."""

from __future__ import annotations

from types import ModuleType

import pytest

from alur.core import (
    AlurPlugins,
    Institution,
    SopDefinition,
    Unit,
    create_plugin_manager,
    hookimpl,
    loads_definition,
)
from alur.tenants.storage.database import Database
from tests.kinerja.kinerja_helpers import (
    KINERJA_TOML,
    UNITS,
    Office,
    make_office,
)


@pytest.fixture(scope="module")
def definition() -> SopDefinition:
    return loads_definition(KINERJA_TOML, source="uji-kinerja.toml")


@pytest.fixture
def plugins(definition: SopDefinition) -> AlurPlugins:
    module = ModuleType("alur_test_uji")
    hooks = {
        "alur_institution": lambda: Institution(slug="dinas-uji", name="Dinas Uji"),
        "alur_roles": lambda: list(definition.roles),
        "alur_units": lambda: [Unit(u, u.replace("-", " ").title()) for u in UNITS],
        "alur_sop_definitions": lambda: [definition],
    }
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    manager = create_plugin_manager(load_entrypoints=False, environ={})
    loaded = manager.register(module, name="uji", version="1.0")
    assert loaded.ok, loaded.errors
    return manager


@pytest.fixture
async def office(database: Database, plugins: AlurPlugins) -> Office:
    return await make_office(database, plugins)
