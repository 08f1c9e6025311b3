"""The Mutu baku report as files: CSV and XLSX, both the rows of
:func:`alur.tenants.monitoring.rows.report_rows` in :data:`~alur.tenants.monitoring.rows.COLUMNS`
order — the layout ``alur report mutu-baku --format csv`` writes too, so the numbers match.

* CSV: a header row of the column names, then one row per SOP and step (and per unit);
  numbers as Python writes them (office minutes, ``within_share`` a 0–1 fraction), an
  empty cell where there is no data ("belum ada data" is never a zero).
* XLSX (openpyxl, as :mod:`alur.reports.xlsx`): the office, the title, the period and the
  filter on top; then the same rows under readable headers (the reader's language), numbers
  stored as numbers. Text is always stored as text, never as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from alur.core.errors import N_
from alur.core.i18n import format_message, gettext
from alur.tenants.monitoring import rows
from alur.tenants.monitoring.report import MutuBakuReport
from alur.tenants.monitoring.rows import COLUMNS, report_rows

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADINGS: Mapping[str, str] = {
    "sop_id": N_("SOP"),
    "step": N_("Step"),
    "kegiatan": N_("Kegiatan"),
    "unit": N_("Unit"),
    "count": N_("Finished tasks"),
    "median_minutes": N_("Median (office minutes)"),
    "p75_minutes": N_("P75 (office minutes)"),
    "p90_minutes": N_("P90 (office minutes)"),
    "waiting_median_minutes": N_("Waiting, median (office minutes)"),
    "working_median_minutes": N_("Working, median (office minutes)"),
    "standard_minutes": N_("Mutu baku (office minutes)"),
    "within": N_("Within the mutu baku"),
    "with_standard": N_("With a mutu baku"),
    "within_share": N_("Share within the mutu baku (0–1)"),
    "returned": N_("Answered “tidak”"),
    "rework": N_("Rework rounds"),
    "held_minutes": N_("Held cases (office minutes)"),
    "province_median_minutes": N_("Province median (office minutes)"),
}
TABLE_ROW = 6  # the headers' row; the title block above it
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP = Alignment(wrap_text=True, vertical="top")


def file_name(report: MutuBakuReport, extension: str) -> str:
    """``mutu-baku-<office>-<start>-<end>.<extension>`` (ASCII: a slug and ISO dates)."""
    p = report.period
    return f"mutu-baku-{report.office}-{p.start.isoformat()}-{p.end.isoformat()}.{extension}"


def report_csv(report: MutuBakuReport) -> bytes:
    """The report's rows as CSV (:func:`alur.tenants.monitoring.rows.report_csv`), UTF-8."""
    return rows.report_csv(report).encode("utf-8")


def _filter_text(report: MutuBakuReport) -> str:
    sop = report.sop_id or gettext("every SOP")
    unit = report.unit_names.get(report.unit, report.unit) if report.unit else gettext("every unit")
    return format_message("SOP: {sop} · unit: {unit}", sop=sop, unit=unit)


def report_xlsx(report: MutuBakuReport) -> bytes:
    """The report as a workbook (module docstring)."""
    book = Workbook()
    ws = book.active
    ws.title = "Mutu baku"
    p = report.period
    top = [
        report.office_name or report.office,
        gettext("Mutu baku: actual step times against the standard"),
        format_message("Period: {start} – {end}", start=p.start.isoformat(), end=p.end.isoformat()),
        _filter_text(report),
    ]
    for row, text in enumerate(top, start=1):
        cell = ws.cell(row=row, column=1, value=text)
        cell.data_type = "s"  # typed names stay text
        if row <= 2:
            cell.font = BOLD
    for column, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=TABLE_ROW, column=column, value=gettext(HEADINGS[name]))
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
    for row, values in enumerate(report_rows(report), start=TABLE_ROW + 1):
        for column, name in enumerate(COLUMNS, start=1):
            value = values[name]
            cell = ws.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif name == "within_share" and value is not None:
                cell.number_format = "0.00%"
    widths = {"sop_id": 28, "kegiatan": 48, "unit": 16}
    for column, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = widths.get(name, 14)
    ws.freeze_panes = ws.cell(row=TABLE_ROW + 1, column=4)
    ws.print_title_rows = f"{TABLE_ROW}:{TABLE_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
