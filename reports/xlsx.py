"""The data kinerja recap as an XLSX workbook (openpyxl), laid out as offices print it.

Sheet 1 ("Rekap"): a title block (office, "Rekapitulasi Data Kinerja", SOP, period), the
recap table of :mod:`alur.reports.table` under a two-row frozen header (unit names over
their Realisasi and Capaian (%) columns), the approvals, and the recap hash. Numbers are
stored as numbers with number formats; a zero target's capaian reads "target 0", a missing
value "—", and a unit that does not report an indicator is left empty. Printing is set to
landscape A4, fit to the page width, repeating the header rows.

Sheet 2 ("Penjelasan"): each unit's explanation per indicator, with its evidence file names.

The recap's content hash is in the page footer, in the workbook properties (``identifier``
and the custom property ``alur_recap_hash``) and under the table, so a printout or a file
can be matched to the approvals of exactly that recap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from alur.core.i18n import gettext
from alur.core.kinerja.model import Approval, Recap
from alur.reports.approvals import ApprovalLine, approval_lines
from alur.reports.table import (
    Cell,
    CellKind,
    RecapTable,
    explanation_rows,
    in_language,
    recap_table,
)

HASH_PROPERTY = "alur_recap_hash"
HEADER_ROW = 6  # the table's two header rows are 6 and 7
PERCENT_FORMAT = "#,##0.00"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
MARKER_FONT = Font(italic=True, color="595959")
INVALID_FONT = Font(bold=True, color="C00000")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="top")


def number_format(value: Decimal) -> str:
    """``#,##0`` for whole numbers, else as many decimals as typed (at most six)."""
    exponent = value.normalize().as_tuple().exponent
    decimals = min(6, -exponent) if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _write(ws: Worksheet, row: int, column: int, value: str | int | Decimal | None) -> XlCell:
    """Set a cell's value; text people typed ("=HYPERLINK(...)") is kept text, never a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _put(ws: Worksheet, row: int, column: int, cell: Cell) -> None:
    target = ws.cell(row=row, column=column)
    target.border = BORDER
    if cell.kind is CellKind.BLANK:
        return
    _write(ws, row, column, cell.value)
    if isinstance(cell.value, Decimal):
        target.number_format = (
            PERCENT_FORMAT if cell.kind is CellKind.PERCENT else number_format(cell.value)
        )
        target.alignment = RIGHT
    else:
        target.font = MARKER_FONT
        target.alignment = RIGHT


def _text(
    ws: Worksheet,
    row: int,
    column: int,
    value: str | int | None,
    *,
    alignment: Alignment = WRAP,
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> None:
    target = _write(ws, row, column, value)
    target.border = BORDER
    target.alignment = alignment
    if font is not None:
        target.font = font
    if fill is not None:
        target.fill = fill


def _title_block(
    ws: Worksheet, table: RecapTable, recap: Recap, office: str, sop_name: str, period: str
) -> None:
    last = table.column_count
    words = table.labels
    lines = [
        (office, Font(bold=True, size=14)),
        (words["title"], Font(bold=True, size=12)),
        (sop_name, Font(size=11)),
        (f"{words['period']}: {period}", Font(size=11)),
    ]
    if not recap.complete:
        lines.append((words["incomplete"], Font(italic=True, color="C00000")))
    for row, (value, font) in enumerate(lines, start=1):
        _write(ws, row, 1, value).font = font
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)


def _header(ws: Worksheet, table: RecapTable) -> None:
    words = table.labels
    top, below = HEADER_ROW, HEADER_ROW + 1
    fixed = [words["no"], words["sasaran"], words["indicator"], words["unit_of_measure"]]
    fixed.append(words["target"])
    spans = [(column, label) for column, label in enumerate(fixed, start=1)]
    spans.append((table.column_count, words["indicator_capaian"]))
    for column, label in spans:
        _write(ws, top, column, label)
        ws.merge_cells(start_row=top, start_column=column, end_row=below, end_column=column)
    for index, name in enumerate(table.unit_names):
        column = 6 + 2 * index
        _write(ws, top, column, name)
        ws.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
        ws.cell(row=below, column=column, value=words["realisasi"])
        ws.cell(row=below, column=column + 1, value=words["capaian"])
    for row in (top, below):
        for column in range(1, table.column_count + 1):
            cell = ws.cell(row=row, column=column)
            cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEADER_FILL, CENTER, BORDER


def _body(ws: Worksheet, table: RecapTable) -> int:
    """Write the indicator, Jumlah and Rata-rata rows; return the last row written."""
    words = table.labels
    last = table.column_count
    row = HEADER_ROW + 1
    for group in table.groups:
        first = row + 1
        for item in group.rows:
            row += 1
            _text(ws, row, 1, item.number, alignment=RIGHT)
            _text(ws, row, 2, item.sasaran)
            _text(ws, row, 3, item.text)
            _text(ws, row, 4, item.unit_of_measure)
            _put(ws, row, 5, item.target)
            for index, (realisasi, capaian) in enumerate(item.units):
                _put(ws, row, 6 + 2 * index, realisasi)
                _put(ws, row, 7 + 2 * index, capaian)
            _put(ws, row, last, item.capaian)
        if row > first:  # the sasaran over all its rows, as offices print it
            ws.merge_cells(start_row=first, start_column=2, end_row=row, end_column=2)
        note = group.note
        for label, value in ((words["total"], group.total), (words["average"], group.average)):
            row += 1
            for column in range(1, last + 1):
                ws.cell(row=row, column=column).fill = TOTAL_FILL
                ws.cell(row=row, column=column).border = BORDER
            _text(ws, row, 2, label, font=BOLD, fill=TOTAL_FILL)
            _text(ws, row, 3, note or None, font=MARKER_FONT, fill=TOTAL_FILL)
            _put(ws, row, last, value)
            ws.cell(row=row, column=last).font = BOLD
            note = ""
    return row


def _approvals(ws: Worksheet, row: int, table: RecapTable, lines: Sequence[ApprovalLine]) -> int:
    """List the paraf and tanda tangan under the table; return the last row written."""
    if not lines:
        return row
    last = table.column_count
    row += 2
    _write(ws, row, 2, gettext("Paraf and tanda tangan")).font = BOLD
    for line in lines:
        row += 1
        nip = f"NIP. {line.nip}" if line.nip else ""
        _text(ws, row, 2, line.kind)
        _text(ws, row, 3, "\n".join(p for p in (line.name, line.jabatan, nip) if p))
        _text(ws, row, 4, line.at)
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
        _text(ws, row, 6, line.status, font=None if line.valid else INVALID_FONT)
        if last > 6:
            ws.merge_cells(start_row=row, start_column=6, end_row=row, end_column=last)
    return row


def _layout(ws: Worksheet, table: RecapTable, recap_hash: str) -> None:
    widths = [6, 28, 46, 12, 11] + [12] * (2 * len(table.units)) + [14]
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 2, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.left.text = f"{table.labels['recap_hash']}: {recap_hash}"
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "&P / &N"
    ws.oddFooter.right.size = 8


def _explanations(
    wb: Workbook, recap: Recap, table: RecapTable, unit_names: Mapping[str, str]
) -> None:
    words = table.labels
    ws = wb.create_sheet(gettext("Explanations"))
    headers = [
        words["no"],
        words["code"],
        words["indicator"],
        words["unit"],
        words["realisasi"],
        words["explanation"],
        words["evidence"],
        words["version"],
    ]
    for column, label in enumerate(headers, start=1):
        _text(ws, 1, column, label, font=BOLD, fill=HEADER_FILL, alignment=CENTER)
    for row, item in enumerate(explanation_rows(recap, unit_names), start=2):
        _text(ws, row, 1, item.number, alignment=RIGHT)
        _text(ws, row, 2, item.code)
        _text(ws, row, 3, item.indicator)
        _text(ws, row, 4, item.unit)
        _put(ws, row, 5, item.realisasi)
        _text(ws, row, 6, item.explanation)
        _text(ws, row, 7, "\n".join(item.evidence))
        _text(ws, row, 8, item.version, alignment=RIGHT)
    for column, width in enumerate([6, 12, 40, 20, 12, 50, 30, 8], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.left.text = f"{words['recap_hash']}: {recap.content_hash}"
    ws.oddFooter.left.size = 8


def recap_workbook(
    recap: Recap,
    *,
    office: str,
    sop_name: str,
    period: str,
    unit_names: Mapping[str, str],
    approvals: Sequence[Approval] = (),
    language: str = "id",
    timezone: str = "Asia/Jakarta",
) -> bytes:
    """The recap as XLSX bytes, labelled in ``language`` ("id" or "en").

    ``unit_names`` maps unit slugs to the names shown (a missing one shows its slug);
    ``approvals`` (paraf, tanda tangan) are listed under the table with whether each still
    holds for this recap; their times are shown in ``timezone``.
    """
    with in_language(language):
        table = recap_table(recap, unit_names)
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = gettext("Recap")
        _title_block(ws, table, recap, office, sop_name, period)
        _header(ws, table)
        row = _body(ws, table)
        lines = approval_lines(approvals, recap.content_hash, language=language, timezone=timezone)
        row = _approvals(ws, row, table, lines)
        hash_cell = _write(ws, row + 2, 2, f"{table.labels['recap_hash']}: {recap.content_hash}")
        hash_cell.font = Font(size=8, color="595959")
        _layout(ws, table, recap.content_hash)
        _explanations(wb, recap, table, unit_names)
        wb.properties.title = f"{table.labels['title']} — {office}"
        wb.properties.subject = period
        wb.properties.identifier = recap.content_hash
        wb.properties.keywords = f"{HASH_PROPERTY}={recap.content_hash}"
        wb.properties.creator = "Alur"
        wb.custom_doc_props.append(StringProperty(name=HASH_PROPERTY, value=recap.content_hash))
        buffer = BytesIO()
        wb.save(buffer)
    return buffer.getvalue()
