"""The state machine, one rule at a time, on the sample SOP (see conftest.py)."""

from __future__ import annotations

import copy

import pytest

from alur.core import Answer, loads_definition
from alur.core.engine import (
    Cancel,
    CaseStatus,
    Claim,
    Complete,
    Decide,
    EventKind,
    Reassign,
    StartCase,
    act,
    open_tasks_for,
    replay,
    start,
)
from alur.core.errors import (
    AlreadyClaimed,
    CaseNotActive,
    DecisionRequired,
    DefinitionMismatch,
    DelegationRefused,
    InvalidAction,
    NotADecision,
    NoteRequired,
    NotPermitted,
    NotYourUnit,
    TaskNotFound,
    TaskNotOpen,
    WrongRole,
)

UNITS = ("bidang-a", "bidang-b")


def started(sample, people, ctx, **kw):
    action = StartCase(
        case_id="c-1", period="Triwulan III 2026", units=UNITS, durations={3: "3 hari"}, **kw
    )
    return start(sample, action, ctx(people.staf)).state


def only(tasks, step, unit=None):
    (task,) = [t for t in tasks.values() if t.step == step and t.unit == unit]
    return task


def at_fan_out(sample, people, ctx):
    s = started(sample, people, ctx)
    s = act(sample, s, Complete(only(s.open_tasks, 1).id), ctx(people.staf)).state
    return act(sample, s, Decide(only(s.open_tasks, 2).id, Answer.YA), ctx(people.kasubag)).state


def test_start_pins_the_definition_and_opens_the_first_step(sample, people, ctx, wib) -> None:
    t = start(sample, StartCase("c-1", "Triwulan III 2026", UNITS, {3: "3 hari"}), ctx(people.staf))
    assert [e.kind for e in t.events] == [EventKind.CASE_STARTED, EventKind.TASK_OPENED]
    assert t.state.definition_hash == sample.content_hash
    assert t.state.status is CaseStatus.ACTIVE
    task = only(t.state.open_tasks, 1)
    assert task.role == "staf"
    assert task.due == wib(2026, 11, 25, 9, 0)  # "2 hari" from Monday 09:00


def test_start_needs_the_determined_durations(sample, people, ctx) -> None:
    with pytest.raises(InvalidAction, match="step\\(s\\) 3"):
        start(sample, StartCase("c", "TW", UNITS), ctx(people.staf))
    with pytest.raises(InvalidAction, match="fixed waktu"):
        start(sample, StartCase("c", "TW", UNITS, {3: "1 hari", 4: "2 hari"}), ctx(people.staf))
    with pytest.raises(InvalidAction, match="cannot read waktu"):
        start(sample, StartCase("c", "TW", UNITS, {3: "lama"}), ctx(people.staf))


def test_start_checks_period_units_and_actor(sample, people, ctx) -> None:
    from alur.core.engine import Actor

    with pytest.raises(InvalidAction, match="period"):
        start(sample, StartCase("c", " ", UNITS, {3: "1 hari"}), ctx(people.staf))
    with pytest.raises(InvalidAction, match="at least one unit"):
        start(sample, StartCase("c", "TW", (), {3: "1 hari"}), ctx(people.staf))
    with pytest.raises(InvalidAction, match="twice"):
        start(sample, StartCase("c", "TW", ("a", "a"), {3: "1 hari"}), ctx(people.staf))
    with pytest.raises(NotPermitted):
        start(sample, StartCase("c", "TW", UNITS, {3: "1 hari"}), ctx(Actor("x", "Tamu")))


def test_wrong_role_is_refused(sample, people, ctx) -> None:
    s = started(sample, people, ctx)
    with pytest.raises(WrongRole, match="Staf"):
        act(sample, s, Complete(1), ctx(people.kasubag))


def test_fan_out_opens_one_task_per_unit_with_the_case_duration(sample, people, ctx, wib) -> None:
    s = at_fan_out(sample, people, ctx)
    a, b = only(s.open_tasks, 3, "bidang-a"), only(s.open_tasks, 3, "bidang-b")
    assert a.due == b.due == wib(2026, 11, 26, 9, 0)  # "3 hari" given at start
    assert s.fan_out is not None
    assert s.fan_out.join == 5
    assert s.fan_out.waiting_for == UNITS


def test_not_your_unit(sample, people, ctx) -> None:
    s = at_fan_out(sample, people, ctx)
    with pytest.raises(NotYourUnit, match="bidang-a"):
        act(sample, s, Complete(only(s.open_tasks, 3, "bidang-a").id), ctx(people.kabid_b))


