"""Memberships and Plt/Plh delegations: who holds which role of an office, and who acts
for whom between two dates.

The checks are written once, here: :func:`membership_problems` and
:func:`delegation_problems` say per field what is wrong (without writing), and
:func:`add_membership` / :func:`add_delegation` refuse with them
(:class:`~alur.tenants.errors.InvalidInput`) or write one row.
:class:`~alur.tenants.offices.admin.TenantAdmin` adds what an office's administrator may
name (the office's people and roles) for the web pages; the CLI and the demo offices call
the writers directly.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from alur.core import limits
from alur.core.engine import Delegation
from alur.core.i18n import format_message, gettext
from alur.core.model import Role
from alur.tenants.errors import InvalidInput
from alur.tenants.storage.tables import Delegation as DelegationRow
from alur.tenants.storage.tables import Membership, Unit


async def membership_problems(
    tenant_id: int,
    user_id: int | None,
    role: Role | None,
    unit_slug: str | None = None,
    *,
    administrator: bool = False,
) -> tuple[dict[str, str], int | None]:
    """What is wrong with a new membership, per field, and the id of its unit (``None``
    without one). ``user_id`` is ``None`` for a user not created yet (nothing to
    duplicate)."""
    errors: dict[str, str] = {}
    unit_id = None
    if role is None and not administrator:
        errors["role"] = gettext("choose a role or make the user an administrator")
    if role is not None and role.per_unit and not unit_slug:
        errors["unit"] = format_message("{role} works per unit: choose the unit", role=role.name)
    if role is not None and not role.per_unit and unit_slug:
        errors["unit"] = format_message(
            "{role} is not a per-unit role: leave the unit empty", role=role.name
        )
    if unit_slug and "unit" not in errors:
        unit_id = await _unit_id(tenant_id, unit_slug)
        if unit_id is None:
            errors["unit"] = format_message('no unit "{unit}" in this office', unit=unit_slug)
    if (
        not errors
        and user_id is not None
        and await Membership.exists().where(
            (Membership.tenant == tenant_id)
            & (Membership.user == user_id)
            & (Membership.role == (role.id if role else ""))
            & (Membership.unit.is_null() if unit_id is None else Membership.unit == unit_id)
            & (Membership.administrator == administrator)
        )
    ):
        errors["role"] = gettext("the user already has this role here")
    return errors, unit_id


async def add_membership(
    tenant_id: int,
    user_id: int,
    role: Role | None,
    unit_slug: str | None = None,
    *,
    administrator: bool = False,
) -> Membership:
    """Give a user a role (in a unit, for a per-unit role) or tenant administration;
    refused with :func:`membership_problems`."""
    errors, unit_id = await membership_problems(
        tenant_id, user_id, role, unit_slug, administrator=administrator
    )
    if errors:
        raise InvalidInput(errors)
    m = Membership(
        tenant=tenant_id,
        user=user_id,
        role=role.id if role else "",
        unit=unit_id,
        administrator=administrator,
    )
    await m.save()
    return m


async def _unit_id(tenant_id: int, slug: str) -> int | None:
    if not limits.usable_key(slug):
        return None
    row = await Unit.select(Unit.id).where((Unit.tenant == tenant_id) & (Unit.slug == slug)).first()
    return row["id"] if row else None


async def people_of(tenant_id: int, user_ids: Collection[int]) -> set[int]:
    """Which of ``user_ids`` are people of the office: a membership here, or a Plt/Plh
    delegation here (one statement each, whatever the number of ids)."""
    ids = sorted({i for i in user_ids if limits.usable_id(i)})
    if not ids:
        return set()
    members = await Membership.select(Membership.user).where(
        (Membership.tenant == tenant_id) & Membership.user.is_in(ids)
    )
    acting = await DelegationRow.select(DelegationRow.delegate).where(
        (DelegationRow.tenant == tenant_id) & DelegationRow.delegate.is_in(ids)
    )
    return {r["user"] for r in members} | {r["delegate"] for r in acting}


async def works_elsewhere(tenant_id: int, user_id: int) -> bool:
    """Whether the person also belongs to another office (a membership or a Plt/Plh
    delegation there): then one office's administrator must not change what is theirs alone,
    such as where all their notifications go."""
    member = await Membership.exists().where(
        (Membership.user == user_id) & (Membership.tenant != tenant_id)
    )
    return member or await DelegationRow.exists().where(
        (DelegationRow.delegate == user_id) & (DelegationRow.tenant != tenant_id)
    )


async def delegation_problems(
    tenant_id: int,
    delegate_id: int | None,
    official_id: int | None,
    role: str,
    unit_slug: str | None,
    kind: str,
    starts_on: date | None,
    ends_on: date | None,
    note: str = "",
) -> tuple[dict[str, str], int | None]:
    """What is wrong with a new Plt/Plh delegation, per field, and the id of its unit. A
    day that could not be read is ``None``; a person not named is ``None``."""
    errors = limits.text_problems({"note": (note, limits.NOTE)})
    if not limits.usable_key(role):
        errors["role"] = gettext("choose a role")
    if kind not in (Delegation.PLT, Delegation.PLH):
        errors["kind"] = gettext('choose "Plt" or "Plh"')
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is None:
            errors[field] = gettext("Give a date like 2026-12-24.")
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = gettext("the end date is before the start date")
    if delegate_id is None:
        errors["delegate"] = gettext("Choose who acts as Plt/Plh.")
    elif delegate_id == official_id:
        errors["delegate"] = gettext("an official cannot be their own Plt/Plh")
    if official_id is None:
        errors["official"] = gettext("Choose the official whose role is held.")
    unit_id = await _unit_id(tenant_id, unit_slug) if unit_slug else None
    if unit_slug and unit_id is None:
        errors["unit"] = format_message('no unit "{unit}" in this office', unit=unit_slug)
    held_in = (
        []
        if "role" in errors or official_id is None
        else [
            r["unit_slug"]
            for r in await Membership.select(Membership.unit.slug.as_alias("unit_slug")).where(
                (Membership.tenant == tenant_id)
                & (Membership.user == official_id)
                & (Membership.role == role)
            )
        ]
    )
    if "unit" not in errors and "official" not in errors and "role" not in errors:
        if not held_in:
            errors["official"] = gettext("the official does not hold this role here")
        elif unit_slug not in held_in:
            units = ", ".join(u for u in held_in if u) or gettext("no unit")
            errors["unit"] = format_message(
                "the official holds this role in: {units}; choose that unit", units=units
            )
    return errors, unit_id


async def add_delegation(
    tenant_id: int,
    delegate_id: int,
    official_id: int,
    role: str,
    unit_slug: str | None,
    kind: str,
    starts_on: date,
    ends_on: date,
    note: str = "",
) -> DelegationRow:
    """Let ``delegate`` act as Plt/Plh in ``official``'s role from ``starts_on`` to
    ``ends_on``; refused with :func:`delegation_problems`."""
    errors, unit_id = await delegation_problems(
        tenant_id, delegate_id, official_id, role, unit_slug, kind, starts_on, ends_on, note
    )
    if errors:
        raise InvalidInput(errors)
    row = DelegationRow(
        tenant=tenant_id,
        delegate=delegate_id,
        official=official_id,
        role=role,
        unit=unit_id,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )
    await row.save()
    return row
