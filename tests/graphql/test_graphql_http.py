"""The GraphQL API as an independent client sees it: the real app served by uvicorn in a
subprocess on a free port of 127.0.0.1 (SQLite and PostgreSQL), driven over HTTP with the
``gql`` package (``gql.Client`` over ``HTTPXTransport``), which fetches the schema by
introspection and validates every document against it before sending it.

Covers reading (``me``, offices, SOPs, paging through ``cases``, ``tasks``, a timeline), a
whole mutation flow (startCase → claimTask → completeTask → decideGate, each as the write
token's own person), the typed failures a client branches on, and HTTP 401 with
``UNAUTHENTICATED`` for a missing, unknown or revoked token.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport
from graphql import GraphQLError, build_schema, lexicographic_sort_schema, print_schema

from alur.core import AlurPlugins
from alur.graphql.testing import OFFICE_A, OFFICE_B, SOP_A, UNITS_A, provision
from alur.tenants.demo.kinerja_samples import seed_sample_format
from alur.tenants.storage.database import close_database, open_database
from alur.web.testing import running_app

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60.0


# --- the live server -----------------------------------------------------------------------


def serve(database_url: str, workdir: Path) -> contextlib.AbstractContextManager[tuple[str, Path]]:
    """``uvicorn alur.web.asgi:app`` on a free port; yields (base URL, server log)."""
    return running_app(database_url, workdir, startup_timeout=STARTUP_TIMEOUT)


@dataclass
class Api:
    url: str  # the /graphql endpoint
    tokens: dict[str, str]
    case_b: str
    log_path: Path
    statuses: list[int] = field(default_factory=list)  # every response's status, in order

    def client(self, token: str | None = None, **headers: str) -> Client:
        """A ``gql`` client sending the token labelled ``token`` (none: no header)."""
        if token is not None:
            headers["Authorization"] = f"Bearer {self.tokens.get(token, token)}"

        def record(response: httpx.Response) -> None:
            self.statuses.append(response.status_code)

        transport = HTTPXTransport(
            url=self.url, headers=headers, timeout=30, event_hooks={"response": [record]}
        )
        return Client(
            transport=transport,
            fetch_schema_from_transport=True,
            introspection_args={"specified_by_url": True, "input_value_deprecation": True},
        )

    def run(self, token: str | None, query: str, **variables: Any) -> dict[str, Any]:
        """The data of one operation (``TransportQueryError`` if it has GraphQL errors)."""
        with self.client(token) as session:
            return session.execute(GraphQLRequest(query, variable_values=variables or None))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    installed: AlurPlugins,
) -> Iterator[Api]:
    """The app served on a provisioned database (:func:`alur.graphql.testing.provision`)."""
    workdir = tmp_path_factory.mktemp(f"graphql-http-{request.param}")
    dropped: list[str] = []
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'alur.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        template = request.getfixturevalue("postgres_template")
        url = server.create_database("alur_graphql_http", template=template)
        dropped.append("alur_graphql_http")

    async def setup() -> tuple[dict[str, str], str]:
        db = await open_database(url)
        try:
            world = await provision(db, installed)
            for period in ("Triwulan III 2026", "Semester II 2026"):  # step 1 designs the format
                await seed_sample_format(world.a, period)
            return world.tokens, world.case_b
        finally:
            await close_database(db)

    tokens, case_b = asyncio.run(setup())
    try:
        with serve(url, workdir) as (base, log_path):
            yield Api(f"{base}/graphql", tokens, case_b, log_path)
            log = log_path.read_text(errors="replace")
            assert "Traceback" not in log, log
    finally:
        for name in dropped:
            request.getfixturevalue("postgres_server").drop_database(name)


# --- reading -------------------------------------------------------------------------------


def test_the_introspected_schema_is_the_documented_one(api: Api) -> None:
    with api.client("a-read") as session:
        served = session.client.schema
    assert served is not None
    documented = build_schema((ROOT / "docs" / "schema.graphql").read_text())
    assert print_schema(lexicographic_sort_schema(served)) == print_schema(
        lexicographic_sort_schema(documented)
    )


def test_documents_are_validated_by_the_client_before_sending(api: Api) -> None:
    sent = len(api.statuses)
    with pytest.raises(GraphQLError, match="Cannot query field 'password'"):
        api.run("a-read", "{ me { user { username password } } }")
    assert len(api.statuses) == sent + 1  # only the introspection went out


def test_me_offices_and_sops(api: Api) -> None:
    data = api.run(
        "a-staf",
        """query($sop: String!) {
             me { token { name scope platform } user { username }
                  tenant { slug units { slug active } sop(id: $sop) { id steps { number } } } }
             tenants { slug } }""",
        sop=SOP_A,
    )
    me = data["me"]
    assert me["token"] == {"name": "a-staf", "scope": "WRITE", "platform": False}
    assert me["user"] == {"username": "staf"}
    assert me["tenant"]["slug"] == OFFICE_A
    active = [u["slug"] for u in me["tenant"]["units"] if u["active"]]
    assert tuple(active) == UNITS_A
    assert me["tenant"]["sop"]["id"] == SOP_A
    assert [s["number"] for s in me["tenant"]["sop"]["steps"]][:2] == [1, 2]
    assert data["tenants"] == [{"slug": OFFICE_A}]
    platform = api.run("platform", "{ me { tenant { slug } } tenants { slug } }")
    assert platform["me"] == {"tenant": None}
    assert {t["slug"] for t in platform["tenants"]} == {OFFICE_A, OFFICE_B}


PAGE = """
query Page($first: Int!, $after: String) {
  cases(first: $first, after: $after) {
    __typename
    ... on CaseConnection {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { key period status tenant { slug } } }
    }
    ... on InvalidInput { fields { field message } }
  }
}
"""


def test_paging_through_cases(api: Api) -> None:
    periods = [f"Tahun {2000 + n}" for n in range(3)]
    for period in periods:
        started = api.run("a-staf", START, input={"sop": SOP_A, "period": period})
        assert started["startCase"]["__typename"] == "CaseChanged"
    seen: list[str] = []
    after = None
    while True:
        page = api.run("platform", PAGE, first=2, after=after)["cases"]
        assert page["__typename"] == "CaseConnection"
        seen += [e["node"]["key"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]
    assert api.case_b in seen  # the platform token reads every office
    own = api.run("a-read", PAGE, first=100)["cases"]
    keys = [e["node"]["key"] for e in own["edges"]]
    assert api.case_b not in keys
    assert {e["node"]["tenant"]["slug"] for e in own["edges"]} == {OFFICE_A}
    bad = api.run("a-read", PAGE, first=0, after="not-a-cursor")["cases"]
    assert bad["__typename"] == "InvalidInput"
    assert {f["field"] for f in bad["fields"]} == {"first"}


# --- a mutation flow -----------------------------------------------------------------------

START = """
mutation Start($input: StartCaseInput!) {
  startCase(input: $input) {
    __typename
    ... on CaseChanged { case { key status startedBy { username } } events { seq kind } }
    ... on Error { message }
    ... on InvalidInput { fields { field message } }
  }
}
"""
RESULT = """
fragment Result on TaskActionResult {
  __typename
  ... on CaseChanged {
    case { key status tasks { number status step { number } assignee { username } unit } }
    events { kind task step actor { username } note }
  }
  ... on Error { message }
  ... on ActionRefused { code }
  ... on InvalidInput { fields { field message } }
}
"""
CLAIM = (
    RESULT
    + """
