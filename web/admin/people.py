"""The People sub-page of tenant administration: the office's users with their roles and
Plt/Plh delegations; creating a user (with a first role, in one transaction), adding a role,
adding a Plt/Plh."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, post
from litestar.di import NamedDependency

from alur.core.i18n import gettext
from alur.tenants.cases.listing import tenant_delegations, tenant_people
from alur.tenants.errors import InvalidInput
from alur.tenants.offices.admin import TenantAdmin
from alur.web.admin.base import (
    AdminPages,
    Form,
    clean,
    day_label,
    field_errors,
    parse_day,
    roles_of,
)
from alur.web.deps import Viewer

KINDS = ("Plt", "Plh")


class PeopleRoutes(AdminPages):
    """The people handlers of :class:`~alur.web.admin.controller.AdminController`."""

    async def _load_people(self, admin: TenantAdmin) -> dict[str, Any]:
        tenant = admin.service
        units = await tenant.units()
        today = datetime.now(ZoneInfo(tenant.tenant["timezone"])).date()
        roles = roles_of(tenant)
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
        f = clean(data, "username", "name", "nip", "jabatan", "role", "unit")
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
            )
        except InvalidInput as exc:
            errors = field_errors(exc)
            return await self._refused(request, viewer, admin, "people", "user", f, errors)
        notice = gettext("{name} ({username}) can now sign in.").format(
            name=user.name, username=user.username
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
        tenant = admin.service
        f = clean(data, "user", "role", "unit")
        people = {str(p["id"]): p for p in await tenant_people(tenant.ref.id)}
        errors = await admin.membership_problems(f["role"], f["unit"] or None)
        if f["user"] not in people:
            errors["user"] = gettext("Choose a person of this office.")
        if not errors:
            try:
                await admin.grant_role(int(f["user"]), f["role"], f["unit"] or None)
            except InvalidInput as exc:
                errors = field_errors(exc)
        if errors:
            return await self._refused(request, viewer, admin, "people", "role", f, errors)
        notice = gettext("{name} now holds the role {role}.").format(
            name=people[f["user"]]["name"], role=roles_of(tenant)[f["role"]].name
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
        tenant = admin.service
        f = clean(
            data, "delegate", "official", "role", "unit", "kind", "starts_on", "ends_on", "note"
        )
        people = {str(p["id"]): p for p in await tenant_people(tenant.ref.id)}
        errors: dict[str, str] = {}
        for field, message in (
            ("delegate", gettext("Choose who acts as Plt/Plh.")),
            ("official", gettext("Choose the official whose role is held.")),
        ):
            if f[field] not in people:
                errors[field] = message
        if f["role"] not in roles_of(tenant):
            errors["role"] = gettext("Choose a role.")
        if f["kind"] not in KINDS:
            errors["kind"] = gettext('Choose "Plt" or "Plh".')
        starts_on = parse_day(f["starts_on"], "starts_on", errors)
        ends_on = parse_day(f["ends_on"], "ends_on", errors)
        if not errors:
            assert starts_on is not None
            assert ends_on is not None
            try:
                await admin.delegate(
                    int(f["delegate"]),
                    int(f["official"]),
                    f["role"],
                    f["unit"] or None,
                    f["kind"],
                    starts_on,
                    ends_on,
                    f["note"],
                )
            except InvalidInput as exc:
                errors = field_errors(exc)
        if errors:
            return await self._refused(request, viewer, admin, "people", "delegation", f, errors)
        notice = gettext("{delegate} is {kind} for {official} from {start} to {end}.").format(
            delegate=people[f["delegate"]]["name"],
            kind=f["kind"],
            official=people[f["official"]]["name"],
            start=day_label(starts_on),
            end=day_label(ends_on),
        )
        return await self._done(request, viewer, admin, "people", notice)
