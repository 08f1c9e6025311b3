"""Issue 14, points 6, 7 and 9 in the browser, at 1366×900 and 390×844 (check_page: no
sideways scroll, axe, screenshots): the case list says whom each case waits on; the start
form chooses the period and refuses a second case of a period by the period field; the case
page shows a returned step as returned and a per-unit step as "n/m bidang"; the cancel form
keeps its refusal by the reason.

The demo office of Satpol PP Banyumas has a case of each story (tenants/demo/cases.py):
"dikembalikan" (its period a Semester: step 2 answered "tidak") and "menunggu bidang" (a
Triwulan, active: some bidang done, the others not). Nothing here changes the demo's cases.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.page_check import check_page

PLUGIN = "satpolpp_banyumas"
SOP = "pengumpulan-data-kinerja"


def _case(office, story: str):
    active = [c for c in office.cases if c.sop_id == SOP and c.status == "active"]
    if story == "dikembalikan":
        return next(c for c in active if c.period.startswith("Semester"))
    return next(c for c in active if c.period.startswith("Triwulan"))


def test_the_case_list_and_the_start_form(live_server, new_page) -> None:
    office = live_server.office_of_plugin(PLUGIN)
    page = new_page(office.login_for("Staf"))
    page.goto(f"/t/{office.slug}/cases")
    waiting = page.locator("td.waiting .waiting-on")
    expect(waiting.first).to_be_visible()
    texts = waiting.all_inner_texts()
    assert any(re.search(r"\(\d+ bidang\)", t) for t in texts), texts  # a fan-out
    assert any(":" in t for t in texts), texts  # a role and its person
    check_page(page, "cases-list")
    # the start form: the only SOP? chosen; the period from two selects
    page.locator("main details > summary").first.click()
    form = page.locator("form.start-case")
    expect(form.locator("select[name=period_part]")).to_be_visible()
    taken = _case(office, "menunggu bidang").period  # e.g. "Triwulan IV 2026"
    part, year = taken.rsplit(" ", 1)
    form.locator("select[name=sop]").select_option(SOP)
    form.locator("select[name=period_part]").select_option(part)
    form.locator("select[name=period_year]").select_option(year)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    form = page.locator("form.start-case")
    error = form.locator("#period-error")
    expect(error).to_contain_text(taken)
    expect(form.locator("select[name=period_part]")).to_have_attribute("aria-invalid", "true")
    expect(form.locator("select[name=period_part]")).to_have_value(part)  # kept
    expect(form.locator("fieldset.period-choice")).to_have_attribute(
        "aria-describedby", "period-error"
    )
    check_page(page, "cases-start-refused")


def test_a_returned_step_and_a_partly_done_per_unit_step(live_server, new_page) -> None:
    office = live_server.office_of_plugin(PLUGIN)
    page = new_page(office.login_for("Staf"))
    returned = _case(office, "dikembalikan")
    page.goto(f"/t/{office.slug}/cases/{returned.key}")
    gate = page.locator("ol.steps > li[data-state=returned]")
    expect(gate).to_have_count(1)  # the "tidak": no green tick
    expect(gate.locator(".done-mark")).to_have_count(0)
    expect(gate.locator(".returned-mark")).to_have_count(1)
    back = page.locator("ol.steps > li[data-state=current][data-returned]")
    expect(back).to_have_count(1)
    assert int(back.get_attribute("data-step") or 0) < int(gate.get_attribute("data-step") or 0)
    step = gate.get_attribute("data-step")
    expect(page.locator(f".case-flow tr[data-step='{step}']")).to_have_class(
        re.compile("flow-returned")
    )
    check_page(page, "case-returned-step")

    waiting = _case(office, "menunggu bidang")
    page.goto(f"/t/{office.slug}/cases/{waiting.key}")
    partly = page.locator("ol.steps > li[data-units]").filter(has=page.locator(".units-mark"))
    expect(partly.first).to_be_visible()
    done, total = (
        int(partly.first.get_attribute(a) or 0) for a in ("data-units-done", "data-units")
    )
    assert 0 < done < total, (done, total)
    expect(partly.first.locator(".units-mark")).to_contain_text(f"{done}/{total}")
    expect(partly.first.locator(".done-mark")).to_have_count(0)
    check_page(page, "case-per-unit-partly-done")


def test_the_cancel_form_keeps_its_refusal_by_the_reason(live_server, new_page) -> None:
    office = live_server.office_of_plugin(PLUGIN)
    case = _case(office, "menunggu bidang")
    kabid = new_page(office.login_for("Kabid"))
    kabid.goto(f"/t/{office.slug}/cases/{case.key}")
    expect(kabid.locator("details.case-cancel")).to_have_count(0)  # not theirs to cancel
    page = new_page(office.login_for("Staf"))  # the Staf starts this SOP: she may
    page.goto(f"/t/{office.slug}/cases/{case.key}")
    cancel = page.locator("details.case-cancel")
    cancel.locator("summary").click()
    form = cancel.locator("form[data-cancel-form]")
    form.locator("textarea[name=reason]").fill("   ")  # passes `required`, not the service
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    form = page.locator("details.case-cancel[open] form[data-cancel-form]")
    expect(form.locator("#cancel-reason-error")).to_be_visible()
    expect(form.locator("textarea[name=reason]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".case-status .status")).to_have_class(re.compile("status-active"))
    check_page(page, "case-cancel-refused")
