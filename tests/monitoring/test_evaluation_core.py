"""The yearly evaluation's proposals (alur.core.monitoring.evaluation), with plain figures:
the measured p75 rounded up to the units offices write, exactly on each boundary; no
proposal with too few finished spans, for a waktu set per case, or where the rounded p75 is
the current waktu."""

from __future__ import annotations

import pytest

from alur.core.model import SopDefinition
from alur.core.monitoring.evaluation import (
    MIN_SPANS,
    NOT_FIXED,
    PROPOSED,
    SAME,
    TOO_FEW,
    assess_steps,
    propose_standards,
    rounded_up,
)
from alur.core.monitoring.figures import StepFigures, figures_of
from alur.core.monitoring.spans import DONE, StepSpan
from tests.conftest import wib

DAY = 510  # 07:30–16:00


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0, (5, "5 menit")),
        (0.4, (5, "5 menit")),
        (5, (5, "5 menit")),
        (5.01, (10, "10 menit")),
        (25, (25, "25 menit")),
        (26, (30, "30 menit")),
        (30, (30, "30 menit")),
        (30.5, (45, "45 menit")),
        (45, (45, "45 menit")),
        (46, (60, "1 jam")),
        (59.9, (60, "1 jam")),
        (60, (60, "1 jam")),
        (60.0000001, (60, "1 jam")),  # interpolation noise is not a minute more
        (61, (120, "2 jam")),
        (120, (120, "2 jam")),
        (121, (180, "3 jam")),
        (480, (480, "8 jam")),
        (481, (510, "1 hari")),  # 9 jam would be longer than the working day
        (509, (510, "1 hari")),
        (510, (510, "1 hari")),
        (511, (1020, "2 hari")),
        (1020, (1020, "2 hari")),
        (1021, (1530, "3 hari")),
    ],
)
def test_rounding_up_to_the_units_offices_write(minutes: float, expected: tuple) -> None:
    assert rounded_up(minutes, DAY) == expected


def test_an_eight_hour_day() -> None:
    assert rounded_up(420.5, 480) == (480, "1 hari")  # 8 jam is the whole day
    assert rounded_up(419, 480) == (420, "7 jam")


def spans(step: int, minutes: list[int]) -> list[StepSpan]:
    at = wib(2026, 3, 2, 8)
    return [
        StepSpan(f"C-{i}", i, step, None, "staf", at, closed_at=at, outcome=DONE, total=m)
        for i, m in enumerate(minutes)
    ]


def test_proposals_per_kegiatan(sample: SopDefinition) -> None:
    figures = {
        # 2 hari now; p75 of 400, 500, 600, 900, 1200 is 900 → "2 hari": the same
        1: figures_of(1, spans(1, [400, 500, 600, 900, 1200])),
        # 10 menit now; p75 of 20, 25, 30, 40, 50 is 40 → "45 menit"
        2: figures_of(2, spans(2, [20, 25, 30, 40, 50])),
        # waktu set per case: never proposed
        3: figures_of(3, spans(3, [10] * 20)),
        # 1 hari now; only 4 spans
        4: figures_of(4, spans(4, [5, 5, 5, 5])),
        # 2 jam now; p75 of 10, 20, 30, 40, 50, 60 is 47.5 → "1 jam" (shorter)
        5: figures_of(5, spans(5, [10, 20, 30, 40, 50, 60])),
        # step 6: no figures at all
    }
    rows = assess_steps(sample, figures, DAY)
    assert [(r.step, r.reason) for r in rows] == [
        (1, SAME),
        (2, PROPOSED),
        (3, NOT_FIXED),
        (4, TOO_FEW),
        (5, PROPOSED),
        (6, TOO_FEW),
    ]
    assert rows[0].p75 == 900
    assert rows[5].count == 0
    assert rows[5].p75 is None
    second, fifth = propose_standards(sample, figures, DAY)
    assert (second.step, second.current, second.count, second.p75) == (2, "10 menit", 5, 40)
    assert (second.proposed, second.proposed_minutes, second.longer) == ("45 menit", 45, True)
    assert (fifth.current, fifth.current_minutes, fifth.p75) == ("2 jam", 120, 47.5)
    assert (fifth.proposed, fifth.longer) == ("1 jam", False)
    assert second.kegiatan == sample.step(2).kegiatan


def test_exactly_the_minimum_count_proposes(sample: SopDefinition) -> None:
    few = {2: figures_of(2, spans(2, [30] * (MIN_SPANS - 1)))}
    enough = {2: figures_of(2, spans(2, [30] * MIN_SPANS))}
    assert propose_standards(sample, few, DAY) == []
    (proposal,) = propose_standards(sample, enough, DAY)
    assert proposal.proposed == "30 menit"


def test_cancelled_spans_do_not_count(sample: SopDefinition) -> None:
    cancelled = [
        StepSpan("C-x", 99, 2, None, "staf", wib(2026, 3, 2, 8), outcome="cancelled", total=999)
    ] * 3
    figures = {2: figures_of(2, spans(2, [30, 30]) + cancelled)}
    assert figures[2].count == 2
    assert assess_steps(sample, figures, DAY)[1].reason == TOO_FEW


def test_no_figures_at_all(sample: SopDefinition) -> None:
    assert propose_standards(sample, {}, DAY) == []
    assert isinstance(figures_of(1, []), StepFigures)
