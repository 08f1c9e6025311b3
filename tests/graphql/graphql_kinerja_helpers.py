"""Helpers of the GraphQL data kinerja tests (test_graphql_kinerja*.py): the sample format and
values, the operations, and carrying a case of office A to its design or fill step."""

from __future__ import annotations

from typing import Any

from alur.graphql.testing import SOP_A, World
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.service import KinerjaService

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
    "mutation($key: String!, $task: Int!, $password: String) {"
    " completeTask(caseKey: $key, task: $task, password: $password) {"
    " __typename ... on CaseChanged { events { kind step unit payload } } "
    + FAILURES
    + " ... on ActionRefused { code } } }"
)


DECIDE = (
    "mutation($key: String!, $task: Int!, $answer: Answer!, $note: String!, $password: String) {"
    " decideGate(caseKey: $key, task: $task, answer: $answer, note: $note, password: $password)"
    " { __typename " + FAILURES + " ... on ActionRefused { code } } }"
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
