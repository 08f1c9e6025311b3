"""The one-statement office load gives exactly what the separate queries give."""

from __future__ import annotations

from datetime import date

from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.office import load_office
from alur.tenants.offices.provisioning import calendar_for, create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import DayOff, Tenant, Unit


async def test_load_office_matches_the_tables(installed, database: Database) -> None:
    tenant = await create_tenant(installed, "kesbangpol", "Kesbangpol", "kesbangpol_pekalongan")
    await create_tenant(installed, "lain", "Kantor Lain", "biro_organisasi_kalbar")
    admin = await create_user("admin.kesbangpol", "Admin", "rahasia-2026")
    await add_membership(tenant.id, admin.id, None, administrator=True)
    service = await TenantService.open(database, installed, "kesbangpol")
    a = TenantAdmin(service, admin.id)
    await a.add_unit("baru", "Bidang Baru")
    await a.set_unit_active("baru", False)
    await a.add_day_off(date(2026, 12, 24), "Cuti bersama")
    await a.add_day_off(date(2026, 12, 31), "Akhir tahun")

    office = await load_office("kesbangpol", sqlite=database.is_sqlite)
    assert office is not None
    assert office.row == await Tenant.select().where(Tenant.slug == "kesbangpol").first()
    assert list(office.units) == await Unit.select(
        Unit.id, Unit.slug, Unit.name, Unit.active
    ).where(Unit.tenant == tenant.id).order_by(Unit.id)
    assert {"slug": "baru", "active": False}.items() <= office.units[-1].items()
    assert office.days_off == {date(2026, 12, 24), date(2026, 12, 31)}
    assert office.days_off == {
        d["day"] for d in await DayOff.select(DayOff.day).where(DayOff.tenant == tenant.id)
    }
    assert await load_office("tidak-ada", sqlite=database.is_sqlite) is None

    other = await load_office("lain", sqlite=database.is_sqlite)
    assert other is not None
    assert other.days_off == frozenset()
    assert {u["slug"] for u in other.units}.isdisjoint({"baru"})


async def test_a_request_sees_the_office_as_opened_and_a_long_lived_service_stays_fresh(
    installed, database: Database
) -> None:
    tenant = await create_tenant(installed, "kesbangpol", "Kesbangpol", "kesbangpol_pekalongan")
    admin = await create_user("admin.kesbangpol", "Admin", "rahasia-2026")
    await add_membership(tenant.id, admin.id, None, administrator=True)
    long_lived = await TenantService.open(database, installed, "kesbangpol")
    request = (await TenantService.open(database, installed, "kesbangpol")).for_one_request()
    before = await request.units()
    await TenantAdmin(long_lived, admin.id).add_unit("baru", "Bidang Baru")
    assert "baru" in [u["slug"] for u in await long_lived.units()]
    assert await request.units() == before  # one request answers from one consistent read
    ctx = await request.context(admin.id)
    assert ctx.calendar == await calendar_for(request.tenant)


async def test_an_administrators_change_shows_in_the_same_request(
    installed, database: Database
) -> None:
    tenant = await create_tenant(installed, "kesbangpol", "Kesbangpol", "kesbangpol_pekalongan")
    admin = await create_user("admin.kesbangpol", "Admin", "rahasia-2026")
    await add_membership(tenant.id, admin.id, None, administrator=True)
    request = (await TenantService.open(database, installed, "kesbangpol")).for_one_request()
    a = TenantAdmin(request, admin.id)
    await request.context(admin.id)  # the calendar as opened is remembered
    await a.add_unit("baru", "Bidang Baru")
    assert "baru" in [u["slug"] for u in await request.units()]
    await a.set_unit_active("baru", False)
    assert not next(u for u in await request.units() if u["slug"] == "baru")["active"]
    await a.add_day_off(date(2026, 12, 24), "Cuti bersama")
    assert not (await request.context(admin.id)).calendar.is_working_day(date(2026, 12, 24))
    await a.set_office_hours("08:00", "15:00")
    assert (await request.context(admin.id)).calendar.minutes_per_day == 420
    await a.remove_day_off(date(2026, 12, 24))
    assert (await request.context(admin.id)).calendar.is_working_day(date(2026, 12, 24))
