"""An office's SOP revisions through GraphQL (alur.graphql.sops.revisions), on SQLite and
PostgreSQL: a revision walked from draf to berlaku by write tokens, the comparison, who may
read and act, the JSON limits of ``part``, the statements of a list — and parity: the same
refusal (a bad waktu, a stale version, an approval by someone not holding the signing role)
gives the same code and fields through GraphQL as through the service."""

from __future__ import annotations

from typing import Any

import pytest

from alur.core.errors import AlurError
from alur.graphql.context import make_context
from alur.graphql.limits import TOO_COSTLY
from alur.graphql.schema import schema
from alur.graphql.testing import OFFICE_A, PASSWORD, SOP_A, World
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.snapshots import _PARSED
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import authenticate, create_token
from alur.tenants.sop_life.batch import revision_refs_of
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.tables import Event, User
from tests.statements import counting

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

NIP = "197001012000031001"
ERROR = "... on Error { code message }"
FAILURES = ERROR + " ... on InvalidInput { fields { field message } }"
REVISION = """sop number state inForce baseHash contentHash version effectiveOn note
  signatory { nama jabatan nip } updatedBy updatedAt submittedAt approvedAt endedAt part"""
CHANGED = "__typename ... on SopRevisionChanged { revision { " + REVISION + " } } " + FAILURES

START = "mutation($sop: String!) { startSopDraft(sop: $sop) { " + CHANGED + " } }"
SAVE = (
    "mutation($sop: String!, $n: Int!, $part: JSON!, $v: Int!, $on: String) {"
    " saveSopDraft(sop: $sop, number: $n, part: $part, version: $v, effectiveOn: $on) { "
    + CHANGED
    + " } }"
)
SUBMIT = (
    "mutation($sop: String!, $n: Int!, $v: Int!) {"
    " submitSopRevision(sop: $sop, number: $n, version: $v) { " + CHANGED + " } }"
)
APPROVE = (
    "mutation($sop: String!, $n: Int!, $v: Int!, $pw: String) {"
    " approveSopRevision(sop: $sop, number: $n, version: $v, password: $pw) { " + CHANGED + " } }"
)
RETURN = (
    "mutation($sop: String!, $n: Int!, $note: String!) {"
    " returnSopRevision(sop: $sop, number: $n, note: $note) { " + CHANGED + " } }"
)
REVOKE = RETURN.replace("returnSopRevision", "revokeSopRevision")
LIST = (
    "query($sop: String) { sopRevisions(sop: $sop) { __typename"
    " ... on SopRevisionList { revisions { " + REVISION + " definition { hash"
    " header { nomor tanggalEfektif disahkanOleh { nama nip } } steps { number waktu { text } } }"
    " } } " + ERROR + " } }"
)
ONE = (
    "query($sop: String!, $n: Int!) { sopRevision(sop: $sop, number: $n) { __typename"
    " ... on SopRevision { " + REVISION + " } " + ERROR + " } }"
)
COMPARE = (
    "query($sop: String!, $from: Int, $to: Int, $base: Boolean! = false) {"
    " sopComparison(sop: $sop, from: $from, to: $to, fromBase: $base) { __typename"
    " ... on SopComparison { sop fromNumber fromHash toNumber toHash"
    " changes { path where step field before after } } " + FAILURES + " } }"
)


async def with_drafter_and_signer(world: World) -> tuple[int, int]:
    """Office A's administrator (token ``a-admin``), its Kepala Satuan with a NIP
    (``a-kepala``), the official who approves its SOPs, and a read token of its Staf
    (``a-read-person``)."""
    admin = await create_user("admin.a", "Admin (A)", PASSWORD)
    await add_membership(world.a.ref.id, admin.id, None, administrator=True)
    kepala = world.users["kepala"]
    await User.update({User.nip: NIP, User.jabatan: "Kepala Satuan"}).where(User.id == kepala)
    assert world.a.sop(SOP_A).pengesah_role.id == "kepala_satuan"  # type: ignore[union-attr]
    for label, user in (("a-admin", "admin.a"), ("a-kepala", "kepala")):
        world.tokens[label] = (await create_token(label, "write", tenant=OFFICE_A, user=user)).token
    # a read token bound to a person reads the revisions too
    made = await create_token("a-read-person", tenant=OFFICE_A, user="staf")
    world.tokens["a-read-person"] = made.token
    return admin.id, kepala


