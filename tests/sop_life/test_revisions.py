"""An office's SOP revisions (alur.tenants.sop_life.revisions), on SQLite and PostgreSQL:
draf → diajukan → disahkan → berlaku, returned, revoked; who may act; a stale save; the
revision in force is what the office's new cases run, and running cases keep theirs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Forbidden, InvalidInput
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.sop_life.errors import OpenDraftExists, RevisionStateRefused, StaleRevision
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Event, SopRevision, User

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

SOP = "pengumpulan-data-kinerja"
NOW = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB


async def office(installed, database: Database, slug: str = "satpolpp-cilacap"):
    tenant = await create_tenant(installed, slug, "Satpol PP Cilacap", "satpolpp_banyumas")
    admin = await create_user(f"admin.{slug}", "Admin Cilacap", "rahasia-2026")
    await add_membership(tenant.id, admin.id, None, administrator=True)
    kepala = await create_user(f"kepala.{slug}", "Drs. KEPALA CILACAP", "rahasia-2026")
    await User.update({User.nip: "197001012000031001", User.jabatan: "Kepala Satpol PP"}).where(
        User.id == kepala.id
    )
    roles = {r.id: r for r in installed.get("satpolpp_banyumas").roles}
    await add_membership(tenant.id, kepala.id, roles["kepala_satuan"])
    staf = await create_user(f"staf.{slug}", "Staf", "rahasia-2026")
    await add_membership(tenant.id, staf.id, roles["staf"])
    return slug, admin.id, kepala.id, staf.id


async def opened(database, installed, slug, when=NOW) -> TenantService:
    return await TenantService.open(database, installed, slug, clock=lambda: when)


async def test_a_revision_is_drafted_approved_and_runs(installed, database) -> None:
    slug, admin, kepala, staf = await office(installed, database)
    service = await opened(database, installed, slug)
    plugin_def = service.sop(SOP)
    drafts = SopRevisions(service, admin)
    draft = await drafts.start_draft(SOP)
    assert (draft.number, str(draft.state)) == (0, "draf")
    # A second office of the plugin starts without the institution's nomor and signatory.
    d = await drafts.definition(draft)
    assert (d.header.disahkan_oleh.nama, d.header.nomor) == ("", "")
    step = next(s for s in plugin_def.steps if s.waktu.amount is not None)
    saved = await drafts.save_draft(
        SOP,
        0,
        {"header": {"nomor": "800/1/2027"}, "steps": [{"number": step.number, "waktu": "3 hari"}]},
        effective_on="2027-01-04",
        version=draft.version,
    )
    with pytest.raises(StaleRevision):  # a second admin's save on the version read before
        await drafts.save_draft(SOP, 0, {}, version=draft.version)
    with pytest.raises(Forbidden):
        await SopRevisions(service, staf).submit(SOP, 0, version=saved.version)
    submitted = await drafts.submit(SOP, 0, version=saved.version)
    with pytest.raises(RevisionStateRefused):
        await drafts.save_draft(SOP, 0, {}, version=submitted.version)
    with pytest.raises(Forbidden):  # the admin does not hold the signing role
        await drafts.approve(SOP, 0, version=submitted.version, password="rahasia-2026")
    approved = await SopRevisions(service, kepala).approve(
        SOP, 0, version=submitted.version, password="rahasia-2026"
    )
    assert str(approved.state) == "berlaku"  # its tanggal efektif is today
    assert approved.signatory.nip == "197001012000031001"
    # The office now runs its own revision: new cases pin it.
    service = await opened(database, installed, slug)
    mine = service.sop(SOP)
    assert mine.content_hash == approved.content_hash != plugin_def.content_hash
    assert mine.step(step.number).waktu.text == "3 hari"
    assert mine.header.disahkan_oleh.nama == "Drs. KEPALA CILACAP"
    assert mine.header.nomor == "800/1/2027"
    assert mine.header.tanggal_efektif == "4 Januari 2027"
    changes = [
        e["payload"]
        for e in await Event.select(Event.payload).where(Event.kind == "office_changed")
    ]
    kinds = [str(p) for p in changes]
    for what in ("drafted", "saved", "submitted", "approved", "in_force"):
        assert any(f"sop_revision_{what}" in k for k in kinds), what


async def test_bad_part_lists_every_problem(installed, database) -> None:
    slug, admin, *_ = await office(installed, database)
    service = await opened(database, installed, slug)
    drafts = SopRevisions(service, admin)
    draft = await drafts.start_draft(SOP)
    with pytest.raises(InvalidInput) as info:
        await drafts.save_draft(
            SOP,
            0,
            {
                "header": {"nama": "Nama lain"},
                "steps": [
                    {"number": 1, "waktu": "sebentar", "actor": "kepala_satuan"},
                    {"number": 99, "waktu": "1 hari"},
                ],
            },
            effective_on="4/1/2027",
            version=draft.version,
        )
    assert set(info.value.errors) == {
        "header.nama",
        "steps.1.waktu",
        "steps.1.actor",
        "steps.99",
        "effective_on",
    }
    # Nothing was written.
    row = await SopRevision.select(SopRevision.version).first()
    assert row["version"] == draft.version


async def test_returned_then_future_effective_then_one_draft_at_a_time(installed, database) -> None:
    slug, admin, kepala, _ = await office(installed, database)
    service = await opened(database, installed, slug)
    drafts, head = SopRevisions(service, admin), SopRevisions(service, kepala)
    draft = await drafts.start_draft(SOP)
    with pytest.raises(OpenDraftExists):
        await drafts.start_draft(SOP)
    draft = await drafts.save_draft(SOP, 0, {}, effective_on="2027-02-01", version=draft.version)
    draft = await drafts.submit(SOP, 0, version=draft.version)
    with pytest.raises(InvalidInput):
        await head.return_to_draft(SOP, 0, "  ")
    returned = await head.return_to_draft(SOP, 0, "Lengkapi dasar hukum")
    assert (str(returned.state), returned.note) == ("draf", "Lengkapi dasar hukum")
    again = await drafts.submit(SOP, 0, version=returned.version)
    approved = await head.approve(SOP, 0, version=again.version, password="rahasia-2026")
    assert str(approved.state) == "disahkan"  # in force only from 1 February
    service = await opened(database, installed, slug)
    assert service.sop(SOP).content_hash != approved.content_hash
    later = await opened(database, installed, slug, datetime(2027, 2, 1, 1, 0, tzinfo=UTC))
    assert later.sop(SOP).content_hash == approved.content_hash


async def test_a_revision_changed_in_the_database_is_caught(installed, database) -> None:
    """The definition an office runs is read from its revision rows: ``alur audit verify``
    names a row whose state or content hash differs from its recorded changes."""
    from alur.tenants.audit.revisions_check import verify_revisions

    slug, admin, kepala, _ = await office(installed, database)
    service = await opened(database, installed, slug)
    drafts = SopRevisions(service, admin)
    draft = await drafts.start_draft(SOP)
    draft = await drafts.save_draft(SOP, 0, {}, effective_on="2027-03-01", version=draft.version)
    draft = await drafts.submit(SOP, 0, version=draft.version)
    await SopRevisions(service, kepala).approve(
        SOP, 0, version=draft.version, password="rahasia-2026"
    )
    assert await verify_revisions(service.ref) == []
    # An intruder makes the approved revision berlaku before its date.
    await SopRevision.update({SopRevision.state: "berlaku"}).where(SopRevision.number == 0)
    found = [str(m) for m in await verify_revisions(service.ref)]
    assert found == [f"SOP {SOP} Revisi ke-0: its state is 'berlaku', the chain says 'disahkan'"]
    # …or moves its tanggal efektif (it would silently stop being in force), or its signer.
    await SopRevision.update({SopRevision.state: "disahkan"}).where(SopRevision.number == 0)
    await SopRevision.update(
        {SopRevision.effective_on: date(2030, 1, 1), SopRevision.signatory: '{"nama": "EVIL"}'}
    ).where(SopRevision.number == 0)
    found = [str(m) for m in await verify_revisions(service.ref)]
    assert found == [
        f"SOP {SOP} Revisi ke-0: its effective_on is '2030-01-01', the chain says '2027-03-01'",
        f"SOP {SOP} Revisi ke-0: its signatory is 'EVIL', the chain says 'Drs. KEPALA CILACAP'",
        f"SOP {SOP} Revisi ke-0: its nip is '', the chain says '197001012000031001'",
    ]
    # …or inserts a revision of their own.
    await SopRevision.insert(
        SopRevision(
            tenant=service.ref.id,
            plugin="satpolpp_banyumas",
            sop_id=SOP,
            number=1,
            base_hash="x",
            state="berlaku",
            effective_on=None,
        )
    )
    found = [str(m) for m in await verify_revisions(service.ref)]
    assert f"SOP {SOP} Revisi ke-1 is not on the office's chain" in found


async def test_the_pengesah_is_told_of_a_submission_and_the_drafter_of_the_answer(
    installed, database
) -> None:
    from alur.tenants.notify.feed import notifications_for

    slug, admin, kepala, staf = await office(installed, database)
    service = await opened(database, installed, slug)
    drafts, head = SopRevisions(service, admin), SopRevisions(service, kepala)
    draft = await drafts.start_draft(SOP)
    draft = await drafts.save_draft(SOP, 0, {}, effective_on="2027-01-04", version=draft.version)
    draft = await drafts.submit(SOP, 0, version=draft.version)
    told = await notifications_for(service.ref.id, kepala)
    assert [n.kind for n in told] == ["sop_revision_submitted"]
    message = told[0].message(slug)
    assert message.path == f"/t/{slug}/sops/{SOP}/revisi/0"
    assert await notifications_for(service.ref.id, staf) == []
    await head.return_to_draft(SOP, 0, "Lengkapi dasar hukum")
    back = await notifications_for(service.ref.id, admin)
    assert [n.kind for n in back] == ["sop_revision_returned"]
    assert "Lengkapi dasar hukum" in back[0].message(slug).text


async def test_a_save_that_leaves_out_the_office_fields_keeps_them_empty(
    installed, database
) -> None:
    """A second office of a plugin never gets the institution's nomor or signatory back by
    saving a part that does not name them (a file or an API call with only a waktu)."""
    slug, admin, *_ = await office(installed, database)
    service = await opened(database, installed, slug)
    drafts = SopRevisions(service, admin)
    draft = await drafts.start_draft(SOP)
    saved = await drafts.save_draft(SOP, 0, {}, version=draft.version)
    d = await drafts.definition(saved)
    assert (d.header.nomor, d.header.disahkan_oleh.nama, d.header.tanggal_pembuatan) == (
        "",
        "",
        "",
    )


async def approved_revision(drafts, head, part, effective_on="2027-01-04"):
    draft = await drafts.start_draft(SOP)
    draft = await drafts.save_draft(
        SOP, draft.number, part, effective_on=effective_on, version=draft.version
    )
    draft = await drafts.submit(SOP, draft.number, version=draft.version)
    return await head.approve(SOP, draft.number, version=draft.version, password="rahasia-2026")


async def test_revoking_the_revision_in_force_brings_back_the_one_it_replaced(
    installed, database
) -> None:
    slug, admin, kepala, _ = await office(installed, database)
    service = await opened(database, installed, slug)
    drafts, head = SopRevisions(service, admin), SopRevisions(service, kepala)
    first = await approved_revision(drafts, head, {"header": {"nomor": "800/1/2027"}})
    service = await opened(database, installed, slug)
    drafts, head = SopRevisions(service, admin), SopRevisions(service, kepala)
    second = await approved_revision(drafts, head, {"header": {"nomor": "800/2/2027"}})
    assert [str(r.state) for r in await drafts.list(SOP)] == ["berlaku", "diganti"]
    await head.revoke(SOP, second.number, "Keliru")
    assert [str(r.state) for r in await drafts.list(SOP)] == ["dicabut", "berlaku"]
    service = await opened(database, installed, slug)
    # The office runs its own previous SOP again, never the institution's.
    assert service.sop(SOP).content_hash == first.content_hash
    assert service.sop(SOP).header.nomor == "800/1/2027"
    from alur.tenants.audit.revisions_check import verify_revisions

    assert await verify_revisions(service.ref) == []


async def test_a_waktu_past_a_working_year_and_a_typed_signatory_are_not_taken(
    installed, database
) -> None:
    slug, admin, *_ = await office(installed, database)
    service = await opened(database, installed, slug)
    drafts = SopRevisions(service, admin)
    draft = await drafts.start_draft(SOP)
    step = next(s for s in service.sop(SOP).steps if s.waktu.amount is not None)
    for huge in ("9999999999999 menit", "3000000 hari"):
        with pytest.raises(InvalidInput) as info:
            await drafts.save_draft(
                SOP, 0, {"steps": [{"number": step.number, "waktu": huge}]}, version=draft.version
            )
        assert "at most 250 hari" in info.value.errors[f"steps.{step.number}.waktu"]
    typed = {"header": {"disahkan_oleh": {"nama": "PALSU", "jabatan": "Kepala", "nip": "1"}}}
    saved = await drafts.save_draft(SOP, 0, typed, version=draft.version)
    assert (await drafts.definition(saved)).header.disahkan_oleh.nama == ""


async def test_a_revision_of_an_sop_the_office_dropped_is_not_run(installed, database) -> None:
    """The office's revision in force counts only while the office runs that SOP."""
    from alur.tenants.sop_life.adoption import OfficeSops, allow_plugin

    slug, admin, kepala, _ = await office(installed, database)
    service = await opened(database, installed, slug)
    await approved_revision(SopRevisions(service, admin), SopRevisions(service, kepala), {})
    await allow_plugin(database, installed, slug, "kesbangpol_pekalongan", actor="operator:tester")
    service = await opened(database, installed, slug)
    sops = OfficeSops(service, admin)
    await sops.adopt("kesbangpol_pekalongan", "pengumpulan-pengolahan-data-kinerja")
    service = await opened(database, installed, slug)
    await OfficeSops(service, admin).drop(SOP)
    service = await opened(database, installed, slug)
    assert SOP not in service.sops()
