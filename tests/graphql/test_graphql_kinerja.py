"""Data kinerja in the GraphQL API, on SQLite and PostgreSQL: reading the format, the units'
data, the recap and its approvals with any token of the office; writing the format and a
unit's realisasi at the bound steps as a write token's person (per-field errors with GraphQL
paths, nothing half-saved); paraf through ``completeTask`` and its invalidation by a later
change; isolation between offices; and the DataLoaders (statement counts do not grow with
the page)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from alur.core import create_plugin_manager
from alur.core.engine import Complete
from alur.core.kinerja.model import Entry, Submission
from alur.graphql.testing import OFFICE_A, SOP_A, UNITS_A, World
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.kinerja.data import entry_to_dict, insert_submission
from alur.tenants.kinerja.service import KinerjaService, Upload
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import IndicatorRow, SubmissionRow
from tests.statements import counting

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

PERIOD = "Triwulan III 2026"
PELAYANAN = "Meningkatnya kualitas pelayanan publik"
AKUNTABILITAS = "Meningkatnya akuntabilitas kinerja"
INDICATORS = [
    {
        "code": "IKU-1",
        "sasaran": PELAYANAN,
        "text": "Persentase kegiatan yang selesai tepat waktu",
        "unitOfMeasure": "%",
        "target": "100",
    },
    {
        "code": "IKU-2",
        "sasaran": PELAYANAN,
        "text": "Jumlah pengaduan yang belum ditindaklanjuti",
        "unitOfMeasure": "pengaduan",
        "target": "10.0",
        "direction": "LOWER",
    },
    {
        "code": "IKU-3",
        "sasaran": AKUNTABILITAS,
        "text": "Nilai evaluasi SAKIP unit",
        "unitOfMeasure": "nilai",
        "target": "80",
        "units": ["linmas"],
    },
]
LINMAS = [  # capaian 87.5 (needs an explanation), 80 (lower is better: ditto), 100
    {"code": "IKU-1", "realisasi": "87.5", "explanation": "Dua kegiatan tertunda hujan."},
    {"code": "IKU-2", "realisasi": "12", "explanation": "Pengaduan akhir triwulan."},
    {"code": "IKU-3", "realisasi": "80"},
]
SDA = {"IKU-1": {"realisasi": "100"}, "IKU-2": {"realisasi": "8"}}  # 100, 120

FAILURES = "... on Error { message } ... on InvalidInput { fields { field message } }"
SAVE_FORMAT = (
    "mutation($key: String!, $task: Int!, $indicators: [IndicatorInput!]!) {"
    " saveIndicatorSet(caseKey: $key, task: $task, indicators: $indicators) { __typename"
    " ... on IndicatorSetSaved { indicatorSet { period tenant { slug }"
    " indicators { code sasaran text unitOfMeasure target direction units allowNegative } }"
    " case { key kinerja { indicatorSet { period } } } } " + FAILURES + " } }"
)
COPY_FORMAT = (
    "mutation($key: String!, $task: Int!, $from: String!) {"
    " copyIndicatorSet(caseKey: $key, task: $task, fromPeriod: $from) { __typename"
    " ... on IndicatorSetSaved { indicatorSet { period indicators { code target } } } "
    + FAILURES
    + " } }"
)
SAVE_REALISASI = (
    "mutation($key: String!, $task: Int!, $values: [RealisasiInput!]!) {"
    " saveRealisasi(caseKey: $key, task: $task, values: $values) { __typename"
    " ... on RealisasiSaved { submission { unit version submittedBy"
    " entries { indicator realisasi explanation } }"
    " case { kinerja { latest { unit version } recap { complete } } } } " + FAILURES + " } }"
)
COMPLETE = (
    "mutation($key: String!, $task: Int!) { completeTask(caseKey: $key, task: $task) {"
    " __typename ... on CaseChanged { events { kind step unit payload } } "
    + FAILURES
    + " ... on ActionRefused { code } } }"
)
DECIDE = (
    "mutation($key: String!, $task: Int!, $answer: Answer!, $note: String!) {"
    " decideGate(caseKey: $key, task: $task, answer: $answer, note: $note) { __typename "
    + FAILURES
    + " ... on ActionRefused { code } } }"
)
KINERJA = """
query($key: String!) { case(key: $key) { __typename ... on Case { kinerja {
  indicatorSet { period tenant { slug } indicators { code target direction units } }
  submissions { unit version entries { indicator realisasi explanation } }
  latest { unit version submittedBy submittedAt }
  recap {
    period units complete contentHash
    sasaran { sasaran total average counted indicators {
      indicator { code target } capaian { value problem }
      results { unit realisasi explanation version capaian { value problem } } } }
  }
  approvals { kind step recapHash name jabatan nip acting actingFor at valid }
} } ... on Error { message } } }
"""


async def do(world: World, mutation: str, token: str, **variables: Any) -> dict[str, Any]:
    """The one result of a mutation (which must not produce GraphQL errors)."""
    (result,) = (await world.data(mutation, token, **variables)).values()
    return result


async def kinerja(world: World, key: str, token: str = "a-read") -> dict[str, Any]:
    case = (await world.data(KINERJA, token, key=key))["case"]
    assert case["__typename"] == "Case", case
    return case["kinerja"]


async def task_at(world: World, key: str, step: int, unit: str | None = None) -> int:
    """The number of the open task of ``step`` (for ``unit``)."""
    (found,) = [
        t.id
        for t in (await world.a.case(key)).state.open_tasks.values()
        if (t.step, t.unit) == (step, unit)
    ]
    return found


def fields(result: dict[str, Any]) -> dict[str, str]:
    assert result["__typename"] == "InvalidInput", result
    return {f["field"]: f["message"] for f in result["fields"]}


async def designed(world: World, period: str = PERIOD) -> str:
    """A case of ``period`` whose format was saved through the API at task 1 (step 1)."""
    key = (await world.a.start_case(world.users["staf"], SOP_A, period)).key
    saved = await do(world, SAVE_FORMAT, "a-staf", key=key, task=1, indicators=INDICATORS)
    assert saved["__typename"] == "IndicatorSetSaved", saved
    return key


async def at_fill(world: World, period: str = PERIOD) -> str:
    """A case at step 4, where each Kabid fills in their bidang's data (through the API)."""
    key = await designed(world, period)
    assert (await do(world, COMPLETE, "a-staf", key=key, task=1))["__typename"] == "CaseChanged"
    ya = {"answer": "YA", "note": ""}
    assert (await do(world, DECIDE, "a-kasubag", key=key, task=2, **ya))["__typename"] == (
        "CaseChanged"
    )
    assert (await do(world, COMPLETE, "a-staf", key=key, task=3))["__typename"] == "CaseChanged"
    return key


