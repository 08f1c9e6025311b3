"""``previewCaseMove`` and ``moveCases`` on SQLite and PostgreSQL: the dry run, the move,
a refused case, and the typed refusals (Forbidden, NotFound, InvalidInput)."""

from __future__ import annotations

from datetime import datetime

import pytest

from alur.graphql.testing import OFFICE_A, PASSWORD, SOP_A, World
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.tables import User

pytestmark = pytest.mark.anyio

PLAN = """
  case period sop fromRevision toRevision canMove refusals
  mapping { from to }
  kept { task fromStep step kegiatan roleName dueBefore due }
  closed { task step roleName }
  opened { step roleName due insteadOf }
"""
PREVIEW = (
    "mutation($sop: String!, $cases: [String!]!, $mapping: [StepMapInput!]) {"
    " previewCaseMove(sop: $sop, cases: $cases, mapping: $mapping) {"
    " __typename ... on CaseMovePreview { plans {" + PLAN + "} }"
    " ... on Error { message code } ... on InvalidInput { fields { field message } } } }"
)
MOVE = (
    "mutation($sop: String!, $cases: [String!]!) { moveCases(sop: $sop, cases: $cases) {"
    " __typename ... on CasesMoved { results { case moved reasons plan { toRevision } } }"
    " ... on Error { message code } } }"
)


async def in_force(world: World) -> str:
    """A running case of office A, then an admin (token ``a-admin``) and an approved
    revision in force today giving step 1 "4 hari"; the case's key."""
    case = await world.a.start_case(world.users["staf"], SOP_A, "Triwulan I 2027")
    admin = await create_user("admin.a", "Admin (A)", PASSWORD)
    await add_membership(world.a.ref.id, admin.id, None, administrator=True)
    world.tokens["a-admin"] = (
        await create_token("a-admin", "write", tenant=OFFICE_A, user="admin.a")
    ).token
    await User.update({User.nip: "197001012000031001"}).where(User.id == world.users["kepala"])
    service = await TenantService.open(world.db, world.plugins, OFFICE_A)
    drafts = SopRevisions(service, admin.id)
    draft = await drafts.start_draft(SOP_A)
    draft = await drafts.save_draft(
        SOP_A,
        0,
        {"steps": [{"number": 1, "waktu": "4 hari"}]},
        effective_on=service.today().isoformat(),
        version=draft.version,
    )
    draft = await drafts.submit(SOP_A, 0, version=draft.version)
    await SopRevisions(service, world.users["kepala"]).approve(
        SOP_A, 0, version=draft.version, password="rahasia-2026"
    )
    return case.key


async def test_preview_then_move(world: World) -> None:
    key = await in_force(world)
    data = await world.data(PREVIEW, "a-admin", sop=SOP_A, cases=[key])
    result = data["previewCaseMove"]
    assert result["__typename"] == "CaseMovePreview", result
    (plan,) = result["plans"]
    assert (plan["case"], plan["fromRevision"], plan["toRevision"]) == (key, None, 0)
    assert plan["canMove"] is True
    assert plan["refusals"] == []
    (kept,) = plan["kept"]
    assert (kept["task"], kept["step"], kept["roleName"]) == (1, 1, "Staf")
    assert kept["due"] > kept["dueBefore"]
    assert {"from": 1, "to": 1} in plan["mapping"]
    moved = (await world.data(MOVE, "a-admin", sop=SOP_A, cases=[key]))["moveCases"]
    assert moved["results"] == [
        {"case": key, "moved": True, "reasons": [], "plan": {"toRevision": 0}}
    ]
    timeline = await world.data(
        "query($key: String!) { case(key: $key) { ... on Case { sop { version }"
        " tasks { number due step { number } } events { kind } } } }",
        "a-read",
        key=key,
    )
    kinds = [e["kind"] for e in timeline["case"]["events"]]
    assert kinds[-1] == "CASE_MIGRATED"
    due = timeline["case"]["tasks"][0]["due"]
    assert datetime.fromisoformat(due) == datetime.fromisoformat(kept["due"])
    again = (await world.data(MOVE, "a-admin", sop=SOP_A, cases=[key]))["moveCases"]
    (result,) = again["results"]
    assert result["moved"] is False
    assert "already runs" in result["reasons"][0]
    assert await world.a.store.verify_cases(world.a.ref) == []


async def test_refusals_are_typed(world: World) -> None:
    key = await in_force(world)
    asked = [
        ("a-staf", {"cases": [key]}, "Forbidden"),  # not an administrator
        ("b-write", {"cases": [key]}, "Forbidden"),  # office B's kepala is no admin there
        ("a-admin", {"cases": []}, "InvalidInput"),
        ("a-admin", {"cases": [key], "mapping": [{"from": 0, "to": 1}]}, "InvalidInput"),
        ("a-admin", {"cases": ["0000000000000000"]}, "NotFound"),
        ("a-admin", {"cases": [world.case_b]}, "NotFound"),  # another office's case
        ("a-read", {"cases": [key]}, "Forbidden"),
    ]
    for token, variables, typename in asked:
        data = await world.data(PREVIEW, token, sop=SOP_A, **variables)
        assert data["previewCaseMove"]["__typename"] == typename, (token, variables, data)
    wrong_sop = await world.data(PREVIEW, "a-admin", sop="no-such-sop", cases=[key])
    assert wrong_sop["previewCaseMove"]["__typename"] == "NotFound"
