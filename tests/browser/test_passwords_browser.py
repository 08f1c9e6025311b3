"""Passwords in Chromium (issue 15): an office administrator resets a person's password from
the People list and sees the one-time password once; the person signs in with it and can do
nothing but choose their own (every page leads back to the change page); a refusal shows its
messages next to the fields and never the passwords; the "Change password" page from the
header menu. Each page at 1366 and 390 px with axe (page_check.check_page).
Screenshots: artifacts/screenshots/password-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, sign_in
from tests.browser.page_check import check_page

SLUG = "satpolpp-banyumas"
NEW = "kata-sandi-baru-2026"


def test_reset_forced_change_and_the_change_page(live_server, new_page, request) -> None:
    office = live_server.offices[SLUG]
    # a Kabid no other browser test signs in as (its password changes here)
    kabids = sorted(u for u, who in office.logins.items() if "Kabid" in who)
    person = kabids[-1]
    signed_in = request.getfixturevalue("_signed_in")  # new_page's cache of sessions
    signed_in.pop(person, None)  # a session cached by another test ends with the reset

    admin = new_page(office.login_for("administrator"))
    admin.goto(f"/t/{SLUG}/admin/people")
    row = admin.locator(
        "tr", has=admin.locator("code.username", has_text=re.compile(f"^{person}$"))
    )
    row.locator("details.person-password summary").click()
    check_page(admin, "password-people-list")
    with admin.expect_navigation():
        row.locator("details.person-password [type=submit]").click()
    shown = admin.locator("input.one-time-value")
    expect(shown).to_have_count(1)
    one_time = shown.input_value()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", one_time), one_time
    check_page(admin, "password-reset-admin")

    page = new_page()
    sign_in(page, person, one_time)
    assert "/akun/kata-sandi" in page.url
    expect(page.locator(".password-forced")).to_have_count(1)
    check_page(page, "password-forced")
    page.goto(f"/t/{SLUG}/inbox")
    assert "/akun/kata-sandi" in page.url  # nothing else opens before the change

    page.fill("input[name=current]", one_time)
    page.fill("input[name=new]", "pendek")
    page.fill("input[name=confirm]", "lain")
    with page.expect_navigation():
        page.locator("form[action='/akun/kata-sandi'] [type=submit]").click()
    expect(page.locator("#password-new-error")).to_have_count(1)
    expect(page.locator("#password-confirm-error")).to_have_count(1)
    expect(page.locator("input[name=new]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("input[name=new]")).to_have_value("")  # never sent back
    check_page(page, "password-forced-errors")

    page.fill("input[name=current]", one_time)
    page.fill("input[name=new]", NEW)
    page.fill("input[name=confirm]", NEW)
    with page.expect_navigation():
        page.locator("form[action='/akun/kata-sandi'] [type=submit]").click()
    assert "/akun/kata-sandi" not in page.url

    # the page everyone reaches from the menu; the password goes back to the demo one
    page.goto(f"/t/{SLUG}/inbox")
    link = page.locator("a.password-link")
    expect(link).to_have_count(1)
    page.goto(link.get_attribute("href") or "")
    expect(page.locator("input[name=current]")).to_have_attribute(
        "autocomplete", "current-password"
    )
    check_page(page, "password-change")
    page.fill("input[name=current]", NEW)
    page.fill("input[name=new]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    with page.expect_navigation():
        page.locator("form[action='/akun/kata-sandi'] [type=submit]").click()
    expect(page.locator("p.notice[role=status]")).to_have_count(1)
    check_page(page, "password-changed")
    signed_in.pop(person, None)  # (its password is the demo one again: others sign in anew)
