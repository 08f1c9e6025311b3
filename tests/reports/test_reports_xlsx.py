"""The exports (alur.reports): the recap as XLSX and the signed report as PDF.

The recaps are built with the real :func:`alur.core.kinerja.recap.build_recap`; the produced
files are opened with openpyxl and pypdf and their contents checked: numbers stored as
numbers, the Jumlah / Rata-rata rows, the zero-target label, the recap hash, the signature
block (name, "NIP. ...", "Plh."), the invalidated paraf, the draft marker, the page header
repeated on a long recap, and that nothing is fetched from outside.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from alur.core.i18n import current_language
from alur.core.kinerja.model import (
    Approval,
    ApprovalKind,
    Direction,
    Entry,
    Evidence,
    Indicator,
    IndicatorSet,
    Recap,
    Submission,
)
from alur.core.kinerja.recap import build_recap
from alur.reports.pdf import css_string, no_network_fetcher, signed_report_pdf
from alur.reports.xlsx import HASH_PROPERTY, recap_workbook

D = Decimal
UNITS = ("gakperda", "linmas", "trantib")
UNIT_NAMES = {"gakperda": "Bidang Gakperda", "linmas": "Bidang Linmas"}  # trantib: no name
KETERTIBAN = "Meningkatnya ketertiban umum"
TATA_KELOLA = "Meningkatnya akuntabilitas kinerja"
OFFICE = "Satuan Polisi Pamong Praja"
GOVERNMENT = "Pemerintah Kabupaten Banyumas"
SOP = "SOP Pengumpulan Data Kinerja"
PERIOD = "Triwulan III 2026"
SIGNER_NIP = "19700101 199001 1 001"


def indicator_set() -> IndicatorSet:
    return IndicatorSet(
        PERIOD,
        (
            Indicator("IKU-1", KETERTIBAN, "Persentase perda yang ditegakkan", "%", D("80")),
            Indicator(
                "IKU-2",
                KETERTIBAN,
                "Jumlah pengaduan ketertiban",
                "kasus",
                D("10"),
                Direction.LOWER,
                units=("linmas",),
            ),
            Indicator("IKU-3", KETERTIBAN, "Jumlah perda baru", "dokumen", D("0")),
            Indicator("IKU-4", TATA_KELOLA, "Nilai SAKIP", "nilai", D("1234.5")),
        ),
    )


def submissions() -> dict[str, Submission]:
    """gakperda and linmas filled in; trantib has not entered anything yet."""
    return {
        "gakperda": Submission(
            "gakperda",
            2,
            (
                Entry(
                    "IKU-1",
                    D("84"),
                    "Operasi gabungan sesuai rencana",
                    (Evidence("ba-operasi.pdf", "a" * 64), Evidence("foto.jpg", "b" * 64)),
                ),
                Entry("IKU-3", D("3"), "Tiga perda baru disahkan"),
                Entry("IKU-4", D("1300.25")),
            ),
        ),
        "linmas": Submission(
            "linmas",
            1,
            (
                Entry("IKU-1", D("72.5")),
                Entry("IKU-2", D("4"), "Pengaduan turun"),
                Entry("IKU-3", D("0")),
                Entry("IKU-4", D("1234.5")),
            ),
        ),
    }


@pytest.fixture(scope="module")
def recap() -> Recap:
    return build_recap(indicator_set(), UNITS, submissions())


def approvals(recap: Recap, *, acting: str = "Plh", signed: bool = True) -> list[Approval]:
    made = [
        Approval(
            ApprovalKind.PARAF,
            5,
            "0" * 64,  # a paraf of an earlier version of the data
            "Kurnia Dewi",
            "Kasubag Perencanaan",
            at=datetime(2026, 10, 1, 2, 0, tzinfo=UTC),
        ),
        Approval(
            ApprovalKind.PARAF,
            6,
            recap.content_hash,
            "Siti Rahayu",
            "Sekretaris",
            nip="19800101 200501 2 001",
            at=datetime(2026, 10, 2, 1, 0, tzinfo=UTC),
        ),
    ]
    if signed:
        made.append(
            Approval(
                ApprovalKind.SIGN,
                7,
                recap.content_hash,
                "Budi Santoso",
                "Kepala Satuan Polisi Pamong Praja",
                nip=SIGNER_NIP,
                acting=acting,
                acting_for="Agus Wibowo" if acting else "",
                at=datetime(2026, 10, 2, 3, 15, tzinfo=UTC),
            )
        )
    return made


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
        "Sasaran",
        "Performance indicator",
        "Unit of measure",
        "Target",
        "Bidang Gakperda",
        None,
        "Bidang Linmas",
        None,
        "trantib",  # a unit without a display name shows its slug
        None,
        "Capaian of the indicator (%)",
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


# --- PDF ------------------------------------------------------------------------------------


def pdf_pages(recap: Recap, apps: list[Approval], language: str = "id", **kw: str) -> list[str]:
    data = signed_report_pdf(
        recap,
        office=kw.get("office", OFFICE),
        government=GOVERNMENT,
        sop_name=SOP,
        period=PERIOD,
        unit_names=UNIT_NAMES,
        approvals=apps,
        place_and_date=kw.get("place_and_date", "Purwokerto, 2 Oktober 2026"),
        language=language,
    )
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def flat(text: str) -> str:
    """The text with line breaks as spaces (table cells wrap)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def signed_id(recap: Recap) -> str:
    pages = pdf_pages(recap, approvals(recap))
    assert len(pages) == 1
    return pages[0]


