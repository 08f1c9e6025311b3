"""Tenant administration (``/t/{slug}/admin/…``) for that tenant's administrators only —
everyone else gets 404: people with their roles and Plt/Plh delegations, units, and the
working calendar (office hours, days off).

Every form works without JavaScript: POST, then a 303 redirect back to the sub-page with a
one-time notice kept in the session. With htmx the forms swap the page's panel
(``#admin-panel``) in place. Invalid input re-renders the panel (or the page) with status
422 and each message next to its field; nothing is written then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from alur.core.i18n import current_language, gettext
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.offices.admin import TenantAdmin
from alur.web.admin.base import (
    Form,
    clean,
    day_label,
    field_errors,
    parse_day,
    provide_admin,
)
from alur.web.admin.people import PeopleRoutes
from alur.web.deps import Viewer

HOLIDAYS_SHOWN = 8


class AdminController(PeopleRoutes):
    """People (see :class:`~alur.web.admin.people.PeopleRoutes`), units and
    the working calendar."""

    path = "/t/{slug:str}/admin"
    dependencies: ClassVar[dict[str, Provide]] = {"admin": Provide(provide_admin)}

    async def _load_units(self, admin: TenantAdmin) -> dict[str, Any]:
        return {"units": await admin.service.units()}

    async def _load_calendar(self, admin: TenantAdmin) -> dict[str, Any]:
        tenant = await TenantService.open(
            admin.service.db, admin.service.plugins, admin.service.ref.slug
        )
        today = datetime.now(ZoneInfo(tenant.tenant["timezone"])).date()
        language = "id" if current_language.get() == "id" else "en_US"
        public = holidays_lib.country_holidays(
            "ID", language=language, years=(today.year, today.year + 1)
        )
        holidays = [
            {"day": day, "name": name} for day, name in sorted(public.items()) if day >= today
        ][:HOLIDAYS_SHOWN]
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
            return await self._refused(
                request, viewer, admin, "units", "unit", f, field_errors(exc)
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
            return await self._refused(
                request, viewer, admin, "calendar", "hours", f, field_errors(exc)
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
            return await self._refused(request, viewer, admin, "calendar", "dayoff", f, errors)
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
