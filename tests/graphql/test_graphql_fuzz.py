"""Fuzzing ``/graphql`` with schemathesis, over HTTP, on SQLite and PostgreSQL.

For every root field (6 queries, 8 mutations) schemathesis generates valid operations from
the schema (hypothesis-graphql underneath: every argument, nested selections, odd strings
including NUL characters, extreme integers). A share of the generated identifiers is
swapped for real ones — case keys of office A in several states and office B's case,
usernames, SOP ids, units, roles, office slugs, small task numbers — so the fuzzing
reaches the service layer and the engine, not only ``NotFound``. Each operation is sent
to the real app (uvicorn in a subprocess) with office A's read token and with a write
token, and must not produce a server error: no status 5xx, a JSON GraphQL answer, no
"Unexpected error." (a masked bug), no traceback in the server's log. The read token's
mutations must all be ``Forbidden``.

Bounded by count, not by time: exactly ``ALUR_FUZZ_EXAMPLES`` examples per operation and
backend (default 8, derandomized so CI runs are repeatable; each is two requests), and each
test fails if fewer ran — a fuzz test that runs nothing must not pass. (It used to stop at a
time budget counted from the module's import, so in a full run it started late and passed
with no example at all.) For a longer, random campaign: ``ALUR_FUZZ_EXAMPLES=500
ALUR_FUZZ_RANDOM=1 .venv/bin/python -m pytest tests/graphql/test_graphql_fuzz.py``. The server runs
without the per-token request rate (``ALUR_GRAPHQL_RATE_LIMIT=0``), which would otherwise
answer 429 to the campaign; a 429 counts as a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphql
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes

from alur.core import AlurPlugins
from alur.core.engine import Claim, Complete, Decide
from alur.core.model import Answer
from alur.graphql.schema import schema as alur_schema
from alur.graphql.testing import (
    OFFICE_A,
    OFFICE_B,
    PASSWORD,
    PEOPLE_A,
    SOP_A,
    SOP_B,
    provision,
)
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import User
from alur.web.testing import running_app

EXAMPLES = int(os.environ.get("ALUR_FUZZ_EXAMPLES", "8"))
RANDOM = bool(os.environ.get("ALUR_FUZZ_RANDOM"))
MODE = GenerationMode.NEGATIVE if os.environ.get("ALUR_FUZZ_NEGATIVE") else GenerationMode.POSITIVE
STARTUP_TIMEOUT = 60.0
MASKED = "Unexpected error."


# --- what schemathesis generates ------------------------------------------------------------


def _json_values() -> st.SearchStrategy[graphql.ValueNode]:
    """GraphQL literals for the ``JSON`` scalar (``completeTask(data:)``)."""
    leaves = st.one_of(
        st.integers(-(2**31), 2**31 - 1).map(nodes.Int),
        st.text(max_size=20).map(nodes.String),
        st.booleans().map(nodes.Boolean),
        st.just(nodes.Null),
    )
    names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)

    def objects(children: st.SearchStrategy) -> st.SearchStrategy:
        return st.dictionaries(names, children, max_size=3).map(
            lambda d: nodes.Object(
                [
                    graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v)
                    for k, v in d.items()
                ]
            )
        )

    return st.recursive(
        leaves, lambda c: st.lists(c, max_size=3).map(nodes.List) | objects(c), max_leaves=6
    )


schemathesis.graphql.scalar("JSON", _json_values())
# NUL characters (U+0000) are generated too: PostgreSQL refuses them in text, so the API
# refuses them first (a validation rule for literals, an extension for variables).
NUL = not os.environ.get("ALUR_FUZZ_NO_NUL")
SCHEMA = schemathesis.graphql.from_dict(
    alur_schema.introspect(),
    config=SchemathesisConfig.from_dict({"generation": {"allow-x00": NUL}}),
)
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


def test_every_root_field_is_fuzzed() -> None:
    gql = alur_schema._schema
    expected = {f"Query.{name}" for name in gql.query_type.fields}
    expected |= {f"Mutation.{name}" for name in gql.mutation_type.fields}
    assert set(OPERATIONS) == expected


STATES = ("open", "claimed", "gate", "returned", "fan-out")
PERIODS = [f"Tahun {2001 + i}" for i in range(len(STATES))]  # one case per state


def known_values(keys_a: list[str], key_b: str) -> dict[str, list[Any]]:
    """Real identifiers, by argument (or input field) name."""
    keys = [*keys_a, key_b]
    usernames = [*PEOPLE_A, "plh.kasubag", "b.kepala"]
    units = ["linmas", "sda", "gakperda"]
    return {
        "key": keys,
        "caseKey": keys,
        "task": list(range(1, 9)),
        "to": [*usernames, 0],  # reassignTask's username; sopComparison's revision number
        "assignee": usernames,
        "sop": [SOP_A, SOP_B],
        "id": [SOP_A, SOP_B],
        "unit": units,
        "units": units,
        "role": ["staf", "kabid", "kasubag_perencanaan", "kepala_bidang"],
        "slug": [OFFICE_A, OFFICE_B],
        "tenant": [OFFICE_A, OFFICE_B],
        "first": [1, 20, 50, 100],
        # data kinerja: A's cases' periods (each has the sample format), its codes, numbers
        "period": PERIODS,
        "fromPeriod": PERIODS,
        "code": ["IKU-1", "IKU-2", "IKU-3"],
        "realisasi": ["87.5", "1,234.5", "0", "-1"],
        "target": ["100", "0", "12.5"],
        # office SOP revisions: A has a draft of SOP A, number 0, version 1
        "number": [0, 1],
        "from": [0],
        "version": [1, 2],
        "effectiveOn": ["2030-01-02", "2027-1-4"],
    }


def with_known_values(body: str, known: dict[str, list[Any]], rng: random.Random) -> str:
    """``body`` with about half of its named arguments set to real identifiers."""
    document = graphql.parse(body)

    def real(name: str, value: graphql.ValueNode) -> graphql.ValueNode | None:
        choices = known.get(name)
        if not choices or rng.random() < 0.5:
            return None
        if isinstance(value, graphql.ListValueNode):
            picked = rng.sample(choices, rng.randint(0, min(3, len(choices))))
            return nodes.List([nodes.String(v) for v in picked])
        if isinstance(value, graphql.IntValueNode):
            ints = [c for c in choices if isinstance(c, int)]
            return nodes.Int(rng.choice(ints)) if ints else None
        if isinstance(value, graphql.StringValueNode):
            strings = [c for c in choices if isinstance(c, str)]
            return nodes.String(rng.choice(strings)) if strings else None
        return None

    class Swap(graphql.Visitor):
        def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
            new = real(node.name.value, node.value)
            return None if new is None else graphql.ArgumentNode(name=node.name, value=new)

        def enter_object_field(self, node: graphql.ObjectFieldNode, *_: Any) -> Any:
            new = real(node.name.value, node.value)
            return None if new is None else graphql.ObjectFieldNode(name=node.name, value=new)

    swapped = graphql.visit(document, Swap())
    return graphql.print_ast(with_typenames(swapped))


def with_typenames(document: graphql.DocumentNode) -> graphql.DocumentNode:
    """Every root field of ``document`` also selects ``__typename`` (union results say
    which member they are, e.g. ``Forbidden``)."""
    typename = graphql.FieldNode(name=graphql.NameNode(value="__typename"))
    definitions = []
    for definition in document.definitions:
        if isinstance(definition, graphql.OperationDefinitionNode):
            roots = []
            for root in definition.selection_set.selections:
                if isinstance(root, graphql.FieldNode) and root.selection_set is not None:
                    selections = (*root.selection_set.selections, typename)
                    root = graphql.FieldNode(
                        alias=root.alias,
                        name=root.name,
                        arguments=root.arguments,
                        directives=root.directives,
                        selection_set=graphql.SelectionSetNode(selections=selections),
                    )
                roots.append(root)
            definition = graphql.OperationDefinitionNode(
                operation=definition.operation,
                name=definition.name,
                variable_definitions=definition.variable_definitions,
                directives=definition.directives,
                selection_set=graphql.SelectionSetNode(selections=tuple(roots)),
            )
        definitions.append(definition)
    return graphql.DocumentNode(definitions=tuple(definitions))


# --- the live server ------------------------------------------------------------------------


def serve(database_url: str, workdir: Path) -> contextlib.AbstractContextManager[tuple[str, Path]]:
    """``uvicorn alur.web.asgi:app`` on a free port, without the per-token request rate;
    yields (base URL, server log)."""
    return running_app(
        database_url,
        workdir,
        startup_timeout=STARTUP_TIMEOUT,
        environ={"ALUR_GRAPHQL_RATE_LIMIT": "0"},
    )


@dataclass
class Target:
    backend: str
    url: str  # the /graphql endpoint
    log_path: Path
    tokens: dict[str, str]
    known: dict[str, list[Any]]
    session: requests.Session = field(default_factory=requests.Session)
    log_seen: int = 0

    def new_log(self) -> str:
        """What the server logged since the last call."""
        with self.log_path.open("rb") as f:
            f.seek(self.log_seen)
            text = f.read()
        self.log_seen += len(text)
        return text.decode(errors="replace")


async def _data(url: str, plugins: AlurPlugins) -> tuple[dict[str, str], list[str], str]:
    """Provisioned offices and A's cases in several states: task 1 open, claimed, at the
    Kasubag's gate, returned by "tidak", and fanned out over the units."""
    db = await open_database(url)
    try:
        world = await provision(db, plugins)
        staf, kasubag = world.users["staf"], world.users["kasubag"]
        keys = []
        for state, period in zip(STATES, PERIODS, strict=True):
            key = (await world.a.start_case(staf, SOP_A, period)).key
            keys.append(key)
            # step 1 designs the format data kinerja: it cannot be completed without one
            await fill_in_sample(KinerjaService(world.a), staf, key, 1)
            if state == "claimed":
                await world.a.act(staf, key, Claim(1))
            if state in ("gate", "returned", "fan-out"):
                await world.a.act(staf, key, Complete(1))
            if state == "returned":
                await world.a.act(kasubag, key, Decide(2, Answer.TIDAK, "Perbaiki"))
            if state == "fan-out":
                await world.a.act(kasubag, key, Decide(2, Answer.YA))
                await world.a.act(staf, key, Complete(3))
        # office SOP revisions: an administrator, the Kepala Satuan (who approves, with a
        # NIP) and a draft of SOP A, so the revision mutations reach the service's checks
        admin = await create_user("admin.a", "Admin (A)", PASSWORD)
        await add_membership(world.a.ref.id, admin.id, None, administrator=True)
        await User.update({User.nip: "197001012000031001"}).where(User.id == world.users["kepala"])
        for label, user in (("a-admin", "admin.a"), ("a-kepala", "kepala")):
            made = await create_token(label, "write", tenant=OFFICE_A, user=user)
            world.tokens[label] = made.token
        await SopRevisions(world.a, admin.id).start_draft(SOP_A)
        return world.tokens, keys, world.case_b
    finally:
        await close_database(db)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    installed: AlurPlugins,
) -> Iterator[Target]:
    workdir = tmp_path_factory.mktemp(f"graphql-fuzz-{request.param}")
    dropped: list[str] = []
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'alur.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        template = request.getfixturevalue("postgres_template")
        url = server.create_database("alur_graphql_fuzz", template=template)
        dropped.append("alur_graphql_fuzz")
    tokens, keys_a, key_b = asyncio.run(_data(url, installed))
    try:
        with serve(url, workdir) as (base, log_path):
            yield Target(
                request.param, f"{base}/graphql", log_path, tokens, known_values(keys_a, key_b)
            )
    finally:
        for name in dropped:
            request.getfixturevalue("postgres_server").drop_database(name)


