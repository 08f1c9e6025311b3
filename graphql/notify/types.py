"""Webhooks and their deliveries as GraphQL types, built from
:mod:`alur.tenants.notify.webhooks`' records. The secret is only ever in
:class:`WebhookCreated`."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from alur.core.i18n import gettext
from alur.graphql.types import Info
from alur.tenants.errors import Forbidden as ForbiddenError
from alur.tenants.notify.webhooks import DeliveryInfo, WebhookInfo, recent_deliveries
from alur.tenants.offices.admin import TenantAdmin

MAX_DELIVERIES = 50


@strawberry.enum(description="Where a delivery stands.")
class DeliveryStatus(enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@strawberry.type(description="One delivery of an event or notice through one channel.")
class Delivery:
    id: int
    channel: str = strawberry.field(description='"webhook", "email" or a plugin\'s channel.')
    recipient: str = strawberry.field(description="The URL, address or number it goes to.")
    kind: str = strawberry.field(description='What it tells, e.g. "task_reminded".')
    key: str = strawberry.field(
        description="Its idempotency key (webhooks: the `Alur-Idempotency-Key` header)."
    )
    status: DeliveryStatus
    attempts: int
    last_error: str = strawberry.field(description="Why the last attempt failed (else empty).")
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None


@strawberry.type(description="A URL of the office that receives its events, signed.")
class Webhook:
    id: int
    url: str
    events: list[str] = strawberry.field(
        description="The event kinds it receives; empty: every kind."
    )
    active: bool
    created_at: datetime

    @strawberry.field(description="Its most recent deliveries, newest first (at most 50).")
    async def deliveries(self, info: Info, first: int = 10) -> list[Delivery]:
        admin = await office_admin(info)
        found = await recent_deliveries(
            admin, webhook_id=self.id, limit=max(1, min(first, MAX_DELIVERIES))
        )
        return [delivery_node(d) for d in found]


@strawberry.type(description="The office's webhooks.")
class WebhookList:
    webhooks: list[Webhook]


@strawberry.type(
    description="The webhook was registered. `secret` signs its deliveries; it is shown "
    "only in this answer: store it now."
)
class WebhookCreated:
    webhook: Webhook
    secret: str


@strawberry.type(description="The webhook was changed or deleted; here it is as it was left.")
class WebhookChanged:
    webhook: Webhook


async def office_admin(info: Info) -> TenantAdmin:
    """The office's administration as the token's person (the service checks that they
    administer the office); tokens without an office or a person are refused."""
    admin = info.context.cache.get("office_admin")
    if admin is None:
        identity = info.context.identity
        if identity is None or identity.tenant_id is None or identity.user_id is None:
            raise ForbiddenError(
                what=gettext(
                    "manage webhooks with this token: use a token of the office created for "
                    "one of its administrators"
                )
            )
        admin = TenantAdmin(await info.context.tenant_service(), identity.user_id)
        info.context.cache["office_admin"] = admin
    return admin


def webhook_node(w: WebhookInfo) -> Webhook:
    return Webhook(
        id=w.id, url=w.url, events=list(w.events), active=w.active, created_at=w.created_at
    )


def delivery_node(d: DeliveryInfo) -> Delivery:
    return Delivery(
        id=d.id,
        channel=d.channel,
        recipient=d.recipient,
        kind=d.kind,
        key=d.key,
        status=DeliveryStatus(d.status),
        attempts=d.attempts,
        last_error=d.last_error,
        created_at=d.created_at,
        next_attempt_at=d.next_attempt_at,
        sent_at=d.sent_at,
    )
