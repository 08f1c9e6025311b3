"""The ``webhook`` channel: one signed POST per delivery, to an address the installation allows.

:class:`WebhookChannel` POSTs the event's JSON (:func:`body_bytes`, the exact bytes signed)
with the headers ``Alur-Signature`` (:mod:`alur.tenants.notify.signing`),
``Alur-Idempotency-Key`` (the delivery's key: a receiver drops a repeat), ``Alur-Event`` and
``User-Agent``; redirects are not followed. A non-2xx answer, a timeout or a refused
connection raise :class:`~alur.tenants.notify.channels.DeliveryFailed`; 4xx answers other than
408/429 and redirects are permanent (retrying cannot help), the rest are retried by the
dispatcher.

**Internal addresses.** Any office administrator registers webhooks, so the worker must not be
a way into the province's own network: before sending, the host is resolved and a delivery to
a loopback, private, link-local (cloud metadata), multicast, reserved or unspecified address
fails for good — unless the operator lists its network in ``ALUR_WEBHOOK_ALLOWED_NETWORKS``
(comma-separated CIDRs, e.g. ``10.20.0.0/16``; ``*`` allows every address). The refusal does
not say whether anything answers there.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from alur.tenants.notify.channels import DeliveryFailed, OutgoingDelivery
from alur.tenants.notify.signing import signature_header
from alur.tenants.notify.webhooks import url_problem
from alur.tenants.storage.tables import Webhook

TIMEOUT = 10.0  # seconds for the whole request
USER_AGENT = "Alur-Webhooks/1"
ALLOWED_NETWORKS_ENV = "ALUR_WEBHOOK_ALLOWED_NETWORKS"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_networks(text: str | None = None) -> tuple[Network, ...] | None:
    """The internal networks webhooks may reach (``ALUR_WEBHOOK_ALLOWED_NETWORKS``); ``None``
    means every address. A malformed entry is a configuration error, raised at start."""
    text = os.environ.get(ALLOWED_NETWORKS_ENV, "") if text is None else text
    entries = [e.strip() for e in text.split(",") if e.strip()]
    if "*" in entries:
        return None
    try:
        return tuple(ipaddress.ip_network(e, strict=False) for e in entries)
    except ValueError as exc:
        raise ValueError(f"{ALLOWED_NETWORKS_ENV}: {exc}") from exc


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not address.is_global or address.is_multicast


async def check_address(url: str, allowed: Sequence[Network] | None) -> None:
    """Refuse (permanently) a URL whose host resolves to an internal address not allowed."""
    if allowed is None:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DeliveryFailed(f"could not resolve {host}: {exc.strerror or exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if _internal(address) and not any(address in net for net in allowed):
            raise DeliveryFailed(
                f"{host} is an internal address; webhooks go only to public addresses "
                f"unless the operator allows its network ({ALLOWED_NETWORKS_ENV})",
                permanent=True,
            )


def body_bytes(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes that are sent and signed."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


# --- the channel ----------------------------------------------------------------------------

SecretOf = Callable[[OutgoingDelivery], Awaitable[str]]


async def stored_secret(delivery: OutgoingDelivery) -> str:
    """The secret of the delivery's webhook; a deleted or disabled one fails for good."""
    row = None
    if delivery.webhook_id is not None:
        row = (
            await Webhook.select(Webhook.secret, Webhook.active)
            .where(Webhook.id == delivery.webhook_id)
            .first()
        )
    if row is None:
        raise DeliveryFailed("the webhook was deleted", permanent=True)
    if not row["active"]:
        raise DeliveryFailed("the webhook is disabled", permanent=True)
    return row["secret"]


class WebhookChannel:
    """The ``webhook`` channel: one signed POST per delivery (see the module docstring).

    ``secret_of`` finds the signing secret (default: the webhook's row), ``clock`` gives
    unix seconds, ``transport`` replaces httpx's network transport (tests)."""

    name = "webhook"

    def __init__(
        self,
        *,
        timeout: float = TIMEOUT,
        secret_of: SecretOf = stored_secret,
        clock: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
        allowed: Sequence[Network] | str | None = "env",
    ) -> None:
        self.timeout = timeout
        self.allowed = allowed_networks() if allowed == "env" else allowed
        self._secret_of = secret_of
        self._clock = clock
        self._transport = transport
        self._ssl: ssl.SSLContext | None = None  # made once: building one costs milliseconds

    def headers(self, delivery: OutgoingDelivery, secret: str, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Alur-Event": str(delivery.payload.get("kind", "")),
            "Alur-Idempotency-Key": delivery.key,
            "Alur-Signature": signature_header(secret, int(self._clock()), body),
        }

    async def send(self, delivery: OutgoingDelivery) -> None:
        secret = await self._secret_of(delivery)
        body = body_bytes(delivery.payload)
        if url_problem(delivery.recipient):
            raise DeliveryFailed(f"not a usable URL: {delivery.recipient[:200]}", permanent=True)
        await check_address(delivery.recipient, self.allowed)  # type: ignore[arg-type]
        if self._ssl is None:
            self._ssl = ssl.create_default_context()  # the system's CAs (a province's own CA)
        try:
            async with (
                httpx.AsyncClient(
                    timeout=self.timeout,
                    verify=self._ssl,
                    follow_redirects=False,
                    transport=self._transport,
                ) as client,
                client.stream(
                    "POST",
                    delivery.recipient,
                    content=body,
                    headers=self.headers(delivery, secret, body),
                ) as response,
            ):
                status, reason = response.status_code, response.reason_phrase
                location = response.headers.get("location", "")
        except httpx.TimeoutException as exc:
            raise DeliveryFailed(
                f"no answer within {self.timeout:g} s ({type(exc).__name__})"
            ) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise DeliveryFailed(f"not a usable URL: {exc}", permanent=True) from exc
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"could not send: {exc or type(exc).__name__}") from exc
        if 200 <= status < 300:
            return
        text = f"HTTP {status} {reason}".strip()
        if 300 <= status < 400:
            raise DeliveryFailed(
                f"{text}: redirected to {location[:200]}; redirects are not followed, "
                "register the final URL",
                permanent=True,
            )
        raise DeliveryFailed(text, permanent=400 <= status < 500 and status not in (408, 429))
