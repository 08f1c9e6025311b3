"""Every task of a case as a :class:`StepSpan`, read from the case's events.

A span runs from the task's ``task_opened`` to the event that closed it: ``task_completed``
(outcome ``done``), ``gate_decided`` (``ya`` or ``tidak``: a "tidak" returns work), or
``task_cancelled`` / ``case_cancelled`` (``cancelled``). A task still open has no end.
Durations count **office minutes** on the office's :class:`~alur.core.calendar.WorkingCalendar`
(weekends, holidays, days off and the hours outside office hours do not count), so they
compare with the step's waktu, which is in office time too:

* ``total``: opened → closed;
* ``waiting``: opened → first claimed or handed to someone (the whole span when nobody took
  it before closing);
* ``working``: first claimed → closed (0 when never claimed).

``round`` counts the earlier spans of the same step and unit in the case: 0 for the first
time, 1 after the work came back once (rework). ``standard`` is the step's mutu baku in
office minutes (a waktu "ditentukan" takes the duration fixed when the case started; none
without one).

A case moved to another definition midway (``case_migrated``) keeps its tasks' spans under
the new step numbers (the move's mapping; a step with no counterpart keeps its old number):
a task kept by the move goes on from its first opening, finished work is counted at the
step it became, and rework rounds go on counting there; the standard of a span is that of
the definition the task closed under (the move's own fixed durations from then on). A cancelled span is listed but
left out of the figures (:mod:`alur.core.monitoring.figures`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from alur.core.calendar import WorkingCalendar
from alur.core.durations import Duration
from alur.core.engine.events import Event, EventKind
from alur.core.model import SopDefinition

DONE, YA, TIDAK, CANCELLED = "done", "ya", "tidak", "cancelled"
MIGRATED = "case_migrated"  # the kind of a move to another definition (alur.core.engine)


@dataclass(frozen=True)
class StepSpan:
    """One task's time at its step (module docstring)."""

    case: str
    task: int
    step: int
    unit: str | None
    role: str
    opened_at: datetime
    claimed_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None  # done | ya | tidak | cancelled; None while open
    actor: str | None = None  # who closed it
    actor_name: str = ""
    round: int = 0
    total: int | None = None
    waiting: int | None = None
    working: int | None = None
    standard: int | None = None

    @property
    def finished(self) -> bool:
        """Closed by someone's work (done or decided), not cancelled nor open."""
        return self.outcome in (DONE, YA, TIDAK)

    @property
    def within(self) -> bool | None:
        """Whether it took no longer than its standard (None without one, or unfinished)."""
        if not self.finished or self.standard is None or self.total is None:
            return None
        return self.total <= self.standard


def spans_of(
    case: str,
    events: Sequence[Event],
    definitions: Mapping[str, SopDefinition],
    calendar: WorkingCalendar,
) -> list[StepSpan]:
    """Every task of the case, in the order they opened. ``definitions``: by content hash,
    each definition the case ran on (the one it started with, and those it moved to)."""
    spans: dict[int, StepSpan] = {}
    order: list[int] = []
    rounds: dict[tuple[int, str | None], int] = {}
    current: SopDefinition | None = None
    durations: dict[int, Duration] = {}
    for e in events:
        kind = str(e.kind)
        if kind == EventKind.CASE_STARTED:
            current = definitions.get(str(e.payload.get("definition_hash", "")))
            durations = {
                int(k): Duration.parse(v) for k, v in (e.payload.get("durations") or {}).items()
            }
        elif kind == MIGRATED:
            current = definitions.get(str(e.payload.get("to", ""))) or current
            mapping = {int(k): int(v) for k, v in (e.payload.get("mapping") or {}).items()}
            moved = e.payload.get("durations")
            durations = (
                {int(k): Duration.parse(v) for k, v in moved.items()}
                if moved is not None
                else {mapping.get(k, k): v for k, v in durations.items()}
            )
            kept = {int(k["task"]): k for k in e.payload.get("kept") or ()}
            for task, span in spans.items():
                if task in kept:
                    step, role = int(kept[task]["step"]), str(kept[task].get("role", ""))
                    spans[task] = replace(span, step=step, role=role)
                elif span.step in mapping:  # finished work follows its step's new number
                    spans[task] = replace(span, step=mapping[span.step])
            renumbered: dict[tuple[int, str | None], int] = {}
            for (step, unit), n in rounds.items():
                key = (mapping.get(step, step), unit)
                renumbered[key] = renumbered.get(key, 0) + n
            rounds = renumbered
        elif kind == EventKind.TASK_OPENED and e.task is not None and e.step is not None:
            key = (e.step, e.unit)
            spans[e.task] = StepSpan(
                case=case,
                task=e.task,
                step=e.step,
                unit=e.unit,
                role=str(e.payload.get("role", "")),
                opened_at=e.at,
                round=rounds.get(key, 0),
            )
            rounds[key] = rounds.get(key, 0) + 1
            order.append(e.task)
        elif kind in (EventKind.TASK_CLAIMED, EventKind.TASK_REASSIGNED) and e.task in spans:
            span = spans[e.task]  # type: ignore[index]
            if span.claimed_at is None:
                spans[span.task] = replace(span, claimed_at=e.at)
        elif kind in (EventKind.TASK_COMPLETED, EventKind.GATE_DECIDED, EventKind.TASK_CANCELLED):
            span = spans.get(e.task) if e.task is not None else None
            if span is None or span.closed_at is not None:
                continue
            if kind == EventKind.TASK_COMPLETED:
                outcome = DONE
            elif kind == EventKind.GATE_DECIDED:
                outcome = TIDAK if e.payload.get("answer") == TIDAK else YA
            else:
                outcome = CANCELLED
            spans[span.task] = _closed(
                span, e, outcome, _standard(current, span.step, durations, calendar), calendar
            )
        elif kind == EventKind.CASE_CANCELLED:
            for task in order:
                span = spans[task]
                if span.closed_at is None:
                    spans[task] = _closed(span, e, CANCELLED, None, calendar)
    return [spans[t] for t in order]


def _closed(
    span: StepSpan,
    e: Event,
    outcome: str,
    standard: int | None,
    calendar: WorkingCalendar,
) -> StepSpan:
    minutes = calendar.office_minutes_between
    claimed = span.claimed_at
    return replace(
        span,
        closed_at=e.at,
        outcome=outcome,
        actor=e.actor,
        actor_name=e.actor_name,
        total=minutes(span.opened_at, e.at),
        waiting=minutes(span.opened_at, claimed if claimed is not None else e.at),
        working=minutes(claimed, e.at) if claimed is not None else 0,
        standard=standard,
    )


def _standard(
    d: SopDefinition | None,
    step: int,
    durations: Mapping[int, Duration],
    calendar: WorkingCalendar,
) -> int | None:
    if d is None or step not in d.steps_by_number:
        return None
    waktu = d.step(step).waktu
    if waktu.determined_at_start:
        fixed = durations.get(step)
        return fixed.office_minutes(calendar.minutes_per_day) if fixed is not None else None
    return waktu.office_minutes(calendar.minutes_per_day)
