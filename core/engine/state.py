"""The state of a case, and the reducer that builds it from events.

:func:`apply_event` is the only place where state changes; the state machine
(:mod:`alur.core.engine.machine`) decides *which* events an action produces and folds them
with it. :func:`replay` rebuilds a case from its stored events alone, which is how storage
restores a case and how tests check that the log is complete.

States are immutable: the reducer returns a new object and never mutates its input.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import NamedTuple

from alur.core.durations import Duration
from alur.core.engine.events import Event, EventKind


class CaseStatus(enum.StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class Task(NamedTuple):
    """One step waiting for one actor (and one unit, for a fan-out step)."""

    id: int
    step: int
    unit: str | None
    role: str
    opened_at: datetime
    due: datetime | None
    assignee: str | None = None
    assignee_name: str | None = None
    returned_from: int | None = None  # the gate that sent the work back here
    return_note: str = ""
    escalated_to: str | None = None  # the role a task_escalated event put it before

    def is_overdue(self, now: datetime) -> bool:
        return self.due is not None and now > self.due


class FanOut(NamedTuple):
    """A fan-out in progress: the units of the case, and those already at the join."""

    join: int | None
    units: tuple[str, ...]
    arrived: frozenset[str]

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return tuple(u for u in self.units if u not in self.arrived)


class CaseState(NamedTuple):
    """Everything the engine needs to decide the next action (immutable).

    Only *open* tasks are kept; finished work lives in the event log. A NamedTuple rather
    than a dataclass because a transition builds a few of these and speed matters here.
    """

    case_id: str
    sop_id: str
    version: str
    definition_hash: str
    period: str
    units: tuple[str, ...]
    durations: Mapping[int, Duration]  # fixed at start for "ditentukan" steps
    status: CaseStatus
    open_tasks: Mapping[int, Task]
    fan_out: FanOut | None
    next_task_id: int
    last_seq: int
    started_at: datetime
    ended_at: datetime | None = None

    @property
    def current_steps(self) -> tuple[int, ...]:
        """The steps with open tasks, in order."""
        return tuple(sorted({t.step for t in self.open_tasks.values()}))

    def task(self, task_id: int) -> Task | None:
        return self.open_tasks.get(task_id)

    def open_tasks_at(self, step: int) -> list[Task]:
        return [t for t in self.open_tasks.values() if t.step == step]


def apply_event(state: CaseState | None, e: Event) -> CaseState:
    """The state after ``e``. ``state`` is ``None`` only for the ``case_started`` event."""
    kind = e.kind
    if kind is EventKind.CASE_STARTED:
        p = e.payload
        return CaseState(
            case_id=p["case_id"],
            sop_id=p["sop"],
            version=p["version"],
            definition_hash=p["definition_hash"],
            period=p["period"],
            units=tuple(p["units"]),
            durations={int(k): Duration.parse(v) for k, v in p["durations"].items()},
            status=CaseStatus.ACTIVE,
            open_tasks={},
            fan_out=None,
            next_task_id=1,
            last_seq=e.seq,
            started_at=e.at,
        )
    if state is None:
        raise ValueError(f"event {e.seq} ({kind}) comes before case_started")
    seq = e.seq
    if seq != state.last_seq + 1:
        raise ValueError(f"event {seq} does not follow event {state.last_seq}")
    if kind is EventKind.TASK_OPENED:
        p = e.payload
        task_id: int = e.task  # type: ignore[assignment]
        task = Task(
            task_id,
            e.step,
            e.unit,
            p["role"],
            e.at,
            e.due,  # type: ignore[arg-type]
            None,
            None,
            p.get("returned_from"),
            e.note,
        )
        tasks = dict(state.open_tasks)
        tasks[task_id] = task
        fan_out = state.fan_out
        if e.unit is None and fan_out is not None and fan_out.join == e.step:
            fan_out = None  # every unit has arrived: the join opens
        next_id = state.next_task_id if state.next_task_id > task_id else task_id + 1
        return state._replace(open_tasks=tasks, next_task_id=next_id, fan_out=fan_out, last_seq=seq)
    if (
        kind is EventKind.TASK_COMPLETED
        or kind is EventKind.GATE_DECIDED
        or (kind is EventKind.TASK_CANCELLED)
    ):
        tasks = dict(state.open_tasks)
        del tasks[e.task]  # type: ignore[arg-type]
        return state._replace(open_tasks=tasks, last_seq=seq)
    if kind is EventKind.TASK_CLAIMED or kind is EventKind.TASK_REASSIGNED:
        old = state.open_tasks[e.task]  # type: ignore[index]
        if kind is EventKind.TASK_CLAIMED:
            new = old._replace(assignee=e.actor, assignee_name=e.actor_name)
        else:
            new = old._replace(assignee=e.payload["to"], assignee_name=e.payload.get("to_name"))
        tasks = dict(state.open_tasks)
        tasks[old.id] = new
        return state._replace(open_tasks=tasks, last_seq=seq)
    if kind is EventKind.TASK_UNCLAIMED:
        old = state.open_tasks[e.task]  # type: ignore[index]
        tasks = dict(state.open_tasks)
        tasks[old.id] = old._replace(assignee=None, assignee_name=None)
        return state._replace(open_tasks=tasks, last_seq=seq)
    if kind is EventKind.TASK_REMINDED:
        return state._replace(last_seq=seq)  # a record of who was told; the task is unchanged
    if kind is EventKind.TASK_ESCALATED:
        old = state.open_tasks[e.task]  # type: ignore[index]
        tasks = dict(state.open_tasks)
        tasks[old.id] = old._replace(escalated_to=e.payload["to_role"])
        return state._replace(open_tasks=tasks, last_seq=seq)
    if kind is EventKind.FAN_OUT_OPENED:
        sent = e.payload["units"]
        arrived = frozenset(u for u in state.units if u not in sent)
        fan_out = FanOut(e.payload.get("join"), state.units, arrived)
        return state._replace(fan_out=fan_out, last_seq=seq)
    if kind is EventKind.UNIT_JOINED:
        fo = state.fan_out
        if fo is None:
            raise ValueError(f"event {seq}: a unit joined with no fan-out in progress")
        fan_out = FanOut(fo.join, fo.units, fo.arrived | {e.unit})
        return state._replace(fan_out=fan_out, last_seq=seq)
    if kind is EventKind.CASE_MIGRATED:
        return _migrated(state, e.payload, seq)
    if kind is EventKind.CASE_FINISHED:
        return state._replace(
            open_tasks={}, status=CaseStatus.FINISHED, ended_at=e.at, last_seq=seq
        )
    if kind is EventKind.CASE_CANCELLED:
        return state._replace(
            open_tasks={}, status=CaseStatus.CANCELLED, ended_at=e.at, fan_out=None, last_seq=seq
        )
    raise ValueError(f"unknown event kind {kind!r}")


def _migrated(state: CaseState, payload: Mapping, seq: int) -> CaseState:
    """``state`` after a ``case_migrated`` event (:mod:`alur.core.engine.migration`): the
    new definition, its durations and join; kept tasks at their new step, role and due."""
    mapping = {int(k): v for k, v in payload["mapping"].items()}
    tasks = dict(state.open_tasks)
    for entry in payload["kept"]:
        old = tasks[entry["task"]]
        due = entry["due"]
        back = old.returned_from
        tasks[old.id] = old._replace(
            step=entry["step"],
            role=entry["role"],
            due=datetime.fromisoformat(due) if due else None,
            returned_from=mapping.get(back) if back is not None else None,
        )
    fan_out = state.fan_out
    if fan_out is not None:
        fan_out = fan_out._replace(join=payload.get("join"))
    return state._replace(
        version=payload["to_version"],
        definition_hash=payload["to"],
        durations={int(k): Duration.parse(v) for k, v in payload["durations"].items()},
        open_tasks=tasks,
        fan_out=fan_out,
        last_seq=seq,
    )


def replay(events: Iterable[Event]) -> CaseState:
    """Rebuild a case's state from its complete event log."""
    state: CaseState | None = None
    for e in events:
        state = apply_event(state, e)
    if state is None:
        raise ValueError("no events: a case starts with a case_started event")
    return state
