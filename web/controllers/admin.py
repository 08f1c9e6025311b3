"""Tenant administration pages: people and memberships, units, delegations, days off."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from alur.tenants.errors import NotFound
from alur.tenants.service import TenantService
from alur.web.deps import Viewer
from alur.web.pages import page_context


class AdminController(Controller):
    path = "/t/{slug:str}/admin"

    @get("/", name="admin")
    async def index(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        membership = viewer.tenant(tenant.ref.slug) or {}
        if not membership.get("admin"):
            raise NotFound(what="page")
        context = await page_context(request, viewer, tenant, active="admin")
        return Template("admin/index.html", context=context)
