"""Malformed input is a clear 4xx, never a 500 or stored garbage (the security probe's
findings), on SQLite and PostgreSQL:

* a multipart form field that is not valid UTF-8 (raw ``\\xff``) answers 400 with a page
  saying so — the form is parsed before any controller (litestar's CSRF middleware reads
  it), so :mod:`alur.web.errors` maps the decoding error once for every form;
* percent-encoded bytes that are not UTF-8 (``%FF``) in an urlencoded form become U+FFFD
  when litestar decodes them: :func:`alur.core.limits.text_problem` refuses U+FFFD, so the
  field gets its message (422, the form kept) and nothing is stored;
* a GraphQL body that is not UTF-8, or nested deeper than the JSON parser goes, answers
  HTTP 400 with a GraphQL error whose ``extensions.code`` is ``BAD_REQUEST``;
* a JSON argument (``completeTask(data:)``) nested too deep or too large is ``InvalidInput``
  on ``data`` before anything is looked up — at depth 9 as at depth 900.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient

from alur.core.i18n import current_language
from alur.core.limits import JSON_DEPTH, JSON_ITEMS, LINE, json_problem, text_problem
from alur.graphql.testing import OFFICE_A
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf
from tests.security.input_limits_helpers import RowCounts, _provision, _sign_in

NO_CASE = "0000000000000000"
BOUNDARY = "alur-test-boundary"


@dataclass(repr=False)
class Office:
    client: TestClient
    counts: RowCounts
    token: str  # a write token of staf
    keys: list[str]  # the cases, oldest first (the first at its design step 1)

    def csrf(self) -> str:
        return fetch_csrf(self.client, f"/t/{OFFICE_A}/cases")


@pytest.fixture
def office(database_url: str, cheap_hasher: None) -> Iterator[Office]:
    token = asyncio.run(_provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    counts = RowCounts(database_url)
    with TestClient(app) as client:
        _sign_in(client, "staf")
        page = client.get(f"/t/{OFFICE_A}/cases").text
        keys = list(dict.fromkeys(re.findall(rf"/t/{OFFICE_A}/cases/([0-9a-f]{{16}})", page)))
        yield Office(client, counts, token, keys)
    counts.close()


def _multipart(fields: dict[str, bytes]) -> tuple[bytes, dict[str, str]]:
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (BOUNDARY.encode(), name.encode(), value)
        for name, value in fields.items()
    ]
    body = b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


# --- 1. multipart forms with undecodable bytes -----------------------------------------------


@pytest.mark.parametrize("csrf_in", ["form", "header"])
@pytest.mark.parametrize(
    "path",
    [
        f"/t/{OFFICE_A}/cases/{NO_CASE}/tasks/1/complete",
        f"/t/{OFFICE_A}/cases/{NO_CASE}/kinerja/tasks/1/data",
        "{case}/tasks/1/complete",  # a real case, at the step the note belongs to
    ],
)
def test_undecodable_multipart_field_is_a_400_page(office: Office, path: str, csrf_in: str) -> None:
    path = path.format(case=f"/t/{OFFICE_A}/cases/{office.keys[0]}")
    token = office.csrf()
    fields = {"note": b"\xff", "1.explanation": b"ab\xc3"}
    headers: dict[str, str] = {}
    if csrf_in == "form":
        fields = {"_csrf_token": token.encode(), **fields}
    else:
        headers["X-CSRFToken"] = token
    body, content_type = _multipart(fields)
    before = office.counts()
    r = office.client.post(
        path, content=body, headers={**headers, **content_type}, follow_redirects=False
    )
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert "bukan UTF-8" in r.text  # Indonesian, the default
    assert office.counts() == before
    # and as an htmx fragment
    r = office.client.post(
        path,
        content=body,
        headers={**headers, **content_type, "HX-Request": "true"},
        follow_redirects=False,
    )
    assert r.status_code == 400
    assert "bukan UTF-8" in r.text
    assert "<html" not in r.text


# --- 2. urlencoded forms with percent-encoded bytes that are not UTF-8 -----------------------


def test_text_problem_refuses_the_replacement_character() -> None:
    token = current_language.set("id")
    try:
        assert text_problem("ab\ufffd", LINE) == "teks ini bukan UTF-8 yang sah"
        assert json_problem({"a": ["\ufffd"]}) == "teks ini bukan UTF-8 yang sah"
        assert text_problem("Triwulan III 2026 — ✓", LINE) is None
    finally:
        current_language.reset(token)


def _urlencoded(office: Office, path: str, body: str) -> Any:
    return office.client.post(
        path,
        content=f"_csrf_token={office.csrf()}&{body}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )


def test_a_period_that_is_not_utf8_is_refused_with_a_field_message(office: Office) -> None:
    before = office.counts()
    r = _urlencoded(
        office, f"/t/{OFFICE_A}/cases", "sop=pengumpulan-data-kinerja&period=%FF%FEab%C3"
    )
    assert r.status_code == 422, r.status_code
    assert "teks ini bukan UTF-8 yang sah" in r.text
    assert "ab" in r.text  # the form is shown again
    assert office.counts() == before


@pytest.mark.parametrize(
    ("who", "path", "body"),
    [
        ("admin", f"/t/{OFFICE_A}/admin/units", "slug=baru&name=Bidang%FF"),
        ("admin", f"/t/{OFFICE_A}/admin/tokens", "name=tok%C3&scope=read&user="),
        (
            "operator",
            "/platform/tenants",
            "slug=kantor-baru&name=Kantor%FE&plugin=satpolpp_banyumas",
        ),
    ],
)
def test_names_that_are_not_utf8_are_refused(
    office: Office, who: str, path: str, body: str
) -> None:
    _sign_in(office.client, who)
    before = office.counts()
    r = _urlencoded(office, path, body)
    assert r.status_code == 422, (r.status_code, r.text[:300])
    assert "teks ini bukan UTF-8 yang sah" in r.text
    assert office.counts() == before


# --- 3. GraphQL bodies that cannot be parsed ------------------------------------------------


def _graphql(office: Office, content: bytes) -> Any:
    return office.client.post(
        "/graphql",
        content=content,
        headers={"Authorization": f"Bearer {office.token}", "Content-Type": "application/json"},
    )


def _nested(depth: int) -> Any:
    value: Any = "x"
    for i in range(depth):
        value = {"k": value} if i % 2 else [value]
    return value


@pytest.mark.parametrize(
    "body",
    [
        b'\xff{"query":"{me{__typename}}"}',
        b'{"query":"{me{__typename}}","variables":{"a":"\xff"}}',
        b'{"query":"mutation($k:String!){completeTask(caseKey:$k,task:1,data:{a:\\"x\\"})'
        b'{__typename}}","variables":{"k":"ab\xc3"}}',
        b'{"query":"{me{__typename}}","variables":{"d":' + b"[" * 1200 + b"]" * 1200 + b"}}",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["leading-ff", "ff-in-variable", "truncated-utf8", "1200-deep", "100000-deep"],
)
def test_a_graphql_body_that_cannot_be_parsed_is_a_400(office: Office, body: bytes) -> None:
    r = _graphql(office, body)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    errors = r.json()["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_REQUEST", errors
    assert "recursion" not in r.text
    assert "Unexpected" not in r.text


# --- 4. JSON arguments nested too deep or too large -----------------------------------------

COMPLETE = (
    "mutation($k:String!,$d:JSON){completeTask(caseKey:$k,task:1,data:$d)"
    "{__typename ... on InvalidInput{fields{field message}}}}"
)


@pytest.mark.parametrize("depth", [JSON_DEPTH + 1, 500, 900])
@pytest.mark.parametrize("case", ["real", "missing"])
def test_deep_step_data_is_invalid_input_before_any_lookup(
    office: Office, depth: int, case: str
) -> None:
    key = office.keys[0] if case == "real" else NO_CASE
    before = office.counts()
    payload = {"query": COMPLETE, "variables": {"k": key, "d": {"a": _nested(depth)}}}
    r = _graphql(office, json.dumps(payload).encode())
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert "errors" not in body, body["errors"][0]["message"][:200]
    result = body["data"]["completeTask"]
    assert result["__typename"] == "InvalidInput", result
    assert [f["field"] for f in result["fields"]] == ["data"]
    assert office.counts() == before


@pytest.mark.parametrize("depth", [100, 300])
def test_deep_step_data_as_a_literal_is_refused(office: Office, depth: int) -> None:
    """Up to graphql-core's parser limit a literal is ``InvalidInput`` on ``data`` (before
    the case is looked up); beyond it, a syntax error — never a RecursionError."""
    literal = "{a:" * depth + "1" + "}" * depth
    query = (
        f'mutation{{completeTask(caseKey:"{NO_CASE}",task:1,data:{literal})'
        "{__typename ... on InvalidInput{fields{field}}}}"
    )
    r = _graphql(office, json.dumps({"query": query}).encode())
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    if depth == 100:
        assert body["data"]["completeTask"] == {
            "__typename": "InvalidInput",
            "fields": [{"field": "data"}],
        }
    else:
        assert body["errors"][0]["message"].startswith("Syntax Error"), body


def test_deep_variables_in_a_get_are_a_400(office: Office) -> None:
    r = office.client.get(
        "/graphql",
        params={"query": "{me{__typename}}", "variables": "[" * 1200 + "]" * 1200},
        headers={"Authorization": f"Bearer {office.token}"},
    )
    assert r.status_code == 400, r.text[:300]
    assert r.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


def test_too_many_values_is_invalid_input_before_any_lookup(office: Office) -> None:
    payload = {"query": COMPLETE, "variables": {"k": NO_CASE, "d": {"a": [1] * (JSON_ITEMS + 1)}}}
    r = _graphql(office, json.dumps(payload).encode())
    result = r.json()["data"]["completeTask"]
    assert result["__typename"] == "InvalidInput", result
    assert [f["field"] for f in result["fields"]] == ["data"]
