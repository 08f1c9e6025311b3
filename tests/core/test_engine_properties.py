"""Property tests: random action sequences (valid and invalid) by random people.

Whatever happens, a refused action changes nothing, and after every accepted one:
no task is open for an undeclared role or for a role other than its step's actor, no step is
open twice for the same unit, a case ends only through an end step, and replaying the
events rebuilds exactly the same state.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alur.core import Answer, SopDefinition, StepKind, create_plugin_manager
from alur.core.engine import (
    Actor,
    Cancel,
    CaseState,
    CaseStatus,
    Claim,
    Complete,
    Decide,
    Delegation,
    EventKind,
    Membership,
    Reassign,
    StartCase,
    act,
    replay,
    start,
)
from alur.core.errors import ActionError

UNITS = ("u1", "u2", "u3")


def definitions() -> list[SopDefinition]:
    found = [d for p in create_plugin_manager().plugins() if p.ok for d in p.sops.values()]
    return found


def people_for(d: SopDefinition) -> list[Actor]:
    people = [Actor("outsider", "Tamu"), Actor("admin", "Admin", (), administrator=True)]
    for r in d.roles:
        units = UNITS if r.per_unit else (None,)
        for u in units:
            people.append(Actor(f"{r.id}-{u}", f"{r.name} {u or ''}", (Membership(r.id, u),)))
            people.append(
                Actor(
                    f"plh-{r.id}-{u}",
                    f"Plh {r.name}",
                    (Membership(r.id, u, Delegation.PLH, f"{r.id}-{u}", r.name),),
                )
            )
    return people


def check_invariants(d: SopDefinition, state: CaseState, events: list) -> None:
    roles = d.roles_by_id
    per_step_unit = Counter((t.step, t.unit) for t in state.open_tasks.values())
    assert all(n == 1 for n in per_step_unit.values()), per_step_unit
    units_busy = Counter(t.unit for t in state.open_tasks.values())
    assert all(n == 1 for u, n in units_busy.items() if u is not None)
    assert units_busy.get(None, 0) <= 1
    for t in state.open_tasks.values():
        step = d.steps_by_number[t.step]
        assert t.role in roles
        assert t.role == step.actor
        assert (t.unit is not None) == step.per_unit
    if state.status is CaseStatus.FINISHED:
        finished = events[-1]
        assert finished.kind is EventKind.CASE_FINISHED
        closing = events[-2]
        assert closing.kind is EventKind.TASK_COMPLETED
        assert d.steps_by_number[closing.step].kind is StepKind.END
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert replay(events) == state


def random_walk(d: SopDefinition, data: st.DataObject, ctx_for, max_actions: int) -> None:
    people = people_for(d)
    durations = dict.fromkeys(d.needs_duration_at_start(), "2 hari")
    t = start(d, StartCase("case", "TW", UNITS, durations), ctx_for(people[1]))
    state, events = t.state, list(t.events)
    check_invariants(d, state, events)
    for _ in range(max_actions):
        if state.status is not CaseStatus.ACTIVE:
            break
        actor = data.draw(st.sampled_from(people), label="actor")
        task_ids = [*sorted(state.open_tasks), state.next_task_id, 1]
        task = data.draw(st.sampled_from(task_ids), label="task")
        kind = data.draw(
            st.sampled_from(["complete", "ya", "tidak", "claim", "reassign", "cancel"]),
            label="action",
        )
        note = data.draw(st.sampled_from(["", "Perbaiki kolom target"]), label="note")
        if kind == "complete":
            action = Complete(task, note)
        elif kind in ("ya", "tidak"):
            action = Decide(task, Answer(kind), note)
        elif kind == "claim":
            action = Claim(task)
        elif kind == "reassign":
            action = Reassign(task, data.draw(st.sampled_from(people), label="to"))
        else:
            # rare: cancelling ends most walks early
            if data.draw(st.integers(0, 9), label="really cancel") != 0:
                continue
            action = Cancel(note)
        before = state
        try:
            t = act(d, state, action, ctx_for(actor))
        except ActionError:
            assert state == before  # a refusal changes nothing
            continue
        state = t.state
        events.extend(t.events)
        check_invariants(d, state, events)


@pytest.fixture(scope="module")
def all_definitions(sample) -> list[SopDefinition]:
    return [sample, *definitions()]


def test_the_three_institution_sops_are_exercised(all_definitions) -> None:
    ids = {d.id for d in all_definitions}
    assert {
        "pengumpulan-data-kinerja",
        "pengumpulan-pengolahan-data-kinerja",
        "perbaikan-data-kinerja",
    } <= ids


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_action_sequences_keep_the_invariants(all_definitions, ctx, data) -> None:
    d = data.draw(st.sampled_from(all_definitions), label="sop")
    random_walk(d, data, ctx, max_actions=120)


MAX_TIDAK = 6


def guided_walk(d: SopDefinition, data: st.DataObject, ctx_for) -> CaseState:
    """Always a valid action by the right person, with at most MAX_TIDAK "tidak" answers:
    the case must then end, through its end step."""
    people = {(a.memberships[0].role, a.memberships[0].unit): a for a in people_for(d)[2::2]}
    durations = dict.fromkeys(d.needs_duration_at_start(), "1 hari")
    t = start(d, StartCase("case", "TW", UNITS, durations), ctx_for(people_for(d)[1]))
    state, events = t.state, list(t.events)
    tidak_left = MAX_TIDAK
    # Without "tidak" every SOP ends in at most (steps x units) actions.
    for _ in range(len(d.steps) * len(UNITS) * (MAX_TIDAK + 1)):
        if state.status is not CaseStatus.ACTIVE:
            break
        task = state.open_tasks[data.draw(st.sampled_from(sorted(state.open_tasks)))]
        step = d.steps_by_number[task.step]
        who = people[step.actor, task.unit if d.roles_by_id[step.actor].per_unit else None]
        if step.gate is not None:
            tidak = tidak_left > 0 and data.draw(st.booleans(), label="tidak?")
            tidak_left -= tidak
            action = Decide(task.id, Answer.TIDAK if tidak else Answer.YA, "catatan")
        else:
            action = Complete(task.id)
        t = act(d, state, action, ctx_for(who))
        state = t.state
        events.extend(t.events)
        check_invariants(d, state, events)
    return state


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_valid_walks_reach_the_end(all_definitions, ctx, data) -> None:
    d = data.draw(st.sampled_from(all_definitions), label="sop")
    state = guided_walk(d, data, ctx)
    assert state.status is CaseStatus.FINISHED
