"""How work moves through a case: open a step, fan out over units, join, finish.

The helpers the state machine (:mod:`alur.core.engine.machine`) uses once an action is
accepted; each emits its events into a :class:`~alur.core.engine.transition.TransitionLog`.
Flow rules (DESIGN.md): a per-unit step opens one task per unit and the join waits for all
of them; a unit that leaves its fan-out waits at the join; a "tidak" from after the join
back into the fan-out re-opens the units the decider names (default all).
"""

from __future__ import annotations

from typing import Any

from alur.core.engine.events import EventKind
from alur.core.engine.transition import TransitionLog
from alur.core.model import SopDefinition, Step
from alur.core.segments import Segment


def move(
    definition: SopDefinition,
    log: TransitionLog,
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
            open_task(definition, log, target, None)
        return
    if unit is not None:
        open_task(definition, log, target, unit, returned_from=back, note=note)
        return
    if target.per_unit:
        enter(definition, log, target, units=units, returned_from=back, note=note)
        return
    open_task(definition, log, target, None, returned_from=back, note=note)


def enter(
    definition: SopDefinition,
    log: TransitionLog,
    step: Step,
    *,
    units: tuple[str, ...] | None,
    returned_from: int | None = None,
    note: str = "",
) -> None:
    """Open ``step``; a per-unit step fans out over ``units`` (default: all of the case's)."""
    if not step.per_unit:
        open_task(definition, log, step, None, returned_from=returned_from, note=note)
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
        open_task(definition, log, step, u, returned_from=returned_from, note=note)


def open_task(
    definition: SopDefinition,
    log: TransitionLog,
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


def finish(log: TransitionLog) -> None:
    log.emit(EventKind.CASE_FINISHED, role=None)
