"""The webhook channel does not reach internal addresses unless the operator allows them:
a webhook on 127.0.0.1 (or a name resolving to it) fails for good by default, and is sent
when its network is listed in ALUR_WEBHOOK_ALLOWED_NETWORKS (or ``*``)."""

from __future__ import annotations

import ipaddress

import pytest

from alur.tenants.notify.channels import DeliveryFailed, OutgoingDelivery
from alur.tenants.notify.webhook_channel import WebhookChannel, allowed_networks
from tests.notify.notify_helpers import receiver

pytestmark = pytest.mark.anyio


async def _secret(_delivery) -> str:
    return "whsec_test"


def test_the_setting_is_read_strictly() -> None:
    assert allowed_networks("") == ()
    assert allowed_networks("*") is None
    assert allowed_networks("10.20.0.0/16, 127.0.0.1") == (
        ipaddress.ip_network("10.20.0.0/16"),
        ipaddress.ip_network("127.0.0.1/32"),
    )
    with pytest.raises(ValueError, match="ALUR_WEBHOOK_ALLOWED_NETWORKS"):
        allowed_networks("10.20.0.0/33")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_an_internal_address_is_refused_unless_allowed(host: str) -> None:
    with receiver() as hook:
        delivery = OutgoingDelivery(
            id=1,
            tenant="dinas-contoh",
            channel="webhook",
            recipient=hook.base.replace("127.0.0.1", host) + "/ok",
            key="webhook:1:CASE-1:7",
            attempt=1,
            payload={"id": "CASE-1:7", "kind": "task_reminded"},
        )
        with pytest.raises(DeliveryFailed) as info:
            await WebhookChannel(secret_of=_secret, allowed=()).send(delivery)
        assert info.value.permanent
        assert "internal address" in info.value.reason
        assert hook.received == []  # nothing was sent
        loopback = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
        await WebhookChannel(secret_of=_secret, allowed=loopback).send(delivery)
        await WebhookChannel(secret_of=_secret, allowed=None).send(delivery)
        assert len(hook.received) == 2
