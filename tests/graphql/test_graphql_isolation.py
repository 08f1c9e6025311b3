"""Office isolation in the GraphQL API, argument by argument, on SQLite and PostgreSQL.

With office A's tokens, office B's identifiers go into **every** argument that names
something — case keys, office slugs, SOP ids, unit slugs, role ids, usernames, cursors —
and the answer must reveal nothing: it is the answer for an identifier that does not exist
at all (compared after replacing the value itself, which messages may echo), and none of
B's data (its cases, office, people, SOPs, units) appears in it. Office B's data is made
worth leaking first: its case is carried to a per-unit fan-out, with a claimed task.

The arguments are not listed by hand: :func:`schema_arguments` walks the schema for every
argument (and input field, at any depth) whose type is a scalar other than ``Boolean``.
Each must have a probe here or be declared not an identifier (with the reason), so an
argument added later fails this test until someone decides how to probe it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)

from alur.core.engine import Claim, Complete
from alur.graphql.schema import schema
from alur.graphql.testing import OFFICE_A, OFFICE_B, SOP_A, SOP_B, World
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.storage.tables import Case, Event, Task

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

GHOST = "zz-hantu-zz"  # an identifier of nothing, of any kind
VALUE = "<value>"  # what the probed value (B's or the ghost) is replaced with before comparing


# --- the schema's arguments ----------------------------------------------------------------


def _scalar_paths(prefix: str, type_: Any) -> Iterator[str]:
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType):
        for name, input_field in named.fields.items():
            yield from _scalar_paths(f"{prefix}.{name}", input_field.type)
    elif isinstance(named, GraphQLScalarType) and named.name != "Boolean":
        yield prefix


def schema_arguments() -> set[str]:
    """``Type.field(argument.input_field…)`` of every non-Boolean scalar argument reachable
    from the root types (enums cannot carry an identifier of another office)."""
    gql_schema = schema._schema
    found: set[str] = set()
    seen: set[str] = set()
    todo: list[Any] = [gql_schema.query_type, gql_schema.mutation_type]
    while todo:
        owner = todo.pop()
        if owner is None or owner.name in seen or owner.name.startswith("__"):
            continue
        seen.add(owner.name)
        if isinstance(owner, GraphQLUnionType):
            todo.extend(owner.types)
            continue
        if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, f in owner.fields.items():
            assert isinstance(f, GraphQLField)
            for arg_name, arg in f.args.items():
                found.update(_scalar_paths(f"{owner.name}.{name}({arg_name}", arg.type))
            todo.append(get_named_type(f.type))
    return {path + ")" for path in found}


NOT_IDENTIFIERS = {
    "Query.cases(first)": "a page size",
    "Query.tasks(first)": "a page size",
    "Query.cases(filter.period)": "free text, matched within the token's own office",
    "Query.cases(filter.updatedSince)": "a time",
    "Mutation.startCase(input.period)": "free text",
    "Mutation.startCase(input.durations.step)": "a step number of the SOP being started",
    "Mutation.startCase(input.durations.waktu)": 'a duration, e.g. "3 hari"',
    "Mutation.completeTask(note)": "free text",
    "Mutation.completeTask(data)": "the step's output",
    "Mutation.decideGate(note)": "free text",
    # a task's number only means something within its case: probed with B's case key
    "Mutation.claimTask(task)": "a number within the case named by caseKey",
    "Mutation.completeTask(task)": "a number within the case named by caseKey",
    "Mutation.decideGate(task)": "a number within the case named by caseKey",
    "Mutation.reassignTask(task)": "a number within the case named by caseKey",
    "Mutation.saveIndicatorSet(task)": "a number within the case named by caseKey",
    "Mutation.copyIndicatorSet(task)": "a number within the case named by caseKey",
    "Mutation.saveRealisasi(task)": "a number within the case named by caseKey",
    # the format's content: new text for the case's own office (units are probed)
    "Mutation.saveIndicatorSet(indicators.code)": "a new indicator code",
    "Mutation.saveIndicatorSet(indicators.sasaran)": "free text",
    "Mutation.saveIndicatorSet(indicators.text)": "free text",
    "Mutation.saveIndicatorSet(indicators.unitOfMeasure)": "free text",
    "Mutation.saveIndicatorSet(indicators.target)": "a number",
    "Mutation.saveRealisasi(values.code)": "an indicator code of the format of the case named",
    "Mutation.saveRealisasi(values.realisasi)": "a number",
    "Mutation.saveRealisasi(values.explanation)": "free text",
}


# --- office B, worth leaking ---------------------------------------------------------------


@dataclass
class OfficeB:
    """B's identifiers (each a real one, used by B) and what must never show up for A."""

    values: dict[str, Any]
    markers: set[str]


B_PEOPLE = {  # username: (role, unit or None); unit "*" = one person per unit of B
    "b.sekretaris": ("sekretaris", None),
    "b.renval": ("kasubbag_renval", None),
    "b.petugas": ("petugas", None),
    "b.kabid": ("kepala_bidang", "*"),
}


