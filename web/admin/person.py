"""The person page of tenant administration, ``/t/{slug}/admin/people/{username}``: edit a
person (name, NIP, jabatan, pangkat/golongan, email, mobile number), remove a role, end a
Plt/Plh now, deactivate or reactivate the account, and the person's recorded changes.

Each form is parsed here and handed to one
:class:`~alur.tenants.identity.people_admin.PeopleAdmin` method, which holds every rule. Like
the other admin pages: without JavaScript a form POSTs and is redirected back (303) with a
one-time notice; with htmx it swaps the page's panel (``#admin-panel``); a refusal shows the
page again (422) with everything typed and each message next to its field."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from alur.core.errors import N_
from alur.core.i18n import gettext
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.people_admin import EDITABLE, PeopleAdmin
from alur.tenants.offices.admin import TenantAdmin
from alur.web.admin.base import SECTIONS, AdminPages, Form, clean, day_label, field_errors
from alur.web.deps import Viewer
from alur.web.errors import is_htmx
from alur.web.pages import page_context

# What each recorded change is called on the person page (office_log's ``change``).
CHANGES = {
    "person_edited": N_("Details changed"),
    "person_deactivated": N_("Deactivated"),
    "person_reactivated": N_("Reactivated"),
    "role_removed": N_("Role removed"),
    "delegation_ended": N_("Plt/Plh ended"),
    "password_reset": N_("Password reset"),
}
FIELD_NAMES = {
    "name": N_("Full name"),
    "nip": N_("NIP"),
    "jabatan": N_("Jabatan"),
    "pangkat": N_("Pangkat/golongan"),
    "email": N_("Email address"),
    "whatsapp": N_("Mobile number (WhatsApp)"),
}


async def people_admin(admin: TenantAdmin) -> PeopleAdmin:
    return await PeopleAdmin.office_admin(admin.service.db, admin.tenant_id, admin.user_id)


class PersonRoutes(AdminPages):
    """The person page's handlers of :class:`~alur.web.admin.controller.AdminController`."""

    async def _person_page(
        self,
        request: Request,
        viewer: Viewer,
        admin: TenantAdmin,
        username: str,
        *,
        form: dict[str, dict[str, str]] | None = None,
        errors: dict[str, dict[str, str]] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Template:
        tenant = admin.service
        profile = await (await people_admin(admin)).profile(username)
        context = await page_context(request, viewer, tenant, active="admin")
        context.update(profile)
        context.update(
            section="person",
            sections=SECTIONS,
            roles=admin.roles(),
            unit_names={u["slug"]: u["name"] for u in await tenant.units()},
            office={"id": tenant.ref.id, "slug": tenant.ref.slug, "name": tenant.tenant["name"]},
            change_names={k: gettext(v) for k, v in CHANGES.items()},
            field_names={k: gettext(v) for k, v in FIELD_NAMES.items()},
            form=form or {},
            errors=errors or {},
            notice=notice,
            day_label=day_label,
        )
        template = "admin/_person.html" if is_htmx(request) else "admin/page.html"
        return Template(template, context=context, status_code=status)

    async def _person_done(
        self, request: Request, viewer: Viewer, admin: TenantAdmin, username: str, notice: str
    ) -> Response:
        if is_htmx(request):
            return await self._person_page(request, viewer, admin, username, notice=notice)
        request.session["admin_notice"] = notice
        return Redirect(f"/t/{admin.service.ref.slug}/admin/people/{username}", status_code=303)

    @get("/people/{username:str}", name="admin-person")
    async def person_page(
        self,
        request: Request,
        username: FromPath[str],
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Template:
        notice = request.session.pop("admin_notice", None)
        return await self._person_page(request, viewer, admin, username, notice=notice)

    @post("/people/{username:str}/edit", name="admin-person-edit", status_code=303)
    async def edit_person(
        self,
        request: Request,
        username: FromPath[str],
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        """Only the fields the form sent are changed (email and phone are not sent for a
        person who also works elsewhere: they change those themselves)."""
        f = clean(data, *(k for k in EDITABLE if k in data), "note")
        values = {k: v for k, v in f.items() if k != "note"}
        try:
            changed = await (await people_admin(admin)).edit(username, values, f["note"])
        except InvalidInput as exc:
            return await self._person_page(
                request,
                viewer,
                admin,
                username,
                form={"edit": f},
                errors={"edit": field_errors(exc)},
                status=422,
            )
        notice = (
            gettext("Saved: {fields}.").format(
                fields=", ".join(gettext(FIELD_NAMES[k]) for k in changed)
            )
            if changed
            else gettext("Nothing was changed.")
        )
        return await self._person_done(request, viewer, admin, username, notice)

    @post(
        ["/people/{username:str}/deactivate", "/people/{username:str}/reactivate"],
        name="admin-person-active",
        status_code=303,
    )
    async def set_active(
        self,
        request: Request,
        username: FromPath[str],
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        f = clean(data, "note")
        active = request.url.path.rstrip("/").endswith("/reactivate")
        try:
            held = await (await people_admin(admin)).set_active(username, active, f["note"])
        except InvalidInput as exc:
            return await self._person_page(
                request,
                viewer,
                admin,
                username,
                form={"active": f},
                errors={"active": field_errors(exc)},
                status=422,
            )
        if active:
            notice = gettext("The account is active again: this person can sign in.")
        else:
            notice = gettext("The account is deactivated: this person's sessions stopped.")
            if held:
                notice += " " + gettext(
                    "They still hold {count} open tasks: reassign them (listed below)."
                ).format(count=len(held))
        return await self._person_done(request, viewer, admin, username, notice)

    @post("/people/{username:str}/roles/remove", name="admin-person-remove-role", status_code=303)
    async def remove_role(
        self,
        request: Request,
        username: FromPath[str],
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        f = clean(data, "role", "unit", "administrator")
        administrator = f["administrator"] == "1"
        try:
            await (await people_admin(admin)).remove_role(
                username,
                admin.tenant_id,
                f["role"],
                f["unit"] or None,
                administrator=administrator,
            )
        except InvalidInput as exc:
            return await self._person_page(
                request,
                viewer,
                admin,
                username,
                form={"roles": f},
                errors={"roles": field_errors(exc)},
                status=422,
            )
        role = admin.roles().get(f["role"])
        what = gettext("Administrator") if administrator else (role.name if role else f["role"])
        notice = gettext("The role {role} is removed.").format(role=what)
        return await self._person_done(request, viewer, admin, username, notice)

    @post(
        "/people/{username:str}/delegations/{delegation:int}/end",
        name="admin-person-end-delegation",
        status_code=303,
    )
    async def end_delegation(
        self,
        request: Request,
        username: FromPath[str],
        delegation: FromPath[int],
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        people = await people_admin(admin)
        await people.person(username)  # the page's person must be of this office
        try:
            ended = await people.end_delegation(delegation)
        except InvalidInput as exc:
            return await self._person_page(
                request,
                viewer,
                admin,
                username,
                errors={"delegation": {**field_errors(exc), "id": str(delegation)}},
                status=422,
            )
        notice = gettext("The {kind} ended: its last day was {day}.").format(
            kind=ended["kind"], day=day_label(ended["ends_on"])
        )
        return await self._person_done(request, viewer, admin, username, notice)
