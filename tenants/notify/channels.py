"""The channels a delivery goes out through, behind one small interface.

A channel is anything with ``name`` and ``async send(delivery)``: it sends one
:class:`OutgoingDelivery` or raises :class:`DeliveryFailed` with a reason an administrator can
act on (any other exception is treated the same way by the dispatcher, with its text). Built-in
channels: ``email`` (SMTP, :mod:`alur.tenants.notify.email`) and ``webhook``
(:mod:`alur.tenants.notify.webhooks`); plugins add more through the
``alur_notification_channels`` hook (:mod:`alur.tenants.notify.plugin_channels`).

:func:`available_channels` lists what a person may choose (everything but ``webhook``, which is
the office's, not a person's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class DeliveryFailed(Exception):
    """A channel could not send; ``reason`` is shown in the admin pages. ``permanent``
    failures (a rejected address) are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingDelivery:
    """One delivery as a channel sees it: where to, what (``title``/``text``/``url`` in the
    recipient's language, or the webhook's JSON ``payload``) and its idempotency ``key``,
    which a channel passes on (Message-ID, a header) so receivers can drop a repeat."""

    id: int
    tenant: str
    channel: str
    recipient: str
    key: str
    attempt: int
    title: str = ""
    text: str = ""
    url: str = ""
    language: str = "id"
    payload: Mapping[str, Any] = field(default_factory=dict)
    webhook_id: int | None = None
    created_at: datetime | None = None


class Channel(Protocol):
    name: str

    async def send(self, delivery: OutgoingDelivery) -> None: ...


PERSONAL_BUILTINS = ("email",)


def available_channels(extra: Mapping[str, Channel] | None = None) -> list[str]:
    """The channel names a person may choose: email and the plugins' channels."""
    return [*PERSONAL_BUILTINS, *sorted(n for n in (extra or {}) if n not in ("webhook", "app"))]
