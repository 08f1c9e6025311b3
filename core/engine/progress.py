"""How far a case has come, step by step, told truthfully from its events.

:func:`step_progress` is the one place the case page's step list and flowchart marks read
from (pure: definition, the case's units and its events in). A step is

- ``done`` when its work is done and still stands (every unit's, for a per-unit step);
- ``current`` when a task of it is open (``returned`` set when a "tidak" sent the work back
  here);
- ``returned`` for a decision whose "tidak" sent the work back and that has not been asked
  again yet (the steps in between are ``todo`` again: they will be done again);
- ``partial`` for a per-unit step some units have done while the others are still before it;
- ``todo`` otherwise (also a step whose task a cancellation closed).

A per-unit step also says how many of the units taking part have done it (``done_units`` of
``units``), so the page shows "2/4 bidang" instead of a tick while two are still open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from alur.core.engine.events import Event, EventKind
from alur.core.model import Answer, SopDefinition

DONE, CURRENT, RETURNED, PARTIAL, TODO = "done", "current", "returned", "partial", "todo"
# the mark of one (step, unit): done, open, open after a return, returned by a "tidak"
_DONE, _OPEN, _OPEN_AGAIN, _SENT_BACK = "done", "open", "open-again", "sent-back"


class StepProgress(NamedTuple):
    number: int
    state: str  # done | current | returned | partial | todo
    returned: bool = False  # current because a "tidak" sent the work back here
    done_units: int = 0  # per-unit steps: units whose work on this step is done
    units: int = 0  # per-unit steps: the units taking part (0 for a step done once)


def step_progress(
    definition: SopDefinition, units: Sequence[str], events: Iterable[Event]
) -> list[StepProgress]:
    """The progress of every step of the case, in the definition's order."""
    marks: dict[tuple[int, str | None], str] = {}
    for e in events:
        if e.kind is EventKind.CASE_MIGRATED:  # the marks follow the steps to their new numbers
            mapping = {int(k): v for k, v in e.payload["mapping"].items()}
            marks = {(mapping[s], u): m for (s, u), m in marks.items() if s in mapping}
            continue
        key = (e.step, e.unit) if e.step is not None else None
        if key is None:
            continue
        kind = e.kind
        if kind is EventKind.TASK_OPENED:
            back = e.payload.get("returned_from")
            if back is not None:
                _forget_between(definition, marks, e.step, back, e.unit)  # type: ignore[arg-type]
            marks[key] = _OPEN_AGAIN if back is not None else _OPEN  # type: ignore[index]
        elif kind is EventKind.TASK_COMPLETED:
            marks[key] = _DONE  # type: ignore[index]
        elif kind is EventKind.GATE_DECIDED:
            ya = e.payload.get("answer") == str(Answer.YA)
            marks[key] = _DONE if ya else _SENT_BACK  # type: ignore[index]
        elif kind is EventKind.TASK_CANCELLED:
            marks.pop(key, None)  # type: ignore[arg-type]
    return [_summary(definition, s.number, s.per_unit, units, marks) for s in definition.steps]


def _forget_between(
    definition: SopDefinition,
    marks: dict[tuple[int, str | None], str],
    target: int,
    gate: int,
    unit: str | None,
) -> None:
    """Work sent back from ``gate`` to ``target`` (for ``unit``, or every unit) will be done
    again: the marks of the steps strictly between them go (the gate keeps its own)."""
    for step in definition.steps:
        if not target < step.number < gate:
            continue
        for key in [k for k in marks if k[0] == step.number]:
            if unit is None or not step.per_unit or key[1] == unit:
                del marks[key]


def _summary(
    definition: SopDefinition,
    number: int,
    per_unit: bool,
    units: Sequence[str],
    marks: dict[tuple[int, str | None], str],
) -> StepProgress:
    found = [marks.get((number, u)) for u in units] if per_unit else [marks.get((number, None))]
    done = sum(1 for m in found if m == _DONE)
    counts = (done, len(units)) if per_unit else (0, 0)
    if any(m in (_OPEN, _OPEN_AGAIN) for m in found):
        return StepProgress(number, CURRENT, _OPEN_AGAIN in found, *counts)
    if _SENT_BACK in found:
        return StepProgress(number, RETURNED, False, *counts)
    if found and done == len(found):
        return StepProgress(number, DONE, False, *counts)
    if done:
        return StepProgress(number, PARTIAL, False, *counts)
    return StepProgress(number, TODO, False, *counts)
