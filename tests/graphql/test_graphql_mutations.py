"""GraphQL mutations through ``schema.execute`` on SQLite and PostgreSQL: each one's happy
path (through the same service layer as the web UI, as the token's person) and its typed
failures; read and platform tokens cannot change anything; another office's case key is
always ``NotFound``."""

from __future__ import annotations

from typing import Any

import pytest

from alur.core import AlurPlugins
from alur.core.engine import Claim, Complete
from alur.graphql.testing import OFFICE_A, SOP_A, UNITS_A, World
from alur.tenants.cases.store import CaseStore
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.errors import Conflict
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.tables import Event, Membership, Tenant

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


RESULT = """
fragment Result on TaskActionResult {
  __typename
  ... on CaseChanged {
    case { key status tasks { number status assignee { username } step { number } } }
    events { kind actor { username } task step delegation actingFor { username } note }
  }
  ... on Error { message }
  ... on ActionRefused { code }
  ... on InvalidInput { fields { field message } }
}
"""
START = """
mutation Start($input: StartCaseInput!) {
  startCase(input: $input) {
    __typename
    ... on CaseChanged {
      case { key period status startedBy { username } tenant { slug } tasks { number } }
      events { seq kind actor { username } }
    }
    ... on Error { message }
    ... on ActionRefused { code }
    ... on InvalidInput { fields { field message } }
  }
}
"""
CLAIM = (
    "mutation($key: String!, $task: Int!) { claimTask(caseKey: $key, task: $task) { ...Result } }"
)
COMPLETE = """mutation($key: String!, $task: Int!, $note: String!, $data: JSON) {
  completeTask(caseKey: $key, task: $task, note: $note, data: $data) { ...Result } }"""
DECIDE = """mutation($key: String!, $task: Int!, $answer: Answer!, $note: String!) {
  decideGate(caseKey: $key, task: $task, answer: $answer, note: $note) { ...Result } }"""
REASSIGN = """mutation($key: String!, $task: Int!, $to: String!) {
  reassignTask(caseKey: $key, task: $task, to: $to) { ...Result } }"""
UNCLAIM = """mutation($key: String!, $task: Int!) {
  unclaimTask(caseKey: $key, task: $task) { ...Result } }"""
CANCEL = """mutation($key: String!, $reason: String!) {
  cancelCase(caseKey: $key, reason: $reason) { ...Result } }"""


async def do(world: World, mutation: str, token: str, **variables: Any) -> dict[str, Any]:
    """The one result of a mutation (which must not produce GraphQL errors)."""
    data = await world.data(
        mutation + RESULT if "...Result" in mutation else mutation, token, **variables
    )
    (result,) = data.values()
    return result


async def start(world: World) -> str:
    key = (await world.a.start_case(world.users["staf"], SOP_A, "Triwulan I 2026")).key
    # step 1 designs the format data kinerja: it cannot be completed without one
    await fill_in_sample(KinerjaService(world.a), world.users["staf"], key, 1)
    return key


# --- startCase -----------------------------------------------------------------------------------


async def test_start_case_as_the_tokens_person(world: World) -> None:
    result = await do(world, START, "a-staf", input={"sop": SOP_A, "period": "Triwulan II 2026"})
    assert result["__typename"] == "CaseChanged"
    case = result["case"]
    assert (case["period"], case["status"]) == ("Triwulan II 2026", "ACTIVE")
    assert case["startedBy"] == {"username": "staf"}
    assert case["tenant"] == {"slug": OFFICE_A}
    assert case["tasks"] == [{"number": 1}]
    assert [(e["seq"], e["kind"]) for e in result["events"]] == [
        (1, "CASE_STARTED"),
        (2, "TASK_OPENED"),
    ]
    assert result["events"][0]["actor"] == {"username": "staf"}
    stored = await world.a.case(case["key"])
    assert stored.state.units == UNITS_A


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"sop": "nope"}, "sop", 'no SOP "nope" in this office (SOPs: pengumpulan-data-kinerja)'),
        ({"period": "  "}, "period", "Give the period, e.g. Triwulan III 2026."),
        (
            {"period": "TW III 2026"},
            "period",
            "choose the period as Triwulan I–IV, Semester I–II or Tahun with the year, "
            'e.g. "Triwulan III 2026" (not "TW III 2026")',
        ),
        ({"units": ["linmas", "atlantis"]}, "units", "not units of this office: atlantis"),
    ],
)
async def test_start_case_invalid_input(
    world: World, given: dict[str, Any], field: str, message: str
) -> None:
    wanted = {"sop": SOP_A, "period": "Triwulan II 2026", **given}
    result = await do(world, START, "a-staf", input=wanted)
    assert result["__typename"] == "InvalidInput"
    assert result["fields"] == [{"field": field, "message": message}]


