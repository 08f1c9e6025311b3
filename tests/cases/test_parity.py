"""The two doors are one: every scenario is driven once through the web forms and once
through GraphQL, on SQLite and PostgreSQL, and must give the same outcome (the case's events
and tasks) and the same error code (the web's ``X-Alur-Error`` header and
``data-error-code``; GraphQL's ``Error.code``).

Both doors run in one app (litestar's TestClient; GraphQL at ``/graphql`` with a write token
of the same person). A scenario's preparation (``before``) goes through GraphQL for both
cases, so only the action under test differs. The office runs the conftest sample SOP
("contoh": a gate after the join that returns into the per-unit steps, a step whose waktu
is set at start) through a plugin whose ``alur_validate_step_data`` asks step 1 for a
``nomor`` and an output note. Kinerja scenarios use the public doors only.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins, Institution, SopDefinition, Step, Unit, create_plugin_manager
from alur.core.hookspecs import hookimpl
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.web.app import create_app
from alur.web.settings import WebSettings

pytestmark = pytest.mark.usefixtures("cheap_hasher")

PASSWORD = "rahasia-2026"
SLUG = "dinas-contoh"
SOP = "contoh"
UNITS = ("bidang-a", "bidang-b")
DURATIONS = {3: "3 hari"}  # step 3's waktu is set when the case starts
ASK_NOMOR = "Isi nomor surat."
ASK_OUTPUT = "Tulis output langkah ini."
# username: (role, unit)
PEOPLE = {
    "staf": ("staf", None),
    "staf-2": ("staf", None),
    "kasubag": ("kasubag", None),
    "kabid-a": ("kabid", "bidang-a"),
    "kabid-b": ("kabid", "bidang-b"),
    "kepala": ("kepala", None),
}


class ParityPlugin:
    """The sample SOP, and a data check of step 1 as a plugin written from the docs."""

    def __init__(self, sample: SopDefinition) -> None:
        self.sample = sample

    @hookimpl
    def alur_institution(self) -> Institution:
        return Institution(slug=SLUG, name="Dinas Contoh")

    @hookimpl
    def alur_roles(self) -> list:
        return list(self.sample.roles)

    @hookimpl
    def alur_units(self) -> list[Unit]:
        return [Unit(u, u.replace("-", " ").title()) for u in UNITS]

    @hookimpl
    def alur_sop_definitions(self) -> list[SopDefinition]:
        return [self.sample]

    @hookimpl
    def alur_validate_step_data(self, step: Step, data: Mapping[str, Any]) -> list[str]:
        if step.number != 1:
            return []
        problems = [] if str(data.get("nomor", "")).strip() else [ASK_NOMOR]
        return problems + ([] if str(data.get("output", "")).strip() else [ASK_OUTPUT])


# --- one action, through either door ------------------------------------------------------


@dataclass(frozen=True)
class Act:
    """One action: ``op`` is start, claim, unclaim, complete, ya, tidak, cancel (``note``:
    the reason) or save_realisasi."""

    who: str
    op: str
    task: int = 1
    note: str = ""
    data: Mapping[str, str] = field(default_factory=dict)
    units: tuple[str, ...] | None = None
    file: tuple[str, bytes] | None = None
    sop: str = SOP
    period: str = "Triwulan I 2026"
    durations: Mapping[int, str] = field(default_factory=lambda: dict(DURATIONS))
    case: str | None = None  # another case key than the scenario's (e.g. a missing one)


GRAPHQL = {
    "start": """mutation($input: StartCaseInput!) { r: startCase(input: $input) {
        __typename ... on CaseChanged { case { key } } ... on Error { code message } } }""",
    "claim": """mutation($key: String!, $task: Int!) { r: claimTask(caseKey: $key, task: $task)
        { __typename ... on Error { code message } } }""",
    "unclaim": """mutation($key: String!, $task: Int!) { r: unclaimTask(caseKey: $key,
        task: $task) { __typename ... on Error { code message } } }""",
    "cancel": """mutation($key: String!, $reason: String!) { r: cancelCase(caseKey: $key,
        reason: $reason) { __typename ... on Error { code message } } }""",
    "complete": """mutation($key: String!, $task: Int!, $note: String!, $data: JSON) {
        r: completeTask(caseKey: $key, task: $task, note: $note, data: $data)
        { __typename ... on Error { code message } } }""",
    "decide": """mutation($key: String!, $task: Int!, $answer: Answer!, $note: String!,
        $units: [String!]) { r: decideGate(caseKey: $key, task: $task, answer: $answer,
        note: $note, units: $units) { __typename ... on Error { code message } } }""",
    "save_realisasi": """mutation($key: String!, $task: Int!, $values: [RealisasiInput!]!) {
        r: saveRealisasi(caseKey: $key, task: $task, values: $values)
        { __typename ... on Error { code message } } }""",
}
CASE = """query($key: String!) { r: case(key: $key) { __typename ... on Case {
    status period tasks { number status step { number } unit assignee { username } }
    events { seq kind step unit task note payload actor { username } } } } }"""


@dataclass
class Doors:
    client: TestClient
    tokens: dict[str, str]

    def graphql(self, who: str, query: str, **variables: Any) -> dict[str, Any]:
        r = self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
        )
        body = r.json()
        assert r.status_code == 200, body
        assert not body.get("errors"), body
        return body["data"]["r"]

    def sign_in(self, who: str) -> None:
        self.client.cookies.clear()
        data = {"_csrf_token": self.csrf("/login"), "username": who, "password": PASSWORD}
        assert self.client.post("/login", data=data, follow_redirects=False).status_code == 303

    def csrf(self, path: str) -> str:
        found = re.search(r'name="_csrf_token" value="([^"]+)"', self.client.get(path).text)
        assert found, path
        return found.group(1)

    # Each door answers (error code or None, the new case's key for a start).

    def by_graphql(self, act: Act, key: str | None) -> tuple[str | None, str | None]:
        key = act.case or key
        if act.op == "start":
            durations = [{"step": s, "waktu": w} for s, w in act.durations.items()]
            wanted = {"sop": act.sop, "period": act.period, "durations": durations}
            r = self.graphql(act.who, GRAPHQL["start"], input=wanted)
            return r.get("code"), (r.get("case") or {}).get("key")
        if act.op in ("ya", "tidak"):
            variables = {"answer": act.op.upper(), "note": act.note, "units": act.units}
            r = self.graphql(act.who, GRAPHQL["decide"], key=key, task=act.task, **variables)
        elif act.op == "complete":
            assert act.file is None, "GraphQL completes without files; attach() is separate"
            variables = {"note": act.note, "data": dict(act.data) or None}
            r = self.graphql(act.who, GRAPHQL["complete"], key=key, task=act.task, **variables)
        elif act.op == "cancel":
            r = self.graphql(act.who, GRAPHQL["cancel"], key=key, reason=act.note)
        elif act.op == "save_realisasi":
            values = [{"code": "IKU-1", "realisasi": "1"}]
            r = self.graphql(act.who, GRAPHQL[act.op], key=key, task=act.task, values=values)
        else:
            r = self.graphql(act.who, GRAPHQL[act.op], key=key, task=act.task)
        return r.get("code"), None

    def by_web(self, act: Act, key: str | None) -> tuple[str | None, str | None]:
        self.sign_in(act.who)
        cases = f"/t/{SLUG}/cases"
        if act.op == "start":
            form: dict[str, Any] = {"sop": act.sop, "period": act.period}
            form |= {f"duration_{s}": w for s, w in act.durations.items()}
            r = self.client.post(
                cases, data={"_csrf_token": self.csrf(cases), **form}, follow_redirects=False
            )
            if r.status_code == 303:
                return None, r.headers["location"].rsplit("/", 1)[-1]
            return self.web_error(r), None
        page = f"{cases}/{key}"
        token = self.csrf(page)  # the page of the scenario's case: a member's CSRF token
        page = f"{cases}/{act.case or key}"
        fields: dict[str, Any] = {"_csrf_token": token, "note": act.note}
        files = None
        if act.op == "complete":
            fields["data_name"] = list(act.data)
            fields["data_value"] = list(act.data.values())
            if act.file is not None:
                files = {"attachment": (act.file[0], act.file[1], "application/pdf")}
        if act.units is not None:
            fields |= {"units_offered": "1", "units": list(act.units)}
        path = f"{page}/tasks/{act.task}/{act.op}"
        if act.op == "cancel":
            path, fields = f"{page}/cancel", {"_csrf_token": token, "reason": act.note}
        if act.op == "save_realisasi":
            path = f"{page}/kinerja/tasks/{act.task}/data"
            fields |= {"IKU-1.realisasi": "1"}
        r = self.client.post(path, data=fields, files=files, follow_redirects=False)
        return (None if r.status_code == 303 else self.web_error(r)), None

    @staticmethod
    def web_error(r: Any) -> str:
        code = r.headers.get("x-alur-error")
        assert code, (r.status_code, r.text[:300])
        assert r.status_code in (400, 403, 404, 422), r.status_code
        assert f'data-error-code="{code}"' in r.text  # shown to programs, not to people
        return code

    def outcome(self, key: str) -> dict[str, Any]:
        """The case as GraphQL reads it, without what differs between two cases (keys,
        times, the attachment's row id)."""
        r = self.graphql("kepala", CASE, key=key)
        for e in r["events"]:
            e["payload"] = _without(e["payload"], ("case_id", "at", "due", "id"))
        return r


def _without(value: Any, keys: Sequence[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_without(v, keys) for v in value]
    return value


# --- the scenarios -------------------------------------------------------------------------

DRAFT = Act("staf", "complete", 1, "Draft surat", {"nomor": "800/1"})
TO_STEP_3 = (DRAFT, Act("kasubag", "ya", 2))
TO_STEP_5 = (
    *TO_STEP_3,
    Act("kabid-a", "complete", 3, "Data A"),
    Act("kabid-b", "complete", 4, "Data B"),
    Act("staf", "ya", 5),
    Act("staf", "ya", 6),
)


@dataclass(frozen=True)
class Scenario:
    name: str
    act: Act
    expect: str | None  # the error code, or None for a success
    before: tuple[Act, ...] = ()


SCENARIOS = [
    Scenario("start", Act("staf", "start"), None),
    Scenario("start: no period", Act("staf", "start", period="  "), "invalid_input"),
    Scenario("start: unknown SOP", Act("staf", "start", sop="nope"), "invalid_input"),
    Scenario("start: no duration", Act("staf", "start", durations={}), "invalid_input"),
    Scenario("start: unreadable duration", Act("staf", "start", durations={3: "soon"}), "invalid_input"),
    Scenario("start: period not chosen from the list", Act("staf", "start", period="April 2026"), "invalid_input"),
    Scenario("start: period written loosely", Act("staf", "start", period=" triwulan  i 2026"), None),
    Scenario("claim", Act("staf", "claim"), None),
    Scenario("claim: already taken", Act("staf-2", "claim"), "already_claimed", (Act("staf", "claim"),)),
    Scenario("unclaim", Act("staf", "unclaim"), None, (Act("staf", "claim"),)),
    Scenario("unclaim: not claimed", Act("staf", "unclaim"), "not_claimed"),
    Scenario("unclaim: someone else's", Act("staf-2", "unclaim"), "already_claimed", (Act("staf", "claim"),)),
    Scenario("cancel by the starter", Act("staf", "cancel", note="Salah periode"), None, (DRAFT,)),
    Scenario("cancel by the head", Act("kepala", "cancel", note="Tidak jadi"), None),
    Scenario("cancel: no reason", Act("staf", "cancel", note="  "), "invalid_input"),
    Scenario("cancel: not allowed", Act("kabid-a", "cancel", note="x"), "not_permitted", TO_STEP_3),
    Scenario("complete with data", DRAFT, None),
    Scenario("complete: data refused by plugin", Act("staf", "complete", note="Draft"), "invalid_input"),
    Scenario("complete: output as data", Act("staf", "complete", data={"nomor": "1", "output": "x"}), "invalid_input"),
    Scenario("complete: task done", DRAFT, "task_not_open", (DRAFT,)),
    Scenario("complete: no such task", Act("staf", "complete", 99, "x", {"nomor": "1"}), "task_not_found"),
    Scenario("complete: no such case", Act("staf", "complete", 1, "x", case="0123456789abcdef"), "not_found"),
    Scenario("complete: a decision", Act("kasubag", "complete", 2, "x"), "decision_required", (DRAFT,)),
    Scenario("ya", Act("kasubag", "ya", 2), None, (DRAFT,)),
    Scenario("ya: wrong role", Act("staf", "ya", 2), "wrong_role", (DRAFT,)),
    Scenario("tidak", Act("kasubag", "tidak", 2, "Perbaiki nomor"), None, (DRAFT,)),
    Scenario("tidak: no note", Act("kasubag", "tidak", 2), "note_required", (DRAFT,)),
    Scenario("tidak with units", Act("kasubag", "tidak", 7, "Bidang A salah", units=("bidang-a",)), None, TO_STEP_5),
    Scenario("tidak with all units", Act("kasubag", "tidak", 7, "Semua salah", units=UNITS), None, TO_STEP_5),
    Scenario("tidak: no unit chosen", Act("kasubag", "tidak", 7, "Salah", units=()), "invalid_action", TO_STEP_5),
    Scenario("tidak: units before the join", Act("kasubag", "tidak", 2, "x", units=("bidang-a",)), "invalid_action", (DRAFT,)),
    Scenario("save realisasi: step not bound", Act("staf", "save_realisasi"), "forbidden"),
]  # fmt: skip


@pytest.fixture
def doors(database_url: str, sample: SopDefinition) -> Iterator[Doors]:
    plugins = create_plugin_manager(load_entrypoints=False, environ={})
    assert plugins.register(ParityPlugin(sample), name="contoh").ok
    tokens = asyncio.run(_office(database_url, plugins, sample))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40), plugins)
    with TestClient(app) as client:
        yield Doors(client, tokens)


