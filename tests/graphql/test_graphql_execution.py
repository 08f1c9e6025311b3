"""The fast executor (``alur.graphql.graphql_core_patches.executor``) answers exactly as graphql-core's own.

Every operation here runs twice, once with :class:`AlurExecutor` and once with strawberry's
default executor, and the data and errors (message and path) must be equal. A small schema
holds the awkward cases (a null in a non-null field, a value that does not coerce, an
awaitable in a plain attribute, a list with a null item, a failing resolver below a plain
object, unions, aliases, fragments, directives, a resolver middleware); the real schema
answers the case page, the inbox and the SOP queries over provisioned offices.
"""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from alur.core import Answer
from alur.core.engine import Claim, Complete, Decide
from alur.graphql.graphql_core_patches.executor import AlurExecutor, plain_field
from alur.graphql.schema import schema as alur_schema
from alur.graphql.testing import SOP_A, World
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.kinerja.service import KinerjaService

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


# --- a schema of awkward cases ------------------------------------------------------------------


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Item:
    name: str
    rank: int | None = None

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError(f"{self.name} is broken")

    @strawberry.field
    def must(self) -> str:
        raise ValueError(f"{self.name} has no must")


@strawberry.type
class Oops:
    message: str


Outcome = Annotated[Item | Oops, strawberry.union("Outcome")]


@strawberry.type
class Leaves:
    text: str
    number: int
    ratio: float
    flag: bool
    colour: Colour
    day: date
    at: datetime
    amount: Decimal
    maybe: str | None
    data: JSON


@strawberry.type
class Node:
    leaves: Leaves
    maybe_leaves: Leaves | None
    items: list[Item]
    maybe_items: list[Item | None] | None
    strict_items: list[Item] | None
    later: str
    outcome: Outcome

    @strawberry.field
    def shout(self, word: str) -> str:
        return word.upper()

    @strawberry.field
    async def slow(self) -> Item:
        return Item(name="slow")


def _later(text: str) -> asyncio.Future[str]:
    """An awaitable that, unlike a coroutine, may be left unawaited (when a sibling fails)."""
    future = asyncio.get_running_loop().create_future()
    future.set_result(text)
    return future


def leaves(**changes: Any) -> Leaves:
    values: dict[str, Any] = {
        "text": "teks",
        "number": 7,
        "ratio": 0.5,
        "flag": True,
        "colour": Colour.GREEN,
        "day": date(2026, 11, 21),
        "at": datetime(2026, 11, 21, 8, 30, tzinfo=UTC),
        "amount": Decimal("87.50"),
        "maybe": None,
        "data": {"a": [1, 2]},
    }
    return Leaves(**(values | changes))


def node(**changes: Any) -> Node:
    values: dict[str, Any] = {
        "leaves": leaves(),
        "maybe_leaves": None,
        "items": [Item(name="a", rank=1), Item(name="b")],
        "maybe_items": [Item(name="c"), None],
        "strict_items": [Item(name="d")],
        "later": _later("nanti"),  # an awaitable in a plain attribute
        "outcome": Oops(message="no"),
    }
    return Node(**(values | changes))


SCENARIOS = {
    "fine": lambda: node(),
    "null in a non-null leaf": lambda: node(leaves=leaves(text=None)),
    "null in a nullable object's leaf": lambda: node(maybe_leaves=leaves(number=None)),
    "a value that is no Int": lambda: node(maybe_leaves=leaves(number="tujuh")),
    "a value that is no enum": lambda: node(maybe_leaves=leaves(colour="blue")),
    "a null item in a non-null list": lambda: node(strict_items=[Item(name="e"), None]),
    "a null non-null object": lambda: node(leaves=None),
    "an item as the outcome": lambda: node(outcome=Item(name="f")),
}


@strawberry.type
class Query:
    @strawberry.field
    def scenario(self, name: str) -> Node | None:
        return SCENARIOS[name]()


