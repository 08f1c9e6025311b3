"""Tenant administration: units, the working calendar, memberships and delegations.

Every method checks that the acting user is an administrator *of this tenant* and validates
its input field by field (:class:`~alur.tenants.errors.InvalidInput`, every problem of the
form at once), so a door only parses what was sent, calls one method and shows its result
or the messages next to their fields. The people named must be people of this office, the
role one of its SOPs' roles; the rest of a membership's and a delegation's rules are
:mod:`alur.tenants.identity.memberships`'.
"""

from __future__ import annotations

import re
from datetime import date, time

from alur.core import limits
from alur.core.i18n import format_message, gettext
from alur.core.model import Role, Step
from alur.tenants.audit.office_log import write_transaction
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Forbidden, InvalidInput, NotFound, TenantSuspended
from alur.tenants.identity.memberships import (
    add_delegation,
    add_membership,
    delegation_problems,
    membership_problems,
    people_of,
    works_elsewhere,
)
from alur.tenants.identity.people import create_user, new_user_problems, pangkat_problem
from alur.tenants.identity.people_admin import PeopleAdmin, record_grant
from alur.tenants.notify.channels import available_channels
from alur.tenants.notify.contacts import contact_problems
from alur.tenants.storage.tables import DayOff, Membership, Tenant, Unit, User

