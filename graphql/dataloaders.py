"""Per-request DataLoaders: one query per kind of object, however many ask for it.

:class:`Loaders` is created with each request's context (never at module level: a loader
caches, and a cache shared between requests would leak one office's rows to another). Each
batch function is one ``SELECT … WHERE x IN (…)``; for an office's token every query also
filters on that office (``scope``), so a row of another office is never loaded even if an
id of it were somehow asked for.

The loaders cover the N+1 points of the schema: case → tenant, case → tasks, task → case,
case → events, case/task → SOP definition (by content hash), and people (assignees,
actors, who started a case); for data kinerja: office and period → format (indicator set),
office → its formats' periods, case → its units and its submissions (every version).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from alur.core.kinerja.model import Indicator, IndicatorSet, Submission
from alur.core.model import SopDefinition
from alur.tenants.cases.listing import CASE_COLUMNS, TASK_COLUMNS
from alur.tenants.cases.snapshots import pinned_definitions

# the rows are mapped to the model exactly as the service maps them (its helpers)
from alur.tenants.kinerja.data import indicator_from_row, submission_from_row
from alur.tenants.storage.tables import (
    Case,
    Event,
    IndicatorRow,
    IndicatorSetRow,
    SubmissionRow,
    Task,
    Tenant,
    Unit,
    User,
)

TENANT_COLUMNS = (
    Tenant.id,
    Tenant.slug,
    Tenant.name,
    Tenant.plugin,
    Tenant.sops,
    Tenant.office_start,
    Tenant.office_end,
    Tenant.timezone,
    Tenant.suspended,
)


class Loaders:
    """The DataLoaders of one request. ``scope`` is the office of a tenant token (its id),
    ``None`` for a platform token."""

    def __init__(self, scope: int | None) -> None:
        self.scope = scope
        self.tenants: DataLoader[int, dict | None] = DataLoader(load_fn=self._tenants)
        self.units: DataLoader[int, list[dict]] = DataLoader(load_fn=self._units)
        self.cases: DataLoader[int, dict | None] = DataLoader(load_fn=self._cases)
        self.tasks: DataLoader[int, list[dict]] = DataLoader(load_fn=self._tasks)
        self.events: DataLoader[int, list[dict]] = DataLoader(load_fn=self._events)
        self.definitions: DataLoader[str, SopDefinition | None] = DataLoader(
            load_fn=self._definitions
        )
        self.users: DataLoader[int, dict | None] = DataLoader(load_fn=self._users)
        # data kinerja
        self.indicator_sets: DataLoader[tuple[int, str], IndicatorSet | None] = DataLoader(
            load_fn=self._indicator_sets
        )
        self.indicator_periods: DataLoader[int, list[str]] = DataLoader(
            load_fn=self._indicator_periods
        )
        self.case_units: DataLoader[int, tuple[str, ...]] = DataLoader(load_fn=self._case_units)
        self.submissions: DataLoader[int, dict[str, list[Submission]]] = DataLoader(
            load_fn=self._submissions
        )

    def forget_case(self, case_id: int) -> None:
        """Drop what is cached about a case (after a mutation changed it)."""
        for loader in (self.cases, self.tasks, self.events, self.case_units, self.submissions):
            with contextlib.suppress(KeyError):  # not loaded yet
                loader.clear(case_id)

    def forget_indicator_set(self, tenant_id: int, period: str) -> None:
        """Drop the cached format of an office's period (after a mutation replaced it)."""
        with contextlib.suppress(KeyError):
            self.indicator_sets.clear((tenant_id, period))
        with contextlib.suppress(KeyError):
            self.indicator_periods.clear(tenant_id)

    def _scoped(self, column: Any, keys: Sequence[Any]) -> list[Any]:
        where = [column.is_in(list(keys))]
        if self.scope is not None:
            where.append(column._meta.table.tenant == self.scope)
        return where

    async def _tenants(self, ids: list[int]) -> list[dict | None]:
        where = [Tenant.id.is_in(list(ids))]
        if self.scope is not None:
            where.append(Tenant.id == self.scope)
        rows = await Tenant.select(*TENANT_COLUMNS).where(*where)
        return _one_each(ids, rows, "id")

    async def _units(self, tenant_ids: list[int]) -> list[list[dict]]:
        rows = (
            await Unit.select(Unit.tenant, Unit.slug, Unit.name, Unit.active)
            .where(*self._scoped(Unit.tenant, tenant_ids))
            .order_by(Unit.id)
        )
        return _many_each(tenant_ids, rows, "tenant")

    async def _cases(self, ids: list[int]) -> list[dict | None]:
        rows = await Case.select(*CASE_COLUMNS).where(*self._scoped(Case.id, ids))
        return _one_each(ids, rows, "id")

    async def _tasks(self, case_ids: list[int]) -> list[list[dict]]:
        rows = (
            await Task.select(*TASK_COLUMNS)
            .where(*self._scoped(Task.case, case_ids))
            .order_by(Task.task_no)
        )
        return _many_each(case_ids, rows, "case")

    async def _events(self, case_ids: list[int]) -> list[list[dict]]:
        rows = (
            await Event.select(
                Event.case,
                Event.seq,
                Event.kind,
                Event.at,
                Event.actor,
                Event.actor_name,
                Event.role,
                Event.delegation,
                Event.acting_for,
                Event.acting_for_name,
                Event.step,
                Event.unit,
                Event.task_no,
                Event.note,
                Event.due,
                Event.payload,
            )
            .where(*self._scoped(Event.case, case_ids))
            .order_by(Event.seq)
        )
        return _many_each(case_ids, rows, "case")

    async def _definitions(self, hashes: list[str]) -> list[SopDefinition | None]:
        """Pinned definitions by content hash: parsed once per process (the store's cache),
        so a statement only for those this process has not seen yet."""
        found = await pinned_definitions(hashes)
        return [found.get(h) for h in hashes]

    async def _users(self, ids: list[int]) -> list[dict | None]:
        rows = await User.select(User.id, User.username, User.name, User.jabatan).where(
            User.id.is_in(list(ids))
        )
        return _one_each(ids, rows, "id")

    async def _indicator_sets(self, keys: list[tuple[int, str]]) -> list[IndicatorSet | None]:
        """Two queries for any number of (office, period): the sets, then their indicators."""
        tenants = sorted({t for t, _ in keys})
        where = [
            *self._scoped(IndicatorSetRow.tenant, tenants),
            IndicatorSetRow.period.is_in(sorted({p for _, p in keys})),
        ]
        heads = await IndicatorSetRow.select(
            IndicatorSetRow.id, IndicatorSetRow.tenant, IndicatorSetRow.period
        ).where(*where)
        wanted = {(h["tenant"], h["period"]): h["id"] for h in heads}
        rows: list[dict] = []
        if wanted:
            rows = (
                await IndicatorRow.select()
                .where(*self._scoped(IndicatorRow.indicator_set, list(wanted.values())))
                .order_by(IndicatorRow.position)
                .output(load_json=True)
            )
        indicators: dict[int, list[Indicator]] = {}
        for r in rows:
            indicators.setdefault(r["indicator_set"], []).append(indicator_from_row(r))
        return [
            IndicatorSet(key[1], tuple(indicators.get(wanted[key], ()))) if key in wanted else None
            for key in keys
        ]

    async def _indicator_periods(self, tenant_ids: list[int]) -> list[list[str]]:
        rows = (
            await IndicatorSetRow.select(IndicatorSetRow.tenant, IndicatorSetRow.period)
            .where(*self._scoped(IndicatorSetRow.tenant, tenant_ids))
            .order_by(IndicatorSetRow.id, ascending=False)
        )
        return [[r["period"] for r in found] for found in _many_each(tenant_ids, rows, "tenant")]

    async def _case_units(self, case_ids: list[int]) -> list[tuple[str, ...]]:
        """The units each case runs over (from its stored engine state)."""
        rows = await Case.select(Case.id, Case.state).where(*self._scoped(Case.id, case_ids))
        found = {r["id"]: tuple(_json(r["state"])["units"]) for r in rows}
        return [found.get(i, ()) for i in case_ids]

    async def _submissions(self, case_ids: list[int]) -> list[dict[str, list[Submission]]]:
        """Every version of every unit's data in each case, per unit, oldest first."""
        rows = (
            await SubmissionRow.select(
                SubmissionRow.case,
                SubmissionRow.unit,
                SubmissionRow.version,
                SubmissionRow.entries,
                SubmissionRow.submitted_at,
                SubmissionRow.submitted_by.name.as_alias("submitted_by_name"),
            )
            .where(*self._scoped(SubmissionRow.case, case_ids))
            .order_by(SubmissionRow.unit, SubmissionRow.version)
            .output(load_json=True)
        )
        result = []
        for found in _many_each(case_ids, rows, "case"):
            per_unit: dict[str, list[Submission]] = {}
            for r in found:
                per_unit.setdefault(r["unit"], []).append(submission_from_row(r))
            result.append(per_unit)
        return result


def _one_each(keys: Iterable[Any], rows: list[dict], column: str) -> list[dict | None]:
    by_key = {r[column]: r for r in rows}
    return [by_key.get(k) for k in keys]


def _many_each(keys: Iterable[Any], rows: list[dict], column: str) -> list[list[dict]]:
    grouped: dict[Any, list[dict]] = {}
    for r in rows:
        grouped.setdefault(r[column], []).append(r)
    return [grouped.get(k, []) for k in keys]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