async def one(world: World, query: str, token: str, **variables: Any) -> dict[str, Any]:
    """The single root field's value of a query that must run without GraphQL errors."""
    data = await world.data(query, token, **variables)
    (value,) = data.values()
    return value


def timed_step(world: World) -> int:
    """A step of SOP A whose waktu is an amount (not set per case)."""
    return next(s.number for s in world.a.sop(SOP_A).steps if s.waktu.amount is not None)


async def test_a_revision_walks_from_draf_to_berlaku_through_graphql(world: World) -> None:
    await with_drafter_and_signer(world)
    step = timed_step(world)
    today = (await TenantService.open(world.db, world.plugins, OFFICE_A)).today().isoformat()
    drafted = await one(world, START, "a-admin", sop=SOP_A)
    assert drafted["__typename"] == "SopRevisionChanged", drafted
    rev = drafted["revision"]
    assert (rev["number"], rev["state"], rev["version"], rev["inForce"]) == (0, "DRAF", 1, False)
    part = {"header": {"nomor": "800/7/2027"}, "steps": [{"number": step, "waktu": "3 hari"}]}
    saved = await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part=part, v=1, on=today)
    rev = saved["revision"]
    assert (rev["version"], rev["effectiveOn"], rev["part"]) == (2, today, part)
    # Two people editing the same draft: the second save is told it changed.
    stale = await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part={}, v=1, on=today)
    assert (stale["__typename"], stale["code"]) == ("Conflict", "stale_revision")
    submitted = (await one(world, SUBMIT, "a-admin", sop=SOP_A, n=0, v=2))["revision"]
    assert (submitted["state"], bool(submitted["submittedAt"])) == ("DIAJUKAN", True)
    # Returned with a note, submitted again.
    returned = (await one(world, RETURN, "a-kepala", sop=SOP_A, n=0, note="Cek nomor"))["revision"]
    assert (returned["state"], returned["note"]) == ("DRAF", "Cek nomor")
    submitted = await one(world, SUBMIT, "a-admin", sop=SOP_A, n=0, v=returned["version"])
    version = submitted["revision"]["version"]
    refused = await one(world, APPROVE, "a-kasubag", sop=SOP_A, n=0, v=version)
    assert (refused["__typename"], refused["code"]) == ("Forbidden", "forbidden")
    # The password is asked again: none, or a wrong one, approves nothing.
    for pw in (None, "bukan-sandinya"):
        refused = await one(world, APPROVE, "a-kepala", sop=SOP_A, n=0, v=version, pw=pw)
        assert (refused["__typename"], refused["fields"][0]["field"]) == (
            "InvalidInput",
            "password",
        )
    approved = await one(world, APPROVE, "a-kepala", sop=SOP_A, n=0, v=version, pw=PASSWORD)
    approved = approved["revision"]
    assert (approved["state"], approved["inForce"]) == ("BERLAKU", True)
    assert approved["signatory"] == {"nama": "Kepala (A)", "jabatan": "Kepala Satuan", "nip": NIP}
    # The list: its definition is what the office now runs.
    (listed,) = (await one(world, LIST, "a-staf", sop=SOP_A))["revisions"]
    assert listed["contentHash"] == approved["contentHash"]
    d = listed["definition"]
    assert d["hash"] == approved["contentHash"]
    assert d["header"]["nomor"] == "800/7/2027"
    assert d["header"]["disahkanOleh"] == {"nama": "Kepala (A)", "nip": NIP}
    assert {"number": step, "waktu": {"text": "3 hari"}} in d["steps"]
    office = await TenantService.open(world.db, world.plugins, OFFICE_A)
    assert office.sop(SOP_A).content_hash == approved["contentHash"]
    # What the office changed from the plugin's definition, field by field.
    changes = await one(world, COMPARE, "a-read-person", sop=SOP_A, to=0, base=True)
    assert changes["__typename"] == "SopComparison", changes
    assert (changes["fromNumber"], changes["toNumber"]) == (None, 0)
    waktu = next(c for c in changes["changes"] if c["path"] == f"steps.{step}.waktu")
    assert (waktu["where"], waktu["step"], waktu["field"], waktu["after"]) == (
        "step",
        step,
        "waktu",
        "3 hari",
    )
    paths = {c["path"] for c in changes["changes"]}
    assert {"header.nomor", "header.disahkan_oleh"} <= paths
    # Revoked by the pengesah (a reason required): the office runs the plugin's again.
    why = await one(world, REVOKE, "a-kepala", sop=SOP_A, n=0, note="")
    assert (why["__typename"], why["fields"][0]["field"]) == ("InvalidInput", "note")
    revoked = (await one(world, REVOKE, "a-kepala", sop=SOP_A, n=0, note="Salah"))["revision"]
    assert (revoked["state"], revoked["inForce"], revoked["note"]) == ("DICABUT", False, "Salah")
    # Every transition is on the office's chain.
    payloads = " ".join(
        str(e["payload"])
        for e in await Event.select(Event.payload).where(Event.kind == "office_changed")
    )
    for what in ("drafted", "saved", "submitted", "returned", "approved", "in_force", "revoked"):
        assert f"sop_revision_{what}" in payloads, what


