"""Web sessions (issue 11, points 2 and 9), on SQLite and PostgreSQL: a new session id at
sign-in and none after sign-out (no session fixation), no session rows for anonymous
visitors, expired rows swept, and the store's write cache bounded by bytes."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend
from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Session
from alur.web.app import create_app
from alur.web.auth import session_store
from alur.web.auth.session_store import DatabaseSessionBackend, DatabaseSessionStore
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf as csrf
from alur.web.testing import sign_in_sync

pytestmark = pytest.mark.usefixtures("cheap_hasher")
PASSWORD = "rahasia-2026"
OFFICE = "satpolpp-banyumas"


async def provision(url: str) -> None:
    db = await open_database(url)
    tenant = await create_tenant(create_plugin_manager(), OFFICE, "Satpol PP", "satpolpp_banyumas")
    user = await create_user("staf", "Staf", PASSWORD)
    await add_membership(tenant.id, user.id, None, administrator=True)
    await close_database(db)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    asyncio.run(provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        yield c


def rows(c: TestClient) -> list[str]:
    """The session ids in ``alur_session`` (read in the app's own event loop)."""

    async def ids() -> list[str]:
        return [r["session_id"] for r in await Session.select(Session.session_id)]

    return c.blocking_portal.call(ids)


def sign_in(c: TestClient) -> None:
    sign_in_sync(c, "staf", PASSWORD, next="/")


def use_cookie(c: TestClient, session_id: str | None) -> None:
    """Send ``session_id`` (or no session cookie) from now on."""
    c.cookies.delete("alur_session")
    if session_id is not None:
        c.cookies.set("alur_session", session_id, domain="testserver.local")


def signed_in(c: TestClient, session_id: str | None) -> bool:
    """Whether a request carrying only ``session_id`` as its session cookie is signed in."""
    use_cookie(c, session_id)
    return c.get(f"/t/{OFFICE}/inbox", follow_redirects=False).status_code == 200


def test_sign_in_issues_a_new_session_id_and_drops_the_old_one(client: TestClient) -> None:
    # A pre-login session with data in it (as an attacker would plant): a real row.
    client.blocking_portal.call(
        DatabaseSessionStore().set, "a" * 64, b'{"admin_notice": "x"}', 3600
    )
    use_cookie(client, "a" * 64)
    sign_in(client)
    new = client.cookies.get("alur_session")
    assert new
    assert new != "a" * 64
    assert rows(client) == [new]  # the pre-login row is gone
    assert signed_in(client, new)
    assert not signed_in(client, "a" * 64)


def test_a_planted_unknown_session_id_is_never_adopted(client: TestClient) -> None:
    use_cookie(client, "b" * 64)  # no such row
    sign_in(client)
    new = client.cookies.get("alur_session")
    assert new != "b" * 64
    assert rows(client) == [new]
    assert not signed_in(client, "b" * 64)


def test_sign_out_drops_the_session(client: TestClient) -> None:
    sign_in(client)
    old = client.cookies.get("alur_session")
    assert signed_in(client, old)
    token = csrf(client, f"/t/{OFFICE}/inbox")
    choose = {"_csrf_token": token, "lang": "en", "next": f"/t/{OFFICE}/inbox"}
    assert client.post("/language", data=choose, follow_redirects=False).status_code == 303
    r = client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    (deleted,) = [h for h in r.headers.get_list("set-cookie") if h.startswith("alur_session=")]
    assert "Max-Age=0" in deleted.split("; ")  # the browser forgets it now, not in 9 hours
    assert rows(client) == []  # and so does the server
    assert not signed_in(client, old)
    assert "Sign in" in client.get("/login").text  # the language outlives the session
    use_cookie(client, None)
    sign_in(client)  # signing in again gets yet another id
    assert client.cookies.get("alur_session") not in (None, old)


def test_anonymous_requests_create_no_session_rows(client: TestClient) -> None:
    for path in ("/login", "/", f"/t/{OFFICE}/inbox", "/no-such-page", "/login?next=/x"):
        client.get(path, follow_redirects=False)
    token = csrf(client)
    bad = {"_csrf_token": token, "username": "staf", "password": "salah", "next": "/"}
    assert client.post("/login", data=bad).status_code == 401
    choose = {"_csrf_token": token, "lang": "en", "next": "/login"}
    r = client.post("/language", data=choose, follow_redirects=False)
    assert r.status_code == 303
    assert client.cookies.get("lang") == "en"  # the choice lives in the cookie
    assert 'lang="en"' in client.get("/login").text
    assert rows(client) == []
    assert client.cookies.get("alur_session") is None


def test_expired_sessions_are_swept(client: TestClient) -> None:
    async def plant() -> None:
        past = datetime.now(UTC) - timedelta(hours=1)
        await Session.insert(Session(session_id="old" * 10, data=b"{}", expires_at=past))

    client.blocking_portal.call(plant)
    sign_in(client)  # a write: the first one of this process sweeps
    assert rows(client) == [client.cookies.get("alur_session")]


def test_the_sweep_runs_at_most_once_per_interval(client: TestClient) -> None:
    store = DatabaseSessionStore()
    calls: list[int] = []

    async def counted() -> None:
        calls.append(1)

    store.delete_expired = counted  # type: ignore[method-assign]
    for n in range(5):
        client.blocking_portal.call(store.set, f"s{n}", b"{}", 60)
    assert calls == [1]
    store._swept = datetime.now(UTC) - session_store.SWEEP_EVERY
    client.blocking_portal.call(store.set, "s9", b"{}", 60)
    assert calls == [1, 1]


def test_the_write_cache_is_bounded_by_bytes() -> None:
    store = DatabaseSessionStore(remembered_bytes=10_000)
    now = datetime.now(UTC)
    for n in range(100):
        store._remember(f"key-{n}", b"x" * 1000, now)
        assert store._written_bytes <= 10_000
        assert store._written_bytes == sum(
            len(k) + len(v[0]) + session_store.ENTRY_OVERHEAD for k, v in store._written.items()
        )
    assert "key-99" in store._written
    assert "key-0" not in store._written
    store._remember("huge", b"x" * 20_000, now)  # larger than the budget: not kept at all
    assert "huge" not in store._written
    assert store._written_bytes <= 10_000


def test_litestar_still_calls_what_the_backend_overrides() -> None:
    """The fixation fix overrides two methods of litestar's backend; if litestar renames or
    re-signs them, or the middleware stops calling them, fail here, loudly."""
    for name in ("store_in_message", "load_from_connection"):
        ours = inspect.signature(getattr(DatabaseSessionBackend, name))
        theirs = inspect.signature(getattr(ServerSideSessionBackend, name))
        assert list(ours.parameters) == list(theirs.parameters), name
    middleware = inspect.getsource(SessionMiddleware)
    assert "self.backend.store_in_message(" in middleware
    assert "self.backend.load_from_connection(" in middleware
