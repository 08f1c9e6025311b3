"""Actual step times read from a case's events (alur.core.monitoring), on a fake clock:
office minutes on the working calendar (weekends, holidays and after hours do not count),
waiting before a claim and working after it, returns and rework, and the figures."""

from __future__ import annotations

import pytest

from alur.core.monitoring.figures import bottlenecks, grouped, percentile
from alur.core.monitoring.spans import spans_of
from tests.conftest import UNITS, People, Walk, wib


@pytest.fixture
def returned_once(sample, calendar) -> Walk:
    """Step 1 opened on a Friday afternoon, returned once by the Kasubag after hours."""
    w = Walk(
        sample,
        calendar,
        People.staf,
        wib(2026, 11, 20, 15, 0),
        case_id="c1",
        period="Triwulan IV 2026",
        units=UNITS,
        durations={3: "3 hari"},
    )
    w.do(1, None, "claim", People.staf, wib(2026, 11, 23, 8, 0))  # Monday
    w.do(1, None, "complete", People.staf, wib(2026, 11, 23, 10, 0))
    w.do(2, None, "tidak", People.kasubag, wib(2026, 11, 23, 17, 0), note="Kurang kolom")
    w.do(1, None, "complete", People.staf, wib(2026, 11, 24, 8, 0))  # Tuesday, not claimed
    w.do(2, None, "ya", People.kasubag, wib(2026, 11, 24, 8, 10))
    return w


def test_each_task_is_a_span_in_office_minutes(returned_once, sample, calendar) -> None:
    spans = spans_of("c1", returned_once.events, {sample.content_hash: sample}, calendar)
    first, gate, again, ok = spans[:4]
    # Friday 15:00–16:00 and Monday 07:30–10:00; the weekend does not count.
    assert (first.total, first.waiting, first.working) == (210, 90, 120)
    assert (first.outcome, first.round, first.standard, first.within) == ("done", 0, 1020, True)
    # Decided "tidak" at 17:00: the office closed at 16:00.
    assert (gate.total, gate.outcome, gate.standard, gate.within) == (360, "tidak", 10, False)
    # Reopened after hours, done at 08:00 the next morning without a claim: all waiting.
    assert (again.total, again.waiting, again.working, again.round) == (30, 30, 0, 1)
    assert (ok.total, ok.outcome, ok.within) == (10, "ya", True)
    # The per-unit step 3 is open for both units, with the duration fixed at the start.
    open_spans = spans[4:]
    assert [(s.step, s.unit, s.closed_at) for s in open_spans] == [
        (3, "bidang-a", None),
        (3, "bidang-b", None),
    ]


def test_figures_per_step(returned_once, sample, calendar) -> None:
    spans = spans_of("c1", returned_once.events, {sample.content_hash: sample}, calendar)
    figures = grouped(spans, lambda s: s.step)
    one, two, three = figures[1], figures[2], figures[3]
    assert (one.count, one.median, one.p75, one.p90) == (2, 120.0, 165.0, 192.0)
    assert (one.within_share, one.rework, one.returned) == (1.0, 1, 0)
    assert (two.count, two.returned, two.within_share, two.median) == (2, 1, 0.5, 185.0)
    assert (three.count, three.median, three.has_data) == (0, None, False)  # "belum ada data"
    assert [f.key for f in bottlenecks(figures.values())] == [2, 1]


def test_holidays_and_cancelled_work(sample, calendar) -> None:
    # Christmas Day 2026 is a Friday: Thursday 15:00 to Monday 08:00 is 60 + 30 minutes.
    w = Walk(
        sample,
        calendar,
        People.staf,
        wib(2026, 12, 24, 15, 0),
        case_id="c2",
        period="Triwulan IV 2026",
        units=UNITS,
        durations={3: "3 hari"},
    )
    w.do(1, None, "complete", People.staf, wib(2026, 12, 28, 8, 0))
    spans = spans_of("c2", w.events, {sample.content_hash: sample}, calendar)
    assert spans[0].total == 90


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([40, 10, 30, 20], 50) == 25.0
    assert percentile([10, 20, 30, 40], 90) == 37.0
    assert percentile([7], 90) == 7.0
    assert percentile([], 50) is None


def test_a_move_renumbers_finished_work_and_its_rounds(returned_once, sample, calendar) -> None:
    """A move that renumbers the steps (1→2, 2→3, 3→4): the work done before it is counted
    at the step it became, the open tasks it kept go on there, a step opened again after it
    counts its rework on from the earlier rounds, and the move's fixed durations apply."""
    from alur.core.engine.events import Event, EventKind

    events = list(returned_once.events)
    at = wib(2026, 11, 24, 9, 0)
    seq = events[-1].seq
    before = spans_of("c1", events, {sample.content_hash: sample}, calendar)
    kept = [{"task": s.task, "step": 4, "role": s.role} for s in before if s.step == 3]
    events.append(
        Event(
            seq + 1,
            EventKind.CASE_MIGRATED,
            at,
            payload={
                "from": sample.content_hash,
                "to": "unknown",
                "mapping": {"1": 2, "2": 3, "3": 4},
                "kept": kept,
                "durations": {"4": "2 hari"},
            },
        )
    )
    events.append(
        Event(seq + 2, EventKind.TASK_OPENED, at, step=2, task=99, payload={"role": "staf"})
    )
    spans = {s.task: s for s in spans_of("c1", events, {sample.content_hash: sample}, calendar)}
    first, gate = spans[before[0].task], spans[before[1].task]
    assert (first.step, first.total, gate.step, gate.outcome) == (2, 210, 3, "tidak")
    assert sorted(spans[k["task"]].step for k in kept) == [4, 4]
    assert spans[99].round == 2  # old step 1 was done twice before the move
