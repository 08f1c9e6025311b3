"""What the case page and a transition cost the database (issue 15: PostgreSQL's case page p95): a fixed
number of statements, whatever the office's size — counted, since a count does not depend
on how loaded the machine is (bench/web.py --profile and bench/scale.py time it).

Each statement is a round trip to PostgreSQL; the case page of a case with an open task
reads the session, the viewer, the unread count, the office, the case, its events, its
attachments, the office's role holders (members and Plt/Plh in one statement) and the task
rows — and no more as the office grows (more people, more delegations, more cases).
A transition through GraphQL reads the token's person and the office once per request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from alur.core.plugins import create_plugin_manager
from alur.graphql.testing import OFFICE_A, PASSWORD, SOP_A, provision
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Tenant
from alur.tenants.testing.people import use_cheap_hasher
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import sign_in_sync

# the statements of the case page of a case with an open task at the format step, measured
# (one fewer than before: the office's members and its Plt/Plh are one statement)
CASE_PAGE_STATEMENTS = 10
# a claim through GraphQL on PostgreSQL: the token, its person, the API rate count, the
# office, the case (twice: the mutation's own check, then the action), the actor's person,
# memberships and delegations, the transaction's two statements and the answer's case and
# events (SQLite adds its BEGIN/COMMIT and a savepoint); it was 5 more while the actor and
# the office's calendar were read again for the action
TRANSITION_STATEMENTS = {"postgresql": 13, "sqlite": 16}


async def _provision(url: str, extra_people: int) -> tuple[str, str]:
    use_cheap_hasher()
    db = await open_database(url)
    try:
        world = await provision(db, create_plugin_manager())
        staf = world.users["staf"]
        key = (await world.a.start_case(staf, SOP_A, "Tahun 2020")).key
        for i in range(5):  # more cases, more events
            await world.a.start_case(staf, SOP_A, f"Tahun {2001 + i}")
        tenant = await Tenant.select(Tenant.id).where(Tenant.slug == OFFICE_A).first()
        role = world.a.sop(SOP_A).roles_by_id["staf"]
        today = date.today()
        for i in range(extra_people):  # more people and more Plt/Plh
            user = await create_user(f"extra-{i}", f"Extra {i}", PASSWORD)
            await add_membership(tenant["id"], user.id, role)
            await add_delegation(
                tenant["id"],
                user.id,
                world.users["kasubag"],
                "kasubag_perencanaan",
                None,
                "Plt",
                today - timedelta(days=1),
                today + timedelta(days=3),
            )
        return key, world.tokens["a-staf"]
    finally:
        await close_database(db)


@contextlib.contextmanager
def statements(engine_class: type, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    seen: list[str] = []
    run_querystring, run_ddl = engine_class.run_querystring, engine_class.run_ddl

    async def querystring(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(querystring))
        return await run_querystring(self, querystring, *args, **kwargs)

    async def ddl(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(sql)
        return await run_ddl(self, sql, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(engine_class, "run_querystring", querystring)
        patch.setattr(engine_class, "run_ddl", ddl)
        yield seen


@pytest.mark.parametrize("extra_people", [0, 12])
def test_the_case_page_costs_a_fixed_number_of_statements(
    database_url: str, extra_people: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, _token = asyncio.run(_provision(database_url, extra_people))
    settings = WebSettings(database_url=database_url, secret_key="k" * 40)
    app = create_app(settings)
    with TestClient(app) as client:
        sign_in_sync(client, "staf", PASSWORD)
        path = f"/t/{OFFICE_A}/cases/{key}"
        assert client.get(path).status_code == 200  # warm: definitions, caches
        engine_class = type(app.state.services.db.engine)
        with statements(engine_class, monkeypatch) as seen:
            page = client.get(path)
        assert page.status_code == 200
        assert "Ambil" in page.text or "Selesaikan" in page.text  # the open task's actions
        shown = "\n".join(s[:120] for s in seen)
        assert len(seen) <= CASE_PAGE_STATEMENTS, f"{len(seen)} statements:\n{shown}"


CLAIM = "mutation($k: String!) { claimTask(caseKey: $k, task: 1) { __typename } }"
UNCLAIM = "mutation($k: String!) { unclaimTask(caseKey: $k, task: 1) { __typename } }"


def test_a_transition_through_graphql_costs_a_fixed_number_of_statements(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, token = asyncio.run(_provision(database_url, 3))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        engine_class = type(app.state.services.db.engine)
        backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
        for n, query in enumerate((CLAIM, UNCLAIM, CLAIM, UNCLAIM)):
            with statements(engine_class, monkeypatch) as seen:
                answer = client.post(
                    "/graphql", json={"query": query, "variables": {"k": key}}, headers=headers
                ).json()
            assert next(iter(answer["data"].values()))["__typename"] == "CaseChanged", answer
            shown = "\n".join(s[:120] for s in seen)
            if n > 0:  # the first use of a token also records when it was last used
                limit = TRANSITION_STATEMENTS[backend]
                assert len(seen) <= limit, f"{len(seen)} statements:\n{shown}"
