"""The SOP monitoring form (monev) printed as PDF (alur.reports.monev_pdf, read back with
pypdf) and XLSX (alur.reports.monev_xlsx, read back with openpyxl): the office's kop, the
SOP, the period, every kegiatan with its judgement marked in its column, the catatan with
Alur's evidence, the tindakan, the assessor's paraf (or "BELUM DIPARAF", also when the form
changed after the paraf), a long form over several pages with the header repeated."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from alur.core.monitoring.monev import BAIK, TIDAK, MonevForm, MonevRow
from alur.reports.monev_form import MARK, MonevParaf, initials
from alur.reports.monev_pdf import monev_html, monev_pdf
from alur.reports.monev_xlsx import HASH_PROPERTY, monev_xlsx
from alur.tenants.offices.letterhead import Letterhead

OFFICE = Letterhead(
    government="Pemerintah Kabupaten Cilacap",
    office="Satuan Polisi Pamong Praja Kabupaten Cilacap",
    address="Jl. Jend. Sudirman No. 1, Cilacap",
    contact="Telp. (0282) 534567 · Email: satpolpp@cilacapkab.go.id",
    place="Cilacap",
)
LONG_KEGIATAN = (
    "Menerima laporan pengaduan masyarakat tentang pelanggaran peraturan daerah, mencatatnya "
    "dalam buku register pengaduan dan meneruskannya kepada Kepala Bidang Penegakan Perda"
)
EVIDENCE = "median 2 hari 3 jam terhadap mutu baku 1 hari; 4 dari 12 dikembalikan di kegiatan 5"


def form(rows: int = 3) -> MonevForm:
    items = [
        MonevRow(1, LONG_KEGIATAN, BAIK, "median 3 jam terhadap mutu baku 1 hari", BAIK, "", ""),
        MonevRow(
            2,
            "Memeriksa kelengkapan berkas",
            TIDAK,
            EVIDENCE,
            TIDAK,
            "Berkas sering kembali: " + EVIDENCE,
            "Tambahkan daftar periksa kelengkapan",
        ),
        MonevRow(3, "Menandatangani surat teguran", None, "", BAIK, "Belum ada data", ""),
    ]
    for n in range(4, rows + 1):
        items.append(MonevRow(n, f"Kegiatan nomor {n} {'panjang ' * 12}", BAIK, "", BAIK))
    return MonevForm(
        "penertiban",
        "SOP Penertiban Pelanggaran Perda",
        "800/12/SATPOLPP/2026",
        date(2026, 1, 1),
        date(2026, 6, 30),
        tuple(items[:rows]),
    )


def paraf_of(f: MonevForm) -> MonevParaf:
    return MonevParaf(
        name="Andi Setiawan, S.Kom.",
        jabatan="Kepala Sub Bagian Perencanaan",
        nip="198001012005011001",
        at=datetime(2026, 7, 3, 2, 15, tzinfo=UTC),
        form_hash=f.content_hash(),
    )


def pdf_pages(f: MonevForm, paraf: MonevParaf | None, language: str = "id") -> list[str]:
    data = monev_pdf(f, OFFICE, paraf, language=language)
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_initials_leave_out_degrees_and_titles() -> None:
    assert initials("Andi Setiawan, S.Kom.") == "AS"
    assert initials("Drs. H. Budi Santoso Wibowo Prakoso, M.Si.") == "BSW"
    assert initials("") == ""


def test_pdf_prints_kop_form_judgements_and_paraf() -> None:
    f = form()
    text = flat(" ".join(pdf_pages(f, paraf_of(f))))
    for expected in (
        "PEMERINTAH KABUPATEN CILACAP",
        "SATUAN POLISI PAMONG PRAJA KABUPATEN CILACAP",
        "Jl. Jend. Sudirman No. 1, Cilacap",
        "MONITORING PELAKSANAAN SOP AP",
        "SOP Penertiban Pelanggaran Perda",
        "800/12/SATPOLPP/2026",
        "1 Januari 2026 – 30 Juni 2026",
        "Berjalan dengan baik",
        "Tidak berjalan dengan baik",
        "Tindakan yang harus diambil",
        "Paraf penilai",
        flat(LONG_KEGIATAN),
        "Memeriksa kelengkapan berkas",
        "Tambahkan daftar periksa kelengkapan",
        "Data Alur: median 3 jam terhadap mutu baku 1 hari",
        "Cilacap, 3 Juli 2026",
        "Dinilai oleh",
        "Kepala Sub Bagian Perencanaan",
        "Andi Setiawan, S.Kom.",
        "NIP. 19800101 200501 1 001",
        f.content_hash(),
    ):
        assert expected in text, expected
    assert "BELUM DIPARAF" not in text
    # the evidence already in the catatan is not printed twice
    assert text.count("4 dari 12 dikembalikan") == 1
    # each row's mark stands in its judgement's column, the initials in the paraf column
    assert text.count(MARK) == 3
    html = monev_html(f, OFFICE, paraf_of(f))
    assert re.findall(r'<td class="paraf">(.*?)</td>', html) == ["AS"] * 3
    assert re.findall(r'<td class="paraf">(.*?)</td>', monev_html(f, OFFICE, None)) == [""] * 3


def test_pdf_marks_the_chosen_column() -> None:
    """The mark of a "tidak" row is in the fourth cell of its row, not the third."""
    html = monev_html(form(), OFFICE, None)
    row = html.split('<td class="no">2</td>')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="mark">(.*?)</td>', row)
    assert cells == ["", MARK]
    row1 = html.split('<td class="no">1</td>')[1].split("</tr>")[0]
    assert re.findall(r'<td class="mark">(.*?)</td>', row1) == [MARK, ""]


def test_pdf_without_paraf_says_not_initialled_with_a_blank_date() -> None:
    text = flat(" ".join(pdf_pages(form(), None)))
    assert "BELUM DIPARAF" in text
    assert "Cilacap, ...................." in text
    assert "Andi Setiawan" not in text


def test_a_paraf_on_other_content_does_not_hold() -> None:
    f = form()
    old = paraf_of(f)
    changed = MonevForm(f.sop_id, f.sop_name, f.sop_nomor, f.start, f.end, f.rows[:2])
    text = flat(" ".join(pdf_pages(changed, old)))
    assert "BELUM DIPARAF" in text
    assert "Andi Setiawan" not in text
    assert "tidak berlaku" in text


def test_pdf_in_english() -> None:
    f = form()
    text = flat(" ".join(pdf_pages(f, paraf_of(f), language="en")))
    assert "SOP IMPLEMENTATION MONITORING" in text
    assert "Running well" in text
    assert "Assessed by" in text
    assert "Cilacap, July 3, 2026" in text or "Cilacap, 3 July 2026" in text


def test_long_form_spans_pages_with_the_header_repeated() -> None:
    f = form(rows=40)
    pages = pdf_pages(f, paraf_of(f))
    assert len(pages) >= 3
    for page in pages:
        assert "Catatan hasil penilaian" in flat(page)
        assert "Tidak berjalan dengan baik" in flat(page)
    text = flat(" ".join(pages))
    for n in range(4, 41):
        assert f"Kegiatan nomor {n} " in text
    assert "Dinilai oleh" in flat(pages[-1])
    assert "Andi Setiawan, S.Kom." in flat(pages[-1])


def test_text_is_escaped() -> None:
    f = MonevForm(
        "x",
        "<b>SOP</b>",
        "",
        date(2026, 1, 1),
        date(2026, 6, 30),
        (MonevRow(1, "<script>alert(1)</script>", judgement=BAIK),),
    )
    html = monev_html(f, OFFICE, None)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


# --- XLSX -----------------------------------------------------------------------------------


def sheet_text(data: bytes) -> tuple[list[list[object]], object]:
    wb = load_workbook(BytesIO(data))
    ws = wb.active
    return [list(r) for r in ws.iter_rows(values_only=True)], wb


def test_xlsx_holds_kop_rows_judgements_and_paraf() -> None:
    f = form()
    rows, wb = sheet_text(monev_xlsx(f, OFFICE, paraf_of(f)))
    cells = [str(c) for r in rows for c in r if c is not None]
    text = "\n".join(cells)
    for expected in (
        "PEMERINTAH KABUPATEN CILACAP",
        "SATUAN POLISI PAMONG PRAJA KABUPATEN CILACAP",
        "MONITORING PELAKSANAAN SOP AP",
        ": SOP Penertiban Pelanggaran Perda",
        ": 800/12/SATPOLPP/2026",
        "Penilaian terhadap penerapan",
        "Cilacap, 3 Juli 2026",
        "Dinilai oleh",
        "Andi Setiawan, S.Kom.",
        "NIP. 19800101 200501 1 001",
    ):
        assert expected in text, expected
    body = {
        r[0]: r for r in rows if isinstance(r[0], int) and isinstance(r[1], str) and len(r[1]) > 5
    }
    assert body[1][1] == LONG_KEGIATAN
    assert body[1][2:4] == [MARK, None]
    assert body[2][2:4] == [None, MARK]
    assert body[2][5] == "Tambahkan daftar periksa kelengkapan"
    assert body[2][4].count("4 dari 12") == 1
    assert "Data Alur: median 3 jam" in body[1][4]
    assert body[1][6] == "AS"
    ws = wb.active
    assert ws.print_title_rows  # the header rows repeat on every printed page
    assert wb.custom_doc_props[HASH_PROPERTY].value == f.content_hash()
    assert "BELUM DIPARAF" not in text


def test_xlsx_without_paraf_and_long_form() -> None:
    f = form(rows=40)
    rows, wb = sheet_text(monev_xlsx(f, OFFICE, None))
    text = "\n".join(str(c) for r in rows for c in r if c is not None)
    assert "BELUM DIPARAF" in text
    assert "Andi Setiawan" not in text
    numbers = [
        r[0]
        for r in rows
        if isinstance(r[0], int)
        and isinstance(r[1], str)
        and r[1].startswith(("Kegiatan", "Menerima", "Memeriksa", "Menandatangani"))
    ]
    assert numbers == list(range(1, 41))
    ws = wb.active
    top = int(ws.print_title_rows.split(":")[0].lstrip("$"))
    assert ws.cell(row=top, column=2).value == "Prosedur"


def test_formula_like_text_stays_text() -> None:
    f = MonevForm(
        "x",
        "SOP",
        "",
        date(2026, 1, 1),
        date(2026, 6, 30),
        (MonevRow(1, '=HYPERLINK("http://x")', judgement=BAIK, tindakan="=1+1"),),
    )
    wb = load_workbook(BytesIO(monev_xlsx(f, OFFICE, None)))
    values = [
        c for r in wb.active.iter_rows() for c in r if c.value in ('=HYPERLINK("http://x")', "=1+1")
    ]
    assert values
    assert all(c.data_type == "s" for c in values)


@pytest.mark.parametrize("language", ["id", "en"])
def test_both_prints_render_an_empty_form(language: str) -> None:
    f = MonevForm("x", "SOP", "", date(2026, 1, 1), date(2026, 6, 30))
    assert monev_pdf(f, OFFICE, None, language=language).startswith(b"%PDF-")
    assert monev_xlsx(f, OFFICE, None, language=language)[:2] == b"PK"


def test_the_office_logo_is_in_the_kop() -> None:
    from dataclasses import replace

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 40), (0, 90, 160)).save(buffer, format="PNG")
    office = replace(OFFICE, logo=buffer.getvalue(), logo_type="image/png")
    html = monev_html(form(), office, None)
    assert '<td class="logo"><img src="data:image/png;base64,' in html
    data = monev_pdf(form(), office, None)
    page = PdfReader(BytesIO(data)).pages[0]
    assert page.images  # the logo is drawn
