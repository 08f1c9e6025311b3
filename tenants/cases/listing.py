"""Read-side queries shared by the web UI and GraphQL: case lists with filters, and who
can take a task. Every query is scoped to one tenant; only the API's pages
(:func:`page_cases`, :func:`page_tasks`) accept ``None`` — every tenant — and they are
called that way for platform tokens alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.querystring import QueryString

from alur.core import limits
from alur.tenants.cases.waiting import Waiting
from alur.tenants.storage.tables import Case, Delegation, Membership, Task

MAX_PAGE = 200


@dataclass(frozen=True)
class CaseFilter:
    sop_id: str | None = None
    period: str | None = None  # substring, case-insensitive
    status: str | None = None  # active | finished | cancelled
    overdue: bool | None = None  # only cases with (or without) an overdue open task
    updated_since: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class CaseRow:
    id: int
    definition_hash: str
    key: str
    sop_id: str
    period: str
    status: str
    started_at: datetime
    updated_at: datetime
    open_tasks: int
    next_due: datetime | None
    overdue: bool
    waiting: tuple[Waiting, ...] = ()  # whom it waits on (TenantService.case_list fills it)


async def list_cases(tenant_id: int, f: CaseFilter, now: datetime) -> list[CaseRow]:
    """Cases of the tenant, most recently active first, with their open-task summary."""
    where = _case_where(tenant_id, f, now)
    cases = (
        await Case.select(
            Case.id,
            Case.definition_hash,
            Case.key,
            Case.sop_id,
            Case.period,
            Case.status,
            Case.started_at,
            Case.updated_at,
        )
        .where(*where)
        .order_by(Case.updated_at, ascending=False)
        .limit(max(1, min(f.limit, MAX_PAGE)))
        .offset(max(0, f.offset))
    )
    if not cases:
        return []
    tasks = await Task.select(Task.case, Task.due).where(
        (Task.tenant == tenant_id)
        & (Task.status == "open")
        & Task.case.is_in([c["id"] for c in cases])
    )
    summary: dict[int, list[datetime | None]] = {}
    for t in tasks:
        summary.setdefault(t["case"], []).append(t["due"])
    result = []
    for c in cases:
        dues = [d for d in summary.get(c["id"], []) if d is not None]
        next_due = min(dues) if dues else None
        result.append(
            CaseRow(
                id=c["id"],
                definition_hash=c["definition_hash"],
                key=c["key"],
                sop_id=c["sop_id"],
                period=c["period"],
                status=c["status"],
                started_at=c["started_at"],
                updated_at=c["updated_at"],
                open_tasks=len(summary.get(c["id"], [])),
                next_due=next_due,
                overdue=next_due is not None and next_due < now,
            )
        )
    return result


async def tenant_people(tenant_id: int) -> list[dict]:
    """The tenant's users, by name: those with a membership here and those who only hold a
    Plt/Plh delegation here, with their email and WhatsApp number. Each has ``memberships``:
    ``{role, unit, administrator}`` (role id, unit slug or None)."""
    rows = await Membership.select(
        Membership.user.id.as_alias("id"),
        Membership.user.username.as_alias("username"),
        Membership.user.name.as_alias("name"),
        Membership.user.nip.as_alias("nip"),
        Membership.user.jabatan.as_alias("jabatan"),
        Membership.user.pangkat.as_alias("pangkat"),
        Membership.user.active.as_alias("active"),
        Membership.user.email.as_alias("email"),
        Membership.user.whatsapp.as_alias("whatsapp"),
        Membership.role,
        Membership.unit.slug.as_alias("unit"),
        Membership.administrator,
    ).where(Membership.tenant == tenant_id)
    acting = await Delegation.select(
        Delegation.delegate.id.as_alias("id"),
        Delegation.delegate.username.as_alias("username"),
        Delegation.delegate.name.as_alias("name"),
        Delegation.delegate.nip.as_alias("nip"),
        Delegation.delegate.jabatan.as_alias("jabatan"),
        Delegation.delegate.pangkat.as_alias("pangkat"),
        Delegation.delegate.active.as_alias("active"),
        Delegation.delegate.email.as_alias("email"),
        Delegation.delegate.whatsapp.as_alias("whatsapp"),
    ).where(Delegation.tenant == tenant_id)
    people: dict[int, dict] = {}
    for r in [*rows, *acting]:
        person = people.setdefault(
            r["id"],
            {
                k: r[k]
                for k in (
                    *("id", "username", "name", "nip", "jabatan", "pangkat"),
                    *("active", "email", "whatsapp"),
                )
            }
            | {"memberships": []},
        )
        if "role" in r:
            person["memberships"].append(
                {"role": r["role"], "unit": r["unit"], "administrator": r["administrator"]}
            )
    return sorted(people.values(), key=lambda p: (p["name"].lower(), p["id"]))


async def tenant_delegations(tenant_id: int, ending_on_or_after: date) -> list[dict]:
    """The tenant's Plt/Plh delegations that have not ended before ``ending_on_or_after``
    (active and upcoming ones), soonest start first."""
    return (
        await Delegation.select(
            Delegation.id,
            Delegation.delegate.id.as_alias("delegate"),
            Delegation.delegate.name.as_alias("delegate_name"),
            Delegation.official.id.as_alias("official"),
            Delegation.official.name.as_alias("official_name"),
            Delegation.role,
            Delegation.unit.slug.as_alias("unit"),
            Delegation.kind,
            Delegation.starts_on,
            Delegation.ends_on,
            Delegation.note,
        )
        .where((Delegation.tenant == tenant_id) & (Delegation.ends_on >= ending_on_or_after))
        .order_by(Delegation.starts_on)
        .order_by(Delegation.id)
    )


# --- pages for the API: keyset pagination, one tenant or (platform) every tenant ----------

CASE_COLUMNS = (
    Case.id,
    Case.tenant,
    Case.key,
    Case.plugin,
    Case.sop_id,
    Case.definition_hash,
    Case.period,
    Case.status,
    Case.started_by,
    Case.started_at,
    Case.updated_at,
    Case.ended_at,
)
TASK_COLUMNS = (
    Task.id,
    Task.tenant,
    Task.case,
    Task.task_no,
    Task.step,
    Task.unit,
    Task.role,
    Task.status,
    Task.opened_at,
    Task.due,
    Task.assignee,
    Task.return_note,
    Task.closed_at,
    Task.escalated_role,
    Task.case.definition_hash.as_alias("definition_hash"),
)


@dataclass(frozen=True)
class TaskFilter:
    """Filters of :func:`page_tasks` (open tasks)."""

    role: str | None = None
    unit: str | None = None
    overdue: bool | None = None
    sop_id: str | None = None
    assignee: int | None = None  # a user id


def _case_where(tenant_id: int | None, f: CaseFilter, now: datetime) -> list[Any]:
    where: list[Any] = []
    if tenant_id is not None:
        where.append(Case.tenant == tenant_id)
    if not all(limits.usable_key(v, limits.PERIOD) for v in (f.sop_id, f.period) if v):
        where.append(Case.id < 0)  # no case has such an SOP or period
        return where
    if f.sop_id:
        where.append(Case.sop_id == f.sop_id)
    if f.status:
        where.append(Case.status == f.status)
    if f.period:
        # SQLite's LIKE already ignores case (piccolo warns about ILIKE there)
        sqlite = Case._meta.db.engine_type == "sqlite"
        like = Case.period.like if sqlite else Case.period.ilike
        where.append(like(f"%{f.period}%"))
    if f.updated_since:
        where.append(Case.updated_at >= f.updated_since)
    if f.overdue is not None:
        late_where = (Task.status == "open") & (Task.due < now)
        if tenant_id is not None:
            late_where &= Task.tenant == tenant_id
        late = Task.select(Task.case).where(late_where)
        where.append(Case.id.is_in(late) if f.overdue else Case.id.not_in(late))
    return where


async def page_cases(
    tenant_id: int | None,
    f: CaseFilter,
    now: datetime,
    *,
    first: int,
    after: tuple[datetime, int] | None = None,
) -> list[dict]:
    """Up to ``first + 1`` case rows (the extra one says there is a next page), most recently
    updated first, after the keyset ``(updated_at, id)`` of the previous page's last row.
    ``tenant_id`` None reads every tenant (platform operators only)."""
    where = _case_where(tenant_id, f, now)
    if after is not None:
        at, case_id = after
        where.append((Case.updated_at < at) | ((Case.updated_at == at) & (Case.id < case_id)))
    return (
        await Case.select(*CASE_COLUMNS)
        .where(*where)
        .order_by(Case.updated_at, Case.id, ascending=False)
        .limit(first + 1)
    )


async def count_cases(tenant_id: int | None, f: CaseFilter, now: datetime) -> int:
    return await Case.count().where(*_case_where(tenant_id, f, now))


def _task_where(tenant_id: int | None, f: TaskFilter, now: datetime) -> list[Any]:
    where: list[Any] = [Task.status == "open"]
    if tenant_id is not None:
        where.append(Task.tenant == tenant_id)
    if f.role:
        where.append(Task.role == f.role)
    if f.unit:
        where.append(Task.unit == f.unit)
    if f.sop_id:
        where.append(Task.case.is_in(Case.select(Case.id).where(Case.sop_id == f.sop_id)))
    if f.assignee is not None:
        where.append(Task.assignee == f.assignee)
    if f.overdue is True:
        where.append(Task.due < now)
    elif f.overdue is False:
        where.append(Task.due.is_null() | (Task.due >= now))
    return where


async def page_tasks(
    tenant_id: int | None,
    f: TaskFilter,
    now: datetime,
    *,
    first: int,
    after: tuple[datetime | None, int] | None = None,
) -> list[dict]:
    """Up to ``first + 1`` open task rows, soonest due first (tasks without a due time last),
    after the keyset ``(due, id)`` of the previous page's last row."""
    where = _task_where(tenant_id, f, now)
    if after is not None:
        due, task_id = after
        if due is None:
            where.append(Task.due.is_null() & (Task.id > task_id))
        else:
            where.append(
                (Task.due > due) | ((Task.due == due) & (Task.id > task_id)) | Task.due.is_null()
            )
    return (
        await Task.select(*TASK_COLUMNS)
        .where(*where)
        .order_by(QueryString('"alur_task"."due" IS NULL'), Task.due, Task.id)
        .limit(first + 1)
    )


async def count_tasks(tenant_id: int | None, f: TaskFilter, now: datetime) -> int:
    return await Task.count().where(*_task_where(tenant_id, f, now))


async def task_rows_of(tenant_id: int, tasks: Sequence[tuple[str, int]]) -> list[dict]:
    """The rows (:data:`TASK_COLUMNS`) of the office's tasks ``(case key, task number)``, in
    the order asked; tasks of other offices are not found (left out)."""
    keys = sorted({key for key, _ in tasks})
    if not keys:
        return []
    rows = await Task.select(*TASK_COLUMNS, Task.case.key.as_alias("case_key")).where(
        (Task.tenant == tenant_id) & Task.case.key.is_in(keys)
    )
    by_key = {(r["case_key"], r["task_no"]): r for r in rows}
    return [by_key[t] for t in tasks if t in by_key]
