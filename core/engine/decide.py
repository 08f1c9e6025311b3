"""Answering a gate: "ya" goes on, "tidak" (with a note) returns work to an earlier step,
optionally only for the units the decider names when it returns into a fan-out."""

from __future__ import annotations

from typing import Any

from alur.core.engine.actions import Decide
from alur.core.engine.actors import Membership
from alur.core.engine.events import EventKind
from alur.core.engine.flow import move
from alur.core.engine.queries import tidak_names_units
from alur.core.engine.state import CaseState, Task
from alur.core.engine.transition import Transition, TransitionLog
from alur.core.errors import InvalidAction, NotADecision, NoteRequired
from alur.core.model import Answer, SopDefinition, Step


def decide(
    definition: SopDefinition,
    log: TransitionLog,
    task: Task,
    step: Step,
    m: Membership,
    action: Decide,
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
        if action.units is not None:
            if not tidak_names_units(definition, step.number):
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
        move(definition, log, step, task.unit, gate.ya)  # type: ignore[arg-type]
    else:
        move(
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
