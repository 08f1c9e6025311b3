"""Webhooks in GraphQL: the query ``webhooks`` (with each one's recent deliveries) and the
mutations ``createWebhook`` (the answer carries the secret, once), ``setWebhookActive`` and
``deleteWebhook``.

Webhooks are the office's administration: the token must be of the office and bound to a
person who administers it now (any scope for the query; mutations, like every mutation, need
a write token). The rules — and the refusals, typed with their ``code`` — are
:mod:`alur.tenants.notify.webhooks`', the same the web admin page shows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from alur.core.errors import AlurError
from alur.graphql.errors import Forbidden, InvalidInput, NotFound, from_error
from alur.graphql.notify.types import (
    WebhookChanged,
    WebhookCreated,
    WebhookList,
    office_admin,
    webhook_node,
)
from alur.graphql.permissions import authenticated, writing
from alur.graphql.types import Info
from alur.tenants.notify import webhooks as service

WebhooksResult = Annotated[WebhookList | Forbidden, strawberry.union("WebhooksResult")]
CreateWebhookResult = Annotated[
    WebhookCreated | Forbidden | InvalidInput, strawberry.union("CreateWebhookResult")
]
WebhookChangeResult = Annotated[
    WebhookChanged | Forbidden | NotFound, strawberry.union("WebhookChangeResult")
]


async def _guarded(call: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return await call()
    except AlurError as exc:
        return from_error(exc)


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="The office's webhooks and their recent deliveries (its administrators).",
        extensions=authenticated(),
    )
    async def webhooks(self, info: Info) -> WebhooksResult:
        async def run() -> WebhookList:
            found = await service.list_webhooks(await office_admin(info))
            return WebhookList(webhooks=[webhook_node(w) for w in found])

        return await _guarded(run)


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Register a URL for the office's events (every kind, or those in `events`). "
        "The answer holds the signing secret: it is never shown again.",
        extensions=writing(),
    )
    async def create_webhook(
        self, info: Info, url: str, events: list[str] | None = None
    ) -> CreateWebhookResult:
        async def run() -> WebhookCreated:
            new = await service.register_webhook(await office_admin(info), url, events or [])
            return WebhookCreated(webhook=webhook_node(new.info), secret=new.secret)

        return await _guarded(run)

    @strawberry.mutation(
        description="Disable (nothing more is sent to it) or enable a webhook.",
        extensions=writing(),
    )
    async def set_webhook_active(
        self, info: Info, webhook_id: int, active: bool
    ) -> WebhookChangeResult:
        async def run() -> WebhookChanged:
            changed = await service.set_webhook_active(await office_admin(info), webhook_id, active)
            return WebhookChanged(webhook=webhook_node(changed))

        return await _guarded(run)

    @strawberry.mutation(
        description="Delete a webhook and its deliveries log.", extensions=writing()
    )
    async def delete_webhook(self, info: Info, webhook_id: int) -> WebhookChangeResult:
        async def run() -> WebhookChanged:
            gone = await service.delete_webhook(await office_admin(info), webhook_id)
            return WebhookChanged(webhook=webhook_node(gone))

        return await _guarded(run)
