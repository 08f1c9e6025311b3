"""The People sub-page of tenant administration: the office's users with their roles and
Plt/Plh delegations; creating a user (with a first role, in one transaction), adding a role,
adding a Plt/Plh; a person's email address and WhatsApp number.

Each form is parsed here and handed to one
:class:`~alur.tenants.offices.admin.TenantAdmin` method, which holds every rule; a refusal
shows the form again with what was typed and each message next to its field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, post
from litestar.di import NamedDependency

from alur.core.i18n import gettext
from alur.tenants.cases.listing import tenant_delegations, tenant_people
from alur.tenants.errors import InvalidInput
from alur.tenants.offices.admin import TenantAdmin
from alur.web.admin.base import (
    Form,
    clean,
    day_label,
    field_errors,
)
from alur.web.admin.person import PersonRoutes
from alur.web.deps import Viewer

KINDS = ("Plt", "Plh")


def person_id(value: str) -> int | None:
    """A person chosen in a form (``None`` when nothing usable was sent)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def day_or_none(value: str) -> date | None:
    """A ``YYYY-MM-DD`` day of a form (``None`` when it cannot be read)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class PeopleRoutes(PersonRoutes):
    """The people handlers of :class:`~alur.web.admin.controller.AdminController`."""

    async def _load_people(self, admin: TenantAdmin) -> dict[str, Any]:
        tenant = admin.service
        units = await tenant.units()
        today = datetime.now(ZoneInfo(tenant.tenant["timezone"])).date()
        roles = admin.roles()
        people = await tenant_people(tenant.ref.id)
        per_unit = gettext("per unit")
        inactive = gettext("inactive")
        return {
            "people": people,
            "delegations": await tenant_delegations(tenant.ref.id, today),
            "roles": roles,
            "unit_names": {u["slug"]: u["name"] for u in units},
            "today": today,
            "role_options": [
                (r.id, f"{r.name} ({per_unit})" if r.per_unit else r.name) for r in roles.values()
            ],
            "unit_options": [
                (u["slug"], u["name"] if u["active"] else f"{u['name']} ({inactive})")
                for u in units
            ],
            "people_options": [(p["id"], f"{p['name']} ({p['username']})") for p in people],
            "kind_options": [(k, k) for k in KINDS],
            "not_delegable": admin.steps_not_delegable(),
        }

    @post("/people", name="admin-create-user", status_code=303)
    async def create_user(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        """A new user with their first role here: both or neither (one transaction)."""
        f = clean(
            data,
            "username",
            "name",
            "nip",
            "jabatan",
            "pangkat",
            "role",
            "unit",
            "email",
            "whatsapp",
        )
        f["username"] = f["username"].lower()
        try:
            user = await admin.create_person(
                f["username"],
                f["name"],
                str(data.get("password", "")),
                nip=f["nip"],
                jabatan=f["jabatan"],
                role_id=f["role"],
                unit=f["unit"] or None,
                email=f["email"],
                whatsapp=f["whatsapp"],
                pangkat=f["pangkat"],
            )
        except InvalidInput as exc:
            errors = field_errors(exc)
            return await self._refused(request, viewer, admin, "people", "user", f, errors)
        notice = gettext("{name} ({username}) can now sign in.").format(
            name=user.name, username=user.username
        )
        return await self._done(request, viewer, admin, "people", notice)

    @post("/people/contacts", name="admin-person-contacts", status_code=303)
    async def person_contacts(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        """A person's email address and WhatsApp number (the rules: alur.tenants.notify)."""
        f = clean(data, "user", "email", "whatsapp")
        try:
            await admin.set_person_contacts(person_id(f["user"]), f["email"], f["whatsapp"])
        except InvalidInput as exc:
            errors = field_errors(exc)
            return await self._refused(request, viewer, admin, "people", "contacts", f, errors)
        people = {p["id"]: p for p in await tenant_people(admin.tenant_id)}
        notice = gettext("The contacts of {name} are saved.").format(
            name=people[person_id(f["user"])]["name"]
        )
        return await self._done(request, viewer, admin, "people", notice)

    @post("/people/pangkat", name="admin-person-pangkat", status_code=303)
    async def person_pangkat(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        """A person's pangkat/golongan (printed under their name when they sign)."""
        f = clean(data, "user", "pangkat")
        try:
            await admin.set_person_pangkat(person_id(f["user"]), f["pangkat"])
        except InvalidInput as exc:
            errors = field_errors(exc)
            return await self._refused(request, viewer, admin, "people", "pangkat", f, errors)
        people = {p["id"]: p for p in await tenant_people(admin.tenant_id)}
        notice = gettext("The pangkat/golongan of {name} is saved.").format(
            name=people[person_id(f["user"])]["name"]
        )
        return await self._done(request, viewer, admin, "people", notice)

    @post("/people/roles", name="admin-grant-role", status_code=303)
    async def grant_role(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        f = clean(data, "user", "role", "unit")
        try:
            await admin.grant_role(person_id(f["user"]), f["role"], f["unit"] or None)
        except InvalidInput as exc:
            errors = field_errors(exc)
            return await self._refused(request, viewer, admin, "people", "role", f, errors)
        people = {p["id"]: p for p in await tenant_people(admin.tenant_id)}
        notice = gettext("{name} now holds the role {role}.").format(
            name=people[person_id(f["user"])]["name"], role=admin.roles()[f["role"]].name
        )
        return await self._done(request, viewer, admin, "people", notice)

    @post("/delegations", name="admin-delegate", status_code=303)
    async def delegate(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        f = clean(
            data, "delegate", "official", "role", "unit", "kind", "starts_on", "ends_on", "note"
        )
        starts_on, ends_on = day_or_none(f["starts_on"]), day_or_none(f["ends_on"])
        try:
            not_delegable = await admin.delegate(
                person_id(f["delegate"]),
                person_id(f["official"]),
                f["role"],
                f["unit"] or None,
                f["kind"],
                starts_on,
                ends_on,
                f["note"],
            )
        except InvalidInput as exc:
            errors = field_errors(exc)
            return await self._refused(request, viewer, admin, "people", "delegation", f, errors)
        assert starts_on is not None
        assert ends_on is not None
        people = {p["id"]: p for p in await tenant_people(admin.tenant_id)}
        notice = gettext("{delegate} is {kind} for {official} from {start} to {end}.").format(
            delegate=people[person_id(f["delegate"])]["name"],
            kind=f["kind"],
            official=people[person_id(f["official"])]["name"],
            start=day_label(starts_on),
            end=day_label(ends_on),
        )
        if not_delegable:
            notice += " " + gettext(
                "Note: a Plt/Plh may not do these steps, {official} must do them in person: "
                "{steps}."
            ).format(
                official=people[person_id(f["official"])]["name"],
                steps="; ".join(f"{s.number}. {s.kegiatan}" for s in not_delegable),
            )
        return await self._done(request, viewer, admin, "people", notice)
