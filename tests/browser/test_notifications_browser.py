"""Notifications in a real browser: the header's unread count on every page, refreshed
without a reload once a minute (while the tab is visible), the list (newest first, marked
read when opened), and without JavaScript a plain link. Also the pages of issue 13's web
side at 1366×900 and 390×844 (no sideways scrolling on a phone), with screenshots:
the header with a count, the list, the personal settings, the Reminders admin page and a
case history with a reminder and an escalation.

The notifications and clock events are written into the live server's database as the
worker would write them (tests/browser/notify_helpers.py)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.notify_helpers import remind, remind_and_escalate

SLUG = "satpolpp-banyumas"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _fits(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (what, width)


def test_the_count_updates_without_a_reload_and_the_list_marks_read(
    live_server, new_page, screenshot
):
    office = live_server.offices[SLUG]
    username = office.login_for("Staf")
    page = new_page(username)
    page.clock.install()  # the page's timers, so a minute passes at once
    page.goto(f"/t/{SLUG}/inbox")
    badge = page.locator("#notice-badge")
    expect(badge).to_be_visible()
    expect(badge.locator(".notice-count")).to_have_count(0)

    case_key = remind(live_server.log_path, SLUG, username, 3, "live")
    page.clock.run_for(61_000)  # alur.js asks for the count every minute
    page.clock.resume()
    expect(badge.locator(".notice-count")).to_have_text(re.compile(r"\b3$"))
    assert page.url.endswith("/inbox")  # no reload: the same page
    screenshot(page, "notifications-header-badge-1366", full_page=False)
    page.set_viewport_size(PHONE)
    expect(badge.locator(".notice-count")).to_be_visible()
    _fits(page, "inbox with a badge")
    screenshot(page, "notifications-header-badge-390", full_page=False)
    page.set_viewport_size(DESKTOP)

    # Every signed-in page of the office shows it.
    for path in ("cases", "sops", "settings"):
        page.goto(f"/t/{SLUG}/{path}")
        expect(page.locator("#notice-badge .notice-count")).to_have_text(re.compile(r"\b3$"))

    badge = page.locator("#notice-badge")
    badge.click()
    page.wait_for_url(re.compile(r"/notifications$"))
    items = page.locator("ol.notifications > li")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("pengingat 3")  # newest first
    expect(items.last).to_contain_text("pengingat 1")
    expect(items.first.locator("a.title")).to_contain_text("Pengingat: kegiatan")
    assert items.first.locator("a.title").get_attribute("href") == f"/t/{SLUG}/cases/{case_key}"
    expect(page.locator("ol.notifications mark.new")).to_have_count(3)  # new on this showing
    expect(page.locator("#notice-badge .notice-count")).to_have_count(0)  # and read now
    screenshot(page, "notifications-list-1366")
    page.set_viewport_size(PHONE)
    _fits(page, "notification list")
    screenshot(page, "notifications-list-390")

    page.reload()
    expect(page.locator("ol.notifications mark.new")).to_have_count(0)
    page.locator("ol.notifications a.title").first.click()
    page.wait_for_url(re.compile(rf"/cases/{case_key}"))


def test_without_javascript_the_count_is_a_plain_link(live_server, new_page):
    office = live_server.offices[SLUG]
    username = office.login_for("Kasubag")
    page = new_page(username, javascript=False)
    page.goto(f"/t/{SLUG}/cases")
    # what the demo already told them (the Kasubag Perencanaan is its monev assessor)
    counted = page.locator("a#notice-badge .notice-count")
    before = int(counted.get_attribute("data-count") or 0) if counted.count() else 0
    remind(live_server.log_path, SLUG, username, 2, "nojs")
    page.goto(f"/t/{SLUG}/cases")
    link = page.locator("a#notice-badge")
    expect(link.locator(".notice-count")).to_have_text(re.compile(rf"\b{before + 2}$"))
    link.click()
    page.wait_for_url(re.compile(r"/notifications$"))
    expect(page.locator("ol.notifications > li")).to_have_count(before + 2)


def test_settings_policy_and_history_pages_on_a_desktop_and_a_phone(
    live_server, new_page, screenshot
):
    office = live_server.offices[SLUG]
    staf = office.login_for("Staf")
    case_key = remind(live_server.log_path, SLUG, staf, 1, "history")
    remind_and_escalate(live_server.log_path, SLUG, case_key, "sekretaris")

    page = new_page(staf)
    page.goto(f"/t/{SLUG}/settings")
    page.fill("input[name=email]", "staf@")
    page.fill("input[name=whatsapp]", "0812 3456 7890")
    page.check("input[name=after_hours]")
    page.click("form[action$='/settings'] button[type=submit]")
    expect(page.locator("#settings-email-error")).to_be_visible()
    expect(page.locator("input[name=whatsapp]")).to_have_value("0812 3456 7890")  # kept
    expect(page.locator("input[name=after_hours]")).to_be_checked()
    screenshot(page, "settings-refused-1366")
    page.set_viewport_size(PHONE)
    _fits(page, "settings")
    screenshot(page, "settings-refused-390")
    page.set_viewport_size(DESKTOP)
    page.fill("input[name=email]", "staf@satpolpp.example.org")
    page.click("form[action$='/settings'] button[type=submit]")
    expect(page.locator("p.notice")).to_be_visible()
    expect(page.locator("input[name=whatsapp]")).to_have_value("+6281234567890")

    page.goto(f"/t/{SLUG}/cases/{case_key}")
    history = page.locator("ol.timeline")
    expect(history.locator("li.event-task_reminded")).to_contain_text(
        re.compile(r"Pengingat dikirim ke .+ \(di Alur, email\) — jatuh tempo")
    )
    expect(history.locator("li.event-task_escalated")).to_contain_text("Dieskalasi ke Sekretaris")
    expect(page.locator("#case-live mark.attention").first).to_have_text(
        "perlu perhatian Sekretaris"
    )
    screenshot(page, "case-history-reminder-1366")
    history.screenshot(path=str(SCREENSHOTS / "case-history-timeline-1366.png"))
    page.set_viewport_size(PHONE)
    _fits(page, "case page")
    screenshot(page, "case-history-reminder-390")
    history.screenshot(path=str(SCREENSHOTS / "case-history-timeline-390.png"))

    sekretaris = new_page(office.login_for("Sekretaris"))
    sekretaris.goto(f"/t/{SLUG}/inbox")
    attention = sekretaris.locator("#attention")
    expect(attention).to_contain_text("Perlu perhatian Anda")
    expect(attention.locator(f"tr[data-case='{case_key}']")).to_have_count(1)
    screenshot(sekretaris, "inbox-attention-1366")
    sekretaris.set_viewport_size(PHONE)
    _fits(sekretaris, "inbox with perlu perhatian")

    admin = new_page(office.login_for("administrator"))
    admin.goto(f"/t/{SLUG}/admin/clock")
    admin.fill("input[name=remind_before]", "150")
    admin.fill("input[name=escalate_after]", "besok")
    admin.click("form[action$='/admin/clock'] button[type=submit]")
    expect(admin.locator("#clock-remind_before-error")).to_be_visible()
    expect(admin.locator("#clock-escalate_after-error")).to_be_visible()
    expect(admin.locator("input[name=escalate_after]")).to_have_value("besok")
    screenshot(admin, "admin-clock-refused-1366")
    admin.set_viewport_size(PHONE)
    _fits(admin, "reminders admin page")
    screenshot(admin, "admin-clock-refused-390")
    admin.set_viewport_size(DESKTOP)
    admin.fill("input[name=remind_before]", "60")
    admin.fill("input[name=escalate_after]", "2 hari")
    admin.select_option("select[name=escalate_to]", "sekretaris")
    admin.click("form[action$='/admin/clock'] button[type=submit]")
    expect(admin.locator("p.notice")).to_contain_text("Pengaturan pengingat tersimpan")
    expect(admin.locator("input[name=remind_before]")).to_have_value("60")
    screenshot(admin, "admin-clock-saved-1366")
