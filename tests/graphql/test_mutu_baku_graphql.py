"""``mutuBaku`` and ``provinceMutuBaku`` in GraphQL, both databases: a case walked on a fake
clock gives the exact office minutes the service gives (the same numbers as the web page
and the command line), null where there is no data; per person for the Kepala only; who
is refused; bad filters named by argument; the operators' view across offices."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from alur.core.calendar import JAKARTA
from alur.core.engine import Claim, Complete, Decide
from alur.core.model import Answer
from alur.graphql.testing import OFFICE_A, SOP_A, World
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.tokens import create_token
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.monitoring.report import MutuBakuReports, Period, ReportFilter

pytestmark = pytest.mark.anyio

START = datetime(2026, 11, 23, 9, 0, tzinfo=JAKARTA)  # a Monday
WEEK = {"start": "2026-11-23", "end": "2026-11-29"}

FIGURES = """count medianMinutes p75Minutes p90Minutes waitingMedianMinutes
  workingMedianMinutes standardMinutes within withStandard withinShare returned rework
  heldMinutes"""
MUTU_BAKU = f"""query($sop: String, $start: Date, $end: Date, $unit: String) {{
  mutuBaku(sop: $sop, from: $start, to: $end, unit: $unit) {{ __typename
  ... on MutuBakuReport {{ office from to unit minutesPerDay perPerson
    sops {{ sop name cases hasData bottlenecks
      steps {{ number kegiatan role waktu provinceMedianMinutes figures {{ {FIGURES} }}
        units {{ unit unitName figures {{ count }} }} }}
      people {{ step person figures {{ count medianMinutes }} }} }} }}
  ... on InvalidInput {{ code fields {{ field message }} }}
  ... on Error {{ code }} }} }}"""
PROVINCE = f"""query($plugin: String!, $sop: String!, $start: Date, $end: Date) {{
  provinceMutuBaku(plugin: $plugin, sop: $sop, from: $start, to: $end) {{ __typename
  ... on ProvinceMutuBaku {{ plugin sop from to hasData
    steps {{ number kegiatan figures {{ {FIGURES} }} }}
    offices {{ office officeName cases hasData steps {{ count medianMinutes }} }} }}
  ... on InvalidInput {{ code fields {{ field }} }}
  ... on Error {{ code }} }} }}"""


async def walk(world: World) -> str:
    """Step 1 claimed at 10:00 and done at 13:00; step 2 returned ("tidak") at 14:00 the
    next day; step 1 done again on Wednesday 08:00 (before office hours: 07:30 counts)."""
    service = world.a
    at = {"now": START}
    service.clock = lambda: at["now"]
    staf, kasubag = world.users["staf"], world.users["kasubag"]
    case = await service.start_case(staf, SOP_A, "Triwulan IV 2026")
    (task,) = case.state.open_tasks.values()
    at["now"] = START + timedelta(hours=1)
    await service.act(staf, case.key, Claim(task.id))
    at["now"] = START + timedelta(hours=4)
    await fill_in_sample(KinerjaService(service), staf, case.key, task.id)
    case = await service.act(staf, case.key, Complete(task.id, "Format"))
    (task,) = case.state.open_tasks.values()
    at["now"] = START + timedelta(days=1, hours=5)
    case = await service.act(kasubag, case.key, Decide(task.id, Answer.TIDAK, "Belum benar."))
    (task,) = case.state.open_tasks.values()
    at["now"] = START + timedelta(days=2, hours=-1)
    await fill_in_sample(KinerjaService(service), staf, case.key, task.id)
    await service.act(staf, case.key, Complete(task.id, "Format"))
    return case.key


async def test_the_office_figures_are_the_services(world: World) -> None:
    await walk(world)
    kepala = world.users["kepala"]
    world.tokens["a-kepala"] = (
        await create_token("kepala", "read", tenant=OFFICE_A, user="kepala")
    ).token
    data = (await world.data(MUTU_BAKU, "a-kepala", sop=SOP_A, **WEEK))["mutuBaku"]
    assert data["__typename"] == "MutuBakuReport"
    assert (data["office"], data["from"], data["to"]) == (OFFICE_A, *WEEK.values())
    assert data["perPerson"] is True
    (sop,) = data["sops"]
    first, second = sop["steps"][0], sop["steps"][1]
    mpd = data["minutesPerDay"]
    # 09:00 → 13:00 (240: 60 waiting, 180 working); Tue 14:00 → Wed 08:00 (rework round):
    # 14:00 → 16:00 is 120, then 07:30 → 08:00 is 30 = 150, never claimed (all waiting).
    assert first["figures"] == {
        "count": 2,
        "medianMinutes": 195.0,
        "p75Minutes": 217.5,
        "p90Minutes": 231.0,
        "waitingMedianMinutes": 105.0,
        "workingMedianMinutes": 90.0,
        "standardMinutes": 2 * mpd,
        "within": 2,
        "withStandard": 2,
        "withinShare": 1.0,
        "returned": 0,
        "rework": 1,
        "heldMinutes": 390,
    }
    # 13:00 Monday → 14:00 Tuesday: 180 + 390 = 570 office minutes against 10 menit.
    assert second["figures"]["medianMinutes"] == 570.0
    assert (second["figures"]["returned"], second["figures"]["within"]) == (1, 0)
    third = sop["steps"][2]
    assert third["figures"]["count"] == 0
    # belum ada data: every figure null (the step's waktu is still given as written)
    assert {k for k, v in third["figures"].items() if v is not None} == {"count"}
    assert third["waktu"] == "1 Hari"
    assert sop["bottlenecks"][:2] == [2, 1]
    assert {(p["step"], p["figures"]["count"]) for p in sop["people"]} == {(1, 2), (2, 1)}

    expected = await MutuBakuReports(world.a).report(
        kepala, ReportFilter(SOP_A, Period(date(2026, 11, 23), date(2026, 11, 29)))
    )
    for step, node in zip(expected.sops[0].steps, sop["steps"], strict=True):
        assert node["number"] == step.number
        assert node["figures"]["medianMinutes"] == step.figures.median
        assert node["figures"]["count"] == step.figures.count
        assert node["provinceMedianMinutes"] == step.province_median

    # The Kasubag is no leader and no assessor (none chosen): refused, like the others.
    for label in ("a-kasubag", "a-staf", "a-read", "platform"):
        refused = (await world.data(MUTU_BAKU, label, **WEEK))["mutuBaku"]
        assert refused == {"__typename": "Forbidden", "code": "forbidden"}, label


async def test_bad_filters_are_named_by_argument(world: World) -> None:
    world.tokens["a-kepala"] = (
        await create_token("kepala", "read", tenant=OFFICE_A, user="kepala")
    ).token
    bad = (await world.data(MUTU_BAKU, "a-kepala", sop="tidak-ada", unit="zzz"))["mutuBaku"]
    assert bad["__typename"] == "InvalidInput"
    assert {f["field"] for f in bad["fields"]} == {"sop", "unit"}
    backwards = await world.data(MUTU_BAKU, "a-kepala", start="2026-11-29", end="2026-11-01")
    assert [f["field"] for f in backwards["mutuBaku"]["fields"]] == ["to"]
    nothing = (await world.data(MUTU_BAKU, "a-kepala", sop=SOP_A, **WEEK))["mutuBaku"]
    assert nothing["sops"][0]["hasData"] is False  # belum ada data, not zeros
    assert nothing["sops"][0]["steps"][0]["figures"]["medianMinutes"] is None


async def test_operators_read_a_family_across_offices(world: World) -> None:
    await walk(world)
    plugin = "satpolpp_banyumas"
    data = await world.data(PROVINCE, "platform", plugin=plugin, sop=SOP_A, **WEEK)
    found = data["provinceMutuBaku"]
    assert found["__typename"] == "ProvinceMutuBaku"
    assert found["hasData"] is True
    (office,) = found["offices"]
    assert (office["office"], office["officeName"], office["cases"]) == (
        OFFICE_A,
        "Satpol PP Banyumas",
        1,
    )
    assert [s["count"] for s in office["steps"][:3]] == [2, 1, 0]
    assert found["steps"][0]["figures"]["medianMinutes"] == 195.0
    assert found["steps"][0]["kegiatan"]

    for label in ("a-staf", "b-write", "a-read"):
        refused = await world.data(PROVINCE, label, plugin=plugin, sop=SOP_A)
        assert refused["provinceMutuBaku"] == {"__typename": "Forbidden", "code": "forbidden"}
    unknown = await world.data(PROVINCE, "platform", plugin="tidak-ada", sop=SOP_A)
    assert unknown["provinceMutuBaku"]["fields"] == [{"field": "plugin"}]
    no_sop = await world.data(PROVINCE, "platform", plugin=plugin, sop="tidak-ada")
    assert no_sop["provinceMutuBaku"]["fields"] == [{"field": "sop"}]