async def filled(world: World, period: str = PERIOD) -> str:
    """A case whose two units have saved their data (linmas through the API)."""
    key = await at_fill(world, period)
    linmas = await task_at(world, key, 4, "linmas")
    saved = await do(world, SAVE_REALISASI, "a-kabid-linmas", key=key, task=linmas, values=LINMAS)
    assert saved["__typename"] == "RealisasiSaved", saved
    await kabid_sda_saves(world, key, SDA)
    return key


async def kabid_sda_saves(world: World, key: str, values: dict[str, dict[str, str]]) -> None:
    """Office A has no token for the Kabid of sda: they use the service (as the web does)."""
    kabid = await create_user("kabid.sda.2", "Kabid SDA (A)", "rahasia-2026")
    roles = world.a.sop(SOP_A).roles_by_id
    await add_membership(world.a.ref.id, kabid.id, roles["kabid"], "sda")
    task = await task_at(world, key, 4, "sda")
    await KinerjaService(world.a).save_submission(kabid.id, key, task, values, language="en")
    world.users["kabid.sda.2"] = kabid.id


# --- reading --------------------------------------------------------------------------------


async def test_a_read_token_reads_the_format_the_data_and_the_recap(world: World) -> None:
    key = await filled(world)
    tenant = await world.data(
        "query($p: String!) { me { tenant { indicatorPeriods"
        " indicatorSet(period: $p) { period tenant { slug } indicators { code target units } }"
        ' none: indicatorSet(period: "Triwulan I 1999") { period } } } }',
        "a-read",
        p=PERIOD,
    )
    office = tenant["me"]["tenant"]
    assert office["indicatorPeriods"] == [PERIOD]
    assert office["none"] is None
    assert office["indicatorSet"] == {
        "period": PERIOD,
        "tenant": {"slug": OFFICE_A},
        "indicators": [
            {"code": "IKU-1", "target": "100", "units": []},
            {"code": "IKU-2", "target": "10", "units": []},  # canonical: "10.0" is 10
            {"code": "IKU-3", "target": "80", "units": ["linmas"]},
        ],
    }
    data = await kinerja(world, key)
    assert data["indicatorSet"]["indicators"][1]["direction"] == "LOWER"
    assert [(s["unit"], s["version"]) for s in data["submissions"]] == [
        ("linmas", 1),
        ("sda", 1),
    ]
    assert data["latest"][0]["submittedBy"] == "Kabid.Linmas (A)"
    assert data["submissions"][0]["entries"][0] == {
        "indicator": "IKU-1",
        "realisasi": "87.5",
        "explanation": "Dua kegiatan tertunda hujan.",
    }
    recap = data["recap"]
    assert recap["complete"] is True
    assert recap["units"] == list(UNITS_A)
    assert recap["contentHash"] == (await KinerjaService(world.a).recap(key)).content_hash
    pelayanan, akuntabilitas = recap["sasaran"]
    assert (pelayanan["total"], pelayanan["average"], pelayanan["counted"]) == (
        "193.75",
        "96.88",  # (93.75 + 100) / 2, rounded half up once
        2,
    )
    iku1, iku2 = pelayanan["indicators"]
    assert iku1["capaian"] == {"value": "93.75", "problem": None}
    assert [(r["unit"], r["realisasi"], r["capaian"]["value"]) for r in iku1["results"]] == [
        ("linmas", "87.5", "87.5"),
        ("sda", "100", "100"),
    ]
    assert [r["capaian"]["value"] for r in iku2["results"]] == ["80", "120"]  # lower is better
    assert [r["unit"] for r in akuntabilitas["indicators"][0]["results"]] == ["linmas"]
    assert data["approvals"] == []


