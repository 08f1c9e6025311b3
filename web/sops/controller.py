"""The SOP pages: the tenant's SOPs, and each SOP as its printable Permenpan RB document."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from alur.tenants.cases.service import TenantService
from alur.web.cases.view import document_html
from alur.web.deps import Viewer
from alur.web.pages import page_context


class SopsController(Controller):
    path = "/t/{slug:str}/sops"

    @get("/", name="sops")
    async def sops(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        context = await page_context(request, viewer, tenant, active="sops")
        return Template("sops.html", context=context)

    @get("/{sop_id:str}", name="sop-document")
    async def document(
        self,
        request: Request,
        sop_id: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        d = tenant.sop(sop_id)
        html = document_html(d, tenant)  # rendered once per definition, shared with case pages
        context = await page_context(request, viewer, tenant, active="sops")
        return Template("sop.html", context={**context, "definition": d, "document": html})
