"""A Mutu baku report as flat rows: the one layout of its CSV (web download and
``alur report mutu-baku --format csv``) and of its spreadsheet's table, so every door gives
the same numbers in the same columns.

One row per SOP and step (``unit`` empty: every unit together), then one per SOP, step and
unit for the steps done per unit. Durations are office minutes (numbers, ``None`` → empty
cell where there is no data: "belum ada data" is never a zero); ``within_share`` is a
fraction (0–1) of the spans that had a standard.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from alur.core.monitoring.figures import StepFigures
from alur.tenants.monitoring.report import MutuBakuReport

COLUMNS: tuple[str, ...] = (
    "sop_id",
    "step",
    "kegiatan",
    "unit",
    "count",
    "median_minutes",
    "p75_minutes",
    "p90_minutes",
    "waiting_median_minutes",
    "working_median_minutes",
    "standard_minutes",
    "within",
    "with_standard",
    "within_share",
    "returned",
    "rework",
    "held_minutes",
    "province_median_minutes",
)


def report_rows(report: MutuBakuReport) -> Iterator[dict[str, object]]:
    """The report's rows (module docstring), in :data:`COLUMNS` order."""
    for sop in report.sops:
        for step in sop.steps:
            yield _row(
                sop.sop_id, step.number, step.kegiatan, "", step.figures, step.province_median
            )
        for step in sop.steps:
            for f in step.by_unit:
                yield _row(sop.sop_id, step.number, step.kegiatan, str(f.key), f, None)


def report_csv(report: MutuBakuReport) -> str:
    """The report's rows as CSV text: a header of :data:`COLUMNS`, then one line per row;
    no data is an empty cell; text starting like a formula is prefixed with an apostrophe;
    lines end with CRLF (RFC 4180). The web download and
    ``alur report mutu-baku --format csv`` both write exactly this."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: _text_cell(v) for k, v in row.items()} for row in report_rows(report))
    return out.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula (a kegiatan written "=HYPERLINK(…)"
    by a plugin or an office) gets a leading apostrophe (OWASP's advice for CSV
    injection): it opens as the text it is. Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _row(
    sop_id: str,
    step: int,
    kegiatan: str,
    unit: str,
    f: StepFigures,
    province: float | None,
) -> dict[str, object]:
    return {
        "sop_id": sop_id,
        "step": step,
        "kegiatan": kegiatan,
        "unit": unit,
        "count": f.count,
        "median_minutes": f.median,
        "p75_minutes": f.p75,
        "p90_minutes": f.p90,
        "waiting_median_minutes": f.waiting_median,
        "working_median_minutes": f.working_median,
        "standard_minutes": f.standard,
        "within": f.within if f.has_data else None,
        "with_standard": f.with_standard if f.has_data else None,
        "within_share": f.within_share,
        "returned": f.returned if f.has_data else None,
        "rework": f.rework if f.has_data else None,
        "held_minutes": f.held if f.has_data else None,
        "province_median_minutes": province,
    }