async def test_start_case_writes_the_period_one_way_and_refuses_a_second_case(
    world: World,
) -> None:
    first = await do(world, START, "a-staf", input={"sop": SOP_A, "period": "semester  ii 2026"})
    assert first["case"]["period"] == "Semester II 2026"
    again = await do(world, START, "a-staf", input={"sop": SOP_A, "period": "Semester II 2026"})
    assert again["__typename"] == "InvalidInput"
    assert again["fields"] == [
        {
            "field": "period",
            "message": "A case of this SOP for Semester II 2026 has already been started; "
            "this SOP runs once per period.",
        }
    ]
    # once the first is cancelled, the period is free again
    await world.a.cancel_case(world.users["staf"], first["case"]["key"], "Salah periode")
    third = await do(world, START, "a-staf", input={"sop": SOP_A, "period": "Semester II 2026"})
    assert third["__typename"] == "CaseChanged"


async def test_start_case_refused_by_the_engine(world: World) -> None:
    wanted = {"sop": SOP_A, "period": "Triwulan II 2026", "units": ["linmas", "linmas"]}
    result = await do(world, START, "a-staf", input=wanted)
    assert result == {
        "__typename": "ActionRefused",
        "message": "a unit is listed twice",
        "code": "invalid_action",
    }


async def test_start_case_with_a_duration_set_per_case(
    world: World, installed: AlurPlugins
) -> None:
    office = await create_tenant(
        installed, "biro-organisasi", "Biro Organisasi", "biro_organisasi_kalbar"
    )
    karo = await create_user("karo", "Karo Organisasi", "rahasia-2026")
    roles = installed.get("biro_organisasi_kalbar").sops["perbaikan-data-kinerja"].roles_by_id
    await add_membership(office.id, karo.id, roles["karo_organisasi"])
    world.tokens["karo"] = (
        await create_token("karo", "write", tenant="biro-organisasi", user="karo")
    ).token
    wanted = {"sop": "perbaikan-data-kinerja", "period": "Tahun 2026"}
    missing = await do(world, START, "karo", input=wanted)
    assert missing["fields"] == [
        {"field": "durations", "message": 'Give the time for step 2, e.g. "3 hari".'}
    ]
    unreadable = await do(
        world, START, "karo", input={**wanted, "durations": [{"step": 2, "waktu": "soon"}]}
    )
    assert unreadable["__typename"] == "InvalidInput"
    assert unreadable["fields"][0]["field"] == "durations"
    ok = await do(
        world, START, "karo", input={**wanted, "durations": [{"step": 2, "waktu": "3 hari"}]}
    )
    assert ok["__typename"] == "CaseChanged"


# --- claim, complete, decide, reassign --------------------------------------------------------------


async def test_claim_then_complete(world: World) -> None:
    key = await start(world)
    claimed = await do(world, CLAIM, "a-staf", key=key, task=1)
    assert claimed["__typename"] == "CaseChanged"
    assert [(e["kind"], e["actor"], e["task"]) for e in claimed["events"]] == [
        ("TASK_CLAIMED", {"username": "staf"}, 1)
    ]
    assert claimed["case"]["tasks"][0]["assignee"] == {"username": "staf"}
    taken = await do(world, CLAIM, "a-staf-2", key=key, task=1)
    assert taken["__typename"] == "ActionRefused"
    assert taken["code"] == "already_claimed"
    done = await do(
        world, COMPLETE, "a-staf", key=key, task=1, note="Draft terlampir", data={"lembar": 3}
    )
    assert [e["kind"] for e in done["events"]] == ["TASK_COMPLETED", "TASK_OPENED"]
    assert done["events"][0]["note"] == "Draft terlampir"
    assert [(t["number"], t["status"]) for t in done["case"]["tasks"]] == [(1, "DONE"), (2, "OPEN")]
    payload = await Event.select(Event.payload).where(Event.kind == "task_completed").first()
    assert "lembar" in str(payload)


