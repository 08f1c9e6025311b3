"""The timers a transition sets: one row per timer of each task it opens.

:func:`timers_of` is called by :class:`~alur.tenants.cases.service.TenantService` for every
transition, and :class:`~alur.tenants.cases.store.CaseStore` writes its rows in the same
transaction as the events (a closing event deletes its task's timers there too). The office's
policy is :func:`office_policy`; a step's ``clock`` table overrides it
(:meth:`~alur.core.clock.ClockPolicy.with_step`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from alur.core.calendar import WorkingCalendar
from alur.core.clock import ClockPolicy, Timer, escalation_role, parse_office_policy, timers_for
from alur.core.engine.events import Event, EventKind
from alur.core.model import SopDefinition
from alur.tenants.cases.rows import from_json


def office_policy(tenant: Mapping[str, Any]) -> ClockPolicy:
    """The clock policy of an office (a tenant row); a stored policy was validated when it
    was saved, so problems here mean a hand-edited row and fall back to the defaults."""
    policy, _problems = parse_office_policy(from_json(tenant.get("clock_policy")) or {})
    return policy


def task_timers(
    definition: SopDefinition,
    *,
    step: int,
    role: str,
    opened_at: datetime,
    due: datetime | None,
    policy: ClockPolicy,
    calendar: WorkingCalendar,
) -> tuple[Timer, ...]:
    """The timers of one task of ``definition``'s step ``step``, held by ``role``: the office's
    ``policy`` with the step's override, escalating to the role's atasan (or the policy's)."""
    found = definition.steps_by_number.get(step)
    step_policy = policy.with_step(found.clock if found is not None else None)
    return timers_for(
        opened_at=opened_at,
        due=due,
        policy=step_policy,
        calendar=calendar,
        escalate_to=escalation_role(definition, role, step_policy),
    )


def timers_of(
    definition: SopDefinition,
    events: Iterable[Event],
    policy: ClockPolicy,
    calendar: WorkingCalendar,
) -> list[tuple[int, Timer]]:
    """``(task number, timer)`` for every task the events open."""
    found: list[tuple[int, Timer]] = []
    for e in events:
        if e.kind is not EventKind.TASK_OPENED or e.task is None or e.step is None:
            continue
        timers = task_timers(
            definition,
            step=e.step,
            role=e.payload["role"],
            opened_at=e.at,
            due=e.due,
            policy=policy,
            calendar=calendar,
        )
        found += [(e.task, timer) for timer in timers]
    return found
