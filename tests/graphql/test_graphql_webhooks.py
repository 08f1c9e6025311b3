"""Webhooks in GraphQL: an administrator's write token registers one (the secret in that
answer only), lists it with its deliveries, disables and deletes it; other tokens are
refused with typed results, another office's id is ``NotFound``, a bad URL is
``InvalidInput`` with the service's field message. Both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alur.graphql.testing import OFFICE_A, OFFICE_B, World
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.notify.records import record_webhook_deliveries
from alur.tenants.notify.webhooks import url_problem

pytestmark = pytest.mark.anyio

CREATE = """mutation($url: String!, $events: [String!]) {
  createWebhook(url: $url, events: $events) {
    __typename
    ... on WebhookCreated { secret webhook { id url events active } }
    ... on Error { code message }
    ... on InvalidInput { fields { field message } }
  }
}"""
LIST = """{ webhooks { __typename
  ... on WebhookList { webhooks { id url active deliveries(first: 5) {
      channel kind key status attempts lastError createdAt sentAt nextAttemptAt } } }
  ... on Error { code message } } }"""
ACTIVE = """mutation($id: Int!, $active: Boolean!) { setWebhookActive(webhookId: $id, active: $active) {
  __typename ... on WebhookChanged { webhook { id active } } ... on Error { code } } }"""
DELETE = """mutation($id: Int!) { deleteWebhook(webhookId: $id) {
  __typename ... on WebhookChanged { webhook { url } } ... on Error { code } } }"""


async def admins(world: World) -> None:
    """An administrator in each office, with a write token and (in A) a read token."""
    for username, office, tenant in (
        ("admin.a", OFFICE_A, world.a),
        ("admin.b", OFFICE_B, world.b),
    ):
        user = await create_user(username, username, "rahasia-2026")
        await add_membership(tenant.ref.id, user.id, None, administrator=True)
        world.users[username] = user.id
        label = username.replace(".", "-")
        world.tokens[label] = (
            await create_token(label, "write", tenant=office, user=username)
        ).token
    world.tokens["admin-a-read"] = (
        await create_token("admin-a-read", "read", tenant=OFFICE_A, user="admin.a")
    ).token


async def test_an_administrator_manages_webhooks(world: World) -> None:
    await admins(world)
    made = (await world.data(CREATE, "admin-a", url="https://sistem.go.id/hook", events=[]))[
        "createWebhook"
    ]
    assert made["__typename"] == "WebhookCreated"
    assert made["secret"].startswith("whsec_")
    hook = made["webhook"]
    assert hook["url"] == "https://sistem.go.id/hook"
    assert hook["active"] is True
    body = {"id": "K-1:3", "kind": "task_reminded"}
    now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    await record_webhook_deliveries(world.a.ref.id, body, "K-1:3", now=now)
    for token in ("admin-a", "admin-a-read"):
        listed = (await world.data(LIST, token))["webhooks"]
        assert listed["__typename"] == "WebhookList"
        (only,) = listed["webhooks"]
        assert "secret" not in only
        (delivery,) = only["deliveries"]
        assert delivery["kind"] == "task_reminded"
        assert delivery["status"] == "PENDING"
        assert delivery["attempts"] == 0
        assert delivery["key"] == f"webhook:{hook['id']}:K-1:3"
    off = (await world.data(ACTIVE, "admin-a", id=hook["id"], active=False))["setWebhookActive"]
    assert off == {"__typename": "WebhookChanged", "webhook": {"id": hook["id"], "active": False}}
    gone = (await world.data(DELETE, "admin-a", id=hook["id"]))["deleteWebhook"]
    assert gone["webhook"]["url"] == "https://sistem.go.id/hook"
    assert (await world.data(LIST, "admin-a"))["webhooks"]["webhooks"] == []


async def test_refusals_are_typed(world: World) -> None:
    await admins(world)
    made = await world.data(CREATE, "admin-a", url="https://sistem.go.id/hook")
    hook_id = made["createWebhook"]["webhook"]["id"]
    # not administrators, read tokens, platform tokens
    for token in ("a-staf", "admin-a-read", "a-read", "platform"):
        result = (await world.data(CREATE, token, url="https://x.go.id/"))["createWebhook"]
        assert result["__typename"] == "Forbidden", (token, result)
    for token in ("a-staf", "a-read", "platform"):
        assert (await world.data(LIST, token))["webhooks"]["__typename"] == "Forbidden", token
    # another office's administrator: the id does not exist for them
    for query in (ACTIVE, DELETE):
        result = await world.data(query, "admin-b", id=hook_id, active=False)
        assert next(iter(result.values())) == {"__typename": "NotFound", "code": "not_found"}
    bad = (await world.data(CREATE, "admin-a", url="https://u:p@x.go.id/", events=["nope"]))[
        "createWebhook"
    ]
    assert bad["__typename"] == "InvalidInput"
    assert bad["code"] == "invalid_input"
    fields = {f["field"]: f["message"] for f in bad["fields"]}
    assert fields["url"] == url_problem("https://u:p@x.go.id/")
    assert set(fields) == {"url", "events"}
    still = (await world.data(LIST, "admin-a"))["webhooks"]["webhooks"]
    assert [h["active"] for h in still] == [True]
