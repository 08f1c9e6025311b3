"""The life of a person: edit them, deactivate and reactivate their account, remove a role,
end a Plt/Plh early — by an office's administrator (web) or a platform operator (CLI).

Both doors call :class:`PeopleAdmin` with the same rules; only who may act differs:

* an **office administrator** (:meth:`PeopleAdmin.office_admin`) acts on the people of their
  own office (a membership or a Plt/Plh delegation there) while the office is not suspended;
  may correct anyone's name, NIP, jabatan and pangkat/golongan (they are the person's own,
  whichever office corrects them), but not the email address and phone number of someone who
  also works in another office (their messages of every office go there: only they change
  them), and may deactivate or reactivate only a person who belongs to no other office;
* a **platform operator** (:meth:`PeopleAdmin.operator`) acts on anyone; a change is
  recorded on the chain of each office the person belongs to.

Rules of both: never deactivate oneself, never leave an office without an active
administrator (deactivating its last one, or removing their administration), never remove the
last role holder that open tasks wait on (refused with the list of those tasks: give the role
to someone else first), never end a delegation that has already ended. A delegation ended
early ends *yesterday* in the office's timezone, so the acting official stops at once and its
row stays for the record (one that had not started yet ends before its start: it never held).

A deactivated person's open tasks stay claimed (the case history keeps who held them); the
person page lists them as needing reassignment, done on the case page by an administrator.
Their sessions and API tokens stop at the next request: every door checks ``active``
(web/deps.py, which then clears the session; tokens.py). Deactivating also moves the
account's ``password_version`` on (:mod:`alur.tenants.identity.passwords`), so no session
of theirs comes back with a reactivation; their API tokens do (revoke them when that must not
happen: docs/security.md).

Every change is recorded with :func:`~alur.tenants.audit.office_log.record_office_change` in
the transaction of the change, with one of these ``change`` identifiers:

* ``person_edited``: ``{"user", "changed": {field: [before, after]}}``;
* ``person_deactivated`` / ``person_reactivated``: ``{"user"}``;
* ``role_removed``: ``{"user", "role", "unit"}`` or ``{"user", "administrator": true}``;
* ``delegation_ended``: ``{"user" (the delegate), "official", "kind", "role", "unit",
  "starts_on", "ends_on", "was_ending_on"}``;

and, through :func:`record_grant` (the writers of :mod:`~alur.tenants.identity.memberships`
are called by ``TenantAdmin`` and ``alur users create/add-role``):

* ``person_created``: ``{"user", "role", "unit"}``; ``role_granted``: ``{"user", "role",
  "unit", "administrator"}``; ``delegation_granted``: ``{"user" (the delegate), "official",
  "kind", "role", "unit", "starts_on", "ends_on"}``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from alur.core import limits
from alur.core.i18n import format_message, gettext
from alur.core.officials import nip_problem, normalize_nip
from alur.tenants.audit.office_log import (
    OfficeChange,
    office_changes,
    operator_actor,
    record_office_change,
    write_transaction,
)
from alur.tenants.cases.store import TenantRef
from alur.tenants.errors import Forbidden, InvalidInput, NotFound, TenantSuspended
from alur.tenants.identity.belonging import office_today
from alur.tenants.identity.memberships import people_of, works_elsewhere
from alur.tenants.identity.people import pangkat_problem
from alur.tenants.identity.people_roles import RoleChanges
from alur.tenants.identity.roles_held import (
    Office,
    active_admins,
    delegations_here,
    is_admin,
    last_admin_message,
    load_office,
    memberships_here,
    office_by_slug,
    offices_of,
    open_tasks_of,
)
from alur.tenants.notify.channels import available_channels
from alur.tenants.notify.contacts import contact_problems
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Membership, User

EDITABLE = ("name", "nip", "jabatan", "pangkat", "email", "whatsapp")
CONTACTS = ("email", "whatsapp")


class PeopleAdmin(RoleChanges):
    """The life of people, by one office's administrator or by a platform operator."""

    def __init__(
        self,
        db: Database,
        office: Office | None,
        actor: str,
        actor_name: str,
        user_id: int | None,
        record_on: Office | None = None,
    ) -> None:
        self.db = db
        self.office = office  # None: a platform operator, every office
        self.actor = actor
        self.actor_name = actor_name
        self.user_id = user_id  # the acting administrator (None: an operator)
        self.record_on = record_on  # an operator's chosen office to record a change on

    @classmethod
    async def office_admin(cls, db: Database, tenant_id: int, user_id: int) -> PeopleAdmin:
        """The administration of people by ``user_id``, who must administer the office."""
        office = await load_office(tenant_id)
        admin = await User.select(User.name, User.active).where(User.id == user_id).first()
        is_admin = await Membership.exists().where(
            (Membership.tenant == tenant_id)
            & (Membership.user == user_id)
            & (Membership.administrator == True)  # noqa: E712
        )
        if admin is None or not admin["active"] or not is_admin:
            raise Forbidden(what=gettext("administer this office: you are not its administrator"))
        if office.suspended:
            raise TenantSuspended(slug=office.slug)
        return cls(db, office, str(user_id), admin["name"], user_id)

    @classmethod
    async def operator(
        cls, db: Database, username: str, record_on: str | None = None
    ) -> PeopleAdmin:
        """The administration of people by the platform operator ``username``; a change of a
        person is recorded on each of their offices, or only on office ``record_on`` (a
        slug: the person must belong there)."""
        office = await office_by_slug(record_on) if record_on is not None else None
        return cls(db, None, operator_actor(username), username, None, office)

    # --- finding the person -------------------------------------------------------------

    async def person(self, username: str) -> dict[str, Any]:
        """The person ``username`` (their user row), if this administrator may act on them:
        another office's person, like an unknown one, is :class:`NotFound`."""
        row = (
            await User.select(User.id, User.username, User.active, *_columns())
            .where(User.username == username)
            .first()
            if limits.usable_key(username)
            else None
        )
        if (
            row is not None
            and self.office is not None
            and row["id"] not in await people_of(self.office.id, [row["id"]])
        ):
            row = None
        if row is None:
            raise NotFound(what=format_message("person {username}", username=username[:64]))
        return row

    async def _offices(self, user_id: int) -> list[Office]:
        """Where a change of this person is recorded: this office, or (an operator) every
        office the person belongs to."""
        if self.office is not None:
            return [self.office]
        found = await offices_of(user_id)
        if self.record_on is not None:
            if self.record_on.id not in found:
                raise InvalidInput(
                    {"tenant": gettext("This person does not belong to this office.")}
                )
            return [self.record_on]
        return [await load_office(i) for i in found]

    async def _record(
        self, offices: list[Office], change: str, details: dict[str, Any], note: str = ""
    ) -> None:
        for office in offices:
            await record_office_change(
                self.db,
                TenantRef(office.id, office.slug),
                change,
                actor=self.actor,
                actor_name=self.actor_name,
                details=details,
                note=note,
            )

    # --- edit ---------------------------------------------------------------------------

    async def edit(self, username: str, values: dict[str, str], note: str = "") -> list[str]:
        """Change the fields of ``values`` (any of :data:`EDITABLE`; those left out stay);
        every problem of the form at once. Answers the fields that changed."""
        person = await self.person(username)
        values = {k: str(v) for k, v in values.items() if k in EDITABLE}
        errors = limits.text_problems(
            {k: (values[k], limits.LINE) for k in ("name", "jabatan") if k in values}
            | {"note": (note, limits.NOTE)}
        )
        if "name" in values and "name" not in errors and not values["name"].strip():
            errors["name"] = gettext("give the person's name")
        if "nip" in values and (problem := nip_problem(values["nip"], _today_utc())):
            errors["nip"] = problem
        if "pangkat" in values and (problem := pangkat_problem(values["pangkat"])):
            errors["pangkat"] = problem
        contacts, problems = contact_problems(
            {k: values[k] for k in CONTACTS if k in values}, available_channels()
        )
        errors.update(problems)
        after = {k: v.strip() for k, v in values.items() if k not in CONTACTS}
        if "nip" in after:
            after["nip"] = normalize_nip(after["nip"])
        after.update({k: contacts[k] for k in CONTACTS if k in contacts})
        changed = {k: [person[k], v] for k, v in after.items() if person[k] != v}
        elsewhere = self.office is not None and await works_elsewhere(self.office.id, person["id"])
        for field in CONTACTS:
            if elsewhere and field in changed and field not in errors:
                errors[field] = gettext(
                    "This person also works in another office: only they can change "
                    "their email and WhatsApp number, on their own notification settings page."
                )
        if errors:
            raise InvalidInput(errors)
        if not changed:
            return []
        async with write_transaction(self.db):
            await User.update({getattr(User, k): v[1] for k, v in changed.items()}).where(
                User.id == person["id"]
            )
            details = {"user": person["username"], "changed": changed}
            await self._record(await self._offices(person["id"]), "person_edited", details, note)
        return list(changed)

    # --- deactivate / reactivate ---------------------------------------------------------

    async def set_active(self, username: str, active: bool, note: str = "") -> list[dict]:
        """Deactivate (``active`` false) or reactivate the person's account; answers their
        open tasks held here (a deactivated person's: to reassign)."""
        person = await self.person(username)
        if problem := limits.text_problem(note, limits.NOTE):
            raise InvalidInput({"note": problem})
        if person["active"] == active:
            raise InvalidInput(
                {
                    "user": gettext("This person is already active.")
                    if active
                    else gettext("This person is already deactivated.")
                }
            )
        if self.office is not None and await works_elsewhere(self.office.id, person["id"]):
            raise InvalidInput(
                {
                    "user": gettext(
                        "This person also works in another office: remove their roles here "
                        "instead; only the platform operator can deactivate or reactivate "
                        "their account."
                    )
                }
            )
        if not active and person["id"] == self.user_id:
            raise InvalidInput({"user": gettext("You cannot deactivate yourself.")})
        offices = await self._offices(person["id"])
        async with write_transaction(self.db):
            if not active:
                for office in offices:
                    if await active_admins(office.id, excluding=person["id"]) == 0 and (
                        await is_admin(office.id, person["id"])
                    ):
                        raise InvalidInput({"user": last_admin_message(office.slug)})
            values: dict = {User.active: active}
            if not active:  # every session of theirs ends for good (not only while inactive)
                values[User.password_version] = User.password_version + 1
            await User.update(values).where(User.id == person["id"])
            change = "person_reactivated" if active else "person_deactivated"
            await self._record(offices, change, {"user": person["username"]}, note)
        return await open_tasks_of(person["id"], [o.id for o in offices])

    async def _office_of(self, tenant_id: int) -> Office:
        if self.office is not None:
            if tenant_id != self.office.id:
                raise NotFound(what=gettext("office"))
            return self.office
        return await load_office(tenant_id)

    # --- reading ------------------------------------------------------------------------

    async def profile(self, username: str) -> dict[str, Any]:
        """Everything the person page of this office shows about ``username``: the person
        (their fields), ``memberships`` and ``delegations`` here (where they act or are
        acted for), the open ``tasks`` they hold here, whether they work ``elsewhere``, whether
        they are the administrator themself (``is_self``) and their recorded ``changes``."""
        assert self.office is not None
        person = await self.person(username)
        office = self.office
        return {
            "person": person,
            "memberships": await memberships_here(office.id, person["id"]),
            "delegations": await delegations_here(office.id, person["id"]),
            "today": office_today(office.timezone, datetime.now(UTC)),
            "tasks": await open_tasks_of(person["id"], [office.id]),
            "elsewhere": await works_elsewhere(office.id, person["id"]),
            "is_self": person["id"] == self.user_id,
            "changes": await self.changes_of(username),
        }

    async def changes_of(self, username: str, limit: int = 50) -> list[OfficeChange]:
        """The recorded changes of this office about ``username``, newest first."""
        assert self.office is not None
        return [
            c
            for c in await office_changes(self.office.id, limit=500)
            if username in (c.details.get("user"), c.details.get("official"))
        ][:limit]


def _columns() -> tuple:
    return tuple(getattr(User, f) for f in EDITABLE)


def _today_utc() -> date:
    return datetime.now(UTC).date()


async def record_grant(
    db: Database,
    tenant_id: int,
    change: str,
    details: dict[str, Any],
    *,
    admin_id: int | None = None,
    operator: str | None = None,
) -> None:
    """Record a person created, a role or a Plt/Plh granted (module docstring) on the office's
    chain, by its administrator ``admin_id`` or the platform ``operator``, in the caller's
    transaction."""
    office = await load_office(tenant_id)
    if operator is not None:
        actor, actor_name = operator_actor(operator), operator
    else:
        row = await User.select(User.name).where(User.id == admin_id).first()
        actor, actor_name = str(admin_id), row["name"] if row else ""
    await record_office_change(
        db,
        TenantRef(office.id, office.slug),
        change,
        actor=actor,
        actor_name=actor_name,
        details=details,
    )
