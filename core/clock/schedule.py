"""When a task's timers fire, and whom an escalation goes to.

A task opened at ``opened_at`` and due at ``due`` gets up to three timers
(:class:`TimerKind`): a reminder once ``remind_before_percent`` of its office time has passed
(only for steps of at least ``remind_before_min``), a reminder at the due time, and an
escalation ``escalate_after`` of office time after the due time. All times are office time on
the office's :class:`~alur.core.calendar.WorkingCalendar`, so a timer never falls outside office
hours. Storage keeps the timers of open tasks in a table indexed by ``fires_at``; the worker's
sweep reads the ones that are due.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import NamedTuple

from alur.core.calendar import WorkingCalendar
from alur.core.clock.policy import ClockPolicy
from alur.core.model import SopDefinition


class TimerKind(enum.StrEnum):
    REMIND_BEFORE = "remind_before"  # part of the step's time has passed
    REMIND_DUE = "remind_due"  # the task falls due now
    ESCALATE = "escalate"  # the task is overdue by the policy's escalate_after


class Timer(NamedTuple):
    kind: TimerKind
    fires_at: datetime
    to_role: str | None = None  # ESCALATE: the role it goes to


def escalation_role(definition: SopDefinition, role: str, policy: ClockPolicy) -> str | None:
    """The role a task of ``role`` escalates to: the policy's ``escalate_to`` if it names a
    role of the SOP, else the role's atasan; ``None`` when there is none (e.g. the Kepala)."""
    if policy.escalate_to and policy.escalate_to in definition.roles_by_id:
        return policy.escalate_to if policy.escalate_to != role else None
    r = definition.roles_by_id.get(role)
    return r.atasan if r is not None else None


def timers_for(
    *,
    opened_at: datetime,
    due: datetime | None,
    policy: ClockPolicy,
    calendar: WorkingCalendar,
    escalate_to: str | None,
) -> tuple[Timer, ...]:
    """The timers of a task, in firing order (none for a task without a due time)."""
    if due is None:
        return ()
    timers: list[Timer] = []
    step_minutes = calendar.office_minutes_between(opened_at, due)
    minimum = policy.remind_before_min.office_minutes(calendar.minutes_per_day) or 0
    if policy.remind_before_percent and step_minutes >= max(minimum, 1):
        at = calendar.add_office_minutes(
            opened_at, step_minutes * policy.remind_before_percent // 100
        )
        if at < due:
            timers.append(Timer(TimerKind.REMIND_BEFORE, at))
    if policy.remind_at_due:
        timers.append(Timer(TimerKind.REMIND_DUE, due))
    if policy.escalate_after is not None and escalate_to is not None:
        minutes = policy.escalate_after.office_minutes(calendar.minutes_per_day) or 0
        timers.append(
            Timer(TimerKind.ESCALATE, calendar.add_office_minutes(due, minutes), escalate_to)
        )
    return tuple(timers)


def next_send_time(at: datetime, calendar: WorkingCalendar) -> datetime:
    """``at`` if it is within office hours on a working day, else the next opening: when a
    notification to someone who did not ask for after-hours messages may go out."""
    return calendar.add_office_minutes(at, 0)


def digest_day(now: datetime, calendar: WorkingCalendar) -> date | None:
    """The working day whose digest is due at ``now`` (from its opening time on), if any."""
    local = now.astimezone(calendar.timezone)
    day = local.date()
    if not calendar.is_working_day(day) or local.time() < calendar.office_start:
        return None
    return day
