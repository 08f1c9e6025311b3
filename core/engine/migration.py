"""Moving a running case to another definition of its SOP (an office's newer revision).

Pure: :func:`plan_move` says, for a case's state, what moving it from ``old`` to ``new``
would do — the step mapping used, which open tasks are kept, which close and which open,
with their due times — or why it cannot (``refusals``, every reason at once, translated);
:func:`migrate` turns an accepted plan into a :class:`~alur.core.engine.Transition`:

1. ``case_migrated`` (payload: ``from``, ``to``, ``from_version``, ``to_version``,
   ``mapping`` {old step: new step, keys as text}, ``kept`` [{task, step, role, due}],
   ``durations`` of the new "ditentukan" steps, ``join`` of the fan-out in progress) —
   the case now runs ``new``; kept tasks keep their id, unit and assignee and get their new
   step, role and due time (recomputed from when they opened, with the new waktu);
2. ``task_cancelled`` for each task whose mapped step is done by another role;
3. ``task_opened`` at the mapped step for each of those (same unit), due from now.

Steps map automatically when they keep their number and their kegiatan (the same text after
whitespace normalisation); an explicit mapping adds to and overrides that. A step that runs
once per unit maps only to a step that does too, so per-unit work in progress keeps each
unit's position (the units already at the join stay there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from alur.core.durations import Duration
from alur.core.engine.actions import Context
from alur.core.engine.events import EventKind
from alur.core.engine.flow import open_task
from alur.core.engine.state import CaseState, CaseStatus
from alur.core.engine.transition import Transition, TransitionLog
from alur.core.errors import N_, AlurError
from alur.core.i18n import format_message
from alur.core.model import SopDefinition, Step


class MoveRefused(AlurError):
    """The case cannot be moved; ``reasons`` lists why (each a translated sentence). The
    service layer never lets it out: it reports a plan's refusals per case instead."""

    code: ClassVar[str] = "move_refused"
    template: ClassVar[str] = N_("the case cannot be moved: {reasons}")


@dataclass(frozen=True, slots=True)
class KeptTask:
    """An open task that stays open: same id, unit and assignee, at its new step."""

    task: int
    unit: str | None
    from_step: int
    step: int
    role: str
    assignee_name: str | None
    due_before: datetime | None
    due: datetime | None


@dataclass(frozen=True, slots=True)
class ClosedTask:
    """An open task closed by the move (its mapped step is another role's)."""

    task: int
    step: int
    unit: str | None
    role: str
    assignee_name: str | None
    due: datetime | None


@dataclass(frozen=True, slots=True)
class OpenedTask:
    """A task the move opens at ``step`` (for ``unit``), in place of closed task ``instead_of``."""

    step: int
    unit: str | None
    role: str
    due: datetime | None
    instead_of: int


@dataclass(frozen=True)
class MovePlan:
    """What moving one case would do; ``refusals`` empty means it may be moved."""

    from_hash: str
    to_hash: str
    from_version: str
    to_version: str
    mapping: Mapping[int, int]
    kept: tuple[KeptTask, ...]
    closed: tuple[ClosedTask, ...]
    opened: tuple[OpenedTask, ...]
    durations: Mapping[int, Duration]
    join: int | None
    refusals: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.refusals


def _words(text: str) -> str:
    return " ".join(text.split())


def step_mapping(
    old: SopDefinition, new: SopDefinition, explicit: Mapping[int, int] | None = None
) -> tuple[dict[int, int], list[str]]:
    """The full mapping old step → new step (automatic, then ``explicit`` over it), and the
    problems of the explicit part (a step that exists on neither side)."""
    mapping = {
        s.number: s.number
        for s in old.steps
        if s.number in new.steps_by_number
        and _words(new.steps_by_number[s.number].kegiatan) == _words(s.kegiatan)
    }
    problems = []
    for source, target in sorted((explicit or {}).items()):
        if source not in old.steps_by_number:
            problems.append(
                format_message(
                    "Step {step} of the mapping is not a step of the definition the case runs.",
                    step=source,
                )
            )
        elif target not in new.steps_by_number:
            problems.append(
                format_message(
                    "Step {step} of the mapping does not exist in the new definition.",
                    step=target,
                )
            )
        else:
            mapping[source] = target
    return mapping, problems


