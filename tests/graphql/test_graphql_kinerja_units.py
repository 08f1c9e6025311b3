"""Data kinerja in the GraphQL API, on SQLite and PostgreSQL, after the format: writing a
unit's realisasi at the bound steps (per-field errors with GraphQL paths, nothing half-saved,
evidence attached in the web kept); paraf through ``completeTask`` and its invalidation by a
later change; isolation between offices; and the DataLoaders (statement counts do not grow
with the page)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from types import ModuleType

import pytest

from alur.core import create_plugin_manager
from alur.core.engine import Complete
from alur.core.kinerja.model import Entry, Submission
from alur.graphql.testing import PASSWORD, SOP_A, UNITS_A, World
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.kinerja.data import entry_to_dict, insert_submission
from alur.tenants.kinerja.service import KinerjaService, Upload
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import SubmissionRow
from tests.graphql.graphql_kinerja_helpers import (
    COMPLETE,
    COPY_FORMAT,
    DECIDE,
    INDICATORS,
    KINERJA,
    LINMAS,
    PERIOD,
    SAVE_FORMAT,
    SAVE_REALISASI,
    at_fill,
    do,
    fields,
    filled,
    kinerja,
    task_at,
)
from tests.statements import counting

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


# --- writing a unit's realisasi -------------------------------------------------------------


async def test_a_bad_realisasi_gets_field_paths_and_saves_nothing(world: World) -> None:
    key = await at_fill(world)
    task = await task_at(world, key, 4, "linmas")
    values = [
        {"code": "IKU-2", "realisasi": "87,5"},  # Indonesian notation: not taken by the API
        {"code": "IKU-1", "realisasi": "-5", "explanation": "x"},
    ]  # IKU-3 is missing
    result = await do(world, SAVE_REALISASI, "a-kabid-linmas", key=key, task=task, values=values)
    assert fields(result) == {
        "values.0.realisasi": '"87,5" is not a number',
        "values.1.realisasi": "may not be negative",
        "values": "IKU-3: enter the realisasi",
    }
    twice = [*LINMAS, {"code": "IKU-1", "realisasi": "1"}, {"code": "IKU-9", "realisasi": "1"}]
    result = await do(world, SAVE_REALISASI, "a-kabid-linmas", key=key, task=task, values=twice)
    assert fields(result) == {
        "values.3.code": 'the code "IKU-1" is used more than once',
        "values.4.code": "IKU-9 is not an indicator linmas reports",
    }
    below = [{**LINMAS[0], "explanation": ""}, *LINMAS[1:]]
    result = await do(world, SAVE_REALISASI, "a-kabid-linmas", key=key, task=task, values=below)
    assert fields(result) == {"values.0.explanation": "explain why the capaian is below target"}
    assert await SubmissionRow.count() == 0
    assert (await kinerja(world, key))["submissions"] == []
    # the fill step cannot be completed without the data (the service's own field keys)
    refused = await do(world, COMPLETE, "a-kabid-linmas", key=key, task=task)
    assert set(fields(refused)) == {"IKU-1.realisasi", "IKU-2.realisasi", "IKU-3.realisasi"}


async def test_saving_the_realisasi_then_completing_the_fill(world: World) -> None:
    key = await at_fill(world)
    task = await task_at(world, key, 4, "linmas")
    saved = await do(world, SAVE_REALISASI, "a-kabid-linmas", key=key, task=task, values=LINMAS)
    assert saved["submission"] == {
        "unit": "linmas",
        "version": 1,
        "submittedBy": "Kabid.Linmas (A)",
        "entries": [
            {"indicator": "IKU-1", "realisasi": "87.5", "explanation": LINMAS[0]["explanation"]},
            {"indicator": "IKU-2", "realisasi": "12", "explanation": LINMAS[1]["explanation"]},
            {"indicator": "IKU-3", "realisasi": "80", "explanation": ""},
        ],
    }
    assert saved["case"]["kinerja"] == {
        "latest": [{"unit": "linmas", "version": 1}],
        "recap": {"complete": False},  # sda has not entered its data yet
    }
    again = await do(world, SAVE_REALISASI, "a-kabid-linmas", key=key, task=task, values=LINMAS)
    assert again["submission"]["version"] == 2
    # another unit's task is not the Kabid linmas's
    sda = await task_at(world, key, 4, "sda")
    other = await do(world, SAVE_REALISASI, "a-kabid-linmas", key=key, task=sda, values=LINMAS)
    assert other["__typename"] == "Forbidden"
    done = await do(world, COMPLETE, "a-kabid-linmas", key=key, task=task)
    assert done["__typename"] == "CaseChanged", done
    completed = done["events"][0]
    assert (completed["kind"], completed["unit"]) == ("TASK_COMPLETED", "linmas")
    record = completed["payload"]["data"]["kinerja"]
    assert record == {"unit": "linmas", "version": 2, "sha256": record["sha256"]}
    closed = await do(world, SAVE_REALISASI, "a-kabid-linmas", key=key, task=task, values=LINMAS)
    assert closed["__typename"] == "NotFound"


async def test_an_api_save_keeps_the_evidence_attached_in_the_web(world: World) -> None:
    key = await at_fill(world)
    task = await task_at(world, key, 4, "linmas")
    content = b"kegiatan,selesai\nPatroli,11\n"
    await KinerjaService(world.a).save_submission(
        world.users["kabid.linmas"],
        key,
        task,
        {v["code"]: v for v in LINMAS},
        {"IKU-1": [Upload("bukti-iku1.csv", "text/csv", content)]},
        language="en",
    )
    corrected = [{**LINMAS[0], "realisasi": "90"}, *LINMAS[1:]]
    query = SAVE_REALISASI.replace("explanation } }", "explanation evidence { name sha256 } } }")
    saved = await do(world, query, "a-kabid-linmas", key=key, task=task, values=corrected)
    assert saved["submission"]["version"] == 2
    iku1 = saved["submission"]["entries"][0]
    assert (iku1["realisasi"], iku1["evidence"]) == (
        "90",
        [{"name": "bukti-iku1.csv", "sha256": hashlib.sha256(content).hexdigest()}],
    )


# --- verification, paraf and its invalidation -------------------------------------------------


async def test_changes_after_tidak_then_paraf_and_its_invalidation(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await filled(world)
    linmas = await task_at(world, key, 4, "linmas")
    await do(world, COMPLETE, "a-kabid-linmas", key=key, task=linmas)
    await world.a.act(
        world.users["kabid.sda.2"], key, Complete(await task_at(world, key, 4, "sda"))
    )
    # the Staf returns linmas's data; the Kabid corrects it; the verifier sees what changed
    verify = await task_at(world, key, 5, "linmas")
    tidak = {"answer": "TIDAK", "note": "IKU-1 belum sesuai laporan"}
    assert (await do(world, DECIDE, "a-staf", key=key, task=verify, **tidak))["__typename"] == (
        "CaseChanged"
    )
    changes = (
        "query($key: String!, $unit: String!) { case(key: $key) { ... on Case { kinerja {"
        " changes(unit: $unit) { indicator field before after } } } } }"
    )
    assert (await world.data(changes, "a-read", key=key, unit="linmas"))["case"]["kinerja"] == {
        "changes": []
    }
    corrected = [{**LINMAS[0], "realisasi": "95"}, *LINMAS[1:]]
    task = await task_at(world, key, 4, "linmas")
    await do(world, SAVE_REALISASI, "a-kabid-linmas", key=key, task=task, values=corrected)
    found = await world.data(changes, "a-read", key=key, unit="linmas")
    assert found["case"]["kinerja"]["changes"] == [
        {"indicator": "IKU-1", "field": "realisasi", "before": "87.5", "after": "95"}
    ]
    assert (await world.data(changes, "a-read", key=key, unit="sda"))["case"]["kinerja"] == {
        "changes": []
    }
    await do(world, COMPLETE, "a-kabid-linmas", key=key, task=task)
    ya = {"answer": "YA", "note": ""}
    for unit in UNITS_A:
        verify = await task_at(world, key, 5, unit)
        assert (await do(world, DECIDE, "a-staf", key=key, task=verify, **ya))["__typename"] == (
            "CaseChanged"
        )
    recap_task = await task_at(world, key, 6)
    assert (await do(world, COMPLETE, "a-staf", key=key, task=recap_task))["__typename"] == (
        "CaseChanged"
    )
    # the paraf, by the Plh of the Kasubag Perencanaan, through completeTask
    paraf = await task_at(world, key, 7)
    done = await do(world, COMPLETE, "a-plh", key=key, task=paraf, password=PASSWORD)
    assert done["__typename"] == "CaseChanged", done
    before = await kinerja(world, key)
    (approval,) = before["approvals"]
    assert approval["recapHash"] == before["recap"]["contentHash"]
    assert {k: approval[k] for k in ("kind", "step", "name", "acting", "actingFor", "valid")} == {
        "kind": "PARAF",
        "step": 7,
        "name": "Plh Kasubag (A)",
        "acting": "PLH",
        "actingFor": "Kasubag (A)",
        "valid": True,
    }
    assert approval["jabatan"] == "Kasubag Perencanaan"  # the official's role: no jabatan set
    assert approval["at"] is not None

    # another case of the same period changes the shared format: the paraf no longer holds
    # (a second case of a period is started only for an SOP marked repeatable: as if it were)
    async def none_started(sop_id: str, period: str) -> list[str]:
        return []

    monkeypatch.setattr(world.a, "periods_started", none_started)
    other = (await world.a.start_case(world.users["staf"], SOP_A, PERIOD)).key
    changed = [{**INDICATORS[0], "target": "95"}, *INDICATORS[1:]]
    await do(world, SAVE_FORMAT, "a-staf", key=other, task=1, indicators=changed)
    after = await kinerja(world, key)
    assert after["recap"]["contentHash"] != before["recap"]["contentHash"]
    (approval,) = after["approvals"]
    assert approval["valid"] is False
    assert approval["recapHash"] == before["recap"]["contentHash"]


# --- offices --------------------------------------------------------------------------------


async def test_another_offices_token_gets_not_found(world: World) -> None:
    key = await at_fill(world)
    task = await task_at(world, key, 4, "linmas")
    for mutation, variables in (
        (SAVE_FORMAT, {"task": 1, "indicators": INDICATORS}),
        (COPY_FORMAT, {"task": 1, "from": PERIOD}),
        (SAVE_REALISASI, {"task": task, "values": LINMAS}),
    ):
        refused = await do(world, mutation, "b-write", key=key, **variables)
        assert refused == {"__typename": "NotFound", "message": f"case {key} not found"}
    found = await world.data(KINERJA, "b-write", key=key)
    assert found["case"] == {"__typename": "NotFound", "message": f"case {key} not found"}
    periods = await world.data("{ me { tenant { indicatorPeriods } } }", "b-write")
    assert periods["me"]["tenant"]["indicatorPeriods"] == []
    assert await SubmissionRow.count() == 0


async def test_kinerja_is_null_for_an_sop_without_data_kinerja_steps(
    database: Database, contoh_plugin: ModuleType
) -> None:
    plugins = create_plugin_manager(load_entrypoints=False, environ={})
    assert plugins.register(contoh_plugin, name="contoh", version="1").ok
    await create_tenant(plugins, "dinas-contoh", "Dinas Contoh", "contoh")
    service = await TenantService.open(database, plugins, "dinas-contoh")
    staf = await create_user("contoh.staf", "Staf Contoh", "rahasia-2026")
    await add_membership(service.ref.id, staf.id, service.sop("contoh").roles_by_id["staf"])
    key = (await service.start_case(staf.id, "contoh", PERIOD, {3: "2 hari"})).key
    token = (await create_token("dasbor", scope="read", tenant="dinas-contoh")).token
    world = World(database, plugins, service, service, tokens={"read": token})
    data = await world.data(
        "query($key: String!) { case(key: $key) { ... on Case { key kinerja { latest { unit } } } } }",
        "read",
        key=key,
    )
    assert data["case"] == {"key": key, "kinerja": None}


# --- DataLoaders: statement counts do not grow with the page -----------------------------------

PAGE = """
query Page($first: Int!) {
  cases(first: $first) {
    ... on CaseConnection {
      edges { node { key kinerja {
        indicatorSet { period indicators { code target } }
        latest { unit version entries { realisasi } }
        recap { contentHash complete sasaran { total average } }
      } } }
    }
  }
}
"""


async def test_a_page_of_50_cases_recaps_costs_as_many_statements_as_5(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    staf, kinerja_a = world.users["staf"], KinerjaService(world.a)
    kabid = world.users["kabid.linmas"]
    for i in range(50):  # each with its own period's format and one unit's data
        key = (await world.a.start_case(staf, SOP_A, f"Tahun {2000 + i}")).key
        await fill_in_sample(kinerja_a, staf, key, 1)
        case = await world.a.case(key)
        entries = tuple(Entry(c, Decimal(90 + i)) for c in ("IKU-1", "IKU-2", "IKU-3"))
        submission = Submission("linmas", 1, entries, "Kabid", world.a.clock())
        await insert_submission(
            world.a.ref.id, case.id, submission, [entry_to_dict(e, {}) for e in entries], kabid
        )
    await world.data(PAGE, "a-read", first=1)  # the token's first use records last_used_at
    counts = {}
    for size in (5, 50):
        with counting(world.db, monkeypatch) as seen:
            data = await world.data(PAGE, "a-read", first=size)
        nodes = [e["node"] for e in data["cases"]["edges"]]
        assert len(nodes) == size
        for node in nodes[:3]:  # the recap is the service's, to the hash
            expected = (await kinerja_a.recap(node["key"])).content_hash
            assert node["kinerja"]["recap"]["contentHash"] == expected
        assert all(n["kinerja"]["latest"][0]["unit"] == "linmas" for n in nodes)
        counts[size] = len(seen)
    assert counts[5] == counts[50], seen
    # the token and the page; then one query per loader: formats (sets and their
    # indicators), the cases' units and their submissions. The SOP snapshots were parsed
    # by the first request and are not read again in this process.
    assert counts[50] == 6, "\n".join(q[:80] for q in seen)
