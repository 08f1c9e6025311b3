"""Moving a running case to another definition (alur.core.engine.migration), on the sample
SOP with a fake clock: the plan (kept, closed, opened, refusals), the case_migrated
transition, replay and the codec of a moved case."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alur.core import Answer
from alur.core.durations import Duration
from alur.core.engine import (
    Actor,
    Claim,
    Complete,
    Decide,
    EventKind,
    Membership,
    StartCase,
    act,
    replay,
    start,
    step_progress,
)
from alur.core.engine.codec import (
    event_from_dict,
    event_to_dict,
    state_from_dict,
    state_to_dict,
)
from alur.core.engine.migration import MoveRefused, migrate, plan_move
from alur.core.errors import DefinitionMismatch
from alur.core.model import DataAction, SopDefinition

UNITS = ("bidang-a", "bidang-b")
ADMIN = Actor("u-admin", "Admin", (), administrator=True)


def variant(d: SopDefinition, version: str = "2", **steps: dict) -> SopDefinition:
    """``d`` with the fields of some steps changed: ``variant(d, s1={"waktu": "3 hari"})``."""
    changed = []
    for s in d.steps:
        fields = dict(steps.get(f"s{s.number}", {}))
        if "waktu" in fields:
            fields["waktu"] = Duration.parse(fields["waktu"])
        changed.append(replace(s, **fields))
    return replace(d, version=version, steps=tuple(changed))


def only(tasks, step, unit=None):
    (task,) = [t for t in tasks.values() if t.step == step and t.unit == unit]
    return task


def begun(sample, people, ctx):
    t = start(sample, StartCase("c-1", "TW III 2026", UNITS, {3: "3 hari"}), ctx(people.staf))
    return t


def at_fan_out(sample, people, ctx):
    s = begun(sample, people, ctx).state
    s = act(sample, s, Complete(only(s.open_tasks, 1).id), ctx(people.staf)).state
    return act(sample, s, Decide(only(s.open_tasks, 2).id, Answer.YA), ctx(people.kasubag)).state


def test_a_new_waktu_keeps_the_task_and_recomputes_its_due(sample, people, ctx, wib) -> None:
    first = begun(sample, people, ctx)
    claimed = act(sample, first.state, Claim(1), ctx(people.staf))
    s = claimed.state
    new = variant(sample, s1={"waktu": "4 hari"})
    later = wib(2026, 11, 24, 10, 0)
    plan = plan_move(sample, new, s, None, ctx(ADMIN, later))
    assert plan.ok, plan.refusals
    (kept,) = plan.kept
    assert (kept.task, kept.step, kept.role) == (1, 1, "staf")
    assert kept.due_before == wib(2026, 11, 25, 9, 0)
    assert kept.due == wib(2026, 11, 27, 9, 0)  # 4 working days from when it opened
    assert plan.closed == plan.opened == ()
    assert plan.mapping == {n: n for n in range(1, 7)}
    t = migrate(sample, new, s, None, ctx(ADMIN, later))
    assert [e.kind for e in t.events] == [EventKind.CASE_MIGRATED]
    payload = t.events[0].payload
    assert (payload["from"], payload["to"]) == (sample.content_hash, new.content_hash)
    assert payload["mapping"]["1"] == 1
    assert payload["kept"] == [
        {"task": 1, "step": 1, "role": "staf", "due": wib(2026, 11, 27, 9, 0).isoformat()}
    ]
    moved = t.state
    assert moved.definition_hash == new.content_hash
    assert moved.version == "2"
    task = moved.open_tasks[1]
    assert task.assignee == people.staf.id  # same task, same assignee
    assert task.due == wib(2026, 11, 27, 9, 0)
    events = [*first.events, *claimed.events, *t.events]
    assert replay(events) == moved
    assert state_from_dict(state_to_dict(moved)) == moved
    assert [event_from_dict(event_to_dict(e)) for e in t.events] == list(t.events)
    # The case now runs the new definition: the old one is refused, the new one acts.
    with pytest.raises(DefinitionMismatch):
        act(sample, moved, Complete(1), ctx(people.staf))
    after = act(new, moved, Complete(1), ctx(people.staf)).state
    assert only(after.open_tasks, 2).role == "kasubag"


def test_a_step_given_to_another_role_closes_and_opens_the_task(sample, people, ctx, wib) -> None:
    s = begun(sample, people, ctx).state
    s = act(sample, s, Complete(1), ctx(people.staf)).state  # now at step 2, kasubag
    new = variant(sample, s2={"actor": "kepala"})
    when = wib(2026, 11, 24, 9, 0)
    plan = plan_move(sample, new, s, None, ctx(ADMIN, when))
    assert plan.ok
    assert plan.kept == ()
    (closed,) = plan.closed
    (opened,) = plan.opened
    assert (closed.step, closed.role) == (2, "kasubag")
    assert (opened.step, opened.role, opened.instead_of) == (2, "kepala", closed.task)
    assert opened.due == wib(2026, 11, 24, 9, 10)  # "10 menit" from now
    t = migrate(sample, new, s, None, ctx(ADMIN, when))
    kinds = [e.kind for e in t.events]
    assert kinds == [EventKind.CASE_MIGRATED, EventKind.TASK_CANCELLED, EventKind.TASK_OPENED]
    (task,) = t.state.open_tasks.values()
    assert (task.step, task.role, task.id) == (2, "kepala", 3)


def test_a_renamed_step_needs_an_explicit_mapping(sample, people, ctx) -> None:
    s = begun(sample, people, ctx).state
    new = variant(sample, s1={"kegiatan": "Menyusun draf format data kinerja"})
    plan = plan_move(sample, new, s, None, ctx(ADMIN))
    assert not plan.ok
    assert any("Step 1" in r and "map it explicitly" in r for r in plan.refusals)
    with pytest.raises(MoveRefused, match="map it explicitly"):
        migrate(sample, new, s, None, ctx(ADMIN))
    assert plan_move(sample, new, s, {1: 1}, ctx(ADMIN)).ok
    bad = plan_move(sample, new, s, {1: 99, 77: 2}, ctx(ADMIN))
    assert len([r for r in bad.refusals if "of the mapping" in r]) == 2


def test_per_unit_work_keeps_each_units_position(sample, people, ctx, wib) -> None:
    s = at_fan_out(sample, people, ctx)
    s = act(sample, s, Complete(only(s.open_tasks, 3, "bidang-a").id), ctx(people.kabid_a)).state
    s = act(
        sample, s, Decide(only(s.open_tasks, 4, "bidang-a").id, Answer.YA), ctx(people.staf)
    ).state
    assert s.fan_out is not None
    assert s.fan_out.arrived == {"bidang-a"}
    new = variant(sample, s3={"keterangan": "baru"}, s4={"waktu": "2 hari"})
    t = migrate(sample, new, s, None, ctx(ADMIN, wib(2026, 11, 24, 9, 0)))
    moved = t.state
    assert moved.fan_out == s.fan_out  # the units at the join stay there
    (task,) = moved.open_tasks.values()
    assert (task.step, task.unit) == (3, "bidang-b")
    assert moved.durations == s.durations
    for unit, kabid in (("bidang-b", people.kabid_b),):
        moved = act(new, moved, Complete(only(moved.open_tasks, 3, unit).id), ctx(kabid)).state
    verify = only(moved.open_tasks, 4, "bidang-b")
    moved = act(new, moved, Decide(verify.id, Answer.YA), ctx(people.staf)).state
    assert only(moved.open_tasks, 5).role == "kasubag"  # the join opened once every unit came


def test_every_refusal_is_listed(sample, people, ctx) -> None:
    s = at_fan_out(sample, people, ctx)
    new = variant(
        sample,
        s3={"per_unit": False, "waktu": "1 hari"},
        s5={"kegiatan": "Lain", "data": DataAction.RECAP},
        s6={"waktu": "Sesuai dengan waktu yang ditentukan"},
    )
    refusals = plan_move(sample, new, s, None, ctx(ADMIN)).refusals
    text = " | ".join(refusals)
    assert "only one of them runs once per unit" in text
    assert "join at step 5" in text  # the join has no step of the new definition
    assert 'Step 6 of the new definition takes its waktu "Sesuai' in text
    assert "data kinerja" in text
    assert "already runs" in plan_move(sample, sample, s, None, ctx(ADMIN)).refusals[0]


def test_a_finished_case_is_not_moved(sample, people, ctx) -> None:
    from alur.core.engine import Cancel

    s = begun(sample, people, ctx).state
    s = act(sample, s, Cancel("salah"), ctx(ADMIN)).state
    (reason,) = plan_move(sample, variant(sample), s, None, ctx(ADMIN)).refusals
    assert "cancelled" in reason


def test_progress_follows_the_steps_to_their_new_numbers(sample, people, ctx) -> None:
    first = begun(sample, people, ctx)
    done = act(sample, first.state, Complete(1), ctx(people.staf))
    # The new definition swaps nothing but says step 1 is now step 1 and renames step 2.
    new = variant(sample, s2={"kegiatan": "Memeriksa format"})
    t = migrate(sample, new, done.state, {2: 2}, ctx(ADMIN))
    events = [*first.events, *done.events, *t.events]
    marks = {p.number: p.state for p in step_progress(new, UNITS, events)}
    assert marks[1] == "done"
    assert marks[2] == "current"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.integers(min_value=0, max_value=8),
    waktu=st.sampled_from(["10 menit", "2 jam", "1 hari", "3 hari"]),
    actor=st.sampled_from(["staf", "kasubag", "kepala"]),
)
def test_any_move_replays_and_keeps_tasks_on_their_role(
    sample, people, ctx, steps: int, waktu: str, actor: str
) -> None:
    """Walk the sample a few steps (always the first open task, "ya" at gates), then move
    to a variant with a new waktu everywhere and another actor for step 2: the state
    replays, every open task is at a step of the new definition held by its actor."""
    first = begun(sample, people, ctx)
    events = list(first.events)
    s = first.state
    by_role = {
        "staf": people.staf,
        "kasubag": people.kasubag,
        "kepala": people.kepala,
    }
    for _ in range(steps):
        if not s.open_tasks:
            break
        task = min(s.open_tasks.values(), key=lambda t: t.id)
        who = by_role.get(task.role) or Actor("k", "Kabid", (Membership("kabid", task.unit),))
        step = sample.step(task.step)
        action = Decide(task.id, Answer.YA) if step.gate else Complete(task.id)
        t = act(sample, s, action, ctx(who))
        s, events = t.state, [*events, *t.events]
    changed = {f"s{n}": {"waktu": waktu} for n in (1, 2, 4, 5, 6)}
    changed["s2"] = {"waktu": waktu, "actor": actor}
    new = variant(sample, **changed)
    plan = plan_move(sample, new, s, None, ctx(ADMIN))
    if not plan.ok:
        assert s.status.value != "active"
        return
    t = migrate(sample, new, s, None, ctx(ADMIN), plan)
    assert replay([*events, *t.events]) == t.state
    for task in t.state.open_tasks.values():
        assert task.role == new.step(task.step).actor
        assert (task.unit is not None) == new.step(task.step).per_unit
    assert {t.id for t in t.state.open_tasks.values()} >= {k.task for k in plan.kept}
