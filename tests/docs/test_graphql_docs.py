"""The GraphQL documentation stays true: ``docs/schema.graphql`` is the schema, every
example of ``docs/graphql.md`` runs against the demo data (SQLite and PostgreSQL), and the
refusal codes it lists are the engine's. (The API's messages are checked for Indonesian
translations with every other message, by tests/docs/test_i18n.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from alur.core import AlurPlugins
from alur.core.errors import ActionError
from alur.graphql.context import make_context
from alur.graphql.schema import schema, sdl
from alur.tenants.demo.offices import provision_demo
from alur.tenants.identity.tokens import authenticate, create_token
from alur.tenants.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "graphql.md"
OFFICE = "satpolpp-banyumas"
FAILURES = {"NotFound", "Forbidden", "Conflict", "InvalidInput", "ActionRefused"}


def test_schema_graphql_is_up_to_date() -> None:
    stored = (ROOT / "docs" / "schema.graphql").read_text(encoding="utf-8")
    assert stored == sdl(), (
        "docs/schema.graphql is stale: run "
        ".venv/bin/python -m alur.graphql.schema > docs/schema.graphql"
    )


def examples() -> list[tuple[str, dict[str, Any]]]:
    """Each ```graphql block of the guide, with the ```json variables that follow it."""
    found: list[tuple[str, dict[str, Any]]] = []
    for kind, body in re.findall(r"```(graphql|json)\n(.*?)```", DOC.read_text(), re.S):
        if kind == "graphql":
            found.append((body, {}))
        else:
            assert found, "a variables block before any example"
            found[-1][1].update(json.loads(body))
    return found


def test_every_example_names_its_token() -> None:
    found = examples()
    assert len(found) >= 10
    for query, _ in found:
        assert re.match(r"# token: (read|platform|write, acting for \S+)\n", query), query[:80]


def fill(value: Any, known: dict[str, str]) -> Any:
    if isinstance(value, str) and value in known:
        return known[value]
    if isinstance(value, dict):
        return {k: fill(v, known) for k, v in value.items()}
    return value


def last(data: Any, key: str) -> Any:
    """The last value of ``key`` anywhere in ``data``."""
    found = None
    if isinstance(data, dict):
        for k, v in data.items():
            found = v if k == key and v is not None else last(v, key) or found
    elif isinstance(data, list):
        for item in data:
            found = last(item, key) or found
    return found


@pytest.mark.anyio
async def test_every_example_runs_against_the_demo(
    database: Database, installed: AlurPlugins
) -> None:
    await provision_demo(installed)
    tokens: dict[str, str] = {}

    async def token_for(label: str) -> str:
        if label not in tokens:
            if label == "platform":
                new = await create_token("docs", platform=True)
            elif label == "read":
                new = await create_token("docs", tenant=OFFICE)
            else:
                user = label.removeprefix("write, acting for ")
                new = await create_token("docs", "write", tenant=OFFICE, user=user)
            tokens[label] = new.token
        return tokens[label]

    known: dict[str, str] = {}
    for query, variables in examples():
        label = re.match(r"# token: (.*)\n", query).group(1)  # type: ignore[union-attr]
        expect = re.search(r"# expect: (\w+)", query)
        context = make_context(database, installed, await authenticate(await token_for(label)))
        result = await schema.execute(
            query, variable_values=fill(variables, known), context_value=context
        )
        assert result.errors is None, (query, result.errors)
        assert result.data
        for value in result.data.values():
            typename = value.get("__typename") if isinstance(value, dict) else None
            if expect:
                assert typename == expect.group(1), (query, value)
            else:
                assert typename not in FAILURES, (query, value)
        if "startCase" in result.data:
            known["<case key>"] = result.data["startCase"]["case"]["key"]
        if "startSopDraft" in result.data:
            known["<revision number>"] = result.data["startSopDraft"]["revision"]["number"]
        if "createWebhook" in result.data:
            known["<webhook id>"] = result.data["createWebhook"]["webhook"]["id"]
        cursor = last(result.data, "endCursor")
        if cursor:
            known["<endCursor>"] = cursor
    assert set(known) == {"<case key>", "<endCursor>", "<webhook id>", "<revision number>"}


def test_the_guide_lists_every_refusal_code() -> None:
    text = DOC.read_text()

    def codes(cls: type) -> set[str]:
        found = set()
        for sub in cls.__subclasses__():
            found |= {sub.code} | codes(sub)
        return found

    # task_not_found is NotFound and conflict is Conflict; definition_mismatch never
    # reaches the API (cases are acted on with the definition they pinned)
    listed = codes(ActionError) - {"task_not_found", "conflict", "definition_mismatch"}
    missing = [code for code in sorted(listed) if f"`{code}`" not in text]
    assert not missing
