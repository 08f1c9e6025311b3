"""Every page, for each kind of user, at a desk (1366×900) and on a phone (390×844).

Each page goes through ``page_check.check_page``: a screenshot at both sizes in
``artifacts/screenshots/``, no sideways scroll at 390 px, and axe-core with no serious or
critical violation (results in ``artifacts/axe/``). The case pages are opened with every
``<details>`` open (the step forms, "Data tambahan", the handover), so each form is looked at
too. The demo offices of ``alur serve --demo`` give the cases: one just started (the Staf's
format editor), one waiting for the bidang (the Kabid's fill form), one returned, one finished.

Other pages (the leaders' view, the paraf/sign confirmation, ...) are checked by the tests
of the engineers who build them; this file covers the shell every page shares.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.page_check import check_page

SLUG = "satpolpp-banyumas"
PLUGIN = "satpolpp_banyumas"


def open_every_details(page) -> None:
    """Open every <details> (the step forms folded on the case page), as a person would."""
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")


def case_keys(live_server) -> dict[str, str]:
    """The demo cases of the office, by status word ("started", "waiting", ...)."""
    office = live_server.office_of_plugin(PLUGIN)
    keys = {}
    for case in office.cases:
        if case.status == "finished":
            keys["finished"] = case.key
        elif case.period.startswith("Triwulan IV"):
            keys["waiting"] = case.key
        elif case.period.startswith("Semester"):
            keys["returned"] = case.key
        elif case.period.startswith("Tahun"):
            keys["started"] = case.key
    return keys


HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter(h => h.getClientRects().length || h.closest("details"))
    .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 40)])"""


def heading_problems(page, name: str) -> list[str]:
    """One h1, and no heading more than one level below the one before it."""
    headings = page.evaluate(HEADINGS)
    found = []
    if [level for level, _ in headings].count(1) != 1:
        found.append(f"{name}: {[level for level, _ in headings].count(1)} h1 headings")
    previous = 0
    for level, text in headings:
        if level > previous + 1:
            found.append(f"{name}: h{level} {text!r} after h{previous}")
        previous = level
    return found


def check(page, name: str) -> None:
    """check_page (screenshots, width, axe), then the headings' order."""
    check_page(page, name)
    problems = heading_problems(page, name)
    assert not problems, "\n".join(problems)


def visit(page, path: str, name: str, *, details: bool = False) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, (path, response.status)
    if details:
        open_every_details(page)
    check(page, name)


# (who, login role, pages): each page is a path under the office, and a short name.
STAFF_PAGES = [
    ("inbox", "inbox"),
    ("cases", "cases"),
    ("sops", "sops"),
    ("sops/pengumpulan-data-kinerja", "sop"),
    ("notifications", "notifications"),
    ("settings", "settings"),
]

PEOPLE = [
    ("staf", "Staf"),
    ("kabid", "Kabid"),
    ("kasubag", "Kasubag Perencanaan"),
    ("sekretaris", "Sekretaris"),
    ("kepala", "Kepala Satuan"),
]


@pytest.mark.parametrize(("who", "role"), PEOPLE, ids=[p[0] for p in PEOPLE])
def test_staff_pages(who, role, live_server, new_page):
    office = live_server.office_of_plugin(PLUGIN)
    page = new_page(office.login_for(role))
    pages = STAFF_PAGES if who == "staf" else STAFF_PAGES[:2]
    for path, name in pages:
        visit(page, f"/t/{SLUG}/{path}", f"{who}-{name}")
    for state, key in sorted(case_keys(live_server).items()):
        visit(page, f"/t/{SLUG}/cases/{key}", f"{who}-case-{state}", details=True)
    if who in ("staf", "kepala"):
        keys = case_keys(live_server)
        visit(page, f"/t/{SLUG}/cases/{keys['finished']}/kinerja", f"{who}-kinerja-finished")
        visit(page, f"/t/{SLUG}/cases/{keys['waiting']}/kinerja", f"{who}-kinerja-waiting")


def take(page) -> None:
    """Claim my first open task on the case page (htmx swaps the live region)."""
    expect(page.locator("article.task.mine").first).to_be_visible()
    claim = page.locator("article.task.mine button[value=claim]")
    if claim.count():
        claim.first.click()
        expect(page.locator("article.task.mine button[value=claim]")).to_have_count(0)


def test_active_case_forms_open(live_server, new_page):
    """The Staf's format editor and a Kabid's fill form, taken and open, at both sizes."""
    office = live_server.office_of_plugin(PLUGIN)
    keys = case_keys(live_server)
    staf = new_page(office.login_for("Staf"))
    staf.goto(f"/t/{SLUG}/cases/{keys['started']}")
    take(staf)
    expect(staf.locator("article.task.mine form.kinerja-format")).to_have_count(1)
    open_every_details(staf)
    check(staf, "staf-case-format-editor")

    # a Kabid whose bidang has not filled in its data yet
    for username in [u for u, who in office.logins.items() if "— Kabid" in who]:
        kabid = new_page(username)
        kabid.goto(f"/t/{SLUG}/cases/{keys['waiting']}")
        if kabid.locator("article.task.mine").count():
            break
    take(kabid)
    open_every_details(kabid)
    check(kabid, "kabid-case-fill-form")


