"""The Content-Security-Policy in a real browser: the main pages and an htmx action run
without a single violation (new_page fails a test on any: see conftest), and a violation,
when there is one, is indeed caught."""

from __future__ import annotations

import re

from playwright.sync_api import expect

SLUG = "satpolpp-banyumas"
SOP = "pengumpulan-data-kinerja"


def _case_key(live_server, period: str) -> str:
    office = live_server.offices[SLUG]
    return next(c.key for c in office.cases if c.sop_id == SOP and c.period == period)


def _visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, (path, response.status)
    assert "script-src 'self'" in response.headers["content-security-policy"], path
    page.wait_for_load_state("networkidle")


def test_main_pages_and_an_htmx_action_without_violations(live_server, new_page, screenshot):
    office = live_server.offices[SLUG]
    anonymous = new_page()
    _visit(anonymous, "/login")

    admin = new_page(office.login_for("administrator"))
    for path in (
        "admin",
        "admin/units",
        "admin/people",
        "admin/tokens",
        f"sops/{SOP}",
        "mutu-baku",
    ):
        _visit(admin, f"/t/{SLUG}/{path}")

    staf = new_page(office.login_for("Staf"))
    key = _case_key(live_server, "Tahun 2026")  # just started: step 1 is the Staf's
    _visit(staf, f"/t/{SLUG}/inbox")
    _visit(staf, f"/t/{SLUG}/cases")
    _visit(staf, f"/t/{SLUG}/cases/{key}")
    expect(staf.locator(".case-flow tr.sop-row[data-step='1']")).to_have_class(
        re.compile(r"\bflow-current\b")
    )
    # An htmx action, refused (no format yet): the error is swapped in, nothing is stored.
    staf.evaluate("window.__marker = 1")
    with staf.expect_response(lambda r: r.request.method == "POST") as info:
        staf.locator("article.task.mine[data-step='1'] [data-complete]").click()
    assert info.value.status == 422
    assert info.value.request.headers.get("hx-request") == "true"
    expect(staf.locator("#case-live [role=alert]")).to_be_visible()
    assert staf.evaluate("window.__marker") == 1, "the page was reloaded"
    _visit(staf, f"/t/{SLUG}/cases/{key}/kinerja")
    finished = _case_key(live_server, "Triwulan III 2026")
    _visit(staf, f"/t/{SLUG}/cases/{finished}/kinerja")

    operator = new_page("operator")
    _visit(operator, "/platform")


def test_a_violation_is_caught(live_server, new_page, csp_violations):
    page = new_page()
    _visit(page, "/login")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    expect(page.locator("body > p")).to_have_count(1)
    for _ in range(50):  # the console message arrives asynchronously (at most 1 s)
        if any("style" in v for v in csp_violations):
            break
        page.wait_for_timeout(20)
    assert any("style" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # expected here: do not fail the test for it


def test_pages_fit_a_phone_without_sideways_scrolling(live_server, new_page):
    """At 390×844 no page scrolls sideways: wide tables (the format editor, the flowchart,
    the SOP document) scroll inside their own boxes. The case page at step 1 holds the
    format editor, which once stretched the whole page to 1148 px."""
    staf = new_page(live_server.offices[SLUG].login_for("Staf"))
    staf.set_viewport_size({"width": 390, "height": 844})
    key = _case_key(live_server, "Tahun 2026")
    for path in ("inbox", "cases", f"cases/{key}", f"cases/{key}/kinerja", f"sops/{SOP}"):
        _visit(staf, f"/t/{SLUG}/{path}")
        width = staf.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
