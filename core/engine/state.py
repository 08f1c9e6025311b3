"""The state of a case, and the reducer that builds it from events.

:func:`apply_event` is the only place where state changes; the state machine
(:mod:`alur.core.engine.machine`) decides *which* events an action produces and folds them
with it. :func:`replay` rebuilds a case from its stored events alone, which is how storage
restores a case and how tests check that the log is complete.

States are immutable: every method returns a new object and never mutates its input.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from alur.core.durations import Duration
from alur.core.engine.events import Event, EventKind


class CaseStatus(enum.StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Task:
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

    def is_overdue(self, now: datetime) -> bool:
        return self.due is not None and now > self.due


@dataclass(frozen=True, slots=True)
class FanOut:
    """A fan-out in progress: the units sent out, and those already at the join."""

    join: int | None
    units: tuple[str, ...]
    arrived: frozenset[str]

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return tuple(u for u in self.units if u not in self.arrived)


@dataclass(frozen=True, slots=True)
class CaseState:
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
    current_steps: tuple[int, ...] = ()

    def task(self, task_id: int) -> Task | None:
        return self.open_tasks.get(task_id)

    def open_tasks_at(self, step: int) -> list[Task]:
        return [t for t in self.open_tasks.values() if t.step == step]


def _evolve(s: CaseState, **changes: object) -> CaseState:
    values = {name: getattr(s, name) for name in CaseState.__slots__}  # type: ignore[attr-defined]
    values.update(changes)
    return CaseState(**values)  # type: ignore[arg-type]


def _with_tasks(s: CaseState, tasks: dict[int, Task], **changes: object) -> CaseState:
    steps = tuple(sorted({t.step for t in tasks.values()}))
    return _evolve(s, open_tasks=tasks, current_steps=steps, **changes)


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
    if e.seq != state.last_seq + 1:
        raise ValueError(f"event {e.seq} does not follow event {state.last_seq}")
    seq = e.seq
    if kind is EventKind.TASK_OPENED:
        p = e.payload
        due = p.get("due")
        task = Task(
            id=e.task,  # type: ignore[arg-type]
            step=e.step,  # type: ignore[arg-type]
            unit=e.unit,
            role=p["role"],
            opened_at=e.at,
            due=datetime.fromisoformat(due) if due else None,
            returned_from=p.get("returned_from"),
            return_note=e.note,
        )
        tasks = {**state.open_tasks, task.id: task}
        fan_out = state.fan_out
        if e.unit is None and fan_out is not None and fan_out.join == e.step:
            fan_out = None  # every unit has arrived: the join opens
        return _with_tasks(
            state,
            tasks,
            next_task_id=max(state.next_task_id, task.id + 1),
            fan_out=fan_out,
            last_seq=seq,
        )
    if kind in (EventKind.TASK_COMPLETED, EventKind.GATE_DECIDED, EventKind.TASK_CANCELLED):
        tasks = dict(state.open_tasks)
        tasks.pop(e.task, None)  # type: ignore[arg-type]
        return _with_tasks(state, tasks, last_seq=seq)
    if kind in (EventKind.TASK_CLAIMED, EventKind.TASK_REASSIGNED):
        old = state.open_tasks[e.task]  # type: ignore[index]
        if kind is EventKind.TASK_CLAIMED:
            who, name = e.actor, e.actor_name
        else:
            who, name = e.payload["to"], e.payload.get("to_name")
        new = Task(
            old.id,
            old.step,
            old.unit,
            old.role,
            old.opened_at,
            old.due,
            who,
            name,
            old.returned_from,
            old.return_note,
        )
        return _evolve(state, open_tasks={**state.open_tasks, old.id: new}, last_seq=seq)
    if kind is EventKind.FAN_OUT_OPENED:
        sent = tuple(e.payload["units"])
        fan_out = FanOut(
            join=e.payload.get("join"),
            units=state.units,
            arrived=frozenset(u for u in state.units if u not in sent),
        )
        return _evolve(state, fan_out=fan_out, last_seq=seq)
    if kind is EventKind.UNIT_JOINED:
        fo = state.fan_out
        if fo is None:
            raise ValueError(f"event {seq}: a unit joined with no fan-out in progress")
        fan_out = FanOut(fo.join, fo.units, fo.arrived | {e.unit})  # type: ignore[arg-type]
        return _evolve(state, fan_out=fan_out, last_seq=seq)
    if kind is EventKind.CASE_FINISHED:
        return _with_tasks(state, {}, status=CaseStatus.FINISHED, ended_at=e.at, last_seq=seq)
    if kind is EventKind.CASE_CANCELLED:
        return _with_tasks(
            state, {}, status=CaseStatus.CANCELLED, ended_at=e.at, fan_out=None, last_seq=seq
        )
    raise ValueError(f"unknown event kind {kind!r}")


def replay(events: Iterable[Event]) -> CaseState:
    """Rebuild a case's state from its complete event log."""
    state: CaseState | None = None
    for e in events:
        state = apply_event(state, e)
    if state is None:
        raise ValueError("no events: a case starts with a case_started event")
    return state