def test_join_waits_for_every_unit(sample, people, ctx) -> None:
    s = at_fan_out(sample, people, ctx)
    for kabid, unit in ((people.kabid_a, "bidang-a"), (people.kabid_b, "bidang-b")):
        s = act(sample, s, Complete(only(s.open_tasks, 3, unit).id), ctx(kabid)).state
    s = act(
        sample, s, Decide(only(s.open_tasks, 4, "bidang-a").id, Answer.YA), ctx(people.staf)
    ).state
    assert s.current_steps == (4,)  # bidang-a waits at the join, bidang-b still at 4
    assert s.fan_out.arrived == {"bidang-a"}
    t = act(sample, s, Decide(only(s.open_tasks, 4, "bidang-b").id, Answer.YA), ctx(people.staf))
    assert [e.kind for e in t.events] == [
        EventKind.GATE_DECIDED,
        EventKind.UNIT_JOINED,
        EventKind.TASK_OPENED,
    ]
    assert t.state.current_steps == (5,)
    assert t.state.fan_out is None


def test_tidak_on_one_unit_returns_only_that_unit(sample, people, ctx) -> None:
    s = at_fan_out(sample, people, ctx)
    for kabid, unit in ((people.kabid_a, "bidang-a"), (people.kabid_b, "bidang-b")):
        s = act(sample, s, Complete(only(s.open_tasks, 3, unit).id), ctx(kabid)).state
    verify_b = only(s.open_tasks, 4, "bidang-b")
    t = act(
        sample, s, Decide(verify_b.id, Answer.TIDAK, "Realisasi IKU 2 kosong"), ctx(people.staf)
    )
    back = only(t.state.open_tasks, 3, "bidang-b")
    assert back.return_note == "Realisasi IKU 2 kosong"
    assert back.returned_from == 4
    assert only(t.state.open_tasks, 4, "bidang-a")  # bidang-a untouched
    assert len(t.state.open_tasks) == 2


def test_tidak_needs_a_note(sample, people, ctx) -> None:
    s = started(sample, people, ctx)
    s = act(sample, s, Complete(1), ctx(people.staf)).state
    with pytest.raises(NoteRequired):
        act(sample, s, Decide(only(s.open_tasks, 2).id, Answer.TIDAK, "   "), ctx(people.kasubag))


def test_tidak_returns_to_the_earlier_step(sample, people, ctx) -> None:
    s = started(sample, people, ctx)
    s = act(sample, s, Complete(1), ctx(people.staf)).state
    t = act(
        sample,
        s,
        Decide(only(s.open_tasks, 2).id, Answer.TIDAK, "Kolom target kurang"),
        ctx(people.kasubag),
    )
    redo = only(t.state.open_tasks, 1)
    assert redo.id != 1
    assert redo.return_note == "Kolom target kurang"
    decided = t.events[0]
    assert decided.kind is EventKind.GATE_DECIDED
    assert decided.payload == {"answer": "tidak"}
    assert decided.role == "kasubag"


def _at_recap(sample, people, ctx):
    s = at_fan_out(sample, people, ctx)
    for kabid, unit in ((people.kabid_a, "bidang-a"), (people.kabid_b, "bidang-b")):
        s = act(sample, s, Complete(only(s.open_tasks, 3, unit).id), ctx(kabid)).state
        s = act(
            sample, s, Decide(only(s.open_tasks, 4, unit).id, Answer.YA), ctx(people.staf)
        ).state
    return s


def test_tidak_after_the_join_reopens_the_named_units(sample, people, ctx) -> None:
    s = _at_recap(sample, people, ctx)
    recap = only(s.open_tasks, 5)
    t = act(
        sample,
        s,
        Decide(recap.id, Answer.TIDAK, "Bidang B salah satuan", units=("bidang-b",)),
        ctx(people.kasubag),
    )
    assert [t_.unit for t_ in t.state.open_tasks.values()] == ["bidang-b"]
    assert t.state.fan_out.arrived == {"bidang-a"}
    s = t.state
    s = act(sample, s, Complete(only(s.open_tasks, 3, "bidang-b").id), ctx(people.kabid_b)).state
    s = act(
        sample, s, Decide(only(s.open_tasks, 4, "bidang-b").id, Answer.YA), ctx(people.staf)
    ).state
    assert s.current_steps == (5,)