UNIT_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class TenantAdmin:
    """Administration of one tenant by one of its administrators."""

    def __init__(self, service: TenantService, user_id: int) -> None:
        self.service = service
        self.user_id = user_id
        self.tenant_id = service.ref.id

    async def _require_admin(self) -> None:
        is_admin = await Membership.exists().where(
            (Membership.tenant == self.tenant_id)
            & (Membership.user == self.user_id)
            & (Membership.administrator == True)  # noqa: E712
        )
        if not is_admin:
            raise Forbidden(what=gettext("administer this office: you are not its administrator"))
        if self.service.tenant["suspended"]:
            raise TenantSuspended(slug=self.service.ref.slug)

    # --- units -----------------------------------------------------------------------

    async def add_unit(self, slug: str, name: str) -> Unit:
        await self._require_admin()
        errors: dict[str, str] = {}
        if not isinstance(slug, str) or not UNIT_SLUG.fullmatch(slug):
            errors["slug"] = gettext("use lowercase letters, digits and dashes (e.g. linmas)")
        elif await Unit.exists().where((Unit.tenant == self.tenant_id) & (Unit.slug == slug)):
            errors["slug"] = format_message('a unit "{slug}" already exists', slug=slug)
        if problem := limits.text_problem(name, limits.LINE):
            errors["name"] = problem
        elif not name.strip():
            errors["name"] = gettext("give the unit's name")
        if errors:
            raise InvalidInput(errors)
        unit = Unit(tenant=self.tenant_id, slug=slug, name=name.strip())
        await unit.save()
        self.service.forget_office()
        return unit

    async def set_unit_active(self, slug: str, active: bool) -> None:
        """Deactivated units get no tasks in new cases; running cases are not changed."""
        await self._require_admin()
        if not limits.usable_key(slug):
            raise NotFound(what=format_message("unit {slug}", slug=slug[:64]))
        done = (
            await Unit.update({Unit.active: active})
            .where((Unit.tenant == self.tenant_id) & (Unit.slug == slug))
            .returning(Unit.id)
        )
        if not done:
            raise NotFound(what=format_message("unit {slug}", slug=slug))
        self.service.forget_office()

    # --- calendar --------------------------------------------------------------------

    async def set_office_hours(self, start: str, end: str) -> None:
        """Office hours as "HH:MM"; applies to tasks opened from now on."""
        await self._require_admin()
        errors: dict[str, str] = {}
        parsed: dict[str, time] = {}
        for field, value in (("office_start", start), ("office_end", end)):
            if limits.text_problem(value, 8):
                errors[field] = gettext("give a time like 07:30")
                continue
            try:
                parsed[field] = time.fromisoformat(value)
            except (TypeError, ValueError):
                errors[field] = format_message('"{value}" is not a time like 07:30', value=value)
        if not errors and parsed["office_end"] <= parsed["office_start"]:
            errors["office_end"] = gettext("office hours must end after they start")
        if errors:
            raise InvalidInput(errors)
        await Tenant.update({Tenant.office_start: start[:5], Tenant.office_end: end[:5]}).where(
            Tenant.id == self.tenant_id
        )
        self.service.tenant = {
            **self.service.tenant,
            "office_start": start[:5],
            "office_end": end[:5],
        }
        self.service.forget_office()

    async def add_day_off(self, day: date, name: str) -> DayOff:
        await self._require_admin()
        if problem := limits.text_problem(name or "", limits.LINE):
            raise InvalidInput({"name": problem})
        if await DayOff.exists().where((DayOff.tenant == self.tenant_id) & (DayOff.day == day)):
            raise InvalidInput(
                {"day": format_message("{day} is already a day off", day=day.isoformat())}
            )
        row = DayOff(tenant=self.tenant_id, day=day, name=(name or "").strip()[:255])
        await row.save()
        self.service.forget_office()
        return row

    async def remove_day_off(self, day: date) -> None:
        await self._require_admin()
        done = (
            await DayOff.delete()
            .where((DayOff.tenant == self.tenant_id) & (DayOff.day == day))
            .returning(DayOff.id)
        )
        if not done:
            raise NotFound(what=format_message("day off {day}", day=day.isoformat()))
        self.service.forget_office()

    async def days_off(self) -> list[dict]:
        return (
            await DayOff.select(DayOff.day, DayOff.name)
            .where(DayOff.tenant == self.tenant_id)
            .order_by(DayOff.day)
        )

    # --- people ----------------------------------------------------------------------

    def roles(self) -> dict[str, Role]:
        """Every role (pelaksana) of the office's SOPs, by id."""
        return {r.id: r for d in self.service.sops().values() for r in d.roles}

    def steps_not_delegable(self) -> dict[str, list[Step]]:
        """The steps of the office's SOPs that a Plt/Plh may not perform (``delegable =
        false``), by the id of the role that performs them: the engine refuses a delegate
        there (``DelegationRefused``), so the official must act in person. A delegation of
        such a role is still granted (its other steps may be delegated); the admin page
        shows these steps in the Plt/Plh form and warns again when one is granted."""
        found: dict[str, list[Step]] = {}
        for d in self.service.sops().values():
            for step in d.steps:
                if not step.delegable and step.actor in d.roles_by_id:
                    found.setdefault(step.actor, []).append(step)
        return found

    def _role(self, role_id: str) -> tuple[Role | None, dict[str, str]]:
        """The office's role ``role_id``, or the problem of the ``role`` field."""
        roles = self.roles()
        if role_id in roles:
            return roles[role_id], {}
        if not role_id:
            return None, {"role": gettext("Choose a role.")}
        shown = repr(role_id[: limits.SHORT])
        return None, {
            "role": format_message(
                "no role {role} here (roles: {roles})", role=shown, roles=", ".join(roles)
            )
        }

    async def _people_problems(self, named: dict[str, int | None]) -> dict[str, str]:
        """The fields of ``named`` (field → user id) that name no person of this office."""
        messages = {
            "user": gettext("Choose a person of this office."),
            "delegate": gettext("Choose who acts as Plt/Plh."),
            "official": gettext("Choose the official whose role is held."),
        }
        given = [i for i in named.values() if i is not None]
        found = await people_of(self.tenant_id, given)
        return {field: messages[field] for field, i in named.items() if i not in found}

    async def create_person(
        self,
        username: str,
        name: str,
        password: str,
        *,
        nip: str = "",
        jabatan: str = "",
        role_id: str,
        unit: str | None = None,
        email: str = "",
        whatsapp: str = "",
        pangkat: str = "",
    ) -> User:
        """A new user with their first role here: both or neither (one transaction), with
        their email address and WhatsApp number when given (checked like the person's own
        settings, :mod:`alur.tenants.notify.contacts`).

        Usernames are global, so a username taken anywhere is refused — but only once every
        other field is valid (a form that fails anyway says nothing about the username), and
        with one message wherever it is taken (:data:`~alur.tenants.identity.people.USERNAME_TAKEN`).
        """
        await self._require_admin()
        errors = new_user_problems(
            username, name, password, nip=nip, jabatan=jabatan, pangkat=pangkat
        )
        role, problem = self._role(role_id)
        errors.update(problem)
        if role is not None:
            errors.update((await membership_problems(self.tenant_id, None, role, unit))[0])
        contacts, problems = contact_problems(
            {"email": email, "whatsapp": whatsapp}, available_channels()
        )
        errors.update(problems)
        if errors:
            raise InvalidInput(errors)
        async with self.service.store.transaction():
            user = await create_user(
                username, name, password, nip=nip, jabatan=jabatan, pangkat=pangkat
            )
            await add_membership(self.tenant_id, user.id, role, unit)
            details = {"user": user.username, "role": role_id, "unit": unit}
            await record_grant(
                self.service.db, self.tenant_id, "person_created", details, admin_id=self.user_id
            )
            if any(contacts.values()):
                await User.update(
                    {User.email: contacts["email"], User.whatsapp: contacts["whatsapp"]}
                ).where(User.id == user.id)
        return user

    async def set_person_contacts(self, user_id: int | None, email: str, whatsapp: str) -> None:
        """Change the email address and WhatsApp number of a person of this office
        (``None``: none was chosen), checked like their own settings page does."""
        await self._require_admin()
        errors = await self._people_problems({"user": user_id})
        if errors:
            _clean, problems = contact_problems(
                {"email": email, "whatsapp": whatsapp}, available_channels()
            )
            raise InvalidInput({**problems, **errors})
        assert user_id is not None
        if await works_elsewhere(self.tenant_id, user_id):  # their messages of every office
            raise InvalidInput(
                {
                    "user": gettext(
                        "This person also works in another office: only they can change "
                        "their email and WhatsApp number, on their own notification settings page."
                    )
                }
            )
        await self._edit_person(user_id, {"email": email, "whatsapp": whatsapp})

    async def set_person_pangkat(self, user_id: int | None, pangkat: str) -> None:
        """Change the pangkat/golongan of a person of this office (printed under their name
        when they sign a report); empty: not known."""
        await self._require_admin()
        errors = await self._people_problems({"user": user_id})
        if problem := pangkat_problem(pangkat):
            errors["pangkat"] = problem
        if errors:
            raise InvalidInput(errors)
        assert user_id is not None
        await self._edit_person(user_id, {"pangkat": pangkat})

    async def _edit_person(self, user_id: int, values: dict[str, str]) -> None:
        """Save a person's fields through :class:`PeopleAdmin` (its rules; the change is
        recorded on the office's chain)."""
        people = await PeopleAdmin.office_admin(self.service.db, self.tenant_id, self.user_id)
        username = await User.select(User.username).where(User.id == user_id).first()
        await people.edit(username["username"], values)

    async def grant_role(self, user_id: int | None, role_id: str, unit: str | None = None) -> None:
        """Give a person of this office (``None``: none was chosen) one more role here."""
        await self._require_admin()
        errors = await self._people_problems({"user": user_id})
        role, problem = self._role(role_id)
        if role is not None:
            known = None if errors else user_id
            problem = (await membership_problems(self.tenant_id, known, role, unit))[0]
        errors = {**problem, **errors}
        if errors:
            raise InvalidInput(errors)
        assert user_id is not None
        async with write_transaction(self.service.db):
            await add_membership(self.tenant_id, user_id, role, unit)
            username = await User.select(User.username).where(User.id == user_id).first()
            details = {"user": username["username"], "role": role_id, "unit": unit}
            details["administrator"] = False
            await record_grant(
                self.service.db, self.tenant_id, "role_granted", details, admin_id=self.user_id
            )

    async def delegate(
        self,
        delegate_id: int | None,
        official_id: int | None,
        role: str,
        unit: str | None,
        kind: str,
        starts_on: date | None,
        ends_on: date | None,
        note: str = "",
    ) -> list[Step]:
        """Let a person of this office act as Plt/Plh for another from ``starts_on`` to
        ``ends_on``. A person not chosen, or a day that could not be read, is ``None``.
        Answers the steps of ``role`` the delegate may not perform (a warning to show: the
        official still does those in person; :meth:`steps_not_delegable`)."""
        await self._require_admin()
        errors = await self._people_problems({"delegate": delegate_id, "official": official_id})
        errors.update(self._role(role)[1])
        problems, _ = await delegation_problems(
            self.tenant_id, delegate_id, official_id, role, unit, kind, starts_on, ends_on, note
        )
        errors = {**problems, **errors}
        if errors:
            raise InvalidInput(errors)
        assert delegate_id is not None
        assert official_id is not None
        assert starts_on is not None
        assert ends_on is not None
        async with write_transaction(self.service.db):
            await add_delegation(
                self.tenant_id, delegate_id, official_id, role, unit, kind, starts_on, ends_on, note
            )
            names = {
                r["id"]: r["username"]
                for r in await User.select(User.id, User.username).where(
                    User.id.is_in([delegate_id, official_id])
                )
            }
            details = {
                "user": names[delegate_id],
                "official": names[official_id],
                "kind": kind,
                "role": role,
                "unit": unit,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
            }
            await record_grant(
                self.service.db,
                self.tenant_id,
                "delegation_granted",
                details,
                admin_id=self.user_id,
            )
        return self.steps_not_delegable().get(role, [])
