"""Reads in batches, by id, for the GraphQL API's per-request DataLoaders: one statement
per kind of row, however many ids are asked for.

Every function takes the reader's ``scope``: the office of a tenant token (its id), or
``None`` for a platform token, which reads every office. The scoping rule is written once,
here (:func:`in_scope`): for an office's token every statement also filters on that office,
so a row of another office is never read even if an id of it were somehow asked for — the
answer is ``None`` (or nothing), exactly as for an id that does not exist. The batches
answer in the order of the ids asked for. The data kinerja batches are in
:mod:`alur.tenants.kinerja.batch`; people (global, like their usernames) in
:mod:`alur.tenants.identity.people`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from alur.core import limits
from alur.tenants.cases.listing import CASE_COLUMNS, TASK_COLUMNS
from alur.tenants.storage.tables import Case, Event, Task, Tenant, Unit

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

EVENT_COLUMNS = (
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


def in_scope(column: Any, keys: Sequence[Any], scope: int | None) -> list[Any]:
    """The ``WHERE`` of a batch: ``column`` among ``keys``, and for an office's scope only
    that office's rows (``column``'s table has a ``tenant`` column)."""
    where = [column.is_in(list(keys))]
    if scope is not None:
        table = column._meta.table
        where.append((table.id if table is Tenant else table.tenant) == scope)
    return where


def one_each(keys: Iterable[Any], rows: list[dict], column: str) -> list[dict | None]:
    """``rows`` by ``column``, one (or ``None``) per key, in the order of ``keys``."""
    by_key = {r[column]: r for r in rows}
    return [by_key.get(k) for k in keys]


def many_each(keys: Iterable[Any], rows: list[dict], column: str) -> list[list[dict]]:
    """``rows`` grouped by ``column``, a list (maybe empty) per key, in the order of ``keys``."""
    grouped: dict[Any, list[dict]] = {}
    for r in rows:
        grouped.setdefault(r[column], []).append(r)
    return [grouped.get(k, []) for k in keys]


# --- offices ----------------------------------------------------------------------------------


async def tenants_by_id(ids: Sequence[int], *, scope: int | None) -> list[dict | None]:
    rows = await Tenant.select(*TENANT_COLUMNS).where(*in_scope(Tenant.id, ids, scope))
    return one_each(ids, rows, "id")


async def every_tenant() -> list[dict]:
    """Every office, by slug (what a platform token reads)."""
    return await Tenant.select(*TENANT_COLUMNS).order_by(Tenant.slug)


async def tenant_id(slug: str) -> int | None:
    """The id of the office ``slug`` (``None`` when there is none)."""
    if not limits.usable_key(slug):
        return None
    row = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
    return row["id"] if row else None


async def units_of(tenant_ids: Sequence[int], *, scope: int | None) -> list[list[dict]]:
    """Each office's units, active or not, in the order they were added."""
    rows = (
        await Unit.select(Unit.tenant, Unit.slug, Unit.name, Unit.active)
        .where(*in_scope(Unit.tenant, tenant_ids, scope))
        .order_by(Unit.id)
    )
    return many_each(tenant_ids, rows, "tenant")


# --- cases, their tasks and events ---------------------------------------------------------


async def case_by_key(key: str, *, scope: int | None) -> dict | None:
    """The case ``key`` (in the scope's office), or ``None``."""
    where = Case.key == key
    if scope is not None:
        where &= Case.tenant == scope
    return await Case.select(*CASE_COLUMNS).where(where).first()


async def cases_by_id(ids: Sequence[int], *, scope: int | None) -> list[dict | None]:
    rows = await Case.select(*CASE_COLUMNS).where(*in_scope(Case.id, ids, scope))
    return one_each(ids, rows, "id")


async def tasks_of(case_ids: Sequence[int], *, scope: int | None) -> list[list[dict]]:
    """Each case's tasks, open and closed, in the order they opened."""
    rows = (
        await Task.select(*TASK_COLUMNS)
        .where(*in_scope(Task.case, case_ids, scope))
        .order_by(Task.task_no)
    )
    return many_each(case_ids, rows, "case")


async def events_of(case_ids: Sequence[int], *, scope: int | None) -> list[list[dict]]:
    """Each case's events, in order."""
    rows = (
        await Event.select(*EVENT_COLUMNS)
        .where(*in_scope(Event.case, case_ids, scope))
        .order_by(Event.seq)
    )
    return many_each(case_ids, rows, "case")


async def units_of_cases(case_ids: Sequence[int], *, scope: int | None) -> list[tuple[str, ...]]:
    """The units each case runs over (from its stored engine state)."""
    rows = await Case.select(Case.id, Case.state).where(*in_scope(Case.id, case_ids, scope))
    found = {r["id"]: tuple(_json(r["state"])["units"]) for r in rows}
    return [found.get(i, ()) for i in case_ids]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
