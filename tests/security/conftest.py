"""The ``site`` fixture of the input-limit tests: the app with every form a person, an office
administrator and a platform operator can reach (helpers: input_limits_helpers.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from alur.graphql.testing import OFFICE_A
from alur.web.app import create_app
from alur.web.settings import WebSettings
from tests.security.input_limits_helpers import (
    Form,
    RowCounts,
    Site,
    _provision,
    _sign_in,
    crawl,
    post_routes,
    revoke_open_drafts,
)


@pytest.fixture
def site(database_url: str, cheap_hasher: None) -> Iterator[Site]:
    token = asyncio.run(_provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    counts = RowCounts(database_url)
    with TestClient(app) as client:
        jars: dict[str, Any] = {}
        forms: list[Form] = []
        client.cookies.clear()
        forms += crawl(client, "anonymous", "/login")
        jars["anonymous"] = client.cookies
        for who, start in (
            ("staf", "/"),
            ("kabid.linmas", "/"),
            ("kasubag", "/"),
            ("kepala", "/"),
            ("admin", f"/t/{OFFICE_A}/admin/"),
            ("operator", "/platform"),
        ):
            client.cookies = client.cookies.__class__()
            _sign_in(client, who)
            forms += crawl(client, who, start)
            jars[who] = client.cookies
        # With the drafts revoked, the revision lists offer "Mulai draf revisi" too.
        client.blocking_portal.call(revoke_open_drafts)  # type: ignore[attr-defined]
        client.cookies = jars["admin"]
        forms += crawl(client, "admin", f"/t/{OFFICE_A}/sops/")
        forms += crawl(client, "admin", f"/t/{OFFICE_A}/monev/")  # the monev forms
        client.cookies = jars["kasubag"]  # their assessor's save and paraf
        forms += crawl(client, "kasubag", f"/t/{OFFICE_A}/monev/")
        yield Site(client, counts, jars, forms, post_routes(app), token)
    counts.close()
