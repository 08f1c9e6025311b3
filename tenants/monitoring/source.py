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
from alur.tenants.monitoring.projection import definitions_of, refresh, refresh_offices
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
    await refresh_offices(o["id"] for o in offices)
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

# Per finest group (step, unit, person and standard): the counts and sums of figures_of's
# rules, when the last of its spans closed and where it is listed (ties), and the values; the
# report's groups are unions of these.
_COUNTS = (
    "COUNT(*) AS n, "
    "SUM(CASE WHEN s.standard IS NOT NULL AND s.total <= s.standard THEN 1 ELSE 0 END) AS within, "
    "SUM(CASE WHEN s.standard IS NOT NULL THEN 1 ELSE 0 END) AS with_standard, "
    f"SUM(CASE WHEN s.outcome = '{TIDAK}' THEN 1 ELSE 0 END) AS returned, "
    'SUM(CASE WHEN s."round" > 0 THEN 1 ELSE 0 END) AS rework, '
    "MAX(s.closed_at) AS last_closed, "
    'MAX(CAST(s."case" AS BIGINT) * 1000000 + s.task_no) AS position'
)
_SUMS = ("n", "within", "with_standard", "returned", "rework")


_WORK_MEM = "64MB"  # PostgreSQL: a report's grouping sorts ~10^5 rows in memory, not on disk


def _sqlite() -> bool:
    return isinstance(Tenant._meta.db, SQLiteEngine)


def _values(column: str, name: str, *, ordered: bool = False) -> str:
    """A group's values as one array (PostgreSQL: sorted when ``ordered``, which makes the
    percentiles' sorting a merge) or JSON array (SQLite)."""
    if _sqlite():
        return f"json_group_array({column}) AS {name}"
    return f"array_agg({column}{f' ORDER BY {column}' if ordered else ''}) AS {name}"


async def _grouped(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run a grouping statement, on PostgreSQL with :data:`_WORK_MEM` for its sorts."""
    if _sqlite():
        return await Tenant.raw(sql, *args)
    async with Tenant._meta.db.transaction():
        await Tenant.raw(f"SET LOCAL work_mem = '{_WORK_MEM}'")
        return await Tenant.raw(sql, *args)


def _numbers(value: Any) -> list[int]:
    values = json.loads(value) if isinstance(value, str) else value or []
    return [v for v in values if v is not None] if None in values else list(values)


class _Group:
    """The union of finest groups: sums, the standard of the span closed last, the values."""

    def __init__(self) -> None:
        self.sums = dict.fromkeys(_SUMS, 0)
        self.standard: int | None = None
        self.last: tuple[Any, int] | None = None  # when the spans with it last closed, where
        self.totals: list[int] = []
        self.waits: list[int] = []
        self.works: list[int] = []

    def add(self, r: dict[str, Any], totals: list[int], waits: list[int], works: list[int]) -> None:
        for name in _SUMS:
            self.sums[name] += r[name]
        last = (r["last_closed"], r["position"])  # the standard of the span closed last
        if r["standard"] is not None and (self.last is None or last > self.last):
            self.standard, self.last = r["standard"], last
        self.totals += totals
        self.waits += waits
        self.works += works

    def figures(self, key: Hashable) -> StepFigures:
        for values in (self.totals, self.waits, self.works):
            values.sort()  # sorted runs merged: the percentiles then sort in one pass
        return figures_from_values(
            key,
            count=self.sums["n"],
            totals=self.totals,
            waits=self.waits,
            works=self.works,
            standard=self.standard,
            within=self.sums["within"],
            with_standard=self.sums["with_standard"],
            returned=self.sums["returned"],
            rework=self.sums["rework"],
        )


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
    :func:`~alur.core.monitoring.groups.span_groups` gives of :func:`office_spans`. One
    statement groups them by step, unit and person; the report's groups are their unions."""
    await refresh(tenant_id)
    where = "WHERE s.tenant = {} AND s.closed_at >= {} AND s.closed_at < {} AND " + _FINISHED
    args: list[Any] = [tenant_id, start, end]
    if sop_id is not None:
        where += " AND s.sop_id = {}"
        args.append(sop_id)
    if unit is not None:
        where += " AND s.unit = {}"
        args.append(unit)
    values = ", ".join(
        _values(column, name, ordered=name != "cases")
        for column, name in (
            ("s.total", "totals"),
            ("s.waiting", "waits"),
            ("s.working", "works"),
            ('s."case"', "cases"),
        )
    )
    rows = await _grouped(
        "SELECT s.sop_id, s.step, s.unit, COALESCE(s.actor, '') AS actor, s.actor_name, "
        f"s.standard, {_COUNTS}, {values} FROM alur_step_span s {where} "
        "GROUP BY s.sop_id, s.step, s.unit, COALESCE(s.actor, ''), s.actor_name, s.standard",
        *args,
    )
    groups: dict[str, dict[str, dict[Hashable, _Group]]] = {}
    cases: dict[str, set[int]] = {}
    for r in rows:
        totals, waits, works = _numbers(r["totals"]), _numbers(r["waits"]), _numbers(r["works"])
        cases.setdefault(r["sop_id"], set()).update(_numbers(r["cases"]))
        sop = groups.setdefault(r["sop_id"], {"step": {}, "unit": {}, "person": {}})
        keys: list[tuple[str, Hashable]] = [("step", r["step"])]
        if r["unit"] is not None:
            keys.append(("unit", (r["step"], r["unit"])))
        if per_person:
            keys.append(("person", (r["step"], r["actor"], r["actor_name"])))
        for grouping, key in keys:
            sop[grouping].setdefault(key, _Group()).add(r, totals, waits, works)
    return {
        sop_id_: SpanGroups(
            by_step=_figures(by["step"]),
            by_unit=_figures(by["unit"]),
            by_person=_figures(by["person"]) if per_person else None,
            cases=len(cases[sop_id_]),
        )
        for sop_id_, by in groups.items()
    }


def _figures(groups: dict[Hashable, _Group]) -> dict:
    return {k: groups[k].figures(k) for k in sorted(groups, key=key_order)}


async def province_medians(
    plugin: str, sop_id: str, start: datetime, end: datetime
) -> dict[int, float | None]:
    """Per step, the median total of the finished spans of SOP ``sop_id`` of ``plugin`` closed
    in ``[start, end)`` in every office that runs it (:func:`family_spans`' medians)."""
    # The other offices' spans as the projection holds them: the worker keeps them within
    # minutes of their events, and an office's page never waits on (nor fails with) another
    # office's recomputation. (The reader's own office was refreshed by office_groups.)
    rows = await _grouped(
        f"SELECT s.step, {_values('s.total', 'totals', ordered=True)} FROM alur_step_span s "
        "WHERE s.plugin = {} AND s.sop_id = {} AND s.closed_at >= {} AND s.closed_at < {} "
        f"AND {_FINISHED} GROUP BY s.step",
        plugin,
        sop_id,
        start,
        end,
    )
    return {r["step"]: percentile(_numbers(r["totals"]), 50) for r in rows}
