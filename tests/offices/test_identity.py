"""The office's identity (alur.tenants.offices.letterhead), on SQLite and PostgreSQL: every
field checked at once, saved and recorded on the office's chain; the kop of a signed report
is the office's own; the institution's identity only for the institution's own office."""

from __future__ import annotations

import json

import pytest

from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.letterhead import identity_of, letterhead, save_identity, save_kop
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.tables import Event

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

PLUGIN = "satpolpp_banyumas"
CILACAP = {
    "government": "Pemerintah Kabupaten Cilacap",
    "unit": "Satuan Polisi Pamong Praja Kabupaten Cilacap",
    "address": "Jl. Jenderal Sudirman No. 32 Cilacap",
    "phone": "0282 534567",
    "email": "SatpolPP@CilacapKab.go.id",
    "place": "Cilacap",
}


async def admin_of(installed, database, slug: str, name: str) -> TenantAdmin:
    tenant = await create_tenant(installed, slug, name, PLUGIN)
    admin = await create_user(f"admin.{slug}", "Admin", "rahasia-2026")
    await add_membership(tenant.id, admin.id, None, administrator=True)
    return TenantAdmin(await TenantService.open(database, installed, slug), admin.id)


async def test_a_second_office_never_prints_the_institution(installed, database) -> None:
    admin = await admin_of(installed, database, "satpolpp-cilacap", "Satpol PP Cilacap")
    kop = await letterhead(admin.service)
    assert (kop.government, kop.office, kop.address, kop.contact, kop.place) == (
        "",
        "Satpol PP Cilacap",
        "",
        "",
        "",
    )
    with pytest.raises(InvalidInput) as refused:
        await save_identity(
            admin, {**CILACAP, "email": "bukan surel", "phone": "12", "government": "x" * 300}
        )
    assert set(refused.value.errors) == {"email", "phone", "government"}
    saved = await save_identity(admin, CILACAP)
    assert saved.phone == "(0282) 534567"
    assert saved.email == "SatpolPP@cilacapkab.go.id"  # the domain normalised
    assert saved.contact == "Telp. (0282) 534567 · Email: SatpolPP@cilacapkab.go.id"
    service = await TenantService.open(database, installed, "satpolpp-cilacap")
    kop = await letterhead(service)
    assert (kop.government, kop.office, kop.place) == (
        CILACAP["government"],
        CILACAP["unit"],
        "Cilacap",
    )
    await save_kop(TenantAdmin(service, admin.user_id), "Cilacap", "Jl. Baru 1")
    assert identity_of(service).government == CILACAP["government"]  # the others kept
    rows = await Event.select(Event.payload).where(
        (Event.tenant == service.ref.id) & (Event.kind == "office_changed")
    )
    payloads = [
        json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"] for r in rows
    ]
    assert [p["change"] for p in payloads] == ["identity_changed", "identity_changed"]
    assert payloads[1]["address"] == "Jl. Baru 1"
    assert "government" not in payloads[1]  # only what changed


async def test_the_institution_office_falls_back_to_the_institution(installed, database) -> None:
    admin = await admin_of(installed, database, "satpolpp-banyumas", "Satpol PP Banyumas")
    shown = identity_of(admin.service)
    assert shown.government == "Pemerintah Kabupaten Banyumas"
    assert shown.unit == "Satuan Polisi Pamong Praja Kabupaten Banyumas"
    assert "Soeharso" in shown.address
    assert "631596" in shown.contact
    await save_identity(admin, {"address": "Jl. Lain 2", "phone": "(0281) 631596"})
    shown = identity_of(admin.service)
    assert (shown.address, shown.contact) == ("Jl. Lain 2", "Telp. (0281) 631596")
    assert shown.government == "Pemerintah Kabupaten Banyumas"  # empty: the institution's