async def test_task_refusals_are_typed(world: World) -> None:
    key = await start(world)
    wrong = await do(world, CLAIM, "a-kasubag", key=key, task=1)
    assert wrong == {
        "__typename": "ActionRefused",
        "message": "step 1 is performed by Staf; you do not hold that role",
        "code": "wrong_role",
    }
    missing = await do(world, CLAIM, "a-staf", key=key, task=99)
    assert missing == {
        "__typename": "NotFound",
        "message": "task 99 does not exist in this case",
    }
    not_object = await do(world, COMPLETE, "a-staf", key=key, task=1, note="", data=[1, 2])
    assert not_object["__typename"] == "InvalidInput"
    assert not_object["fields"][0]["field"] == "data"
    await world.a.act(world.users["staf"], key, Complete(1))
    gate = await do(world, COMPLETE, "a-kasubag", key=key, task=2, note="", data=None)
    assert gate["code"] == "decision_required"
    no_note = await do(world, DECIDE, "a-kasubag", key=key, task=2, answer="TIDAK", note=" ")
    assert no_note["code"] == "note_required"
    closed = await do(world, CLAIM, "a-staf", key=key, task=1)
    assert closed["code"] == "task_not_open"


async def test_decide_ya_and_tidak_by_a_plh(world: World) -> None:
    key = await start(world)
    await world.a.act(world.users["staf"], key, Complete(1))
    back = await do(world, DECIDE, "a-plh", key=key, task=2, answer="TIDAK", note="Format salah")
    assert back["__typename"] == "CaseChanged"
    decided = back["events"][0]
    assert decided["kind"] == "GATE_DECIDED"
    assert (decided["actor"], decided["delegation"], decided["actingFor"]) == (
        {"username": "plh.kasubag"},
        "PLH",
        {"username": "kasubag"},
    )
    assert back["case"]["tasks"][-1]["step"] == {"number": 1}
    await world.a.act(world.users["staf"], key, Complete(3))
    on = await do(world, DECIDE, "a-kasubag", key=key, task=4, answer="YA", note="")
    assert [e["kind"] for e in on["events"]] == ["GATE_DECIDED", "TASK_OPENED"]
    assert on["case"]["tasks"][-1]["step"] == {"number": 3}


async def test_reassign(world: World) -> None:
    key = await start(world)
    await world.a.act(world.users["staf"], key, Claim(1))
    given = await do(world, REASSIGN, "a-staf", key=key, task=1, to="staf-2")
    assert given["__typename"] == "CaseChanged"
    assert given["events"][0]["kind"] == "TASK_REASSIGNED"
    assert given["case"]["tasks"][0]["assignee"] == {"username": "staf-2"}
    for nobody in ("ghost", "b.kepala"):  # unknown, or of another office: the same answer
        result = await do(world, REASSIGN, "a-staf-2", key=key, task=1, to=nobody)
        assert result["fields"] == [
            {"field": "to", "message": f'no user "{nobody}" in this office'}
        ]
    wrong_role = await do(world, REASSIGN, "a-staf-2", key=key, task=1, to="kasubag")
    assert wrong_role["code"] == "wrong_role"
    not_holder = await do(world, REASSIGN, "a-staf", key=key, task=1, to="staf")
    assert not_holder["code"] == "not_permitted"


async def test_unclaim(world: World) -> None:
    key = await start(world)
    nothing = await do(world, UNCLAIM, "a-staf", key=key, task=1)
    assert nothing["__typename"] == "ActionRefused"
    assert (nothing["code"], nothing["message"]) == (
        "not_claimed",
        "task 1 is not claimed: there is nothing to give back",
    )
    await world.a.act(world.users["staf"], key, Claim(1))
    not_yours = await do(world, UNCLAIM, "a-staf-2", key=key, task=1)
    assert not_yours["code"] == "already_claimed"
    back = await do(world, UNCLAIM, "a-staf", key=key, task=1)
    assert back["__typename"] == "CaseChanged"
    assert [(e["kind"], e["actor"], e["task"]) for e in back["events"]] == [
        ("TASK_UNCLAIMED", {"username": "staf"}, 1)
    ]
    assert back["case"]["tasks"][0]["assignee"] is None
    taken = await do(world, CLAIM, "a-staf-2", key=key, task=1)  # a colleague takes it
    assert taken["case"]["tasks"][0]["assignee"] == {"username": "staf-2"}


