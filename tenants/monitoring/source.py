"""Where the spans of a report come from (:class:`~alur.core.monitoring.spans.StepSpan`).

The hash-chained events are the source of truth: every span here is
:func:`~alur.core.monitoring.spans.spans_of` of a case's events. :func:`office_spans` and
:func:`family_spans` first bring the projection (:mod:`alur.tenants.monitoring.projection`)
of the offices concerned up to date with their events, then read it: the *finished* spans
that closed within a period (UTC instants, half-open ``[start, end)``); cancelled spans and
those still open are not returned. :func:`case_spans` (one case, the case page) computes from
the case's events directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from alur.core.calendar import WorkingCalendar
from alur.core.engine.events import Event as EngineEvent
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
