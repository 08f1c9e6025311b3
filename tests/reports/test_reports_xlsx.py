"""The recap as XLSX (alur.reports.xlsx), from a recap built with the real
:func:`alur.core.kinerja.recap.build_recap`, opened with openpyxl: numbers stored as numbers,
the Jumlah / Rata-rata rows, the zero-target label, the recap hash, the approvals, the
explanation sheet, both languages, and typed text never a formula. The PDF: test_reports_pdf.py."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from alur.core.i18n import current_language
from alur.core.kinerja.model import (
    Entry,
    Indicator,
    IndicatorSet,
    Recap,
    Submission,
)
from alur.core.kinerja.recap import build_recap
from alur.reports.xlsx import HASH_PROPERTY, recap_workbook
from tests.reports.reports_helpers import (
    OFFICE,
    PERIOD,
    SIGNER_NIP,
    SOP,
    UNIT_NAMES,
    D,
    approvals,
)

# --- XLSX -----------------------------------------------------------------------------------


def workbook(recap: Recap, language: str, **kwargs: object) -> Workbook:
    data = recap_workbook(
        recap,
        office=OFFICE,
        sop_name=SOP,
        period=PERIOD,
        unit_names=UNIT_NAMES,
        approvals=kwargs.pop("approvals", approvals(recap)),  # type: ignore[arg-type]
        language=language,
    )
    assert data[:2] == b"PK"  # a zip: an OOXML package
    return load_workbook(BytesIO(data))


def rows(ws: Worksheet) -> list[tuple[object, ...]]:
    return list(ws.iter_rows(values_only=True))


def row_of(ws: Worksheet, column: int, value: object) -> list[int]:
    """The row numbers whose ``column`` holds ``value``."""
    return [c.row for (c,) in ws.iter_rows(min_col=column, max_col=column) if c.value == value]


@pytest.fixture(scope="module")
def sheet_en(recap: Recap) -> Worksheet:
    return workbook(recap, "en")["Recap"]


def test_the_title_block_and_the_two_row_header(sheet_en: Worksheet) -> None:
    ws = sheet_en
    assert [ws.cell(row=r, column=1).value for r in range(1, 6)] == [
        OFFICE,
        "Data kinerja recap",
        SOP,
        f"Period: {PERIOD}",
        "Incomplete: not every unit has entered every value.",  # trantib entered nothing
    ]
    assert rows(ws)[5] == (
        "No.",
        "Objective",
        "Performance indicator",
        "Unit of measure",
        "Target",
        "Bidang Gakperda",
        None,
        "Bidang Linmas",
        None,
        "trantib",  # a unit without a display name shows its slug
        None,
        "Indicator capaian (%)",
    )
    assert rows(ws)[6][5:11] == ("Realisasi", "Capaian (%)") * 3
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"F6:G6", "H6:I6", "J6:K6", "A6:A7", "L6:L7"} <= merged


def test_numbers_are_stored_as_numbers_with_number_formats(sheet_en: Worksheet) -> None:
    ws = sheet_en
    iku1, iku4 = (
        row_of(ws, 3, "Persentase perda yang ditegakkan")[0],
        row_of(ws, 3, "Nilai SAKIP")[0],
    )
    target = ws.cell(row=iku1, column=5)
    assert (target.value, target.data_type, target.number_format) == (80, "n", "#,##0")
    realisasi = ws.cell(row=iku1, column=8)  # linmas: 72.5 of 80
    assert (realisasi.value, realisasi.number_format) == (72.5, "#,##0.0")
    capaian = ws.cell(row=iku1, column=9)
    assert (capaian.value, capaian.data_type, capaian.number_format) == (90.63, "n", "#,##0.00")
    assert ws.cell(row=iku1, column=12).value == pytest.approx(97.81)  # (105 + 90.625) / 2
    assert ws.cell(row=iku4, column=5).value == 1234.5
    assert ws.cell(row=iku4, column=6).number_format == "#,##0.00"  # 1300.25
    assert ws.cell(row=iku4, column=6).value == 1300.25


def test_zero_target_not_reported_and_not_applicable_cells(sheet_en: Worksheet) -> None:
    ws = sheet_en
    iku2 = row_of(ws, 3, "Jumlah pengaduan ketertiban (lower is better)")[0]
    iku3 = row_of(ws, 3, "Jumlah perda baru")[0]
    # A zero target is reported, never divided by, for the units and the indicator.
    assert ws.cell(row=iku3, column=6).value == 3
    assert ws.cell(row=iku3, column=7).value == "target 0"
    assert ws.cell(row=iku3, column=12).value == "target 0"
    # trantib reports IKU-3 but has entered nothing: "—"; gakperda does not report IKU-2.
    assert (ws.cell(row=iku3, column=10).value, ws.cell(row=iku3, column=11).value) == ("—", "—")
    assert (ws.cell(row=iku2, column=6).value, ws.cell(row=iku2, column=7).value) == (None, None)
    assert ws.cell(row=iku2, column=9).value == 160  # lower is better: (20 - 4) / 10


def test_jumlah_and_rata_rata_per_sasaran(recap: Recap, sheet_en: Worksheet) -> None:
    ws = sheet_en
    totals, averages = row_of(ws, 2, "Total"), row_of(ws, 2, "Average")
    assert len(totals) == len(averages) == 2
    ketertiban, tata_kelola = recap.sasaran
    # Rows follow their sasaran: IKU-1..3, Jumlah, Rata-rata, IKU-4, Jumlah, Rata-rata.
    assert [ws.cell(row=r, column=1).value for r in range(8, 16)] == [
        1,
        2,
        3,
        None,
        None,
        4,
        None,
        None,
    ]
    assert totals == [11, 14]
    assert averages == [12, 15]
    assert ws.cell(row=11, column=12).value == float(ketertiban.total)
    assert ws.cell(row=12, column=12).value == float(ketertiban.average)  # type: ignore[arg-type]
    assert ws.cell(row=11, column=12).number_format == "#,##0.00"
    assert ws.cell(row=11, column=3).value == "2 of 3 indicators counted"  # IKU-3: target 0
    assert ws.cell(row=14, column=12).value == float(tata_kelola.total)
    assert ws.cell(row=14, column=3).value is None  # every capaian counted
    assert "B8:B10" in {str(r) for r in ws.merged_cells.ranges}  # the sasaran over its rows


def test_the_recap_hash_is_in_the_footer_the_properties_and_the_sheet(recap: Recap) -> None:
    wb = workbook(recap, "en")
    for ws in wb.worksheets:
        assert ws.oddFooter.left.text == f"Recap hash: {recap.content_hash}"
    assert wb.properties.identifier == recap.content_hash
    assert wb.custom_doc_props[HASH_PROPERTY].value == recap.content_hash
    assert (None, f"Recap hash: {recap.content_hash}") in [r[:2] for r in rows(wb["Recap"])]


def test_print_setup_and_frozen_header(sheet_en: Worksheet) -> None:
    ws = sheet_en
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.freeze_panes == "A8"
    assert ws.print_title_rows == "$6:$7"
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width


def test_the_explanation_sheet(recap: Recap) -> None:
    ws = workbook(recap, "en")["Explanations"]
    table = rows(ws)
    assert table[0] == (
        "No.",
        "Code",
        "Performance indicator",
        "Unit",
        "Realisasi",
        "Explanation",
        "Evidence",
        "Version",
    )
    assert table[1] == (
        1,
        "IKU-1",
        "Persentase perda yang ditegakkan",
        "Bidang Gakperda",
        84,
        "Operasi gabungan sesuai rencana",
        "ba-operasi.pdf\nfoto.jpg",
        2,
    )
    assert (2, "IKU-2", "Jumlah pengaduan ketertiban", "Bidang Linmas", 4, "Pengaduan turun") in [
        r[:6] for r in table
    ]
    assert (1, "IKU-1", "trantib", "—") in [(r[0], r[1], r[3], r[4]) for r in table]
    assert ws.freeze_panes == "A2"


def test_the_approvals_under_the_table(recap: Recap, sheet_en: Worksheet) -> None:
    listed = {r[1]: r for r in rows(sheet_en) if r[1] in ("Paraf", "Tanda tangan")}
    assert len([r for r in rows(sheet_en) if r[1] == "Paraf"]) == 2
    kurnia = next(r for r in rows(sheet_en) if r[2] and str(r[2]).startswith("Kurnia"))
    assert kurnia[5] == "not valid: the data changed"
    assert listed["Tanda tangan"][2] == (
        f"Budi Santoso\nPlh. Kepala Satuan Polisi Pamong Praja\nNIP. {SIGNER_NIP}"
    )
    assert listed["Tanda tangan"][3] == "2 Oct 2026 10:15 WIB"
    assert listed["Tanda tangan"][5] == "valid"


def test_the_workbook_in_indonesian(recap: Recap) -> None:
    wb = workbook(recap, "id")
    assert wb.sheetnames == ["Rekap", "Penjelasan"]
    ws = wb["Rekap"]
    assert ws["A2"].value == "Rekapitulasi Data Kinerja"
    assert rows(ws)[5][2:4] == ("Indikator Kinerja", "Satuan")
    assert row_of(ws, 2, "Jumlah") == [11, 14]
    assert row_of(ws, 2, "Rata-rata") == [12, 15]
    assert ws.cell(row=10, column=7).value == "target 0"
    assert ws.cell(row=11, column=3).value == "2 dari 3 indikator dihitung"
    assert "tidak berlaku: data berubah" in [r[5] for r in rows(ws)]
    assert ws.oddFooter.left.text == f"Hash rekap: {recap.content_hash}"
    assert ws.cell(row=9, column=12).value == 160  # numbers do not depend on the language


def test_typed_text_is_never_a_formula() -> None:
    formula = '=HYPERLINK("http://example.invalid/","klik")'
    iku = Indicator("IKU-1", "=1+1", "Indikator", "%", D("10"))
    typed = build_recap(
        IndicatorSet(PERIOD, (iku,)),
        ("gakperda",),
        {"gakperda": Submission("gakperda", 1, (Entry("IKU-1", D("5"), formula),))},
    )
    data = recap_workbook(
        typed,
        office="=cmd|' /C calc'!A0",
        sop_name=SOP,
        period=PERIOD,
        unit_names={"gakperda": "=2+2"},
    )
    wb = load_workbook(BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {formula, "=1+1", "=2+2", "=cmd|' /C calc'!A0"} <= texts


def test_the_callers_language_is_left_alone(recap: Recap) -> None:
    token = current_language.set("en")
    try:
        workbook(recap, "id")
        assert current_language.get() == "en"
    finally:
        current_language.reset(token)
