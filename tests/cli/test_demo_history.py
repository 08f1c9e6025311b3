"""The demo's history (alur.tenants.demo.history), SQLite and PostgreSQL: finished cases over
the past months in every demo office, so the Mutu baku report has real figures — varied
times (some late, some in time), returns at gates, cases opened on weekends or after hours
— never after ``now``, and the Banyumas SOP family has two offices to compare."""

from __future__ import annotations

from datetime import datetime

import pytest

from alur.core import AlurPlugins
from alur.core.calendar import JAKARTA
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.history import HISTORY, HISTORY_CASES
from alur.tenants.demo.offices import provision_demo
from alur.tenants.monitoring.monev_policy import policy_of
from alur.tenants.monitoring.monev_rows import form_rows
from alur.tenants.monitoring.province import family_figures
from alur.tenants.monitoring.report import MutuBakuReports, ReportFilter, default_period
from alur.tenants.offices.provisioning import calendar_for
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Operator, User

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=JAKARTA)  # a Wednesday


@pytest.mark.anyio
async def test_the_demo_has_a_history_with_figures(
    database: Database, installed: AlurPlugins
) -> None:
    report = await provision_demo(installed, db=database, now=NOW)
    period = default_period(NOW.date())
    odd_openings = 0
    for t in report.tenants:
        past = [c for c in t.cases if c.story == HISTORY]
        assert len(past) == HISTORY_CASES * len({c.sop_id for c in t.cases}), t.slug
        assert all(c.status == "finished" for c in past)
        assert len({c.period for c in t.cases}) == len(t.cases)  # one case per period
        service = await TenantService.open(database, installed, t.slug)
        calendar = await calendar_for(service.tenant)
        for c in past:
            history = await service.history(c.key)
            assert all(e.at <= NOW for e in history)
            opened = history[0].at.astimezone(calendar.timezone)
            odd_openings += not calendar.is_working_day(opened.date()) or not (
                calendar.office_start <= opened.time() <= calendar.office_end
            )
        figures = await MutuBakuReports(service).report_for_operator(ReportFilter(period=period))
        for sop in figures.sops:
            assert sop.has_data, (t.slug, sop.sop_id)
            assert sop.cases >= HISTORY_CASES
            steps = [s.figures for s in sop.steps if s.figures.has_data]
            assert len(steps) == len(sop.steps)  # every step has figures
            assert sum(f.within for f in steps) > 0  # some in time …
            assert sum(f.with_standard - f.within for f in steps) > 0  # … some late
            assert sop.bottlenecks
        # The half-year's monev forms are open for the office's assessor, pre-filled.
        forms = await form_rows(service.ref.id)
        assert sorted(f.sop_id for f in forms) == sorted(s.sop_id for s in figures.sops)
        for f in forms:
            assert (f.state, f.period.end) == ("open", NOW.date())
            assert any(r.proposed is not None and r.evidence for r in f.form.rows), f.sop_id
        assert policy_of(service.tenant).role is not None
    assert odd_openings > 0  # some cases opened on a weekend or after hours
    every = await MutuBakuReports(
        await TenantService.open(database, installed, "satpolpp-banyumas")
    ).report_for_operator(ReportFilter(period=period))
    assert sum(s.figures.returned for sop in every.sops for s in sop.steps) > 0
    family = await family_figures(
        installed, "satpolpp_banyumas", "pengumpulan-data-kinerja", period
    )
    assert [o.slug for o in family.offices] == ["satpolpp-banyumas", "satpolpp-cilacap"]
    assert all(o.has_data for o in family.offices)
    # The cheap hash the logins carried while the demo was built is gone.
    hashes = {r["password_hash"] for r in await User.select(User.password_hash)}
    hashes |= {r["password_hash"] for r in await Operator.select(Operator.password_hash)}
    assert len(hashes) == 1
    assert "t=1," not in hashes.pop()