async def _office(url: str, plugins: AlurPlugins, sample: SopDefinition) -> dict[str, str]:
    db = await open_database(url)
    try:
        office = await create_tenant(plugins, SLUG, "Dinas Contoh", "contoh")
        tokens = {}
        for username, (role, unit) in PEOPLE.items():
            user = await create_user(username, username.title(), PASSWORD)
            await add_membership(office.id, user.id, sample.roles_by_id[role], unit)
            tokens[username] = (
                await create_token(username, "write", tenant=SLUG, user=username)
            ).token
        return tokens
    finally:
        await close_database(db)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_web_and_graphql_agree(doors: Doors, scenario: Scenario) -> None:
    outcomes = {}
    for door in ("web", "graphql"):
        key = None
        if scenario.act.op != "start":
            start = Act("staf", "start")
            code, key = doors.by_graphql(start, None)
            assert code is None
            assert key
            for act in scenario.before:
                assert doors.by_graphql(act, key) == (None, None), act
        run = doors.by_web if door == "web" else doors.by_graphql
        code, started = run(scenario.act, key)
        assert code == scenario.expect, (door, code)
        key = key or started
        outcomes[door] = doors.outcome(key) if key else None
    assert outcomes["web"] == outcomes["graphql"]


def test_the_web_completes_with_data_and_a_file_in_one_request(doors: Doors) -> None:
    """GraphQL has no file upload, so files are the web's alone: the completion's data rows
    and its file are recorded by the one completion event (data as GraphQL would send it,
    see the "complete with data" scenario)."""
    _, key = doors.by_graphql(Act("staf", "start"), None)
    act = Act("staf", "complete", 1, "Draft surat", {"nomor": "800/1"}, file=("a.pdf", b"%PDF"))
    assert doors.by_web(act, key) == (None, None)
    [done] = [e for e in doors.outcome(key)["events"] if e["kind"] == "TASK_COMPLETED"]
    assert done["payload"]["data"]["nomor"] == "800/1"
    [attached] = done["payload"]["data"]["attachments"]
    assert attached["name"] == "a.pdf"
    assert done["note"] == "Draft surat"


