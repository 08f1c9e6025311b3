"""The ``site`` fixture of the notification page tests: the app over a provisioned SQLite
office with one started case (the administration tests' office; helpers: notify_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins
from alur.tenants.testing.postgres import run_coroutine
from alur.web.app import create_app
from alur.web.settings import WebSettings
from tests.web.admin.web_admin_helpers import PASSWORD, Site, provision


@pytest.fixture
def site(fresh_databases: Any, plugin_manager: AlurPlugins, cheap_hasher: None) -> Iterator[Site]:
    url = fresh_databases.url("sqlite")
    ids = run_coroutine(provision(url, plugin_manager))
    app = create_app(WebSettings(database_url=url, secret_key="k" * 32), plugins=plugin_manager)
    with TestClient(app) as client:
        yield Site(client, PASSWORD, ids)
