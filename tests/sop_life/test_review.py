"""Reading one revision (alur.tenants.sop_life.review), on SQLite and PostgreSQL: its history
on the office's chain (its own, oldest first), who may revoke it, the versions offered for a
comparison, and the comparison itself; the password asked again at approval."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.sop_life.review import (
    Other,
    comparison,
    comparison_choices,
    may_revoke,
    revision_history,
)
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import SopRevision, User

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

SOP = "pengumpulan-data-kinerja"
NOW = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB
PASSWORD = "rahasia-2026"


async def office(installed, database: Database):
    slug = "satpolpp-cilacap"
    tenant = await create_tenant(installed, slug, "Satpol PP Cilacap", "satpolpp_banyumas")
    admin = await create_user("admin.cilacap", "Admin Cilacap", PASSWORD)
    await add_membership(tenant.id, admin.id, None, administrator=True)
    kepala = await create_user("kepala.cilacap", "Drs. KEPALA CILACAP", PASSWORD)
    await User.update({User.nip: "197001012000031001"}).where(User.id == kepala.id)
    roles = {r.id: r for r in installed.get("satpolpp_banyumas").roles}
    await add_membership(tenant.id, kepala.id, roles["kepala_satuan"])
    staf = await create_user("staf.cilacap", "Staf", PASSWORD)
    await add_membership(tenant.id, staf.id, roles["staf"])
    service = await TenantService.open(database, installed, slug, clock=lambda: NOW)
    return service, admin.id, kepala.id, staf.id


async def submitted(drafts: SopRevisions, waktu: str, step: int) -> int:
    draft = await drafts.start_draft(SOP)
    part = {**draft.part.to_mapping(), "steps": [{"number": step, "waktu": waktu}]}
    draft = await drafts.save_draft(
        SOP, draft.number, part, effective_on="2027-01-04", version=draft.version
    )
    await drafts.submit(SOP, draft.number, version=draft.version)
    return draft.number


async def test_history_revoking_and_comparison_choices(installed, database) -> None:
    service, admin, kepala, staf = await office(installed, database)
    step = next(s for s in service.sop(SOP).steps if s.waktu.amount is not None).number
    drafts, head = SopRevisions(service, admin), SopRevisions(service, kepala)
    await submitted(drafts, "3 hari", step)
    first = await head.get(SOP, 0)
    with pytest.raises(InvalidInput) as wrong:  # the password asked again, checked
        await head.approve(SOP, 0, version=first.version, password="bukan-ini")
    assert set(wrong.value.errors) == {"password"}
    assert str((await head.get(SOP, 0)).state) == "diajukan"
    await head.approve(SOP, 0, version=first.version, password=PASSWORD)
    service = await TenantService.open(database, installed, service.ref.slug, clock=lambda: NOW)
    drafts, head = SopRevisions(service, admin), SopRevisions(service, kepala)
    second = await submitted(drafts, "4 hari", step)

    zero, one = await head.get(SOP, 0), await head.get(SOP, second)
    history = [c.change for c in await revision_history(head, zero)]
    assert history == [
        f"sop_revision_{w}" for w in ("drafted", "saved", "submitted", "approved", "in_force")
    ]
    assert [c.change for c in await revision_history(head, one)][-1] == "sop_revision_submitted"

    # Revoking: the pengesah anything open or approved, the drafters only what is not approved.
    assert await may_revoke(head, zero)
    assert not await may_revoke(drafts, zero)
    assert await may_revoke(drafts, one)
    assert not await may_revoke(SopRevisions(service, staf), one)

    # Revision 1 is compared with revision 0 (also the one in force: offered once) and the
    # base; the plugin as installed is that base: not offered again.
    choices = await comparison_choices(head, one)
    assert [(v.key, v.number) for v in choices] == [("0", 0), (str(Other.DASAR), None)]
    found = await comparison(head, SOP, second, "0")
    # Not approved yet: no tanggal efektif on the sheet, nobody under disahkan oleh.
    assert [(c.path, c.before, c.after) for c in found.changes] == [
        ("header.tanggal_efektif", "4 Januari 2027", ""),
        ("header.disahkan_oleh", "Drs. KEPALA CILACAP / Kepala Satuan / 197001012000031001", ""),
        (f"steps.{step}.waktu", "3 hari", "4 hari"),
    ]
    assert (await comparison(head, SOP, second, "berlaku")).before.number == 0
    assert not (await comparison(head, SOP, second, str(second))).changes
    with pytest.raises(NotFound):
        await comparison(head, SOP, second, "9")
    rows = await SopRevision.count()
    assert rows == 2
