"""An office's monev policy: who fills the SOP monitoring form and how often.

``alur_tenant.monev_policy`` holds ``{"role": <role id>, "every_months": 6}``: the **assessor
role** (a role of one of the office's SOPs, typically Kasubag Perencanaan; its holders fill
and initial the forms and read the Mutu baku figures, :mod:`.access`) and the **period** in
months (1–12; Permenpan RB 35/2012 asks for at least every six months). ``{}``: no assessor
chosen yet — no form is opened for the office until its administrator chooses one.

**Periods** are aligned to the calendar year: with 6 months, January–June and July–December;
with 3, the quarters. When the months do not divide the year the last period of each year is
the shorter one (with 5: January–May, June–October, November–December), so every period
stays within one year and a form never spans two budget years.

Only the office administrator changes the policy (:func:`save_policy`): every problem at once
(:class:`~alur.tenants.errors.InvalidInput` on ``role`` / ``every_months``), recorded as an
``office_changed`` event (``monev_policy_changed``: role, every_months) on the office's chain
in the transaction of the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from alur.core.i18n import format_message, gettext
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Forbidden, InvalidInput
from alur.tenants.monitoring.access import MonevPolicy, policy_of
from alur.tenants.monitoring.report import Period
from alur.tenants.offices.clock_policy import escalation_roles
from alur.tenants.storage.tables import Tenant, User

CHANGED = "monev_policy_changed"


@dataclass(frozen=True)
class PolicyInfo:
    """The policy as its page shows it: the roles it may name (id → name), who saved it."""

    policy: MonevPolicy
    roles: dict[str, str]
    changed_by: str
    changed_at: datetime | None


def period_of(day: date, every_months: int) -> Period:
    """The monev period (module docstring) ``day`` falls in."""
    first = (day.month - 1) // every_months * every_months + 1
    last = min(first + every_months - 1, 12)
    end = date(day.year + (last == 12), last % 12 + 1, 1) - timedelta(days=1)
    return Period(date(day.year, first, 1), end)


def last_ended_period(today: date, every_months: int) -> Period:
    """The latest period that has ended before ``today``."""
    return period_of(period_of(today, every_months).start - timedelta(days=1), every_months)


def _require_admin(service: TenantService, actor: Any) -> None:
    if not actor.administrator:
        raise Forbidden(what=gettext("change the monev policy: you are not the office admin"))


async def read_policy(service: TenantService, user_id: int) -> PolicyInfo:
    """The office's policy as its administrator sees it."""
    ctx = await service.context(user_id)
    _require_admin(service, ctx.actor)
    row = (
        await Tenant.select(Tenant.monev_policy, Tenant.monev_policy_by, Tenant.monev_policy_at)
        .where(Tenant.id == service.ref.id)
        .first()
    )
    assert row is not None
    return PolicyInfo(
        policy=policy_of(row),
        roles=escalation_roles(service.sops()),
        changed_by=row["monev_policy_by"],
        changed_at=row["monev_policy_at"],
    )


def parse_policy(role: Any, every_months: Any, roles: Mapping[str, str]) -> MonevPolicy:
    """The policy a form or an API gave, or :class:`InvalidInput` naming every bad field."""
    errors: dict[str, str] = {}
    role = role.strip() if isinstance(role, str) else ""
    if role not in roles:
        errors["role"] = format_message(
            "choose the assessor from the roles of the office's SOPs: {roles}",
            roles=", ".join(roles.values()) or "—",
        )
    text = str(every_months).strip() if every_months is not None else ""
    months = int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else 0
    if not 1 <= months <= 12:
        errors["every_months"] = gettext("give a whole number of months from 1 to 12, such as 6")
    if errors:
        raise InvalidInput(errors)
    return MonevPolicy(role, months)


async def save_policy(
    service: TenantService, user_id: int, role: Any, every_months: Any
) -> MonevPolicy:
    """Check and save the office's policy; an ``office_changed`` event records it."""
    ctx = await service.context(user_id)
    _require_admin(service, ctx.actor)
    policy = parse_policy(role, every_months, escalation_roles(service.sops()))
    who = await User.select(User.name, User.username).where(User.id == user_id).first()
    by = f"{who['name']} ({who['username']})" if who else str(user_id)
    now = service.clock()
    async with write_transaction(service.db):
        await Tenant.update(
            {
                Tenant.monev_policy: policy.to_mapping(),
                Tenant.monev_policy_by: by[:255],
                Tenant.monev_policy_at: now,
            }
        ).where(Tenant.id == service.ref.id)
        await record_office_change(
            service.db,
            service.ref,
            CHANGED,
            actor=ctx.actor.id,
            actor_name=ctx.actor.name,
            details=policy.to_mapping(),
            at=now,
        )
    service.tenant = {**service.tenant, "monev_policy": policy.to_mapping()}
    return policy
