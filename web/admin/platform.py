"""Platform administration (provincial IT): offices (tenants) and installed plugins.

Only platform operators see it; everyone else gets 404. Creating an office and suspending
or resuming one work without JavaScript (POST, then a 303 redirect with a one-time notice);
with htmx they swap the page's panel (``#platform-panel``). Invalid input re-renders with
status 422 and each message next to its field.
"""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from alur.core.i18n import gettext
from alur.tenants.audit.office_log import operator_actor
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.offices.platform import NewAdministrator, PlatformService
from alur.web.deps import Viewer
from alur.web.errors import is_htmx
from alur.web.pages import page_context
from alur.web.services import Services

Form = URLEncodedBody[dict[str, Any]]
RECENT_CASES = 20


def require_operator(viewer: Viewer) -> None:
    if not viewer.is_operator:
        raise NotFound(what="page")


async def provide_platform(
    viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> PlatformService:
    """The platform service, for operators; a 404 for everyone else."""
    require_operator(viewer)
    return PlatformService(services.database, services.plugins)


def _as_list(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if str(v).strip()]


class PlatformController(Controller):
    path = "/platform"
    dependencies: ClassVar[dict[str, Provide]] = {"platform": Provide(provide_platform)}

    async def _page(
        self,
        request: Request,
        viewer: Viewer,
        platform: PlatformService,
        *,
        form: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Template:
        context = await page_context(request, viewer, None, active="platform")
        plugins = platform.plugins.plugins()
        tenants = await platform.tenants()
        context.update(
            tenants=tenants,
            names={t.slug: t.name for t in tenants},
            plugins=plugins,
            ok_plugins=[p for p in plugins if p.ok],
            plugin_options=[
                (p.name, f"{p.institution.name} ({p.name})" if p.institution else p.name)
                for p in plugins
                if p.ok
            ],
            sop_names={k: d.header.nama for p in plugins for k, d in p.sops.items()},
            orphan_errors=[
                e for e in platform.plugins.load_errors if e.plugin not in {p.name for p in plugins}
            ],
            cases=await platform.cases(limit=RECENT_CASES),
            form=form or {"sops": []},
            errors=errors or {},
            notice=notice,
        )
        template = "platform/_panel.html" if is_htmx(request) else "platform/index.html"
        return Template(template, context=context, status_code=status)

    async def _done(
        self, request: Request, viewer: Viewer, platform: PlatformService, notice: str
    ) -> Response:
        if is_htmx(request):
            return await self._page(request, viewer, platform, notice=notice)
        request.session["platform_notice"] = notice
        return Redirect("/platform", status_code=303)

    @get("/", name="platform")
    async def index(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        platform: NamedDependency[PlatformService],
    ) -> Template:
        notice = request.session.pop("platform_notice", None)
        return await self._page(request, viewer, platform, notice=notice)

    @post("/tenants", name="platform-create-tenant", status_code=303)
    async def create_tenant(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        platform: NamedDependency[PlatformService],
    ) -> Response:
        fields = ("slug", "name", "plugin", "admin_username", "admin_name")
        form: dict[str, Any] = {k: str(data.get(k, "")).strip() for k in fields}
        form["slug"] = form["slug"].lower()
        form["admin_username"] = form["admin_username"].lower()
        password = str(data.get("admin_password", ""))
        with_admin = bool(form["admin_username"] or form["admin_name"] or password)
        # Only the SOPs offered for the chosen plugin count ("<plugin>:<sop id>" checkboxes).
        chosen = _as_list(data.get("sops", []))
        sops = [c.split(":", 1)[1] for c in chosen if c.startswith(form["plugin"] + ":")]
        administrator = NewAdministrator(form["admin_username"], form["admin_name"], password)
        try:
            tenant = await platform.create_office(
                form["slug"],
                form["name"],
                form["plugin"],
                sops or None,
                administrator=administrator if with_admin else None,
            )
        except InvalidInput as exc:
            shown = {k: gettext(v) for k, v in exc.errors.items()}
            return await self._page(
                request, viewer, platform, form={**form, "sops": chosen}, errors=shown, status=422
            )
        if with_admin:
            notice = gettext("Office {name} created; its administrator {username} can sign in.")
        else:
            notice = gettext(
                "Office {name} created. It has no administrator yet: "
                "alur users create --tenant {slug} --admin …"
            )
        notice = notice.format(name=tenant.name, slug=tenant.slug, username=form["admin_username"])
        return await self._done(request, viewer, platform, notice)

    @post("/tenants/{tenant_slug:str}/plugins", name="platform-allow-plugin", status_code=303)
    async def allow_plugin(
        self,
        request: Request,
        tenant_slug: FromPath[str],
        data: Form,
        viewer: NamedDependency[Viewer],
        platform: NamedDependency[PlatformService],
    ) -> Response:
        plugin = str(data.get("plugin", "")).strip()
        return await self._plugin_change(request, viewer, platform, tenant_slug, plugin, True)

    @post(
        "/tenants/{tenant_slug:str}/plugins/{plugin:str}/remove",
        name="platform-disallow-plugin",
        status_code=303,
    )
    async def disallow_plugin(
        self,
        request: Request,
        tenant_slug: FromPath[str],
        plugin: FromPath[str],
        viewer: NamedDependency[Viewer],
        platform: NamedDependency[PlatformService],
    ) -> Response:
        return await self._plugin_change(request, viewer, platform, tenant_slug, plugin, False)

    async def _plugin_change(
        self,
        request: Request,
        viewer: Viewer,
        platform: PlatformService,
        slug: str,
        plugin: str,
        allowed: bool,
    ) -> Response:
        try:
            await platform.set_plugin_allowed(
                slug, plugin, allowed, actor=operator_actor(viewer.username)
            )
        except InvalidInput as exc:
            errors = {f"plugin:{slug}": "; ".join(exc.errors.values())}
            return await self._page(request, viewer, platform, errors=errors, status=422)
        notice = (
            gettext("Office {slug} may adopt SOPs from {plugin}.")
            if allowed
            else gettext("Office {slug} may no longer adopt SOPs from {plugin}.")
        ).format(slug=slug, plugin=plugin)
        return await self._done(request, viewer, platform, notice)

    @post("/tenants/{tenant_slug:str}/{change:str}", name="platform-suspend", status_code=303)
    async def suspend(
        self,
        request: Request,
        tenant_slug: FromPath[str],
        change: FromPath[str],
        viewer: NamedDependency[Viewer],
        platform: NamedDependency[PlatformService],
    ) -> Response:
        if change not in ("suspend", "resume"):
            raise NotFound(what="page")
        await platform.set_suspended(
            tenant_slug, change == "suspend", actor=operator_actor(viewer.username)
        )
        notice = (
            gettext("Office {slug} is suspended: its people can no longer work in it.")
            if change == "suspend"
            else gettext("Office {slug} is active again.")
        ).format(slug=tenant_slug)
        return await self._done(request, viewer, platform, notice)
