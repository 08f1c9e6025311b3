"""The engine's read-only questions that the doors ask too (one rule, asked everywhere)."""

from __future__ import annotations

import pytest

from alur.core.engine import tidak_names_units
from alur.core.model import SopDefinition


@pytest.mark.parametrize(
    ("step", "names_units"),
    [
        (1, False),  # not a gate
        (2, False),  # a gate before the fan-out, returning to a step done once
        (3, False),  # a per-unit step, not a gate
        (4, False),  # a per-unit gate: it returns its own unit's work only
        (5, True),  # the gate after the join, returning into the per-unit step 3
        (6, False),  # the last step
    ],
)
def test_only_a_gate_after_the_join_names_the_units_it_returns(
    sample: SopDefinition, step: int, names_units: bool
) -> None:
    assert tidak_names_units(sample, step) is names_units


# --- who may do what: the engine's own answers, asked by the doors too ----------------------

from alur.core.engine import (  # noqa: E402
    Actor,
    Cancel,
    Claim,
    Complete,
    EventKind,
    Membership,
    Reassign,
    StartCase,
    Unclaim,
    act,
    may_cancel,
    may_reassign,
    reassign_targets,
    replay,
    start,
    takers,
)
from alur.core.errors import AlreadyClaimed, InvalidAction, NotClaimed  # noqa: E402

RINA = Actor("u-staf-3", "Rina (Staf)", (Membership("staf"),))


def _started(sample, people, ctx):
    action = StartCase("c-1", "Triwulan III 2026", ("bidang-a", "bidang-b"), {3: "3 hari"})
    return start(sample, action, ctx(people.staf)).state


def test_unclaim_gives_the_task_back(sample, people, ctx) -> None:
    s = _started(sample, people, ctx)
    with pytest.raises(NotClaimed):
        act(sample, s, Unclaim(1), ctx(people.staf))
    claimed = act(sample, s, Claim(1), ctx(people.staf))
    with pytest.raises(AlreadyClaimed):  # only its holder gives it back
        act(sample, claimed.state, Unclaim(1), ctx(RINA))
    t = act(sample, claimed.state, Unclaim(1), ctx(people.staf))
    assert [e.kind for e in t.events] == [EventKind.TASK_UNCLAIMED]
    assert (t.events[0].actor, t.events[0].role, t.events[0].task) == ("u-staf", "staf", 1)
    assert t.state.open_tasks[1].assignee is None
    assert replay([*start_events(sample, people, ctx), *claimed.events, *t.events]) == t.state
    # now a colleague may take it
    assert act(sample, t.state, Claim(1), ctx(RINA)).state.open_tasks[1].assignee == RINA.id


def start_events(sample, people, ctx):
    action = StartCase("c-1", "Triwulan III 2026", ("bidang-a", "bidang-b"), {3: "3 hari"})
    return start(sample, action, ctx(people.staf)).events


def test_reassign_is_offered_exactly_where_the_engine_accepts_it(sample, people, ctx) -> None:
    s = _started(sample, people, ctx)
    task = s.open_tasks[1]
    everyone = [people.staf, RINA, people.kasubag, people.kabid_a, people.kepala, people.admin]
    # an unclaimed task is nobody's to hand over: its holders take it or work it
    assert not may_reassign(sample, task, people.staf)
    assert reassign_targets(sample, task, people.staf, everyone) == []
    # a more senior official may, to those holding the step's role
    assert may_reassign(sample, task, people.kasubag)
    assert reassign_targets(sample, task, people.kasubag, everyone) == [people.staf, RINA]
    claimed = act(sample, s, Claim(1), ctx(people.staf)).state
    task = claimed.open_tasks[1]
    # its holder may, to the others holding its role (not to themselves)
    assert reassign_targets(sample, task, people.staf, everyone) == [RINA]
    with pytest.raises(InvalidAction, match="already with"):
        act(sample, claimed, Reassign(1, people.staf), ctx(people.staf))
    boss = Actor("u-boss", "Boss", (Membership("staf"),), administrator=True)
    with pytest.raises(InvalidAction, match="claim it"):  # oneself: that is a claim
        act(sample, s, Reassign(1, boss), ctx(boss))
    for who in everyone:
        for to in everyone:
            offered = to in reassign_targets(sample, task, who, [to])
            try:
                act(sample, claimed, Reassign(1, to), ctx(who))
            except Exception:
                accepted = False
            else:
                accepted = True
            assert offered is accepted, (who.name, to.name)


def test_takers_are_those_who_could_work_the_task(sample, people, ctx) -> None:
    s = _started(sample, people, ctx)
    everyone = [people.staf, RINA, people.kasubag, people.kabid_a, people.kepala]
    assert takers(sample, s.open_tasks[1], everyone) == [people.staf, RINA]
    assert takers(sample, s.open_tasks[1], [people.staf]) == [people.staf]
    # one person simply works it, without claiming
    done = act(sample, s, Complete(1), ctx(people.staf))
    assert done.events[0].kind is EventKind.TASK_COMPLETED


def test_who_may_cancel(sample, people, ctx) -> None:
    s = _started(sample, people, ctx)
    for who, allowed in (
        (people.staf, True),  # the start step's role
        (people.kepala, True),  # the most senior role
        (people.admin, True),
        (people.kasubag, False),
        (people.kabid_a, False),
    ):
        assert may_cancel(sample, who) is allowed
        try:
            act(sample, s, Cancel("salah"), ctx(who))
        except Exception:
            accepted = False
        else:
            accepted = True
        assert accepted is allowed, who.name