mutation Claim($key: String!, $task: Int!) { claimTask(caseKey: $key, task: $task) { ...Result } }
"""
)
COMPLETE = (
    RESULT
    + """
mutation Complete($key: String!, $task: Int!, $note: String!, $data: JSON) {
  completeTask(caseKey: $key, task: $task, note: $note, data: $data) { ...Result }
}
"""
)
DECIDE = (
    RESULT
    + """
mutation Decide($key: String!, $task: Int!, $answer: Answer!, $note: String!) {
  decideGate(caseKey: $key, task: $task, answer: $answer, note: $note) { ...Result }
}
"""
)
TIMELINE = """
query Timeline($key: String!) {
  case(key: $key) {
    __typename
    ... on Case { status events { seq kind actor { username } note } }
    ... on NotFound { message }
  }
}
"""


def test_start_claim_complete_and_decide(api: Api) -> None:
    started = api.run("a-staf", START, input={"sop": SOP_A, "period": "Triwulan III 2026"})
    result = started["startCase"]
    assert result["__typename"] == "CaseChanged"
    assert result["case"]["startedBy"] == {"username": "staf"}
    assert [e["kind"] for e in result["events"]] == ["CASE_STARTED", "TASK_OPENED"]
    key = result["case"]["key"]

    claimed = api.run("a-staf", CLAIM, key=key, task=1)["claimTask"]
    assert claimed["__typename"] == "CaseChanged"
    assert claimed["case"]["tasks"][0]["assignee"] == {"username": "staf"}
    assert [(e["kind"], e["actor"]) for e in claimed["events"]] == [
        ("TASK_CLAIMED", {"username": "staf"})
    ]

    done = api.run("a-staf", COMPLETE, key=key, task=1, note="Draft terlampir", data={"lembar": 3})[
        "completeTask"
    ]
    assert [e["kind"] for e in done["events"]] == ["TASK_COMPLETED", "TASK_OPENED"]
    assert done["events"][0]["note"] == "Draft terlampir"
    opened = [t for t in done["case"]["tasks"] if t["status"] == "OPEN"]
    assert [(t["number"], t["step"]["number"]) for t in opened] == [(2, 2)]

    decided = api.run("a-kasubag", DECIDE, key=key, task=2, answer="YA", note="")["decideGate"]
    assert decided["__typename"] == "CaseChanged"
    assert decided["events"][0]["kind"] == "GATE_DECIDED"
    assert decided["events"][0]["actor"] == {"username": "kasubag"}
    opened = [t for t in decided["case"]["tasks"] if t["status"] == "OPEN"]
    assert [(t["number"], t["step"]["number"]) for t in opened] == [(3, 3)]

    fanned = api.run("a-staf", COMPLETE, key=key, task=3, note="", data=None)["completeTask"]
    opened = [t for t in fanned["case"]["tasks"] if t["status"] == "OPEN"]
    assert sorted((t["step"]["number"], t["unit"]) for t in opened) == [(4, u) for u in UNITS_A]

    timeline = api.run("a-read", TIMELINE, key=key)["case"]
    assert timeline["status"] == "ACTIVE"
    kinds = [e["kind"] for e in timeline["events"]]
    assert kinds[:7] == [
        "CASE_STARTED",
        "TASK_OPENED",
        "TASK_CLAIMED",
        "TASK_COMPLETED",
        "TASK_OPENED",
        "GATE_DECIDED",
        "TASK_OPENED",
    ]
    assert [e["seq"] for e in timeline["events"]] == list(range(1, len(kinds) + 1))

    tasks = api.run(
        "a-kabid-linmas",
        """{ tasks(first: 50, filter: { unit: "linmas", role: "kabid" }) {
               ... on TaskConnection { edges { node { number case { key } step { number } } } }
             } }""",
    )
    mine = [e["node"] for e in tasks["tasks"]["edges"] if e["node"]["case"]["key"] == key]
    assert [t["step"]["number"] for t in mine] == [4]


def test_typed_failures(api: Api) -> None:
    key = api.run("a-staf", START, input={"sop": SOP_A, "period": "Semester II 2026"})["startCase"][
        "case"
    ]["key"]
    wrong_role = api.run("a-kasubag", CLAIM, key=key, task=1)["claimTask"]
    assert wrong_role["__typename"] == "ActionRefused"
    assert wrong_role["code"] == "wrong_role"
    missing_task = api.run("a-staf", CLAIM, key=key, task=99)["claimTask"]
    assert missing_task["__typename"] == "NotFound"
    other_office = api.run("a-staf", CLAIM, key=api.case_b, task=1)["claimTask"]
    assert other_office == {"__typename": "NotFound", "message": f"case {api.case_b} not found"}
    read_only = api.run("a-read", CLAIM, key=key, task=1)["claimTask"]
    assert read_only["__typename"] == "Forbidden"
    bad_start = api.run("a-staf", START, input={"sop": "nope", "period": " "})["startCase"]
    assert bad_start["__typename"] == "InvalidInput"
    assert {f["field"] for f in bad_start["fields"]} == {"sop", "period"}
    no_note = api.run("a-staf", COMPLETE, key=key, task=1, note="", data=None)["completeTask"]
    assert no_note["__typename"] == "CaseChanged"
    tidak = api.run("a-kasubag", DECIDE, key=key, task=2, answer="TIDAK", note=" ")["decideGate"]
    assert (tidak["__typename"], tidak["code"]) == ("ActionRefused", "note_required")
    with api.client("a-kasubag", **{"Accept-Language": "id"}) as session:
        indonesian = session.execute(
            GraphQLRequest(
                DECIDE, variable_values={"key": key, "task": 2, "answer": "TIDAK", "note": ""}
            )
        )["decideGate"]
    assert indonesian["code"] == "note_required"
    assert indonesian["message"] != tidak["message"]


# --- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "send an API token"),
        ("alur_" + "x" * 43, "not valid"),
        ("a-revoked", "not valid"),
    ],
)
def test_no_unknown_or_revoked_token_is_401(api: Api, token: str | None, message: str) -> None:
    with pytest.raises(TransportQueryError) as raised:
        api.run(token, "{ me { token { name } } }")
    assert api.statuses[-1] == 401
    (error,) = raised.value.errors or []
    assert message in error["message"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert raised.value.data is None
