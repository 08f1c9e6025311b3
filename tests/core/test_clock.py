"""The clock's pure rules (alur.core.clock): the policy and a step's override read from TOML
with every problem at once, the timers of a task on the working calendar, escalation to the
atasan, and the clock events folded into the case state."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest

from alur.core import DefinitionError, definition_from_mapping
from alur.core.calendar import JAKARTA
from alur.core.clock import (
    DEFAULT_POLICY,
    ClockPolicy,
    StepClock,
    TimerKind,
    clock_event,
    digest_day,
    escalation_role,
    next_send_time,
    parse_office_policy,
    parse_step_clock,
    timers_for,
)
from alur.core.clock.policy import problem_field
from alur.core.durations import Duration
from alur.core.engine import StartCase, start
from alur.core.engine.events import EventKind
from alur.core.engine.state import replay
from alur.core.errors import TaskNotOpen
from alur.core.snapshot import definition_to_dict


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=JAKARTA)  # 23 Nov 2026 is a Monday


def with_chain(mapping: dict) -> dict:
    data = copy.deepcopy(mapping)
    atasan = {"staf": "kasubag", "kabid": "kasubag", "kasubag": "kepala"}
    for role in data["roles"]:
        if role["id"] in atasan:
            role["atasan"] = atasan[role["id"]]
    return data


# --- policy and override ----------------------------------------------------------------


def test_an_office_policy_reports_every_problem_with_its_field() -> None:
    policy, problems = parse_office_policy(
        {
            "remind_before": "150%",
            "escalate_after": "sebentar",
            "remind_at_due": "ya",
            "digest": True,
            "colour": "red",
        }
    )
    assert {problem_field(p) for p in problems} == {
        "remind_before",
        "escalate_after",
        "remind_at_due",
        "colour",
    }
    assert {p.code for p in problems} == {
        "clock_bad_percent",
        "clock_bad_duration",
        "clock_bad_flag",
        "clock_unknown_key",
    }
    assert policy == DEFAULT_POLICY  # the wrong fields keep the defaults


def test_an_office_policy_round_trips_through_its_stored_form() -> None:
    policy = ClockPolicy(
        remind_before_percent=25,
        remind_before_min=Duration.parse("4 jam"),
        remind_at_due=False,
        escalate_after=None,
        escalate_to="kepala",
        digest=False,
    )
    again, problems = parse_office_policy(policy.to_mapping())
    assert problems == []
    assert again == policy


def test_a_step_override_replaces_only_what_it_names() -> None:
    override, problems = parse_step_clock(
        {"remind_before": False, "escalate_after": "2 jam", "escalate_to": "kepala"}, 4
    )
    assert problems == []
    merged = DEFAULT_POLICY.with_step(override)
    assert merged.remind_before_percent is None
    assert merged.escalate_after == Duration.parse("2 jam")
    assert merged.escalate_to == "kepala"
    assert merged.remind_at_due is DEFAULT_POLICY.remind_at_due
    assert DEFAULT_POLICY.with_step(StepClock(escalate_after=False)).escalate_after is None


def test_the_loader_reads_the_clock_table_and_atasan(sample_mapping) -> None:
    data = with_chain(sample_mapping)
    data["steps"][1]["clock"] = {"remind_before": "50%", "escalate_to": "kepala"}
    d = definition_from_mapping(data)
    assert d.role("staf").atasan == "kasubag"
    assert d.step(2).clock == StepClock(remind_before=50, escalate_to="kepala")


def test_the_loader_reports_clock_and_atasan_problems_at_once(sample_mapping) -> None:
    data = with_chain(sample_mapping)
    data["roles"][0]["atasan"] = "camat"  # not a role
    data["roles"][2]["atasan"] = "staf"  # kasubag -> staf -> (camat); no loop
    data["roles"][3]["atasan"] = "kepala"  # itself
    data["steps"][0]["clock"] = {"remind_before": "0%", "escalate_to": "bupati", "ping": 1}
    data["steps"][4]["clock"] = {"escalate_after": "Sesuai dengan waktu yang ditentukan"}
    with pytest.raises(DefinitionError) as info:
        definition_from_mapping(data, source="contoh.toml", plugin="contoh_plugin")
    found = {(p.code, p.step) for p in info.value.problems}
    assert found == {
        ("unknown_atasan", None),
        ("atasan_self", None),
        ("clock_bad_percent", 1),
        ("clock_unknown_key", 1),
        ("clock_unknown_role", 1),
        ("clock_bad_duration", 5),
    }
    assert all(p.file == "contoh.toml" for p in info.value.problems)


def test_a_loop_of_atasan_is_refused(sample_mapping) -> None:
    data = with_chain(sample_mapping)
    data["roles"][3]["atasan"] = "staf"  # kepala -> staf -> kasubag -> kepala
    with pytest.raises(DefinitionError) as info:
        definition_from_mapping(data)
    assert {p.code for p in info.value.problems} == {"atasan_cycle"}


def test_a_definition_without_clock_or_atasan_keeps_its_hash(sample_mapping) -> None:
    plain = definition_from_mapping(sample_mapping)
    data = with_chain(sample_mapping)
    data["steps"][1]["clock"] = {"remind_before": False, "escalate_after": "2 jam"}
    chained = definition_from_mapping(data)
    assert plain.content_hash != chained.content_hash  # atasan is part of the procedure
    # the serialised form of a definition without them has no such keys at all, so the
    # hashes pinned by running cases before the clock existed stay what they were
    form = definition_to_dict(plain)
    assert all("atasan" not in r for r in form["roles"])
    assert all("clock" not in s for s in form["steps"])
    assert definition_from_mapping(definition_to_dict(chained)) == chained  # clock, atasan kept
    assert definition_to_dict(chained)["steps"][1]["clock"] == data["steps"][1]["clock"]


# --- timers -------------------------------------------------------------------------------


def test_a_two_day_step_is_reminded_halfway_at_due_and_escalated_a_day_later(calendar) -> None:
    opened = at(23, 9)
    due = calendar.due(opened, Duration.parse("2 hari"))
    timers = timers_for(
        opened_at=opened, due=due, policy=DEFAULT_POLICY, calendar=calendar, escalate_to="kepala"
    )
    assert [(t.kind, t.fires_at, t.to_role) for t in timers] == [
        (TimerKind.REMIND_BEFORE, at(24, 9), None),
        (TimerKind.REMIND_DUE, at(25, 9), None),
        (TimerKind.ESCALATE, at(26, 9), "kepala"),
    ]


def test_a_short_step_gets_no_early_reminder_and_timers_stay_in_office_hours(calendar) -> None:
    opened = at(27, 15, 30)  # Friday, half an hour before closing
    due = calendar.due(opened, Duration.parse("2 jam"))
    assert due == datetime(2026, 11, 30, 9, 0, tzinfo=JAKARTA)  # Monday
    timers = timers_for(
        opened_at=opened, due=due, policy=DEFAULT_POLICY, calendar=calendar, escalate_to=None
    )
    assert [t.kind for t in timers] == [TimerKind.REMIND_DUE]  # < 1 hari; nobody to escalate to
    escalating = timers_for(
        opened_at=opened,
        due=due,
        policy=ClockPolicy(escalate_after=Duration.parse("7 jam")),
        calendar=calendar,
        escalate_to="kepala",
    )
    # 09:00 + 7 office hours is the closing time, which stays the closing time (calendar rule)
    assert escalating[-1].fires_at == datetime(2026, 11, 30, 16, 0, tzinfo=JAKARTA)
    assert next_send_time(escalating[-1].fires_at, calendar) == datetime(
        2026, 12, 1, 7, 30, tzinfo=JAKARTA
    )


def test_a_task_without_due_time_has_no_timers(calendar) -> None:
    assert (
        timers_for(
            opened_at=at(23, 9), due=None, policy=DEFAULT_POLICY, calendar=calendar, escalate_to="x"
        )
        == ()
    )


def test_escalation_goes_to_the_atasan_unless_the_policy_names_a_role(sample_mapping) -> None:
    d = definition_from_mapping(with_chain(sample_mapping))
    assert escalation_role(d, "staf", DEFAULT_POLICY) == "kasubag"
    assert escalation_role(d, "kepala", DEFAULT_POLICY) is None  # the top has no atasan
    named = ClockPolicy(escalate_to="kepala")
    assert escalation_role(d, "staf", named) == "kepala"
    assert escalation_role(d, "kepala", named) is None  # never to oneself
    elsewhere = ClockPolicy(escalate_to="bupati")  # an office role another SOP has
    assert escalation_role(d, "staf", elsewhere) == "kasubag"


def test_messages_wait_for_office_hours_and_the_digest_for_opening(calendar) -> None:
    assert next_send_time(at(23, 10), calendar) == at(23, 10)
    assert next_send_time(at(23, 20), calendar) == at(24, 7, 30)
    assert next_send_time(at(28, 9), calendar) == at(30, 7, 30)  # Saturday -> Monday
    assert digest_day(at(23, 7), calendar) is None
    assert digest_day(at(23, 7, 30), calendar) == at(23, 7, 30).date()
    assert digest_day(at(29, 9), calendar) is None  # Sunday


# --- events -------------------------------------------------------------------------------


def test_clock_events_fold_into_the_state_and_replay(sample, people, calendar) -> None:
    from alur.core.engine import Context

    ctx = Context(actor=people.staf, now=at(23, 9), calendar=calendar)
    t = start(
        sample, StartCase("c1", "Triwulan IV 2026", ("bidang-a", "bidang-b"), {3: "2 hari"}), ctx
    )
    task = next(iter(t.state.open_tasks.values()))
    reminded = clock_event(
        t.state, task.id, TimerKind.REMIND_BEFORE, at=at(24, 9), to=["1"], channels=["email"]
    )
    (e,) = reminded.events
    assert e.kind is EventKind.TASK_REMINDED
    assert (e.actor, e.step, e.task) == (None, task.step, task.id)
    assert dict(e.payload) == {"reason": "remind_before", "to": ["1"], "channels": ["email"]}
    assert reminded.state.task(task.id) == task  # a reminder changes nothing of the task
    escalated = clock_event(
        reminded.state,
        task.id,
        TimerKind.ESCALATE,
        at=at(26, 9),
        to=["2"],
        channels=[],
        to_role="kasubag",
    )
    assert escalated.state.task(task.id).escalated_to == "kasubag"
    assert escalated.state.task(task.id).assignee == task.assignee  # not taken from its holder
    assert replay([*t.events, *reminded.events, *escalated.events]) == escalated.state
    with pytest.raises(TaskNotOpen):
        clock_event(escalated.state, 999, TimerKind.REMIND_DUE, at=at(26, 9), to=[], channels=[])
    with pytest.raises(ValueError, match="role"):
        clock_event(escalated.state, task.id, TimerKind.ESCALATE, at=at(26, 9), to=[], channels=[])
