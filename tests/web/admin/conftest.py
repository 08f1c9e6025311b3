"""The ``site`` fixture of the administration page tests: the app over a provisioned SQLite
office, with a plugin whose SOP cannot load (helpers: web_admin_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from types import ModuleType
from typing import Any

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins, SopDefinition
from alur.tenants.testing.postgres import run_coroutine
from alur.web.app import create_app
from alur.web.settings import WebSettings
from tests.web.admin.web_admin_helpers import (
    PASSWORD,
    Site,
    provision,
)


@pytest.fixture
def broken_plugin(sample: SopDefinition) -> ModuleType:
    from alur.core import hookimpl

    steps = (replace(sample.steps[0], actor="nobody"), *sample.steps[1:])
    wrong = replace(sample, id="salah", steps=steps)
    module = ModuleType("rusak")
    module.alur_sop_definitions = hookimpl(lambda: [wrong])  # type: ignore[attr-defined]
    return module


@pytest.fixture
def site(
    fresh_databases: Any,
    plugin_manager: AlurPlugins,
    broken_plugin: ModuleType,
    cheap_hasher: None,
) -> Iterator[Site]:
    plugin_manager.register(broken_plugin, name="rusak", version="0.1")
    url = fresh_databases.url("sqlite")
    ids = run_coroutine(provision(url, plugin_manager))
    app = create_app(WebSettings(database_url=url, secret_key="k" * 32), plugins=plugin_manager)
    with TestClient(app) as client:
        yield Site(client, PASSWORD, ids)
