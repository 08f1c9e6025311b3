"""The GraphQL read side through ``schema.execute`` on SQLite and PostgreSQL: me, offices,
SOP definitions, the cases connection (cursors, pageInfo, filters, page-size cap), one case
with its tasks and timeline, open tasks, platform reads across offices, tenant isolation.
The query limits, the DataLoaders and the context: test_graphql_loaders.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alur.core import Answer
from alur.core.engine import Claim, Complete, Decide
from alur.graphql.testing import OFFICE_A, OFFICE_B, SOP_A, UNITS_A, World
from tests.graphql.queries_helpers import start

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


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
    keys = [await start(world, f"Tahun {2000 + i}") for i in range(5)]
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
    keys = [await start(world, f"Tahun {2000 + i}") for i in range(3)]
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


async def test_a_case_with_clock_events_lists_them(world: World) -> None:
    """The worker's reminders and escalations are events of the case too: the ``events``
    field names their kinds (it failed on them before)."""
    from alur.tenants.clock.sweep import sweep

    key = await start(world, "Semester II 2026")
    await sweep(world.db, world.plugins, datetime.now(UTC) + timedelta(days=60))
    found = await world.data(
        "query($key: String!) { case(key: $key) { ... on Case { events { kind } } } }",
        "a-read",
        key=key,
    )
    kinds = {e["kind"] for e in found["case"]["events"]}
    assert {"TASK_REMINDED", "TASK_ESCALATED"} & kinds, kinds
