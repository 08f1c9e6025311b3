"""The "API tokens" sub-page of tenant administration: listing, creating (the plain token
shown once) and revoking an office's GraphQL tokens, for its administrators only; with and
without htmx, CSRF-protected; and that what it creates and revokes is what the API accepts
and refuses. Driven through the real app (sessions, CSRF) on SQLite."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import ApiToken
from alur.tenants.testing.postgres import run_coroutine
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import FormSite

PASSWORD = "rahasia-2026"
SLUG = "dinas-contoh"
TOKENS = f"/t/{SLUG}/admin/tokens"
PLAIN = re.compile(r'value="(alur_[A-Za-z0-9_-]{43})"')


async def provision(url: str, plugins: AlurPlugins) -> dict[str, int]:
    """Two offices on the sample SOP: an administrator, a Staf and an inactive user here, an
    administrator there, and one token of the other office."""
    db = await open_database(url, run_migrations=False)
    try:
        contoh = await create_tenant(plugins, SLUG, "Dinas Contoh", "contoh")
        lain = await create_tenant(plugins, "dinas-lain", "Dinas Lain", "contoh")
        service = await TenantService.open(db, plugins, SLUG)
        roles = service.sop("contoh").roles_by_id
        ids: dict[str, int] = {}
        for username, tenant, role, admin in (
            ("admin", contoh, None, True),
            ("staf", contoh, "staf", False),
            ("pensiun", contoh, "staf", False),
            ("admin.lain", lain, None, True),
            ("staf.lain", lain, "staf", False),
        ):
            user = await create_user(username, f"{username.title()} Orang", PASSWORD)
            await add_membership(
                tenant.id, user.id, roles[role] if role else None, None, administrator=admin
            )
            ids[username] = user.id
        from alur.tenants.storage.tables import User

        await User.update({User.active: False}).where(User.username == "pensiun")
        other = await create_token("dashboard-lain", tenant="dinas-lain")
        ids["other-token"] = other.info.id
        return ids
    finally:
        await close_database(db)


def db(query: Any) -> Any:
    async def run() -> Any:
        return await query

    return run_coroutine(run())


class Site(FormSite):
    def graphql(self, token: str) -> Any:
        return self.client.post(
            "/graphql",
            json={"query": "{ me { token { name scope } user { username } tenant { slug } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )


@pytest.fixture
def site(fresh_databases: Any, plugin_manager: AlurPlugins, cheap_hasher: None) -> Iterator[Site]:
    url = fresh_databases.url("sqlite")
    ids = run_coroutine(provision(url, plugin_manager))
    app = create_app(WebSettings(database_url=url, secret_key="k" * 32), plugins=plugin_manager)
    with TestClient(app) as client:
        client.cookies.set("lang", "en")  # the tests read English; one switches to Indonesian
        yield Site(client, PASSWORD, ids)


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<small class="error" id="token-{field}-error">([^<]*)</small>', page)
    return html.unescape(found.group(1)) if found else ""


def plain_token(page: str) -> str:
    found = PLAIN.search(page)
    assert found, "the new token is not shown"
    return found.group(1)


# --- who may see it ----------------------------------------------------------------------------


def test_only_this_offices_administrators_see_the_tokens(site: Site) -> None:
    for username in ("staf", "admin.lain"):
        site.as_user(username)
        assert site.get(TOKENS).status_code == 404, username
        created = site.post(TOKENS, {"name": "x", "scope": "read"})
        assert created.status_code == 404
        revoked = site.post(f"{TOKENS}/{site.ids['other-token']}/revoke")
        assert revoked.status_code == 404
    assert db(ApiToken.count()) == 1
    assert db(ApiToken.count().where(ApiToken.revoked_at.is_not_null())) == 0

    site.as_user("admin")
    page = site.get(TOKENS)
    assert page.status_code == 200
    assert 'href="/t/dinas-contoh/admin/tokens" aria-current="page"' in page.text
    assert "No API tokens yet." in page.text
    assert "dashboard-lain" not in page.text  # the other office's token is not listed
    # the other sub-pages link to it
    assert 'href="/t/dinas-contoh/admin/tokens"' in site.get(f"/t/{SLUG}/admin/units").text


def test_posts_without_the_csrf_token_are_refused(site: Site) -> None:
    site.as_user("admin")
    response = site.client.post(TOKENS, data={"name": "x", "scope": "read"}, follow_redirects=False)
    assert response.status_code == 403
    assert db(ApiToken.count()) == 1


# --- creating -----------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_works(site: Site) -> None:
    site.as_user("admin")
    response = site.post(TOKENS, {"name": "e-kinerja", "scope": "write", "user": "staf"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "<html" in response.text  # without htmx: the whole page, no redirect
    token = plain_token(response.text)
    assert "Copy the token now" in response.text
    assert 'id="token-' in response.text  # ... listed already
    stored = db(ApiToken.select(ApiToken.token_hash, ApiToken.scope).first())
    assert token not in str(stored)  # only its hash is kept

    listed = site.get(TOKENS).text
    assert token not in listed  # never shown again
    assert "Copy the token now" not in listed
    row = re.search(r'<tr id="token-\d+"\s*>(.*?)</tr>', listed, re.S)
    assert row
    for text in ("e-kinerja", "read and write", "Staf Orang", "staf", "never", "active"):
        assert text in row.group(1), text

    me = site.graphql(token)
    assert me.json() == {
        "data": {
            "me": {
                "token": {"name": "e-kinerja", "scope": "WRITE"},
                "user": {"username": "staf"},
                "tenant": {"slug": SLUG},
            }
        }
    }
    row = re.search(r'<tr id="token-\d+"\s*>(.*?)</tr>', site.get(TOKENS).text, re.S)
    assert row
    assert "never" not in row.group(1)  # last used: just now


def test_a_read_token_needs_no_person(site: Site) -> None:
    site.as_user("admin")
    response = site.post(TOKENS, {"name": "dashboard", "scope": "read", "user": ""}, htmx=True)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert '<div id="admin-panel"' in response.text
    token = plain_token(response.text)
    me = site.graphql(token).json()["data"]["me"]
    assert me["token"] == {"name": "dashboard", "scope": "READ"}
    assert me["user"] is None


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"name": " ", "scope": "read"}, {"name": "give the token a name"}),
        ({"name": "x" * 101, "scope": "read"}, {"name": "use at most 100 characters"}),
        ({"name": "x", "scope": "admin"}, {"scope": 'choose "read" or "write"'}),
        ({"name": "x", "scope": "write"}, {"user": "a write token acts for a person"}),
        ({"name": "x", "scope": "write", "user": "staf.lain"}, {"user": "no user"}),
        ({"name": "x", "scope": "write", "user": "pensiun"}, {"user": "is deactivated"}),
        ({"name": "x", "scope": "write", "user": "hantu"}, {"user": 'no user "hantu"'}),
    ],
)
def test_invalid_input_shows_each_error_and_creates_nothing(
    site: Site, form: dict[str, str], errors: dict[str, str]
) -> None:
    site.as_user("admin")
    for htmx in (False, True):
        response = site.post(TOKENS, form, htmx=htmx)
        assert response.status_code == 422
        assert ("<html" in response.text) is not htmx
        for field, message in errors.items():
            assert message in field_error(response.text, field), (field, response.text)
        assert PLAIN.search(response.text) is None
        assert 'aria-invalid="true"' in response.text
    assert db(ApiToken.count()) == 1  # the other office's only


@pytest.mark.parametrize("lang", ["en", "id"])
def test_another_offices_username_looks_like_no_user_at_all(site: Site, lang: str) -> None:
    """An office's administrator cannot tell another office's usernames from unknown ones
    (issue 11, point 10): the same answer, word for word, once the name itself is masked."""
    site.client.cookies.set("lang", lang)
    site.as_user("admin")
    pages = []
    for username in ("staf.lain", "hantu.lain"):  # of dinas-lain; of nobody
        response = site.post(TOKENS, {"name": "x", "scope": "write", "user": username})
        assert response.status_code == 422
        assert username in field_error(response.text, "user")
        pages.append(re.sub(r'name="_csrf_token" value="[^"]*"', "", response.text))
        pages[-1] = pages[-1].replace(username, "<username>")
    assert pages[0] == pages[1]


def test_the_person_choices_are_this_offices_active_people(site: Site) -> None:
    site.as_user("admin")
    page = site.get(TOKENS).text
    options = re.findall(r'<option value="([^"]*)"', page)
    assert "staf" in options
    assert "admin" in options
    assert "pensiun" not in options  # deactivated
    assert "staf.lain" not in options  # another office's
    assert {"read", "write"} <= set(options)


# --- revoking ------------------------------------------------------------------------------------


def test_revoking_a_token_stops_it_at_once(site: Site) -> None:
    site.as_user("admin")
    token = plain_token(site.post(TOKENS, {"name": "sementara", "scope": "read"}).text)
    token_id = db(ApiToken.select(ApiToken.id).where(ApiToken.name == "sementara").first())["id"]
    assert site.graphql(token).status_code == 200

    response = site.post(f"{TOKENS}/{token_id}/revoke")
    assert response.status_code == 303
    assert response.headers["location"] == TOKENS
    page = site.get(TOKENS).text
    assert 'class="notice"' in page
    assert "sementara is revoked" in page
    row = re.search(rf'<tr id="token-{token_id}" class="inactive">(.*?)</tr>', page, re.S)
    assert row
    assert "revoked" in row.group(1)
    assert "/revoke" not in row.group(1)  # no button any more
    assert site.graphql(token).status_code == 401

    # With htmx the panel is swapped; revoking again changes nothing.
    again = site.post(f"{TOKENS}/{token_id}/revoke", htmx=True)
    assert again.status_code == 200
    assert "<html" not in again.text
    assert 'class="notice"' in again.text


def test_another_offices_token_cannot_be_revoked_from_here(site: Site) -> None:
    site.as_user("admin")
    other = site.ids["other-token"]
    assert site.post(f"{TOKENS}/{other}/revoke").status_code == 404
    assert site.post(f"{TOKENS}/999999/revoke").status_code == 404
    assert site.post(f"{TOKENS}/nope/revoke").status_code in (404, 405)
    revoked = db(ApiToken.select(ApiToken.revoked_at).where(ApiToken.id == other).first())
    assert revoked["revoked_at"] is None


def test_the_page_speaks_indonesian(site: Site) -> None:
    site.as_user("admin")
    site.client.post("/language", data={"lang": "id", "next": TOKENS, "_csrf_token": site.csrf()})
    page = site.get(TOKENS).text
    assert "Token API" in page
    assert "No API tokens yet." not in page
    created = site.post(TOKENS, {"name": "x", "scope": "write"})
    assert created.status_code == 422
    assert "a write token acts for a person" not in created.text
