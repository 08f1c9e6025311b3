"""Every office's SOP sheet shows its own identity and signatory (issue 16), over HTTP on the
demo offices (SQLite and PostgreSQL): Satpol PP Cilacap runs the Banyumas plugin's SOP as
its own revision 0 and its sheet, case page and kop never show Banyumas'; Banyumas' own
sheet keeps the institution's; an office without a revision of its own says "Belum
disahkan"; a revision's sheet says "Revisi ke-n"; the SOPs page offers adoption."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.offices import DemoReport, provision_demo
from alur.tenants.demo.second_office import IDENTITY, KEPALA_JABATAN, PART
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.sop_life.adoption import allow_plugin
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import User
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.sops.office_sheet import office_document_html
from alur.web.testing import fetch_csrf as csrf
from alur.web.testing import sign_in_sync

PASSWORD = "rahasia-2026"
SOP = "pengumpulan-data-kinerja"
CILACAP = "satpolpp-cilacap"
BANYUMAS = "satpolpp-banyumas"
# What only Banyumas' identity and signatory print.
BANYUMAS_ONLY = ("EKO HERI SURONO", "Soeharso", "Pemerintah Kabupaten Banyumas", "631596")


async def _provision(url: str) -> Demo:
    db = await open_database(url)
    plugins = create_plugin_manager()
    try:
        report = await provision_demo(plugins, password=PASSWORD, db=db, history=False)
        # A third office on the plugin, with no revision of its own.
        await create_tenant(plugins, "satpolpp-kebumen", "Satpol PP Kebumen", "satpolpp_banyumas")
        await allow_plugin(db, plugins, CILACAP, "kesbangpol_pekalongan", actor="operator:t")
        kepala = await User.select(User.name, User.nip).where(
            User.username == "cilacap.kepala_satuan"
        )
        sheets = {}
        for slug, number in (("satpolpp-kebumen", None), (CILACAP, 2), (CILACAP, 0)):
            service = await TenantService.open(db, plugins, slug)
            sheets[(slug, number)] = html.unescape(
                str(office_document_html(service, service.sop(SOP), number))
            )
        return Demo(None, report, kepala[0], sheets)  # type: ignore[arg-type]
    finally:
        await close_database(db)


@dataclass
class Demo:
    client: TestClient
    report: DemoReport
    kepala: dict
    sheets: dict


@pytest.fixture
def demo(database_url: str, cheap_hasher: None) -> Iterator[Demo]:
    found = asyncio.run(_provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as client:
        found.client = client
        yield found


def text(response) -> str:
    assert response.status_code == 200, response.text[:500]
    return html.unescape(response.text)


def sheet(client: TestClient, user: str, slug: str) -> str:
    client.cookies.clear()
    sign_in_sync(client, user, PASSWORD, next="/")
    return text(client.get(f"/t/{slug}/sops/{SOP}"))


def test_each_office_prints_its_own_identity_and_signatory(demo: Demo) -> None:
    client, report, kepala = demo.client, demo.report, demo.kepala
    page = sheet(client, "cilacap.admin", CILACAP)
    for shown in (
        IDENTITY["government"],
        IDENTITY["unit"],
        IDENTITY["address"],
        IDENTITY["phone"],
        IDENTITY["email"],
        PART["header"]["nomor"],
        PART["header"]["dasar_hukum"][0],
        KEPALA_JABATAN,
        kepala["name"],
        kepala["nip"],
    ):
        assert shown in page, shown
    for hidden in (*BANYUMAS_ONLY, "Belum disahkan"):
        assert hidden not in page, hidden
    # The case page of its running case draws the same sheet.
    cilacap = next(t for t in report.tenants if t.slug == CILACAP)
    (case,) = cilacap.cases
    case_page = text(client.get(f"/t/{CILACAP}/cases/{case.key}"))
    assert IDENTITY["unit"] in case_page
    assert kepala["nip"] in case_page
    assert not any(hidden in case_page for hidden in BANYUMAS_ONLY)

    own = sheet(client, "satpolpp.admin", BANYUMAS)  # the institution's own office
    for shown in BANYUMAS_ONLY:
        assert shown in own, shown
    assert IDENTITY["unit"] not in own
    assert "Belum disahkan" not in own


def test_the_kop_page_checks_and_saves_the_identity(demo: Demo) -> None:
    client = demo.client
    sheet(client, "cilacap.admin", CILACAP)
    page = f"/t/{CILACAP}/admin/kop"
    wrong = {"government": "x" * 300, "email": "bukan surel", "phone": "12", "unit": "Satpol"}
    r = client.post(page, data={"_csrf_token": csrf(client, page), **wrong})
    assert r.status_code == 422
    refused = html.unescape(r.text)
    assert refused.count('aria-invalid="true"') >= 3  # government, email, phone at once
    fields = {**IDENTITY, "phone": "0282-520000", "email": "Satpol@CilacapKab.go.id"}
    r = client.post(page, data={"_csrf_token": csrf(client, page), **fields})
    assert r.status_code in (200, 303), r.text[:300]
    shown = text(client.get(f"/t/{CILACAP}/sops/{SOP}"))
    assert "(0282) 520000" in shown
    assert "Satpol@cilacapkab.go.id" in shown


def test_an_office_without_its_own_revision_and_the_sops_page(demo: Demo) -> None:
    client = demo.client
    kebumen = demo.sheets[("satpolpp-kebumen", None)]
    assert "Belum disahkan" in kebumen
    assert "Satpol PP Kebumen" in kebumen
    assert not any(hidden in kebumen for hidden in BANYUMAS_ONLY)
    assert "Revisi ke-2" in demo.sheets[(CILACAP, 2)]
    assert "Revisi ke-" not in demo.sheets[(CILACAP, 0)]

    client.cookies.clear()
    sign_in_sync(client, "cilacap.admin", PASSWORD, next="/")
    sops = text(client.get(f"/t/{CILACAP}/sops"))
    assert "pengumpulan-pengolahan-data-kinerja" in sops  # offered from the allowed plugin
    page = f"/t/{CILACAP}/sops"
    r = client.post(
        f"{page}/adopsi",
        data={
            "_csrf_token": csrf(client, page),
            "plugin": "kesbangpol_pekalongan",
            "sop": "pengumpulan-pengolahan-data-kinerja",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    adopted = text(client.get(f"/t/{CILACAP}/sops/pengumpulan-pengolahan-data-kinerja"))
    assert IDENTITY["unit"] in adopted
    assert "Belum disahkan" in adopted
    assert "M. TAUFIQ ROCHMAN" not in adopted  # Pekalongan's signatory
