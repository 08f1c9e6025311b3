"""Events: the append-only record of everything that happens to a case.

Each event says who (user, role, and for a Plt/Plh whom they acted for), when, what, at
which step and unit, with an optional note and a JSON-serialisable ``payload``. The case
state is a fold over its events (:func:`alur.core.engine.state.replay`), so the history,
the analytics and the audit all read the same record.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple


class EventKind(enum.StrEnum):
    CASE_STARTED = (
        "case_started"  # payload: sop, version, definition_hash, period, units, durations
    )
    FAN_OUT_OPENED = "fan_out_opened"  # step = entry; payload: join, units (those sent out)
    TASK_OPENED = "task_opened"  # task, step, unit, due; payload: role, returned_from
    TASK_CLAIMED = "task_claimed"
    TASK_UNCLAIMED = "task_unclaimed"  # the assignee gave the task back; no payload
    TASK_REASSIGNED = "task_reassigned"  # payload: to, to_name
    TASK_COMPLETED = "task_completed"  # note = output note; payload: data
    GATE_DECIDED = "gate_decided"  # payload: answer, units (a "tidak" into a fan-out), data
    UNIT_JOINED = "unit_joined"  # a unit finished its fan-out branch; step = the join
    TASK_CANCELLED = "task_cancelled"
    # The clock (alur.core.clock): written by the worker's sweep, never by a person.
    TASK_REMINDED = "task_reminded"  # task, step, unit; payload: reason, to, channels
    TASK_ESCALATED = "task_escalated"  # task, step, unit; payload: reason, to_role, to, channels
    CASE_FINISHED = "case_finished"
    # An office admin moved the running case to another definition (alur.core.engine.migration).
    # payload: from, to (hashes), from_version, to_version, mapping {old step: new step},
    # kept [{task, step, role, due}], durations (new "ditentukan" steps), join (of the fan-out)
    CASE_MIGRATED = "case_migrated"
    CASE_CANCELLED = "case_cancelled"
    # The office itself (alur.tenants.audit.office_log): an administrative change — a person
    # edited or deactivated, a role removed, a password reset… — on the office's chain, with
    # no case. payload: change (what changed), and its details. Never part of a case's log.
    OFFICE_CHANGED = "office_changed"


NO_PAYLOAD: Mapping[str, Any] = MappingProxyType({})


class Event(NamedTuple):
    """One entry of a case's log (immutable; a NamedTuple because the engine makes many)."""

    seq: int
    kind: EventKind
    at: datetime
    actor: str | None = None
    actor_name: str = ""
    role: str | None = None
    delegation: str | None = None
    acting_for: str | None = None
    acting_for_name: str | None = None
    step: int | None = None
    unit: str | None = None
    task: int | None = None
    note: str = ""
    due: datetime | None = None  # task_opened: when the task falls due
    payload: Mapping[str, Any] = NO_PAYLOAD
