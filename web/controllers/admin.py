"""Tenant administration (``/t/{slug}/admin/…``) for that tenant's administrators only —
everyone else gets 404: people with their roles and Plt/Plh delegations, units, and the
working calendar (office hours, days off).

Every form works without JavaScript: POST, then a 303 redirect back to the sub-page with a
one-time notice kept in the session. With htmx the forms swap the page's panel
(``#admin-panel``) in place. Invalid input re-renders the panel (or the page) with status
422 and each message next to its field; nothing is written then.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from alur.core import WorkingCalendar
from alur.core.i18n import current_language, gettext
from alur.core.model import Role
from alur.tenants.admin import TenantAdmin
from alur.tenants.errors import InvalidInput, NotFound, TenantSuspended
from alur.tenants.identity import create_user
from alur.tenants.listing import tenant_delegations, tenant_people
from alur.tenants.service import TenantService
from alur.web.deps import Viewer
from alur.web.errors import is_htmx
from alur.web.pages import page_context
from alur.web.templating import MONTHS

Form = URLEncodedBody[dict[str, Any]]
SECTIONS = ("people", "units", "calendar")
KINDS = ("Plt", "Plh")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOLIDAYS_SHOWN = 8


async def provide_admin(
    viewer: NamedDependency[Viewer], tenant: NamedDependency[TenantService]
) -> TenantAdmin:
    """The tenant's administration, for its administrators (a 404 for everyone else);
    a suspended office is refused (403) like its other pages."""
    membership = viewer.tenant(tenant.ref.slug) or {}
    if viewer.user_id is None or not membership.get("admin"):
        raise NotFound(what="page")
    if tenant.tenant["suspended"]:
        raise TenantSuspended(slug=tenant.ref.slug)
    return TenantAdmin(tenant, viewer.user_id)


def roles_of(tenant: TenantService) -> dict[str, Role]:
    """Every role (pelaksana) of the tenant's SOPs, by id."""
    return {r.id: r for d in tenant.sops().values() for r in d.roles}


def day_label(day: date) -> str:
    """``Tue 24 Nov 2026`` in the current language."""
    months = MONTHS.get(current_language.get(), MONTHS["en"])
    return f"{gettext(WEEKDAYS[day.weekday()])} {day.day} {months[day.month - 1]} {day.year}"


def field_errors(exc: InvalidInput) -> dict[str, str]:
    return {field: gettext(message) for field, message in exc.errors.items()}


def clean(data: dict[str, Any], *names: str) -> dict[str, str]:
    """The named fields of a submitted form as stripped text (a repeated field: its last)."""
    out = {}
    for name in names:
        value = data.get(name, "")
        if isinstance(value, list):
            value = value[-1] if value else ""
        out[name] = str(value).strip()
    return out


