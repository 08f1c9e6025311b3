"""What the tenant administration pages share: the ``admin`` dependency (administrators
only), form helpers, and rendering a sub-page — the whole page, or for htmx only its panel
(``#admin-panel``), which every admin form swaps."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from alur.core.errors import N_
from alur.core.i18n import current_language, gettext
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput, NotFound, TenantSuspended
from alur.tenants.offices.admin import TenantAdmin
from alur.web.deps import Viewer
from alur.web.errors import is_htmx
from alur.web.pages import page_context
from alur.web.templating import MONTHS

Form = URLEncodedBody[dict[str, Any]]
SECTIONS = ("people", "units", "calendar")
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


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


def day_label(day: date) -> str:
    """``Tue 24 Nov 2026`` in the current language."""
    months = MONTHS.get(current_language.get(), MONTHS["en"])
    return f"{gettext(WEEKDAYS[day.weekday()])} {day.day} {months[day.month - 1]} {day.year}"


def shown_once(page: Template, name: str, secret: object) -> Template:
    """``page`` carrying a secret made just now (an API token, a webhook's signing secret) as
    ``name`` in its context: shown this once, and never kept in any cache."""
    assert isinstance(page.context, dict)
    page.context[name] = secret
    page.headers["Cache-Control"] = "no-store"
    return page


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


def form_version(value: object) -> int:
    """The version a form was read at (its hidden ``version`` field), or -1 when it is not
    a plain number: the service then answers with its stale-save error, never a 500."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1


def parse_day(value: str, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = gettext("Give a date like 2026-12-24.")
        return None


class AdminPages(Controller):
    """Rendering for the admin controllers; each section ``x`` has a ``_load_x`` method
    giving its template's data."""

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
        context.update(await getattr(self, f"_load_{section}")(admin))
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

    async def _refused(
        self,
        request: Request,
        viewer: Viewer,
        admin: TenantAdmin,
        section: str,
        form_name: str,
        values: dict[str, str],
        errors: dict[str, str],
    ) -> Template:
        """The sub-page again, with ``form_name``'s values and per-field errors (422)."""
        return await self._page(
            request,
            viewer,
            admin,
            section,
            form={form_name: values},
            errors={form_name: errors},
            status=422,
        )

    async def _done(
        self, request: Request, viewer: Viewer, admin: TenantAdmin, section: str, notice: str
    ) -> Response:
        if is_htmx(request):
            return await self._page(request, viewer, admin, section, notice=notice)
        request.session["admin_notice"] = notice
        return Redirect(f"/t/{admin.service.ref.slug}/admin/{section}", status_code=303)
