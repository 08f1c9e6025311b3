"""The context every tenant page's layout needs (navigation, language, inbox badge, the
unread notifications' count)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from alur.core.i18n import LANGUAGES, current_language
from alur.tenants.cases.service import TenantService
from alur.tenants.leaders.access import leads
from alur.tenants.monitoring.report import MutuBakuReports
from alur.tenants.notify.feed import unread_count
from alur.web.deps import Viewer


async def page_context(
    request: Request,
    viewer: Viewer,
    tenant: TenantService | None,
    *,
    active: str = "",
    inbox_count: int | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "request": request,
        "viewer": viewer,
        "active": active,
        "languages": LANGUAGES,
        "lang": current_language.get(),
        "tenant": None,
    }
    if tenant is not None:
        if inbox_count is None and viewer.user_id is not None:
            items = await tenant.inbox(viewer.user_id)
            inbox_count = len(items)
        membership = viewer.tenant(tenant.ref.slug) or {}
        context["tenant"] = {
            "slug": tenant.ref.slug,
            "name": tenant.tenant["name"],
            "admin": bool(membership.get("admin")),
            "zone": tenant.tenant["timezone"],
            "sops": tenant.sops(),
            "leader": viewer.user_id is not None and await leads(tenant, viewer.user_id),
            # the Mutu baku and Monev links: their readers (alur.tenants.monitoring.access:
            # the leaders and the monev assessor)
            "mutu_baku": viewer.user_id is not None
            and await MutuBakuReports(tenant).readable(viewer.user_id),
        }
        context["inbox_count"] = inbox_count or 0
        if viewer.user_id is not None:
            context["notice_count"] = await unread_count(tenant.ref.id, viewer.user_id)
    return context
