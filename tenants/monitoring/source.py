"""Where the spans of a report come from (:class:`~alur.core.monitoring.spans.StepSpan`).

The hash-chained events are the source of truth: every span here is
:func:`~alur.core.monitoring.spans.spans_of` of a case's events. :func:`office_spans` and
:func:`family_spans` first bring the projection (:mod:`alur.tenants.monitoring.projection`)
of the offices concerned up to date with their events, then read it: the *finished* spans
that closed within a period (UTC instants, half-open ``[start, end)``); cancelled spans and
those still open are not returned. :func:`case_spans` (one case, the case page) computes from
the case's events directly.

A report reads the groups rather than the spans: :func:`office_groups` lets the database
group the office's counted spans (per step, per step and unit, per step and person: counts,
sums and each group's values) and makes each group's figures with
:func:`~alur.core.monitoring.figures.figures_from_values`, the same
:class:`~alur.core.monitoring.groups.SpanGroups` as
:func:`~alur.core.monitoring.groups.span_groups` of :func:`office_spans` (tested), without a
Python object per span; :func:`province_medians` likewise for the SOP family's medians.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from alur.core.calendar import WorkingCalendar
from alur.core.engine.events import Event as EngineEvent
from alur.core.monitoring.figures import StepFigures, figures_from_values, key_order, percentile
from alur.core.monitoring.groups import SpanGroups
from alur.core.monitoring.spans import DONE, TIDAK, YA, StepSpan, spans_of
from alur.tenants.monitoring.projection import definitions_of, refresh
from alur.tenants.storage.tables import Tenant

# The columns of a span row a report reads, and the finished outcomes it counts.
_SPAN = (
    "c.key, s.task_no, s.step, s.unit, s.role, s.opened_at, s.claimed_at, s.closed_at, "
    's.outcome, s.actor, s.actor_name, s."round", s.total, s.waiting, s.working, s.standard'
)
_FINISHED = f"s.outcome IN ('{DONE}', '{YA}', '{TIDAK}')"


async def case_spans(
    case_key: str, events: Sequence[EngineEvent], calendar: WorkingCalendar
) -> list[StepSpan]:
    """Every span of one case (open and cancelled ones too), from its events."""
    return spans_of(case_key, events, await definitions_of([events]), calendar)


async def office_spans(
    tenant_id: int, sop_id: str | None, start: datetime, end: datetime
) -> dict[str, list[StepSpan]]:
    """Per SOP id, the office's finished spans (of SOP ``sop_id``, or every SOP) closed in
    ``[start, end)``, in case and opening order."""
    await refresh(tenant_id)
    sop = "AND s.sop_id = {} " if sop_id is not None else ""
    rows = await Tenant.raw(
        f"SELECT s.sop_id, {_SPAN} FROM alur_step_span s "
        'JOIN alur_case c ON c.id = s."case" '
        f"WHERE s.tenant = {{}} {sop}AND s.closed_at >= {{}} AND s.closed_at < {{}} "
        f'AND {_FINISHED} ORDER BY s."case", s.task_no',
        *([tenant_id, sop_id] if sop_id is not None else [tenant_id]),
        start,
        end,
    )
    spans: dict[str, list[StepSpan]] = {}
    for r in rows:
        spans.setdefault(r["sop_id"], []).append(_span(r))
    return spans


async def family_spans(
    plugin: str, sop_id: str, start: datetime, end: datetime
) -> dict[str, list[StepSpan]]:
    """Per office slug, the finished spans of SOP ``sop_id`` of ``plugin`` closed in
    ``[start, end)``, for every office that ran it (active or not)."""
    offices = await Tenant.raw(
        "SELECT DISTINCT t.id, t.slug FROM alur_case c JOIN alur_tenant t ON t.id = c.tenant "
        "WHERE c.plugin = {} AND c.sop_id = {}",
        plugin,
        sop_id,
    )
    for office in offices:
        await refresh(office["id"])
    rows = await Tenant.raw(
        f"SELECT s.tenant, {_SPAN} FROM alur_step_span s "
        'JOIN alur_case c ON c.id = s."case" '
        "WHERE s.plugin = {} AND s.sop_id = {} AND s.closed_at >= {} AND s.closed_at < {} "
        f'AND {_FINISHED} ORDER BY s."case", s.task_no',
        plugin,
        sop_id,
        start,
        end,
    )
    by_tenant: dict[int, list[StepSpan]] = {}
    for r in rows:
        by_tenant.setdefault(r["tenant"], []).append(_span(r))
    return {
        o["slug"]: by_tenant.get(o["id"], []) for o in sorted(offices, key=lambda o: str(o["slug"]))
    }


def _span(r: dict[str, Any]) -> StepSpan:
    return StepSpan(
        case=r["key"],
        task=r["task_no"],
        step=r["step"],
        unit=r["unit"],
        role=r["role"],
        opened_at=r["opened_at"],
        claimed_at=r["claimed_at"],
        closed_at=r["closed_at"],
        outcome=r["outcome"],
        actor=r["actor"],
        actor_name=r["actor_name"],
        round=r["round"],
        total=r["total"],
        waiting=r["waiting"],
        working=r["working"],
        standard=r["standard"],
    )


# --- grouped by the database ---------------------------------------------------------------

# Per group: the counts and sums of figures_of's rules, the latest span with a standard (as
# case id × 10^6 + task number: the order office_spans lists them in) and the values.
_COUNTS = (
    "COUNT(*) AS n, "
    "SUM(CASE WHEN s.standard IS NOT NULL AND s.total <= s.standard THEN 1 ELSE 0 END) AS within, "
    "SUM(CASE WHEN s.standard IS NOT NULL THEN 1 ELSE 0 END) AS with_standard, "
    f"SUM(CASE WHEN s.outcome = '{TIDAK}' THEN 1 ELSE 0 END) AS returned, "
    'SUM(CASE WHEN s."round" > 0 THEN 1 ELSE 0 END) AS rework, '
    'MAX(CASE WHEN s.standard IS NOT NULL THEN CAST(s."case" AS BIGINT) * 1000000 + s.task_no '
    "END) AS latest"
)
_LATEST = 1_000_000
_GROUPINGS = {  # name: (extra columns, extra condition)
    "step": ("", ""),
    "unit": (", s.unit", "AND s.unit IS NOT NULL "),
    "person": (", COALESCE(s.actor, '') AS actor, s.actor_name", ""),
}


def _values(column: str) -> str:
    if isinstance(Tenant._meta.db, SQLiteEngine):
        return f"json_group_array(s.{column}) AS {column}s"
    return f"array_agg(s.{column}) AS {column}s"


def _numbers(value: Any) -> list[int]:
    values = json.loads(value) if isinstance(value, str) else value or []
    return [v for v in values if v is not None]


async def office_groups(
    tenant_id: int,
    sop_id: str | None,
    start: datetime,
    end: datetime,
    *,
    unit: str | None = None,
    per_person: bool = False,
) -> dict[str, SpanGroups]:
    """Per SOP id, the groups of the office's finished spans closed in ``[start, end)`` (of
    SOP ``sop_id``, or every SOP; only unit ``unit``'s when given): what
    :func:`~alur.core.monitoring.groups.span_groups` gives of :func:`office_spans`."""
    await refresh(tenant_id)
    where = "WHERE s.tenant = {} AND s.closed_at >= {} AND s.closed_at < {} AND " + _FINISHED
    args: list[Any] = [tenant_id, start, end]
    if sop_id is not None:
        where += " AND s.sop_id = {}"
        args.append(sop_id)
    if unit is not None:
        where += " AND s.unit = {}"
        args.append(unit)
    values = ", ".join(_values(c) for c in ("total", "waiting", "working"))
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, (columns, condition) in _GROUPINGS.items():
        if name == "person" and not per_person:
            continue
        group_by = "s.sop_id, s.step" + columns.replace(" AS actor", "")
        rows[name] = await Tenant.raw(
            f"SELECT s.sop_id, s.step{columns}, {_COUNTS}, {values} FROM alur_step_span s "
            f"{where} {condition}GROUP BY {group_by}",
            *args,
        )
    cases = await Tenant.raw(
        f'SELECT s.sop_id, COUNT(DISTINCT s."case") AS n FROM alur_step_span s {where} '
        "GROUP BY s.sop_id",
        *args,
    )
    standards = await _standards({r["latest"] for group in rows.values() for r in group})
    figures: dict[str, dict[str, dict[Hashable, StepFigures]]] = {}
    for name, group in rows.items():
        for r in group:
            key = _key(name, r)
            figures.setdefault(r["sop_id"], {}).setdefault(name, {})[key] = figures_from_values(
                key,
                count=r["n"],
                totals=_numbers(r["totals"]),
                waits=_numbers(r["waitings"]),
                works=_numbers(r["workings"]),
                standard=standards.get(r["latest"]),
                within=r["within"],
                with_standard=r["with_standard"],
                returned=r["returned"],
                rework=r["rework"],
            )
    counted = {r["sop_id"]: r["n"] for r in cases}
    return {
        sop: SpanGroups(
            by_step=_ordered(by.get("step", {})),
            by_unit=_ordered(by.get("unit", {})),
            by_person=_ordered(by.get("person", {})) if per_person else None,
            cases=counted.get(sop, 0),
        )
        for sop, by in figures.items()
    }


async def province_medians(
    plugin: str, sop_id: str, start: datetime, end: datetime
) -> dict[int, float | None]:
    """Per step, the median total of the finished spans of SOP ``sop_id`` of ``plugin`` closed
    in ``[start, end)`` in every office that runs it (:func:`family_spans`' medians)."""
    offices = await Tenant.raw(
        "SELECT DISTINCT c.tenant FROM alur_case c WHERE c.plugin = {} AND c.sop_id = {}",
        plugin,
        sop_id,
    )
    for office in offices:
        await refresh(office["tenant"])
    rows = await Tenant.raw(
        f"SELECT s.step, {_values('total')} FROM alur_step_span s "
        "WHERE s.plugin = {} AND s.sop_id = {} AND s.closed_at >= {} AND s.closed_at < {} "
        f"AND {_FINISHED} GROUP BY s.step",
        plugin,
        sop_id,
        start,
        end,
    )
    return {r["step"]: percentile(_numbers(r["totals"]), 50) for r in rows}


async def _standards(latest: set[int | None]) -> dict[int, int]:
    """The standard of each span named as case id × 10^6 + task number."""
    wanted = sorted(k for k in latest if k is not None)
    if not wanted:
        return {}
    cases = sorted({k // _LATEST for k in wanted})
    marks = ", ".join(["{}"] * len(cases))
    rows = await Tenant.raw(
        f'SELECT "case", task_no, standard FROM alur_step_span WHERE "case" IN ({marks})',
        *cases,
    )
    found = {r["case"] * _LATEST + r["task_no"]: r["standard"] for r in rows}
    return {k: found[k] for k in wanted if found.get(k) is not None}


def _key(grouping: str, r: dict[str, Any]) -> Hashable:
    if grouping == "unit":
        return (r["step"], r["unit"])
    if grouping == "person":
        return (r["step"], r["actor"], r["actor_name"])
    return r["step"]


def _ordered(figures: dict[Hashable, StepFigures]) -> dict[Hashable, StepFigures]:
    return {k: figures[k] for k in sorted(figures, key=key_order)}
