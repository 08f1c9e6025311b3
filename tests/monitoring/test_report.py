"""The Mutu baku report service on SQLite and PostgreSQL, with cases on a fake clock: exact
office minutes per step, the period rule (a span counts on the office date it closed), the
unit filter, who may read it and who sees it per person, and bad filters named per field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from alur.core.errors import InvalidInput
from alur.core.monitoring.figures import figures_of
from alur.tenants.errors import Forbidden
from alur.tenants.monitoring.report import (
    MutuBakuReport,
    MutuBakuReports,
    Period,
    ReportFilter,
    SopReport,
    StepReport,
    default_period,
)
from tests.kinerja.kinerja_helpers import Office, design, do, fill, start

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

WEEK = Period(date(2026, 11, 23), date(2026, 11, 29))


async def reports(office: Office) -> MutuBakuReports:
    return MutuBakuReports(await office.service())


def test_default_period_is_the_six_months_up_to_today() -> None:
    assert default_period(date(2026, 12, 3)) == Period(date(2026, 6, 4), date(2026, 12, 3))
    assert default_period(date(2026, 8, 31)) == Period(date(2026, 3, 1), date(2026, 8, 31))


def test_bad_filters_are_named_per_field() -> None:
    today = date(2026, 12, 3)
    with pytest.raises(InvalidInput) as bad:
        ReportFilter.parse(start="3/12/2026", end="2026-13-01", today=today)
    assert set(bad.value.errors) == {"start", "end"}
    with pytest.raises(InvalidInput) as backwards:
        ReportFilter.parse(start="2026-12-03", end="2026-12-01", today=today)
    assert set(backwards.value.errors) == {"end"}
    with pytest.raises(InvalidInput):
        ReportFilter.parse(start="2020-01-01", end="2026-12-01", today=today)
    # Dates a period could never hold (and that would not even convert to UTC).
    for first, last in (("0001-01-01", "0001-01-05"), ("9999-12-25", "9999-12-31")):
        with pytest.raises(InvalidInput) as far:
            ReportFilter.parse(start=first, end=last, today=today)
        assert set(far.value.errors) == {"start", "end"}
    f = ReportFilter.parse(sop_id=" uji-kinerja ", start="2026-11-01", today=today)
    assert f == ReportFilter("uji-kinerja", Period(date(2026, 11, 1), today), None)


async def test_exact_minutes_per_step_and_the_period_rule(office: Office) -> None:
    case = await start(office)  # Monday 23 November 2026, 09:00 WIB
    office.clock.now += timedelta(hours=2)
    await design(office, case)  # step 1 closes a tick (7 min 39 s) later
    report = await (await reports(office)).report(
        office.users["kepala"], ReportFilter("uji-kinerja", WEEK)
    )
    (sop,) = report.sops
    first = sop.steps[0]
    assert first.number == 1
    assert first.waktu == "1 hari"
    assert first.figures.count == 1
    assert first.figures.median == 2 * 60 + 7  # 09:00:00 → 11:07:39: whole office minutes
    assert first.figures.within == 1
    assert first.figures.standard == report.minutes_per_day
    assert not sop.steps[1].figures.has_data  # step 2 still open: belum ada data
    assert sop.cases == 1

    # The week before has nothing: no zeros, no data.
    before = Period(date(2026, 11, 16), date(2026, 11, 22))
    empty = await (await reports(office)).report(
        office.users["kepala"], ReportFilter("uji-kinerja", before)
    )
    assert not empty.sops[0].has_data
    assert empty.sops[0].cases == 0


async def test_unit_filter_and_per_person(office: Office) -> None:
    case = await start(office)
    await design(office, case)
    await do(office, "kabid_a", case.key, 2, "bidang-a", "claim")
    office.clock.now += timedelta(hours=1)
    await fill(office, case.key, "bidang-a", {"IKU-1": "90"})
    await do(office, "kabid_a", case.key, 2, "bidang-a", "complete")
    r = await reports(office)
    by_unit = await r.report(office.users["kepala"], ReportFilter("uji-kinerja", WEEK, "bidang-a"))
    steps = {s.number: s for s in by_unit.sops[0].steps}
    assert steps[2].figures.count == 1
    assert not steps[1].figures.has_data
    assert [f.key for f in steps[2].by_unit] == ["bidang-a"]
    # one unit's figures stand without a province median (offices are compared whole)
    assert steps[2].province_median is None
    whole = await r.report(office.users["kepala"], ReportFilter("uji-kinerja", WEEK))
    assert whole.sops[0].steps[1].province_median is not None
    assert by_unit.sops[0].by_person is not None  # the Kepala sees people
    assert {k[0] for k in (f.key for f in by_unit.sops[0].by_person)} == {2}


async def test_who_may_read(office: Office) -> None:
    r = await reports(office)
    for who in ("staf", "kabid_a"):
        assert not await r.readable(office.users[who])
        with pytest.raises(Forbidden):
            await r.report(office.users[who], ReportFilter())
    assert await r.readable(office.users["kepala"])
    with pytest.raises(InvalidInput) as bad:
        await r.report(office.users["kepala"], ReportFilter("tidak-ada", WEEK, "bidang-z"))
    assert set(bad.value.errors) == {"sop", "unit"}


async def test_operator_report_and_its_rows(office: Office) -> None:
    from alur.tenants.monitoring.rows import COLUMNS, report_rows

    case = await start(office)
    await design(office, case)
    report = await (await reports(office)).report_for_operator(ReportFilter("uji-kinerja", WEEK))
    assert report.sops[0].by_person is None  # never per person outside the office's leaders
    rows = list(report_rows(report))
    assert all(tuple(r) == COLUMNS for r in rows)
    first, second = rows[0], rows[1]
    assert (first["step"], first["count"], first["unit"]) == (1, 1, "")
    assert first["within_share"] == 1.0
    assert (second["count"], second["median_minutes"], second["within"]) == (0, None, None)


def test_csv_text_never_opens_as_a_formula() -> None:
    from alur.tenants.monitoring.rows import report_csv

    figures = figures_of(1, ())
    step = StepReport(1, '=HYPERLINK("http://x","a")', "Staf", "1 hari", figures)
    sop = SopReport("contoh", "Contoh", "1", (step,), (), None, 0)
    report = MutuBakuReport(
        "uji", "Uji", WEEK, None, None, {}, (sop,), per_person=False, minutes_per_day=510
    )
    line = report_csv(report).splitlines()[1]
    assert line.startswith('contoh,1,"\'=HYPERLINK(""http://x"",""a"")",,0,')