def plan_move(
    old: SopDefinition,
    new: SopDefinition,
    state: CaseState,
    mapping: Mapping[int, int] | None,
    ctx: Context,
) -> MovePlan:
    """What moving the case in ``state`` (running ``old``) to ``new`` would do (module doc)."""
    full, refusals = step_mapping(old, new, mapping)
    if state.status is not CaseStatus.ACTIVE:
        refusals.append(
            format_message("The case is {status}: only a running case moves.", status=state.status)
        )
    if state.definition_hash == new.content_hash:
        refusals.append(format_message("The case already runs this definition."))
    durations = _durations(old, new, state, full, refusals)
    refusals += _data_refusals(old, new, full)
    kept: list[KeptTask] = []
    closed: list[ClosedTask] = []
    opened: list[OpenedTask] = []
    placed: set[tuple[int, str | None]] = set()
    for task in sorted(state.open_tasks.values(), key=lambda t: t.id):
        before = old.steps_by_number.get(task.step)
        target = full.get(task.step)
        if before is None or target is None:
            refusals.append(
                format_message(
                    'Step {step} ("{kegiatan}") has an open task and no step of the new '
                    "definition: map it explicitly.",
                    step=task.step,
                    kegiatan=before.kegiatan if before is not None else "?",
                )
            )
            continue
        after = new.steps_by_number[target]
        if after.per_unit != before.per_unit:
            refusals.append(
                format_message(
                    "Step {step} maps to step {target}, but only one of them runs once per "
                    "unit: the work in progress would lose its place.",
                    step=task.step,
                    target=target,
                )
            )
            continue
        if (target, task.unit) in placed:
            refusals.append(
                format_message(
                    "Two open tasks would be at step {target} for the same unit.", target=target
                )
            )
            continue
        placed.add((target, task.unit))
        due = ctx.calendar.due(task.opened_at, after.waktu, override=durations.get(target))
        if after.actor == task.role:
            kept.append(
                KeptTask(
                    task.id,
                    task.unit,
                    task.step,
                    target,
                    after.actor,
                    task.assignee_name,
                    task.due,
                    due,
                )
            )
            continue
        closed.append(
            ClosedTask(task.id, task.step, task.unit, task.role, task.assignee_name, task.due)
        )
        fresh = ctx.calendar.due(ctx.now, after.waktu, override=durations.get(target))
        opened.append(OpenedTask(target, task.unit, after.actor, fresh, task.id))
    join = _join(new, state, full, kept, opened, refusals)
    return MovePlan(
        from_hash=state.definition_hash,
        to_hash=new.content_hash,
        from_version=state.version,
        to_version=new.version,
        mapping=full,
        kept=tuple(kept),
        closed=tuple(closed),
        opened=tuple(opened),
        durations=durations,
        join=join,
        refusals=tuple(refusals),
    )


def _durations(
    old: SopDefinition,
    new: SopDefinition,
    state: CaseState,
    mapping: Mapping[int, int],
    refusals: list[str],
) -> dict[int, Duration]:
    """The case's durations for the new "ditentukan" steps: the one fixed at start for the
    old step that maps there."""
    by_target: dict[int, Duration] = {}
    for source, target in mapping.items():
        if source in state.durations:
            by_target.setdefault(target, state.durations[source])
    found: dict[int, Duration] = {}
    for number in new.needs_duration_at_start():
        if number in by_target:
            found[number] = by_target[number]
        else:
            refusals.append(
                format_message(
                    'Step {step} of the new definition takes its waktu "Sesuai dengan waktu '
                    'yang ditentukan" and the case fixed none for it.',
                    step=number,
                )
            )
    return found


def _data_refusals(old: SopDefinition, new: SopDefinition, mapping: Mapping[int, int]) -> list[str]:
    """A step bound to the data kinerja must keep its binding and its number: the records
    of work already done are read by step number against the case's definition."""
    found = []
    for step in old.steps:
        target = mapping.get(step.number)
        same = new.steps_by_number.get(step.number)
        if (same.data if same is not None else None) != step.data:
            found.append(_data_message(step, step.number, same))
        elif target is not None and new.step(target).data != step.data:
            found.append(_data_message(step, target, new.step(target)))
    return found


def _data_message(step: Step, target: int, after: Step | None) -> str:
    return format_message(
        "Step {step} works on the data kinerja ({data}) and step {target} of the new "
        "definition does it differently ({other}).",
        step=step.number,
        data=step.data or "-",
        target=target,
        other=(after.data if after is not None else None) or "-",
    )


def _join(
    new: SopDefinition,
    state: CaseState,
    mapping: Mapping[int, int],
    kept: list[KeptTask],
    opened: list[OpenedTask],
    refusals: list[str],
) -> int | None:
    """The join of the fan-out in progress, in the new definition's numbers."""
    fan_out = state.fan_out
    if fan_out is None or fan_out.join is None:
        return None
    target = mapping.get(fan_out.join)
    if target is None:
        refusals.append(
            format_message(
                "The units wait to join at step {step}, which has no step of the new "
                "definition: map it explicitly.",
                step=fan_out.join,
            )
        )
        return None
    for step in {t.step for t in kept if t.unit is not None} | {
        t.step for t in opened if t.unit is not None
    }:
        segment = new.segments.by_step.get(step)
        if segment is not None and segment.join != target:
            refusals.append(
                format_message(
                    "The units would join at step {target}, but step {step} of the new "
                    "definition joins at step {join}.",
                    target=target,
                    step=step,
                    join=segment.join,
                )
            )
            break
    return target


def migrate(
    old: SopDefinition,
    new: SopDefinition,
    state: CaseState,
    mapping: Mapping[int, int] | None,
    ctx: Context,
    plan: MovePlan | None = None,
) -> Transition:
    """Move the case to ``new`` (module docstring); :class:`MoveRefused` with every reason
    when the plan has refusals, and nothing changes."""
    plan = plan or plan_move(old, new, state, mapping, ctx)
    if not plan.ok:
        raise MoveRefused(reasons=" ".join(plan.refusals))
    log = TransitionLog(state, ctx)
    payload: dict[str, Any] = {
        "from": plan.from_hash,
        "to": plan.to_hash,
        "from_version": plan.from_version,
        "to_version": plan.to_version,
        "mapping": {str(k): v for k, v in sorted(plan.mapping.items())},
        "kept": [
            {
                "task": k.task,
                "step": k.step,
                "role": k.role,
                "due": k.due.isoformat() if k.due is not None else None,
            }
            for k in plan.kept
        ],
        "durations": {str(k): d.text for k, d in sorted(plan.durations.items())},
        "join": plan.join,
    }
    log.emit(EventKind.CASE_MIGRATED, payload=payload)
    note = format_message("moved to SOP version {version}", version=plan.to_version)
    for c in plan.closed:
        log.emit(EventKind.TASK_CANCELLED, step=c.step, unit=c.unit, task=c.task, note=note)
    for o in plan.opened:
        open_task(new, log, new.step(o.step), o.unit)
    return log.done()
