"""The ``site`` fixture of the Mutu baku page tests (what it holds: mutu_helpers.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from alur.web.app import create_app
from alur.web.settings import WebSettings
from tests.web.monitoring.mutu_helpers import Site, provision, uji_plugins


@pytest.fixture
def site(database_url: str, cheap_hasher: None) -> Iterator[Site]:
    plugins = uji_plugins()
    key = asyncio.run(provision(database_url, plugins))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40), plugins)
    with TestClient(app) as client:
        yield Site(client, key)
