"""Each office's SOP sheet in Chromium (issue 16): Satpol PP Cilacap (the demo's second
office on the Banyumas plugin) shows its own kop and signatory, never Banyumas'; Banyumas
keeps the institution's. Both at 1366×900 and 390×844 (page_check: screenshots, no sideways
scroll, axe)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.page_check import check_page

SOP = "pengumpulan-data-kinerja"


def _sheet(new_page, live_server, slug: str):
    office = live_server.offices[slug]
    page = new_page(office.staff_login())
    response = page.goto(f"/t/{slug}/sops/{SOP}")
    assert response is not None
    assert response.status == 200
    return page, page.locator(f".sop-document[data-sop='{SOP}'] .sop-identity-table")


def test_cilacap_prints_its_own_kop_and_signatory(new_page, live_server) -> None:
    page, identity = _sheet(new_page, live_server, "satpolpp-cilacap")
    kop = identity.locator(".sop-institution")
    expect(kop).to_contain_text("Pemerintah Kabupaten Cilacap")
    expect(kop).to_contain_text("Satuan Polisi Pamong Praja Kabupaten Cilacap")
    expect(kop).not_to_contain_text("Banyumas")
    signature = identity.locator(".sop-signature")
    expect(signature).to_contain_text("Kepala Satuan Polisi Pamong Praja Kabupaten Cilacap")
    expect(signature).to_contain_text("NIP.")
    expect(signature).not_to_contain_text("EKO HERI SURONO")
    expect(identity.locator(".sop-nomor")).to_have_text("800/014/SOP/SATPOLPP/2027")
    check_page(page, "sop-sheet-satpolpp-cilacap")


def test_banyumas_keeps_the_institution_s_kop(new_page, live_server) -> None:
    page, identity = _sheet(new_page, live_server, "satpolpp-banyumas")
    expect(identity.locator(".sop-institution")).to_contain_text("Pemerintah Kabupaten Banyumas")
    expect(identity.locator(".sop-signature")).to_contain_text("EKO HERI SURONO")
    check_page(page, "sop-sheet-satpolpp-banyumas")