# --- the fuzzing ---------------------------------------------------------------------------


def problems(label: str, token: str, response: requests.Response) -> list[str]:
    """What is wrong with one answer (nothing, for a sound one)."""
    found = []
    if response.status_code >= 500:
        found.append(f"status {response.status_code}")
    try:
        payload = response.json()
    except ValueError:
        return [*found, f"not JSON: {response.text[:300]!r}"]
    if not isinstance(payload, dict) or not ({"data", "errors"} & set(payload)):
        return [*found, f"not a GraphQL answer: {payload!r}"[:300]]
    for error in payload.get("errors") or []:
        if MASKED in str(error.get("message")):
            found.append(f"masked error at {error.get('path')}")
    if response.status_code in (401, 429):
        found.append(f"{response.status_code} with a valid token")
    data = payload.get("data") or {}
    if label.startswith("Mutation.") and token == "a-read" and not payload.get("errors"):
        for result in data.values():
            if result.get("__typename", "Forbidden") != "Forbidden":
                found.append(f"a read token changed something: {result}")
    return found


# the write token whose person may act where the operation reaches (default: the Staf)
WRITE_TOKENS = {
    "Mutation.decideGate": "a-kasubag",
    "Mutation.saveRealisasi": "a-kabid-linmas",
    **{f"Mutation.{name}": "a-admin" for name in ("startSopDraft", "saveSopDraft")},
    **{f"Mutation.{name}": "a-admin" for name in ("submitSopRevision", "revokeSopRevision")},
    **{f"Mutation.{name}": "a-kepala" for name in ("returnSopRevision", "approveSopRevision")},
}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors(target: Target, label: str) -> None:
    operation = OPERATIONS[label]
    write_token = WRITE_TOKENS.get(label, "a-staf")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(MODE), seed=st.integers(0, 2**32 - 1))
    def fuzz(case: Any, seed: int) -> None:
        case.body = with_known_values(case.body, target.known, random.Random(seed))
        for token in ("a-read", write_token):
            check(target, label, token, case)
        ran.append(case.body)

    ran: list[str] = []
    target.new_log()  # what earlier tests left there is theirs
    fuzz()
    assert len(ran) >= EXAMPLES, f"{label}: only {len(ran)} of {EXAMPLES} examples ran"


