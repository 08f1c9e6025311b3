"""The Mutu baku projection: every task of an office's cases as a span
(:class:`~alur.core.monitoring.spans.StepSpan`) in ``alur_step_span``, kept up to date from
the events incrementally, so a report over ten thousand cases reads one index range instead
of recomputing every case.

**Derived, never a source of truth.** The hash-chained events are the record: every row here
is :func:`~alur.core.monitoring.spans.spans_of` of its case's events on the office's working
calendar, and can be thrown away and rebuilt at any time (delete the rows of
``alur_span_progress`` and the next :func:`refresh` recomputes every case). ``alur audit
verify`` neither reads nor checks these tables; the office archive (``alur tenants export``)
does not carry them: an imported office's cases are projected by their first refresh. A
case's deletion removes its rows (``ON DELETE CASCADE``); offboarding deletes the office's.

**What is stale.** ``alur_span_progress`` holds, per case, the case's ``last_seq`` when its
spans were written and the fingerprint of the office calendar they were computed on
(:func:`calendar_fingerprint`: office hours, time zone, working days, the office's days off,
the public holidays' source). :func:`refresh` recomputes only the cases whose ``last_seq``
moved since (a new event), that were never projected, or whose office calendar changed — in
batches of :data:`BATCH` cases, each batch one transaction.

**Two refreshes at once** (a page and the worker, or two app processes) are safe: in the
batch's transaction the progress marker is compare-and-set (inserted if absent, updated only
if it still holds what was read), and only the cases whose marker this refresh set get their
rows replaced; the other refresh's rows stand. A case lost that way is looked at again by a
further pass. The engine's write path is untouched: a transition never writes here, and a
refresh never locks a case row (the marker is a table of its own).

The worker keeps the projection warm (``alur.monitoring_refresh`` every 5 minutes and ``alur
worker --once``: :func:`refresh_all`), so the refresh a report makes first
(:mod:`alur.tenants.monitoring.source`) has little to do.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from alur.core.calendar import WorkingCalendar
from alur.core.engine.events import Event as EngineEvent
from alur.core.model import SopDefinition
from alur.core.monitoring.spans import MIGRATED, StepSpan, spans_of
from alur.tenants.cases.rows import event_from_row
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.offices.provisioning import calendar_for, calendar_from
from alur.tenants.storage.tables import DayOff, Tenant

log = logging.getLogger(__name__)

BATCH = 200  # cases recomputed per transaction
WRITE_LOCK = 7_431_017  # pg_advisory_xact_lock(WRITE_LOCK, office id): a batch's write
PASSES = 3  # passes over an office's stale cases: a case another refresh took is retried
SPAN_COLUMNS = (
    "tenant",
    '"case"',
    "plugin",
    "sop_id",
    "task_no",
    "step",
    "unit",
    "role",
    "opened_at",
    "claimed_at",
    "closed_at",
    "outcome",
    "actor",
    "actor_name",
    '"round"',
    "total",
    "waiting",
    "working",
    "standard",
)
_ROWS_PER_INSERT = 30_000 // len(SPAN_COLUMNS)  # both backends take up to 32,766 parameters
_EVENT_COLUMNS = (
    '"case", seq, kind, at, actor, actor_name, role, delegation, acting_for, '
    "acting_for_name, step, unit, task_no, note, due, payload"
)


@dataclass
class Refreshed:
    """What a refresh did: cases recomputed, span rows written, cases another refresh
    projected first (left to it)."""

    cases: int = 0
    rows: int = 0
    lost: int = 0
    failed: int = 0  # offices whose refresh failed (refresh_all)

    def add(self, other: Refreshed) -> None:
        self.cases += other.cases
        self.rows += other.rows
        self.lost += other.lost
        self.failed += other.failed


@functools.cache
def _holidays_version() -> str:
    try:
        return metadata.version("holidays")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency of Alur
        return ""


def calendar_fingerprint(calendar: WorkingCalendar) -> str:
    """What the office minutes of a span depend on, hashed: a change of office hours, time
    zone, working days, days off or of the public holidays' source recomputes the spans."""
    holidays_version = _holidays_version()
    parts = (
        calendar.office_start.isoformat(),
        calendar.office_end.isoformat(),
        str(calendar.timezone),
        ",".join(str(d) for d in sorted(calendar.workdays)),
        ",".join(d.isoformat() for d in sorted(calendar.days_off)),
        f"{calendar.public_holidays}:{calendar.country}:{holidays_version}",
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


async def refresh(tenant_id: int, *, batch: int = BATCH) -> Refreshed:
    """Bring office ``tenant_id``'s spans up to date with its events (module docstring)."""
    tenant = await Tenant.select().where(Tenant.id == tenant_id).first()
    done = Refreshed()
    if tenant is None:
        return done
    calendar = await calendar_for(tenant)
    fingerprint = calendar_fingerprint(calendar)
    for _ in range(PASSES):
        lost_before = done.lost
        after = 0
        while True:
            stale = await _stale_cases(tenant_id, fingerprint, after, batch)
            if not stale:
                break
            after = stale[-1]["id"]
            done.add(await _project(tenant_id, stale, calendar, fingerprint))
        if done.lost == lost_before:
            break
    return done


async def refresh_all() -> Refreshed:
    """Refresh every office that has anything to do (the worker's job)
    (:func:`refresh_offices`)."""
    return await refresh_offices(r["id"] for r in await Tenant.select(Tenant.id))


async def refresh_offices(tenant_ids: Iterable[int]) -> Refreshed:
    """Refresh those of the offices ``tenant_ids`` that have anything to do (the worker's
    job, an operator's view of an SOP family): found in three statements however many
    offices there are. An office whose refresh fails is logged with its error and counted
    in ``failed``; the others are refreshed all the same."""
    done = Refreshed()
    for tenant_id in await stale_offices(tenant_ids):
        try:
            done.add(await refresh(tenant_id))
        except Exception:
            log.exception("the Mutu baku projection of office #%s failed", tenant_id)
            done.failed += 1
    return done


async def stale_offices(tenant_ids: Iterable[int]) -> list[int]:
    """Those of the offices ``tenant_ids`` with a case to project: never projected, with new
    events, or computed on another calendar than the office's today."""
    ids = sorted(set(tenant_ids))
    if not ids:
        return []
    tenants = await Tenant.select().where(Tenant.id.is_in(ids))
    days: dict[int, set] = {}
    for d in await DayOff.select(DayOff.tenant, DayOff.day).where(DayOff.tenant.is_in(ids)):
        days.setdefault(d["tenant"], set()).add(d["day"])
    prints = [
        (t["id"], calendar_fingerprint(calendar_from(t, frozenset(days.get(t["id"], ())))))
        for t in tenants
    ]
    one = "(CAST({} AS INTEGER), CAST({} AS VARCHAR(64)))"
    rows = await Tenant.raw(
        "SELECT DISTINCT c.tenant FROM alur_case c "
        f"JOIN (VALUES {', '.join([one] * len(prints))}) AS f ON f.column1 = c.tenant "
        'LEFT JOIN alur_span_progress p ON p."case" = c.id '
        "WHERE p.id IS NULL OR p.seq <> c.last_seq OR p.calendar <> f.column2",
        *[v for pair in prints for v in pair],
    )
    return sorted(r["tenant"] for r in rows)


async def _stale_cases(
    tenant_id: int, fingerprint: str, after: int, limit: int
) -> list[dict[str, Any]]:
    return await Tenant.raw(
        "SELECT c.id, c.key, c.plugin, c.sop_id, c.last_seq, p.seq AS p_seq, "
        "p.calendar AS p_calendar FROM alur_case c "
        'LEFT JOIN alur_span_progress p ON p."case" = c.id '
        "WHERE c.tenant = {} AND c.id > {} "
        "AND (p.id IS NULL OR p.seq <> c.last_seq OR p.calendar <> {}) "
        "ORDER BY c.id LIMIT {}",
        tenant_id,
        after,
        fingerprint,
        limit,
    )


async def _project(
    tenant_id: int,
    cases: list[dict[str, Any]],
    calendar: WorkingCalendar,
    fingerprint: str,
) -> Refreshed:
    """Recompute ``cases`` (stale rows of :func:`_stale_cases`) and write the ones whose
    progress marker this refresh wins, in one transaction."""
    histories = await events_of([c["id"] for c in cases])
    for c in cases:  # what a transition committed after the case row was read waits
        histories[c["id"]] = [e for e in histories.get(c["id"], []) if e.seq <= c["last_seq"]]
    definitions = await definitions_of(histories.values())
    spans = {c["id"]: spans_of(c["key"], histories[c["id"]], definitions, calendar) for c in cases}
    async with _transaction():
        if not isinstance(Tenant._meta.db, SQLiteEngine):  # one writer per office at a time:
            # two batches' compare-and-sets never wait on each other's rows in turn (deadlock)
            await Tenant.raw("SELECT pg_advisory_xact_lock({}, {})", WRITE_LOCK, tenant_id)
        won = await _claim(tenant_id, cases, fingerprint)
        if won:
            marks = ", ".join(["{}"] * len(won))
            await Tenant.raw(f'DELETE FROM alur_step_span WHERE "case" IN ({marks})', *won)
        by_id = {c["id"]: c for c in cases}
        rows = [
            _span_values(tenant_id, by_id[case_id], s)
            for case_id in sorted(won)
            for s in spans[case_id]
        ]
        for i in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[i : i + _ROWS_PER_INSERT]
            one = "(" + ", ".join(["{}"] * len(SPAN_COLUMNS)) + ")"
            await Tenant.raw(
                f"INSERT INTO alur_step_span ({', '.join(SPAN_COLUMNS)}) VALUES "
                + ", ".join([one] * len(chunk)),
                *[v for row in chunk for v in row],
            )
    return Refreshed(cases=len(won), rows=len(rows), lost=len(cases) - len(won))


async def _claim(tenant_id: int, cases: list[dict[str, Any]], fingerprint: str) -> list[int]:
    """Compare-and-set the progress markers of ``cases``: insert the absent ones, update the
    ones that still hold what was read; the ids of the cases won."""
    won: list[int] = []
    fresh = [c for c in cases if c["p_seq"] is None]
    known = [c for c in cases if c["p_seq"] is not None]
    if fresh:
        values = ", ".join(["({}, {}, {}, {})"] * len(fresh))
        rows = await Tenant.raw(
            f'INSERT INTO alur_span_progress (tenant, "case", seq, calendar) VALUES {values} '
            'ON CONFLICT ("case") DO NOTHING RETURNING "case"',
            *[v for c in fresh for v in (tenant_id, c["id"], c["last_seq"], fingerprint)],
        )
        won += [r["case"] for r in rows]
    if known:
        # VALUES columns are column1..column5 on both databases; the casts type them there.
        one = (
            "(CAST({} AS INTEGER), CAST({} AS INTEGER), CAST({} AS VARCHAR(64)), "
            "CAST({} AS INTEGER), CAST({} AS VARCHAR(64)))"
        )
        rows = await Tenant.raw(
            "UPDATE alur_span_progress SET seq = v.column2, calendar = v.column3 "
            f"FROM (VALUES {', '.join([one] * len(known))}) AS v "
            'WHERE alur_span_progress."case" = v.column1 '
            "AND alur_span_progress.seq = v.column4 AND alur_span_progress.calendar = v.column5 "
            'RETURNING alur_span_progress."case"',
            *[
                v
                for c in known
                for v in (c["id"], c["last_seq"], fingerprint, c["p_seq"], c["p_calendar"])
            ],
        )
        won += [r["case"] for r in rows]
    return won


def _span_values(tenant_id: int, case: dict[str, Any], s: StepSpan) -> tuple[Any, ...]:
    return (
        tenant_id,
        case["id"],
        case["plugin"],
        case["sop_id"],
        s.task,
        s.step,
        s.unit,
        s.role,
        s.opened_at,
        s.claimed_at,
        s.closed_at,
        s.outcome,
        s.actor,
        s.actor_name,
        s.round,
        s.total,
        s.waiting,
        s.working,
        s.standard,
    )


def _transaction() -> Any:
    engine = Tenant._meta.db
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


# --- from the events ---------------------------------------------------------------------


async def events_of(case_ids: Sequence[int]) -> dict[int, list[EngineEvent]]:
    """The events of each case, in order."""
    if not case_ids:
        return {}
    marks = ", ".join(["{}"] * len(case_ids))
    rows = await Tenant.raw(
        f'SELECT {_EVENT_COLUMNS} FROM alur_event WHERE "case" IN ({marks}) ORDER BY "case", seq',
        *case_ids,
    )
    histories: dict[int, list[EngineEvent]] = {}
    for r in rows:
        histories.setdefault(r["case"], []).append(event_from_row(r))
    return histories


async def definitions_of(
    histories: Iterable[Sequence[EngineEvent]],
) -> dict[str, SopDefinition]:
    """By content hash, every definition the cases of ``histories`` ran on (the one each
    started with, and those a move took it to)."""
    hashes: set[str] = set()
    for events in histories:
        for e in events:
            if e.kind == "case_started":
                hashes.add(str(e.payload.get("definition_hash", "")))
            elif str(e.kind) == MIGRATED:
                hashes.update(str(e.payload.get(k, "")) for k in ("from", "to"))
    hashes.discard("")
    return await pinned_definitions(sorted(hashes)) if hashes else {}
