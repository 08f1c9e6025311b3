"""The leaders' dashboard in Chromium: every chart drawn by Chart.js (an instance per canvas,
pixels on it) under the strict CSP, at 1366 and 390 px (page_check: no sideways scroll, axe);
the same figures as tables without JavaScript; and printed to an A4 PDF with the navigation
hidden and the charts within the page."""

from __future__ import annotations

from pypdf import PdfReader

from tests.browser.page_check import ARTIFACTS, check_page, document_width

SLUG = "satpolpp-banyumas"
PAGE = f"/t/{SLUG}/dashboard"
A4_POINTS = (595, 842)  # 210 × 297 mm

# Per canvas: whether Chart.js has a chart on it, and how many of its pixels are not blank.
CHARTS = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((c) => {
  const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return {chart: !!(window.Chart && window.Chart.getChart(c)), painted,
          width: c.getBoundingClientRect().width, table: c.getAttribute("aria-describedby"),
          hasTable: !!document.getElementById(c.getAttribute("aria-describedby"))};
})"""


def _open(new_page, live_server, *, javascript: bool = True):
    office = live_server.offices[SLUG]
    page = new_page(office.login_for("Kepala"), javascript=javascript)
    response = page.goto(PAGE)
    assert response is not None
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    return page


def _assert_drawn(page) -> None:
    charts = page.evaluate(CHARTS)
    assert len(charts) >= 4, charts  # by kegiatan, by unit, capaian by indicator, by unit
    for c in charts:
        assert c["chart"], c
        assert c["painted"] > 500, c
        assert c["hasTable"], c


def test_the_charts_are_drawn_at_both_sizes(live_server, new_page) -> None:
    page = _open(new_page, live_server)
    _assert_drawn(page)
    check_page(page, "leaders-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)  # Chart.js redraws on resize
    _assert_drawn(page)
    assert all(c["width"] <= 390 for c in page.evaluate(CHARTS))
    # Periods are typed: a long one (as other browser tests start) must not widen the phone page.
    page.evaluate(
        """() => { const o = document.createElement("option");
        o.textContent = "Triwulan I 2027 (uji peramban 1764741234) dan seterusnya";
        document.querySelector("select#period").append(o); }"""
    )
    assert document_width(page) <= 390


def test_without_javascript_the_tables_hold_the_figures(live_server, new_page) -> None:
    page = _open(new_page, live_server, javascript=False)
    tables = page.locator("table.dash-table")
    assert tables.count() >= 5
    assert page.locator("table[data-table=steps] tbody tr").count() >= 1
    assert page.locator("table[data-table=indicators] td[data-capaian]").count() >= 1
    assert page.locator("table[data-table=late] tbody tr").count() >= 1
    assert page.locator("canvas[data-chart]").count() >= 4  # blank, each naming its table


def test_it_prints_on_a4(live_server, new_page) -> None:
    page = _open(new_page, live_server)
    # As printed: Chromium lays the page out at the A4 text width (210 mm less the 12 mm
    # margins of leaders.css's @page); the navigation is hidden and nothing is wider.
    a4_text_width = round((210 - 24) / 25.4 * 96)  # CSS pixels
    page.set_viewport_size({"width": a4_text_width, "height": 1000})
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(200)
    assert not page.locator("header.site-header").is_visible()
    for c in page.evaluate(CHARTS):
        assert 0 < c["width"] <= a4_text_width, c
    assert document_width(page) <= a4_text_width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "leaders-dashboard-a4.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    reader = PdfReader(str(pdf))
    assert 1 <= len(reader.pages) <= 6, len(reader.pages)
    for sheet in reader.pages:
        size = (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height)))
        assert size == A4_POINTS, size
    text = "\n".join(sheet.extract_text() for sheet in reader.pages)
    assert "Dasbor pimpinan" in text
    assert "Kotak masuk" not in text  # the navigation is not printed
    assert "Capaian" in text
