"""The probes of test_graphql_isolation.py: for each argument of the schema that names
something, the operation that puts a value into it, the variables it needs (a fresh case of
office A at the right step, ...) and the tokens it runs as."""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from alur.core.engine import Claim, Complete
from alur.graphql.testing import OFFICE_A, SOP_A, World
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.kinerja.service import KinerjaService

# --- probes --------------------------------------------------------------------------------

CASE = """key period status sopId tenant { slug name } startedBy { username name }
  tasks { number unit status returnNote assignee { username name } role { id name }
          step { number kegiatan } }
  events { seq kind actorName note role unit actor { username name } }"""


TASK = """number unit status returnNote assignee { username name } role { id name }
  step { number kegiatan } case { key period tenant { slug } } tenant { slug name }"""


FAILURES = "... on Error { message } ... on InvalidInput { fields { field message } }"


CASES = (
    "query($f: CaseFilter, $after: String) { cases(first: 100, filter: $f, after: $after) {"
    " __typename ... on CaseConnection { totalCount edges { node { "
    + CASE
    + " } } } "
    + FAILURES
    + " } }"
)


TASKS = (
    "query($f: TaskFilter, $after: String) { tasks(first: 100, filter: $f, after: $after) {"
    " __typename ... on TaskConnection { totalCount edges { node { "
    + TASK
    + " } } } "
    + FAILURES
    + " } }"
)


CHANGED = (
    "__typename ... on CaseChanged { case { "
    + CASE
    + " } events { kind task step unit note } } "
    + FAILURES
    + " ... on ActionRefused { code }"
)


REVISION = "sop number state version part signatory { nama nip } updatedBy definition { hash }"


Variables = Callable[[World, Any], Awaitable[dict[str, Any]]]


@dataclass
class Probe:
    """One argument given B's ``kind`` of identifier: ``query`` run as each of ``tokens``
    with ``variables(world, value)`` (which may first prepare a fresh case of A)."""

    kind: str
    query: str
    variables: Variables
    tokens: tuple[str, ...] = ("a-read", "a-staf")
    compare: bool = True  # the answer equals the ghost's (cursors: only "nothing of B")


_FRESH = itertools.count()


async def fresh_case(world: World, *, at: str = "open") -> str:
    """A new case of office A: task 1 open, or ``at`` "claimed" (by staf) or "gate"
    (task 2, the Kasubag's decision, open)."""
    staf = world.users["staf"]
    period = f"Tahun {2000 + next(_FRESH)}"  # one case per period: each its own
    key = (await world.a.start_case(staf, SOP_A, period)).key
    await fill_in_sample(KinerjaService(world.a), staf, key, 1)  # step 1 designs the format
    if at == "claimed":
        await world.a.act(staf, key, Claim(1))
    elif at == "gate":
        await world.a.act(staf, key, Complete(1))
    return key


def given(**fixed: Any) -> Callable[[str], Variables]:
    """Variables with the probed value at ``name`` (a dotted path; ``[]``: in a list)."""

    def at(name: str) -> Variables:
        async def build(world: World, value: Any) -> dict[str, Any]:
            out = json.loads(json.dumps(fixed))
            *parents, leaf = name.split(".")
            target = out
            for p in parents:
                target = target.setdefault(p, {})
            target[leaf.rstrip("[]")] = [value] if leaf.endswith("[]") else value
            return out

        return build

    return at


def with_case(at: str, **fixed: Any) -> Callable[[str], Variables]:
    """Like :func:`given`, on a fresh case of A (``key``) in the state ``at``."""

    def at_name(name: str) -> Variables:
        base = given(**fixed)(name)

        async def build(world: World, value: Any) -> dict[str, Any]:
            return {"key": await fresh_case(world, at=at), **await base(world, value)}

        return build

    return at_name


def mutation(field: str, arguments: str, declared: str) -> str:
    return f"mutation({declared}) {{ {field}({arguments}) {{ {CHANGED} }} }}"


