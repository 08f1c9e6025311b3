"""Telling the office's monev assessors: when a form opens, and before it is due.

A notice is written in the transaction of what it tells of
(:func:`~alur.tenants.notify.records.record_notices`: in the app's list, and by email or a
plugin channel when the person chose one; the worker sends the deliveries), to every person
holding the assessor role in their own right, with an idempotency key per form and person:
a form opened or a reminder sent twice (two workers, a round repeated) tells each person once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from alur.core.calendar import WorkingCalendar
from alur.tenants.notify.records import Notice, record_notices
from alur.tenants.storage.tables import Membership

if TYPE_CHECKING:
    from alur.tenants.monitoring.monev_rows import MonevRecord

OPENED_KIND = "monev_opened"
REMINDED_KIND = "monev_reminded"
KINDS = (OPENED_KIND, REMINDED_KIND)


async def assessors(tenant_id: int, role: str) -> list[int]:
    """The active people holding ``role`` in the office in their own right."""
    rows = await Membership.select(Membership.user).where(
        (Membership.tenant == tenant_id)
        & (Membership.role == role)
        & (Membership.user.active == True)  # noqa: E712 (a piccolo expression)
    )
    return sorted({r["user"] for r in rows})


async def tell_assessors(
    tenant_id: int,
    role: str,
    record: MonevRecord,
    kind: str,
    *,
    now: datetime,
    calendar: WorkingCalendar,
    skip: str | None = None,
) -> list[int]:
    """Tell every assessor (but ``skip``, the person acting) of ``record``; the new
    delivery ids."""
    body = {
        "form": record.id,
        "sop": record.sop_id,
        "sop_name": record.form.sop_name,
        "start": record.period.start.isoformat(),
        "end": record.period.end.isoformat(),
        "due": record.due_on.isoformat(),
    }
    notices = [
        Notice(kind=kind, user_id=user, key=f"{kind}:{tenant_id}:{record.id}:{user}", body=body)
        for user in await assessors(tenant_id, role)
        if str(user) != skip
    ]
    return await record_notices(tenant_id, notices, now=now, calendar=calendar)
