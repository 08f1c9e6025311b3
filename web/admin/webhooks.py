"""The "Webhooks" sub-page of tenant administration (``/t/{slug}/admin/webhooks``): the
office's webhooks (URL, events, status), registering one (its signing secret shown once),
disabling/enabling and deleting one, and the log of the office's recent deliveries through
every channel (status, attempts, last error, times). For the office's administrators only,
like the other sub-pages; the rules are :mod:`alur.tenants.notify.webhooks`'.

As on the tokens page, the secret exists only in the answer to the form that registered the
webhook: that page (or panel) is rendered directly with ``Cache-Control: no-store``. The other
forms POST, then redirect with a one-time notice (or swap the panel with htmx). A refused form
comes back with everything typed and the messages next to their fields (422).
"""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from alur.core.i18n import gettext
from alur.tenants.errors import InvalidInput
from alur.tenants.notify.webhooks import (
    EVENT_KINDS,
    delete_webhook,
    list_webhooks,
    recent_deliveries,
    register_webhook,
    set_webhook_active,
)
from alur.tenants.offices.admin import TenantAdmin
from alur.web.admin.base import AdminPages, Form, clean, field_errors, provide_admin, shown_once
from alur.web.deps import Viewer

SECTION = "webhooks"
LOG_SIZE = 50


def chosen(data: dict[str, Any], name: str) -> list[str]:
    """The values of a repeated form field (checkboxes)."""
    value = data.get(name, [])
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if str(v)]


class WebhooksController(AdminPages):
    """The office's webhooks and deliveries log."""

    path = "/t/{slug:str}/admin"
    dependencies: ClassVar[dict[str, Provide]] = {"admin": Provide(provide_admin)}

    async def _load_webhooks(self, admin: TenantAdmin) -> dict[str, Any]:
        return {
            "webhooks": await list_webhooks(admin),
            "deliveries": await recent_deliveries(admin, limit=LOG_SIZE),
            "event_kinds": EVENT_KINDS,
            "status_labels": {
                "pending": gettext("waiting"),
                "sending": gettext("sending"),
                "sent": gettext("sent"),
                "failed": gettext("not delivered"),
            },
        }

    @get("/webhooks", name="admin-webhooks")
    async def webhooks(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Template:
        notice = request.session.pop("admin_notice", None)
        return await self._page(request, viewer, admin, SECTION, notice=notice)

    @post("/webhooks", name="admin-create-webhook", status_code=200)
    async def create(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Template:
        f: dict[str, Any] = clean(data, "url")
        events = chosen(data, "events")
        try:
            created = await register_webhook(admin, f["url"], events)
        except InvalidInput as exc:
            f["events"] = events
            return await self._refused(
                request, viewer, admin, SECTION, "webhook", f, field_errors(exc)
            )
        page = await self._page(
            request,
            viewer,
            admin,
            SECTION,
            notice=gettext("Webhook {url} registered.").format(url=created.info.url),
        )
        return shown_once(page, "new_webhook", created)

    @post("/webhooks/{webhook_id:int}/active", name="admin-webhook-active", status_code=303)
    async def set_active(
        self,
        request: Request,
        webhook_id: FromPath[int],
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        active = clean(data, "active")["active"] == "1"
        info = await set_webhook_active(admin, webhook_id, active)  # another office's: 404
        if active:
            notice = gettext("Webhook {url} is enabled.").format(url=info.url)
        else:
            notice = gettext("Webhook {url} is disabled: nothing more is sent to it.").format(
                url=info.url
            )
        return await self._done(request, viewer, admin, SECTION, notice)

    @post("/webhooks/{webhook_id:int}/delete", name="admin-webhook-delete", status_code=303)
    async def delete(
        self,
        request: Request,
        webhook_id: FromPath[int],
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        info = await delete_webhook(admin, webhook_id)
        notice = gettext("Webhook {url} is deleted.").format(url=info.url)
        return await self._done(request, viewer, admin, SECTION, notice)
