"""What a person holds in an office, read for :mod:`alur.tenants.identity.people_admin`
and the person page: the office itself (:class:`Office`), the person's offices, the office's active administrators, the open tasks a
person holds, the open tasks that wait on a role nobody else holds, a person's memberships
and Plt/Plh delegations in one office."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from alur.core import limits
from alur.core.i18n import format_message, gettext
from alur.tenants.errors import NotFound
from alur.tenants.storage.tables import Delegation, Membership, Task, Tenant

SHOWN_TASKS = 10  # open tasks named in a refusal (and "… and N more")


@dataclass(frozen=True)
class Office:
    id: int
    slug: str
    timezone: str
    suspended: bool = False
    """An office as the administration of people needs it."""


async def office_by_slug(slug: str) -> Office:
    """The office ``slug`` (:class:`NotFound` when there is none)."""
    row = (
        await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
        if limits.usable_key(slug)
        else None
    )
    if row is None:
        raise NotFound(what=format_message("office {slug}", slug=slug[:64]))
    return await load_office(row["id"])


async def load_office(tenant_id: int) -> Office:
    row = (
        await Tenant.select(Tenant.id, Tenant.slug, Tenant.timezone, Tenant.suspended)
        .where(Tenant.id == tenant_id)
        .first()
    )
    if row is None:
        raise NotFound(what=gettext("office"))
    return Office(row["id"], row["slug"], row["timezone"], bool(row["suspended"]))


async def is_admin(tenant_id: int, user_id: int) -> bool:
    return await Membership.exists().where(
        (Membership.tenant == tenant_id)
        & (Membership.user == user_id)
        & (Membership.administrator == True)  # noqa: E712
    )


def last_admin_message(slug: str) -> str:
    return format_message(
        "This is the last active administrator of {office}: make someone else an "
        "administrator first.",
        office=slug,
    )


async def offices_of(user_id: int) -> list[int]:
    """The ids of every office the person belongs to (a membership or a delegation)."""
    members = await Membership.select(Membership.tenant).where(Membership.user == user_id)
    acting = await Delegation.select(Delegation.tenant).where(Delegation.delegate == user_id)
    return sorted({r["tenant"] for r in [*members, *acting]})


async def active_admins(tenant_id: int, *, excluding: int) -> int:
    """How many active people other than ``excluding`` administer the office."""
    rows = await Membership.select(Membership.user).where(
        (Membership.tenant == tenant_id)
        & (Membership.administrator == True)  # noqa: E712
        & (Membership.user != excluding)
        & (Membership.user.active == True)  # noqa: E712
    )
    return len({r["user"] for r in rows})


def _task_label(row: dict[str, Any]) -> str:
    return f"{row['case_key']} #{row['task_no']}"


async def open_tasks_of(user_id: int, tenant_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The open tasks the person holds (claimed or handed to them) in these offices:
    ``{tenant, case_key, task_no, step, role, unit, label}``, oldest first."""
    if not tenant_ids:
        return []
    rows = (
        await Task.select(
            Task.tenant,
            Task.case.key.as_alias("case_key"),
            Task.task_no,
            Task.step,
            Task.role,
            Task.unit,
        )
        .where((Task.assignee == user_id) & (Task.status == "open") & Task.tenant.is_in(tenant_ids))
        .order_by(Task.opened_at)
    )
    return [{**r, "label": _task_label(r)} for r in rows]


async def waiting_tasks(tenant_id: int, user_id: int, role: str, unit: str | None) -> list[str]:
    """The open tasks of ``role`` (in ``unit``) of the office, named, when no active person
    but ``user_id`` holds that role there; ``[]`` when someone else does, or none wait."""
    holders = await Membership.select(Membership.user).where(
        (Membership.tenant == tenant_id)
        & (Membership.role == role)
        & (Membership.user != user_id)
        & (Membership.user.active == True)  # noqa: E712
        & (Membership.unit.is_null() if unit is None else Membership.unit.slug == unit)
    )
    if holders:
        return []
    where = (Task.tenant == tenant_id) & (Task.role == role) & (Task.status == "open")
    if unit is not None:
        where &= Task.unit == unit
    rows = (
        await Task.select(Task.case.key.as_alias("case_key"), Task.task_no)
        .where(where)
        .order_by(Task.opened_at)
        .limit(SHOWN_TASKS + 1)
    )
    named = [_task_label(r) for r in rows[:SHOWN_TASKS]]
    if len(rows) > SHOWN_TASKS:
        named.append("…")
    return named


async def memberships_here(tenant_id: int, user_id: int) -> list[dict[str, Any]]:
    """The person's memberships in the office: ``{role, unit, administrator}``."""
    return await Membership.select(
        Membership.role, Membership.unit.slug.as_alias("unit"), Membership.administrator
    ).where((Membership.tenant == tenant_id) & (Membership.user == user_id))


async def delegations_here(tenant_id: int, user_id: int) -> list[dict[str, Any]]:
    """The office's Plt/Plh delegations where the person acts or is acted for, newest
    start first: ``{id, delegate, delegate_name, official, official_name, kind, role, unit,
    starts_on, ends_on, note}`` (people by username)."""
    rows = (
        await Delegation.select(
            Delegation.id,
            Delegation.delegate.username.as_alias("delegate"),
            Delegation.delegate.name.as_alias("delegate_name"),
            Delegation.official.username.as_alias("official"),
            Delegation.official.name.as_alias("official_name"),
            Delegation.kind,
            Delegation.role,
            Delegation.unit.slug.as_alias("unit"),
            Delegation.starts_on,
            Delegation.ends_on,
            Delegation.note,
        )
        .where(
            (Delegation.tenant == tenant_id)
            & ((Delegation.delegate == user_id) | (Delegation.official == user_id))
        )
        .order_by(Delegation.starts_on, ascending=False)
        .order_by(Delegation.id, ascending=False)
    )
    for r in rows:
        r["starts_on"], r["ends_on"] = as_day(r["starts_on"]), as_day(r["ends_on"])
    return rows


def delegation_label(d: dict[str, Any]) -> str:
    """``Plt kabid (linmas): budi for siti`` — a delegation named in the CLI's answers."""
    unit = f" ({d['unit']})" if d.get("unit") else ""
    return (
        f"{d['kind']} {d['role']}{unit}: {d.get('user') or d.get('delegate')} for {d['official']}"
    )


def as_day(value: date | str) -> date:
    """A DATE column as a date (SQLite may hand back the ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
