"""One whole case of Satpol PP Banyumas' "pengumpulan-data-kinerja", carried through in the
browser by each pelaksana in turn, each logged in as themselves.

Steps: 1 Staf draft (start) -> 2 Kasubag Perencanaan gate (ya->3, tidak->1) -> 3 Staf ->
4 Kabid per unit (fan-out) -> 5 Staf per-unit gate (ya->6, tidak->4) -> 6 Staf (join) ->
7 Kasubag -> 8 Sekretaris -> 9 Kepala Satuan (end, signature).

The bound steps use the data kinerja forms: the Staf designs the format (three indicators,
one lower-is-better) at step 1, each Kabid types their bidang's realisasi at step 4 (one
with a comma decimal), the returned bidang changes a value after the "Tidak" at step 5 and
the Staf sees old → new, then the recap is initialled and signed.

Every action is done through the page's htmx forms (the swap must happen without a full
reload, and the inbox badge must follow), except one done with JavaScript disabled to prove
the same forms post and redirect. Elements are found by structure and attributes, not by
their (translated) text.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.case_page import SLUG, CasePage, kabid_units, set_units_active
from tests.browser.conftest import PASSWORD
from tests.browser.page_check import DESKTOP, PHONE, check_page

PLUGIN = "satpolpp_banyumas"


SOP = "pengumpulan-data-kinerja"


STEPS = 9


RETURN_NOTE = "Kolom target dan realisasi belum ada, mohon dilengkapi."


UNIT_RETURN_NOTE = "Realisasi triwulan belum diisi untuk IKU 2."


FORMAT = [  # the format the Staf designs at step 1
    (
        "IKU-1",
        "Meningkatnya ketertiban umum",
        "Persentase perda yang ditegakkan",
        "%",
        "100",
        "higher",
    ),
    (
        "IKU-2",
        "Meningkatnya ketertiban umum",
        "Jumlah pengaduan belum ditindaklanjuti",
        "pengaduan",
        "10",
        "lower",
    ),
    (
        "IKU-3",
        "Meningkatnya akuntabilitas kinerja",
        "Nilai evaluasi SAKIP",
        "nilai",
        "80",
        "higher",
    ),
]


EXPLAINED = "Sesuai laporan bulanan bidang."


def check_approval(page, name: str) -> None:
    """The Paraf / Tandatangani confirmation at 1366 and 390 px (check_page), and the form
    itself within the phone's window."""
    check_page(page, name)
    try:
        page.set_viewport_size(PHONE)
        form = page.locator("form.approve").bounding_box()
    finally:
        page.set_viewport_size(DESKTOP)
    assert form is not None
    assert form["x"] >= 0
    assert form["x"] + form["width"] <= PHONE["width"], form