def test_pages_without_an_office(live_server, new_page):
    anonymous = new_page()
    visit(anonymous, "/login", "login")
    operator = new_page("operator")
    visit(operator, "/platform", "operator-platform")
    admin = new_page(live_server.office_of_plugin(PLUGIN).login_for("administrator"))
    visit(admin, "/", "admin-offices")


ADMIN_PAGES = ["", "people", "units", "calendar", "clock", "tokens", "webhooks"]


def test_admin_pages(live_server, new_page):
    office = live_server.office_of_plugin(PLUGIN)
    page = new_page(office.login_for("administrator"))
    for section in ADMIN_PAGES:
        visit(page, f"/t/{SLUG}/admin/{section}".rstrip("/"), f"admin-{section or 'home'}")
        if section:
            open_every_details(page)  # the add / edit forms folded under each list
            check(page, f"admin-{section}-forms")


FOCUS = """() => {
    const e = document.activeElement, s = getComputedStyle(e);
    return [e.tagName, e.textContent.trim().slice(0, 30), s.outlineStyle, parseFloat(s.outlineWidth)];
}"""


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_focus_ring_on_every_control(size, live_server, new_page):
    """Tabbing through a page: every link and control it reaches shows a solid outline of
    at least 2 px (a visible focus ring, not Pico's faint shadow)."""
    office = live_server.office_of_plugin(PLUGIN)
    page = new_page(office.login_for("Staf"))
    if size == "phone":
        page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/t/{SLUG}/cases")
    seen, missing = [], []
    for _ in range(25):
        page.keyboard.press("Tab")
        tag, text, style, width = page.evaluate(FOCUS)
        if tag == "BODY":
            break
        seen.append((tag, text))
        if style in ("none", "hidden") or width < 2:
            missing.append(f"{tag} {text!r}: outline {style} {width}px")
    assert len(seen) > 5, seen
    assert not missing, "no visible focus ring on:\n" + "\n".join(missing)


def test_the_header_on_a_phone(live_server, new_page):
    """At 390 px the header is two short lines (brand and office; inbox, bell and the menu),
    and the menu opens as a disclosure without JavaScript, every link inside it."""
    office = live_server.office_of_plugin(PLUGIN)
    bare = new_page(office.login_for("Staf"), javascript=False)
    bare.set_viewport_size({"width": 390, "height": 844})
    bare.goto(f"/t/{SLUG}/inbox")
    bare.locator("details.site-menu > summary").click()
    expect(bare.locator("details.site-menu a[href$='/cases']")).to_be_visible()

    page = new_page(office.login_for("Staf"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/t/{SLUG}/inbox")
    header = page.locator("header.site-header")
    box = header.bounding_box()
    assert box is not None
    assert box["height"] <= 130, box  # was a tall stack of every link
    expect(header.locator("#inbox-badge")).to_be_visible()
    expect(header.locator("#notice-badge")).to_be_visible()
    menu = header.locator("details.site-menu")
    expect(menu.locator("a[href$='/cases']")).to_be_hidden()
    menu.locator("summary").click()
    expect(menu.locator("a[href$='/cases']")).to_be_visible()
    expect(menu.locator("button[type=submit]").last).to_be_visible()  # sign out
    check(page, "staf-phone-menu-open")


FIRST_LETTERS = """() => [...document.querySelectorAll(".error")].map(e => [
    e.textContent.trim().slice(0, 40), getComputedStyle(e, "::first-letter").textTransform])"""


def test_a_refused_form_shows_each_error_as_a_sentence_next_to_its_field(live_server, new_page):
    """The Plt/Plh form sent empty (the browser's own checks off): each message stands under
    its field, tied to it (aria-invalid, aria-describedby), and reads as a sentence — the
    messages are written lower-case, and the page capitalises their first letter."""
    office = live_server.office_of_plugin(PLUGIN)
    page = new_page(office.login_for("administrator"))
    page.goto(f"/t/{SLUG}/admin/people")
    form = page.locator(f"form[action='/t/{SLUG}/admin/delegations']")
    page.locator("details.form-card:has(form[action$='/delegations']) > summary").click()
    form.evaluate("f => { f.noValidate = true; }")
    form.locator("[type=submit]").click()
    errors = page.locator("form[action$='/delegations'] small.error")
    expect(errors.first).to_be_visible()
    for n in range(errors.count()):
        error = errors.nth(n)
        field = page.locator(f"[aria-describedby='{error.get_attribute('id')}']")
        expect(field).to_have_attribute("aria-invalid", "true")
    shown = page.evaluate(FIRST_LETTERS)
    assert shown
    assert all(transform == "uppercase" for _, transform in shown), shown
    check(page, "admin-plh-refused")
