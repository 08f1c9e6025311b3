"""Platform operators: tenants overview, suspension, reading across tenants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput, NotFound, TenantSuspended
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.platform import NewAdministrator, PlatformService
from alur.tenants.storage.database import DatabaseConfigError, engine_from_url, pool_size, redacted
from alur.tenants.storage.tables import Membership, Tenant, User


@pytest.mark.anyio
async def test_operators_see_every_tenant_and_can_suspend(installed, database) -> None:
    platform = PlatformService(database, installed)
    a = await platform.create_tenant("satpolpp-banyumas", "Satpol PP", "satpolpp_banyumas")
    b = await platform.create_tenant("biro-organisasi-kalbar", "Biro", "biro_organisasi_kalbar")
    clock = lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # noqa: E731
    for tenant, sop, role in (
        (a, "pengumpulan-data-kinerja", "staf"),
        (b, "perbaikan-data-kinerja", "karo_organisasi"),
    ):
        user = await create_user(f"u{tenant.id}", "Pengguna", "rahasia-2026")
        svc = await TenantService.open(database, installed, tenant.slug, clock=clock)
        await add_membership(tenant.id, user.id, svc.sop(sop).roles_by_id[role])
        durations = {2: "3 hari"} if sop == "perbaikan-data-kinerja" else {}
        await svc.start_case(user.id, sop, "Triwulan IV 2026", durations)
    summaries = {t.slug: t for t in await platform.tenants()}
    assert summaries["satpolpp-banyumas"].cases == 1
    assert summaries["biro-organisasi-kalbar"].events >= 2
    across = await platform.cases()
    assert {c["tenant"] for c in across} == {"satpolpp-banyumas", "biro-organisasi-kalbar"}

    await platform.set_suspended("satpolpp-banyumas", True)
    svc = await TenantService.open(database, installed, "satpolpp-banyumas", clock=clock)
    with pytest.raises(TenantSuspended):
        await svc.start_case(1, "pengumpulan-data-kinerja", "TW")
    with pytest.raises(NotFound):
        await platform.set_suspended("tidak-ada", True)


@pytest.mark.anyio
async def test_an_office_and_its_administrator_are_created_together(installed, database) -> None:
    """The office and its first administrator: both or neither, every problem at once (the
    web page used to open this transaction itself)."""
    platform = PlatformService(database, installed)
    await create_user("dipakai", "Sudah Ada", "rahasia-2026")
    good = NewAdministrator("admin.satpol", "Admin Satpol", "rahasia-2026")
    with pytest.raises(InvalidInput) as info:
        await platform.create_office("satpolpp-banyumas", "Satpol PP", "", administrator=good)
    assert set(info.value.errors) == {"plugin"}
    taken = NewAdministrator("dipakai", "", "pendek")
    with pytest.raises(InvalidInput) as info:
        await platform.create_office(
            "satpolpp-banyumas", "Satpol PP", "satpolpp_banyumas", administrator=taken
        )
    assert set(info.value.errors) == {"admin_name", "admin_password"}
    assert await Tenant.count() == 0
    assert await User.count() == 1
    tenant = await platform.create_office(
        "satpolpp-banyumas", "Satpol PP", "satpolpp_banyumas", administrator=good
    )
    admin = await User.select(User.id).where(User.username == "admin.satpol").first()
    assert await Membership.exists().where(
        (Membership.tenant == tenant.id)
        & (Membership.user == admin["id"])
        & (Membership.administrator == True)  # noqa: E712
    )


def test_database_urls_are_checked_and_passwords_hidden() -> None:
    with pytest.raises(DatabaseConfigError) as info:
        engine_from_url("mysql://root:geheim@localhost/alur")
    assert "geheim" not in str(info.value)
    assert redacted("postgresql://alur:geheim@db:5432/alur") == "postgresql://alur:***@db:5432/alur"
    with pytest.raises(DatabaseConfigError, match="file path"):
        engine_from_url("sqlite:///")
    assert pool_size({}) == 10
    assert pool_size({"ALUR_DATABASE_POOL_SIZE": "25"}) == 25
    with pytest.raises(DatabaseConfigError, match="pool size"):
        pool_size({"ALUR_DATABASE_POOL_SIZE": "banyak"})