async def office_b_worth_leaking(world: World) -> OfficeB:
    """Carry B's case to its per-unit step 7, one task claimed; B's identifiers."""
    b = world.b
    roles = b.sop(SOP_B).roles_by_id
    a_units = {u["slug"] for u in await world.a.units()}
    b_units = [u["slug"] for u in await b.units() if u["active"]]
    people: dict[str, int] = {"b.kepala": world.users["b.kepala"]}
    names = {"Kepala Dinas (B)"}
    for username, (role, unit) in B_PEOPLE.items():
        for u in b_units if unit == "*" else [None]:
            login = f"{username}.{u}" if u else username
            user = await create_user(login, f"{login.title()} (B)", "rahasia-2026")
            await add_membership(b.ref.id, user.id, roles[role], u)
            people[login] = user.id
            names.add(f"{login.title()} (B)")
    key = world.case_b
    steps = {1: "b.kepala", 2: "b.sekretaris", 3: "b.renval", 4: "b.petugas", 5: "b.renval"}
    steps[6] = "b.petugas"
    for task, login in steps.items():
        await fill_in_sample(KinerjaService(b), people[login], key, task)  # the data kinerja
        await b.act(people[login], key, Complete(task, f"catatan rahasia B {task}"))
    fanned = [t for t in (await b.case(key)).state.open_tasks.values() if t.step == 7]
    assert len(fanned) == len(b_units) >= 1
    only_b = [t for t in fanned if t.unit not in a_units]
    assert only_b, f"every unit of B is also a unit of A: {b_units}"
    claimed = only_b[0]
    claimer = f"b.kabid.{claimed.unit}"
    await b.act(people[claimer], key, Claim(claimed.id))
    await fill_in_sample(KinerjaService(b), people[claimer], key, claimed.id)  # B's unit's data

    async def cursor(query: str) -> str:
        data = await world.data(query, "b-write")
        (connection,) = data.values()
        return connection["pageInfo"]["endCursor"]

    values = {
        "case": key,
        "slug": OFFICE_B,
        "sop": SOP_B,
        "unit": claimed.unit,
        "period": (await b.case(key)).period,  # B has a format data kinerja of it
        "role": "kepala_bidang",
        "username": claimer,
        "case-cursor": await cursor("{ cases(first: 1) { ... on CaseConnection { " + PI + " } } }"),
        "task-cursor": await cursor("{ tasks(first: 1) { ... on TaskConnection { " + PI + " } } }"),
    }
    markers = {key, OFFICE_B, "Kesbangpol", SOP_B, "catatan rahasia B", *people, *names}
    markers |= {f'"{u}"' for u in b_units if u not in a_units}  # as JSON strings
    markers |= {"kepala_bidang", "kasubbag_renval"}
    return OfficeB(values, markers)


PI = "pageInfo { endCursor }"


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


async def fresh_case(world: World, *, at: str = "open") -> str:
    """A new case of office A: task 1 open, or ``at`` "claimed" (by staf) or "gate"
    (task 2, the Kasubag's decision, open)."""
    staf = world.users["staf"]
    key = (await world.a.start_case(staf, SOP_A, "Isolasi")).key
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
        given(input={"period": "Isolasi"})("input.sop"),
        tokens=("a-staf",),
    ),
    "Mutation.startCase(input.units)": Probe(
        "unit",
        mutation("startCase", "input: $input", "$input: StartCaseInput!"),
        given(input={"sop": SOP_A, "period": "Isolasi"})("input.units[]"),
        tokens=("a-staf",),
    ),
    "Mutation.claimTask(caseKey)": Probe(
        "case",
        mutation("claimTask", TASK_ARGS, "$key: String!, $task: Int!"),
        given(task=1)("key"),
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
}


def test_every_argument_is_probed_or_declared_not_an_identifier() -> None:
    arguments = schema_arguments()
    unclassified = arguments - set(PROBES) - set(NOT_IDENTIFIERS)
    assert not unclassified, (
        f"new arguments {sorted(unclassified)}: add a probe with office B's identifier to "
        "PROBES, or declare in NOT_IDENTIFIERS why it names nothing of an office"
    )
    stale = (set(PROBES) | set(NOT_IDENTIFIERS)) - arguments
    assert not stale, f"no longer in the schema: {sorted(stale)}"
    assert set(PROBES) & set(NOT_IDENTIFIERS) == set()


# --- the test ------------------------------------------------------------------------------


def normalised(result: Any, value: Any, keys: list[str]) -> str:
    """The answer as JSON, with the probed value and A's fresh case keys replaced."""
    text = json.dumps(result, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str):
        text = text.replace(json.dumps(value)[1:-1], VALUE)
    for n, key in enumerate(keys):
        text = text.replace(key, f"<case {n}>")
    return text


