"""The ``demo`` fixture of the leaders' dashboard page tests: the app over the demo offices
(``alur demo``'s people and cases), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.tenants.demo.offices import DemoReport, provision_demo
from alur.tenants.storage.database import close_database, open_database
from alur.web.app import create_app
from alur.web.settings import WebSettings


async def _provision(url: str) -> DemoReport:
    db = await open_database(url)
    try:
        return await provision_demo(create_plugin_manager(), password="rahasia-2026", db=db)
    finally:
        await close_database(db)


@pytest.fixture
def demo(database_url: str, cheap_hasher: None) -> Iterator[tuple[TestClient, DemoReport]]:
    report = asyncio.run(_provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as client:
        yield client, report