SAVED = {  # a kinerja mutation's result when it succeeds: what it shows
    "saveIndicatorSet": "IndicatorSetSaved { indicatorSet { period tenant { slug }"
    " indicators { code text units } }",
    "copyIndicatorSet": "IndicatorSetSaved { indicatorSet { period indicators { code } }",
    "saveRealisasi": "RealisasiSaved { submission { unit version submittedBy }",
}


def kinerja_mutation(field: str, arguments: str, declared: str) -> str:
    selection = f"__typename ... on {SAVED[field]} case {{ {CASE} }} }} {FAILURES}"
    selection += " ... on ActionRefused { code }"
    return f"mutation({declared}) {{ {field}({arguments}) {{ {selection} }} }}"


CASE_KINERJA = (
    "query($key: String!, $v: String!) { case(key: $key) { __typename ... on Case { kinerja {"
    " FIELD(unit: $v) { SELECTION } } } ... on Error { message } } }"
)


INDICATOR = {"code": "IKU-9", "sasaran": "S", "text": "T", "unitOfMeasure": "%", "target": "1"}


def indicator_units(name: str) -> Variables:
    """A format of one indicator reported by the probed unit, at task 1 of a fresh case."""

    async def build(world: World, value: Any) -> dict[str, Any]:
        key = await fresh_case(world)
        return {"key": key, "task": 1, name: [{**INDICATOR, "units": [value]}]}

    return build


TASK_ARGS = "caseKey: $key, task: $task"


WEBHOOK_CHANGE = (
    "mutation($v: Int!) { FIELD { __typename ... on WebhookChanged { webhook { id url active } }"
    " ... on Error { message code } } }"
)


def as_office_a_admin(build: Variables) -> Variables:
    """``build``, after giving office A an administrator with a write token (``a-admin``):
    the webhook mutations refuse everyone else before they look at the id."""

    async def with_admin(world: World, value: Any) -> dict[str, Any]:
        if "a-admin" not in world.tokens:
            user = await create_user("admin.a", "Admin (A)", "rahasia-2026")
            await add_membership(world.a.ref.id, user.id, None, administrator=True)
            made = await create_token("a-admin", "write", tenant=OFFICE_A, user="admin.a")
            world.tokens["a-admin"] = made.token
        return await build(world, value)

    return with_admin


def as_office_a_kepala(build: Variables) -> Variables:
    """``build``, after giving office A's Kepala a read token (``a-kepala``): the Mutu baku
    figures are for the office's leaders."""

    async def with_kepala(world: World, value: Any) -> dict[str, Any]:
        if "a-kepala" not in world.tokens:
            made = await create_token("a-kepala", "read", tenant=OFFICE_A, user="kepala")
            world.tokens["a-kepala"] = made.token
        return await build(world, value)

    return with_kepala


MOVE = (
    "mutation($sop: String!, $cases: [String!]!) { FIELD(sop: $sop, cases: $cases) {"
    " __typename ... on RESULT " + FAILURES + " } }"
)
MOVE_RESULTS = {
    "previewCaseMove": "CaseMovePreview { plans { case period sop refusals"
    " kept { task kegiatan roleName } } }",
    "moveCases": "CasesMoved { results { case moved reasons } }",
}


def moving(field: str) -> str:
    return MOVE.replace("FIELD", field).replace("RESULT", MOVE_RESULTS[field])


def moving_sop(world: World, value: Any) -> Awaitable[dict[str, Any]]:
    """A fresh case of A, the probed value as the SOP (moving: tenants.sop_life.moving)."""

    async def build() -> dict[str, Any]:
        return {"sop": value, "cases": [await fresh_case(world)]}

    return build()