def test_one_case_walked_through_by_every_role(live_server, new_page, screenshot):
    office = live_server.office_of_plugin(PLUGIN)
    assert office.slug == SLUG
    all_kabids = kabid_units(office)
    assert len(all_kabids) > 2, office.logins
    # The case runs over two bidang only: the office admin deactivates the others first.
    keep = [u for u in all_kabids if u.endswith((".gakperda", ".linmas"))] or list(all_kabids)[:2]
    kabids = {u: all_kabids[u] for u in keep}
    dropped = [unit for u, unit in all_kabids.items() if u not in kabids]
    returned_unit = kabids[keep[-1]]  # this unit's data gets a "tidak" at step 5

    admin_page = new_page(office.login_for("administrator"))
    set_units_active(admin_page, dropped, active=False)

    # --- 1. Staf starts a new case from the cases page ----------------------------------
    staf_page = new_page(office.login_for("Staf"))
    staf_page.goto(f"/t/{SLUG}/cases")
    inbox_before = int(
        staf_page.locator("header #inbox-badge mark.badge").get_attribute("data-count") or 0
    )
    staf_page.locator("main details > summary").first.click()
    start = staf_page.locator("form.start-case")
    start.locator("select[name=sop]").select_option(SOP)
    # the period is chosen: the first year offered (two years back) no demo case uses
    start.locator("select[name=period_part]").select_option("Triwulan I")
    year = start.locator("select[name=period_year] option").first.get_attribute("value")
    start.locator("select[name=period_year]").select_option(year)
    with staf_page.expect_navigation():
        start.locator("[type=submit]").click()
    assert re.search(rf"/t/{SLUG}/cases/\w+$", staf_page.url), staf_page.url
    staf = CasePage(staf_page, staf_page.url)
    key = staf.url.rsplit("/", 1)[1]
    expect(staf.live.locator(".case-status .status")).to_have_class(re.compile("status-active"))
    status_line = staf.live.locator(".case-status").inner_text()
    assert all(unit in status_line for unit in kabids.values()), status_line
    assert not any(unit in status_line for unit in dropped), status_line
    assert staf.step_states() == {1: "current", **dict.fromkeys(range(2, STEPS + 1), "todo")}
    assert staf.badge_count() == inbox_before + 1  # the new draft task is in my inbox

    # Reactivating the units now does not add them to the running case (checked at step 4).
    set_units_active(admin_page, dropped, active=True)

    # Step 1: design the format (one row added with htmx stays empty), then complete with a
    # note and an attachment. The office has one Staf: no "Ambil", she simply works it.
    expect(staf.task(1).locator("form[action$='/claim']")).to_have_count(0)
    editor = staf.task(1).locator("form.kinerja-format")
    expect(editor.locator("tr[data-row]")).to_have_count(3)  # no format yet: spare rows
    staf.page.evaluate("window.__marker = 1")
    editor.locator("button.kinerja-add-row").click()
    expect(editor.locator("tr[data-row]")).to_have_count(4)
    assert staf.page.evaluate("window.__marker") == 1, "the page was reloaded"
    staf.save_format(1, FORMAT)
    saved = staf.task(1).locator("form.kinerja-format")
    expect(saved.locator("input[name='r1.code']")).to_have_value("IKU-2")
    expect(saved.locator("select[name='r1.direction']")).to_have_value("lower")
    expect(saved.locator("tr[data-row]")).to_have_count(len(FORMAT) + 3)
    staf.task(1).locator("input[type=file][name=attachment]").set_input_files(
        files=[
            {
                "name": "draft-format-data-kinerja.txt",
                "mimeType": "text/plain",
                "buffer": b"IKU | target | realisasi\n",
            }
        ]
    )
    staf.complete(1, "Draft format terlampir.", badge_delta=-1)
    expect(staf.live.locator("ul.attachments a")).to_contain_text(["draft-format-data-kinerja"])
    expect(staf.any_task(2)).to_have_count(1)
    # The steps overview and the flowchart marks follow the htmx swap (out of band).
    expect(staf.page.locator("ol.steps > li[data-step='1']")).to_have_attribute(
        "data-state", "done"
    )
    expect(staf.page.locator("ol.steps > li[data-step='2']")).to_have_attribute(
        "data-state", "current"
    )
    assert staf.page.locator("#inbox-badge").count() == 1
    flow = staf.page.locator(".case-flow")  # coloured by static/alur.js (no inline style)
    expect(flow.locator("tr.sop-row[data-step='1']")).to_have_class(re.compile(r"\bflow-done\b"))
    expect(flow.locator("tr.sop-row[data-step='2']")).to_have_class(re.compile(r"\bflow-current\b"))
    current = flow.locator("tr.sop-row[data-step='2'] > td").first
    expect(current).to_have_css("background-color", "rgb(255, 245, 157)")

    # --- 2. Kasubag Perencanaan: "tidak" without a note is refused, then with one --------
    kasubag = CasePage(new_page(office.login_for("Kasubag Perencanaan")), staf.url).open()
    # The Kasubag corrects the format at step 2: the same editor, with the Staf's rows.
    expect(kasubag.task(2).locator("input[name='r2.code']")).to_have_value("IKU-3")
    events_before = kasubag.events().count()
    kasubag.decide(2, "tidak", "", status=422, badge_delta=0)
    expect(kasubag.live.locator("[role=alert]")).to_be_visible()
    expect(kasubag.task(2)).to_have_count(1)  # nothing changed
    expect(kasubag.events()).to_have_count(events_before)
    kasubag.open()
    assert kasubag.step_states()[2] == "current"
    kasubag.decide(2, "tidak", RETURN_NOTE, badge_delta=-1)
    expect(kasubag.task(2)).to_have_count(0)
    expect(kasubag.live.locator("ol.timeline .answer-tidak")).to_have_count(1)
    expect(kasubag.live.locator("ol.timeline blockquote").first).to_have_text(RETURN_NOTE)

    # --- Staf sees the returned task with the note, in the inbox and on the case ---------
    staf_page.goto(f"/t/{SLUG}/inbox")
    row = staf_page.locator(f"table.inbox tbody tr:has(a[href*='/cases/{key}'])")
    expect(row).to_have_count(1)
    expect(row.locator(".returned")).to_contain_text(RETURN_NOTE)
    screenshot(staf_page, "inbox-staf-returned-task")
    with staf_page.expect_navigation():
        row.locator(f"a[href*='/cases/{key}']").click()
    assert staf_page.url.startswith(staf.url), staf_page.url  # the case, at the task
    expect(staf.task(1).locator(".returned")).to_contain_text(RETURN_NOTE)
    assert staf.step_states()[1] == "current"
    staf.complete(1, "Kolom target dan realisasi sudah ditambahkan.", badge_delta=-1)

    kasubag.open()
    kasubag.decide(2, "ya", badge_delta=-1)
    expect(kasubag.task(2)).to_have_count(0)

    # --- 3. Staf copies and hands the format to every Kabid: the fan-out ----------------
    staf.open()
    staf.complete(3, "Format digandakan dan diserahkan ke Kabid.", badge_delta=-1)
    # One task per unit of the case: the units reactivated meanwhile are not added.
    expect(staf.any_task(4)).to_have_count(len(kabids))
    for unit in kabids.values():
        expect(staf.any_task(4, unit)).to_have_count(1)

    # --- 4. Each Kabid fills in their own bidang's data ----------------------------------
    kabid_pages: dict[str, CasePage] = {}
    for n, (username, unit) in enumerate(kabids.items()):
        page = new_page(username)
        kabid = CasePage(page, staf.url)
        kabid_pages[username] = kabid
        # From the inbox to the case: only my own unit's task is mine.
        page.goto(f"/t/{SLUG}/inbox")
        link = page.locator(f"table.inbox a[href*='/cases/{key}']")
        expect(link).to_have_count(1)
        with page.expect_navigation():
            link.click()
        expect(kabid.task(4)).to_have_count(1)
        expect(kabid.task(4)).to_contain_text(unit)
        expect(kabid.any_task(4)).to_have_count(len(kabids) - n)  # the others are not mine
        # one Kabid per bidang: nobody else could take it, so there is no "Ambil"
        expect(kabid.task(4).locator("form[action$='/claim']")).to_have_count(0)
        values = {
            "IKU-1": ("87,5" if n == 0 else "100", EXPLAINED),
            "IKU-2": ("15" if unit == returned_unit else "4", EXPLAINED),
            "IKU-3": ("80", EXPLAINED),
        }
        kabid.save_data(4, values, unit=unit)
        expect(kabid.task(4).locator(".kinerja-version")).to_have_attribute("data-version", "1")
        expect(kabid.task(4).locator("input[name='IKU-1.realisasi']")).to_have_value(
            values["IKU-1"][0]
        )
        if n == 0:  # ... and attaches the filled-in sheet when completing
            screenshot(page, "kinerja-fill-form")
            kabid.task(4).locator("input[type=file][name=attachment]").set_input_files(
                files=[
                    {
                        "name": f"data-kinerja-{username.rsplit('.', 1)[1]}.csv",
                        "mimeType": "text/csv",
                        "buffer": b"iku,target,realisasi\n1,100,97\n",
                    }
                ]
            )
        kabid.complete(4, f"Data kinerja {unit} sudah diisi.", badge_delta=-1)
        expect(kabid.any_task(4, unit)).to_have_count(0)

    # --- 5. Staf verifies each bidang's data: one "tidak" returns only that bidang --------
    staf.open()
    expect(staf.task(5)).to_have_count(len(kabids))
    assert staf.step_states()[5] == "current"
    screenshot(staf_page, "case-mid-walk-verification", full_page=False)
    staf.decide(5, "tidak", UNIT_RETURN_NOTE, unit=returned_unit, badge_delta=-1)
    expect(staf.any_task(4)).to_have_count(1)
    expect(staf.any_task(4, returned_unit)).to_have_count(1)
    for unit in kabids.values():
        if unit != returned_unit:
            staf.decide(5, "ya", unit=unit, badge_delta=-1)
    expect(staf.task(6)).to_have_count(0)  # the join waits for the returned bidang

    returned_kabid = kabid_pages[keep[-1]].open()
    expect(returned_kabid.task(4).locator(".returned")).to_contain_text(UNIT_RETURN_NOTE)
    expect(returned_kabid.task(4).locator("input[name='IKU-2.realisasi']")).to_have_value("15")
    returned_kabid.save_data(4, {"IKU-2": ("8", EXPLAINED)}, unit=returned_unit)
    expect(returned_kabid.task(4).locator(".kinerja-version")).to_have_attribute(
        "data-version", "2"
    )
    returned_kabid.complete(4, "Realisasi IKU 2 sudah diisi.", badge_delta=-1)

    # The Staf sees what the bidang changed since the "Tidak": IKU-2 15 → 8, nothing else.
    staf.open()
    changed = staf.task(5, returned_unit).locator("td.changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("del")).to_have_text("15")
    expect(changed.locator("ins")).to_have_text("8")
    expect(changed).to_have_attribute("data-field", "realisasi")
    staf.decide(5, "ya", unit=returned_unit, badge_delta=0)  # step 6 opens for me: net 0
    expect(staf.task(5)).to_have_count(0)

    # --- 6. Staf enters the data (the join) ----------------------------------------------
    expect(staf.task(6)).to_have_count(1)
    recap = staf.task(6).locator("table.kinerja-recap")
    expect(recap.locator("tr[data-indicator]")).to_have_count(len(FORMAT))
    iku1 = recap.locator("tr[data-indicator='IKU-1']")
    expect(iku1.locator("td.capaian", has_text="87,50")).to_have_count(1)  # 87,5 ÷ 100
    screenshot(staf_page, "kinerja-recap")
    # every bidang column, in its own focusable scrolling box
    expect(staf.task(6).locator(".table-box[tabindex='0'][role=region]")).to_have_count(1)
    check_page(staf_page, "case-recap")
    staf.complete(6, "Data kinerja dientri dan diserahkan.", badge_delta=-1)

    # --- 7. Kasubag validates and initials: Paraf, with the password asked again ----------
    kasubag.open()
    approve = kasubag.task(7).locator("form.approve[data-approve=paraf]")
    expect(approve).to_have_count(1)
    expect(kasubag.task(7).locator("form.complete")).to_have_count(0)  # no plain Selesaikan
    expect(kasubag.task(7).locator("table.kinerja-recap")).to_have_count(1)  # what is approved
    preview = kasubag.page.request.get(
        approve.locator("[data-approve-preview]").get_attribute("href") or ""
    )
    assert preview.status == 200
    assert preview.headers["content-type"] == "application/pdf"
    check_approval(kasubag.page, "approve-paraf")
    kasubag.open()  # afresh: htmx's settle would copy the style attributes axe left behind
    # a wrong password: refused next to the field, the note kept, nothing recorded
    kasubag.approve(7, "Divalidasi dan diparaf.", "bukan-sandinya", status=422, badge_delta=0)
    form = kasubag.task(7).locator("form.approve")
    expect(form.locator("input[name=password][aria-invalid=true]")).to_have_count(1)
    expect(form.locator("small.error[id^=approve-password-error]")).to_be_visible()
    expect(form.locator("textarea[name=note]")).to_have_value("Divalidasi dan diparaf.")
    check_approval(kasubag.page, "approve-paraf-refused")
    kasubag.open()
    kasubag.approve(7, "Divalidasi dan diparaf.", PASSWORD, badge_delta=-1)
    expect(kasubag.task(7)).to_have_count(0)

    # --- 8. Sekretaris initials, with JavaScript disabled: plain POST, then a redirect ----
    sekretaris_page = new_page(office.login_for("Sekretaris"), javascript=False)
    sekretaris = CasePage(sekretaris_page, staf.url).open()
    task = sekretaris.task(8)
    expect(task).to_have_count(1)
    form = task.locator("form.approve[data-approve=paraf]")
    form.locator("textarea[name=note]").fill("Paraf Sekretaris.")
    form.locator("input[name=confirm]").check()
    form.locator("input[name=password]").fill(PASSWORD)
    with (
        sekretaris_page.expect_response(
            lambda r: r.request.method == "POST" and "/approve/" in r.url
        ) as info,
        sekretaris_page.expect_navigation(),
    ):
        form.locator("[data-approve-submit]").click()
    assert info.value.status == 303, info.value.status
    assert info.value.request.headers.get("hx-request") is None
    assert sekretaris_page.url == staf.url, sekretaris_page.url
    expect(sekretaris.task(8)).to_have_count(0)
    expect(sekretaris.any_task(9)).to_have_count(1)
    assert sekretaris.step_states()[9] == "current"

    # --- 9. Kepala Satuan signs: the end -------------------------------------------------
    kepala = CasePage(new_page(office.login_for("Kepala Satuan")), staf.url).open()
    expect(kepala.task(9).locator("form.approve[data-approve=sign]")).to_have_count(1)
    check_approval(kepala.page, "approve-sign")
    kepala.open()
    kepala.approve(9, "Ditandatangani.", PASSWORD, badge_delta=-1)
    expect(kepala.live.locator(".case-status .status")).to_have_class(re.compile("status-finished"))
    expect(kepala.live.locator("article.task")).to_have_count(0)

    kepala.open()
    assert kepala.step_states() == dict.fromkeys(range(1, STEPS + 1), "done")
    steps_in_timeline = {
        int(m.group(1))
        for ref in kepala.live.locator("ol.timeline .step-ref").all_inner_texts()
        if (m := re.match(r"\s*(\d+)\.", ref))
    }
    assert steps_in_timeline == set(range(1, STEPS + 1))
    # Two "tidak" in the history (step 2, and step 5 for one bidang), every note kept.
    expect(kepala.live.locator("ol.timeline .answer-tidak")).to_have_count(2)
    timeline = kepala.live.locator("ol.timeline").inner_text()
    assert RETURN_NOTE in timeline
    assert UNIT_RETURN_NOTE in timeline
    # Nobody acted as Plt/Plh: every event was done by the official themself.
    assert not re.search(r"\bPl[th]\b", timeline), timeline
    expect(kepala.live.locator("ol.timeline .who small")).to_have_count(0)
    screenshot(kepala.page, "case-finished")

    # The data kinerja page: two paraf and the tanda tangan, all holding for the recap.
    with kepala.page.expect_navigation():
        kepala.page.locator("a.kinerja-link").click()
    approvals = kepala.page.locator("ul.approvals > li")
    expect(approvals).to_have_count(3)
    expect(kepala.page.locator("ul.approvals > li.valid")).to_have_count(3)
    pdf = kepala.page.request.get(kepala.page.url + "/laporan.pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    screenshot(kepala.page, "kinerja-page-signed")

    # The finished case is listed as such; the SOP document opens from the case page.
    staf_page.goto(f"/t/{SLUG}/cases?status=finished")
    expect(staf_page.locator(f"table a[href='/t/{SLUG}/cases/{key}']")).to_have_count(1)
    staf.open()
    with staf_page.expect_navigation():
        staf_page.locator(f"a[href='/t/{SLUG}/sops/{SOP}']").first.click()
    expect(staf_page.locator(f".sop-document[data-sop='{SOP}']")).to_be_visible()
    screenshot(staf_page, "sop-document-from-case")


def test_language_switch(live_server, new_page):
    """The header's language select switches the UI and stays on the same page."""
    office = live_server.office_of_plugin(PLUGIN)
    page = new_page(office.login_for("Staf"), fresh=True)  # its own session: lang changes
    page.goto(f"/t/{SLUG}/cases")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    title_id = page.locator("main h1").inner_text()
    with page.expect_navigation():
        page.locator("header select[name=lang]").select_option("en")
    assert page.url.endswith(f"/t/{SLUG}/cases"), page.url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header select[name=lang]")).to_have_value("en")
    assert page.locator("main h1").inner_text() == "Cases"
    assert title_id != "Cases"
    page.goto(f"/t/{SLUG}/inbox")  # the choice is kept
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.locator("header select[name=lang]").select_option("id")
    expect(page.locator("html")).to_have_attribute("lang", "id")
