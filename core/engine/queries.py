"""Read-only questions about a case state (what is waiting for whom)."""

from __future__ import annotations

from datetime import datetime

from alur.core.engine.actors import Actor, may_act
from alur.core.engine.state import CaseState, Task
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
