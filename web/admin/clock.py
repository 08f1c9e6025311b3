"""The "Reminders" sub-page of tenant administration (``/t/{slug}/admin/clock``): the office's
clock policy — when the holders of a task are reminded, when and to whom an overdue task
escalates, the daily digest. The rules are :mod:`alur.tenants.offices.clock_policy`'s; this
parses the form, calls it, and shows the page again with every message next to its field and
everything typed kept (422), or redirects with a notice (303; htmx: the panel in place).
"""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from alur.core.clock import ClockPolicy
from alur.core.i18n import gettext
from alur.tenants.errors import InvalidInput
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.clock_policy import FIELDS, read_policy, save_policy
from alur.web.admin.base import AdminPages, Form, clean, field_errors, provide_admin
from alur.web.deps import Viewer

SECTION = "clock"
CHECKBOXES = ("remind_at_due", "digest")


def form_values(policy: ClockPolicy) -> dict[str, str]:
    """The form as a saved policy fills it in (a checkbox: "on" or "")."""
    return {
        "remind_before": str(policy.remind_before_percent or ""),
        "remind_before_min": policy.remind_before_min.text,
        "remind_at_due": "on" if policy.remind_at_due else "",
        "escalate_after": policy.escalate_after.text if policy.escalate_after else "",
        "escalate_to": policy.escalate_to or "",
        "digest": "on" if policy.digest else "",
    }


class ClockController(AdminPages):
    """The office's clock policy: show and save."""

    path = "/t/{slug:str}/admin"
    dependencies: ClassVar[dict[str, Provide]] = {"admin": Provide(provide_admin)}

    async def _load_clock(self, admin: TenantAdmin) -> dict[str, Any]:
        info = await read_policy(admin)
        return {
            "policy_info": info,
            "saved_form": form_values(info.policy),
            "role_options": list(info.roles.items()),
        }

    @get("/clock", name="admin-clock")
    async def show(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Template:
        notice = request.session.pop("admin_notice", None)
        return await self._page(request, viewer, admin, SECTION, notice=notice)

    @post("/clock", name="admin-save-clock", status_code=303)
    async def save(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        f = clean(data, *FIELDS)
        try:
            await save_policy(admin, f)
        except InvalidInput as exc:
            return await self._refused(
                request, viewer, admin, SECTION, "clock", f, field_errors(exc)
            )
        notice = gettext(
            "Reminder settings saved. The reminders of tasks already open follow them too."
        )
        return await self._done(request, viewer, admin, SECTION, notice)
