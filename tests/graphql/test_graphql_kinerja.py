"""Data kinerja in the GraphQL API, on SQLite and PostgreSQL: reading the format, the units'
data, the recap and its approvals with any token of the office; writing the format at the
design step as a write token's person (per-field errors with GraphQL paths, nothing
half-saved). A unit's realisasi, paraf, offices and DataLoaders: test_graphql_kinerja_units.py."""

from __future__ import annotations

from typing import Any

import pytest

from alur.graphql.testing import OFFICE_A, SOP_A, UNITS_A, World
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.storage.tables import IndicatorRow
from tests.graphql.graphql_kinerja_helpers import (
    AKUNTABILITAS,
    COMPLETE,
    COPY_FORMAT,
    INDICATORS,
    PERIOD,
    SAVE_FORMAT,
    at_fill,
    designed,
    do,
    fields,
    filled,
    kinerja,
    task_at,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


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