async def test_the_recap_is_the_service_layers_one_recap(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GraphQL builds ``Case.kinerja.recap`` with the function the service, the web pages and
    the exports use (it used to assemble it itself), from its DataLoaders' rows."""
    from alur.tenants.kinerja import rules

    key = await filled(world)
    built: list[str] = []
    real = rules.recap_of

    def spy(*args: Any, **kwargs: Any) -> Any:
        recap = real(*args, **kwargs)
        built.append(recap.content_hash)
        return recap

    monkeypatch.setattr(rules, "recap_of", spy)
    recap = (await kinerja(world, key))["recap"]
    assert built
    assert recap["contentHash"] == built[-1]
    assert built[-1] == (await KinerjaService(world.a).recap(key)).content_hash


async def test_an_incomplete_recap_says_what_is_missing(world: World) -> None:
    key = await at_fill(world)
    recap = (await kinerja(world, key))["recap"]
    assert recap["complete"] is False
    first = recap["sasaran"][0]["indicators"][0]
    assert first["results"][0]["capaian"] == {"value": None, "problem": "NOT_REPORTED"}
    assert first["capaian"]["problem"] == "NOT_REPORTED"
    assert recap["sasaran"][0]["average"] is None


async def test_a_platform_token_reads_another_offices_data_kinerja(world: World) -> None:
    key = await filled(world)
    data = await kinerja(world, key, "platform")
    assert data["indicatorSet"]["tenant"] == {"slug": OFFICE_A}
    assert data["recap"]["contentHash"] == (await KinerjaService(world.a).recap(key)).content_hash
    assert data["approvals"] == []


# --- writing the format ---------------------------------------------------------------------


async def test_saving_the_format_at_the_design_step(world: World) -> None:
    key = (await world.a.start_case(world.users["staf"], SOP_A, PERIOD)).key
    saved = await do(world, SAVE_FORMAT, "a-staf", key=key, task=1, indicators=INDICATORS)
    assert saved["indicatorSet"]["indicators"][2] == {
        "code": "IKU-3",
        "sasaran": AKUNTABILITAS,
        "text": "Nilai evaluasi SAKIP unit",
        "unitOfMeasure": "nilai",
        "target": "80",
        "direction": "HIGHER",
        "units": ["linmas"],
        "allowNegative": False,
    }
    assert saved["case"] == {"key": key, "kinerja": {"indicatorSet": {"period": PERIOD}}}
    assert await IndicatorRow.count() == 3
    # completing the design step now passes its rule and records the format's hash
    done = await do(world, COMPLETE, "a-staf", key=key, task=1)
    assert "set_hash" in done["events"][0]["payload"]["data"]["kinerja"]


async def test_a_bad_format_gets_field_paths_and_saves_nothing(world: World) -> None:
    key = (await world.a.start_case(world.users["staf"], SOP_A, PERIOD)).key
    bad = [
        {**INDICATORS[0], "target": "seratus"},
        {**INDICATORS[1], "code": "iku-1", "unitOfMeasure": " "},
        {**INDICATORS[2], "units": ["linmas", "gudang"], "target": "-1"},
    ]
    result = await do(world, SAVE_FORMAT, "a-staf", key=key, task=1, indicators=bad)
    assert fields(result) == {
        "indicators.0.target": '"seratus" is not a number',
        "indicators.1.code": 'the code "iku-1" is used more than once',
        "indicators.1.unitOfMeasure": "enter the unit of measure",
        "indicators.2.target": "may not be negative",
        "indicators.2.units": "not units of this office: gudang",
    }
    empty = await do(world, SAVE_FORMAT, "a-staf", key=key, task=1, indicators=[])
    assert fields(empty) == {"indicators": "add at least one indicator"}
    assert await IndicatorRow.count() == 0
    # Indonesian messages with the same paths
    result = await world.run(
        SAVE_FORMAT, "a-staf", language="id", key=key, task=1, indicators=bad[:1]
    )
    (field,) = result.data["saveIndicatorSet"]["fields"]  # type: ignore[index]
    assert field["field"] == "indicators.0.target"
    assert "bukan angka" in field["message"]


async def test_the_format_is_written_only_at_a_design_task_by_its_actor(world: World) -> None:
    key = await at_fill(world)
    linmas = await task_at(world, key, 4, "linmas")
    wrong_step = await do(
        world, SAVE_FORMAT, "a-kabid-linmas", key=key, task=linmas, indicators=INDICATORS
    )
    assert wrong_step["__typename"] == "Forbidden"
    other = (await world.a.start_case(world.users["staf"], SOP_A, "Triwulan IV 2026")).key
    not_staf = await do(world, SAVE_FORMAT, "a-kabid-linmas", key=other, task=1, indicators=[])
    assert not_staf["__typename"] == "Forbidden"
    closed = await do(world, SAVE_FORMAT, "a-staf", key=key, task=1, indicators=INDICATORS)
    assert closed["__typename"] == "NotFound"
    read_only = await do(world, SAVE_FORMAT, "a-read", key=other, task=1, indicators=INDICATORS)
    assert read_only["__typename"] == "Forbidden"


async def test_copying_the_format_of_an_earlier_period(world: World) -> None:
    await designed(world, "Triwulan II 2026")
    key = (await world.a.start_case(world.users["staf"], SOP_A, PERIOD)).key
    copied = await do(world, COPY_FORMAT, "a-staf", key=key, task=1, **{"from": "Triwulan II 2026"})
    assert copied["__typename"] == "IndicatorSetSaved", copied
    assert copied["indicatorSet"]["period"] == PERIOD
    assert [i["code"] for i in copied["indicatorSet"]["indicators"]] == ["IKU-1", "IKU-2", "IKU-3"]
    none = await do(world, COPY_FORMAT, "a-staf", key=key, task=1, **{"from": "Tahun 1999"})
    assert fields(none) == {"fromPeriod": "Tahun 1999 has no format data kinerja to copy"}
    itself = await do(world, COPY_FORMAT, "a-staf", key=key, task=1, **{"from": PERIOD})
    assert list(fields(itself)) == ["fromPeriod"]


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


async def test_changes_after_tidak_then_paraf_and_its_invalidation(world: World) -> None:
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
    done = await do(world, COMPLETE, "a-plh", key=key, task=paraf)
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
        key = (await world.a.start_case(staf, SOP_A, f"Periode {i}")).key
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
