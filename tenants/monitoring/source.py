"""Where the spans of a report come from (:class:`~alur.core.monitoring.spans.StepSpan`).

The hash-chained events are the source of truth: every span here is
:func:`~alur.core.monitoring.spans.spans_of` of a case's events. :func:`office_spans` and
:func:`family_spans` give the *finished* spans that closed within a period (UTC instants,
half-open ``[start, end)``); cancelled spans and those still open are not returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from alur.core.calendar import WorkingCalendar
from alur.core.engine.events import Event as EngineEvent
from alur.core.model import SopDefinition
from alur.core.monitoring.spans import MIGRATED, StepSpan, spans_of
from alur.tenants.cases.rows import event_from_row
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.offices.provisioning import calendar_for
from alur.tenants.storage.tables import Case, Event, Tenant

_CHUNK = 500  # cases per events statement


async def case_spans(
    case_key: str, events: Sequence[EngineEvent], calendar: WorkingCalendar
) -> list[StepSpan]:
    """Every span of one case (open and cancelled ones too), from its events."""
    return spans_of(case_key, events, await _definitions_of([events]), calendar)


async def office_spans(
    tenant_id: int, sop_id: str | None, start: datetime, end: datetime
) -> dict[str, list[StepSpan]]:
    """Per SOP id, the office's finished spans (of SOP ``sop_id``, or every SOP) closed in
    ``[start, end)``, in case and opening order."""
    tenant = await Tenant.select().where(Tenant.id == tenant_id).first()
    if tenant is None:
        return {}
    calendar = await calendar_for(tenant)
    query = Case.select(Case.id, Case.key, Case.sop_id).where(Case.tenant == tenant_id)
    if sop_id is not None:
        query = query.where(Case.sop_id == sop_id)
    cases = await query.order_by(Case.id)
    spans: dict[str, list[StepSpan]] = {}
    for chunk in _chunks(cases):
        histories = await _events_of([c["id"] for c in chunk])
        definitions = await _definitions_of(histories.values())
        for c in chunk:
            for s in spans_of(c["key"], histories.get(c["id"], []), definitions, calendar):
                if s.finished and s.closed_at is not None and start <= s.closed_at < end:
                    spans.setdefault(c["sop_id"], []).append(s)
    return spans


async def family_spans(
    plugin: str, sop_id: str, start: datetime, end: datetime
) -> dict[str, list[StepSpan]]:
    """Per office slug, the finished spans of SOP ``sop_id`` of ``plugin`` closed in
    ``[start, end)``, for every office that ran it (active or not)."""
    rows = await Case.select(Case.tenant.id, Case.tenant.slug).where(
        (Case.plugin == plugin) & (Case.sop_id == sop_id)
    )
    offices = {r["tenant.id"]: r["tenant.slug"] for r in rows}
    result: dict[str, list[StepSpan]] = {}
    for tenant_id, slug in sorted(offices.items(), key=lambda kv: kv[1]):
        result[slug] = (await office_spans(tenant_id, sop_id, start, end)).get(sop_id, [])
    return result


async def _events_of(case_ids: list[int]) -> dict[int, list[EngineEvent]]:
    rows = (
        await Event.select()
        .where(Event.case.is_in(case_ids))
        .order_by(Event.case)
        .order_by(Event.seq)
    )
    histories: dict[int, list[EngineEvent]] = {}
    for r in rows:
        histories.setdefault(r["case"], []).append(event_from_row(r))
    return histories


async def _definitions_of(
    histories: Iterable[Sequence[EngineEvent]],
) -> dict[str, SopDefinition]:
    hashes: set[str] = set()
    for events in histories:
        for e in events:
            if e.kind == "case_started":
                hashes.add(str(e.payload.get("definition_hash", "")))
            elif str(e.kind) == MIGRATED:
                hashes.update(str(e.payload.get(k, "")) for k in ("from", "to"))
    hashes.discard("")
    return await pinned_definitions(sorted(hashes)) if hashes else {}


def _chunks(rows: list[dict]) -> Iterable[list[dict]]:
    for i in range(0, len(rows), _CHUNK):
        yield rows[i : i + _CHUNK]
