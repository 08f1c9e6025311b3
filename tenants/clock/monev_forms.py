"""The worker's monev round: open the SOP monitoring forms of the period just ended, remind
the assessors of forms soon due.

For every office that chose its monev assessor (:mod:`alur.tenants.monitoring.monev_policy`)
and is not suspended:

* the forms of the latest period that has ended (with 6 months: on 1 July, January–June) are
  opened for each SOP in force (:meth:`~alur.tenants.monitoring.monev.MonevForms.open_period`,
  idempotent: one form per office, SOP and period), unless the period ended before the office
  was created (it has no cases then) — so a round every hour opens each form once, on the
  first round of the new period;
* every open form whose reminder date (``remind_on``, two working days before it is due) has
  come in the office's time zone is reminded to its assessors, once per form and person
  (idempotent keys, :mod:`alur.tenants.monitoring.monev_notices`).

One office's trouble is logged and tried again next round; the others go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from alur.core.plugins import AlurPlugins
from alur.tenants.cases.service import TenantService
from alur.tenants.monitoring.monev import MonevForms
from alur.tenants.monitoring.monev_notices import REMINDED_KIND, assessors, tell_assessors
from alur.tenants.monitoring.monev_policy import last_ended_period, policy_of
from alur.tenants.monitoring.monev_rows import OPEN, record_from_row
from alur.tenants.offices.provisioning import calendar_for
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import MonevForm, Notification, Tenant

log = logging.getLogger(__name__)


@dataclass
class MonevRoundResult:
    opened: int = 0  # forms opened
    reminded: int = 0  # open forms past their reminder date (each person is told once)
    failed: int = 0  # offices that failed (logged; tried next round)
    deliveries: list[int] = field(default_factory=list)


async def monev_round(db: Database, plugins: AlurPlugins, now: datetime) -> MonevRoundResult:
    """One round (module docstring)."""
    result = MonevRoundResult()
    offices = await Tenant.select(
        Tenant.id, Tenant.slug, Tenant.monev_policy, Tenant.suspended, Tenant.created_at
    )
    for office in offices:
        policy = policy_of(office)
        if policy.role is None or office["suspended"]:
            continue
        try:
            await _office(db, plugins, office, policy.every_months, now, result)
        except Exception:  # one office's trouble: the others go on, this one next round
            log.exception("the monev round of %s failed", office["slug"])
            result.failed += 1
    return result


async def _office(
    db: Database,
    plugins: AlurPlugins,
    office: dict[str, Any],
    months: int,
    now: datetime,
    result: MonevRoundResult,
) -> None:
    service = await TenantService.open(db, plugins, office["slug"], lambda: now)
    today = service.today()
    period = last_ended_period(today, months)
    created = office["created_at"].astimezone(ZoneInfo(service.tenant["timezone"])).date()
    if period.end >= created:
        result.opened += len(await MonevForms(service).open_period(period))
    due = await MonevForm.select().where(
        (MonevForm.tenant == office["id"])
        & (MonevForm.state == OPEN)
        & (MonevForm.remind_on <= today)
    )
    if not due:
        return
    calendar = await calendar_for(service.tenant)
    role = policy_of(service.tenant).role
    assert role is not None
    forms = MonevForms(service)
    for row in due:
        record = record_from_row(row)
        if await Notification.exists().where(
            Notification.key.like(f"{REMINDED_KIND}:{office['id']}:{record.id}:%")
        ):
            continue  # reminded already (each notice once: its key)
        async with service.store.transaction():
            if not await assessors(office["id"], role):
                continue  # nobody holds the role yet: the next round tries again
            sent = await tell_assessors(
                office["id"], role, record, REMINDED_KIND, now=now, calendar=calendar
            )
            await forms.record_change(REMINDED_KIND, None, record, now)
        result.deliveries += sent
        result.reminded += 1
