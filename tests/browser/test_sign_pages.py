"""The pages of the official letter, at 1366 and 390 px with axe (page_check.check_page): the
public verification page of the demo's signed report (signed, and an unknown code) opened
without signing in, and the office admin's Kop surat page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.case_page import SLUG
from tests.browser.page_check import check_page

PLUGIN = "satpolpp_banyumas"


def test_the_verification_page_and_the_kop_page(live_server, new_page) -> None:
    office = live_server.office_of_plugin(PLUGIN)
    staf = new_page(office.login_for("Staf"))
    staf.goto(f"/t/{SLUG}/cases?status=finished")
    link = staf.locator(f"table a[href^='/t/{SLUG}/cases/']").first
    with staf.expect_navigation():
        link.click()
    with staf.expect_navigation():
        staf.locator("a.kinerja-link").click()
    recap_hash = staf.locator("[title]").filter(has=staf.locator("xpath=self::code")).first
    full = recap_hash.get_attribute("title") or ""
    assert len(full) == 64, full

    visitor = new_page()  # nobody signed in
    visitor.goto(f"/verifikasi/{full}")
    expect(visitor.locator("[data-verify=signed]")).to_have_count(1)
    expect(visitor.locator("ul.verify-signatures li")).to_have_count(1)
    assert not [c for c in visitor.context.cookies() if c["name"] == "alur_session"]
    check_page(visitor, "verify-signed")
    visitor.goto("/verifikasi?kode=0000-0000-0000-0000")
    expect(visitor.locator("[data-verify=not-found]")).to_have_count(1)
    check_page(visitor, "verify-not-found")

    admin = new_page(office.login_for("administrator"))
    admin.goto(f"/t/{SLUG}/admin/kop")
    expect(admin.locator("form[action$='/admin/kop/logo'] input[type=file]")).to_have_count(1)
    admin.locator("input[name=place]").fill("Purwokerto")
    with admin.expect_response(lambda r: r.request.method == "POST"):
        admin.locator("form[action$='/admin/kop'] [type=submit]").click()
    expect(admin.locator("input[name=place]")).to_have_value("Purwokerto")
    admin.goto(f"/t/{SLUG}/admin/kop")
    check_page(admin, "admin-kop")
