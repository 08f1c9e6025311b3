"""The leaders' dashboard, ``/t/{slug}/dashboard`` (``?period=`` chooses the period of the
capaian): open tasks by kegiatan and by unit, what is overdue and with whom, and the
period's capaian — each as a chart (Chart.js, ``static/charts.js``) and as a table.

Who may see it is decided by :func:`alur.tenants.leaders.access.require_leader` (403 for
other members of the office; 404 for everyone else, like every office page).
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from alur.core.i18n import current_language
from alur.tenants.cases.service import TenantService
from alur.tenants.leaders.service import LeadersService
from alur.web.deps import Viewer
from alur.web.leaders.view import dashboard
from alur.web.pages import page_context


class LeadersController(Controller):
    path = "/t/{slug:str}"

    @get("/dashboard", name="leaders-dashboard")
    async def dashboard(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
        period: FromQuery[str | None] = None,
    ) -> Template:
        assert viewer.user_id is not None
        overview = await LeadersService(tenant).overview(viewer.user_id, period)
        context = await page_context(request, viewer, tenant, active="dashboard")
        context.update(dashboard(overview, current_language.get()))
        return Template("leaders/dashboard.html", context=context)
