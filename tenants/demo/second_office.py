"""The demo's second office on the Banyumas plugin: Satpol PP Kabupaten Cilacap.

It shows an office that is *not* its plugin's institution running the plugin's SOP as its
own (issue 16): its identity (:func:`alur.tenants.offices.letterhead.save_identity`), its
people (``cilacap.*`` logins: an administrator, one per pelaksana; its kepala has a NIP and
jabatan), its own revision 0 of the SOP — drafted by its administrator (nomor and dasar hukum
as the Cilacap office writes them, tanggal efektif today), submitted and approved by its
kepala through :class:`~alur.tenants.sop_life.revisions.SopRevisions` — and one running case
on that revision; before the revision, a history of finished cases on the plugin's
definition (:mod:`alur.tenants.demo.history`), so the Banyumas SOP family has two offices'
figures to compare. Its SOP sheet shows its own kop and signatory, never Banyumas'.

Idempotent like the rest of the demo: an identity already set, a revision already there and
cases already there are left as they are.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from alur.core.plugins import AlurPlugins, LoadedPlugin
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.cases import StoryDriver, story_periods
from alur.tenants.demo.history import demo_history
from alur.tenants.demo.monev import open_demo_monev
from alur.tenants.demo.offices import DemoReport, DemoTenant, _People, staffed_office
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.letterhead import kop_fields, save_identity
from alur.tenants.offices.provisioning import calendar_for
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, SopRevision, Tenant

SLUG = "satpolpp-cilacap"
NAME = "Satuan Polisi Pamong Praja Kabupaten Cilacap"
PREFIX = "cilacap"
# A placeholder identity (not the real office's address or numbers).
IDENTITY = {
    "government": "Pemerintah Kabupaten Cilacap",
    "unit": NAME,
    "address": "Jl. Jenderal Sudirman No. 32 Cilacap Kode Pos 53212",
    "phone": "(0282) 534567",
    "email": "satpolpp@cilacapkab.go.id",
    "place": "Cilacap",
}
KEPALA_JABATAN = "Kepala Satuan Polisi Pamong Praja Kabupaten Cilacap"
# The office's own part of its first version (revision 0) of the Banyumas SOP.
PART = {
    "header": {
        "nomor": "800/014/SOP/SATPOLPP/2027",
        "dasar_hukum": [
            "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah",
            "Peraturan Pemerintah Nomor 16 Tahun 2018 tentang Satuan Polisi Pamong Praja",
            "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor "
            "35 Tahun 2012 tentang Pedoman Penyusunan Standar Operasional Prosedur "
            "Administrasi Pemerintahan",
            "Peraturan Bupati Cilacap tentang Kedudukan, Susunan Organisasi, Tugas dan "
            "Fungsi serta Tata Kerja Satuan Polisi Pamong Praja Kabupaten Cilacap",
        ],
    }
}


async def second_office(
    db: Database,
    plugins: AlurPlugins,
    plugin: LoadedPlugin,
    people: _People,
    report: DemoReport,
    now: datetime,
    history: bool = True,
) -> DemoTenant:
    """Create (or leave as it is) the Cilacap office, its people, identity, revision and
    running case (module docstring)."""
    sop_id = sorted(plugin.sops)[0]
    pengesah = plugin.sops[sop_id].pengesah_role
    jabatan = {pengesah.id: KEPALA_JABATAN} if pengesah else {}
    staffed = await staffed_office(
        plugins, plugin, SLUG, NAME, PREFIX, people, report, jabatan=jabatan
    )
    if isinstance(staffed, DemoTenant):
        return staffed
    result, row, users, admin_id = staffed
    clock = lambda: now  # noqa: E731 (the demo's one moment)
    service = await TenantService.open(db, plugins, SLUG, clock=clock)
    if not any((await kop_fields(row["id"])).values()):
        await save_identity(TenantAdmin(service, admin_id), IDENTITY)
    had_cases = await Case.exists().where(Case.tenant == row["id"])
    if history and not had_cases:
        # Before its revision: the past cases ran on the plugin's definition.
        calendar = await calendar_for(row)
        d = service.sop(sop_id)
        taken = story_periods(calendar, now)
        result.cases += await demo_history(
            service, d, users, admin_id, calendar, now, report.password, taken
        )
        service = await TenantService.open(db, plugins, SLUG, clock=clock)
    if pengesah is not None and not await SopRevision.exists().where(
        (SopRevision.tenant == row["id"]) & (SopRevision.sop_id == sop_id)
    ):
        drafts = SopRevisions(service, admin_id)
        draft = await drafts.start_draft(sop_id)
        today = now.astimezone(ZoneInfo(row["timezone"])).date()
        saved = await drafts.save_draft(
            sop_id, draft.number, PART, effective_on=today, version=draft.version
        )
        submitted = await drafts.submit(sop_id, draft.number, version=saved.version)
        kepala = users[(pengesah.id, None)]
        await SopRevisions(service, kepala).approve(
            sop_id, draft.number, version=submitted.version, password=report.password
        )
    if had_cases:
        return result
    service = await TenantService.open(db, plugins, SLUG, clock=clock)  # its revision in force
    fresh = await Tenant.select().where(Tenant.id == row["id"]).first()
    assert fresh is not None
    calendar = await calendar_for(fresh)
    d = service.sop(sop_id)
    driver = StoryDriver(service, d, users, admin_id, calendar, now, report.password)
    case = await driver.run("baru dimulai")
    if case is not None:
        result.cases.append(case)
    if history:
        await open_demo_monev(db, plugins, SLUG, admin_id, clock)
    return result
