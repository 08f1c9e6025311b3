"""The plain-JSON codec of case states and events (alur.core.engine.codec).

Storage keeps the engine state of a case as JSON beside its event log, and the audit chain
hashes the JSON form of each event, so both must round-trip exactly: through the dict form
*and* through JSON text, over states produced by real walks (fan-out, a "tidak" into the
fan-out, Plt/Plh delegation, claims, reassignment, cancellation, finishing).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from types import MappingProxyType

import pytest

from alur.core import Answer, SopDefinition, create_plugin_manager
from alur.core.calendar import JAKARTA
from alur.core.clock import TimerKind, clock_event
from alur.core.engine import (
    Actor,
    Cancel,
    CaseState,
    CaseStatus,
    Claim,
    Complete,
    Context,
    Decide,
    Delegation,
    Event,
    EventKind,
    FanOut,
    Membership,
    Reassign,
    StartCase,
    Task,
    Unclaim,
    act,
    replay,
    start,
)
from alur.core.engine.codec import (
    event_from_dict,
    event_to_dict,
    state_from_dict,
    state_to_dict,
    task_from_dict,
    task_to_dict,
)
from alur.core.errors import ActionError

UNITS = ("bidang-a", "bidang-b")


def at(day: int, hour: int, minute: int = 0, micro: int = 0) -> datetime:
    """A time in November 2026, WIB (with microseconds, as a real clock gives)."""
    return datetime(2026, 11, day, hour, minute, 0, micro, tzinfo=JAKARTA)


def through_json(data: dict) -> dict:
    """The dict as a database or an API hands it back: JSON text parsed again."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def assert_round_trips(states: list[CaseState], events: list[Event]) -> None:
    for s in states:
        d = state_to_dict(s)
        assert state_from_dict(d) == s
        assert state_from_dict(through_json(d)) == s
        # Equal, field by field, with the same types (a list is not a tuple, a naive time
        # is not an aware one) and the same time zones.
        back = state_from_dict(through_json(d))
        assert type(back.units) is tuple
        assert type(back.open_tasks) is dict
        assert back.started_at.utcoffset() == s.started_at.utcoffset()
        for task_id, task in s.open_tasks.items():
            assert back.open_tasks[task_id] == task
            assert back.open_tasks[task_id].opened_at.utcoffset() == task.opened_at.utcoffset()
            assert task_from_dict(through_json(task_to_dict(task))) == task
        if s.fan_out is not None:
            assert isinstance(back.fan_out, FanOut)
            assert type(back.fan_out.arrived) is frozenset
        assert back.durations == s.durations
    for e in events:
        d = event_to_dict(e)
        json.dumps(d)  # JSON-serialisable as it is
        assert event_from_dict(d) == e
        back = event_from_dict(through_json(d))
        assert back == e
        assert back.kind is e.kind
        assert back.at.utcoffset() == e.at.utcoffset()
        assert dict(back.payload) == dict(e.payload)
    assert replay([event_from_dict(through_json(event_to_dict(e))) for e in events]) == states[-1]


class Case:
    """A case of a definition, keeping every state and event it went through."""

    def __init__(self, d: SopDefinition, who: Actor, when: datetime, calendar, **start_case):
        self.d = d
        self.calendar = calendar
        t = start(d, StartCase(**start_case), Context(who, when, calendar))
        self.states = [t.state]
        self.events = list(t.events)

    @property
    def state(self) -> CaseState:
        return self.states[-1]

    def task(self, step: int, unit: str | None = None) -> Task:
        (found,) = [t for t in self.state.open_tasks.values() if (t.step, t.unit) == (step, unit)]
        return found

    def do(self, action, who: Actor, when: datetime) -> tuple[Event, ...]:
        t = act(self.d, self.state, action, Context(who, when, self.calendar))
        self.states.append(t.state)
        self.events.extend(t.events)
        return t.events


