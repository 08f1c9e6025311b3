"""What one token may ask of the API (SQLite and PostgreSQL): the cost budget of an
operation, computed before it runs (:mod:`alur.graphql.limits`), and the per-token request
rate shared through the database (:mod:`alur.tenants.identity.api_rate`), over HTTP too."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from graphql import GraphQLError
from litestar.testing import TestClient

from alur.core import AlurPlugins
from alur.graphql.context import make_context
from alur.graphql.limits import DEFAULT_COST_BUDGET, TOO_COSTLY, ApiLimits
from alur.graphql.schema import schema
from alur.graphql.testing import SOP_A, World, provision
from alur.tenants.errors import RateLimited
from alur.tenants.identity.api_rate import count_request
from alur.tenants.identity.tokens import authenticate
from alur.tenants.storage.database import Database, close_database, open_database
from alur.tenants.storage.tables import ApiRate, ApiToken
from alur.web.app import create_app
from alur.web.settings import WebSettings

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

# The probe's query: 20 aliases (today's alias limit) of cases → tasks → case → events.
HOSTILE = (
    "{ "
    + " ".join(
        f"c{i}: cases(first: 100) {{ ... on CaseConnection {{ edges {{ node {{ key"
        " tasks { number case { key events { seq kind at note actorName } } } } } } }"
        for i in range(20)
    )
    + " }"
)


def statements(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement ``db``'s engine runs from now on (queries and raw SQL alike)."""
    engine_class = type(db.engine)
    seen: list[str] = []
    run_querystring, run_ddl = engine_class.run_querystring, engine_class.run_ddl

    async def querystring(self, querystring, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(querystring))
        return await run_querystring(self, querystring, *args, **kwargs)

    async def ddl(self, ddl, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(ddl))
        return await run_ddl(self, ddl, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", querystring)
    monkeypatch.setattr(engine_class, "run_ddl", ddl)
    return seen


# --- cost --------------------------------------------------------------------------------------


async def test_the_probes_query_is_refused_before_it_runs(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):  # some cases, so that running it would read something
        await world.a.start_case(world.users["staf"], SOP_A, f"Tahun {2000 + i}")
    seen = statements(world.db, monkeypatch)
    result = await world.run(HOSTILE, "a-read")
    assert result.data is None
    (error,) = result.errors or []
    cost = error.extensions["cost"]  # type: ignore[index]
    assert error.extensions == {"code": TOO_COSTLY, "cost": cost, "budget": DEFAULT_COST_BUDGET}
    assert cost > 100 * DEFAULT_COST_BUDGET
    assert f"{cost} values, over the budget of {DEFAULT_COST_BUDGET}" in error.message
    # nothing ran: the statements are those of authenticating the token (world.run), no more
    assert all("alur_api_token" in s for s in seen), seen


async def test_the_cost_counts_the_page_asked_for_in_a_variable(world: World) -> None:
    query = """query($first: Int!) { cases(first: $first) { ... on CaseConnection {
        edges { node { key tasks { number } } } } } }"""
    # cases 1 + edges (1 + first × (node 1 + key 1 + tasks (1 + 50 × number 1)))
    cost = {first: 1 + 1 + first * (1 + 1 + 1 + 50) for first in (2, 3)}
    identity = await authenticate(world.tokens["a-read"])

    async def errors(first: int, budget: int, language: str = "en") -> list[GraphQLError]:
        context = make_context(world.db, world.plugins, identity, language=language)
        context.cost_budget = budget
        result = await schema.execute(
            query, variable_values={"first": first}, context_value=context
        )
        return result.errors or []

    assert await errors(2, cost[2]) == []
    (error,) = await errors(3, cost[2])
    assert error.extensions == {"code": TOO_COSTLY, "cost": cost[3], "budget": cost[2]}
    (error,) = await errors(3, cost[2], "id")
    assert f"anggaran {cost[2]}" in error.message


def test_over_http_the_budget_is_the_settings(http: Http) -> None:
    r = http.post(HOSTILE, "a-read")
    assert r.status_code == 200
    (error,) = r.json()["errors"]
    assert error["extensions"]["code"] == TOO_COSTLY
    assert error["extensions"]["budget"] == http.limits.cost_budget
    r = http.post("{ me { token { name } } }", "a-read", **{"Accept-Language": "id"})
    assert r.json() == {"data": {"me": {"token": {"name": "a-read"}}}}


# --- request rate ------------------------------------------------------------------------------


async def test_requests_are_counted_per_token_and_window(world: World) -> None:
    tokens = [row["id"] for row in await ApiToken.select(ApiToken.id).order_by(ApiToken.id)]
    first, other = tokens[0], tokens[1]
    at = 1_000_000.5  # a window of 60 s runs from 999,960 to 1,000,020
    for n in (1, 2, 3):
        assert await count_request(first, limit=3, window=60, now=at) == n
    with pytest.raises(RateLimited) as refused:
        await count_request(first, limit=3, window=60, now=at + 10)
    assert refused.value.params == {"limit": 3, "window": 60, "retry_after": 10}
    assert str(refused.value) == (
        "this API token made more than 3 requests in 60 seconds: try again in 10 seconds"
    )
    with pytest.raises(RateLimited):  # refused requests count too
        await count_request(first, limit=3, window=60, now=at + 19)
    assert await count_request(other, limit=3, window=60, now=at) == 1  # its own count
    assert await count_request(first, limit=3, window=60, now=at + 19.5) == 1  # a new window
    assert await count_request(first, limit=0, window=60, now=at) == 0  # no limit
    assert await ApiRate.count() == 2  # one row per token
    await ApiToken.delete().where(ApiToken.id == other)
    assert await ApiRate.count() == 1  # it goes with its token


def test_over_http_a_token_over_its_rate_gets_429_until_the_window_ends(http: Http) -> None:
    query = "{ me { token { name } } }"
    for _ in range(http.limits.rate_limit):
        assert http.post(query, "a-read").status_code == 200
    assert http.post(query, "a-staf").status_code == 200  # another token counts apart
    http.now += 5
    refused = http.post(query, "a-read", **{"Accept-Language": "id"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "55"
    (error,) = refused.json()["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 55}
    assert "coba lagi dalam 55 detik" in error["message"]
    assert http.post(query).status_code == 401  # no token: not counted, still refused
    http.now += 55  # the next window
    assert http.post(query, "a-read").status_code == 200


# --- over HTTP ------------------------------------------------------------------------------


@dataclass
class Http:
    client: TestClient
    tokens: dict[str, str]
    limits: ApiLimits
    now: float = 1_800_000_000.0  # the start of a 60-second window

    def post(self, query: str, token: str | None = None, **headers: str):  # type: ignore[no-untyped-def]
        if token is not None:
            headers["Authorization"] = f"Bearer {self.tokens[token]}"
        return self.client.post("/graphql", json={"query": query}, headers=headers)


@pytest.fixture(params=["sqlite", "postgresql"])
def http(request: pytest.FixtureRequest, fresh_databases, installed: AlurPlugins) -> Iterator[Http]:
    """The app on a provisioned database, with a rate of 3 requests a minute and a clock
    the test moves."""
    url = fresh_databases.url(request.param)

    async def setup() -> dict[str, str]:
        db = await open_database(url)
        world = await provision(db, installed)
        await close_database(db)
        return world.tokens

    tokens = asyncio.run(setup())
    box: list[Http] = []
    limits = ApiLimits(rate_limit=3, rate_window=60, clock=lambda: box[0].now)
    app = create_app(
        WebSettings(database_url=url, secret_key="k" * 40), plugins=installed, graphql_limits=limits
    )
    with TestClient(app) as client:
        box.append(Http(client, tokens, limits))
        yield box[0]
