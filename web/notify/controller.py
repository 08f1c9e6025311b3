"""A person's notifications in an office, the header's unread count, and their own
notification settings ("Pengaturan pemberitahuan").

* ``/t/{slug}/notifications``: newest first, each with its sentence in the page's language
  (:func:`alur.tenants.notify.messages.render`), its time and a link to the case; ``?before=``
  pages on. Opening the list marks the notifications it shows read (they are still marked
  "new" on that showing), so the count in the header falls as soon as they have been seen.
* ``/t/{slug}/notifications/count``: the header's badge alone, for htmx: ``static/alur.js``
  asks for it every minute while the tab is visible (and when it becomes visible again).
  Without JavaScript the badge is a plain link, refreshed with every page.
* ``/t/{slug}/settings``: email, WhatsApp number, channels, digest only, after hours,
  language — checked and saved by :func:`alur.tenants.notify.contacts.set_contacts`; a
  refusal shows every message next to its field with everything typed kept (422).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from alur.core.i18n import LANGUAGES, current_language, gettext
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput
from alur.tenants.notify.contacts import get_contacts, set_contacts
from alur.tenants.notify.feed import mark_read, notifications_for, unread_count
from alur.tenants.notify.plugin_channels import person_channel_names
from alur.web.deps import Viewer
from alur.web.errors import is_htmx
from alur.web.pages import page_context

Form = URLEncodedBody[dict[str, Any]]
PAGE = 20
TEXT_FIELDS = ("email", "whatsapp", "language")
FLAGS = ("digest_only", "after_hours")
CHANNEL_LABELS = {"email": "Email", "whatsapp": "WhatsApp", "telegram": "Telegram"}


class NotifyController(Controller):
    path = "/t/{slug:str}"

    @get("/notifications", name="notifications")
    async def notifications(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
        before: FromQuery[int | None] = None,
    ) -> Template:
        assert viewer.user_id is not None
        await tenant.context(viewer.user_id)  # a suspended office is refused like its pages
        items = await notifications_for(
            tenant.ref.id, viewer.user_id, limit=PAGE + 1, before_id=before
        )
        more = len(items) > PAGE
        items = items[:PAGE]
        unread = [i.id for i in items if i.unread]
        if unread:
            await mark_read(tenant.ref.id, viewer.user_id, unread, now=datetime.now(UTC))
        lang = current_language.get()
        rows = []
        for i in items:
            rows.append({"item": i, "message": i.message(tenant.ref.slug, lang)})
        context = await page_context(request, viewer, tenant, active="notifications")
        context.update(rows=rows, more=more, next_before=items[-1].id if more else None)
        context["paged"] = before is not None
        return Template("notifications.html", context=context)

    @get("/notifications/count", name="notifications-count")
    async def count(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        assert viewer.user_id is not None
        return Template(
            "_notice_badge.html",
            context={
                "notice_count": await unread_count(tenant.ref.id, viewer.user_id),
                "slug": tenant.ref.slug,
                "request": request,
            },
        )

    # --- the person's own settings ------------------------------------------------------

    @get("/settings", name="settings")
    async def settings(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        assert viewer.user_id is not None
        contacts = await get_contacts(viewer.user_id)
        form = {
            "email": contacts.email,
            "whatsapp": contacts.whatsapp,
            "language": contacts.language,
            "channels": list(contacts.channels),
            "digest_only": contacts.digest_only,
            "after_hours": contacts.after_hours,
        }
        notice = request.session.pop("settings_notice", None)
        return await self._settings(request, viewer, tenant, form, {}, notice=notice)

    @post("/settings", name="save-settings", status_code=303)
    async def save_settings(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        assert viewer.user_id is not None
        form = settings_form(data)
        try:
            await set_contacts(viewer.user_id, form, person_channel_names(tenant.plugins))
        except InvalidInput as exc:
            errors = {field: gettext(message) for field, message in exc.errors.items()}
            return await self._settings(request, viewer, tenant, form, errors, status=422)
        notice = gettext("Your notification settings are saved.")
        if is_htmx(request):
            return await self._settings(request, viewer, tenant, form, {}, notice=notice)
        request.session["settings_notice"] = notice
        return Redirect(f"/t/{tenant.ref.slug}/settings", status_code=303)

    async def _settings(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        form: dict[str, Any],
        errors: dict[str, str],
        *,
        notice: str | None = None,
        status: int = 200,
    ) -> Template:
        context = await page_context(request, viewer, tenant, active="settings")
        context.update(
            form=form,
            errors=errors,
            notice=notice,
            channel_options=[
                (c, CHANNEL_LABELS.get(c, c.title())) for c in person_channel_names(tenant.plugins)
            ],
            language_options=list(LANGUAGES.items()),
        )
        return Template("settings.html", context=context, status_code=status)


def settings_form(data: dict[str, Any]) -> dict[str, Any]:
    """The submitted settings form: text fields stripped, the ticked channels, the flags."""

    def last(name: str) -> str:
        value = data.get(name, "")
        if isinstance(value, list):
            value = value[-1] if value else ""
        return str(value).strip()

    chosen = data.get("channels", [])
    chosen = [chosen] if isinstance(chosen, str) else list(chosen or [])
    form: dict[str, Any] = {name: last(name) for name in TEXT_FIELDS}
    form["channels"] = [str(c) for c in chosen if c]
    for flag in FLAGS:
        form[flag] = last(flag) == "on"
    return form