async def test_one_revision_and_the_comparisons(world: World) -> None:
    await with_drafter_and_signer(world)
    step = timed_step(world)
    await one(world, START, "a-admin", sop=SOP_A)
    part = {"steps": [{"number": step, "waktu": "4 hari", "keterangan": "Baru"}]}
    await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part=part, v=1)
    got = await one(world, ONE, "a-staf", sop=SOP_A, n=0)
    assert (got["__typename"], got["part"], got["effectiveOn"]) == ("SopRevision", part, None)
    missing = await one(world, ONE, "a-staf", sop=SOP_A, n=7)
    assert (missing["__typename"], missing["code"]) == ("NotFound", "not_found")
    # From the revision to the plugin's definition as it ships now: its own changes, back.
    back = await one(world, COMPARE, "a-staf", sop=SOP_A, **{"from": 0})
    assert (back["fromNumber"], back["toNumber"]) == (0, None)
    found = {c["path"]: (c["before"], c["after"]) for c in back["changes"]}
    assert found[f"steps.{step}.waktu"][0] == "4 hari"
    assert found[f"steps.{step}.keterangan"][0] == "Baru"
    # Its base to the current plugin definition: the same plugin version, nothing changed.
    newer = await one(world, COMPARE, "a-staf", sop=SOP_A, base=True, **{"from": 0})
    assert (newer["changes"], newer["fromHash"]) == ([], newer["toHash"])
    # A comparison names at least one revision.
    for variables in ({}, {"base": True}, {"to": 0}):
        bad = await one(world, COMPARE, "a-staf", sop=SOP_A, **variables)
        assert (bad["__typename"], bad["fields"][0]["field"]) == ("InvalidInput", "from")
    unknown = await one(world, COMPARE, "a-staf", sop="tidak-ada", base=True, **{"from": 0})
    assert unknown["__typename"] == "NotFound"


async def test_who_may_read_and_act(world: World) -> None:
    await with_drafter_and_signer(world)
    # A read token may not change anything; a token with no person may not read them.
    for token in ("a-read", "platform"):
        refused = await one(world, START, token, sop=SOP_A)
        assert (refused["__typename"], refused["code"]) == ("Forbidden", "forbidden")
        listed = await one(world, LIST, token, sop=SOP_A)
        assert (listed["__typename"], listed["code"]) == ("Forbidden", "forbidden")
    # A Staf (neither administrator nor penyusun) may not draft.
    staf = await one(world, START, "a-staf", sop=SOP_A)
    assert (staf["__typename"], staf["code"]) == ("Forbidden", "forbidden")
    # One open draft at a time.
    await one(world, START, "a-admin", sop=SOP_A)
    again = await one(world, START, "a-admin", sop=SOP_A)
    assert (again["__typename"], again["code"]) == ("Conflict", "open_draft_exists")
    # Saving a submitted revision is refused by its state.
    await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part={}, v=1, on="2030-01-02")
    await one(world, SUBMIT, "a-admin", sop=SOP_A, n=0, v=2)
    late = await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part={}, v=3)
    assert (late["__typename"], late["code"]) == ("Conflict", "revision_state")
    # Office B's token sees nothing of A's revisions.
    assert (await one(world, LIST, "b-write"))["revisions"] == []


