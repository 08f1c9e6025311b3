"""The SOP monitoring form (monev) in Chromium, on the demo's Satpol PP office: the admin
chooses the Kasubag Perencanaan as assessor and opens the forms; the assessor finds the form in
the inbox, reads the proposals, gives a judgement to every kegiatan (one "tidak" with its
tindakan), saves, is refused the paraf with a wrong password, initials with the right one;
the form is then read-only with its paraf and versions. Each page at 1366 and 390 px with axe
(check_page; screenshots monev-*.png)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.browser.page_check import check_page

PLUGIN = "satpolpp_banyumas"


def test_open_fill_and_initial_a_monev_form(live_server, new_page) -> None:
    office = live_server.office_of_plugin(PLUGIN)
    admin = office.login_for("administrator")
    assessor = office.login_for("Kasubag Perencanaan")
    monev = f"/t/{office.slug}/monev"

    page = new_page(admin)
    page.goto(monev + "/")
    settings = page.locator("form[data-monev-settings]")
    settings.locator("select[name=role]").select_option("kasubag_perencanaan")
    settings.locator("input[name=every_months]").fill("6")
    with page.expect_navigation():
        settings.locator("button[type=submit]").click()
    expect(page.locator("[role=status]")).to_be_visible()
    with page.expect_navigation():
        page.locator("form[data-monev-open] button[type=submit]").click()
    expect(page.locator("[data-monev-form]").first).to_be_visible()
    check_page(page, "monev-list")

    fill = new_page(assessor)
    fill.goto(f"/t/{office.slug}/inbox")
    link = fill.locator("#monev [data-monev-form] a").first
    expect(link).to_be_visible()
    with fill.expect_navigation():
        link.click()
    form = fill.locator("form[data-monev-save]")
    rows = form.locator("article.monev-row")
    count = rows.count()
    assert count > 1
    expect(rows.first.locator(".monev-evidence")).not_to_be_empty()
    check_page(fill, "monev-form-open")

    for i in range(count):
        row = rows.nth(i)
        row.locator("input[value=tidak]" if i == 0 else "input[value=baik]").check()
    rows.first.locator("textarea[name$='.catatan']").fill("Format data terlambat diterima bidang")
    rows.first.locator("textarea[name$='.tindakan']").fill("Sosialisasi jadwal kepada bidang")
    with fill.expect_navigation():
        form.locator("[data-monev-save-submit]").click()
    expect(fill.locator("[role=status]")).to_be_visible()
    expect(rows.first.locator("input[value=tidak]")).to_be_checked()

    paraf = fill.locator("form[data-monev-paraf]")
    paraf.locator("input[name=password]").fill("bukan-sandinya")
    with fill.expect_navigation():
        paraf.locator("[data-monev-paraf-submit]").click()
    expect(fill.locator("#paraf-password-error")).to_be_visible()
    check_page(fill, "monev-form-filled")

    fill.locator("form[data-monev-paraf] input[name=password]").fill(PASSWORD)
    with fill.expect_navigation():
        fill.locator("[data-monev-paraf-submit]").click()
    expect(fill.locator("h1 [data-state]")).to_have_attribute("data-state", "diparaf")
    expect(fill.locator("[data-fact=paraf]")).to_be_visible()
    expect(fill.locator("[data-monev-save-submit]")).to_have_count(0)
    expect(fill.locator("[data-what=diparaf]")).to_have_count(1)
    expect(fill.locator("[data-monev-print] a[data-print=pdf]")).to_be_visible()
    check_page(fill, "monev-form-initialled")
