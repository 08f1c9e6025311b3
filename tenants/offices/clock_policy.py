"""An office's clock policy: who is reminded when, and to whom an overdue task escalates.

The office administrator edits it in the web UI; :func:`save_policy` checks the submitted form
with :func:`alur.core.clock.parse_office_policy` (every problem at once) plus one rule only the
office can answer — ``escalate_to``, when given, must be a role of at least one SOP the office
runs — and refuses with :class:`~alur.tenants.errors.InvalidInput`, one message per field in
the user's language. Nothing is written then.

Saving, in one transaction:

* stores the policy (``Tenant.clock_policy``, :meth:`~alur.core.clock.ClockPolicy.to_mapping`)
  with who saved it and when (``clock_policy_by`` / ``clock_policy_at``, shown on the page;
  a log line ``clock policy of <office> changed by <user>`` goes to the application log too);
* recomputes the timers of every open task of the office under the new policy, so that what
  the page says is what happens to the tasks already waiting. A timer that has fired (a
  ``task_reminded`` / ``task_escalated`` event of the task) is not set again; a reminder whose
  moment has already passed is dropped (a reminder about the past is noise), while an
  escalation the new policy says is already due is kept, for the next sweep to send.

The office's tenant row is updated first, which locks it (the same row every event append
locks). A sweep firing one of the office's timers holds that row too (it takes timer, case and
office at once, or skips them), so the save waits for it and then sees its event; a sweep
starting during the save skips the office's timers until the next round.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alur.core.clock import ClockPolicy, Timer, TimerKind
from alur.core.clock.policy import parse_office_policy, problem_field
from alur.core.errors import N_
from alur.core.i18n import format_message, gettext
from alur.core.model import SopDefinition
from alur.tenants.cases.rows import TIMER_COLUMNS, Batch, from_json, timer_values
from alur.tenants.clock.timers import office_policy, task_timers
from alur.tenants.errors import InvalidInput
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.provisioning import calendar_for
from alur.tenants.storage.tables import Event, Task, Tenant, User
from alur.tenants.storage.tables import Timer as TimerRow

log = logging.getLogger(__name__)

#: The form's fields, in the order the page shows them.
FIELDS = (
    "remind_before",
    "remind_before_min",
    "remind_at_due",
    "escalate_after",
    "escalate_to",
    "digest",
)

# What a problem code of alur.core.clock says to a person filling in the form.
_MESSAGES = {
    ("remind_before", "clock_bad_percent"): N_(
        "give a share of the step's time between 1 and 99, such as 50"
    ),
    ("remind_before_min", "clock_bad_duration"): N_(
        'give an office time such as "1 hari" or "4 jam"'
    ),
    ("escalate_after", "clock_bad_duration"): N_(
        'give an office time overdue such as "1 hari" or "4 jam"'
    ),
}
_FALLBACK = N_("this value cannot be used here")
_CHUNK = 150  # timer rows per INSERT: 900 parameters, under SQLite's 999


@dataclass(frozen=True)
class PolicyInfo:
    """The office's policy, the roles ``escalate_to`` may name (id → name), and who saved
    the policy last (``""``/``None``: never saved, the defaults apply)."""

    policy: ClockPolicy
    roles: dict[str, str]
    changed_by: str
    changed_at: datetime | None


def escalation_roles(sops: Mapping[str, SopDefinition]) -> dict[str, str]:
    """Every role of the office's SOPs (id → name), in the SOPs' order, each once."""
    roles: dict[str, str] = {}
    for d in sops.values():
        for r in d.roles:
            roles.setdefault(r.id, r.name)
    return roles


def form_mapping(values: Mapping[str, Any]) -> dict[str, Any]:
    """A submitted form (text fields and checkboxes) as the mapping
    :func:`~alur.core.clock.parse_office_policy` reads: an empty percentage or escalation time
    means "never", an unticked box ``False``. A bare number is a percentage (``50`` → ``50%``)."""

    def text(name: str) -> str:
        value = values.get(name, "")
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        return str(value).strip()

    def ticked(name: str) -> bool:
        return text(name).lower() in ("1", "true", "on", "yes", "ya")

    percent = text("remind_before").removesuffix("%").strip()
    after = text("escalate_after")
    return {
        "remind_before": f"{percent}%" if percent not in ("", "0") else False,
        "remind_before_min": text("remind_before_min") or "1 hari",
        "remind_at_due": ticked("remind_at_due"),
        "escalate_after": after if after not in ("", "0") else False,
        "escalate_to": text("escalate_to"),
        "digest": ticked("digest"),
    }


def policy_problems(
    mapping: Mapping[str, Any], roles: Mapping[str, str]
) -> tuple[ClockPolicy, dict[str, str]]:
    """The policy of ``mapping`` and every problem of it, by field, in the current language.
    ``roles`` are the roles ``escalate_to`` may name (id → name)."""
    policy, problems = parse_office_policy(mapping)
    errors: dict[str, str] = {}
    for p in problems:
        field = problem_field(p)
        field = field if field in FIELDS else "form"
        message = _MESSAGES.get((field, p.code or ""), _FALLBACK)
        errors.setdefault(field, gettext(message))
    if policy.escalate_to and policy.escalate_to not in roles and "escalate_to" not in errors:
        errors["escalate_to"] = format_message(
            "no SOP of this office has the role {role}; choose one of {roles}, or leave it empty "
            "for each role's atasan",
            role=repr(policy.escalate_to[:64]),
            roles=", ".join(roles.values()) or "—",
        )
    return policy, errors


async def read_policy(admin: TenantAdmin) -> PolicyInfo:
    """The office's policy as its administrator sees it on the policy page."""
    await admin._require_admin()
    row = (
        await Tenant.select(Tenant.clock_policy, Tenant.clock_policy_by, Tenant.clock_policy_at)
        .where(Tenant.id == admin.tenant_id)
        .first()
    )
    assert row is not None
    return PolicyInfo(
        policy=office_policy(row),
        roles=escalation_roles(admin.service.sops()),
        changed_by=row["clock_policy_by"],
        changed_at=row["clock_policy_at"],
    )


