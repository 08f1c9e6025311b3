"""Helpers of the sign-in tests (test_login_throttle.py, tests/web/test_behind_proxy.py): a
provisioned office, a client from a given address, posting the login form."""

from __future__ import annotations

import ssl

import httpx

from alur.tenants.identity.people import create_user
from alur.tenants.storage.database import close_database, open_database
from alur.web import testing

PASSWORD = "rahasia-2026"


PEOPLE = ("staf", "kepala", "sekretaris", "kabid")


async def _provision(url: str) -> None:
    db = await open_database(url)
    try:
        for username in PEOPLE:
            await create_user(username, username.title(), PASSWORD)
    finally:
        await close_database(db)


def client_from(
    source: str, *, verify: ssl.SSLContext | bool = True, **kwargs: object
) -> httpx.Client:
    """An HTTP client whose connections come from ``source`` (a loopback address);
    ``verify``: how it checks HTTPS servers (the transport's, so not among ``kwargs``)."""
    transport = httpx.HTTPTransport(local_address=source, verify=verify)
    return httpx.Client(transport=transport, **kwargs)


def post_login(
    client: httpx.Client, base: str, username: str, password: str, **headers: str
) -> httpx.Response:
    return testing.post_login(client, username, password, base=base, headers=headers, next="/")
