"""The yearly evaluation of an SOP (Permenpan RB 35/2012): new mutu baku proposed from what
was measured.

For each kegiatan :func:`assess_steps` says what the year's figures suggest for its waktu:

* a waktu set per case ("Sesuai dengan waktu yang ditentukan") or none written (0) is left
  alone (``reason`` :data:`NOT_FIXED`);
* fewer than :data:`MIN_SPANS` finished spans: no proposal (:data:`TOO_FEW`). Five is the
  least number at which the p75 is itself a measured time (the 4th of 5, no interpolation
  between two cases) and one unusual case cannot set the standard alone;
* otherwise the proposal is the measured **p75** of the step's total time (opened →
  completed, office minutes), rounded **up** to the units offices write (:func:`waktu_text`).
  Three of four cases met it in the year measured, so it is a standard the office keeps,
  not a wish. When it is the current waktu (same office minutes: "1 hari" and "8 jam" on an
  8-hour day are the same) there is nothing to propose (:data:`SAME`).

:func:`propose_standards` is the proposals alone. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from alur.core.model import SopDefinition
from alur.core.monitoring.figures import StepFigures

MIN_SPANS = 5
MINUTE_STEP_SMALL = 5  # below SMALL_LIMIT: 5, 10, …, 30 menit
SMALL_LIMIT = 30
MINUTE_STEP_LARGE = 15  # from SMALL_LIMIT to an hour: 45 menit (60 is "1 jam")
EPSILON = 1e-6  # a p75 of 60.0000001 (interpolation) is still 60

PROPOSED, SAME, TOO_FEW, NOT_FIXED = "proposed", "same", "too_few", "not_fixed"


@dataclass(frozen=True)
class StandardProposal:
    """A new waktu for one kegiatan: ``proposed`` (as offices write it, e.g. "3 hari") from
    the measured ``p75`` of ``count`` finished spans, against the ``current`` waktu."""

    step: int
    kegiatan: str
    current: str  # the waktu as written now
    current_minutes: int
    count: int
    p75: float  # office minutes
    proposed: str
    proposed_minutes: int

    @property
    def longer(self) -> bool:
        """The step needs more time than its mutu baku gives it."""
        return self.proposed_minutes > self.current_minutes


@dataclass(frozen=True)
class StepAssessment:
    """What the figures say about one kegiatan's waktu (``reason``: one of
    :data:`PROPOSED`, :data:`SAME`, :data:`TOO_FEW`, :data:`NOT_FIXED`)."""

    step: int
    kegiatan: str
    current: str
    count: int
    p75: float | None
    reason: str
    proposal: StandardProposal | None = None


def rounded_up(minutes: float, minutes_per_day: int) -> tuple[int, str]:
    """``minutes`` office minutes rounded up to the units offices write, as (office minutes,
    waktu text):

    * up to 30 menit: the next multiple of 5 (at least "5 menit");
    * above 30 menit and below an hour: the next multiple of 15 ("45 menit");
    * from an hour and below a working day: whole hours ("2 jam"); hours that reach a
      working day are "1 hari";
    * from a working day: whole working days ("3 hari").
    """
    value = max(0, math.ceil(minutes - EPSILON))
    if value <= SMALL_LIMIT:
        rounded = max(MINUTE_STEP_SMALL, _up(value, MINUTE_STEP_SMALL))
        return rounded, f"{rounded} menit"
    if value < 60:
        rounded = _up(value, MINUTE_STEP_LARGE)
        if rounded < 60:
            return rounded, f"{rounded} menit"
    day = max(1, minutes_per_day)
    if value < day:
        hours = _up(value, 60) // 60
        if hours * 60 < day:
            return hours * 60, f"{hours} jam"
    days = _up(value, day) // day
    return days * day, f"{days} hari"


def waktu_text(minutes: float, minutes_per_day: int) -> str:
    """The waktu text of :func:`rounded_up`."""
    return rounded_up(minutes, minutes_per_day)[1]


def _up(value: int, step: int) -> int:
    return -(-value // step) * step


def assess_steps(
    definition: SopDefinition,
    figures_by_step: Mapping[int, StepFigures],
    minutes_per_day: int,
) -> list[StepAssessment]:
    """Every kegiatan of ``definition`` in order, with what its figures suggest (module
    docstring). ``figures_by_step``: the year's figures per step number (all units)."""
    out: list[StepAssessment] = []
    for step in definition.steps:
        figures = figures_by_step.get(step.number)
        count = figures.count if figures is not None else 0
        p75 = figures.p75 if figures is not None and figures.has_data else None
        current = step.waktu.office_minutes(minutes_per_day)
        base = StepAssessment(step.number, step.kegiatan, step.waktu.text, count, p75, NOT_FIXED)
        if not current:
            out.append(base)
            continue
        if p75 is None or count < MIN_SPANS:
            out.append(_with(base, TOO_FEW))
            continue
        minutes, text = rounded_up(p75, minutes_per_day)
        if minutes == current:
            out.append(_with(base, SAME))
            continue
        proposal = StandardProposal(
            step=step.number,
            kegiatan=step.kegiatan,
            current=step.waktu.text,
            current_minutes=current,
            count=count,
            p75=p75,
            proposed=text,
            proposed_minutes=minutes,
        )
        out.append(_with(base, PROPOSED, proposal))
    return out


def _with(
    base: StepAssessment, reason: str, proposal: StandardProposal | None = None
) -> StepAssessment:
    return StepAssessment(
        base.step, base.kegiatan, base.current, base.count, base.p75, reason, proposal
    )


def propose_standards(
    definition: SopDefinition,
    figures_by_step: Mapping[int, StepFigures],
    minutes_per_day: int,
) -> list[StandardProposal]:
    """The proposals of :func:`assess_steps` (kegiatan with a fixed waktu, at least
    :data:`MIN_SPANS` finished spans and a rounded p75 other than the current waktu)."""
    return [
        a.proposal
        for a in assess_steps(definition, figures_by_step, minutes_per_day)
        if a.proposal is not None
    ]
