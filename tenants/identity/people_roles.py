"""Removing a role and ending a Plt/Plh early: the part of
:class:`~alur.tenants.identity.people_admin.PeopleAdmin` about what a person holds in an
office (its rules and ``change`` identifiers are in that module's docstring)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from alur.core import limits
from alur.core.i18n import format_message, gettext
from alur.tenants.audit.office_log import write_transaction
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.belonging import office_today
from alur.tenants.identity.roles_held import (
    Office,
    active_admins,
    as_day,
    delegation_label,
    delegations_here,
    last_admin_message,
    waiting_tasks,
)
from alur.tenants.storage.tables import Delegation, Membership

if TYPE_CHECKING:
    from alur.tenants.storage.database import Database


class RoleChanges:
    """Mixed into :class:`~alur.tenants.identity.people_admin.PeopleAdmin`."""

    db: Database
    office: Office | None
    if TYPE_CHECKING:  # PeopleAdmin's

        async def person(self, username: str) -> dict[str, Any]: ...
        async def _office_of(self, tenant_id: int) -> Office: ...
        async def _record(
            self, offices: list[Office], change: str, details: dict[str, Any], note: str = ""
        ) -> None: ...

    async def remove_role(
        self,
        username: str,
        tenant_id: int,
        role: str,
        unit: str | None,
        *,
        administrator: bool = False,
        note: str = "",
    ) -> None:
        """Take a role (``role``, in ``unit`` for a per-unit role) or the administration
        (``administrator``) of office ``tenant_id`` away from the person."""
        person = await self.person(username)
        office = await self._office_of(tenant_id)
        if problem := limits.text_problem(note, limits.NOTE):
            raise InvalidInput({"note": problem})
        if not administrator and not (
            limits.usable_key(role) and (unit is None or limits.usable_key(unit))
        ):
            raise InvalidInput({"role": gettext("This person does not hold this role here.")})
        held = await Membership.select(
            Membership.id, Membership.role, Membership.unit.slug.as_alias("unit")
        ).where(
            (Membership.tenant == office.id)
            & (Membership.user == person["id"])
            & (
                (Membership.administrator == True)  # noqa: E712
                if administrator
                else (Membership.role == role)
            )
        )
        rows = held if administrator else [m for m in held if m["unit"] == (unit or None)]
        if not rows:
            raise InvalidInput({"role": gettext("This person does not hold this role here.")})
        async with write_transaction(self.db):
            if administrator:
                if await active_admins(office.id, excluding=person["id"]) == 0:
                    raise InvalidInput({"role": last_admin_message(office.slug)})
                for m in rows:  # a row holding a role as well keeps the role
                    await Membership.update({Membership.administrator: False}).where(
                        Membership.id == m["id"]
                    )
                await Membership.delete().where(
                    (Membership.tenant == office.id)
                    & (Membership.user == person["id"])
                    & (Membership.role == "")
                    & (Membership.administrator == False)  # noqa: E712
                )
                details: dict[str, Any] = {"user": person["username"], "administrator": True}
            else:
                if waiting := await waiting_tasks(office.id, person["id"], role, unit):
                    raise InvalidInput(
                        {
                            "role": format_message(
                                "Open tasks wait on this role and nobody else here holds it: "
                                "give the role to someone else first ({tasks}).",
                                tasks=", ".join(waiting),
                            )
                        }
                    )
                for m in rows:  # an administrator's row keeps the administration
                    await Membership.update({Membership.role: "", Membership.unit: None}).where(
                        (Membership.id == m["id"]) & (Membership.administrator == True)  # noqa: E712
                    )
                    await Membership.delete().where(
                        (Membership.id == m["id"]) & (Membership.administrator == False)  # noqa: E712
                    )
                details = {"user": person["username"], "role": role, "unit": unit or None}
            await self._record([office], "role_removed", details, note)

    async def end_delegation(self, delegation_id: int, note: str = "") -> dict[str, Any]:
        """End a Plt/Plh delegation of the office now: its last day becomes yesterday in the
        office's timezone (module docstring). Answers it as it is now."""
        where = Delegation.id == delegation_id
        if self.office is not None:
            where &= Delegation.tenant == self.office.id
        found = (
            await Delegation.select(
                Delegation.id,
                Delegation.tenant,
                Delegation.delegate.username.as_alias("user"),
                Delegation.official.username.as_alias("official"),
                Delegation.kind,
                Delegation.role,
                Delegation.unit.slug.as_alias("unit"),
                Delegation.starts_on,
                Delegation.ends_on,
            )
            .where(where)
            .first()
            if limits.usable_id(delegation_id)
            else None
        )
        if found is None:
            raise NotFound(what=gettext("Plt/Plh"))
        if problem := limits.text_problem(note, limits.NOTE):
            raise InvalidInput({"note": problem})
        office = await self._office_of(found["tenant"])
        today = office_today(office.timezone, datetime.now(UTC))
        ends_on = as_day(found["ends_on"])
        if ends_on < today:
            raise InvalidInput({"delegation": gettext("This Plt/Plh has already ended.")})
        yesterday = today - timedelta(days=1)
        async with write_transaction(self.db):
            await Delegation.update({Delegation.ends_on: yesterday}).where(
                Delegation.id == found["id"]
            )
            details = {k: found[k] for k in ("user", "official", "kind", "role", "unit")}
            details |= {
                "starts_on": as_day(found["starts_on"]).isoformat(),
                "ends_on": yesterday.isoformat(),
                "was_ending_on": ends_on.isoformat(),
            }
            await self._record([office], "delegation_ended", details, note)
        return {**found, "ends_on": yesterday, "label": delegation_label(found)}

    async def delegations_to_end(
        self, username: str, tenant_id: int, role: str | None = None, official: str | None = None
    ) -> list[dict[str, Any]]:
        """The person's Plt/Plh delegations in the office that have not ended (acting, or
        to come), of ``role`` / for ``official`` when given: what :meth:`end_delegation`
        may end (the command line names one by these)."""
        person = await self.person(username)
        office = await self._office_of(tenant_id)
        today = office_today(office.timezone, datetime.now(UTC))
        return [
            {**d, "user": d["delegate"], "label": delegation_label({**d, "user": d["delegate"]})}
            for d in await delegations_here(office.id, person["id"])
            if d["delegate"] == username
            and d["ends_on"] >= today
            and role in (None, d["role"])
            and official in (None, d["official"])
        ]
