"""Helpers of the password tests (test_passwords.py): two offices, an administrator, a person
of each office, a platform operator, and a web client whose session cookie can be swapped
(one app, several people's sessions)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_operator, create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.web.testing import fetch_csrf, post_login

T = TypeVar("T")
PASSWORD = "rahasia-2026"
OFFICE, OTHER = "satpolpp-banyumas", "satpolpp-cilacap"
PLUGIN = "satpolpp_banyumas"
ONE_TIME = re.compile(r'value="([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})"')
CHANGE_PAGE = "/akun/kata-sandi"


async def provision(url: str) -> None:
    """``admin`` administers OFFICE, ``budi`` is its Staf, ``sari`` the Staf of OTHER,
    ``op`` a platform operator; everyone's password is PASSWORD."""
    db = await open_database(url)
    try:
        plugins = create_plugin_manager()
        staf = next(r for r in plugins.get(PLUGIN).roles if r.id == "staf")
        office = await create_tenant(plugins, OFFICE, "Satpol PP Banyumas", PLUGIN)
        other = await create_tenant(plugins, OTHER, "Satpol PP Cilacap", PLUGIN)
        admin = await create_user("admin", "Admin Kantor", PASSWORD)
        await add_membership(office.id, admin.id, None, administrator=True)
        budi = await create_user("budi", "Budi Santoso", PASSWORD)
        await add_membership(office.id, budi.id, staf)
        sari = await create_user("sari", "Sari Lestari", PASSWORD)
        await add_membership(other.id, sari.id, staf)
        await create_operator("op", "Operator", PASSWORD)
    finally:
        await close_database(db)


def provision_sync(url: str) -> None:
    asyncio.run(provision(url))


def call(c: TestClient, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    """``await fn(*args, **kwargs)`` in the app's own event loop (its database)."""

    async def run() -> T:
        return await fn(*args, **kwargs)

    return c.blocking_portal.call(run)


def session_of(c: TestClient) -> str | None:
    return c.cookies.get("alur_session")


def use_session(c: TestClient, session_id: str | None) -> None:
    """Send ``session_id`` (or no session) as the session cookie from now on."""
    c.cookies.delete("alur_session")
    if session_id is not None:
        c.cookies.set("alur_session", session_id, domain="testserver.local")


def login(c: TestClient, username: str, password: str, **fields: str) -> Any:
    """Post the login form from a fresh, anonymous session; the response (not followed)."""
    use_session(c, None)
    return post_login(c, username, password, **fields)


def signed_in_as(c: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in and return the session id."""
    response = login(c, username, password, next="/")
    assert response.status_code == 303, response.text[:300]
    found = session_of(c)
    assert found
    return found


def reset_on_web(c: TestClient, username: str, office: str = OFFICE) -> Any:
    """The office administrator's reset of ``username`` (the client must be the admin)."""
    token = fetch_csrf(c, f"/t/{office}/admin/people")
    return c.post(
        f"/t/{office}/admin/people/{username}/password",
        data={"_csrf_token": token},
        follow_redirects=False,
    )


def change_on_web(
    c: TestClient, current: str, new: str, confirm: str | None = None, next: str = "/"
) -> Any:
    token = fetch_csrf(c, CHANGE_PAGE)
    data = {
        "_csrf_token": token,
        "current": current,
        "new": new,
        "confirm": new if confirm is None else confirm,
        "next": next,
    }
    return c.post(CHANGE_PAGE, data=data, follow_redirects=False)