def test_a_full_walk_of_the_sample_round_trips(sample, people, calendar) -> None:
    """Claim, a "tidak" at the first gate, fan-out over two units, a Plh filling in for a
    Kabid, a per-unit "tidak", a "tidak" from after the join back into one unit, a
    claim given back, a reassignment, then signing: every state and every event round-trips."""
    p = people
    c = Case(
        sample,
        p.staf,
        at(23, 9, 0, 123456),
        calendar,
        case_id="c-1",
        period="Triwulan III 2026",
        units=UNITS,
        durations={3: "3 hari"},
    )
    c.do(Claim(c.task(1).id), p.staf, at(23, 9, 5, 1))
    c.do(Complete(c.task(1).id, "draft siap", {"lampiran": ["format.xlsx"]}), p.staf, at(23, 10))
    c.do(Decide(c.task(2).id, Answer.TIDAK, "kolom target kurang"), p.kasubag, at(23, 10, 5))
    assert c.task(1).returned_from == 2
    assert c.task(1).return_note == "kolom target kurang"
    c.do(Complete(c.task(1).id, "sudah diperbaiki"), p.staf, at(23, 11))
    events = c.do(Decide(c.task(2).id, Answer.YA), p.kasubag, at(23, 11, 10))
    assert EventKind.FAN_OUT_OPENED in [e.kind for e in events]
    assert c.state.fan_out is not None
    # A Plh fills in for the Kabid of bidang A.
    (done,) = [
        e
        for e in c.do(
            Complete(c.task(3, "bidang-a").id, "", {"iku": [{"target": 95.5, "realisasi": 90}]}),
            p.plh_kabid_a,
            at(24, 8),
        )
        if e.kind is EventKind.TASK_COMPLETED
    ]
    assert (done.delegation, done.acting_for) == (str(Delegation.PLH), "u-kabid-a")
    c.do(Complete(c.task(3, "bidang-b").id, "data B"), p.kabid_b, at(24, 9))
    c.do(Decide(c.task(4, "bidang-a").id, Answer.YA), p.staf, at(24, 10))
    assert c.state.fan_out.arrived == frozenset({"bidang-a"})
    c.do(Decide(c.task(4, "bidang-b").id, Answer.TIDAK, "realisasi kosong"), p.staf, at(24, 11))
    c.do(Complete(c.task(3, "bidang-b").id, "diisi"), p.kabid_b, at(24, 13))
    c.do(Decide(c.task(4, "bidang-b").id, Answer.YA), p.staf, at(24, 14))
    assert c.state.fan_out is None
    # "tidak" from after the join back into the fan-out, for bidang B only.
    c.do(
        Decide(c.task(5).id, Answer.TIDAK, "rekap B selisih", units=("bidang-b",)),
        p.kasubag,
        at(25, 8),
    )
    assert c.state.fan_out is not None
    assert c.state.fan_out.waiting_for == ("bidang-b",)
    c.do(Complete(c.task(3, "bidang-b").id), p.kabid_b, at(25, 9))
    c.do(Decide(c.task(4, "bidang-b").id, Answer.YA), p.staf, at(25, 10))
    for kind, to_role in ((TimerKind.REMIND_DUE, None), (TimerKind.ESCALATE, "kepala")):
        t = clock_event(
            c.state,
            c.task(5).id,
            kind,
            at=at(25, 10, 15),
            to=["7"],
            channels=["app"],
            to_role=to_role,
        )
        c.states.append(t.state)
        c.events.extend(t.events)
    assert c.task(5).escalated_to == "kepala"
    c.do(Claim(c.task(5).id), p.kasubag, at(25, 10, 30))
    c.do(Unclaim(c.task(5).id), p.kasubag, at(25, 10, 35))  # given back, then taken again
    assert c.task(5).assignee is None
    c.do(Claim(c.task(5).id), p.kasubag, at(25, 10, 40))
    other = Actor("u-kasubag-2", "Rina (Kasubag)", (Membership("kasubag"),))
    c.do(Reassign(c.task(5).id, other), p.kepala, at(25, 11))
    assert c.task(5).assignee == other.id
    c.do(Decide(c.task(5).id, Answer.YA), other, at(25, 12))
    c.do(Complete(c.task(6).id, "ditandatangani"), p.kepala, at(25, 13))
    assert c.state.status is CaseStatus.FINISHED
    assert c.state.ended_at is not None

    kinds = {e.kind for e in c.events}
    never_in_this_walk = {EventKind.TASK_CANCELLED, EventKind.CASE_CANCELLED}
    never_in_this_walk.add(EventKind.CASE_MIGRATED)  # round-tripped in test_migration.py
    never_in_a_case = {EventKind.OFFICE_CHANGED}  # the office's own log, no case
    assert kinds >= set(EventKind) - never_in_this_walk - never_in_a_case
    assert_round_trips(c.states, c.events)


