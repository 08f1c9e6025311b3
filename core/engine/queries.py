"""Read-only questions about a case state (what is waiting for whom, who may do what).

The rules of who may reassign a task or cancel a case live here once: the state machine
(:mod:`alur.core.engine.machine`) raises their refusals, and the doors ask the same
functions to decide which buttons and choices to offer (so a button never answers 422).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from alur.core.engine.actors import Actor, Membership, may_act, membership_for
from alur.core.engine.state import CaseState, Task
from alur.core.errors import ActionError, InvalidAction, NotPermitted
from alur.core.model import SopDefinition


def open_tasks_for(
    definition: SopDefinition, state: CaseState, actor: Actor, now: datetime | None = None
) -> list[Task]:
    """The open tasks ``actor`` may act on (own roles, own units, active delegations), most
    urgent first: overdue, then by due time, tasks without a due time last."""
    mine = [
        t
        for t in state.open_tasks.values()
        if (t.assignee is None or t.assignee == actor.id)
        and may_act(actor, definition, definition.steps_by_number[t.step], t.unit)
    ]
    far = datetime.max.replace(tzinfo=None)
    return sorted(mine, key=lambda t: (t.due.replace(tzinfo=None) if t.due else far, t.id))


def tidak_names_units(definition: SopDefinition, step_number: int) -> bool:
    """Whether a "tidak" at ``step_number`` may name the units whose work goes back: a gate
    that runs once (after the join) and returns into a per-unit step. The engine refuses
    units anywhere else; the doors ask this to offer the choice."""
    step = definition.steps_by_number[step_number]
    if step.gate is None or step.per_unit or step.gate.tidak is None:
        return False
    return definition.steps_by_number[step.gate.tidak].per_unit


# --- reassign ------------------------------------------------------------------------------


def may_reassign(definition: SopDefinition, task: Task, actor: Actor) -> bool:
    """Whether ``actor`` may hand ``task`` over to someone: its holder (the assignee), an
    official more senior than the step's role, or an administrator. An unclaimed task is
    nobody's to hand over: its holders simply take it (claim) or work it."""
    role = definition.roles_by_id[definition.steps_by_number[task.step].actor]
    return (
        actor.administrator or task.assignee == actor.id or actor.max_rank(definition) > role.rank
    )


def check_reassign(definition: SopDefinition, task: Task, actor: Actor, to: Actor) -> Membership:
    """The membership under which ``to`` would take ``task`` from ``actor``, or the typed
    refusal: :class:`NotPermitted` (:func:`may_reassign`), the target's role/unit errors
    (:func:`~alur.core.engine.actors.membership_for`), or :class:`InvalidAction` when the
    task is already theirs or ``to`` is ``actor`` (who takes a task by claiming it)."""
    if not may_reassign(definition, task, actor):
        raise NotPermitted(
            what="reassign this task: only its holder, a more senior official "
            "or an administrator can"
        )
    step = definition.steps_by_number[task.step]
    target = membership_for(to, definition, step, task.unit)
    if to.id == task.assignee:
        raise InvalidAction(reason=f"task {task.id} is already with {to.name}")
    if to.id == actor.id:
        raise InvalidAction(reason=f"to take task {task.id} yourself, claim it")
    return target


def reassign_targets(
    definition: SopDefinition, task: Task, actor: Actor, candidates: Iterable[Actor]
) -> list[Actor]:
    """Those of ``candidates`` the engine accepts as the new holder of ``task`` when
    ``actor`` hands it over (none when ``actor`` may not hand it over), in the given order."""
    if not may_reassign(definition, task, actor):
        return []
    accepted = []
    for to in candidates:
        try:
            check_reassign(definition, task, actor, to)
        except ActionError:
            continue
        accepted.append(to)
    return accepted


def takers(definition: SopDefinition, task: Task, candidates: Iterable[Actor]) -> list[Actor]:
    """Those of ``candidates`` who could work ``task`` now (its role, unit and the step's
    Plt/Plh rule): claiming is worth offering only when there is more than one."""
    step = definition.steps_by_number[task.step]
    return [a for a in candidates if may_act(a, definition, step, task.unit)]


# --- cancel --------------------------------------------------------------------------------


def may_cancel(definition: SopDefinition, actor: Actor) -> bool:
    """Whether ``actor`` may cancel a case of ``definition``: the official who starts it
    (the start step's role), the head of the office (the most senior role) or an
    administrator."""
    top = max(r.rank for r in definition.roles)
    return (
        actor.administrator
        or actor.holds(definition.start_step.actor)
        or actor.max_rank(definition) >= top
    )


def check_cancel(definition: SopDefinition, actor: Actor) -> None:
    """:class:`NotPermitted` unless :func:`may_cancel`."""
    if not may_cancel(definition, actor):
        raise NotPermitted(
            what="cancel this case: only the official who starts it, the head "
            "of the office or an administrator can"
        )