async def answer(world: World, probe: Probe, token: str, value: Any) -> tuple[Any, list[str]]:
    """(result, keys of A's cases created for it) of one run; no GraphQL errors allowed."""
    before = {r["key"] for r in await Case.select(Case.key)}
    variables = await probe.variables(world, value)
    result = await world.run(probe.query, token, **variables)
    assert result.errors is None, (probe.query, variables, result.errors)
    created = [r["key"] for r in await Case.select(Case.key) if r["key"] not in before]
    return result.data, created


async def test_office_bs_identifiers_reveal_nothing_to_office_a(world: World) -> None:
    b = await office_b_worth_leaking(world)
    b_events = await Event.count().where(Event.tenant == world.b.ref.id)
    b_tasks = await Task.select(Task.task_no, Task.status, Task.assignee).where(
        Task.tenant == world.b.ref.id
    )
    checked = 0
    for argument, probe in PROBES.items():
        value = b.values[probe.kind]
        # The probe is worth something: office B's own token finds B's data with it.
        if probe.tokens[0] == "a-read" and probe.compare:
            own, _ = await answer(world, probe, "b-write", value)
            leaked = normalised(own, None, [])
            assert any(m in leaked for m in b.markers), (argument, own)
        for token in probe.tokens:
            got, keys = await answer(world, probe, token, value)
            text = normalised(got, value, keys)
            shown = sorted(m for m in b.markers if m in text)
            assert not shown, f"{argument} as {token} shows office B's {shown}: {got}"
            if probe.compare:
                ghost, ghost_keys = await answer(world, probe, token, GHOST)
                assert text == normalised(ghost, GHOST, ghost_keys), (
                    f"{argument} as {token}: office B's {probe.kind} {value!r} is answered "
                    f"differently from one that does not exist:\n{got}\n{ghost}"
                )
            checked += 1
    assert checked >= len(PROBES)
    # ... and nothing of office B changed.
    assert await Event.count().where(Event.tenant == world.b.ref.id) == b_events
    assert (
        await Task.select(Task.task_no, Task.status, Task.assignee).where(
            Task.tenant == world.b.ref.id
        )
        == b_tasks
    )


async def test_case_keys_name_nothing_across_offices_in_both_directions(world: World) -> None:
    key_a = await fresh_case(world)
    for token, key, office in (("a-read", world.case_b, OFFICE_A), ("b-write", key_a, OFFICE_B)):
        data = await world.data(
            "query($k: String!) { case(key: $k) { __typename ... on NotFound { message } } "
            "me { tenant { slug } } }",
            token,
            k=key,
        )
        assert data["case"] == {"__typename": "NotFound", "message": f"case {key} not found"}
        assert data["me"]["tenant"]["slug"] == office
    # a platform token reads both
    for key in (key_a, world.case_b):
        data = await world.data(
            "query($k: String!) { case(key: $k) { __typename } }", "platform", k=key
        )
        assert data["case"] == {"__typename": "Case"}


async def test_the_batch_reads_keep_to_the_office_of_the_scope(world: World) -> None:
    """The tenant scoping of the API's loaders is the service layer's one rule
    (alur.tenants.cases.batch.in_scope): B's rows asked for by id in A's scope are not read,
    in B's scope and a platform scope (None) they are."""
    from alur.tenants.cases import batch
    from alur.tenants.kinerja import batch as kinerja_batch

    await office_b_worth_leaking(world)
    a, b = world.a.ref.id, world.b.ref.id
    case_b = await world.b.case(world.case_b)

    async def reads(scope: int | None) -> dict[str, Any]:
        found = await kinerja_batch.indicator_sets([(b, case_b.period)], scope=scope)
        return {
            "tenant": (await batch.tenants_by_id([b], scope=scope))[0],
            "case": (await batch.cases_by_id([case_b.id], scope=scope))[0],
            "case by key": await batch.case_by_key(case_b.key, scope=scope),
            "tasks": (await batch.tasks_of([case_b.id], scope=scope))[0],
            "events": (await batch.events_of([case_b.id], scope=scope))[0],
            "units": (await batch.units_of([b], scope=scope))[0],
            "case units": (await batch.units_of_cases([case_b.id], scope=scope))[0],
            "format": found[0].indicators if found[0] is not None else (),
            "periods": (await kinerja_batch.indicator_periods([b], scope=scope))[0],
            "data": (await kinerja_batch.submissions_of([case_b.id], scope=scope))[0],
        }

    assert not any((await reads(a)).values())
    for scope in (b, None):
        found = await reads(scope)
        assert all(found.values()), [k for k, v in found.items() if not v]


def test_graphql_reads_no_table_itself() -> None:
    """GraphQL reads rows only through the service layer's functions (which hold the tenant
    scoping); it used to query users, offices and cases itself."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "graphql"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "testing.py":  # provisions test data
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "alur.tenants.storage.tables":
                offenders.append(f"{path.relative_to(root)}: {node.module}")
    assert offenders == []
