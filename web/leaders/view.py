"""The leaders' dashboard as the page shows it: each figure once, as chart data (read by
``static/charts.js`` from a ``data-chart`` attribute) and as the rows of the table beside
the chart (for readers without JavaScript or with a screen reader, and for print).

Only presentation: the figures come from
:meth:`alur.tenants.leaders.service.LeadersService.overview`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alur.core.i18n import format_message, gettext
from alur.reports.table import format_number
from alur.tenants.leaders.capaian import CaseCapaian
from alur.tenants.leaders.open_work import NO_UNIT, Late, OpenWork
from alur.tenants.leaders.service import Overview

NOT_COUNTED = "—"


def unit_label(slug: str, names: dict[str, str]) -> str:
    if slug == NO_UNIT:
        return gettext("Office-wide")
    return names.get(slug, slug)


def late_text(minutes: int, minutes_per_day: int) -> str:
    """How late, in office time: "2 working days 3 hours" (whole days of office hours,
    then hours, then minutes when under an hour)."""
    days, rest = divmod(minutes, max(1, minutes_per_day))
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(
            format_message("{n} working day", n=days)
            if days == 1
            else format_message("{n} working days", n=days)
        )
    if hours:
        parts.append(
            format_message("{n} hour", n=hours)
            if hours == 1
            else format_message("{n} hours", n=hours)
        )
    if mins and not days:
        parts.append(
            format_message("{n} minute", n=mins)
            if mins == 1
            else format_message("{n} minutes", n=mins)
        )
    return " ".join(parts) or gettext("just now")


def percent(value: Decimal | None, language: str) -> str:
    return NOT_COUNTED if value is None else format_number(value, language, percent=True) + "%"


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class CapaianView:
    """One case's capaian: indicator rows (sasaran, code, indicator, capaian per unit, its
    own capaian), sasaran rows (average), bidang rows, and the two charts' data."""

    case: CaseCapaian
    units: list[str]
    indicators: list[dict[str, Any]]
    sasaran: list[dict[str, Any]]
    bidang: list[dict[str, Any]]
    indicator_chart: dict[str, Any]
    bidang_chart: dict[str, Any]


def capaian_view(c: CaseCapaian, names: dict[str, str], language: str) -> CapaianView:
    units = [unit_label(u, names) for u in c.recap.units]
    indicators = []
    sasaran = []
    for s in c.recap.sasaran:
        for i in s.indicators:
            by_unit = {r.unit: r.capaian.value for r in i.results}
            indicators.append(
                {
                    "sasaran": s.sasaran,
                    "code": i.indicator.code,
                    "text": i.indicator.text,
                    "units": [
                        percent(by_unit[u], language) if u in by_unit else "" for u in c.recap.units
                    ],
                    "capaian": percent(i.capaian.value, language),
                    "value": _number(i.capaian.value),
                }
            )
        sasaran.append(
            {
                "sasaran": s.sasaran,
                "average": percent(s.average, language),
                "counted": s.counted,
                "of": len(s.indicators),
            }
        )
    bidang = [
        {
            "unit": unit_label(u.unit, names),
            "capaian": percent(u.capaian, language),
            "value": _number(u.capaian),
            "counted": u.counted,
            "reported": u.reported,
        }
        for u in c.units
    ]
    indicator_chart = {
        "type": "bar",
        "percent": True,
        "labels": [row["code"] for row in indicators],
        "datasets": [{"label": gettext("Capaian"), "data": [row["value"] for row in indicators]}],
    }
    bidang_chart = {
        "type": "bar",
        "percent": True,
        "labels": [row["unit"] for row in bidang],
        "datasets": [{"label": gettext("Capaian"), "data": [row["value"] for row in bidang]}],
    }
    return CapaianView(c, units, indicators, sasaran, bidang, indicator_chart, bidang_chart)


@dataclass(frozen=True)
class WorkView:
    """The open work: step rows (count per unit column), unit rows, late rows, charts."""

    units: list[str]  # column slugs, NO_UNIT last
    unit_names: list[str]
    steps: list[dict[str, Any]]
    unit_rows: list[dict[str, Any]]
    late: list[dict[str, Any]]
    steps_chart: dict[str, Any]
    units_chart: dict[str, Any]
    total: int


def _holders(t: Late) -> str:
    if t.taken_by:
        return t.taken_by
    if not t.holders:
        return gettext("nobody holds this role today")
    return ", ".join(t.holders)


def work_view(work: OpenWork, names: dict[str, str], minutes_per_day: int) -> WorkView:
    seen = [u for u in names if u in work.units] + sorted(
        u for u in work.units if u not in names and u != NO_UNIT
    )
    columns = seen + ([NO_UNIT] if NO_UNIT in work.units else [])
    column_names = [unit_label(u, names) for u in columns]
    steps = [
        {
            "sop": s.sop_name,
            "step": s.step,
            "kegiatan": s.kegiatan,
            "counts": [s.per_unit.get(u, 0) for u in columns],
            "tasks": s.tasks,
            "overdue": s.overdue,
            "cases": len(s.cases),
        }
        for s in work.steps
    ]
    several_sops = len({s.sop_id for s in work.steps}) > 1
    labels = [
        (f"{s['sop']} · " if several_sops else "") + f"{s['step']}. {s['kegiatan']}" for s in steps
    ]
    unit_rows = [
        {
            "unit": name,
            "tasks": work.units.get(u, 0),
            "overdue": work.overdue_units.get(u, 0),
        }
        for u, name in zip(columns, column_names, strict=True)
    ]
    late = [
        {
            "task": t,
            "unit": unit_label(t.unit or NO_UNIT, names),
            "who": _holders(t),
            "late": late_text(t.office_minutes_late, minutes_per_day),
        }
        for t in work.late
    ]
    steps_chart = {
        "type": "bar",
        "horizontal": True,
        "stacked": True,
        "labels": labels,
        "datasets": [
            {"label": name, "data": [s["counts"][i] for s in steps]}
            for i, name in enumerate(column_names)
        ],
    }
    units_chart = {
        "type": "bar",
        "labels": column_names,
        "datasets": [
            {"label": gettext("Open tasks"), "data": [r["tasks"] for r in unit_rows]},
            {"label": gettext("Overdue"), "data": [r["overdue"] for r in unit_rows]},
        ],
    }
    return WorkView(
        columns, column_names, steps, unit_rows, late, steps_chart, units_chart, work.total
    )


def dashboard(overview: Overview, language: str) -> dict[str, Any]:
    """The template's context for ``overview``."""
    return {
        "overview": overview,
        "work": work_view(overview.work, overview.units, overview.minutes_per_day),
        "capaian": [capaian_view(c, overview.units, language) for c in overview.capaian],
    }