def test_tidak_after_the_join_reopens_all_units_by_default(sample, people, ctx) -> None:
    s = _at_recap(sample, people, ctx)
    t = act(
        sample, s, Decide(only(s.open_tasks, 5).id, Answer.TIDAK, "Ulangi"), ctx(people.kasubag)
    )
    assert sorted(t_.unit for t_ in t.state.open_tasks.values()) == list(UNITS)


def test_units_can_only_be_named_when_returning_into_a_fan_out(sample, people, ctx) -> None:
    s = _at_recap(sample, people, ctx)
    recap = only(s.open_tasks, 5).id
    with pytest.raises(InvalidAction, match="not part of this case"):
        act(sample, s, Decide(recap, Answer.TIDAK, "x", units=("bidang-z",)), ctx(people.kasubag))
    with pytest.raises(InvalidAction, match="only be named with"):
        act(sample, s, Decide(recap, Answer.YA, units=("bidang-a",)), ctx(people.kasubag))


def test_decision_and_process_actions_are_not_interchangeable(sample, people, ctx) -> None:
    s = started(sample, people, ctx)
    with pytest.raises(NotADecision):
        act(sample, s, Decide(1, Answer.YA), ctx(people.staf))
    s = act(sample, s, Complete(1), ctx(people.staf)).state
    with pytest.raises(DecisionRequired):
        act(sample, s, Complete(only(s.open_tasks, 2).id), ctx(people.kasubag))


def test_task_not_open_and_not_found(sample, people, ctx) -> None:
    s = started(sample, people, ctx)
    s = act(sample, s, Complete(1), ctx(people.staf)).state
    with pytest.raises(TaskNotOpen):
        act(sample, s, Complete(1), ctx(people.staf))
    with pytest.raises(TaskNotFound):
        act(sample, s, Complete(42), ctx(people.staf))


def test_claim_then_others_are_refused(sample, people, ctx) -> None:
    from alur.core.engine import Actor, Membership

    other_staf = Actor("u-staf-3", "Rina (Staf)", (Membership("staf"),))
    s = started(sample, people, ctx)
    s = act(sample, s, Claim(1), ctx(people.staf)).state
    assert s.open_tasks[1].assignee == people.staf.id
    with pytest.raises(AlreadyClaimed, match="Sari"):
        act(sample, s, Complete(1), ctx(other_staf))
    with pytest.raises(InvalidAction, match="already claimed"):
        act(sample, s, Claim(1), ctx(people.staf))
    assert open_tasks_for(sample, s, other_staf) == []
    assert [t.id for t in open_tasks_for(sample, s, people.staf)] == [1]


def test_reassign_to_someone_holding_the_role(sample, people, ctx) -> None:
    from alur.core.engine import Actor, Membership

    other_staf = Actor("u-staf-3", "Rina (Staf)", (Membership("staf"),))
    s = started(sample, people, ctx)
    s = act(sample, s, Claim(1), ctx(people.staf)).state
    # A colleague of the same rank who does not hold the task may not move it.
    with pytest.raises(NotPermitted):
        act(sample, s, Reassign(1, people.staf), ctx(other_staf))
    # The holder may, but only to someone with the step's role.
    with pytest.raises(WrongRole):
        act(sample, s, Reassign(1, people.kabid_a), ctx(people.staf))
    t = act(sample, s, Reassign(1, other_staf), ctx(people.staf))
    assert t.state.open_tasks[1].assignee == "u-staf-3"
    assert t.events[0].payload == {"to": "u-staf-3", "to_name": "Rina (Staf)"}
    # A more senior official may reassign too.
    t2 = act(sample, t.state, Reassign(1, people.staf), ctx(people.kasubag))
    assert t2.state.open_tasks[1].assignee == people.staf.id


def test_plh_is_recorded_with_both_people(sample, people, ctx) -> None:
    s = at_fan_out(sample, people, ctx)
    t = act(
        sample,
        s,
        Complete(only(s.open_tasks, 3, "bidang-a").id, "Sudah diisi"),
        ctx(people.plh_kabid_a),
    )
    e = t.events[0]
    assert (e.actor, e.role, e.delegation, e.acting_for) == (
        "u-staf-2",
        "kabid",
        "Plh",
        "u-kabid-a",
    )
    assert e.acting_for_name == "Agus (Kabid A)"
    assert e.note == "Sudah diisi"


