"""A person's notification list in one office: the newest first, the unread count for the
header, and marking read. Every function filters on the office and the person: one person's
notifications are never another's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alur.core import limits
from alur.core.limits import ROW_ID_MAX
from alur.tenants.cases.rows import from_json
from alur.tenants.notify.messages import Message, render
from alur.tenants.storage.tables import Notification

MAX_PAGE = 100
# alur_notification.id is a SERIAL (32-bit on PostgreSQL): a larger number is no stored row,
# and must not reach the driver (asyncpg refuses to encode it).


@dataclass(frozen=True)
class NotificationItem:
    id: int
    kind: str
    case_key: str | None
    task_no: int | None
    body: dict[str, Any]
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None

    def message(self, tenant_slug: str, lang: str | None = None) -> Message:
        """What it says (title, sentence, link) in ``lang`` or the current language; the
        case it links to is the notification's own (its row), whatever the body says."""
        body = {**self.body, "case": self.case_key or self.body.get("case") or ""}
        return render(self.kind, body, tenant_slug, lang)


async def notifications_for(
    tenant_id: int, user_id: int, *, limit: int = 50, before_id: int | None = None
) -> list[NotificationItem]:
    """The person's notifications in the office, newest first (``before_id``: the next page)."""
    limit = max(1, min(limit, MAX_PAGE))
    if before_id is not None and before_id < 1:
        return []
    rows = await Notification.raw(
        "SELECT n.id, n.kind, c.key AS case_key, n.task_no, n.body, n.created_at, n.read_at "
        'FROM alur_notification n LEFT JOIN alur_case c ON c.id = n."case" '
        'WHERE n.tenant = {} AND n."user" = {} AND n.id <= {} ORDER BY n.id DESC LIMIT {}',
        tenant_id,
        user_id,
        min(before_id - 1, ROW_ID_MAX) if before_id is not None else ROW_ID_MAX,  # 32-bit ids
        limit,
    )
    return [
        NotificationItem(
            id=r["id"],
            kind=r["kind"],
            case_key=r["case_key"],
            task_no=r["task_no"],
            body=from_json(r["body"]) or {},
            created_at=r["created_at"],
            read_at=r["read_at"],
        )
        for r in rows
    ]


async def unread_count(tenant_id: int, user_id: int) -> int:
    """How many of the person's notifications in the office are unread (the header badge)."""
    rows = await Notification.raw(
        'SELECT COUNT(*) AS n FROM alur_notification WHERE "user" = {} AND read_at IS NULL '
        "AND tenant = {}",
        user_id,
        tenant_id,
    )
    return int(rows[0]["n"])


async def mark_read(
    tenant_id: int, user_id: int, ids: Sequence[int] | None, *, now: datetime
) -> int:
    """Mark the person's notifications ``ids`` (``None``: all of them) read; returns how many
    changed. Ids of other people or offices are ignored, never an error that tells they exist."""
    where = (
        (Notification.tenant == tenant_id)
        & (Notification.user == user_id)
        & (Notification.read_at.is_null())
    )
    if ids is not None:
        ids = [i for i in ids if limits.usable_id(i)][:MAX_PAGE]
        if not ids:
            return 0
        where = where & Notification.id.is_in(ids)
    changed = (
        await Notification.update({Notification.read_at: now})
        .where(where)
        .returning(Notification.id)
    )
    return len(changed)
