"""The reads of the Mutu baku projection (alur.tenants.monitoring.source) on SQLite and
PostgreSQL: the report's groups made by the database equal the groups of the spans, and only
the offices with something to project are refreshed. Office, SOP and helpers:
test_projection.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from alur.core import SopDefinition
from alur.core.durations import Duration
from alur.core.monitoring.groups import span_groups, step_medians
from alur.tenants.monitoring import source
from alur.tenants.monitoring.projection import refresh_all, refresh_offices, stale_offices
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.sop_life.moving import CaseMoves
from tests.monitoring.test_projection import (
    SOP,
    Office,
    act,
    assert_matches_events,
    make_office,
    office,
    plugins,
)

__all__ = ["office", "plugins"]  # fixtures

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def test_the_database_groups_equal_the_groups_of_the_spans(office: Office) -> None:
    """office_groups / province_medians (the report's reads: grouped by the database) give
    what span_groups / step_medians give of the spans themselves — with returns, rework, two
    units and people, a unit filter, and standards that differ (a moved case: the standard
    of the span that closed last)."""
    first, second, third = [await office.start() for _ in range(3)]
    service = await office.service()
    old: SopDefinition = service.sop(SOP)
    steps = tuple(
        replace(s, waktu=Duration.parse("2 hari")) if s.number == 2 else s for s in old.steps
    )
    for case in (first, second, third):
        office.clock.now += timedelta(minutes=37)
        await act(office, "staf", case.key, 1, None, "complete")
    service._in_force[SOP] = ("uji", replace(old, version="2", steps=steps))
    (moved,) = await CaseMoves(service, office.users["admin"]).move([first.key])
    assert moved.moved, moved.reasons
    # The moved case (listed first) closes bidang-a's step 2 last.
    for hours, case in ((5, third), (2, second), (30, first)):
        office.clock.now += timedelta(hours=hours)
        await act(office, "kabid_a", case.key, 2, "bidang-a", "claim")
        office.clock.now += timedelta(hours=1)
        await act(office, "kabid_a", case.key, 2, "bidang-a", "complete")
        await act(office, "kabid_b", case.key, 2, "bidang-b", "complete")
        await act(office, "staf", case.key, 3, "bidang-b", "tidak" if case is second else "ya")
    await act(office, "kabid_b", second.key, 2, "bidang-b", "complete")

    tz = office.clock.now.tzinfo
    start, end = datetime(2026, 11, 23, tzinfo=tz), datetime(2026, 12, 31, tzinfo=tz)
    spans = (await source.office_spans(office.tenant_id, None, start, end))[SOP]
    assert {s.standard for s in spans if s.step == 2} == {510, 1020}  # 1 hari, 2 hari
    (groups,) = (await source.office_groups(office.tenant_id, SOP, start, end)).values()
    # bidang-a's step 2 closed last in the moved case (listed first): its standard counts
    assert groups.by_unit[(2, "bidang-a")].standard == 1020
    for unit in (None, "bidang-b"):
        for per_person in (False, True):
            (groups,) = (
                await source.office_groups(
                    office.tenant_id, SOP, start, end, unit=unit, per_person=per_person
                )
            ).values()
            assert groups == span_groups(spans, unit=unit, per_person=per_person)
            assert list(groups.by_step) == list(span_groups(spans, unit=unit).by_step)
    family = await source.family_spans("uji", SOP, start, end)
    medians = await source.province_medians("uji", SOP, start, end)
    assert medians == step_medians([s for found in family.values() for s in found])
    assert await source.office_groups(office.tenant_id, SOP, end, end + timedelta(days=1)) == {}


async def test_only_the_offices_with_work_are_refreshed(office: Office) -> None:
    """The worker and a report's SOP family find the offices with anything to project in a
    few statements, however many offices there are, and refresh only those."""
    other = await make_office(office.db, office.plugins, "dinas-lain")
    both = [office.tenant_id, other.tenant_id]
    case = await office.start()
    await other.start()
    assert await stale_offices(both) == both  # never projected
    assert (await refresh_all()).cases == 2
    assert await stale_offices(both) == []
    assert (await refresh_all()).cases == 0
    await act(office, "staf", case.key, 1, None, "complete")
    assert await stale_offices(both) == [office.tenant_id]  # new events
    await TenantAdmin(await other.service(), other.users["admin"]).add_day_off(
        date(2026, 11, 24), "Cuti bersama"
    )
    assert await stale_offices(both) == both  # another calendar
    assert (await refresh_offices([other.tenant_id])).cases == 1
    assert await stale_offices(both) == [office.tenant_id]
    assert (await refresh_all()).cases == 1
    await assert_matches_events(office)
    await assert_matches_events(other)


async def test_a_report_never_recomputes_another_office(office: Office) -> None:
    """The province medians of an office's report read the other offices' spans as the
    projection holds them: the other office's new work waits for the worker (it is neither
    recomputed in this office's request nor able to fail it)."""
    other = await make_office(office.db, office.plugins, "dinas-lain")
    await office.start()
    theirs = await other.start()
    assert (await refresh_all()).cases == 2
    await act(other, "staf", theirs.key, 1, None, "complete")
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    await source.office_groups(office.tenant_id, SOP, start, end)
    assert await source.province_medians("uji", SOP, start, end) == {}
    assert await stale_offices([other.tenant_id]) == [other.tenant_id]
    assert (await refresh_all()).cases == 1
    assert set(await source.province_medians("uji", SOP, start, end)) == {1}