def test_an_office_change_round_trips() -> None:
    """The office's own events (alur.tenants.audit.office_log) go through the same codec."""
    e = Event(
        seq=0,
        kind=EventKind.OFFICE_CHANGED,
        at=at(25, 9),
        actor="7",
        actor_name="Admin",
        note="pindah tugas",
        payload={"change": "person_deactivated", "user": "budi"},
    )
    assert event_from_dict(through_json(event_to_dict(e))) == e


def test_a_cancelled_case_round_trips(sample, people, calendar) -> None:
    c = Case(
        sample,
        people.staf,
        at(23, 9),
        calendar,
        case_id="c-2",
        period="Triwulan IV 2026",
        units=UNITS,
        durations={3: "2 hari"},
    )
    c.do(Complete(c.task(1).id), people.staf, at(23, 10))
    c.do(Decide(c.task(2).id, Answer.YA), people.kasubag, at(23, 11))
    c.do(Claim(c.task(3, "bidang-a").id), people.kabid_a, at(23, 12))
    c.do(Cancel("periode salah"), people.kepala, at(23, 13))
    assert c.state.status is CaseStatus.CANCELLED
    assert {EventKind.TASK_CANCELLED, EventKind.CASE_CANCELLED} <= {e.kind for e in c.events}
    assert_round_trips(c.states, c.events)


def test_an_event_without_payload_round_trips_to_an_equal_event(sample, people, calendar):
    c = Case(sample, people.staf, at(23, 9), calendar, case_id="c", period="TW", units=UNITS,
             durations={3: "1 hari"})  # fmt: skip
    (claimed,) = c.do(Claim(1), people.staf, at(23, 9, 1))
    assert isinstance(claimed.payload, MappingProxyType)
    d = event_to_dict(claimed)
    assert d["payload"] == {}
    assert json.dumps(d)
    assert event_from_dict(through_json(d)) == claimed


def _installed_definitions() -> list[SopDefinition]:
    return [d for p in create_plugin_manager(environ={}).plugins() if p.ok for d in p.sops.values()]


def _random_walk(d: SopDefinition, calendar, seed: int) -> Case:
    """Valid actions by the right people (and Plh stand-ins), chosen at random."""
    rng = random.Random(seed)
    people: dict[tuple[str, str | None], list[Actor]] = {}
    for r in d.roles:
        for u in UNITS if r.per_unit else (None,):
            own = Actor(f"{r.id}-{u}", f"{r.name} {u or ''}", (Membership(r.id, u),))
            plh = Actor(
                f"plh-{r.id}-{u}",
                f"Plh {r.name}",
                (Membership(r.id, u, Delegation.PLH, own.id, own.name),),
            )
            people[r.id, u] = [own, plh]
    durations = dict.fromkeys(d.needs_duration_at_start(), "2 hari")
    starter = Actor("admin", "Admin", (), administrator=True)
    when = at(23, 8, 0, 1)
    c = Case(d, starter, when, calendar, case_id=f"r{seed}", period="TW I", units=UNITS,
             durations=durations)  # fmt: skip
    for _ in range(200):
        if c.state.status is not CaseStatus.ACTIVE:
            break
        when += timedelta(minutes=rng.randint(1, 600), microseconds=rng.randint(0, 999_999))
        task = c.state.open_tasks[rng.choice(sorted(c.state.open_tasks))]
        step = d.steps_by_number[task.step]
        unit = task.unit if d.roles_by_id[step.actor].per_unit else None
        who = rng.choice(people[step.actor, unit])
        if task.assignee is not None:
            who = next(a for a in people[step.actor, unit] if a.id == task.assignee)
        roll = rng.random()
        if task.assignee is None and roll < 0.2:
            action = Claim(task.id)
        elif step.gate is not None:
            tidak = roll < 0.35
            action = Decide(task.id, Answer.TIDAK if tidak else Answer.YA, "catatan" * tidak)
        else:
            action = Complete(task.id, rng.choice(["", "selesai"]), {"n": rng.randint(0, 9)})
        try:
            c.do(action, who, when)
        except ActionError:
            continue  # e.g. a Plh on a step without delegation
    return c


@pytest.mark.parametrize("seed", range(6))
def test_random_walks_of_every_installed_sop_round_trip(sample, calendar, seed) -> None:
    for d in [sample, *_installed_definitions()]:
        c = _random_walk(d, calendar, seed)
        assert len(c.states) > 3
        assert_round_trips(c.states, c.events)
