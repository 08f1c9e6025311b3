"""The "Webhooks" sub-page of tenant administration: administrators only; registering a
webhook shows its secret once; a refused form keeps what was typed with the message next to
its field — the same message GraphQL gives for the same URL (parity); disabling, enabling,
deleting; the deliveries log with status, attempts and last error. Through the real app
(sessions, CSRF), on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.notify.records import record_webhook_deliveries
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Delivery, Webhook
from alur.tenants.testing.postgres import run_coroutine
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import FormSite

PASSWORD = "rahasia-2026"
SLUG = "dinas-contoh"
PAGE = f"/t/{SLUG}/admin/webhooks"
SECRET = re.compile(r'value="(whsec_[A-Za-z0-9_-]{43})"')
BAD_URLS = (
    "https://pengguna:rahasia@sistem.go.id/hook",
    "ftp://sistem.go.id/hook",
    "https://sistem.go.id/a b",
    "",
)
CREATE = """mutation($url: String!) { createWebhook(url: $url) { __typename
  ... on InvalidInput { code fields { field message } } } }"""


async def provision(url: str, plugins: AlurPlugins) -> dict[str, Any]:
    db = await open_database(url, run_migrations=False)
    try:
        here = await create_tenant(plugins, SLUG, "Dinas Contoh", "contoh")
        there = await create_tenant(plugins, "dinas-lain", "Dinas Lain", "contoh")
        ids: dict[str, Any] = {"tenant": here.id}
        staf = plugins.sop("contoh", "contoh").roles_by_id["staf"]
        for username, tenant, admin in (
            ("admin", here, True),
            ("staf", here, False),
            ("admin.lain", there, True),
        ):
            user = await create_user(username, username.title(), PASSWORD)
            await add_membership(tenant.id, user.id, None if admin else staf, administrator=admin)
            ids[username] = user.id
        ids["token"] = (await create_token("int", "write", tenant=SLUG, user="admin")).token
        return ids
    finally:
        await close_database(db)


SITE: list[FormSite] = []


def db(query: Any) -> Any:
    """Run ``query`` (a piccolo query or a coroutine) in the app's event loop, on its
    database connection (PostgreSQL pools belong to one loop)."""

    async def run() -> Any:
        return await query

    return SITE[-1].client.blocking_portal.call(run)


@pytest.fixture
def site(database_url: str, plugin_manager: AlurPlugins, cheap_hasher: None) -> Iterator[FormSite]:
    ids = run_coroutine(provision(database_url, plugin_manager))
    app = create_app(
        WebSettings(database_url=database_url, secret_key="k" * 32), plugins=plugin_manager
    )
    with TestClient(app) as client:
        client.cookies.set("lang", "en")
        SITE.append(FormSite(client, PASSWORD, ids))
        yield SITE[-1]
        SITE.clear()


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<small class="error" id="webhook-{field}-error">([^<]*)</small>', page)
    return html.unescape(found.group(1)) if found else ""


def test_administrators_only(site: FormSite) -> None:
    for username in ("staf", "admin.lain"):
        site.as_user(username)
        assert site.get(PAGE).status_code == 404
        assert site.post(PAGE, {"url": "https://sistem.go.id/h"}).status_code == 404
    assert db(Webhook.count()) == 0
    site.as_user("admin")
    page = site.get(PAGE)
    assert page.status_code == 200
    assert 'href="/t/dinas-contoh/admin/webhooks" aria-current="page"' in page.text
    assert "No webhooks yet." in page.text
    response = site.client.post(PAGE, data={"url": "https://x.go.id/"}, follow_redirects=False)
    assert response.status_code == 403  # no CSRF token


def test_register_shows_the_secret_once_then_disable_enable_delete(site: FormSite) -> None:
    site.as_user("admin")
    made = site.post(PAGE, {"url": "https://sistem.go.id/hook", "events": ["task_reminded"]})
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    secret = SECRET.search(made.text)
    assert secret, "the secret is not shown"
    assert db(Webhook.select(Webhook.secret).first())["secret"] == secret.group(1)
    listed = site.get(PAGE).text
    assert "https://sistem.go.id/hook" in listed
    assert "whsec_" not in listed  # never again
    (hook_id,) = [r["id"] for r in db(Webhook.select(Webhook.id))]
    off = site.post(f"{PAGE}/{hook_id}/active", {"active": "0"})
    assert off.status_code == 303
    assert "is disabled" in site.get(PAGE).text
    assert db(Webhook.select(Webhook.active).first())["active"] is False
    on = site.post(f"{PAGE}/{hook_id}/active", {"active": "1"}, htmx=True)
    assert on.status_code == 200
    assert 'id="admin-panel"' in on.text
    assert "is enabled" in on.text
    site.as_user("admin.lain")
    assert site.post(f"/t/dinas-lain/admin/webhooks/{hook_id}/delete").status_code == 404
    site.as_user("admin")
    assert site.post(f"{PAGE}/{hook_id}/delete").status_code == 303
    assert db(Webhook.count()) == 0
    assert site.post(f"{PAGE}/{hook_id}/delete").status_code == 404


def test_refusals_keep_the_form_and_match_graphql(site: FormSite) -> None:
    site.as_user("admin")
    for url in BAD_URLS:
        page = site.post(PAGE, {"url": url, "events": ["task_escalated"]})
        assert page.status_code == 422
        web_message = field_error(page.text, "url")
        assert web_message, url
        assert f'value="{html.escape(url)}"' in page.text  # what was typed is kept
        assert 'value="task_escalated" checked' in page.text
        api = site.client.post(
            "/graphql",
            json={"query": CREATE, "variables": {"url": url}},
            headers={"Authorization": f"Bearer {site.ids['token']}"},
        ).json()["data"]["createWebhook"]
        assert api["__typename"] == "InvalidInput"
        assert api["code"] == "invalid_input"
        assert {f["field"]: f["message"] for f in api["fields"]} == {"url": web_message}
    page = site.post(PAGE, {"url": "https://sistem.go.id/h", "events": ["nope"]})
    assert page.status_code == 422
    assert "unknown event kind nope" in field_error(page.text, "events")
    assert db(Webhook.count()) == 0


def test_indonesian_by_default(site: FormSite) -> None:
    site.client.cookies.delete("lang")
    site.as_user("admin")
    page = site.post(PAGE, {"url": "ftp://sistem.go.id/"})
    assert "Daftarkan webhook" in page.text
    assert field_error(page.text, "url") == "gunakan URL http:// atau https://"


def test_the_deliveries_log(site: FormSite) -> None:
    site.as_user("admin")
    site.post(PAGE, {"url": "https://sistem.go.id/hook"})
    now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    event = {"id": "K-1:3", "kind": "task_escalated"}
    (delivery_id,) = db(record_webhook_deliveries(site.ids["tenant"], event, "K-1:3", now=now))
    db(
        Delivery.update(
            {Delivery.status: "failed", Delivery.attempts: 8, Delivery.last_error: "HTTP 500"}
        ).where(Delivery.id == delivery_id)
    )
    page = site.get(PAGE).text
    row = re.search(rf'<tr id="delivery-{delivery_id}">(.*?)</tr>', page, re.S)
    assert row, page
    text = " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split())
    for expected in (
        "webhook",
        "task_escalated",
        "https://sistem.go.id/hook",
        "not delivered",
        "8",
    ):
        assert expected in text, (expected, text)
    assert "HTTP 500" in text
