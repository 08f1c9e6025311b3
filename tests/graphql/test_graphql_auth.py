"""API tokens (``alur.tenants.identity.tokens`` and ``alur tokens``) and the GraphQL API over HTTP
(litestar's TestClient, SQLite and PostgreSQL): bearer authentication, 401s, GraphiQL,
languages, and that HTTP requests reach the same typed results as ``schema.execute``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from litestar.testing import TestClient

from alur.cli.main import cli
from alur.core import AlurPlugins
from alur.graphql.testing import OFFICE_A, OFFICE_B, SOP_A, provision
from alur.tenants.cases.batch import TENANT_COLUMNS
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import (
    LAST_USED_EVERY,
    authenticate,
    create_token,
    hash_token,
    list_tokens,
    revoke_token,
)
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database, close_database, open_database
from alur.tenants.storage.tables import ApiToken, Tenant, User
from alur.web.app import create_app
from alur.web.settings import WebSettings

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def office_with_people(plugins: AlurPlugins) -> None:
    a = await create_tenant(plugins, OFFICE_A, "Satpol PP Banyumas", "satpolpp_banyumas")
    b = await create_tenant(plugins, OFFICE_B, "Kesbangpol", "kesbangpol_pekalongan")
    staf = await create_user("staf", "Staf", "rahasia-2026")
    roles = plugins.get("satpolpp_banyumas").sops[SOP_A].roles_by_id
    await add_membership(a.id, staf.id, roles["staf"])
    outsider = await create_user("outsider", "Outsider", "rahasia-2026")  # of office B only
    await add_membership(b.id, outsider.id, None, administrator=True)


# --- the token service ----------------------------------------------------------------------------


async def test_a_token_is_shown_once_and_stored_as_its_hash(
    database: Database, installed: AlurPlugins
) -> None:
    await office_with_people(installed)
    new = await create_token("e-kinerja", "write", tenant=OFFICE_A, user="staf")
    assert new.token.startswith("alur_")
    assert len(new.token) == 48
    row = await ApiToken.select().where(ApiToken.id == new.info.id).first()
    assert row["token_hash"] == hashlib.sha256(new.token.encode()).hexdigest()
    assert new.token not in json.dumps(row, default=str)
    assert (new.info.name, new.info.scope, new.info.tenant_slug, new.info.username) == (
        "e-kinerja",
        "write",
        OFFICE_A,
        "staf",
    )
    found = await authenticate(new.token)
    assert found is not None
    assert (found.tenant_slug, found.scope, found.platform, found.username) == (
        OFFICE_A,
        "write",
        False,
        "staf",
    )
    assert found.can_write
    # The office's row comes with the token, exactly as the API's tenant loader reads it.
    assert found.tenant == (
        await Tenant.select(*TENANT_COLUMNS).where(Tenant.slug == OFFICE_A).first()
    )
    platform = await authenticate((await create_token("monitoring", platform=True)).token)
    assert platform is not None
    assert platform.platform
    assert platform.tenant_id is None
    assert platform.tenant is None
    assert not platform.can_write


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"name": " "}, {"name": "give the token a name (e.g. the system that uses it)"}),
        ({"scope": "admin"}, {"scope": 'choose "read" or "write"'}),
        ({"tenant": None}, {"tenant": "give the office, or make a platform token"}),
        ({"tenant": "atlantis"}, {"tenant": 'no office "atlantis"'}),
        (
            {"scope": "write"},
            {
                "user": "a write token acts for a person: give the username of a member of the office"
            },
        ),
        ({"user": "ghost"}, {"user": 'no user "ghost" in this office'}),
        ({"user": "outsider"}, {"user": 'no user "outsider" in this office'}),
        (
            {"platform": True, "scope": "write", "user": "staf"},
            {
                "tenant": "a platform token belongs to no office; leave the office out",
                "scope": "platform tokens are read-only",
                "user": "a platform token acts for no one; leave the user out",
            },
        ),
    ],
)
async def test_creating_a_token_explains_every_bad_field(
    database: Database, installed: AlurPlugins, kwargs: dict, errors: dict
) -> None:
    await office_with_people(installed)
    with pytest.raises(InvalidInput) as caught:
        await create_token(**{"name": "x", "scope": "read", "tenant": OFFICE_A, **kwargs})
    assert caught.value.errors == errors
    assert await ApiToken.count() == 0


async def test_another_offices_username_gets_the_answer_of_no_user(
    database: Database, installed: AlurPlugins
) -> None:
    """One message for a username of another office and for one that does not exist, so
    an office's administrator cannot tell other offices' usernames apart (issue 11, 10)."""
    await office_with_people(installed)
    answers = []
    for username in ("outsider", "nobody-at-all"):  # of office B; of no office
        with pytest.raises(InvalidInput) as caught:
            await create_token("x", "write", tenant=OFFICE_A, user=username)
        answers.append(caught.value.errors["user"].replace(username, "<username>"))
    assert answers[0] == answers[1]


async def test_unknown_revoked_malformed_and_deactivated_tokens_are_refused(
    database: Database, installed: AlurPlugins
) -> None:
    await office_with_people(installed)
    new = await create_token("x", "write", tenant=OFFICE_A, user="staf")
    for bad in ("", "alur_", "Bearer " + new.token, new.token[:-1] + "?", "alur_" + "x" * 43):
        assert await authenticate(bad) is None
    await User.update({User.active: False}).where(User.username == "staf")
    assert await authenticate(new.token) is None
    await User.update({User.active: True}).where(User.username == "staf")
    assert await authenticate(new.token) is not None
    with pytest.raises(NotFound):
        await revoke_token(new.info.id, tenant=OFFICE_B)  # not that office's token
    revoked = await revoke_token(new.info.id, tenant=OFFICE_A)
    assert not revoked.active
    assert await authenticate(new.token) is None
    again = await revoke_token(new.info.id)
    assert again.revoked_at == revoked.revoked_at  # revoking twice changes nothing
    with pytest.raises(NotFound):
        await revoke_token(999)


async def test_last_use_is_recorded_at_most_once_a_minute(
    database: Database, installed: AlurPlugins
) -> None:
    await office_with_people(installed)
    new = await create_token("x", tenant=OFFICE_A)
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    async def last_used() -> datetime | None:
        row = await ApiToken.select(ApiToken.last_used_at).first()
        return row["last_used_at"]

    assert await last_used() is None
    await authenticate(new.token, now=start)
    assert await last_used() == start
    await authenticate(new.token, now=start + timedelta(seconds=30))
    assert await last_used() == start
    later = start + LAST_USED_EVERY + timedelta(seconds=1)
    await authenticate(new.token, now=later)
    assert await last_used() == later


async def test_listing_tokens_by_office_and_platform(
    database: Database, installed: AlurPlugins
) -> None:
    await office_with_people(installed)
    a = await create_token("a", tenant=OFFICE_A)
    b = await create_token("b", tenant=OFFICE_B)
    p = await create_token("p", platform=True)
    assert [t.id for t in await list_tokens()] == [p.info.id, b.info.id, a.info.id]
    assert [t.name for t in await list_tokens(OFFICE_A)] == ["a"]
    assert [t.name for t in await list_tokens(platform=True)] == ["p"]
    with pytest.raises(NotFound):
        await list_tokens("atlantis")
    assert hash_token(a.token) not in repr(await list_tokens())


# --- alur tokens ------------------------------------------------------------------------------------


@pytest.fixture
def run(installed: AlurPlugins, tmp_path: Path):
    db_file = tmp_path / "alur.db"

    def invoke(command: str) -> Result:
        env = {"ALUR_DATABASE_URL": f"sqlite:///{db_file}", "COLUMNS": "200"}
        return CliRunner().invoke(cli, shlex.split(command), obj=lambda: installed, env=env)

    async def setup() -> None:
        db = await open_database(f"sqlite:///{db_file}")
        await office_with_people(installed)
        await close_database(db)

    asyncio.run(setup())
    return invoke


def test_tokens_command_line(run) -> None:
    created = run(f"tokens create --tenant {OFFICE_A} --name e-kinerja --scope write --user staf")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("alur_")
    assert "shown only now" in created.stdout
    assert "acts for staf" in created.stdout
    quiet = run("tokens create --platform --name monitoring -q")
    assert quiet.stdout.startswith("alur_")
    assert len(quiet.stdout.strip().splitlines()) == 1
    listed = run("tokens list")
    assert token not in listed.stdout
    assert 'token 1 "e-kinerja" (write, office satpolpp-banyumas, acts for staf)' in listed.stdout
    assert 'platform token 2 "monitoring" (read, every office)' in listed.stdout
    as_json = json.loads(run(f"tokens list --tenant {OFFICE_A} --format json").stdout)
    assert [(t["id"], t["active"], t["user"]) for t in as_json] == [(1, True, "staf")]
    revoked = run("tokens revoke 1")
    assert revoked.exit_code == 0
    assert "Revoked token 1" in revoked.stdout
    assert "revoked" in run("tokens list").stdout


@pytest.mark.parametrize(
    ("command", "messages"),
    [
        (
            "tokens create --name x --scope write",
            ["--tenant: give the office, or make a platform token", "--user: a write token"],
        ),
        (
            f"tokens create --tenant {OFFICE_A} --name x --user outsider",
            ['--user: no user "outsider" in this office'],
        ),
        ("tokens create --platform --tenant x --name x", ["--tenant: a platform token"]),
        ("tokens revoke 42", ["API token 42 not found"]),
        ("tokens list --tenant atlantis", ["office atlantis not found"]),
    ],
)
def test_tokens_command_line_usage_errors(run, command: str, messages: list[str]) -> None:
    result = run(command)
    assert result.exit_code == 2, result.output
    for message in messages:
        assert message in result.stderr
    assert "Traceback" not in result.output


# --- over HTTP ---------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def http(request: pytest.FixtureRequest, fresh_databases, installed: AlurPlugins) -> Iterator:
    """(client, tokens, case key of office B) for an app on a provisioned database."""
    url = fresh_databases.url(request.param)

    async def setup() -> tuple[dict[str, str], str]:
        db = await open_database(url)
        world = await provision(db, installed)
        await close_database(db)
        return world.tokens, world.case_b

    tokens, case_b = asyncio.run(setup())
    app = create_app(WebSettings(database_url=url, secret_key="k" * 40), plugins=installed)
    with TestClient(app) as client:
        yield client, tokens, case_b


def post(client: TestClient, query: str, token: str | None = None, **headers: str):
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post("/graphql", json={"query": query}, headers=headers)


def test_no_or_a_bad_token_is_401(http) -> None:
    client, tokens, _ = http
    cases = [
        ({}, "send an API token", 'Bearer realm="alur"'),
        ({"Authorization": "Bearer alur_nonsense"}, "not valid", 'error="invalid_token"'),
        ({"Authorization": f"Bearer {tokens['a-revoked']}"}, "not valid", "invalid_token"),
        ({"Authorization": "Basic c3RhZjpyYWhhc2lh"}, "Bearer <token>", "invalid_token"),
    ]
    for headers, message, challenge in cases:
        r = client.post("/graphql", json={"query": "{ me { token { name } } }"}, headers=headers)
        assert r.status_code == 401, r.text
        assert challenge in r.headers["www-authenticate"]
        (error,) = r.json()["errors"]
        assert message in error["message"]
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
        assert r.json()["data"] is None


def test_a_valid_token_reads_and_writes_over_http(http) -> None:
    client, tokens, case_b = http
    r = post(client, "{ me { tenant { slug } user { username } } }", tokens["a-staf"])
    assert r.status_code == 200
    assert r.json() == {
        "data": {"me": {"tenant": {"slug": OFFICE_A}, "user": {"username": "staf"}}}
    }
    start = (
        f'mutation {{ startCase(input: {{sop: "{SOP_A}", period: "Triwulan I 2026"}}) {{'
        " __typename ... on CaseChanged { case { key } events { kind } } } }"
    )
    refused = post(client, start, tokens["a-read"]).json()["data"]["startCase"]
    assert refused == {"__typename": "Forbidden"}
    started = post(client, start, tokens["a-staf"]).json()["data"]["startCase"]
    assert started["__typename"] == "CaseChanged"
    key = started["case"]["key"]
    claim = 'mutation { claimTask(caseKey: "%s", task: 1) { __typename } }'
    assert post(client, claim % case_b, tokens["a-staf"]).json()["data"]["claimTask"] == {
        "__typename": "NotFound"
    }
    assert post(client, claim % key, tokens["a-staf"]).json()["data"]["claimTask"] == {
        "__typename": "CaseChanged"
    }
    got = client.get(
        "/graphql",
        params={"query": '{ case(key: "%s") { ... on Case { status } } }' % key},  # noqa: UP031
        headers={"Authorization": f"Bearer {tokens['platform']}"},
    )
    assert got.json() == {"data": {"case": {"status": "ACTIVE"}}}


def test_graphiql_and_introspection_need_no_token(http) -> None:
    client, _, _ = http
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    r = post(client, "{ __schema { queryType { name } } }")
    assert r.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_accept_language_id_answers_in_indonesian(http) -> None:
    client, tokens, case_b = http
    query = '{ case(key: "%s") { ... on NotFound { message } } }' % case_b  # noqa: UP031
    english = post(client, query, tokens["a-read"]).json()["data"]["case"]["message"]
    indonesian = post(client, query, tokens["a-read"], **{"Accept-Language": "id-ID,id;q=0.9"})
    assert english == f"case {case_b} not found"
    assert indonesian.json()["data"]["case"]["message"] != english
    assert "tidak ditemukan" in indonesian.json()["data"]["case"]["message"]
    unauthenticated = post(client, "{ me { token { name } } }", **{"Accept-Language": "id"})
    assert "send an API token" not in unauthenticated.json()["errors"][0]["message"]


def test_requests_strawberry_cannot_read_answer_json(http) -> None:
    client, tokens, _ = http
    auth = {"Authorization": f"Bearer {tokens['a-read']}"}
    broken = client.post(
        "/graphql", content=b"{not json", headers={**auth, "Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json() == {
        "errors": [
            {
                "message": "Unable to parse request body as JSON",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    empty = client.post("/graphql", json={}, headers=auth)
    assert empty.status_code == 400
    assert empty.json()["errors"]
    syntax = post(client, "{ me { ", tokens["a-read"])
    assert syntax.json()["errors"][0]["message"].startswith("Syntax Error")
