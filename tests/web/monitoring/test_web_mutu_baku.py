"""The Mutu baku page and its files over HTTP, on SQLite and PostgreSQL (the office and the
work of mutu_helpers.py): who reads it, the exact office times shown, "belum ada data" never
a zero, the filters' errors next to their fields with what was typed kept, the CSV equal to
the service's rows, the XLSX holding the same numbers, and the case page's actual times."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from openpyxl import load_workbook

from alur.tenants.monitoring import access
from alur.tenants.monitoring.rows import COLUMNS
from tests.web.monitoring.mutu_helpers import OFFICE, OTHER, SOP, WEEK, Site

PAGE = f"/t/{OFFICE}/mutu-baku"
LINK = f'href="{PAGE}"'


def _row(page: str, table: str, step: int) -> str:
    body = re.search(rf'data-table="{table}".*?</table>', page, re.S)
    assert body is not None, table
    row = re.search(rf'<tr data-step="{step}"[^>]*>(.*?)</tr>', body.group(0), re.S)
    assert row is not None, (table, step)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1)))).strip()


def test_leaders_read_the_page_with_exact_office_times(site: Site) -> None:
    site.login("kepala")
    assert LINK in site.client.get(f"/t/{OFFICE}/inbox").text
    page = site.client.get(PAGE, params=WEEK)
    assert page.status_code == 200
    text = page.text
    # step 1: 09:00:00 → 11:07:39 on Monday = 127 office minutes, mutu baku 1 hari
    first = _row(text, "steps", 1)
    assert first.startswith("1. Menyusun format data kinerja Staf 1 hari 1 2 jam 7 menit"), first
    assert "100,00% (1 dari 1)" in first
    # a step with no finished task: "belum ada data", never a zero
    assert "belum ada data" in _row(text, "steps", 4)
    assert re.search(r"\b0\b", _row(text, "steps", 4)) is None
    # per unit: bidang-a's step 2 only (bidang-b's is still open)
    assert re.findall(r'data-unit="([^"]+)"', text) == ["bidang-a"]
    # per person: the leaders see it
    assert 'data-table="people"' in text
    # the same numbers in the chart as in the table (office hours, two decimals)
    spec = json.loads(html.unescape(re.search(r"data-chart='([^']*)'", text).group(1)))
    median = next(d for d in spec["datasets"] if d["label"] == "Median")
    assert median["data"][0] == round(127 / 60, 2)
    assert median["data"][3] is None
    assert 'aria-describedby="sop-0-steps-table"' in text
    assert 'id="sop-0-steps-table"' in text


def test_an_empty_period_says_no_data(site: Site) -> None:
    site.login("kepala")
    page = site.client.get(PAGE, params={"start": "2026-11-16", "end": "2026-11-22"})
    assert page.status_code == 200
    assert "Belum ada data" in page.text
    assert "data-chart" not in page.text


def test_others_are_refused(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    for who in ("staf", "kabid_a", "kasubag"):
        site.login(who)
        assert LINK not in site.client.get(f"/t/{OFFICE}/inbox").text, who
        for path in (PAGE, f"{PAGE}.csv", f"{PAGE}.xlsx"):
            assert site.client.get(path, params=WEEK).status_code == 403, (who, path)
        # a bad filter does not tell a non-reader anything either
        assert site.client.get(PAGE, params={"start": "x"}).status_code == 403
    site.login("kepala", OTHER)  # the head of another office
    for path in (PAGE, f"{PAGE}.csv", f"{PAGE}.xlsx"):
        assert site.client.get(path, params=WEEK).status_code == 404, path
    assert site.client.get(f"/t/{OTHER}/mutu-baku").status_code == 200

    # The office's monev assessor (here: the Kasubag Perencanaan) reads it, not per person.
    monkeypatch.setattr(access, "assessor_role", lambda tenant: "kasubag")
    site.login("kasubag")
    assert LINK in site.client.get(f"/t/{OFFICE}/inbox").text
    page = site.client.get(PAGE, params=WEEK)
    assert page.status_code == 200
    assert "2 jam 7 menit" in _row(page.text, "steps", 1)
    assert 'data-table="people"' not in page.text
    assert site.client.get(f"{PAGE}.csv", params=WEEK).status_code == 200


def test_bad_filters_are_shown_by_their_fields_and_kept(site: Site) -> None:
    site.login("kepala")
    page = site.client.get(
        PAGE, params={"sop": "tidak-ada", "start": "23/11/2026", "end": "2026-11-29", "unit": "x"}
    )
    assert page.status_code == 422
    assert page.headers["x-alur-error"] == "invalid_input"
    text = page.text
    assert 'data-error-field="start"' in text
    assert 'value="23/11/2026"' in text  # what was typed, kept
    assert '<option value="tidak-ada" selected>' in text
    # the dates right: the service names the unknown SOP and unit
    unknown = site.client.get(PAGE, params={**WEEK, "sop": "tidak-ada", "unit": "bidang-z"})
    assert unknown.status_code == 422
    for field in ("sop", "unit"):
        assert f'data-error-field="{field}"' in unknown.text, field
    assert '<option value="bidang-z" selected>' in unknown.text
    assert 'value="2026-11-23"' in unknown.text
    assert "data-chart" not in text
    # the end before the start; then an unknown unit (the service's check)
    backwards = site.client.get(PAGE, params={"start": "2026-11-29", "end": "2026-11-23"})
    assert backwards.status_code == 422
    assert 'data-error-field="end"' in backwards.text
    # the files refuse the same way, with the page
    assert site.client.get(f"{PAGE}.csv", params={"start": "x"}).status_code == 422


GARBAGE = [
    "x" * 5000,
    "２０２６-１１-２３",  # full-width digits
    "٢٠٢٦-١١-٢٣",  # Arabic-Indic digits
    "2026-11-23\x00",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "'; drop table case; --",
    "<script>alert(1)</script>",
    "🙂" * 50,
]


def test_garbage_in_every_filter_is_never_a_500(site: Site) -> None:
    site.login("kepala")
    for value in GARBAGE:
        for field in ("sop", "start", "end", "unit"):
            for path in (PAGE, f"{PAGE}.csv"):
                answer = site.client.get(path, params={field: value})
                assert answer.status_code in (200, 422), (field, value[:20], answer.status_code)
                assert "<script>alert(1)</script>" not in answer.text
    repeated = site.client.get(f"{PAGE}?start=2026-11-23&start=2026-11-24&unit=a&unit=b")
    assert repeated.status_code in (200, 400, 422)


_APP: dict = {}


def test_the_csv_is_the_services_rows(site: Site) -> None:
    services = site.client.app.state.services
    _APP.update(db=services.db, plugins=services.plugins)
    site.login("kepala")
    answer = site.client.get(f"{PAGE}.csv", params={**WEEK, "sop": SOP})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert f"mutu-baku-{OFFICE}-2026-11-23-2026-11-29.csv" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert tuple(rows[0]) == COLUMNS
    by = [dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]]
    first = by[0]
    assert (first["step"], first["unit"], first["count"]) == ("1", "", "1")
    assert float(first["median_minutes"]) == 127
    assert first["standard_minutes"] == "510"
    assert first["within_share"] == "1.0"
    fourth = by[3]
    assert (fourth["count"], fourth["median_minutes"], fourth["within"]) == ("0", "", "")
    assert [r["unit"] for r in by if r["unit"]] == ["bidang-a"]
    # The same as the service's report_rows, cell for cell.
    assert by == site.client.blocking_portal.call(_service_rows)


async def _service_rows() -> list[dict[str, str]]:
    from alur.tenants.cases.service import TenantService
    from alur.tenants.monitoring.report import MutuBakuReports, ReportFilter
    from alur.tenants.monitoring.rows import report_rows

    service = await TenantService.open(_APP["db"], _APP["plugins"], OFFICE)
    f = ReportFilter.parse(SOP, WEEK["start"], WEEK["end"], today=service.today())
    report = await MutuBakuReports(service).report_for_operator(f)
    return [{k: "" if v is None else str(v) for k, v in r.items()} for r in report_rows(report)]


def test_the_xlsx_holds_the_same_numbers(site: Site) -> None:
    site.login("kepala")
    csv_rows = list(csv.reader(io.StringIO(site.client.get(f"{PAGE}.csv", params=WEEK).text)))
    answer = site.client.get(f"{PAGE}.xlsx", params=WEEK)
    assert answer.status_code == 200
    assert f"mutu-baku-{OFFICE}-2026-11-23-2026-11-29.xlsx" in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content)).active
    top = [sheet.cell(row=r, column=1).value for r in range(1, 5)]
    assert top[0] == "Dinas dinas-uji"
    assert "2026-11-23" in top[2]
    assert "2026-11-29" in top[2]
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=7)]
    assert len(table) == len(csv_rows) - 1
    for got, want in zip(table, csv_rows[1:], strict=True):
        assert ["" if v is None else v for v in got] == [
            float(w)
            if re.fullmatch(r"-?\d+(\.\d+)?", w) and "." in w
            else int(w)
            if re.fullmatch(r"-?\d+", w)
            else w
            for w in want
        ]


def test_the_case_page_shows_each_finished_steps_actual_time(site: Site) -> None:
    site.login("staf")  # whoever sees the case sees these
    page = site.client.get(f"/t/{OFFICE}/cases/{site.case_key}")
    assert page.status_code == 200
    steps = re.search(r'<ol class="steps">.*?</ol>', page.text, re.S).group(0)
    first = re.search(r'<li [^>]*data-step="1".*?</li>', steps, re.S).group(0)
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", first)))
    assert "Waktu nyata: 2 jam 7 menit · mutu baku 1 hari" in text, text
    second = re.search(r'<li [^>]*data-step="2".*?</li>', steps, re.S).group(0)
    assert "Bidang A" in second
    assert "data-actual" in second
    third = re.search(r'<li [^>]*data-step="3".*?</li>', steps, re.S).group(0)
    assert "data-actual" not in third  # nothing finished there


def test_in_english(site: Site) -> None:
    site.login("kepala")
    site.client.cookies.set("lang", "en")
    page = site.client.get(PAGE, params=WEEK).text
    first = _row(page, "steps", 1)
    assert "2 hours 7 minutes" in first
    assert "100.00% (1 of 1)" in first
    assert "no data yet" in _row(page, "steps", 4)
    for indonesian in ("belum ada data", "Waktu nyata", "Unduh", "Semua unit kerja", "dari"):
        assert indonesian not in page, indonesian
    bad = site.client.get(PAGE, params={"start": "2026-11-29", "end": "2026-11-23"})
    assert "The end of the period is before its start." in bad.text


def test_the_unit_filter(site: Site) -> None:
    """One unit: only its work at the per-unit kegiatan; the others say they are not done per
    unit (not "belum ada data": the office did them)."""
    site.login("kepala")
    page = site.client.get(PAGE, params={**WEEK, "unit": "bidang-a"})
    assert page.status_code == 200
    assert '<option value="bidang-a" selected>' in page.text
    assert "tidak dikerjakan per unit" in _row(page.text, "steps", 1)
    second = _row(page.text, "steps", 2)
    assert second.startswith("2. Mengisi data kinerja Kabid 1 hari 1 "), second
    rows = list(
        csv.reader(
            io.StringIO(site.client.get(f"{PAGE}.csv", params={**WEEK, "unit": "bidang-a"}).text)
        )
    )
    assert [r[3] for r in rows[1:] if r[3]] == ["bidang-a"]


def test_a_median_shown_equal_to_the_mutu_baku_is_not_marked_over() -> None:
    from dataclasses import replace as changed

    from alur.core.monitoring.figures import figures_of
    from alur.web.monitoring.view import figure_cells

    base = changed(figures_of(1, ()), count=3, standard=10)
    assert figure_cells(changed(base, median=10.4), 510, "id")["late"] is False  # "10 menit"
    assert figure_cells(changed(base, median=10.6), 510, "id")["late"] is True  # "11 menit"
