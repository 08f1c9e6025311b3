"""Spans summed up: per step (and unit, or person), how long it actually took against its
mutu baku.

Only *finished* spans count (done, or a gate decided); cancelled ones and those still open
do not. Percentiles interpolate linearly between the two nearest ranks (the "inclusive"
method of :func:`statistics.quantiles`, numpy's default): of 10, 20, 30, 40 the median is
25 and the p90 37. A group with no finished span has ``count == 0`` and no figures: pages say
"belum ada data", never 0.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

from alur.core.monitoring.spans import TIDAK, StepSpan


@dataclass(frozen=True)
class StepFigures:
    """The figures of one group of spans (one step, or one step and unit, or one person).
    Minutes are office minutes; ``None`` where there is no data."""

    key: Hashable
    count: int
    median: float | None
    p75: float | None
    p90: float | None
    waiting_median: float | None
    working_median: float | None
    standard: int | None  # the mutu baku (of the span that closed last among those with one)
    within: int  # finished spans no longer than their standard
    with_standard: int  # finished spans that had a standard
    returned: int  # a gate answered "tidak"
    rework: int  # spans of a step opened again after a return (round > 0)
    held: int  # office minutes of every finished span together

    @property
    def within_share(self) -> float | None:
        """Share of the spans with a standard that kept it (None: none had one)."""
        return self.within / self.with_standard if self.with_standard else None

    @property
    def has_data(self) -> bool:
        return self.count > 0


def percentile(values: Sequence[float], q: int) -> float | None:
    """The ``q``-th percentile (0–100) of ``values``, linear between the nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1 or q <= 0:
        return float(ordered[0])
    if q >= 100:
        return float(ordered[-1])
    return statistics.quantiles(ordered, n=100, method="inclusive")[q - 1]


def figures_of(key: Hashable, spans: Iterable[StepSpan]) -> StepFigures:
    """The figures of ``spans`` (module docstring)."""
    done = [s for s in spans if s.finished]
    judged = [s for s in done if s.within is not None]
    # The standard in force last: of the span that closed last (not the last listed, so the
    # figures do not depend on the order the spans come in).
    standards = sorted(
        (s for s in done if s.standard is not None and s.closed_at is not None),
        key=lambda s: s.closed_at,  # type: ignore[arg-type, return-value]
    )
    return figures_from_values(
        key,
        count=len(done),
        totals=[s.total for s in done if s.total is not None],
        waits=[s.waiting for s in done if s.waiting is not None],
        works=[s.working for s in done if s.working is not None],
        standard=standards[-1].standard if standards else None,
        within=sum(1 for s in judged if s.within),
        with_standard=len(judged),
        returned=sum(1 for s in done if s.outcome == TIDAK),
        rework=sum(1 for s in done if s.round > 0),
    )


def figures_from_values(
    key: Hashable,
    *,
    count: int,
    totals: Sequence[float],
    waits: Sequence[float],
    works: Sequence[float],
    standard: int | None,
    within: int,
    with_standard: int,
    returned: int,
    rework: int,
) -> StepFigures:
    """The figures of a group from its finished spans' values, already gathered (by
    :func:`figures_of`, or by a database grouping them: the projection's report,
    :mod:`alur.tenants.monitoring.source`): the one place the arithmetic is done."""
    return StepFigures(
        key=key,
        count=count,
        median=percentile(totals, 50),
        p75=percentile(totals, 75),
        p90=percentile(totals, 90),
        waiting_median=percentile(waits, 50),
        working_median=percentile(works, 50),
        standard=standard,
        within=within,
        with_standard=with_standard,
        returned=returned,
        rework=rework,
        held=int(sum(totals)),
    )


def grouped(
    spans: Iterable[StepSpan], key: Callable[[StepSpan], Hashable]
) -> dict[Hashable, StepFigures]:
    """Figures per ``key(span)`` (e.g. ``lambda s: s.step``, ``lambda s: (s.step, s.unit)``,
    ``lambda s: (s.step, s.actor)``), in key order."""
    groups: dict[Hashable, list[StepSpan]] = {}
    for s in spans:
        groups.setdefault(key(s), []).append(s)
    return {k: figures_of(k, groups[k]) for k in sorted(groups, key=_sortable)}


def bottlenecks(figures: Iterable[StepFigures], *, top: int = 3) -> list[StepFigures]:
    """The groups that held cases longest (office minutes of their finished spans
    together), longest first; only groups with data."""
    ranked = sorted((f for f in figures if f.has_data), key=lambda f: (-f.held, str(f.key)))
    return ranked[:top]


def key_order(key: Hashable) -> tuple:
    """The order :func:`grouped` lists its keys in (numbers as numbers, None last)."""
    return _sortable(key)


def _sortable(key: Hashable) -> tuple:
    parts = key if isinstance(key, tuple) else (key,)
    return tuple((p is None, str(p) if not isinstance(p, int) else f"{p:09d}") for p in parts)
