"""The GraphQL read side through ``schema.execute`` on SQLite and PostgreSQL: me, offices,
SOP definitions, the cases connection (cursors, pageInfo, filters, page-size cap), one case
with its tasks and timeline, open tasks, platform reads across offices, tenant isolation,
the query limits, and the DataLoaders (statement counts do not grow with the page)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alur.core import Answer
from alur.core.engine import Claim, Complete, Decide
from alur.graphql.context import language_from, make_context
from alur.graphql.schema import MAX_DEPTH
from alur.graphql.testing import OFFICE_A, OFFICE_B, SOP_A, UNITS_A, World
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.tokens import authenticate
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.storage.database import Database

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def start(world: World, period: str = "Triwulan I 2026") -> str:
    key = (await world.a.start_case(world.users["staf"], SOP_A, period)).key
    # step 1 designs the format data kinerja: it cannot be completed without one
    await fill_in_sample(KinerjaService(world.a), world.users["staf"], key, 1)
    return key


CASES = """
query Cases($first: Int!, $after: String, $filter: CaseFilter) {
  cases(first: $first, after: $after, filter: $filter) {
    __typename
    ... on CaseConnection {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { key period status tenant { slug } } }
    }
    ... on InvalidInput { message fields { field message } }
    ... on NotFound { message }
  }
}
"""


# --- me, offices, SOP definitions -------------------------------------------------------------


async def test_me_tells_the_token_its_office_and_its_person(world: World) -> None:
    query = "{ me { token { name scope platform } tenant { slug } user { username } } }"
    assert (await world.data(query, "a-staf"))["me"] == {
        "token": {"name": "a-staf", "scope": "WRITE", "platform": False},
        "tenant": {"slug": OFFICE_A},
        "user": {"username": "staf"},
    }
    assert (await world.data(query, "platform"))["me"] == {
        "token": {"name": "platform", "scope": "READ", "platform": True},
        "tenant": None,
        "user": None,
    }


async def test_offices_seen_by_an_office_token_and_by_a_platform_token(world: World) -> None:
    query = "{ tenants { slug name plugin units { slug active } } }"
    own = (await world.data(query, "a-read"))["tenants"]
    assert [t["slug"] for t in own] == [OFFICE_A]
    assert {u["slug"] for u in own[0]["units"] if u["active"]} == set(UNITS_A)
    every = (await world.data(query, "platform"))["tenants"]
    assert [t["slug"] for t in every] == sorted([OFFICE_A, OFFICE_B])
    other = await world.data(
        "query($s: String) { tenant(slug: $s) { __typename ... on NotFound { message } } }",
        "a-read",
        s=OFFICE_B,
    )
    assert other["tenant"] == {"__typename": "NotFound", "message": f"office {OFFICE_B} not found"}
    named = await world.data(
        "query($s: String) { tenant(slug: $s) { ... on Tenant { slug } } }", "platform", s=OFFICE_B
    )
    assert named["tenant"] == {"slug": OFFICE_B}


async def test_sop_definition_has_every_header_field_role_and_mutu_baku(world: World) -> None:
    query = f"""{{ me {{ tenant {{ sop(id: "{SOP_A}") {{
      id version hash
      header {{ nomor nama tanggalPembuatan tanggalRevisi tanggalEfektif
               disahkanOleh {{ nama jabatan nip }} dasarHukum kualifikasiPelaksana keterkaitan
               peralatanPerlengkapan peringatan pencatatanPendataan }}
      roles {{ id name rank perUnit }}
      steps {{ number kegiatan actor {{ id }} kind kelengkapan output keterangan next perUnit
              delegable gate {{ question ya tidak }}
              waktu {{ text amount unit determinedAtStart minutes }} }}
    }} }} }} }}"""
    sop = (await world.data(query, "a-read"))["me"]["tenant"]["sop"]
    d = world.a.sop(SOP_A)
    assert (sop["id"], sop["version"], sop["hash"]) == (d.id, d.version, d.content_hash)
    assert sop["header"]["nomor"] == d.header.nomor
    assert sop["header"]["disahkanOleh"]["nip"] == d.header.disahkan_oleh.nip
    assert sop["header"]["dasarHukum"] == list(d.header.dasar_hukum)
    assert {r["id"]: r["perUnit"] for r in sop["roles"]}["kabid"] is True
    steps = {s["number"]: s for s in sop["steps"]}
    assert steps[1]["kind"] == "START"
    assert steps[1]["actor"] == {"id": "staf"}
    assert steps[1]["waktu"] == {
        "text": "2 hari",
        "amount": 2.0,
        "unit": "HARI",
        "determinedAtStart": False,
        "minutes": 2 * 510,  # two office days of 07:30–16:00
    }
    assert steps[2]["kind"] == "DECISION"
    assert steps[2]["gate"]["ya"] == 3
    assert steps[2]["gate"]["tidak"] == 1
    assert steps[4]["perUnit"] is True
    assert steps[9]["delegable"] is False
    assert steps[9]["kelengkapan"]
    assert steps[6]["keterangan"] == "SOP Pendokumentasian"


# --- the cases connection ---------------------------------------------------------------------


async def test_cases_page_through_with_cursors(world: World) -> None:
    keys = [await start(world, f"Periode {i}") for i in range(5)]
    newest_first = list(reversed(keys))
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await world.data(CASES, "a-read", first=2, after=after))["cases"]
        assert page["totalCount"] == 5
        info = page["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        seen += [e["node"]["key"] for e in page["edges"]]
        pages += 1
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == newest_first
    assert pages == 3
    # a case updated while paging moves to the front, and the next page does not shift
    first = (await world.data(CASES, "a-read", first=2))["cases"]
    await world.a.act(world.users["staf"], keys[0], Claim(1))
    rest = await world.data(CASES, "a-read", first=10, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["key"] for e in rest["cases"]["edges"]] == newest_first[2:4]


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_page_size_is_capped(world: World, first: int) -> None:
    page = (await world.data(CASES, "a-read", first=first))["cases"]
    assert page["__typename"] == "InvalidInput"
    assert page["fields"] == [{"field": "first", "message": "ask for 1 to 100 items per page"}]


@pytest.mark.parametrize("after", ["nonsense", "WyJ0YXNrIixudWxsLDFd"])  # junk; a task cursor
async def test_a_bad_cursor_is_invalid_input(world: World, after: str) -> None:
    page = (await world.data(CASES, "a-read", first=5, after=after))["cases"]
    assert page["__typename"] == "InvalidInput"
    assert page["fields"][0]["field"] == "after"


async def test_case_filters(world: World) -> None:
    await start(world, "Triwulan I 2026")
    done = await start(world, "Triwulan II 2025")
    since = datetime.now(UTC)
    late = await start(world, "Triwulan III 2026")

    async def keys(**f: Any) -> set[str]:
        page = (await world.data(CASES, "a-read", first=50, filter=f))["cases"]
        return {e["node"]["key"] for e in page["edges"]}

    assert len(await keys(period="2026")) == 2
    assert await keys(period="2025") == {done}
    assert len(await keys(sop=SOP_A, status="ACTIVE")) == 3
    assert await keys(status="FINISHED") == set()
    assert await keys(updatedSince=since.isoformat()) == {late}
    assert await keys(overdue=True) == set()  # nothing is late yet
    assert len(await keys(overdue=False)) == 3
    future = datetime.now(UTC) + timedelta(days=60)
    result = await world.run(CASES, "a-read", now=future, first=50, filter={"overdue": True})
    assert len(result.data["cases"]["edges"]) == 3  # type: ignore[index]


# --- one case: tasks and timeline ----------------------------------------------------------------


CASE = """
query Case($key: String!) {
  case(key: $key) {
    __typename
    ... on NotFound { message }
    ... on Case {
      key status startedBy { username } sop { id }
      tasks { number unit status assignee { username } step { number kegiatan } role { id } }
      open: tasks(status: OPEN) { number }
      events { seq kind actor { username } actorName role delegation actingFor { username }
               actingForName step unit task note }
    }
  }
}
"""


async def test_case_with_closed_and_open_tasks_and_a_plh_in_the_timeline(world: World) -> None:
    key = await start(world)
    u = world.users
    await world.a.act(u["staf"], key, Complete(1, "draft"))
    await world.a.act(u["plh.kasubag"], key, Decide(2, Answer.TIDAK, "Perbaiki format"))
    case = (await world.data(CASE, "a-read", key=key))["case"]
    assert case["startedBy"] == {"username": "staf"}
    assert [(t["number"], t["status"]) for t in case["tasks"]] == [
        (1, "DONE"),
        (2, "DONE"),
        (3, "OPEN"),
    ]
    assert case["open"] == [{"number": 3}]
    assert case["tasks"][2]["step"]["number"] == 1  # the "tidak" returned the work to step 1
    decided = next(e for e in case["events"] if e["kind"] == "GATE_DECIDED")
    assert decided["actor"] == {"username": "plh.kasubag"}
    assert decided["delegation"] == "PLH"
    assert decided["actingFor"] == {"username": "kasubag"}
    assert decided["actingForName"] == "Kasubag (A)"
    assert decided["role"] == "kasubag_perencanaan"
    assert decided["note"] == "Perbaiki format"
    assert [e["seq"] for e in case["events"]] == list(range(1, len(case["events"]) + 1))


async def test_another_offices_case_is_not_found_for_an_office_token(world: World) -> None:
    other = await world.data(CASE, "a-read", key=world.case_b)
    assert other["case"] == {
        "__typename": "NotFound",
        "message": f"case {world.case_b} not found",
    }
    missing = await world.data(CASE, "a-read", key="0000000000000000")
    assert missing["case"]["__typename"] == "NotFound"
    page = (await world.data(CASES, "a-read", first=5, filter={"tenant": OFFICE_B}))["cases"]
    assert page == {"__typename": "NotFound", "message": f"office {OFFICE_B} not found"}


async def test_a_platform_token_reads_every_office(world: World) -> None:
    key = await start(world)
    page = (await world.data(CASES, "platform", first=10))["cases"]
    offices = {e["node"]["key"]: e["node"]["tenant"]["slug"] for e in page["edges"]}
    assert offices == {key: OFFICE_A, world.case_b: OFFICE_B}
    only_b = (await world.data(CASES, "platform", first=10, filter={"tenant": OFFICE_B}))["cases"]
    assert [e["node"]["key"] for e in only_b["edges"]] == [world.case_b]
    case = (await world.data(CASE, "platform", key=world.case_b))["case"]
    assert case["key"] == world.case_b
    tasks = await world.data(
        "{ tasks(first: 10) { ... on TaskConnection { edges { node { tenant { slug } } } } } }",
        "platform",
    )
    assert {e["node"]["tenant"]["slug"] for e in tasks["tasks"]["edges"]} == {OFFICE_A, OFFICE_B}


# --- open tasks ------------------------------------------------------------------------------------


TASKS = """
query Tasks($first: Int!, $after: String, $filter: TaskFilter) {
  tasks(first: $first, after: $after, filter: $filter) {
    __typename
    ... on TaskConnection {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { number unit overdue due case { key } role { id } } }
    }
    ... on NotFound { message }
  }
}
"""


async def test_open_tasks_with_filters_and_pages(world: World) -> None:
    u = world.users
    keys = [await start(world, f"P{i}") for i in range(3)]
    for key in keys[:2]:  # two cases reach the per-unit step 4 (one task per unit)
        await world.a.act(u["staf"], key, Complete(1))
        await world.a.act(u["kasubag"], key, Decide(2, Answer.YA))
        await world.a.act(u["staf"], key, Complete(3))
    all_open = (await world.data(TASKS, "a-read", first=100))["tasks"]
    assert all_open["totalCount"] == 1 + 2 * len(UNITS_A)
    kabid = (await world.data(TASKS, "a-read", first=100, filter={"role": "kabid"}))["tasks"]
    assert {(e["node"]["role"]["id"], e["node"]["unit"]) for e in kabid["edges"]} == {
        ("kabid", unit) for unit in UNITS_A
    }
    linmas = (await world.data(TASKS, "a-read", first=100, filter={"unit": "linmas"}))["tasks"]
    assert linmas["totalCount"] == 2
    dues = [e["node"]["due"] for e in all_open["edges"]]
    assert dues == sorted(dues)  # soonest due first
    seen, after = [], None
    while True:
        page = (await world.data(TASKS, "a-read", first=2, after=after))["tasks"]
        seen += [(e["node"]["case"]["key"], e["node"]["number"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [(e["node"]["case"]["key"], e["node"]["number"]) for e in all_open["edges"]]
    assert (await world.data(TASKS, "a-read", first=9, filter={"overdue": True}))["tasks"][
        "totalCount"
    ] == 0
    late = await world.run(
        TASKS,
        "a-read",
        now=datetime.now(UTC) + timedelta(days=60),
        first=9,
        filter={"overdue": True},
    )
    assert late.data["tasks"]["totalCount"] == 5  # type: ignore[index]
    assert all(e["node"]["overdue"] for e in late.data["tasks"]["edges"])  # type: ignore[index]
    await world.a.act(u["staf"], keys[2], Claim(1))
    mine = (await world.data(TASKS, "a-read", first=9, filter={"assignee": "staf"}))["tasks"]
    assert [e["node"]["case"]["key"] for e in mine["edges"]] == [keys[2]]


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


@contextlib.contextmanager
def counting(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every statement ``db``'s engine runs: every query of both backends goes
    through ``run_querystring`` (or ``run_ddl`` for raw SQL strings)."""
    engine_class = type(db.engine)
    seen: list[str] = []
    run_querystring, run_ddl = engine_class.run_querystring, engine_class.run_ddl

    async def querystring(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        if self is db.engine:
            seen.append(str(querystring))
        return await run_querystring(self, querystring, *args, **kwargs)

    async def ddl(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        if self is db.engine:
            seen.append(sql)
        return await run_ddl(self, sql, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(engine_class, "run_querystring", querystring)
        patch.setattr(engine_class, "run_ddl", ddl)
        yield seen


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
        key = await start(world, f"Periode {i}")
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
