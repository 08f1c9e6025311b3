"""Platform administration (provincial IT): tenants and installed plugins."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from alur.tenants.errors import NotFound
from alur.tenants.platform import PlatformService
from alur.web.deps import Viewer
from alur.web.pages import page_context
from alur.web.services import Services


def require_operator(viewer: Viewer) -> None:
    if not viewer.is_operator:
        raise NotFound(what="page")


class PlatformController(Controller):
    path = "/platform"

    @get("/", name="platform")
    async def index(
        self, request: Request, viewer: NamedDependency[Viewer], services: NamedDependency[Services]
    ) -> Template:
        require_operator(viewer)
        platform = PlatformService(services.database, services.plugins)
        context = await page_context(request, viewer, None, active="platform")
        return Template(
            "platform/index.html",
            context={
                **context,
                "tenants": await platform.tenants(),
                "plugins": services.plugins.plugins(),
                "form": {},
                "errors": {},
            },
        )
