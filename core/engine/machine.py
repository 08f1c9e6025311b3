"""The state machine: (definition, state, action, context) -> (new state, events).

Pure functions. :func:`start` opens a case, :func:`act` applies one action; both either
return a :class:`Transition` or raise a typed :class:`~alur.core.errors.ActionError` and
change nothing. Events are produced here and folded into the state by
:func:`~alur.core.engine.state.apply_event`, so replaying the events rebuilds the state.

Flow rules (DESIGN.md): a task is one step waiting for one actor; a per-unit step opens one
task per unit and the join waits for all of them; "tidak" on a per-unit gate returns only
that unit's work; a "tidak" from after the join back into the fan-out re-opens the units the
decider names (default all); completing an end step finishes the case.

Here: starting, the dispatch of :func:`act`, claim, unclaim, complete, reassign and cancel
(who may reassign or cancel is asked of :mod:`~alur.core.engine.queries`, as the doors do). Answering
a gate is in :mod:`~alur.core.engine.decide`, moving work between steps (fan-out, join,
finish) in :mod:`~alur.core.engine.flow`, and the event log of a transition in
:mod:`~alur.core.engine.transition`.
"""

from __future__ import annotations

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
    Unclaim,
)
from alur.core.engine.actors import Membership, membership_for
from alur.core.engine.decide import decide
from alur.core.engine.events import EventKind
from alur.core.engine.flow import enter, finish, move
from alur.core.engine.queries import check_cancel, check_reassign
from alur.core.engine.state import CaseState, CaseStatus, Task
from alur.core.engine.transition import Transition, TransitionLog
from alur.core.errors import (
    AlreadyClaimed,
    CaseNotActive,
    DecisionRequired,
    DefinitionMismatch,
    DurationError,
    InvalidAction,
    NotClaimed,
    NotPermitted,
    TaskNotFound,
    TaskNotOpen,
)
from alur.core.model import SopDefinition, Step, StepKind

__all__ = ["Transition", "act", "start"]


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
    log = TransitionLog(None, ctx)
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
    enter(definition, log, definition.start_step, units=None)
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
    task = _find_open_task(state, action.task)
    step = definition.steps_by_number[task.step]
    if isinstance(action, Reassign):
        return _reassign(definition, state, task, step, action, ctx)
    m = membership_for(ctx.actor, definition, step, task.unit)
    if task.assignee is not None and task.assignee != ctx.actor.id:
        raise AlreadyClaimed(task=task.id, assignee=task.assignee_name or task.assignee)
    log = TransitionLog(state, ctx)
    if isinstance(action, Claim):
        if task.assignee == ctx.actor.id:
            raise InvalidAction(reason=f"you have already claimed task {task.id}")
        log.emit(EventKind.TASK_CLAIMED, m, step=step.number, unit=task.unit, task=task.id)
        return log.done()
    if isinstance(action, Unclaim):
        if task.assignee is None:
            raise NotClaimed(task=task.id)
        log.emit(EventKind.TASK_UNCLAIMED, m, step=step.number, unit=task.unit, task=task.id)
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
            finish(log)
        else:
            move(definition, log, step, task.unit, step.next)  # type: ignore[arg-type]
        return log.done()
    if isinstance(action, Decide):
        return decide(definition, log, task, step, m, action)
    raise InvalidAction(reason=f"unknown action {type(action).__name__}")


def _find_open_task(state: CaseState, task_id: int) -> Task:
    task = state.open_tasks.get(task_id)
    if task is None:
        if 0 < task_id < state.next_task_id:
            raise TaskNotOpen(task=task_id)
        raise TaskNotFound(task=task_id)
    return task


def _reassign(
    definition: SopDefinition,
    state: CaseState,
    task: Task,
    step: Step,
    action: Reassign,
    ctx: Context,
) -> Transition:
    actor = ctx.actor
    target_membership = check_reassign(definition, task, actor, action.to)
    log = TransitionLog(state, ctx)
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
    check_cancel(definition, actor)
    note = action.note.strip()
    if not note:
        raise InvalidAction(reason="say why the case is cancelled")
    log = TransitionLog(state, ctx)
    m = _acting_membership(actor, definition)
    for task in sorted(state.open_tasks.values(), key=lambda t: t.id):
        log.emit(EventKind.TASK_CANCELLED, m, step=task.step, unit=task.unit, task=task.id)
    log.emit(EventKind.CASE_CANCELLED, m, note=note)
    return log.done()