def test_the_web_offers_the_units_of_a_tidak_after_the_join(doors: Doors) -> None:
    """Server-rendered checkboxes (no JavaScript needed), every unit checked, Indonesian
    labels; a gate before the fan-out offers none."""
    _, key = doors.by_graphql(Act("staf", "start"), None)
    doors.by_graphql(DRAFT, key)
    doors.sign_in("kasubag")
    page = doors.client.get(f"/t/{SLUG}/cases/{key}").text
    assert 'name="units"' not in page  # step 2 returns to step 1: not per unit
    for act in TO_STEP_5[1:]:
        assert doors.by_graphql(act, key) == (None, None), act
    page = doors.client.get(f"/t/{SLUG}/cases/{key}").text
    assert "Jika Tidak, kembalikan pekerjaan" in page
    for unit in UNITS:
        assert f'<input type="checkbox" name="units" value="{unit}" checked>' in page
    doors.sign_in("staf")
    _, other = doors.by_graphql(Act("staf", "start"), None)
    page = doors.client.get(f"/t/{SLUG}/cases/{other}").text
    assert 'name="data_name"' in page  # the Complete form's data rows, folded away
    assert "Data tambahan (opsional)" in page
    assert '<details class="step-data" >' in page


def test_the_web_explains_the_units_and_opens_the_data_after_a_refusal(doors: Doors) -> None:
    """The units' hint says what unticking does; a completion the plugin refused comes
    back with the folded data rows open (the refusal may ask for data)."""
    _, key = doors.by_graphql(Act("staf", "start"), None)
    for act in TO_STEP_5:
        assert doors.by_graphql(act, key) == (None, None), act
    doors.sign_in("kasubag")
    page = doors.client.get(f"/t/{SLUG}/cases/{key}").text
    assert "Hapus centang bidang yang pekerjaannya sudah benar" in page
    doors.sign_in("staf")
    _, other = doors.by_graphql(Act("staf", "start"), None)
    path = f"/t/{SLUG}/cases/{other}"
    fields = {"_csrf_token": doors.csrf(path), "note": "Draft"}
    r = doors.client.post(f"{path}/tasks/1/complete", data=fields, follow_redirects=False)
    assert r.headers.get("x-alur-error") == "invalid_input"
    assert ASK_NOMOR in r.text
    assert '<details class="step-data" open>' in r.text
