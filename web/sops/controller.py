"""The SOP pages: the tenant's SOPs (and, for its administrator, the SOPs it may adopt from
its plugins), and each SOP as its printable Permenpan RB document."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from alur.core.i18n import gettext
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.sop_life.adoption import OfficeSops
from alur.web.cases.view import document_html
from alur.web.deps import Viewer
from alur.web.pages import page_context

Form = URLEncodedBody[dict[str, Any]]


class SopsController(Controller):
    path = "/t/{slug:str}/sops"

    async def _list(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        *,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        context = await page_context(request, viewer, tenant, active="sops")
        choices = []
        if context["tenant"]["admin"] and viewer.user_id is not None:
            choices = [c for c in await OfficeSops(tenant, viewer.user_id).choices() if not c.runs]
        context.update(
            adoptable=choices,
            errors=errors or {},
            notice=request.session.pop("sops_notice", None),
        )
        return Template("sops.html", context=context, status_code=status)

    @get("/", name="sops")
    async def sops(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        return await self._list(request, viewer, tenant)

    @post("/adopsi", name="sops-adopt", status_code=303)
    async def adopt(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        """Adopt an SOP (``plugin``, ``sop``) of a plugin the office may run SOPs from."""
        if viewer.user_id is None:
            raise NotFound(what="page")
        plugin, sop_id = str(data.get("plugin", "")), str(data.get("sop", ""))
        try:
            await OfficeSops(tenant, viewer.user_id).adopt(plugin, sop_id)
        except InvalidInput as exc:
            return await self._list(request, viewer, tenant, errors=exc.errors, status=422)
        request.session["sops_notice"] = gettext("The office now runs SOP {sop}.").format(
            sop=sop_id
        )
        return Redirect(f"/t/{tenant.ref.slug}/sops", status_code=303)

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