async def test_the_part_keeps_to_the_json_limits(world: World) -> None:
    await with_drafter_and_signer(world)
    await one(world, START, "a-admin", sop=SOP_A)
    deep: Any = "x"
    for _ in range(12):
        deep = {"a": deep}
    for part in ({"header": deep}, {"steps": [{"number": 1}] * 1200}):
        refused = await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part=part, v=1)
        assert (refused["__typename"], refused["fields"][0]["field"]) == ("InvalidInput", "part")
    # Not an object: the service says what it wants.
    shape = await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part=[1, 2], v=1)
    assert (shape["__typename"], shape["fields"][0]["field"]) == ("InvalidInput", "part")


# --- parity: the same refusal through the service and through GraphQL -----------------------


async def refusal(run: Any) -> tuple[str, set[str]]:
    """(code, field names) of the error the service raises."""
    try:
        await run
    except AlurError as exc:
        return exc.code, set(exc.errors) if isinstance(exc, InvalidInput) else set()
    raise AssertionError("not refused")


def answered(value: dict[str, Any]) -> tuple[str, set[str]]:
    return value["code"], {f["field"] for f in value.get("fields", [])}


async def test_a_refusal_is_the_same_through_graphql_as_through_the_service(
    world: World,
) -> None:
    admin, kepala = await with_drafter_and_signer(world)
    step = timed_step(world)
    await one(world, START, "a-admin", sop=SOP_A)
    service = await TenantService.open(world.db, world.plugins, OFFICE_A)
    drafts = SopRevisions(service, admin)
    bad = {"steps": [{"number": step, "waktu": "sebentar"}, {"number": 99, "waktu": "1 hari"}]}
    expected = await refusal(drafts.save_draft(SOP_A, 0, bad, effective_on="4/1/2027", version=1))
    assert expected == ("invalid_input", {f"steps.{step}.waktu", "steps.99", "effective_on"})
    got = await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part=bad, v=1, on="4/1/2027")
    # the same paths; the tanggal efektif under the argument's name
    assert answered(got) == (expected[0], {f"steps.{step}.waktu", "steps.99", "effectiveOn"})
    # a stale version
    await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part={}, v=1, on="2027-01-04")
    expected = await refusal(drafts.save_draft(SOP_A, 0, {}, version=1))
    assert expected == ("stale_revision", set())
    assert answered(await one(world, SAVE, "a-admin", sop=SOP_A, n=0, part={}, v=1)) == expected
    # an approval by someone not holding the signing role
    version = (await one(world, SUBMIT, "a-admin", sop=SOP_A, n=0, v=2))["revision"]["version"]
    expected = await refusal(drafts.approve(SOP_A, 0, version=version, password="rahasia-2026"))
    assert expected == ("forbidden", set())
    assert answered(await one(world, APPROVE, "a-admin", sop=SOP_A, n=0, v=version)) == expected
    # the signer without a NIP
    await User.update({User.nip: ""}).where(User.id == kepala)
    expected = await refusal(
        SopRevisions(service, kepala).approve(SOP_A, 0, version=version, password="rahasia-2026")
    )
    assert expected == ("invalid_input", {"nip"})
    assert answered(await one(world, APPROVE, "a-kepala", sop=SOP_A, n=0, v=version)) == expected


# --- statements: a list's definitions are read in one statement -----------------------------


