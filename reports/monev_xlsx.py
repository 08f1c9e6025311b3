"""The SOP monitoring form (monev) as an XLSX workbook (openpyxl), in the printed layout.

One sheet ("Monitoring"): the office's kop (government, office, address, contact — the
:class:`~alur.tenants.offices.letterhead.Letterhead` the PDF prints), the title, the SOP's
name, nomor and period, "BELUM DIPARAF" when not initialled, then the form's table of
:mod:`.monev_form` under a three-row header (the two judgement columns under "Penilaian
terhadap penerapan", then the regulation's column numbers), then place and date and
"Dinilai oleh" with the assessor's jabatan, name and NIP. Text wraps; printing is A4
landscape, fit to the page width, repeating the header rows on every page. The form's
content hash is in the page footer, under the table and in the workbook properties
(``identifier``, custom property ``alur_monev_hash``).
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from alur.core.monitoring.monev import MonevForm
from alur.reports.monev_form import FormLayout, MonevParaf, form_layout
from alur.reports.table import in_language
from alur.reports.xlsx import BOLD, BORDER, CENTER, HEADER_FILL, RIGHT, WRAP, _text, _write
from alur.tenants.offices.letterhead import Letterhead

HASH_PROPERTY = "alur_monev_hash"
COLUMNS = 7  # No, Prosedur, Baik, Tidak, Catatan, Tindakan, Paraf
WIDTHS = (6, 40, 13, 13, 42, 36, 10)
MARK_ALIGN = Alignment(horizontal="center", vertical="center")
RED = Font(bold=True, color="C00000")


def _centred(ws: Worksheet, row: int, value: str, font: Font) -> None:
    cell = _write(ws, row, 1, value)
    cell.font, cell.alignment = font, Alignment(horizontal="center", wrap_text=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=COLUMNS)


def _top(ws: Worksheet, office: Letterhead, layout: FormLayout) -> int:
    """The kop, title and the SOP's particulars; return the table's first header row."""
    row = 0
    kop = [
        (office.government.upper(), Font(bold=True, size=13)),
        (office.office.upper(), Font(bold=True, size=15)),
        (office.address, Font(size=9)),
        (office.contact, Font(size=9)),
    ]
    for value, font in kop:
        if value:
            row += 1
            _centred(ws, row, value, font)
    row += 2
    _centred(ws, row, layout.labels["title"].upper(), Font(bold=True, size=12))
    words = layout.labels
    row += 1
    for label, value in (
        (words["sop_name"], layout.sop_name),
        (words["sop_nomor"], layout.sop_nomor or "—"),
        (words["period"], layout.period),
    ):
        row += 1
        _write(ws, row, 1, label)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        _write(ws, row, 3, f": {value}")
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=COLUMNS)
    if not layout.closing.initialled:
        row += 1
        _centred(ws, row, layout.labels["not_initialled"], RED)
    return row + 2


def _header(ws: Worksheet, top: int, layout: FormLayout) -> None:
    words = layout.labels
    below, numbers = top + 1, top + 2
    for column, key in ((1, "no"), (2, "prosedur"), (5, "catatan"), (6, "tindakan"), (7, "paraf")):
        _write(ws, top, column, words[key])
        ws.merge_cells(start_row=top, start_column=column, end_row=below, end_column=column)
    _write(ws, top, 3, words["penilaian"])
    ws.merge_cells(start_row=top, start_column=3, end_row=top, end_column=4)
    _write(ws, below, 3, words["baik"])
    _write(ws, below, 4, words["tidak"])
    for column, number in ((1, 1), (2, 2), (3, 3), (5, 4), (6, 5), (7, 6)):
        _write(ws, numbers, column, number)
    ws.merge_cells(start_row=numbers, start_column=3, end_row=numbers, end_column=4)
    for row in (top, below, numbers):
        for column in range(1, COLUMNS + 1):
            cell = ws.cell(row=row, column=column)
            cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEADER_FILL, CENTER, BORDER
    ws.row_dimensions[below].height = 30


def _body(ws: Worksheet, first: int, layout: FormLayout) -> int:
    row = first - 1
    evidence_label = layout.labels["evidence"]
    for item in layout.rows:
        row += 1
        catatan = item.catatan
        if item.evidence:
            catatan = f"{catatan}\n{evidence_label}: {item.evidence}".strip()
        _text(ws, row, 1, item.number, alignment=RIGHT)
        _text(ws, row, 2, item.kegiatan)
        _text(ws, row, 3, item.baik, alignment=MARK_ALIGN)
        _text(ws, row, 4, item.tidak, alignment=MARK_ALIGN)
        _text(ws, row, 5, catatan)
        _text(ws, row, 6, item.tindakan)
        _text(ws, row, 7, item.paraf, alignment=MARK_ALIGN, font=BOLD)
    return row


def _closing(ws: Worksheet, row: int, layout: FormLayout) -> int:
    closing = layout.closing
    lines: list[tuple[str, Font | None]] = [
        (closing.place_and_date, None),
        (layout.labels["assessed_by"], None),
    ]
    if closing.initialled:
        lines += [(closing.jabatan, None), ("", None), ("", None)]
        lines.append((closing.name, Font(bold=True, underline="single")))
        if closing.nip:
            lines.append((f"NIP. {closing.nip}", None))
        if closing.note:
            lines.append((closing.note, Font(size=8, italic=True, color="595959")))
    else:
        lines += [("", None), ("", None), (layout.labels["not_initialled"], RED)]
        if closing.changed:
            lines.append((closing.changed, Font(size=8, color="C00000")))
    row += 1
    for value, font in lines:
        row += 1
        if not value:
            continue
        cell = _write(ws, row, 5, value)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        if font is not None:
            cell.font = font
        ws.merge_cells(start_row=row, start_column=5, end_row=row, end_column=COLUMNS)
    return row


def monev_xlsx(
    form: MonevForm,
    office: Letterhead,
    paraf: MonevParaf | None,
    *,
    language: str = "id",
    timezone: str = "Asia/Jakarta",
) -> bytes:
    """The monitoring form as XLSX bytes, labelled in ``language`` ("id" or "en");
    ``office`` and ``paraf`` as for :func:`alur.reports.monev_pdf.monev_pdf` (the logo is
    not placed in the sheet)."""
    with in_language(language):
        layout = form_layout(
            form, place=office.place, paraf=paraf, language=language, timezone=timezone
        )
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "Monitoring"
        top = _top(ws, office, layout)
        _header(ws, top, layout)
        last = _body(ws, top + 3, layout)
        row = _closing(ws, last, layout)
        hash_line = f"{layout.labels['form_hash']}: {layout.content_hash}"
        _write(ws, row + 2, 1, hash_line).font = Font(size=8, color="595959")
        for column, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        for cell_row in range(top + 3, last + 1):
            ws.cell(row=cell_row, column=2).alignment = WRAP
        ws.freeze_panes = ws.cell(row=top + 3, column=1)
        ws.print_title_rows = f"{top}:{top + 2}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddFooter.left.text = hash_line
        ws.oddFooter.left.size = 8
        ws.oddFooter.right.text = "&P / &N"
        ws.oddFooter.right.size = 8
        wb.properties.title = f"{layout.labels['title']} — {form.sop_name}"
        wb.properties.subject = layout.period
        wb.properties.identifier = layout.content_hash
        wb.properties.creator = "Alur"
        wb.custom_doc_props.append(StringProperty(name=HASH_PROPERTY, value=layout.content_hash))
        buffer = BytesIO()
        wb.save(buffer)
    return buffer.getvalue()