def parse_day(value: str, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = gettext("Give a date like 2026-12-24.")
        return None


def membership_errors(
    roles: dict[str, Role], units: list[dict], role_id: str, unit: str
) -> dict[str, str]:
    """The role/unit checks of a new membership, before anything is written."""
    role = roles.get(role_id)
    if role is None:
        return {"role": gettext("Choose a role.")}
    if role.per_unit and not unit:
        return {"unit": gettext("{role} works per unit: choose the unit.").format(role=role.name)}
    if not role.per_unit and unit:
        return {
            "unit": gettext("{role} is not a per-unit role: leave the unit empty.").format(
                role=role.name
            )
        }
    if unit and unit not in {u["slug"] for u in units}:
        return {"unit": gettext("Choose a unit of this office.")}
    return {}


class AdminController(Controller):
    path = "/t/{slug:str}/admin"
    dependencies = {"admin": Provide(provide_admin)}

    # --- rendering ---------------------------------------------------------------------

    async def _page(
        self,
        request: Request,
        viewer: Viewer,
        admin: TenantAdmin,
        section: str,
        *,
        form: dict[str, dict[str, str]] | None = None,
        errors: dict[str, dict[str, str]] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Template:
        """The sub-page (the panel alone for htmx); ``form``/``errors`` per form name."""
        tenant = admin.service
        context = await page_context(request, viewer, tenant, active="admin")
        loader = {"people": self._people, "units": self._units, "calendar": self._calendar}
        context.update(await loader[section](admin))
        context.update(
            section=section,
            sections=SECTIONS,
            form=form or {},
            errors=errors or {},
            notice=notice,
            day_label=day_label,
        )
        template = f"admin/_{section}.html" if is_htmx(request) else "admin/page.html"
        return Template(template, context=context, status_code=status)

    async def _done(
        self, request: Request, viewer: Viewer, admin: TenantAdmin, section: str, notice: str
    ) -> Response:
        if is_htmx(request):
            return await self._page(request, viewer, admin, section, notice=notice)
        request.session["admin_notice"] = notice
        return Redirect(f"/t/{admin.service.ref.slug}/admin/{section}", status_code=303)

    async def _people(self, admin: TenantAdmin) -> dict[str, Any]:
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

    async def _units(self, admin: TenantAdmin) -> dict[str, Any]:
        return {"units": await admin.service.units()}

    async def _calendar(self, admin: TenantAdmin) -> dict[str, Any]:
        tenant = await TenantService.open(
            admin.service.db, admin.service.plugins, admin.service.ref.slug
        )
        today = datetime.now(ZoneInfo(tenant.tenant["timezone"])).date()
        public = WorkingCalendar()
        holidays = []
        for n in range(366):
            day = today + timedelta(days=n)
            name = public.holiday_name(day)
            if name:
                holidays.append({"day": day, "name": name})
            if len(holidays) >= HOLIDAYS_SHOWN:
                break
        return {
            "office_start": tenant.tenant["office_start"],
            "office_end": tenant.tenant["office_end"],
            "days_off": await admin.days_off(),
            "holidays": holidays,
            "today": today,
        }

    # --- pages -------------------------------------------------------------------------

    @get("/", name="admin")
    async def index(self, admin: NamedDependency[TenantAdmin]) -> Redirect:
        return Redirect(f"/t/{admin.service.ref.slug}/admin/people", status_code=303)

    @get(["/people", "/units", "/calendar"], name="admin-section")
    async def section(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Template:
        section = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        notice = request.session.pop("admin_notice", None)
        return await self._page(request, viewer, admin, section, notice=notice)

    # --- people ------------------------------------------------------------------------

    @post("/people", name="admin-create-user", status_code=303)
    async def create_user(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        """A new user with their first role here: both or neither (one transaction)."""
        tenant = admin.service
        f = clean(data, "username", "name", "nip", "jabatan", "role", "unit")
        f["username"] = f["username"].lower()
        password = str(data.get("password", ""))
        errors = membership_errors(roles_of(tenant), await tenant.units(), f["role"], f["unit"])
        try:
            async with tenant.store.transaction():
                user = await create_user(
                    f["username"], f["name"], password, nip=f["nip"], jabatan=f["jabatan"]
                )
                if errors:
                    raise InvalidInput(errors)  # roll the user back
                await admin.grant_role(user.id, f["role"], f["unit"] or None)
        except InvalidInput as exc:
            errors = {**field_errors(exc), **errors}
            return await self._page(
                request,
                viewer,
                admin,
                "people",
                form={"user": f},
                errors={"user": errors},
                status=422,
            )
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
        errors = membership_errors(roles_of(tenant), await tenant.units(), f["role"], f["unit"])
        if f["user"] not in people:
            errors["user"] = gettext("Choose a person of this office.")
        if not errors:
            try:
                await admin.grant_role(int(f["user"]), f["role"], f["unit"] or None)
            except InvalidInput as exc:
                errors = field_errors(exc)
        if errors:
            return await self._page(
                request,
                viewer,
                admin,
                "people",
                form={"role": f},
                errors={"role": errors},
                status=422,
            )
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
            assert starts_on is not None and ends_on is not None
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
            return await self._page(
                request,
                viewer,
                admin,
                "people",
                form={"delegation": f},
                errors={"delegation": errors},
                status=422,
            )
        notice = gettext("{delegate} is {kind} for {official}.").format(
            delegate=people[f["delegate"]]["name"],
            kind=f["kind"],
            official=people[f["official"]]["name"],
        )
        return await self._done(request, viewer, admin, "people", notice)

    # --- units -------------------------------------------------------------------------

    @post("/units", name="admin-add-unit", status_code=303)
    async def add_unit(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        f = clean(data, "slug", "name")
        try:
            unit = await admin.add_unit(f["slug"], f["name"])
        except InvalidInput as exc:
            return await self._page(
                request,
                viewer,
                admin,
                "units",
                form={"unit": f},
                errors={"unit": field_errors(exc)},
                status=422,
            )
        notice = gettext("Unit {name} added.").format(name=unit.name)
        return await self._done(request, viewer, admin, "units", notice)

    @post("/units/{unit:str}/{change:str}", name="admin-unit-active", status_code=303)
    async def unit_active(
        self,
        request: Request,
        unit: FromPath[str],
        change: FromPath[str],
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        if change not in ("deactivate", "reactivate"):
            raise NotFound(what="page")
        active = change == "reactivate"
        await admin.set_unit_active(unit, active)
        name = next((u["name"] for u in await admin.service.units() if u["slug"] == unit), unit)
        notice = (
            gettext("Unit {name} is active again.")
            if active
            else gettext("Unit {name} is deactivated: new cases give it no tasks.")
        ).format(name=name)
        return await self._done(request, viewer, admin, "units", notice)

    # --- calendar ----------------------------------------------------------------------

    @post("/calendar/hours", name="admin-office-hours", status_code=303)
    async def office_hours(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        f = clean(data, "office_start", "office_end")
        try:
            await admin.set_office_hours(f["office_start"], f["office_end"])
        except InvalidInput as exc:
            return await self._page(
                request,
                viewer,
                admin,
                "calendar",
                form={"hours": f},
                errors={"hours": field_errors(exc)},
                status=422,
            )
        notice = gettext("Office hours are now {start}–{end}.").format(
            start=f["office_start"][:5], end=f["office_end"][:5]
        )
        return await self._done(request, viewer, admin, "calendar", notice)

    @post("/calendar/days-off", name="admin-add-day-off", status_code=303)
    async def add_day_off(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        f = clean(data, "day", "name")
        errors: dict[str, str] = {}
        day = parse_day(f["day"], "day", errors)
        if day is not None:
            try:
                await admin.add_day_off(day, f["name"])
            except InvalidInput as exc:
                errors = field_errors(exc)
        if errors or day is None:
            return await self._page(
                request,
                viewer,
                admin,
                "calendar",
                form={"dayoff": f},
                errors={"dayoff": errors},
                status=422,
            )
        notice = gettext("{day} is a day off.").format(day=day_label(day))
        return await self._done(request, viewer, admin, "calendar", notice)

    @post("/calendar/days-off/{day:str}/delete", name="admin-remove-day-off", status_code=303)
    async def remove_day_off(
        self,
        request: Request,
        day: FromPath[str],
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        errors: dict[str, str] = {}
        parsed = parse_day(day, "day", errors)
        if parsed is None:
            raise NotFound(what="page")
        await admin.remove_day_off(parsed)
        notice = gettext("{day} is a working day again.").format(day=day_label(parsed))
        return await self._done(request, viewer, admin, "calendar", notice)
