"""Webhooks: the service's rules (URL, events, secret shown once, other offices' ids not
found, administrators only) and the ``webhook`` channel against a real HTTP receiver on
127.0.0.1 — a signed delivery verifies, a tampered body or an old signature does not, and
each kind of failure is a :class:`DeliveryFailed`, permanent or not. Both databases."""

from __future__ import annotations

import json
import time

import pytest

from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.notify.channels import DeliveryFailed
from alur.tenants.notify.webhook_channel import WebhookChannel
from alur.tenants.notify.webhooks import (
    delete_webhook,
    list_webhooks,
    recent_deliveries,
    register_webhook,
    set_webhook_active,
    url_problem,
    verify_signature,
)
from alur.tenants.storage.tables import Webhook
from tests.notify.notify_helpers import NOW, SLUG, deliveries_to, office, receiver

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "give the URL"),
        ("ftp://sistem.go.id/x", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("https://user:rahasia@sistem.go.id/x", "password"),
        ("https://token@sistem.go.id/x", "password"),
        ("https:///tanpa-host", "host"),
        ("https://sistem.go.id/a b", "spaces"),
        ("https://sistem.go.id:99999/", "not a URL"),
        ("https://sistem.go.id/" + "a" * 2000, "at most"),
        ("https://sistem.go.id/\x00", "control characters"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url: str, words: str) -> None:
    problem = url_problem(url)
    assert problem is not None, url
    assert words in problem, (url, problem)


def test_good_urls_pass() -> None:
    for url in ("https://sistem.go.id/alur/hook?x=1", "http://10.1.2.3:8080/h", "HTTPS://A.B/"):
        assert url_problem(url) is None, url


async def test_register_list_disable_delete(database, plugin_manager) -> None:
    people = await office(database, plugin_manager)
    admin = people["admin"]
    with pytest.raises(InvalidInput) as info:
        await register_webhook(admin, "https://u:p@sistem.go.id/", ["nothing_like_this"])
    assert set(info.value.errors) == {"url", "events"}
    created = await register_webhook(admin, " https://sistem.go.id/hook ", ["task_reminded"])
    assert created.secret.startswith("whsec_")
    assert len(created.secret) > 40
    assert created.info.url == "https://sistem.go.id/hook"
    assert created.info.events == ("task_reminded",)
    stored = await Webhook.select(Webhook.secret).where(Webhook.id == created.info.id).first()
    assert stored["secret"] == created.secret
    other = await register_webhook(admin, "https://sistem.go.id/lain")
    assert other.secret != created.secret
    listed = await list_webhooks(admin)
    assert [w.id for w in listed] == [created.info.id, other.info.id]
    assert not any(hasattr(w, "secret") for w in listed)
    with pytest.raises(InvalidInput, match="already registered"):
        await register_webhook(admin, "https://sistem.go.id/hook")
    off = await set_webhook_active(admin, created.info.id, False)
    assert off.active is False
    assert (await set_webhook_active(admin, created.info.id, True)).active
    await delete_webhook(admin, other.info.id)
    assert [w.id for w in await list_webhooks(admin)] == [created.info.id]
    with pytest.raises(NotFound):
        await delete_webhook(admin, other.info.id)


async def test_other_offices_and_non_administrators(database, plugin_manager) -> None:
    people = await office(database, plugin_manager)
    mine = await register_webhook(people["admin"], "https://sistem.go.id/hook")
    for call in (
        lambda a: set_webhook_active(a, mine.info.id, False),
        lambda a: delete_webhook(a, mine.info.id),
        lambda a: recent_deliveries(a, webhook_id=mine.info.id),
    ):
        with pytest.raises(NotFound):  # another office's id: as if it did not exist
            await call(people["other"])
        with pytest.raises(Forbidden):
            await call(people["staf"])
    for bad_id in (0, -1, 2**70, True):
        with pytest.raises(NotFound):
            await delete_webhook(people["admin"], bad_id)  # type: ignore[arg-type]
    assert await list_webhooks(people["other"]) == []
    with pytest.raises(Forbidden):
        await register_webhook(people["staf"], "https://sistem.go.id/lain")
    assert (await list_webhooks(people["admin"]))[0].active


async def test_a_signed_delivery_reaches_a_real_receiver(database, plugin_manager) -> None:
    admin = (await office(database, plugin_manager))["admin"]
    with receiver() as hook:
        secret, (delivery,) = await deliveries_to(admin, hook.base + "/ok")
        await WebhookChannel().send(delivery)
        (got,) = hook.received
    assert got.path == "/ok"
    body = json.loads(got.body)
    assert body == {
        "id": "CASE-1:7",
        "kind": "task_reminded",
        "office": SLUG,
        "case": "CASE-1",
        "step": 2,
        "unit": None,
        "task": 4,
        "at": NOW.isoformat(),
        "payload": {"reason": "due", "to": ["3"], "channels": ["email"]},
    }
    assert got.headers["Alur-Event"] == "task_reminded"
    key = f"webhook:{delivery.webhook_id}:CASE-1:7"
    assert got.headers["Alur-Idempotency-Key"] == delivery.key == key
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"].startswith("Alur-Webhooks/")
    header = got.headers["Alur-Signature"]
    sent = int(header.split(",")[0].removeprefix("t="))
    assert abs(sent - time.time()) < 60
    now = sent + 1
    assert verify_signature(secret, header, got.body, now)
    assert not verify_signature(secret, header, got.body.replace(b"CASE-1", b"CASE-2"), now)
    assert not verify_signature(secret + "x", header, got.body, now)
    assert not verify_signature(secret, header, got.body, sent + 301)  # replayed later
    # a malformed header is refused, never an exception
    assert not verify_signature(secret, f"t={sent},v1=é{header[-63:]}", got.body, now)
    assert not verify_signature(secret, "t=²," + header.split(",")[1], got.body, 2)
    assert verify_signature(secret, header, got.body, sent + 300)
    assert not verify_signature(secret, header, got.body, sent - 301)  # from the future
    assert not verify_signature(secret, "v1=" + header.split("v1=")[1], got.body, now)
    assert not verify_signature(secret, "", got.body, now)


async def test_a_webhook_that_wants_other_kinds_gets_nothing(database, plugin_manager) -> None:
    admin = (await office(database, plugin_manager))["admin"]
    _, deliveries = await deliveries_to(admin, "https://sistem.go.id/h", ["task_escalated"])
    assert deliveries == []


@pytest.mark.parametrize(
    ("path", "reason", "permanent"),
    [
        ("/fail", "HTTP 500", False),
        ("/busy", "HTTP 429", False),
        ("/gone", "HTTP 404", True),
        ("/moved", "redirects are not followed", True),
        ("/slow", "no answer within 0.5 s", False),
    ],
)
async def test_failures(database, plugin_manager, path: str, reason: str, permanent: bool) -> None:
    admin = (await office(database, plugin_manager))["admin"]
    with receiver() as hook:
        _, (delivery,) = await deliveries_to(admin, hook.base + path)
        with pytest.raises(DeliveryFailed) as info:
            await WebhookChannel(timeout=0.5).send(delivery)
        hook.release.set()
    assert reason in info.value.reason
    assert info.value.permanent is permanent
    assert len(hook.received) == 1


async def test_nobody_listening_and_disabled_or_deleted(database, plugin_manager) -> None:
    admin = (await office(database, plugin_manager))["admin"]
    with receiver() as hook:
        base = hook.base
    _, (delivery,) = await deliveries_to(admin, base + "/ok")  # the receiver is gone
    with pytest.raises(DeliveryFailed, match="could not send") as info:
        await WebhookChannel(timeout=2).send(delivery)
    assert not info.value.permanent
    await set_webhook_active(admin, delivery.webhook_id, False)  # type: ignore[arg-type]
    with pytest.raises(DeliveryFailed, match="disabled") as info:
        await WebhookChannel().send(delivery)
    assert info.value.permanent
    log = await recent_deliveries(admin)
    assert [(d.channel, d.kind, d.status) for d in log] == [("webhook", "task_reminded", "pending")]
    await delete_webhook(admin, delivery.webhook_id)  # type: ignore[arg-type]
    assert await recent_deliveries(admin) == []  # its log goes with it
    with pytest.raises(DeliveryFailed, match="deleted") as info:
        await WebhookChannel().send(delivery)
    assert info.value.permanent