PROBES: dict[str, Probe] = {
    "Query.case(key)": Probe(
        "case",
        "query($v: String!) { case(key: $v) { __typename ... on Case { "
        + CASE
        + " } ... on Error { message } } }",
        given()("v"),
    ),
    "Query.tenant(slug)": Probe(
        "slug",
        "query($v: String) { tenant(slug: $v) { __typename"
        " ... on Tenant { slug name units { slug name } sops { id } } " + FAILURES + " } }",
        given()("v"),
    ),
    "Tenant.sop(id)": Probe(
        "sop",
        "query($v: String!) { me { tenant { slug sop(id: $v) { id version hash"
        " roles { id name } steps { number kegiatan } } } } }",
        given()("v"),
    ),
    "Query.cases(after)": Probe("case-cursor", CASES, given()("after"), compare=False),
    "Query.cases(filter.sop)": Probe("sop", CASES, given()("f.sop")),
    "Query.cases(filter.tenant)": Probe("slug", CASES, given()("f.tenant")),
    "Query.tasks(after)": Probe("task-cursor", TASKS, given()("after"), compare=False),
    "Query.tasks(filter.role)": Probe("role", TASKS, given()("f.role")),
    "Query.tasks(filter.unit)": Probe("unit", TASKS, given()("f.unit")),
    "Query.tasks(filter.sop)": Probe("sop", TASKS, given()("f.sop")),
    "Query.tasks(filter.assignee)": Probe("username", TASKS, given()("f.assignee")),
    "Query.tasks(filter.tenant)": Probe("slug", TASKS, given()("f.tenant")),
    "Mutation.startCase(input.sop)": Probe(
        "sop",
        mutation("startCase", "input: $input", "$input: StartCaseInput!"),
        given(input={"period": "Semester I 2026"})("input.sop"),
        tokens=("a-staf",),
    ),
    "Mutation.startCase(input.units)": Probe(
        "unit",
        mutation("startCase", "input: $input", "$input: StartCaseInput!"),
        given(input={"sop": SOP_A, "period": "Semester I 2026"})("input.units[]"),
        tokens=("a-staf",),
    ),
    "Mutation.claimTask(caseKey)": Probe(
        "case",
        mutation("claimTask", TASK_ARGS, "$key: String!, $task: Int!"),
        given(task=1)("key"),
        tokens=("a-staf", "a-kabid-linmas"),
    ),
    "Mutation.unclaimTask(caseKey)": Probe(
        "case",
        mutation("unclaimTask", TASK_ARGS, "$key: String!, $task: Int!"),
        given(task=1)("key"),
        tokens=("a-staf", "a-kabid-linmas"),
    ),
    "Mutation.cancelCase(caseKey)": Probe(
        "case",
        mutation("cancelCase", 'caseKey: $key, reason: "x"', "$key: String!"),
        given()("key"),
        tokens=("a-staf", "a-kabid-linmas"),
    ),
    "Mutation.completeTask(caseKey)": Probe(
        "case",
        mutation("completeTask", TASK_ARGS + ', note: "x"', "$key: String!, $task: Int!"),
        given(task=1)("key"),
        tokens=("a-staf", "a-kasubag"),
    ),
    "Mutation.decideGate(caseKey)": Probe(
        "case",
        mutation(
            "decideGate", TASK_ARGS + ', answer: TIDAK, note: "x"', "$key: String!, $task: Int!"
        ),
        given(task=1)("key"),
        tokens=("a-kasubag", "a-plh"),
    ),
    "Mutation.decideGate(units)": Probe(
        "unit",
        mutation(
            "decideGate",
            TASK_ARGS + ', answer: TIDAK, note: "x", units: $units',
            "$key: String!, $task: Int!, $units: [String!]",
        ),
        with_case("gate", task=2)("units[]"),
        tokens=("a-kasubag",),
    ),
    "Mutation.reassignTask(caseKey)": Probe(
        "case",
        mutation("reassignTask", TASK_ARGS + ', to: "staf-2"', "$key: String!, $task: Int!"),
        given(task=1)("key"),
        tokens=("a-staf",),
    ),
    "Tenant.indicatorSet(period)": Probe(
        "period",
        "query($v: String!) { me { tenant { indicatorSet(period: $v) {"
        " period tenant { slug name } indicators { code text } } } } }",
        given()("v"),
    ),
    # on a fresh case of A: office B's own token cannot check it (hence a write token first)
    "CaseKinerja.submissions(unit)": Probe(
        "unit",
        CASE_KINERJA.replace("FIELD", "submissions").replace(
            "SELECTION", "unit version submittedBy entries { indicator realisasi }"
        ),
        with_case("open")("v"),
        tokens=("a-staf", "a-read"),
    ),
    "CaseKinerja.changes(unit)": Probe(
        "unit",
        CASE_KINERJA.replace("FIELD", "changes").replace("SELECTION", "indicator before after"),
        with_case("open")("v"),
        tokens=("a-staf", "a-read"),
    ),
    "Mutation.saveIndicatorSet(caseKey)": Probe(
        "case",
        kinerja_mutation(
            "saveIndicatorSet",
            TASK_ARGS + ", indicators: $indicators",
            "$key: String!, $task: Int!, $indicators: [IndicatorInput!]!",
        ),
        given(task=1, indicators=[INDICATOR])("key"),
        tokens=("a-staf",),
    ),
    "Mutation.saveIndicatorSet(indicators.units)": Probe(
        "unit",
        kinerja_mutation(
            "saveIndicatorSet",
            TASK_ARGS + ", indicators: $indicators",
            "$key: String!, $task: Int!, $indicators: [IndicatorInput!]!",
        ),
        indicator_units("indicators"),
        tokens=("a-staf",),
    ),
    "Mutation.copyIndicatorSet(caseKey)": Probe(
        "case",
        kinerja_mutation(
            "copyIndicatorSet",
            TASK_ARGS + ", fromPeriod: $from",
            "$key: String!, $task: Int!, $from: String!",
        ),
        given(task=1, **{"from": "Isolasi"})("key"),
        tokens=("a-staf",),
    ),
    "Mutation.copyIndicatorSet(fromPeriod)": Probe(
        "period",
        kinerja_mutation(
            "copyIndicatorSet",
            TASK_ARGS + ", fromPeriod: $from",
            "$key: String!, $task: Int!, $from: String!",
        ),
        with_case("open", task=1)("from"),
        tokens=("a-staf",),
    ),
    "Mutation.saveRealisasi(caseKey)": Probe(
        "case",
        kinerja_mutation(
            "saveRealisasi",
            TASK_ARGS + ", values: $values",
            "$key: String!, $task: Int!, $values: [RealisasiInput!]!",
        ),
        given(task=7, values=[{"code": "IKU-1", "realisasi": "1"}])("key"),
        tokens=("a-staf", "a-kabid-linmas"),
    ),
    "Mutation.reassignTask(to)": Probe(
        "username",
        mutation(
            "reassignTask", TASK_ARGS + ", to: $to", "$key: String!, $task: Int!, $to: String!"
        ),
        with_case("claimed", task=1)("to"),
        tokens=("a-staf",),
    ),
    # ids are Int: no ghost of the same type to compare with (compare=False); that another
    # office's id answers NotFound like a missing one is tests/graphql/test_graphql_webhooks.py's
    "Mutation.setWebhookActive(webhookId)": Probe(
        "webhook",
        WEBHOOK_CHANGE.replace("FIELD", "setWebhookActive(webhookId: $v, active: false)"),
        as_office_a_admin(given()("v")),
        tokens=("a-admin",),
        compare=False,
    ),
    "Mutation.deleteWebhook(webhookId)": Probe(
        "webhook",
        WEBHOOK_CHANGE.replace("FIELD", "deleteWebhook(webhookId: $v)"),
        as_office_a_admin(given()("v")),
        tokens=("a-admin",),
        compare=False,
    ),
    # an office's SOP revisions: B has revision 0 of its SOP
    "Query.sopRevisions(sop)": Probe(
        "sop",
        "query($v: String) { sopRevisions(sop: $v) { __typename ... on SopRevisionList {"
        " revisions { " + REVISION + " } } ... on Error { message } } }",
        given()("v"),
    ),
    "Query.sopRevision(sop)": Probe(
        "sop",
        "query($v: String!) { sopRevision(sop: $v, number: 0) { __typename ... on SopRevision"
        " { " + REVISION + " } ... on Error { message } } }",
        given()("v"),
    ),
    "Query.sopComparison(sop)": Probe(
        "sop",
        "query($v: String!) { sopComparison(sop: $v, from: 0) { __typename ... on SopComparison"
        " { sop fromHash toHash changes { path before after } } " + FAILURES + " } }",
        given()("v"),
    ),
    **{
        f"Mutation.{field}(sop)": Probe(
            "sop",
            "mutation($v: String!) { "
            + field
            + arguments
            + " { __typename ... on SopRevisionChanged { revision { "
            + REVISION
            + " } } "
            + FAILURES
            + " } }",
            as_office_a_admin(given()("v")),
            tokens=("a-admin",),
        )
        for field, arguments in (
            ("startSopDraft", "(sop: $v)"),
            ("saveSopDraft", "(sop: $v, number: 0, part: {}, version: 1)"),
            ("submitSopRevision", "(sop: $v, number: 0, version: 1)"),
            ("returnSopRevision", '(sop: $v, number: 0, note: "x")'),
            ("approveSopRevision", "(sop: $v, number: 0, version: 1)"),
            ("revokeSopRevision", '(sop: $v, number: 0, note: "x")'),
        )
    },
    "Mutation.markNotificationsRead(ids)": Probe(
        "notification",
        "mutation($v: [Int!]) { markNotificationsRead(ids: $v) { __typename"
        " ... on NotificationsMarked { marked unreadCount } ... on Error { message } } }",
        given()("v[]"),
        tokens=("a-staf",),
        compare=False,
    ),
    "Mutation.previewCaseMove(cases)": Probe(
        "case",
        moving("previewCaseMove"),
        as_office_a_admin(given(sop=SOP_A)("cases[]")),
        tokens=("a-admin",),
    ),
    "Mutation.previewCaseMove(sop)": Probe(
        "sop",
        moving("previewCaseMove"),
        as_office_a_admin(moving_sop),
        tokens=("a-admin",),
    ),
    "Mutation.moveCases(cases)": Probe(
        "case",
        moving("moveCases"),
        as_office_a_admin(given(sop=SOP_A)("cases[]")),
        tokens=("a-admin",),
    ),
    "Mutation.moveCases(sop)": Probe(
        "sop",
        moving("moveCases"),
        as_office_a_admin(moving_sop),
        tokens=("a-admin",),
    ),
    # the Mutu baku figures: B's SOP and unit, asked by A's leader, are unknown like a ghost's
    **{
        f"Query.mutuBaku({name})": Probe(
            kind,
            "query($v: String) { mutuBaku(" + name + ": $v) { __typename ... on MutuBakuReport"
            " { office unit sops { sop name steps { kegiatan units { unit unitName } } } } "
            + FAILURES
            + " } }",
            as_office_a_kepala(given()("v")),
            tokens=("a-read", "a-staf", "a-kepala"),
        )
        for name, kind in (("sop", "sop"), ("unit", "unit"))
    },
    # a monev form of B, by its id (Int: compare=False, as for webhooks)
    "Query.monevForm(id)": Probe(
        "monev",
        "query($v: Int!) { monevForm(id: $v) { __typename ... on MonevForm { id sop sopName"
        " rows { kegiatan evidence } } ... on Error { message code } } }",
        as_office_a_admin(given()("v")),
        tokens=("a-admin",),
        compare=False,
    ),
    **{
        f"Mutation.{field}(id)": Probe(
            "monev",
            "mutation($v: Int!) { "
            + field
            + "(id: $v"
            + arguments
            + ") { __typename ... on MonevFormChanged { form { id sop sopName } } "
            + FAILURES
            + " } }",
            as_office_a_admin(given()("v")),
            tokens=("a-admin",),
            compare=False,
        )
        for field, arguments in (
            ("saveMonevForm", ", version: 1, rows: []"),
            ("parafMonevForm", ', version: 1, password: "x"'),
            ("reopenMonevForm", ""),
        )
    },
}
