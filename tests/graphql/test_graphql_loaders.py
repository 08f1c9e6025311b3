"""The GraphQL read side beyond the fields, on SQLite and PostgreSQL: the query limits (depth,
aliases, introspection), the DataLoaders (statement counts do not grow with the page) and the
context (the language, one set of loaders per request confined to its office, the office a
platform token names)."""

from __future__ import annotations

import pytest

from alur.core.engine import Claim, Complete
from alur.graphql.context import language_from, make_context
from alur.graphql.schema import MAX_DEPTH
from alur.graphql.testing import World
from alur.tenants.identity.tokens import authenticate
from tests.graphql.queries_helpers import start
from tests.statements import counting

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


# --- limits ----------------------------------------------------------------------------------------


async def test_queries_deeper_than_the_limit_are_refused(world: World) -> None:
    deep = (
        '{ case(key: "x") { ... on Case { ' + "tasks { case { " * 5 + "key" + " } }" * 5 + " } } }"
    )
    result = await world.run(deep, "a-read")
    assert result.errors
    assert f"exceeds maximum operation depth of {MAX_DEPTH}" in str(result.errors[0])
    assert result.data is None


async def test_too_many_aliases_are_refused(world: World) -> None:
    query = "{ " + " ".join(f"a{i}: me {{ token {{ name }} }}" for i in range(30)) + " }"
    result = await world.run(query, "a-read")
    assert result.errors
    assert "aliases" in str(result.errors[0])


async def test_introspection_needs_no_token_and_is_not_depth_limited(world: World) -> None:
    from graphql import get_introspection_query

    result = await world.run(get_introspection_query(descriptions=True))
    assert result.errors is None
    assert result.data["__schema"]["queryType"]["name"] == "Query"  # type: ignore[index]


# --- DataLoaders: statement counts do not grow with the page ---------------------------------------


PAGE = """
query Page($first: Int!) {
  cases(first: $first) {
    ... on CaseConnection {
      totalCount
      edges { node {
        key tenant { slug name } sop { id steps { number } } startedBy { name } overdue
        tasks { number status due assignee { username } step { kegiatan waktu { minutes } }
                role { name } case { key } tenant { slug } }
        events { seq kind actor { username } }
      } }
    }
  }
}
"""


async def test_a_page_of_50_cases_costs_as_many_statements_as_a_page_of_5(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(50):  # every case alike: started, claimed (an assignee), completed
        key = await start(world, f"Tahun {2000 + i}")
        await world.a.act(world.users["staf"], key, Claim(1))
        await world.a.act(world.users["staf"], key, Complete(1))
        await world.a.act(world.users["kasubag"], key, Claim(2))
    await world.data(PAGE, "a-read", first=1)  # the token's first use records last_used_at
    counts = {}
    for size in (5, 50):
        with counting(world.db, monkeypatch) as seen:
            data = await world.data(PAGE, "a-read", first=size)
        assert len(data["cases"]["edges"]) == size
        assert all(len(e["node"]["tasks"]) == 2 for e in data["cases"]["edges"])
        counts[size] = len(seen)
    assert counts[5] == counts[50], seen
    # the token (with its office's row), the page and its count; then one query per loader
    # and level: who started the cases, tasks, events, and their assignees and actors. The
    # SOP snapshots were parsed by the first request and are not read again in this process.
    assert counts[50] == 7, "\n".join(q[:60] for q in seen)


# --- context and loaders -------------------------------------------------------------------------


def test_accept_language_picks_a_language_alur_speaks() -> None:
    assert language_from(None) == "en"
    assert language_from("id-ID,id;q=0.9,en;q=0.8") == "id"
    assert language_from("fr, en;q=0.5") == "en"
    assert language_from("en;q=0.4, id;q=0.6") == "id"
    assert language_from("id;q=0") == "en"


async def test_every_request_has_its_own_loaders_confined_to_its_office(world: World) -> None:
    from alur.tenants.storage.tables import Case as CaseRow

    first = make_context(world.db, world.plugins, await authenticate(world.tokens["a-read"]))
    second = make_context(world.db, world.plugins, await authenticate(world.tokens["a-read"]))
    assert first.loaders is not second.loaders
    other = await CaseRow.select(CaseRow.id).where(CaseRow.key == world.case_b).first()
    assert await first.loaders.cases.load(other["id"]) is None  # another office's row
    assert await first.loaders.tasks.load(other["id"]) == []
    platform = make_context(world.db, world.plugins, await authenticate(world.tokens["platform"]))
    assert (await platform.loaders.cases.load(other["id"]))["key"] == world.case_b


async def test_a_platform_token_names_the_office_it_wants(world: World) -> None:
    query = "{ tenant { __typename ... on InvalidInput { fields { field } } } }"
    assert (await world.data(query, "platform"))["tenant"] == {
        "__typename": "InvalidInput",
        "fields": [{"field": "slug"}],
    }
