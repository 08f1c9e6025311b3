"""The inbox: my open tasks, most urgent first, and its count for the navigation badge; above
them, "perlu perhatian": the overdue tasks escalated to a role I hold (still with their
holders, :func:`alur.tenants.cases.inbox.attention_tasks`); and the open SOP monitoring
forms (monev) for their assessor."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from alur.tenants.cases.service import TenantService
from alur.tenants.monitoring.monev import MonevForms
from alur.web.deps import Viewer
from alur.web.pages import page_context


class InboxController(Controller):
    path = "/t/{slug:str}"

    @get("/", name="tenant-home")
    async def tenant_home(
        self, request: Request, tenant: NamedDependency[TenantService]
    ) -> Redirect:
        return Redirect(f"/t/{tenant.ref.slug}/inbox", status_code=303)

    @get("/inbox", name="inbox")
    async def inbox(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        assert viewer.user_id is not None
        items = await tenant.inbox(viewer.user_id)
        sops = tenant.sops()
        units = {u["slug"]: u["name"] for u in await tenant.units()}
        rows = [
            {
                "item": i,
                "sop": sops[i.sop_id].header.nama if i.sop_id in sops else i.sop_id,
                "unit": units.get(i.unit or "", i.unit),
                "role": _role_name(sops, i.sop_id, i.role),
            }
            for i in items
        ]
        attention = [
            {
                "item": i,
                "sop": sops[i.sop_id].header.nama if i.sop_id in sops else i.sop_id,
                "unit": units.get(i.unit or "", i.unit),
                "role": _role_name(sops, i.sop_id, i.role),
                "escalated_to": _role_name(sops, i.sop_id, i.escalated_to or ""),
            }
            for i in await tenant.attention(viewer.user_id)
        ]
        context = await page_context(
            request, viewer, tenant, active="inbox", inbox_count=len(items)
        )
        monev = await MonevForms(tenant).waiting(viewer.user_id)  # forms the assessor fills
        return Template(
            "inbox.html",
            context={**context, "rows": rows, "attention": attention, "monev": monev},
        )

    @get("/inbox/count", name="inbox-count")
    async def count(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        assert viewer.user_id is not None
        items = await tenant.inbox(viewer.user_id)
        return Template(
            "_inbox_badge.html",
            context={
                "count": len(items),
                "overdue": sum(i.overdue for i in items),
                "slug": tenant.ref.slug,
                "request": request,
            },
        )


def _role_name(sops: dict, sop_id: str, role: str) -> str:
    d = sops.get(sop_id)
    if d is None or role not in d.roles_by_id:
        return role
    return d.roles_by_id[role].name
