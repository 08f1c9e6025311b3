"""The ``client`` fixture of the web data kinerja tests: the app over a provisioned office."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from alur.web.app import create_app
from alur.web.settings import WebSettings
from tests.web.kinerja.web_kinerja_helpers import (
    provision,
)


@pytest.fixture
def client(database_url: str, cheap_hasher: None) -> Iterator[TestClient]:
    other_key = asyncio.run(provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        c.other_key = other_key  # type: ignore[attr-defined]
        yield c
