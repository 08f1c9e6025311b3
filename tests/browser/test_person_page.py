"""The person page of an office's administration (``/t/{slug}/admin/people/{username}``) in
Chromium, at 1366 and 390 px (screenshots, width, axe): reached from the People list; a wrong
NIP is shown next to its field with everything typed kept; deactivating a person refuses that
person's own open session on its next request. The person is reactivated at the end and their
cached session forgotten (the live server is shared by the folder's tests)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.page_check import check_page

SLUG = "satpolpp-banyumas"
PLUGIN = "satpolpp_banyumas"


def open_every_details(page) -> None:
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")


def test_the_person_page_edit_and_deactivate(live_server, new_page, request):
    office = live_server.office_of_plugin(PLUGIN)
    username = office.login_for("Kasubag")
    # deactivating ends every session of theirs for good: later tests sign them in afresh
    request.addfinalizer(lambda: request.getfixturevalue("_signed_in").pop(username, None))
    theirs = new_page(username, fresh=True)  # their own session, open in another browser
    theirs.goto(f"/t/{SLUG}/inbox")
    assert "/login" not in theirs.url

    admin = new_page(office.login_for("administrator"))
    admin.goto(f"/t/{SLUG}/admin/people")
    admin.locator(f"a[href='/t/{SLUG}/admin/people/{username}']").click()
    expect(admin).to_have_url(f"{live_server.url}/t/{SLUG}/admin/people/{username}")
    open_every_details(admin)
    check_page(admin, "admin-person")

    form = admin.locator(f"form[action$='/people/{username}/edit']")
    form.locator("input[name=name]").fill("Nama Diubah, S.E.")
    form.locator("input[name=nip]").fill("19700101 199013 1 001")  # month 13
    form.locator("[type=submit]").click()
    error = admin.locator("#edit-nip-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("TMT")
    nip = admin.locator(f"form[action$='/people/{username}/edit'] input[name=nip]")
    expect(nip).to_have_attribute("aria-invalid", "true")
    expect(nip).to_have_attribute("aria-describedby", "edit-nip-error")
    expect(nip).to_have_value("19700101 199013 1 001")
    name = admin.locator(f"form[action$='/people/{username}/edit'] input[name=name]")
    expect(name).to_have_value("Nama Diubah, S.E.")
    check_page(admin, "admin-person-refused")

    try:
        admin.locator("summary", has_text="Nonaktifkan akun").click()
        admin.locator(f"form[action$='/people/{username}/deactivate'] [type=submit]").click()
        expect(admin.locator("p.notice")).to_be_visible()
        expect(admin.locator("mark.deactivated")).to_be_visible()
        check_page(admin, "admin-person-deactivated")

        theirs.goto(f"/t/{SLUG}/inbox")  # the next request of their open session
        assert "/login" in theirs.url
    finally:
        admin.goto(f"/t/{SLUG}/admin/people/{username}")
        if admin.locator("mark.deactivated").count():
            admin.locator("summary", has_text="Aktifkan kembali akun").click()
            admin.locator(f"form[action$='/people/{username}/reactivate'] [type=submit]").click()
            expect(admin.locator("span.tag.status-active")).to_be_visible()
