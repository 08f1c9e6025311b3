"""The daily digest: at each office's opening time on its working days, every person with
open tasks there is told what they have open and what is overdue.

The job runs every few minutes; an office is due once its local time has passed its opening
time on a working day (:func:`alur.core.clock.digest_day`) and ``alur_tenant.digest_on`` is
before that day. The day is claimed with ``UPDATE alur_tenant SET digest_on = :day WHERE … AND
digest_on < :day`` in the same transaction that records the digests, so two workers (or a
worker killed and started again) make each office's digest once a day; each notice's key
``digest:<office>:<person>:<day>`` makes a person's digest once even so. People with nothing
open get nothing; an office whose policy has ``digest = false`` gets nothing.

A digest is not a case event (it changes no case), so it is not on the hash chain.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from alur.core.calendar import WorkingCalendar
from alur.core.clock import digest_day
from alur.core.engine import Context
from alur.tenants.cases.inbox import open_tasks
from alur.tenants.cases.store import CaseStore
from alur.tenants.clock.sweep import due_text
from alur.tenants.clock.timers import office_policy
from alur.tenants.errors import NotFound
from alur.tenants.identity.belonging import actor_for
from alur.tenants.notify.records import DIGEST, Notice, record_notices
from alur.tenants.offices.provisioning import calendar_for
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Delegation, Membership, Tenant

log = logging.getLogger(__name__)

MAX_LISTED = 20  # tasks listed in one digest; the counts cover all of them


@dataclass
class DigestResult:
    offices: int = 0
    notices: int = 0
    failed: int = 0  # offices whose digest could not be made (logged; tried again next round)
    deliveries: list[int] = field(default_factory=list)


async def send_digests(
    db: Database, now: datetime, offered: Collection[str] | None = None
) -> DigestResult:
    """Record the digests of every office whose day has come (see the module docstring)."""
    result = DigestResult()
    store = CaseStore(db)
    rows = await Tenant.select().where(Tenant.suspended == False)  # noqa: E712
    for row in rows:
        try:
            await _office_digest(store, row, now, result, offered)
        except Exception:  # one office's broken snapshot or calendar: the others go on
            log.exception("the daily digest of %s was not made", row["slug"])
            result.failed += 1
    return result


async def _office_digest(
    store: CaseStore,
    row: dict[str, Any],
    now: datetime,
    result: DigestResult,
    offered: Collection[str] | None,
) -> None:
    """Claim and record one office's digest of the day, if its day has come."""
    done = row["digest_on"]
    local_day = now.astimezone(_zone(row)).date()
    if done is not None and _day(done) >= local_day:
        return
    calendar = await calendar_for(row)
    day = digest_day(now, calendar)
    if day is None:
        return
    async with store.transaction():
        claimed = await Tenant.raw(
            "UPDATE alur_tenant SET digest_on = {} WHERE id = {} "
            "AND (digest_on IS NULL OR digest_on < {}) RETURNING id",
            day,
            row["id"],
            day,
        )
        if not claimed or not office_policy(row).digest:
            return
        notices = await _office_digests(store, row, calendar, now, day)
        result.offices += 1
        result.notices += len(notices)
        result.deliveries += await record_notices(
            row["id"], notices, now=now, calendar=calendar, offered=offered
        )


async def _office_digests(
    store: CaseStore, row: dict[str, Any], calendar: WorkingCalendar, now: datetime, day: date
) -> list[Notice]:
    tenant_id = row["id"]
    members = await Membership.select(Membership.user).where(Membership.tenant == tenant_id)
    delegates = await Delegation.select(Delegation.delegate).where(
        (Delegation.tenant == tenant_id)
        & (Delegation.starts_on <= day)
        & (Delegation.ends_on >= day)
    )
    people = sorted({r["user"] for r in members} | {r["delegate"] for r in delegates})
    notices = []
    for user_id in people:
        try:
            actor = await actor_for(tenant_id, user_id, day)
        except NotFound:  # inactive, or no longer here
            continue
        items = await open_tasks(
            tenant_id, Context(actor=actor, now=now, calendar=calendar), store.definition
        )
        if not items:
            continue
        body = {
            "day": day.isoformat(),
            "open": len(items),
            "overdue": sum(i.overdue for i in items),
            "tasks": [
                {
                    "case": i.case_key,
                    "sop": i.sop_id,
                    "period": i.period,
                    "step": i.step,
                    "kegiatan": i.kegiatan,
                    "unit": i.unit or "",
                    "due_text": due_text(i.due, calendar),
                    "overdue": i.overdue,
                }
                for i in items[:MAX_LISTED]
            ],
        }
        notices.append(
            Notice(
                kind=DIGEST, user_id=user_id, key=f"digest:{tenant_id}:{user_id}:{day}", body=body
            )
        )
    return notices


def _zone(row: dict[str, Any]) -> ZoneInfo:
    return ZoneInfo(row["timezone"])


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
