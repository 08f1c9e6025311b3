"""The Mutu baku page as people read it: per SOP, per kegiatan, the actual office time against
the standard — each figure once, as chart data (drawn by ``static/charts.js`` from a canvas's
``data-chart`` attribute) and as the rows of the table the canvas names.

Only presentation: the figures are :class:`alur.tenants.monitoring.report.MutuBakuReport`'s.
Durations are shown with :func:`alur.core.monitoring.office_time.office_time_text` ("2 hari
3 jam"); the charts draw office *hours*. A group with no finished span shows "belum ada data"
(:data:`NO_DATA`), never a zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from alur.core.i18n import format_message, gettext
from alur.core.monitoring.figures import StepFigures
from alur.core.monitoring.office_time import office_time_text
from alur.reports.table import format_number
from alur.tenants.monitoring.report import MutuBakuReport, SopReport, StepReport
from alur.web.templating import MONTHS


def no_data() -> str:
    """What a group without a finished span shows ("belum ada data")."""
    return gettext("no data yet")


_NUMBER_AND_UNIT = re.compile(r"(\d) ")


def unbroken(text: str) -> str:
    """A duration that wraps between its parts, never inside one: "5 jam 33 menit" with a
    no-break space after each number."""
    return _NUMBER_AND_UNIT.sub("\\1\u00a0", text)


def office_time(minutes: float | None, minutes_per_day: int) -> str:
    """Office minutes as people write them (``office_time_text``), each part unbroken."""
    return unbroken(office_time_text(minutes, minutes_per_day))


def hours(minutes: float | None) -> float | None:
    """Office minutes as office hours for a chart (two decimals), ``None`` kept."""
    return None if minutes is None else round(minutes / 60, 2)


def share_text(f: StepFigures, language: str) -> str:
    """The share of spans within the standard: "75,00% (3 dari 4)"; "" without a standard."""
    share = f.within_share
    if share is None:
        return ""
    value = format_number(Decimal(str(round(share * 100, 2))), language, percent=True)
    text = format_message(
        "{share}% ({within} of {total})", share=value, within=f.within, total=f.with_standard
    )
    share_part, _, counts = text.partition(" ")  # "(3 dari 4)" wraps as one
    return f"{share_part} {counts.replace(' ', chr(0xA0))}" if counts else text


def figure_cells(f: StepFigures, minutes_per_day: int, language: str) -> dict[str, Any]:
    """One group's figures as the tables show them."""

    def text(minutes: float | None) -> str:
        return office_time(minutes, minutes_per_day)

    return {
        "has_data": f.has_data,
        "count": f.count,
        "median": text(f.median),
        "p75": text(f.p75),
        "p90": text(f.p90),
        "waiting": text(f.waiting_median),
        "working": text(f.working_median),
        "within": share_text(f, language),
        # the median kept the standard? (None: no standard, or no data)
        # (in whole minutes, as shown: a median shown "10 menit" is not over a 10 menit one)
        "late": None if f.median is None or f.standard is None else round(f.median) > f.standard,
        "returned": f.returned,
        "rework": f.rework,
        "held": text(f.held) if f.has_data else "",
    }


def step_label(s: StepReport) -> str:
    return f"{s.number}. {s.kegiatan}" if s.kegiatan else str(s.number)


@dataclass(frozen=True)
class SopView:
    """One SOP's part of the page (its tables' rows and its charts' data)."""

    sop: SopReport
    anchor: str  # the id prefix of its elements
    steps: list[dict[str, Any]]
    units: list[dict[str, Any]]
    people: list[dict[str, Any]] | None
    bottlenecks: list[dict[str, Any]]
    times_chart: dict[str, Any]
    share_chart: dict[str, Any] | None


def sop_view(sop: SopReport, report: MutuBakuReport, index: int, language: str) -> SopView:
    per_day = report.minutes_per_day
    steps = []
    for s in sop.steps:
        steps.append(
            {
                "number": s.number,
                "kegiatan": s.kegiatan,
                "role": s.role,
                "waktu": unbroken(s.waktu),
                "province": office_time(s.province_median, per_day),
                # a report of one unit: a kegiatan done once for the office has no unit's data
                "not_per_unit": report.unit is not None and not s.per_unit,
                **figure_cells(s.figures, per_day, language),
            }
        )
    names = dict(report.unit_names)
    units = [
        {
            "number": s.number,
            "kegiatan": s.kegiatan,
            "unit": names.get(str(f.key), str(f.key)),
            "slug": str(f.key),
            **figure_cells(f, per_day, language),
        }
        for s in sop.steps
        for f in s.by_unit
    ]
    kegiatan = {s.number: s.kegiatan for s in sop.steps}
    people = None
    if sop.by_person is not None:
        people = []
        for f in sop.by_person:
            step, _actor, name = f.key  # type: ignore[misc]
            people.append(
                {
                    "number": step,
                    "kegiatan": kegiatan.get(step, ""),
                    "name": name or "—",
                    **figure_cells(f, per_day, language),
                }
            )
    bottlenecks = [
        {
            "number": s.number,
            "kegiatan": s.kegiatan,
            "held": office_time(s.figures.held, per_day),
            "count": s.figures.count,
            "median": office_time(s.figures.median, per_day),
            "waktu": unbroken(s.waktu),
        }
        for s in sop.bottlenecks
    ]
    labels = [step_label(s) for s in sop.steps]
    times_chart = {
        "type": "bar",
        "horizontal": True,
        "suffix": " " + gettext("h"),
        "labels": labels,
        "datasets": [
            {
                "label": gettext("Mutu baku"),
                "colour": "#9e9e9e",
                "data": [hours(s.figures.standard) for s in sop.steps],
            },
            {"label": gettext("Median"), "data": [hours(s.figures.median) for s in sop.steps]},
            {"label": gettext("P75"), "data": [hours(s.figures.p75) for s in sop.steps]},
            {"label": gettext("P90"), "data": [hours(s.figures.p90) for s in sop.steps]},
        ],
    }
    judged = [s for s in sop.steps if s.figures.within_share is not None]
    share_chart = None
    if judged:
        share_chart = {
            "type": "bar",
            "horizontal": True,
            "percent": True,
            "max": 100,
            "labels": [step_label(s) for s in judged],
            "datasets": [
                {
                    "label": gettext("Within the mutu baku"),
                    "colour": "#2e7d32",
                    "data": [round((s.figures.within_share or 0) * 100, 2) for s in judged],
                }
            ],
        }
    return SopView(sop, f"sop-{index}", steps, units, people, bottlenecks, times_chart, share_chart)


def day_text(day: date, language: str) -> str:
    """``3 Des 2026`` / ``3 Dec 2026``."""
    months = MONTHS.get(language, MONTHS["en"])
    return f"{day.day} {months[day.month - 1]} {day.year}"


def report_view(report: MutuBakuReport, language: str) -> dict[str, Any]:
    """The template's context for ``report``."""
    p = report.period
    return {
        "report": report,
        "period_text": format_message(
            "{start} to {end}", start=day_text(p.start, language), end=day_text(p.end, language)
        ),
        "sops": [sop_view(s, report, i, language) for i, s in enumerate(report.sops)],
        "no_data": no_data(),
    }
