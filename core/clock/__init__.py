"""The clock: when a task's holders are reminded, when it escalates, and the events that
record it (pure; the worker in :mod:`alur.tenants.clock` runs it). See DESIGN.md "The clock"."""

from alur.core.clock.events import clock_event
from alur.core.clock.policy import (
    DEFAULT_POLICY,
    ClockPolicy,
    StepClock,
    parse_office_policy,
    parse_step_clock,
)
from alur.core.clock.schedule import (
    Timer,
    TimerKind,
    digest_day,
    escalation_role,
    next_send_time,
    timers_for,
)

__all__ = [
    "DEFAULT_POLICY",
    "ClockPolicy",
    "StepClock",
    "Timer",
    "TimerKind",
    "clock_event",
    "digest_day",
    "escalation_role",
    "next_send_time",
    "parse_office_policy",
    "parse_step_clock",
    "timers_for",
]
