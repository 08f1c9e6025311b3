"""The token's person's notifications in GraphQL: ``notifications`` (newest first, a page at a
time with ``before``), ``unreadNotificationCount`` and ``markNotificationsRead``.

They are the notifications of the person the token is bound to, in the token's office — what
the web UI's list shows them — rendered in the request's language
(:func:`alur.tenants.notify.messages.render`). A token bound to no person (a plain read token,
a platform token) gets ``Forbidden``. Reading needs any such token; marking read is a change,
so it needs a write token like every mutation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from alur.core.i18n import gettext
from alur.graphql.errors import Forbidden, from_error
from alur.graphql.permissions import authenticated, writing
from alur.graphql.types import Info
from alur.tenants.errors import Forbidden as ForbiddenError
from alur.tenants.errors import TenantSuspended
from alur.tenants.notify import feed

MAX_PAGE = feed.MAX_PAGE


@strawberry.type(description="Something the person was told: a reminder, an escalation, a digest.")
class Notification:
    id: int
    kind: str = strawberry.field(
        description='"task_reminded", "task_escalated", "digest", or of an SOP revision: '
        '"sop_revision_submitted", "sop_revision_returned", "sop_revision_approved".'
    )
    case_key: str | None
    task: int | None = strawberry.field(description="The task's number in its case.")
    title: str
    text: str
    path: str = strawberry.field(description="The web page it points to, e.g. the case.")
    created_at: datetime
    read_at: datetime | None
    unread: bool


@strawberry.type(description="A page of the person's notifications, newest first.")
class NotificationList:
    notifications: list[Notification]
    unread_count: int


@strawberry.type(description="How many notifications were marked read.")
class NotificationsMarked:
    marked: int
    unread_count: int


NotificationsResult = Annotated[
    NotificationList | Forbidden, strawberry.union("NotificationsResult")
]
MarkReadResult = Annotated[NotificationsMarked | Forbidden, strawberry.union("MarkReadResult")]


def person(info: Info) -> tuple[int, int, str]:
    """(office id, person id, office slug) of the token, or :class:`ForbiddenError`
    (:class:`TenantSuspended` for a suspended office, as its other queries answer)."""
    identity = info.context.identity
    if identity is None or identity.tenant_id is None or identity.user_id is None:
        raise ForbiddenError(
            what=gettext("read notifications with this token: it is bound to no person")
        )
    if identity.tenant is not None and identity.tenant.get("suspended"):
        raise TenantSuspended(slug=identity.tenant_slug or "")
    return identity.tenant_id, identity.user_id, identity.tenant_slug or ""


@strawberry.type
class FeedQuery:
    @strawberry.field(
        description="The token's person's notifications in the office, newest first "
        "(`before`: the id of the last one of the previous page).",
        extensions=authenticated(),
    )
    async def notifications(
        self, info: Info, first: int = 20, before: int | None = None
    ) -> NotificationsResult:
        try:
            tenant_id, user_id, slug = person(info)
        except (ForbiddenError, TenantSuspended) as exc:
            return from_error(exc)  # type: ignore[return-value]
        items = await feed.notifications_for(
            tenant_id, user_id, limit=max(1, min(first, MAX_PAGE)), before_id=before
        )
        nodes = []
        for n in items:
            message = n.message(slug)
            nodes.append(
                Notification(
                    id=n.id,
                    kind=n.kind,
                    case_key=n.case_key,
                    task=n.task_no,
                    title=message.title,
                    text=message.text,
                    path=message.path,
                    created_at=n.created_at,
                    read_at=n.read_at,
                    unread=n.unread,
                )
            )
        unread = await feed.unread_count(tenant_id, user_id)
        return NotificationList(notifications=nodes, unread_count=unread)

    @strawberry.field(
        description="How many of the token's person's notifications are unread (0 for a "
        "token bound to no person).",
        extensions=authenticated(),
    )
    async def unread_notification_count(self, info: Info) -> int:
        try:
            tenant_id, user_id, _ = person(info)
        except (ForbiddenError, TenantSuspended):
            return 0
        return await feed.unread_count(tenant_id, user_id)


@strawberry.type
class FeedMutation:
    @strawberry.mutation(
        description="Mark the person's notifications `ids` read (all of them when left out).",
        extensions=writing(),
    )
    async def mark_notifications_read(
        self, info: Info, ids: list[int] | None = None
    ) -> MarkReadResult:
        try:
            tenant_id, user_id, _ = person(info)
        except (ForbiddenError, TenantSuspended) as exc:
            return from_error(exc)  # type: ignore[return-value]
        marked = await feed.mark_read(tenant_id, user_id, ids, now=info.context.now)
        unread = await feed.unread_count(tenant_id, user_id)
        return NotificationsMarked(marked=marked, unread_count=unread)