class Shouting(SchemaExtension):
    """A resolver middleware: every string comes back upper-cased."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


ALL_FIELDS = """
query($name: String!, $skip: Boolean!) {
  scenario(name: $name) {
    leaves { text number ratio flag colour day at amount maybe data }
    again: leaves { text @skip(if: $skip) number @include(if: $skip) }
    maybeLeaves { ...Leaf }
    items { name rank broken }
    maybeItems { name }
    strictItems { name }
    later
    shout(word: "ya")
    slow { name rank }
    outcome { __typename ... on Item { name } ... on Oops { message } }
  }
}
fragment Leaf on Leaves { text number colour }
"""
MUST = "query($name: String!) { scenario(name: $name) { items { name must } later } }"


def errors_of(result: Any) -> list[tuple[str, tuple]]:
    return sorted((e.message, tuple(e.path or ())) for e in result.errors or [])


async def both(
    schemas: tuple[strawberry.Schema, strawberry.Schema], query: str, **variables: Any
) -> Any:
    fast, ordinary = [await s.execute(query, variable_values=variables) for s in schemas]
    assert fast.data == ordinary.data
    assert errors_of(fast) == errors_of(ordinary)
    return fast


def schemas(*extensions: Any) -> tuple[strawberry.Schema, strawberry.Schema]:
    return (
        strawberry.Schema(Query, extensions=extensions, execution_context_class=AlurExecutor),
        strawberry.Schema(Query, extensions=extensions),
    )


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("skip", [False, True])
async def test_every_scenario_answers_as_graphql_core_does(name: str, skip: bool) -> None:
    pair = schemas()
    result = await both(pair, ALL_FIELDS, name=name, skip=skip)
    await both(pair, MUST, name=name)
    if name == "fine":  # the comparison above is not between two empty answers
        data = result.data["scenario"]
        assert data["leaves"]["amount"] == "87.50"
        assert data["leaves"]["colour"] == "GREEN"
        assert data["later"] == "nanti"
        assert data["maybeItems"] == [{"name": "c"}, None]
        assert [m for m, _ in errors_of(result)] == ["a is broken", "b is broken"]


async def test_the_errors_are_reported_at_the_fields_path() -> None:
    result = await both(schemas(), ALL_FIELDS, name="null in a non-null leaf", skip=False)
    assert result.data["scenario"] is None  # non-null up to the nullable scenario
    assert (
        "Cannot return null for non-nullable field Leaves.text.",
        ("scenario", "leaves", "text"),
    ) in errors_of(result)
    coerced = await both(schemas(), ALL_FIELDS, name="a value that is no Int", skip=False)
    assert coerced.data["scenario"]["maybeLeaves"] is None
    assert any(p == ("scenario", "maybeLeaves", "number") for _, p in errors_of(coerced))
    items = await both(schemas(), ALL_FIELDS, name="a null item in a non-null list", skip=False)
    assert items.data["scenario"]["strictItems"] is None
    assert any(p == ("scenario", "strictItems", 1) for _, p in errors_of(items))


async def test_a_resolver_middleware_sees_every_field() -> None:
    result = await both(schemas(Shouting), ALL_FIELDS, name="fine", skip=False)
    assert result.data["scenario"]["leaves"]["text"] == "TEKS"


def test_only_plain_fields_take_the_fast_path() -> None:
    graphql_schema = schemas()[0]._schema

    def plan(type_name: str, field: str) -> Any:
        object_type = graphql_schema.type_map[type_name]
        assert isinstance(object_type, GraphQLObjectType)
        return plain_field(graphql_schema, object_type, field)

    assert plan("Leaves", "text").leaf
    assert plan("Leaves", "colour").leaf
    assert not plan("Node", "leaves").leaf  # an object: straight to its selection
    assert plan("Node", "shout") is None  # a resolver with an argument
    assert plan("Node", "slow") is None  # a resolver
    assert plan("Node", "items") is None  # a list: graphql-core completes it
    assert plan("Node", "outcome") is None  # a union
    assert plan("Item", "broken") is None


# --- the real schema --------------------------------------------------------------------------


ALUR_QUERIES = {
    "cases": """{ cases(first: 20) { ... on CaseConnection { totalCount
        pageInfo { hasNextPage startCursor endCursor }
        edges { cursor node { key period status overdue startedAt tenant { slug name }
          sop { id hash header { nama dasarHukum disahkanOleh { jabatan } }
                steps { number kegiatan waktu { text minutes } output } }
          startedBy { name }
          tasks { number unit status due overdue returnNote assignee { username }
                  step { number kegiatan } role { id name } case { key } }
          events { seq kind at actor { username } role delegation note } } } } } }""",
    "inbox": """{ tasks(first: 50, filter: {role: "staf"}) { ... on TaskConnection {
        edges { cursor node { number unit due overdue returnNote role { id name }
          step { number kegiatan waktu { text } output } case { key period status } } }
        pageInfo { hasNextPage endCursor } } } }""",
    "kinerja": """{ cases(first: 5) { ... on CaseConnection { edges { node { key kinerja {
        indicatorSet { period indicators { code target direction units } }
        recap { complete contentHash sasaran { total average } } } } } } } }""",
}


async def test_the_real_schema_answers_as_graphql_core_does(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    u, kinerja = world.users, KinerjaService(world.a)
    for i in range(3):
        key = (await world.a.start_case(u["staf"], SOP_A, f"Tahun {2000 + i}")).key
        await fill_in_sample(kinerja, u["staf"], key, 1)
        if i:
            await world.a.act(u["staf"], key, Complete(1, "draft"))
            await world.a.act(u["plh.kasubag"], key, Decide(2, Answer.TIDAK, "Perbaiki"))
            await world.a.act(u["staf"], key, Claim(3))
    assert alur_schema.execution_context_class is AlurExecutor
    for name, query in ALUR_QUERIES.items():
        fast = await world.run(query, "a-read")
        with monkeypatch.context() as patch:
            patch.setattr(
                alur_schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext
            )
            ordinary = await world.run(query, "a-read")
        assert fast.errors is None, name
        assert ordinary.errors is None, name
        assert fast.data == ordinary.data, name
        assert str(fast.data).count("'key'") >= 3, name  # not an empty page