async def save_policy(admin: TenantAdmin, values: Mapping[str, Any]) -> ClockPolicy:
    """Check and save the office's policy (``values``: the form, see :func:`form_mapping`)
    and recompute the timers of its open tasks, in one transaction."""
    await admin._require_admin()
    service = admin.service
    policy, errors = policy_problems(form_mapping(values), escalation_roles(service.sops()))
    if errors:
        raise InvalidInput(errors)
    who = await User.select(User.name, User.username).where(User.id == admin.user_id).first()
    by = f"{who['name']} ({who['username']})" if who else str(admin.user_id)
    now = service.clock()
    calendar = await calendar_for(service.tenant)
    async with service.store.transaction():
        await Tenant.update(
            {
                Tenant.clock_policy: policy.to_mapping(),
                Tenant.clock_policy_by: by[:255],
                Tenant.clock_policy_at: now,
            }
        ).where(Tenant.id == admin.tenant_id)
        count = await _recompute_timers(service.ref.id, policy, calendar, now, service.store)
    service.tenant = {**service.tenant, "clock_policy": policy.to_mapping()}
    log.info(
        "clock policy of %s changed by %s: %s (timers of %d open tasks recomputed)",
        service.ref.slug,
        by,
        policy.to_mapping(),
        count,
    )
    return policy


async def _recompute_timers(
    tenant_id: int, policy: ClockPolicy, calendar: Any, now: datetime, store: Any
) -> int:
    """Replace the timers of the office's open tasks with the new policy's; returns how
    many open tasks there are. Runs inside the caller's transaction."""
    tasks = await Task.select(
        Task.case,
        Task.task_no,
        Task.step,
        Task.role,
        Task.opened_at,
        Task.due,
        Task.escalated_role,
        Task.case.definition_hash.as_alias("definition_hash"),
    ).where((Task.tenant == tenant_id) & (Task.status == "open"))
    fired = await _fired(tenant_id)
    rows: list[tuple[Any, ...]] = []
    for t in tasks:
        d = await store.definition(t["definition_hash"])
        done = fired.get((t["case"], t["task_no"]), set())
        if t["escalated_role"]:
            done = done | {TimerKind.ESCALATE}
        timers = task_timers(
            d,
            step=t["step"],
            role=t["role"],
            opened_at=t["opened_at"],
            due=t["due"],
            policy=policy,
            calendar=calendar,
        )
        rows += [
            timer_values(tenant_id, t["case"], t["task_no"], tm)
            for tm in timers
            if _keep(tm, done, now)
        ]
    await TimerRow.delete().where(TimerRow.tenant == tenant_id)
    for start in range(0, len(rows), _CHUNK):
        batch = Batch()
        batch.insert("alur_timer", TIMER_COLUMNS, rows[start : start + _CHUNK])
        await batch.run(combined=False)
    return len(tasks)


def _keep(timer: Timer, done: set[TimerKind], now: datetime) -> bool:
    if timer.kind in done:
        return False
    return timer.kind is TimerKind.ESCALATE or timer.fires_at > now


async def _fired(tenant_id: int) -> dict[tuple[int, int], set[TimerKind]]:
    """The timer kinds that have fired for each open task of the office, from its events."""
    rows = await Event.raw(
        'SELECT e."case", e.task_no, e.kind, e.payload FROM alur_event e '
        'JOIN alur_task t ON t."case" = e."case" AND t.task_no = e.task_no '
        "WHERE e.tenant = {} AND t.status = 'open' AND e.kind IN ('task_reminded', "
        "'task_escalated')",
        tenant_id,
    )
    fired: dict[tuple[int, int], set[TimerKind]] = {}
    for r in rows:
        if r["kind"] == "task_escalated":
            kind = TimerKind.ESCALATE
        else:
            reason = str((from_json(r["payload"]) or {}).get("reason", ""))
            due = reason.startswith(TimerKind.REMIND_DUE)
            kind = TimerKind.REMIND_DUE if due else TimerKind.REMIND_BEFORE
        fired.setdefault((r["case"], r["task_no"]), set()).add(kind)
    return fired
