"""One SOP's counted spans in the groups a report shows: per step, per step and unit, per step
and person, and how many cases they come from; and the province's median per step.

:func:`span_groups` groups spans in memory (:func:`~alur.core.monitoring.figures.grouped`);
a database can give the same :class:`SpanGroups` from its own grouping
(:mod:`alur.tenants.monitoring.source`), each group's figures made by
:func:`~alur.core.monitoring.figures.figures_from_values` either way.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from alur.core.monitoring.figures import StepFigures, grouped, percentile
from alur.core.monitoring.spans import StepSpan


@dataclass(frozen=True)
class SpanGroups:
    """Figures per step (key: the step number), per step and unit (``(step, unit slug)``,
    spans done per unit only) and per step and person (``(step, actor id, actor name)``;
    None when not asked for), in :func:`~alur.core.monitoring.figures.key_order`; ``cases``:
    the cases with at least one counted span."""

    by_step: Mapping[Hashable, StepFigures]
    by_unit: Mapping[Hashable, StepFigures]
    by_person: Mapping[Hashable, StepFigures] | None
    cases: int


def span_groups(
    spans: Iterable[StepSpan], *, unit: str | None = None, per_person: bool = False
) -> SpanGroups:
    """The groups of ``spans`` (only unit ``unit``'s when given)."""
    spans = [s for s in spans if unit is None or s.unit == unit]
    return SpanGroups(
        by_step=grouped(spans, lambda s: s.step),
        by_unit=grouped([s for s in spans if s.unit is not None], lambda s: (s.step, s.unit)),
        by_person=(
            grouped(spans, lambda s: (s.step, s.actor or "", s.actor_name)) if per_person else None
        ),
        cases=len({s.case for s in spans}),
    )


def step_medians(spans: Iterable[StepSpan]) -> dict[int, float | None]:
    """The median total of each step's spans (the province's medians, of finished spans)."""
    totals: dict[int, list[int]] = {}
    for s in spans:
        values = totals.setdefault(s.step, [])
        if s.total is not None:
            values.append(s.total)
    return {step: percentile(values, 50) for step, values in totals.items()}
