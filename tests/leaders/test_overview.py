"""The leaders' overview on SQLite and PostgreSQL, with known cases: who may see it (the
office admin, a Kepala, a Plh of the Kepala; not a Staf or a Kabid), open tasks counted per
step and per bidang, what is overdue and with whom, and the period's capaian equal to the
recap's own figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from alur.tenants.errors import Forbidden
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.leaders import periods
from alur.tenants.leaders.open_work import NO_UNIT
from alur.tenants.leaders.service import LeadersService
from tests.kinerja.kinerja_helpers import Office, design, do, fill, start

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def leaders(office: Office) -> LeadersService:
    return LeadersService(await office.service())


async def test_only_leaders_see_the_overview(office: Office) -> None:
    admin = await create_user(f"{office.slug}.admin", "Admin", "x" * 12)
    await add_membership(office.tenant_id, admin.id, None, None, administrator=True)
    office.users["admin"] = admin.id
    for who in ("kepala", "sekretaris", "admin"):  # sekretaris: Plh of the Kepala this week
        overview = await (await leaders(office)).overview(office.users[who])
        assert overview.work.total == 0
    for who in ("staf", "kabid_a", "kasubag"):
        with pytest.raises(Forbidden):
            await (await leaders(office)).overview(office.users[who])
    # The Plh ends on Friday 27 November: on Monday the Sekretaris is no leader any more.
    office.clock.now += timedelta(days=7)
    with pytest.raises(Forbidden):
        await (await leaders(office)).overview(office.users["sekretaris"])


async def test_open_tasks_by_step_and_unit_and_who_is_late(office: Office) -> None:
    first = await start(office)
    await design(office, first)  # step 2 (per unit) opens for bidang-a and bidang-b
    second = await start(office, "Semester II 2026")  # step 1 open, not per unit
    await do(office, "kabid_a", first.key, 2, "bidang-a", "claim")
    work = (await (await leaders(office)).overview(office.users["kepala"])).work
    by_step = {(s.sop_id, s.step): s for s in work.steps}
    assert set(by_step) == {("uji-kinerja", 1), ("uji-kinerja", 2)}
    assert by_step["uji-kinerja", 2].per_unit == {"bidang-a": 1, "bidang-b": 1}
    assert by_step["uji-kinerja", 2].cases == {first.key}
    assert by_step["uji-kinerja", 1].per_unit == {NO_UNIT: 1}
    assert by_step["uji-kinerja", 1].cases == {second.key}
    assert work.units == {"bidang-a": 1, "bidang-b": 1, NO_UNIT: 1}
    assert work.total == 3
    assert work.late == ()

    # Three working days later (1 hari each): every open task is overdue.
    office.clock.now += timedelta(days=3)
    work = (await (await leaders(office)).overview(office.users["kepala"])).work
    assert work.overdue_units == {"bidang-a": 1, "bidang-b": 1, NO_UNIT: 1}
    late = {(t.case_key, t.step, t.unit): t for t in work.late}
    taken = late[first.key, 2, "bidang-a"]
    assert taken.taken_by == "Kabid_A dinas-uji"
    assert taken.holders == ()
    waiting = late[first.key, 2, "bidang-b"]
    assert waiting.taken_by is None
    assert waiting.holders == ("Kabid_B dinas-uji",)
    assert waiting.role == "kabid"
    assert waiting.role_name == "Kabid"
    assert waiting.kegiatan == "Mengisi data kinerja"
    staf = late[second.key, 1, None]
    assert staf.holders == ("Staf dinas-uji",)
    # Due one working day after the start; late by two working days (and the minutes ticked).
    calendar = (await (await office.service()).context(office.users["kepala"])).calendar
    assert staf.office_minutes_late == calendar.office_minutes_between(staf.due, office.clock())
    assert (
        2 * calendar.minutes_per_day <= staf.office_minutes_late < 2 * calendar.minutes_per_day + 60
    )


async def test_capaian_equals_the_recap(office: Office) -> None:
    case = await start(office)
    await design(office, case)
    await fill(office, case.key, "bidang-a", {"IKU-1": "90"})
    await fill(office, case.key, "bidang-b", {"IKU-1": "72", "IKU-2": "8"})
    other = await start(office, "Tahun 2026")  # another period: not in Triwulan III's capaian
    overview = await (await leaders(office)).overview(office.users["kepala"], "Triwulan III 2026")
    assert overview.period == "Triwulan III 2026"
    assert set(overview.periods) == {"Triwulan III 2026", "Tahun 2026"}
    (found,) = overview.capaian
    recap = await (await office.kinerja()).recap(case.key)
    assert found.case_key == case.key
    assert found.recap == recap
    (sasaran,) = recap.sasaran
    iku1, iku2 = sasaran.indicators
    # IKU-1: 90/80 = 112.5 %, 72/80 = 90 %; IKU-2 (lower is better): (20 - 8)/10 = 120 %.
    assert [r.capaian.value for r in iku1.results] == [Decimal("112.50"), Decimal("90.00")]
    assert [r.capaian.value for r in iku2.results] == [Decimal("120.00")]
    units = {u.unit: u for u in found.units}
    assert units["bidang-a"].capaian == Decimal("112.50")
    assert (units["bidang-a"].counted, units["bidang-a"].reported) == (1, 1)
    assert units["bidang-b"].capaian == Decimal("105.00")  # (90 + 120) / 2
    assert (units["bidang-b"].counted, units["bidang-b"].reported) == (2, 2)
    # Today (23 November 2026) lies in Triwulan IV, Semester II and Tahun 2026: of the
    # office's periods, the shortest holding today is "this period".
    default = await (await leaders(office)).overview(office.users["kepala"])
    assert default.period == "Tahun 2026"
    assert [c.case_key for c in default.capaian] == [other.key]
    # A period that is not one of the office's is not taken: "this period" instead.
    asked = await (await leaders(office)).overview(office.users["kepala"], "Triwulan I 1999")
    assert asked.period == "Tahun 2026"


def test_periods_read_as_dates() -> None:
    assert periods.span("Triwulan III 2026") == (date(2026, 7, 1), date(2026, 9, 30))
    assert periods.span("triwulan iv 2026") == (date(2026, 10, 1), date(2026, 12, 31))
    assert periods.span("Semester II 2026") == (date(2026, 7, 1), date(2026, 12, 31))
    assert periods.span("Semester I 2026") == (date(2026, 1, 1), date(2026, 6, 30))
    assert periods.span("Tahun 2026") == (date(2026, 1, 1), date(2026, 12, 31))
    assert periods.span("Semester III 2026") is None
    assert periods.span("tw 4 2026") is None  # typed before periods were chosen from a list
    assert periods.span("Triwulan V 2026") is None
    assert periods.span("Bulan Mei 2026") is None
    known = ["Tahun 2026", "Triwulan III 2026", "Semester II 2026", "Bulan Mei", "Triwulan IV 2026"]
    assert periods.ordered(known) == [
        "Triwulan IV 2026",
        "Semester II 2026",
        "Tahun 2026",
        "Triwulan III 2026",
        "Bulan Mei",
    ]
    assert periods.current(known, date(2026, 12, 3)) == "Triwulan IV 2026"
    assert periods.current(["Triwulan I 2026", "Triwulan II 2026"], date(2026, 12, 3)) == (
        "Triwulan II 2026"
    )
    assert periods.current(["Bulan Mei"], date(2026, 12, 3)) is None