async def test_the_definitions_of_a_list_cost_one_statement(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, kepala = await with_drafter_and_signer(world)
    service = await TenantService.open(world.db, world.plugins, OFFICE_A)
    step = timed_step(world)
    drafts, head = SopRevisions(service, admin), SopRevisions(service, kepala)
    for n in range(4):  # four approved revisions, each its own definition
        draft = await drafts.start_draft(SOP_A)
        part = {"steps": [{"number": step, "waktu": f"{n + 2} hari"}]}
        draft = await drafts.save_draft(
            SOP_A, n, part, effective_on="2030-01-01", version=draft.version
        )
        draft = await drafts.submit(SOP_A, n, version=draft.version)
        await head.approve(SOP_A, n, version=draft.version, password="rahasia-2026")
    await world.data(LIST, "a-staf")  # the token's first use records last_used_at
    counts = []
    for sop in (SOP_A, None):
        _PARSED.clear()  # as in a fresh process: the snapshots must be read
        with counting(world.db, monkeypatch) as seen:
            data = await world.data(LIST, "a-staf", sop=sop)
        revisions = data["sopRevisions"]["revisions"]
        assert len({r["definition"]["hash"] for r in revisions}) == 4
        counts.append(len(seen))
    # the token, the person's memberships and delegations, the revisions, the approved
    # revisions (inForce), and one statement for every definition
    assert counts[0] == counts[1]
    definitions = [q for q in seen if "alur_sop_snapshot" in q]
    assert len(definitions) == 1, "\n".join(q[:80] for q in seen)


# --- the office's SOPs are those in force ------------------------------------------------------


SOPS = (
    "query($slug: String) { tenant(slug: $slug) { ... on Tenant { sops { id hash }"
    " sop(id: $sop) { hash header { nomor } } } } }"
).replace("$slug: String", "$slug: String, $sop: String!")


async def test_the_office_s_sops_are_its_revisions_in_force(world: World) -> None:
    admin, kepala = await with_drafter_and_signer(world)
    service = await TenantService.open(world.db, world.plugins, OFFICE_A)
    plugin_hash = service.sop(SOP_A).content_hash
    drafts, head = SopRevisions(service, admin), SopRevisions(service, kepala)
    draft = await drafts.start_draft(SOP_A)
    draft = await drafts.save_draft(
        SOP_A,
        0,
        {"header": {"nomor": "800/9/2027"}},
        effective_on=service.today().isoformat(),
        version=draft.version,
    )
    draft = await drafts.submit(SOP_A, 0, version=draft.version)

    async def seen(token: str) -> tuple[str, str, str]:
        tenant = await one(world, SOPS, token, slug=OFFICE_A, sop=SOP_A)
        listed = next(s["hash"] for s in tenant["sops"] if s["id"] == SOP_A)
        return listed, tenant["sop"]["hash"], tenant["sop"]["header"]["nomor"]

    nomor = service.sop(SOP_A).header.nomor
    assert await seen("a-read") == (plugin_hash, plugin_hash, nomor)  # not approved yet
    approved = await head.approve(SOP_A, 0, version=draft.version, password="rahasia-2026")
    mine = (approved.content_hash, approved.content_hash, "800/9/2027")
    for token in ("a-read", "platform"):
        assert await seen(token) == mine, token
    # one statement for every office asked, and an office's scope reads only its own
    a, b = world.a.ref.id, world.b.ref.id
    assert [len(refs) for refs in await revision_refs_of([a, b], scope=None)] == [1, 0]
    assert await revision_refs_of([a], scope=b) == [[]]
    await head.revoke(SOP_A, 0, "dicabut")
    assert await seen("a-read") == (plugin_hash, plugin_hash, nomor)


# --- cost --------------------------------------------------------------------------------------


async def test_the_revision_lists_have_a_cost(world: World) -> None:
    """An office's revisions over years and a comparison's changes are counted at the most
    they hold in practice (graphql/limits.py LIST_SIZES), not the default of 20."""
    query = """{ sopRevisions { ... on SopRevisionList { revisions { number } } }
        sopComparison(sop: "x", from: 0) { ... on SopComparison { changes { path } } } }"""
    # sopRevisions 1 + revisions (1 + 100 × number 1); sopComparison 1 + changes (1 + 200 × 1)
    cost = (1 + 1 + 100) + (1 + 1 + 200)
    context = make_context(world.db, world.plugins, await authenticate(world.tokens["a-staf"]))
    context.cost_budget = cost - 1
    result = await schema.execute(query, context_value=context)
    (error,) = result.errors or []
    assert error.extensions == {"code": TOO_COSTLY, "cost": cost, "budget": cost - 1}
