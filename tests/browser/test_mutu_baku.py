"""The Mutu baku page in Chromium on the demo (``alur serve --demo``), as the Kepala: every
chart drawn by Chart.js under the strict CSP (an instance per canvas, pixels on it), each
naming its table; at 1366 and 390 px (page_check: screenshots, no sideways scroll, axe); the
filters kept after a bad date; printed on A4 landscape; and the case page's actual times
beside the mutu baku."""

from __future__ import annotations

from pypdf import PdfReader

from tests.browser.page_check import ARTIFACTS, check_page, document_width
from tests.browser.test_leaders_dashboard import CHARTS

SLUG = "satpolpp-banyumas"
# the elements reaching past a width (a failing width check names them)
WIDER_THAN = """(w) => Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > w + 1).slice(0, 8)
  .map((e) => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))"""
PAGE = f"/t/{SLUG}/mutu-baku"


def _open(new_page, live_server, path: str = PAGE, *, javascript: bool = True):
    office = live_server.offices[SLUG]
    page = new_page(office.login_for("Kepala"), javascript=javascript)
    response = page.goto(path)
    assert response is not None
    page.wait_for_load_state("networkidle")
    return page, response


def _assert_drawn(page) -> list[dict]:
    charts = page.evaluate(CHARTS)
    assert len(charts) >= 2, charts  # per SOP with data: times, share within the mutu baku
    for c in charts:
        assert c["chart"], c
        assert c["painted"] > 500, c
        assert c["hasTable"], c
    return charts


def test_the_page_draws_its_charts_at_both_sizes(live_server, new_page) -> None:
    page, response = _open(new_page, live_server)
    assert response.status == 200
    assert page.locator("a[data-nav=mutu-baku]").count() == 1
    _assert_drawn(page)
    assert page.locator("table[data-table=steps] tbody tr").count() >= 1
    check_page(page, "mutu-baku")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)  # Chart.js redraws on resize
    for c in _assert_drawn(page):
        assert 0 < c["width"] <= 390, c
    assert document_width(page) <= 390


def test_a_bad_date_is_shown_by_its_field_and_kept(live_server, new_page) -> None:
    page, response = _open(new_page, live_server, f"{PAGE}?start=2026-02-30&unit=")
    assert response.status == 422
    error = page.locator("[data-error-field=start]")
    assert error.is_visible()
    assert page.locator("input[name=start]").get_attribute("value") == "2026-02-30"
    assert page.locator("input[name=start]").get_attribute("aria-invalid") == "true"
    check_page(page, "mutu-baku-bad-date")


def test_the_case_page_shows_actual_times(live_server, new_page) -> None:
    office = live_server.offices[SLUG]
    page, _ = _open(new_page, live_server)
    shown = 0
    for case in office.cases:
        page.goto(f"/t/{SLUG}/cases/{case.key}")
        times = page.locator("ol.steps [data-actual]")
        if times.count():
            shown += 1
            assert "mutu baku" in times.first.inner_text()
            if shown == 1:
                check_page(page, "case-actual-times")  # both sizes: no sideways scroll, axe
    assert shown >= 1


def test_it_prints_on_a4_landscape(live_server, new_page) -> None:
    page, _ = _open(new_page, live_server)
    a4_text_width = round((297 - 24) / 25.4 * 96)  # CSS pixels: A4 landscape less 12 mm margins
    page.set_viewport_size({"width": a4_text_width, "height": 1000})
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(200)
    assert not page.locator("header.site-header").is_visible()
    assert not page.locator("form[data-filters]").is_visible()
    for c in page.evaluate(CHARTS):
        assert 0 < c["width"] <= a4_text_width, c
    wide = page.evaluate(WIDER_THAN, a4_text_width)
    assert document_width(page) <= a4_text_width, wide
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "mutu-baku-a4.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, prefer_css_page_size=True)
    reader = PdfReader(str(pdf))
    assert 1 <= len(reader.pages) <= 12, len(reader.pages)
    size = reader.pages[0].mediabox
    assert (round(float(size.width)), round(float(size.height))) == (842, 595)
    assert "Mutu baku" in "\n".join(sheet.extract_text() for sheet in reader.pages)
