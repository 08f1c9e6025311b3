"""Office isolation in the GraphQL API, argument by argument, on SQLite and PostgreSQL.

With office A's tokens, office B's identifiers go into **every** argument that names
something — case keys, office slugs, SOP ids, unit slugs, role ids, usernames, cursors —
and the answer must reveal nothing: it is the answer for an identifier that does not exist
at all (compared after replacing the value itself, which messages may echo), and none of
B's data (its cases, office, people, SOPs, units) appears in it. Office B's data is made
worth leaking first: its case is carried to a per-unit fan-out, with a claimed task.

The arguments are not listed by hand: :func:`schema_arguments` walks the schema for every
argument (and input field, at any depth) whose type is a scalar other than ``Boolean``.
Each must have a probe (isolation_probes.py) or be declared not an identifier, with the
reason (isolation_office_b.py), so an argument added later fails this test until someone
decides how to probe it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from alur.graphql.testing import OFFICE_A, OFFICE_B, World
from alur.tenants.storage.tables import Case, Event, Notification, Task, Webhook
from tests.graphql.isolation_office_b import (
    GHOST,
    NOT_IDENTIFIERS,
    VALUE,
    office_b_worth_leaking,
    schema_arguments,
)
from tests.graphql.isolation_probes import PROBES, Probe, fresh_case

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


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
    hooks = await Webhook.select(Webhook.active).where(Webhook.tenant == world.b.ref.id)
    assert hooks == [{"active": True}]
    assert (
        await Notification.count().where(
            (Notification.tenant == world.b.ref.id) & Notification.read_at.is_null()
        )
        == 1
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
