"""The data kinerja forms of a step, as the people who fill them meet them (issue 14, points
1, 3 and 12), with htmx and with JavaScript off:

- "Complete" pressed before "Save" saves the form and completes the step in one press; a
  refusal (of the save or of the completion) shows the form again with everything typed
  still there, each message next to its field, and asks for the files again;
- "Save" without JavaScript comes back to the form (``#task-N``) with a one-time notice;
- the format editor and the unit's form use the page's whole width at 1366 px and never make
  the page wider than a 390 px phone (``check_page``: screenshots, width, axe-core).

Each test starts its own case through the service, in the live server's SQLite database (as
tests/browser/notify_helpers.py does), so it does not depend on the case list's start form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from alur.core.engine import Complete, Decide
from alur.core.model import Answer
from alur.core.plugins import create_plugin_manager
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import User
from alur.tenants.testing.postgres import run_coroutine
from tests.browser.case_page import SLUG, CasePage, kabid_units
from tests.browser.page_check import check_page

PLUGIN = "satpolpp_banyumas"
SOP = "pengumpulan-data-kinerja"


def _run(log_path: Path, work: Any) -> Any:
    async def main() -> Any:
        db = await open_database(f"sqlite:///{log_path.parent / 'alur.db'}", run_migrations=False)
        try:
            return await work(db)
        finally:
            await close_database(db)

    return run_coroutine(main())


def start_case(
    live_server, office, period: str, *, to_fill: bool = False, to_check: bool = False
) -> str:
    """A new case of the SOP for ``period`` (the Staf starts it); with ``to_check``, carried
    to step 2 (the Kasubag checks the format: the sample format, completed); with
    ``to_fill``, to step 4 (each Kabid fills their bidang): the sample format, "ya", handed
    over."""
    staf, kasubag = office.login_for("Staf"), office.login_for("Kasubag Perencanaan")

    async def work(db: Any) -> str:
        service = await TenantService.open(db, create_plugin_manager(), SLUG)
        ids = {
            r["username"]: r["id"]
            for r in await User.select(User.id, User.username).where(
                User.username.is_in([staf, kasubag])
            )
        }
        case = await service.start_case(ids[staf], SOP, period)
        if not (to_fill or to_check):
            return case.key
        steps = ((1, staf, "complete"), (2, kasubag, "ya"), (3, staf, "done"))
        for step, who, action in steps[:1] if to_check else steps:
            case = await service.case(case.key)
            (task,) = [t.id for t in case.state.open_tasks.values() if t.step == step]
            await fill_in_sample(KinerjaService(service), ids[who], case.key, task)
            act = Decide(task, Answer.YA, "Sudah sesuai.") if action == "ya" else Complete(task, "")
            await service.act(ids[who], case.key, act)
        return case.key

    return _run(live_server.log_path, work)


def _post(page: Page, button, *, javascript: bool, status: int) -> None:
    """Press ``button``: through htmx (the live region is swapped), or a plain POST that
    answers ``status`` (a 303 is followed to the case page)."""
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        if javascript:
            page.evaluate("document.querySelector('#case-live-inner').dataset.stale = '1'")
            button.click()
        else:
            with page.expect_navigation():
                button.click()
    response = info.value
    assert response.status == status, (response.url, response.status)
    assert (response.request.headers.get("hx-request") == "true") is javascript
    if javascript:
        expect(page.locator("#case-live > #case-live-inner:not([data-stale])")).to_have_count(1)


def _described_error(field) -> None:
    """``field`` is marked invalid and its message stands next to it."""
    expect(field).to_have_attribute("aria-invalid", "true")
    message_id = field.get_attribute("aria-describedby")
    assert message_id, "the field names no message"
    expect(field.page.locator(f"[id='{message_id}'].error")).to_be_visible()


def _boxes_focusable(page: Page) -> None:
    """Every scrolling box of the data kinerja forms can be reached with the keyboard."""
    boxes = page.locator("section.kinerja .overflow-auto")
    for n in range(boxes.count()):
        box = boxes.nth(n)
        expect(box).to_have_attribute("tabindex", "0")
        expect(box).to_have_attribute("role", "region")
        assert box.get_attribute("aria-label")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_complete_before_save_keeps_and_saves_the_format(live_server, new_page, javascript):
    office = live_server.office_of_plugin(PLUGIN)
    period = f"Triwulan {'I' if javascript else 'II'} 2031"
    key = start_case(live_server, office, period)
    page = new_page(office.login_for("Staf"), javascript=javascript)
    staf = CasePage(page, f"/t/{SLUG}/cases/{key}").open()
    editor = staf.task(1).locator("form.kinerja-format")
    expect(editor).to_have_count(1)

    _boxes_focusable(page)
    if javascript:  # (a page without JavaScript cannot be measured or run axe)
        # At 1366 px the work has the page's width: the whole editor fits without scrolling.
        box = editor.locator(".table-box")
        assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), "the editor is cramped"
        main = page.locator("main").bounding_box()
        live = staf.live.bounding_box()
        assert main is not None
        assert live is not None
        assert live["width"] > 0.9 * main["width"], (live, main)
        check_page(page, "case-format-editor")

    # Typed, not saved, "Complete" pressed at once — with a target that is not a number.
    row0, row1 = editor.locator("tr[data-row='0']"), editor.locator("tr[data-row='1']")
    row0.locator("input[name='r0.code']").fill("IKU-1")
    row0.locator("[name='r0.sasaran']").fill("Meningkatnya ketertiban umum")
    row0.locator("[name='r0.text']").fill("Persentase perda yang ditegakkan")
    row0.locator("input[name='r0.unit_of_measure']").fill("%")
    row0.locator("input[name='r0.target']").fill("seratus")
    row1.locator("input[name='r1.code']").fill("IKU-2")
    row1.locator("[name='r1.sasaran']").fill("Meningkatnya ketertiban umum")
    row1.locator("[name='r1.text']").fill("Jumlah pengaduan belum ditindaklanjuti")
    row1.locator("input[name='r1.unit_of_measure']").fill("pengaduan")
    row1.locator("input[name='r1.target']").fill("10")
    row1.locator("select[name='r1.direction']").select_option("lower")
    ticked = row1.locator("input[name='r1.units']").first
    unit_slug = ticked.get_attribute("value")
    ticked.check()
    staf.task(1).locator("textarea[name=note]").fill("Format awal terlampir.")
    _post(page, staf.task(1).locator("[data-complete]"), javascript=javascript, status=422)

    editor = staf.task(1).locator("form.kinerja-format")
    expect(editor.locator("[name='r0.text']")).to_have_value("Persentase perda yang ditegakkan")
    expect(editor.locator("input[name='r0.target']")).to_have_value("seratus")
    expect(editor.locator("input[name='r1.code']")).to_have_value("IKU-2")
    expect(editor.locator("select[name='r1.direction']")).to_have_value("lower")
    expect(editor.locator(f"input[name='r1.units'][value='{unit_slug}']")).to_be_checked()
    expect(staf.task(1).locator("textarea[name=note]")).to_have_value("Format awal terlampir.")
    _described_error(editor.locator("input[name='r0.target']"))
    if javascript:
        check_page(page, "case-format-refused")

    # Corrected and completed: the format is saved and the step is done, in one press.
    editor.locator("input[name='r0.target']").fill("100")
    _post(
        page,
        staf.task(1).locator("[data-complete]"),
        javascript=javascript,
        status=200 if javascript else 303,
    )
    expect(staf.task(1)).to_have_count(0)
    expect(staf.any_task(2)).to_have_count(1)
    page.goto(f"/t/{SLUG}/cases/{key}/kinerja")
    expect(page.locator("main")).to_contain_text("Jumlah pengaduan belum ditindaklanjuti")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_complete_before_save_keeps_and_saves_the_units_data(live_server, new_page, javascript):
    office = live_server.office_of_plugin(PLUGIN)
    period = f"Triwulan {'III' if javascript else 'IV'} 2031"
    key = start_case(live_server, office, period, to_fill=True)
    kabids = kabid_units(office)
    username, unit = next(iter(kabids.items())) if javascript else list(kabids.items())[-1]
    page = new_page(username, javascript=javascript)
    kabid = CasePage(page, f"/t/{SLUG}/cases/{key}").open()
    task = kabid.task(4, unit)
    form = task.locator("form.kinerja-fill-form")
    expect(form).to_have_count(1)
    if javascript:
        check_page(page, "case-fill-form")

    codes = [
        name.removesuffix(".realisasi")
        for name in form.locator("input[name$='.realisasi']").evaluate_all(
            "inputs => inputs.map(i => i.name)"
        )
    ]
    assert len(codes) >= 2, codes
    first = codes[0]
    form.locator(f"input[name='{first}.realisasi']").fill("sembilan puluh")
    for code in codes[1:]:
        form.locator(f"input[name='{code}.realisasi']").fill("9")
    for code in codes:
        form.locator(f"textarea[name='{code}.explanation']").fill(f"Penjelasan {code}.")
    form.locator(f"input[name='{first}.evidence']").set_input_files(
        files=[{"name": "bukti.txt", "mimeType": "text/plain", "buffer": b"bukti\n"}]
    )
    task.locator("textarea[name=note]").fill("Data bidang sudah diisi.")
    _post(page, task.locator("[data-complete]"), javascript=javascript, status=422)

    task = kabid.task(4, unit)
    form = task.locator("form.kinerja-fill-form")
    expect(form.locator(f"input[name='{first}.realisasi']")).to_have_value("sembilan puluh")
    for code in codes[1:]:
        expect(form.locator(f"input[name='{code}.realisasi']")).to_have_value("9")
    for code in codes:
        expect(form.locator(f"textarea[name='{code}.explanation']")).to_have_value(
            f"Penjelasan {code}."
        )
    expect(task.locator("textarea[name=note]")).to_have_value("Data bidang sudah diisi.")
    _described_error(form.locator(f"input[name='{first}.realisasi']"))
    evidence = form.locator(f"input[name='{first}.evidence']")
    _described_error(evidence)  # "bukti.txt was not saved: choose the files again"
    expect(page.locator(f"[id='{evidence.get_attribute('aria-describedby')}']")).to_contain_text(
        "bukti.txt"
    )
    expect(task.locator(".kinerja-version")).to_have_attribute("data-version", "0")  # unsaved
    if javascript:
        check_page(page, "case-fill-refused")

    form.locator(f"input[name='{first}.realisasi']").fill("90")
    _post(
        page,
        task.locator("[data-complete]"),
        javascript=javascript,
        status=200 if javascript else 303,
    )
    expect(kabid.any_task(4, unit)).to_have_count(0)
    page.goto(f"/t/{SLUG}/cases/{key}/kinerja")
    saved = page.locator("section.kinerja-unit .kinerja-version[data-version='1']")
    expect(saved).to_have_count(1)


def test_a_save_without_javascript_returns_to_the_form_saying_so(live_server, new_page):
    office = live_server.office_of_plugin(PLUGIN)
    key = start_case(live_server, office, "Semester I 2031")
    page = new_page(office.login_for("Staf"), javascript=False)
    staf = CasePage(page, f"/t/{SLUG}/cases/{key}").open()
    task_id = staf.task(1).get_attribute("data-task")
    editor = staf.task(1).locator("form.kinerja-format")
    editor.locator("input[name='r0.code']").fill("IKU-1")
    editor.locator("[name='r0.sasaran']").fill("Meningkatnya ketertiban umum")
    editor.locator("[name='r0.text']").fill("Persentase perda yang ditegakkan")
    editor.locator("input[name='r0.unit_of_measure']").fill("%")
    editor.locator("input[name='r0.target']").fill("100")
    with (
        page.expect_response(lambda r: r.request.method == "POST") as info,
        page.expect_navigation(),
    ):
        editor.locator("[data-save]").click()
    assert info.value.status == 303
    assert info.value.headers["location"].endswith(f"/cases/{key}#task-{task_id}")
    assert page.url.endswith(f"#task-{task_id}"), page.url
    notice = staf.task(1).locator("section.kinerja [role=status]")
    expect(notice).to_have_count(1)
    expect(staf.task(1).locator("input[name='r0.code']")).to_have_value("IKU-1")
    staf.open()  # once: a reload does not say it again
    expect(staf.task(1).locator("section.kinerja [role=status]")).to_have_count(0)


def test_the_format_check_answers_from_the_editor(live_server, new_page):
    """The Kasubag's check of the format (step 2, a gate bound to the format): the editor
    carries the question, the note and Ya / Tidak, at both sizes; a "Ya" with a correction
    typed and not saved first saves it and answers."""
    office = live_server.office_of_plugin(PLUGIN)
    key = start_case(live_server, office, "Semester II 2031", to_check=True)
    page = new_page(office.login_for("Kasubag Perencanaan"))
    kasubag = CasePage(page, f"{live_server.url}/t/{SLUG}/cases/{key}").open()
    editor = kasubag.task(2).locator("form.kinerja-format")
    expect(editor.locator("fieldset.decision[data-decide] button[data-answer=ya]")).to_have_count(1)
    expect(kasubag.task(2).locator("form.decision")).to_have_count(0)  # no second form
    check_page(page, "case-format-check")
    kasubag.open()  # afresh: htmx's settle would copy the style attributes axe left behind
    target = kasubag.task(2).locator("form.kinerja-format input[name$='.target']").first
    target.fill("95")
    kasubag.decide(2, "ya", "Target dikoreksi.", badge_delta=-1)
    expect(kasubag.task(2)).to_have_count(0)
    page.goto(f"/t/{SLUG}/cases/{key}/kinerja")
    expect(page.locator("main td", has_text="95")).not_to_have_count(0)