def test_the_signed_report_shows_the_recap_table(signed_id: str) -> None:
    text = flat(signed_id)
    for expected in (GOVERNMENT, OFFICE, "Rekapitulasi Data Kinerja", f"Periode: {PERIOD}"):
        assert expected in text
    assert "Indikator Kinerja" in text
    assert "Capaian Indikator (%)" in text
    # Indonesian notation: "." groups thousands, "," is the decimal sign.
    assert "Nilai SAKIP nilai 1.234,5 1.300,25 105,33 1.234,5 100,00" in text
    assert "Persentase perda yang ditegakkan % 80 84 105,00 72,5 90,63 — — 97,81" in text
    assert "Jumlah perda baru dokumen 0 3 target 0 0 target 0 — — target 0" in text
    assert "Jumlah (2 dari 3 indikator dihitung) 257,81" in text
    assert "Rata-rata 128,91" in text


def test_the_signature_block_of_an_acting_official(signed_id: str) -> None:
    lines = [line.strip() for line in signed_id.splitlines()]
    signature = lines.index("Purwokerto, 2 Oktober 2026")
    assert lines[signature + 1 : signature + 4] == [
        "Plh. Kepala Satuan Polisi Pamong Praja",
        "Budi Santoso",
        f"NIP. {SIGNER_NIP}",
    ]
    assert "Ditandatangani di Alur pada 2 Okt 2026 10.15 WIB" in signed_id
    assert "BELUM DITANDATANGANI" not in signed_id


def test_a_paraf_of_changed_data_is_marked_invalid(signed_id: str) -> None:
    kurnia = next(line for line in signed_id.splitlines() if "Kurnia Dewi" in line)
    assert kurnia.endswith("tidak berlaku: data berubah")
    assert "1 Okt 2026 09.00 WIB" in kurnia
    siti = next(line for line in signed_id.splitlines() if "Siti Rahayu" in line)
    assert siti.endswith("berlaku")
    assert "tidak" not in siti


def test_the_footer_has_the_hash_and_page_numbers(recap: Recap, signed_id: str) -> None:
    assert f"Hash rekap: {recap.content_hash}" in signed_id
    assert "Halaman 1 dari 1" in signed_id


@pytest.mark.parametrize("acting", ["Plt", ""])
def test_plt_and_definitive_signers(recap: Recap, acting: str) -> None:
    text = pdf_pages(recap, approvals(recap, acting=acting))[0]
    jabatan = "Kepala Satuan Polisi Pamong Praja"
    lines = [line.strip() for line in text.splitlines()]
    expected = f"Plt. {jabatan}" if acting else jabatan
    assert lines[lines.index("Budi Santoso") - 1] == expected
    assert "Plh." not in text


def test_an_unsigned_report_is_a_draft_showing_the_hash(recap: Recap) -> None:
    text = pdf_pages(recap, approvals(recap, signed=False))[0]
    assert text.count("BELUM DITANDATANGANI — draf") >= 3  # on top, signature, footer
    assert "Budi Santoso" not in text
    assert "NIP. " not in text
    assert recap.content_hash in flat(text).replace(" ", "")


def test_a_signature_of_an_earlier_recap_does_not_sign_this_one(recap: Recap) -> None:
    stale = [Approval(ApprovalKind.SIGN, 7, "f" * 64, "Budi Santoso", "Kepala", nip=SIGNER_NIP)]
    text = pdf_pages(recap, stale)[0]
    assert "BELUM DITANDATANGANI" in text
    assert next(line for line in text.splitlines() if "Budi Santoso" in line).endswith(
        "tidak berlaku: data berubah"
    )
    assert f"NIP. {SIGNER_NIP}" not in text


def test_the_report_in_english(recap: Recap) -> None:
    text = pdf_pages(recap, approvals(recap, signed=False), language="en")[0]
    assert "NOT SIGNED — draft" in text
    assert "not valid: the data changed" in text
    assert "Nilai SAKIP nilai 1,234.5 1,300.25 105.33" in flat(text)
    assert "Page 1 of 1" in text


def test_a_long_recap_repeats_the_header_on_every_page() -> None:
    indicators = tuple(
        Indicator(f"IKU-{n}", f"Sasaran {n // 20 + 1}", f"Indikator nomor {n}", "%", D("100"))
        for n in range(1, 61)
    )
    entries = tuple(Entry(i.code, D(90)) for i in indicators)
    long = build_recap(
        IndicatorSet(PERIOD, indicators),
        ("gakperda",),
        {"gakperda": Submission("gakperda", 1, entries)},
    )
    pages = pdf_pages(long, approvals(long))
    assert len(pages) > 1
    for page in pages[1:]:
        assert "Indikator Kinerja" in page
        assert "Bidang Gakperda" in page
    assert "Indikator nomor 60" in "".join(pages)
    assert f"Halaman 2 dari {len(pages)}" in pages[1]
    assert "Budi Santoso" in pages[-1]


def test_text_is_escaped_and_nothing_is_fetched(recap: Recap) -> None:
    office = 'Dinas <img src="http://example.invalid/x.png"> & "Kominfo"'
    text = pdf_pages(recap, approvals(recap), office=office)[0]
    assert office in text  # shown as text, not interpreted as HTML
    fetch = no_network_fetcher()
    for url in ("http://example.invalid/x.png", "https://example.invalid/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetch(url)
    assert fetch("data:text/plain,halo").read() == b"halo"


def test_css_strings_cannot_end_the_style_element() -> None:
    assert css_string('a "b" </style>\\') == '"a \\"b\\" \\3C /style\\3E \\\\"'


def test_the_pdf_embeds_dejavu(recap: Recap) -> None:
    data = signed_report_pdf(
        recap,
        office=OFFICE,
        government=GOVERNMENT,
        sop_name=SOP,
        period=PERIOD,
        unit_names=UNIT_NAMES,
        approvals=(),
    )
    page = PdfReader(BytesIO(data)).pages[0]
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert fonts
    assert all("+DejaVu-Sans" in name for name in fonts)