def check(target: Target, label: str, token: str, case: Any) -> None:
    """Send ``case`` with ``token``; fail with the query, the answer and the server's log
    if anything went wrong."""
    headers = {"Authorization": f"Bearer {target.tokens[token]}"}
    response = case.call(base_url=target.url, session=target.session, headers=headers)
    found = problems(label, token, response)
    log = target.new_log()
    if "Traceback" in log or "ERROR" in log:
        found.append(f"the server logged:\n{log[-3000:]}")
    try:
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
    except Exception as exc:  # schemathesis' own verdict, with the others
        found.append(f"schemathesis: {exc}".strip())
    assert not found, (
        f"{label} as {token}: {'; '.join(found)}\nquery:\n{case.body}\n"
        f"answer: {response.text[:1000]}"
    )


# --- NUL characters ------------------------------------------------------------------------

NUL_PROBES = {  # a string with a NUL character where it reaches SQL
    "Query.case": '{ case(key: "a\\u0000b") { __typename } }',
    "Query.cases": '{ cases(filter: {sop: "a\\u0000b"}) { __typename } }',
    "Query.tasks": '{ tasks(filter: {assignee: "a\\u0000b"}) { __typename } }',
    "Mutation.startCase": (
        'mutation { startCase(input: {sop: "' + SOP_A + '", period: "a\\u0000b"}) { __typename } }'
    ),
    "Mutation.claimTask": 'mutation { claimTask(caseKey: "a\\u0000b", task: 1) { __typename } }',
}


@pytest.mark.parametrize("label", sorted(NUL_PROBES))
def test_nul_characters(target: Target, label: str) -> None:
    """A NUL character is a valid GraphQL string but PostgreSQL refuses it in text: the API
    refuses it first — in a literal (validation) and in a variable — instead of answering a
    masked "Unexpected error." (it used to, on PostgreSQL)."""
    target.new_log()
    case = OPERATIONS[label].Case(body=NUL_PROBES[label], media_type="application/json")
    check(target, label, "a-staf", case)
    literal = target.session.post(
        target.url, json={"query": NUL_PROBES[label]}, headers=auth(target)
    )
    as_variable = target.session.post(
        target.url,
        json={
            "query": "query($v: String!) { case(key: $v) { __typename } }",
            "variables": {"v": "a\x00b"},
        },
        headers=auth(target),
    )
    for response in (literal, as_variable):
        (error,) = response.json()["errors"]
        assert "NUL" in error["message"], error
    assert "Traceback" not in target.new_log()


def auth(target: Target, token: str = "a-staf") -> dict[str, str]:
    return {"Authorization": f"Bearer {target.tokens[token]}"}
