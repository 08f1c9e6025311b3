"""The clock's events on a case: ``task_reminded`` and ``task_escalated``.

They are written by the worker's sweep, not by a person (no actor), on the case's hash chain
like every other event, and folded by :func:`alur.core.engine.state.apply_event`: a reminder
changes nothing of the task; an escalation records the role it now also stands before
(``Task.escalated_to``), without taking it from its holder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from alur.core.clock.schedule import TimerKind
from alur.core.engine.events import Event, EventKind
from alur.core.engine.state import CaseState, CaseStatus, apply_event
from alur.core.engine.transition import Transition
from alur.core.errors import CaseNotActive, TaskNotOpen


def clock_event(
    state: CaseState,
    task_id: int,
    kind: TimerKind,
    *,
    at: datetime,
    to: Sequence[str],
    channels: Sequence[str],
    to_role: str | None = None,
    reason: str = "",
) -> Transition:
    """The transition that records a fired timer of task ``task_id``.

    ``to`` are the people told (user ids as text), ``channels`` the channels used, ``reason``
    a short machine-readable why (the timer kind, and for an escalation the overdue time).
    Raises :class:`CaseNotActive` or :class:`TaskNotOpen` when the task is no longer open.
    """
    if state.status is not CaseStatus.ACTIVE:
        raise CaseNotActive(status=str(state.status))
    task = state.task(task_id)
    if task is None:
        raise TaskNotOpen(task=task_id)
    payload: dict[str, object] = {
        "reason": reason or str(kind),
        "to": list(to),
        "channels": list(channels),
    }
    event_kind = EventKind.TASK_REMINDED
    if kind is TimerKind.ESCALATE:
        if not to_role:
            raise ValueError("an escalation needs the role it goes to")
        payload["to_role"] = to_role
        event_kind = EventKind.TASK_ESCALATED
    e = Event(
        state.last_seq + 1,
        event_kind,
        at,
        None,
        "",
        step=task.step,
        unit=task.unit,
        task=task.id,
        payload=payload,
    )
    return Transition(apply_event(state, e), (e,))
