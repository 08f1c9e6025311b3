"""The step list tells the truth (issue 14, point 6): :func:`step_progress` from plain events
of the sample SOP (1 start, 2 gate → 1, 3 per unit, 4 per-unit gate → 3, 5 gate after the
join → 3, 6 end)."""

from __future__ import annotations

from alur.core import Answer
from alur.core.engine import (
    Cancel,
    Complete,
    Decide,
    StartCase,
    act,
    start,
    step_progress,
)

UNITS = ("bidang-a", "bidang-b", "bidang-c", "bidang-d")


class Walk:
    def __init__(self, sample, people, ctx) -> None:
        self.d, self.people, self.ctx = sample, people, ctx
        t = start(
            sample, StartCase("c", "Triwulan III 2026", UNITS, {3: "3 hari"}), ctx(people.staf)
        )
        self.state, self.events = t.state, list(t.events)

    def do(self, action, who) -> None:
        t = act(self.d, self.state, action, self.ctx(who))
        self.state = t.state
        self.events += t.events

    def task(self, step: int, unit: str | None = None) -> int:
        (found,) = [
            t.id for t in self.state.open_tasks.values() if (t.step, t.unit) == (step, unit)
        ]
        return found

    def states(self) -> dict[int, tuple]:
        return {
            p.number: (p.state, p.returned, p.done_units, p.units)
            for p in step_progress(self.d, UNITS, self.events)
        }


def kabid(people, unit):
    from alur.core.engine import Actor, Membership

    return Actor(f"u-{unit}", unit, (Membership("kabid", unit),))


def test_a_tidak_marks_the_gate_returned_and_its_target_current_again(sample, people, ctx) -> None:
    w = Walk(sample, people, ctx)
    assert w.states()[1] == ("current", False, 0, 0)
    w.do(Complete(w.task(1)), people.staf)
    assert w.states()[1][0] == "done"
    w.do(Decide(w.task(2), Answer.TIDAK, "kolom kurang"), people.kasubag)
    s = w.states()
    assert s[2] == ("returned", False, 0, 0)  # not a green tick
    assert s[1] == ("current", True, 0, 0)  # the work is back here, marked as returned
    w.do(Complete(w.task(1)), people.staf)
    s = w.states()
    assert s[1][0] == "done"
    assert s[2] == ("current", False, 0, 0)  # asked again
    w.do(Decide(w.task(2), Answer.YA), people.kasubag)
    assert w.states()[2][0] == "done"


def test_a_per_unit_step_counts_its_units(sample, people, ctx) -> None:
    w = Walk(sample, people, ctx)
    w.do(Complete(w.task(1)), people.staf)
    w.do(Decide(w.task(2), Answer.YA), people.kasubag)
    assert w.states()[3] == ("current", False, 0, 4)
    for unit in UNITS[:2]:
        w.do(Complete(w.task(3, unit)), kabid(people, unit))
    s = w.states()
    assert s[3] == ("current", False, 2, 4)  # two of four bidang still open: not done
    assert s[4] == ("current", False, 0, 4)
    w.do(Decide(w.task(4, "bidang-a"), Answer.YA), people.staf)
    assert w.states()[4] == ("current", False, 1, 4)
    for unit in UNITS[2:]:
        w.do(Complete(w.task(3, unit)), kabid(people, unit))
    assert w.states()[3] == ("done", False, 4, 4)


def test_a_per_unit_tidak_returns_that_units_work_only(sample, people, ctx) -> None:
    w = Walk(sample, people, ctx)
    w.do(Complete(w.task(1)), people.staf)
    w.do(Decide(w.task(2), Answer.YA), people.kasubag)
    for unit in UNITS:
        w.do(Complete(w.task(3, unit)), kabid(people, unit))
    w.do(Decide(w.task(4, "bidang-b"), Answer.TIDAK, "realisasi kosong"), people.staf)
    s = w.states()
    assert s[3] == ("current", True, 3, 4)  # bidang B's work is back
    assert s[4] == ("current", False, 0, 4)  # the others still wait for verification


def test_a_tidak_after_the_join_takes_back_the_named_units(sample, people, ctx) -> None:
    w = Walk(sample, people, ctx)
    w.do(Complete(w.task(1)), people.staf)
    w.do(Decide(w.task(2), Answer.YA), people.kasubag)
    for unit in UNITS:
        w.do(Complete(w.task(3, unit)), kabid(people, unit))
        w.do(Decide(w.task(4, unit), Answer.YA), people.staf)
    assert w.states()[4] == ("done", False, 4, 4)
    w.do(
        Decide(w.task(5), Answer.TIDAK, "rekap A, B selisih", ("bidang-a", "bidang-b")),
        people.kasubag,
    )
    s = w.states()
    assert s[5] == ("returned", False, 0, 0)
    assert s[3] == ("current", True, 2, 4)  # A and B again; C and D stand
    assert s[4] == ("partial", False, 2, 4)  # C and D verified; A and B will be again
    assert s[6] == ("todo", False, 0, 0)


def test_a_cancelled_case_shows_no_current_step(sample, people, ctx) -> None:
    w = Walk(sample, people, ctx)
    w.do(Complete(w.task(1)), people.staf)
    w.do(Cancel("salah periode"), people.staf)
    s = w.states()
    assert s[1][0] == "done"
    assert s[2][0] == "todo"