def test_non_delegable_step_refuses_plh(sample, people, ctx) -> None:
    s = _at_recap(sample, people, ctx)
    s = act(sample, s, Decide(only(s.open_tasks, 5).id, Answer.YA), ctx(people.kasubag)).state
    sign = only(s.open_tasks, 6)
    with pytest.raises(DelegationRefused, match="Plt/Plh"):
        act(sample, s, Complete(sign.id), ctx(people.plh_kepala))
    t = act(sample, s, Complete(sign.id), ctx(people.kepala))
    assert t.state.status is CaseStatus.FINISHED
    assert t.events[-1].kind is EventKind.CASE_FINISHED
    with pytest.raises(CaseNotActive, match="finished"):
        act(sample, t.state, Cancel("x"), ctx(people.admin))


def test_cancel(sample, people, ctx) -> None:
    s = at_fan_out(sample, people, ctx)
    with pytest.raises(NotPermitted):
        act(sample, s, Cancel("salah periode"), ctx(people.kabid_a))
    with pytest.raises(InvalidAction, match="why"):
        act(sample, s, Cancel(" "), ctx(people.admin))
    t = act(sample, s, Cancel("Salah periode"), ctx(people.staf))
    assert [e.kind for e in t.events] == [EventKind.TASK_CANCELLED] * 2 + [EventKind.CASE_CANCELLED]
    assert t.state.status is CaseStatus.CANCELLED
    assert not t.state.open_tasks
    with pytest.raises(CaseNotActive, match="cancelled"):
        act(sample, t.state, Claim(3), ctx(people.kabid_a))


def test_a_changed_definition_is_refused(sample, people, ctx, sample_mapping) -> None:
    s = started(sample, people, ctx)
    from alur.core import definition_from_mapping

    sample_mapping["steps"][0]["waktu"] = "3 hari"
    changed = definition_from_mapping(sample_mapping)
    assert changed.content_hash != sample.content_hash
    with pytest.raises(DefinitionMismatch):
        act(changed, s, Complete(1), ctx(people.staf))


def test_actions_never_mutate_their_inputs(sample, people, ctx) -> None:
    s = at_fan_out(sample, people, ctx)
    before = copy.deepcopy(s)
    act(sample, s, Complete(only(s.open_tasks, 3, "bidang-a").id), ctx(people.kabid_a))
    assert s == before


def test_replay_rebuilds_the_state(sample, people, ctx) -> None:
    events = []
    t = start(sample, StartCase("c-1", "TW III", UNITS, {3: "3 hari"}), ctx(people.staf))
    events += t.events
    s = t.state
    t = act(sample, s, Complete(1), ctx(people.staf))
    events += t.events
    t = act(sample, t.state, Decide(only(t.state.open_tasks, 2).id, Answer.YA), ctx(people.kasubag))
    events += t.events
    assert replay(events) == t.state
    with pytest.raises(ValueError, match="does not follow"):
        replay(events[:2] + events[3:])


def test_open_tasks_most_urgent_first(people, ctx, wib, sample) -> None:
    s = at_fan_out(sample, people, ctx)
    kabid_both = type(people.kabid_a)(
        "u-kb", "KB", people.kabid_a.memberships + people.kabid_b.memberships
    )
    tasks = open_tasks_for(sample, s, kabid_both)
    assert [t.unit for t in tasks] == ["bidang-a", "bidang-b"]
    assert not tasks[0].is_overdue(wib(2026, 11, 26, 9, 0))
    assert tasks[0].is_overdue(wib(2026, 11, 26, 9, 1))


def test_error_messages_are_typed_and_translatable() -> None:
    err = WrongRole(step=2, role="Kasubag Perencanaan")
    assert err.code == "wrong_role"
    assert err.params == {"step": 2, "role": "Kasubag Perencanaan"}
    assert str(err) == err.template.format(step=2, role="Kasubag Perencanaan")


def test_a_sop_whose_first_step_runs_per_unit_fans_out_at_start(people, ctx) -> None:
    d = loads_definition(
        """
        [sop]
        id = "x"
        version = "1"
        [header]
        nomor = "1"
        nama = "X"
        [[roles]]
        id = "kabid"
        name = "Kabid"
        per_unit = true
        [[roles]]
        id = "kepala"
        name = "Kepala"
        rank = 5
        [[steps]]
        number = 1
        kegiatan = "Mengirim data"
        actor = "kabid"
        kind = "start"
        per_unit = true
        waktu = "1 hari"
        [[steps]]
        number = 2
        kegiatan = "Menerima"
        actor = "kepala"
        kind = "end"
        waktu = "5 menit"
        """
    )
    t = start(d, StartCase("c", "TW", UNITS), ctx(people.kepala))
    assert sorted(t_.unit for t_ in t.state.open_tasks.values()) == list(UNITS)
