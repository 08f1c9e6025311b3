"""The state machine: (definition, state, action, context) -> (new state, events).

Pure functions. :func:`start` opens a case, :func:`act` applies one action; both either
return a :class:`Transition` or raise a typed :class:`~alur.core.errors.ActionError` and
change nothing. Events are produced here and folded into the state by
:func:`~alur.core.engine.state.apply_event`, so replaying the events rebuilds the state.

Flow rules (DESIGN.md): a task is one step waiting for one actor; a per-unit step opens one
task per unit and the join waits for all of them; "tidak" on a per-unit gate returns only
that unit's work; a "tidak" from after the join back into the fan-out re-opens the units the
decider names (default all); completing an end step finishes the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alur.core.durations import Duration
from alur.core.engine.actions import (
    Action,
    Cancel,
    Claim,
    Complete,
    Context,
    Decide,
    Reassign,
    StartCase,
)
from alur.core.engine.actors import Membership, membership_for
from alur.core.engine.events import Event, EventKind
from alur.core.engine.state import CaseState, CaseStatus, Task, apply_event
from alur.core.errors import (
    AlreadyClaimed,
    CaseNotActive,
    DecisionRequired,
    DefinitionMismatch,
    DurationError,
    InvalidAction,
    NotADecision,
    NoteRequired,
    NotPermitted,
    TaskNotFound,
    TaskNotOpen,
)
from alur.core.model import Answer, SopDefinition, Step, StepKind
from alur.core.segments import Segment


@dataclass(frozen=True, slots=True)
class Transition:
    state: CaseState
    events: tuple[Event, ...]


class _Log:
    """Collects the events of one transition, folding each into the state as it goes."""

    __slots__ = ("ctx", "events", "state")

    def __init__(self, state: CaseState | None, ctx: Context) -> None:
        self.state = state
        self.ctx = ctx
        self.events: list[Event] = []

    def emit(self, kind: EventKind, m: Membership | None = None, **fields: Any) -> None:
        seq = (self.state.last_seq if self.state is not None else 0) + 1
        actor = self.ctx.actor
        if m is not None:
            fields.setdefault("role", m.role)
            if m.delegation is not None:
                fields["delegation"] = str(m.delegation)
                fields["acting_for"] = m.acting_for
                fields["acting_for_name"] = m.acting_for_name
        e = Event(seq, kind, self.ctx.now, actor.id, actor.name, **fields)
        self.state = apply_event(self.state, e)
        self.events.append(e)

    def done(self) -> Transition:
        assert self.state is not None
        return Transition(self.state, tuple(self.events))


def start(definition: SopDefinition, action: StartCase, ctx: Context) -> Transition:
    """Start a case: pin the definition (by content hash) and open the first step."""
    actor = ctx.actor
    if not actor.administrator and not any(
        m.role in definition.roles_by_id for m in actor.memberships
    ):
        raise NotPermitted(what="start a case of this SOP: you hold none of its roles")
    if not action.period.strip():
        raise InvalidAction(reason="a case needs a period (e.g. Triwulan III 2026)")
    units = tuple(action.units)
    if len(set(units)) != len(units):
        raise InvalidAction(reason="a unit is listed twice")
    if any(s.per_unit for s in definition.steps) and not units:
        raise InvalidAction(reason="this SOP runs some steps per unit: name at least one unit")
    durations = _fixed_durations(definition, action.durations)
    log = _Log(None, ctx)
    log.emit(
        EventKind.CASE_STARTED,
        _acting_membership(actor, definition),
        payload={
            "case_id": action.case_id,
            "sop": definition.id,
            "version": definition.version,
            "definition_hash": definition.content_hash,
            "period": action.period.strip(),
            "units": list(units),
            "durations": {str(k): d.text for k, d in durations.items()},
        },
    )
    _enter(definition, log, definition.start_step, units=None)
    return log.done()


def _fixed_durations(definition: SopDefinition, given: Any) -> dict[int, Duration]:
    needed = set(definition.needs_duration_at_start())
    result: dict[int, Duration] = {}
    for number, value in given.items():
        if number not in needed:
            raise InvalidAction(
                reason=f"step {number} has a fixed waktu; only steps with "
                '"Sesuai dengan waktu yang ditentukan" take a duration at start'
            )
        try:
            d = value if isinstance(value, Duration) else Duration.parse(value)
        except DurationError as exc:
            raise InvalidAction(reason=f"step {number}: {exc.message}") from exc
        if d.determined_at_start:
            raise InvalidAction(reason=f"step {number} needs a fixed duration such as 3 hari")
        result[number] = d
    missing = sorted(needed - result.keys())
    if missing:
        raise InvalidAction(
            reason="give the waktu of step(s) "
            + ", ".join(map(str, missing))
            + ' ("Sesuai dengan waktu yang ditentukan"), e.g. "3 hari"'
        )
    return result


def act(definition: SopDefinition, state: CaseState, action: Action, ctx: Context) -> Transition:
    """Apply one action to a case; raises a typed ActionError and changes nothing on refusal."""
    if state.definition_hash != definition.content_hash:
        raise DefinitionMismatch(
            expected=state.definition_hash[:12], given=definition.content_hash[:12]
        )
    if state.status is not CaseStatus.ACTIVE:
        raise CaseNotActive(status=str(state.status))
    if isinstance(action, Cancel):
        return _cancel(definition, state, action, ctx)
    task = _open_task(state, action.task)
    step = definition.steps_by_number[task.step]
    if isinstance(action, Reassign):
        return _reassign(definition, state, task, step, action, ctx)
    m = membership_for(ctx.actor, definition, step, task.unit)
    if task.assignee is not None and task.assignee != ctx.actor.id:
        raise AlreadyClaimed(task=task.id, assignee=task.assignee_name or task.assignee)
    log = _Log(state, ctx)
    if isinstance(action, Claim):
        if task.assignee == ctx.actor.id:
            raise InvalidAction(reason=f"you have already claimed task {task.id}")
        log.emit(EventKind.TASK_CLAIMED, m, step=step.number, unit=task.unit, task=task.id)
        return log.done()
    if isinstance(action, Complete):
        if step.kind is StepKind.DECISION:
            raise DecisionRequired(step=step.number)
        log.emit(
            EventKind.TASK_COMPLETED,
            m,
            step=step.number,
            unit=task.unit,
            task=task.id,
            note=action.note.strip(),
            payload={"data": dict(action.data)} if action.data else {},
        )
        if step.kind is StepKind.END:
            _finish(log)
        else:
            _move(definition, log, step, task.unit, step.next)  # type: ignore[arg-type]
        return log.done()
    if isinstance(action, Decide):
        return _decide(definition, log, task, step, m, action)
    raise InvalidAction(reason=f"unknown action {type(action).__name__}")


def _open_task(state: CaseState, task_id: int) -> Task:
    task = state.open_tasks.get(task_id)
    if task is None:
        if 0 < task_id < state.next_task_id:
            raise TaskNotOpen(task=task_id)
        raise TaskNotFound(task=task_id)
    return task


def _decide(
    definition: SopDefinition, log: _Log, task: Task, step: Step, m: Membership, action: Decide
) -> Transition:
    gate = step.gate
    if gate is None:
        raise NotADecision(step=step.number)
    note = action.note.strip()
    answer = Answer(action.answer)
    payload: dict[str, Any] = {"answer": str(answer)}
    units: tuple[str, ...] | None = None
    if answer is Answer.TIDAK:
        if not note:
            raise NoteRequired()
        target = definition.steps_by_number[gate.tidak]  # type: ignore[index]
        if action.units is not None:
            if step.per_unit or not target.per_unit:
                raise InvalidAction(
                    reason="units can only be named when returning work "
                    "from a step after a fan-out back into it"
                )
            units = _checked_units(log.state, action.units)  # type: ignore[arg-type]
            payload["units"] = list(units)
    elif action.units is not None:
        raise InvalidAction(reason='units can only be named with "tidak"')
    if action.data:
        payload["data"] = dict(action.data)
    log.emit(
        EventKind.GATE_DECIDED,
        m,
        step=step.number,
        unit=task.unit,
        task=task.id,
        note=note,
        payload=payload,
    )
    if answer is Answer.YA:
        _move(definition, log, step, task.unit, gate.ya)  # type: ignore[arg-type]
    else:
        _move(
            definition,
            log,
            step,
            task.unit,
            gate.tidak,
            returned=True,
            note=note,  # type: ignore[arg-type]
            units=units,
        )
    return log.done()


def _checked_units(state: CaseState, units: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [u for u in units if u not in state.units]
    if unknown:
        raise InvalidAction(reason=f"unit(s) {', '.join(unknown)} are not part of this case")
    if not units:
        raise InvalidAction(reason="name at least one unit whose work goes back")
    return tuple(u for u in state.units if u in units)


def _move(
    definition: SopDefinition,
    log: _Log,
    source: Step,
    unit: str | None,
    target_no: int,
    *,
    returned: bool = False,
    note: str = "",
    units: tuple[str, ...] | None = None,
) -> None:
    """Move the token of ``unit`` (or the single token) from ``source`` to step ``target_no``."""
    target = definition.steps_by_number[target_no]
    back = source.number if returned else None
    if unit is not None and not target.per_unit:
        # A unit leaves its fan-out branch: it waits at the join.
        log.emit(EventKind.UNIT_JOINED, step=target.number, unit=unit)
        fan_out = log.state.fan_out  # type: ignore[union-attr]
        if fan_out is not None and not fan_out.waiting_for:
            _open(definition, log, target, None)
        return
    if unit is not None:
        _open(definition, log, target, unit, returned_from=back, note=note)
        return
    if target.per_unit:
        _enter(definition, log, target, units=units, returned_from=back, note=note)
        return
    _open(definition, log, target, None, returned_from=back, note=note)


def _enter(
    definition: SopDefinition,
    log: _Log,
    step: Step,
    *,
    units: tuple[str, ...] | None,
    returned_from: int | None = None,
    note: str = "",
) -> None:
    """Open ``step``; a per-unit step fans out over ``units`` (default: all of the case's)."""
    if not step.per_unit:
        _open(definition, log, step, None, returned_from=returned_from, note=note)
        return
    state = log.state
    assert state is not None
    sent = units if units is not None else state.units
    segment: Segment = definition.segments.by_step[step.number]
    log.emit(
        EventKind.FAN_OUT_OPENED,
        step=step.number,
        payload={"join": segment.join, "units": list(sent)},
    )
    for u in sent:
        _open(definition, log, step, u, returned_from=returned_from, note=note)


def _open(
    definition: SopDefinition,
    log: _Log,
    step: Step,
    unit: str | None,
    *,
    returned_from: int | None = None,
    note: str = "",
) -> None:
    state = log.state
    assert state is not None
    override = state.durations.get(step.number)
    due = log.ctx.calendar.due(log.ctx.now, step.waktu, override=override)
    payload: dict[str, Any] = {"role": step.actor}
    if returned_from is not None:
        payload["returned_from"] = returned_from
    log.emit(
        EventKind.TASK_OPENED,
        step=step.number,
        unit=unit,
        task=state.next_task_id,
        note=note,
        due=due,
        payload=payload,
        role=None,
    )


def _finish(log: _Log) -> None:
    log.emit(EventKind.CASE_FINISHED, role=None)


def _reassign(
    definition: SopDefinition,
    state: CaseState,
    task: Task,
    step: Step,
    action: Reassign,
    ctx: Context,
) -> Transition:
    actor = ctx.actor
    role = definition.roles_by_id[step.actor]
    allowed = (
        actor.administrator or task.assignee == actor.id or actor.max_rank(definition) > role.rank
    )
    if not allowed:
        raise NotPermitted(
            what="reassign this task: only its holder, a more senior official "
            "or an administrator can"
        )
    target_membership = membership_for(action.to, definition, step, task.unit)
    if action.to.id == task.assignee:
        raise InvalidAction(reason=f"task {task.id} is already with {action.to.name}")
    log = _Log(state, ctx)
    m = _acting_membership(actor, definition)
    payload = {"to": action.to.id, "to_name": action.to.name}
    if target_membership.delegation is not None:
        payload["to_delegation"] = str(target_membership.delegation)
    log.emit(
        EventKind.TASK_REASSIGNED,
        m,
        step=step.number,
        unit=task.unit,
        task=task.id,
        payload=payload,
    )
    return log.done()


def _acting_membership(actor: Any, definition: SopDefinition) -> Membership | None:
    """The actor's most senior membership in this SOP, for the record."""
    best = None
    for m in actor.memberships:
        r = definition.roles_by_id.get(m.role)
        if r is not None and (best is None or r.rank > definition.roles_by_id[best.role].rank):
            best = m
    return best


def _cancel(
    definition: SopDefinition, state: CaseState, action: Cancel, ctx: Context
) -> Transition:
    actor = ctx.actor
    starter = definition.start_step.actor
    top = max(r.rank for r in definition.roles)
    if not (actor.administrator or actor.holds(starter) or actor.max_rank(definition) >= top):
        raise NotPermitted(
            what="cancel this case: only the official who starts it, the head "
            "of the office or an administrator can"
        )
    note = action.note.strip()
    if not note:
        raise InvalidAction(reason="say why the case is cancelled")
    log = _Log(state, ctx)
    m = _acting_membership(actor, definition)
    for task in sorted(state.open_tasks.values(), key=lambda t: t.id):
        log.emit(EventKind.TASK_CANCELLED, m, step=task.step, unit=task.unit, task=task.id)
    log.emit(EventKind.CASE_CANCELLED, m, note=note)
    return log.done()