async def test_cancel_case(world: World) -> None:
    key = await start(world)
    refused = await do(world, CANCEL, "a-kabid-linmas", key=key, reason="Salah")
    assert refused["__typename"] == "ActionRefused"
    assert refused["code"] == "not_permitted"
    no_reason = await do(world, CANCEL, "a-staf", key=key, reason="  ")
    assert no_reason["fields"] == [{"field": "reason", "message": "Say why the case is cancelled."}]
    done = await do(world, CANCEL, "a-staf", key=key, reason="Periode salah")
    assert done["__typename"] == "CaseChanged"
    assert done["case"]["status"] == "CANCELLED"
    assert [e["kind"] for e in done["events"]] == ["TASK_CANCELLED", "CASE_CANCELLED"]
    assert done["events"][-1]["note"] == "Periode salah"
    again = await do(world, CANCEL, "a-staf", key=key, reason="Lagi")
    assert again["code"] == "case_not_active"


# --- who may change anything ------------------------------------------------------------------------


MUTATIONS = [
    (CLAIM, {"task": 1}),
    (COMPLETE, {"task": 1, "note": "", "data": None}),
    (DECIDE, {"task": 1, "answer": "YA", "note": ""}),
    (REASSIGN, {"task": 1, "to": "staf-2"}),
    (UNCLAIM, {"task": 1}),
    (CANCEL, {"reason": "x"}),
]


@pytest.mark.parametrize("token", ["a-read", "platform"])
async def test_read_and_platform_tokens_cannot_change_anything(world: World, token: str) -> None:
    key = await start(world)
    forbidden = {
        "__typename": "Forbidden",
        "message": "this API token may only read: changes need a write token of the office, "
        "which acts for a person",
    }
    for mutation, variables in MUTATIONS:
        assert await do(world, mutation, token, key=key, **variables) == forbidden
    started = await do(world, START, token, input={"sop": SOP_A, "period": "2026"})
    assert started == forbidden
    assert await Event.count() == 2 + 2  # office B's case and ours: nothing was written


async def test_another_offices_case_is_always_not_found(world: World) -> None:
    for mutation, variables in MUTATIONS:
        for token in ("a-staf", "a-kasubag"):
            result = await do(world, mutation, token, key=world.case_b, **variables)
            assert result == {
                "__typename": "NotFound",
                "message": f"case {world.case_b} not found",
            }
    key = await start(world)
    result = await do(world, CLAIM, "b-write", key=key, task=1)
    assert result["__typename"] == "NotFound"


async def test_a_person_no_longer_in_the_office_loses_the_token(world: World) -> None:
    """Their token is refused outright — reads too — not only their changes (issue 11)."""
    key = await start(world)
    await Membership.delete().where(Membership.user == world.users["staf-2"])
    for query in (CLAIM + RESULT, "{ cases(first: 1) { __typename } }"):
        result = await world.run(query, "a-staf-2", key=key, task=1)
        assert result.data is None
        assert result.errors
        assert [e.extensions["code"] for e in result.errors] == ["UNAUTHENTICATED"]


async def test_a_suspended_office_is_forbidden(world: World) -> None:
    key = await start(world)
    await Tenant.update({Tenant.suspended: True}).where(Tenant.slug == OFFICE_A)
    result = await do(world, CLAIM, "a-staf", key=key, task=1)
    assert result["__typename"] == "Forbidden"
    assert OFFICE_A in result["message"]


async def test_a_concurrent_change_is_a_conflict(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await start(world)

    async def lost_the_race(*args: Any) -> Any:
        raise Conflict()

    monkeypatch.setattr(CaseStore, "apply", lost_the_race)
    result = await do(world, CLAIM, "a-staf", key=key, task=1)
    assert result["__typename"] == "Conflict"
    assert "at the same moment" in result["message"]


async def test_messages_follow_the_requested_language(world: World) -> None:
    key = await start(world)
    query = CLAIM + RESULT
    result = await world.run(query, "a-kasubag", language="id", key=key, task=1)
    refused = result.data["claimTask"]  # type: ignore[index]
    assert refused["code"] == "wrong_role"
    assert refused["message"] != "step 1 is performed by Staf; you do not hold that role"
    assert "Staf" in refused["message"]
