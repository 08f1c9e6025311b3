"""The litestar application factory.

``create_app()`` wires settings (read from the environment now, not at import), the
database and plugins (opened on startup), server-side sessions in the database, CSRF
protection, Jinja templates with autoescape and gettext, the vendored static files, the
controllers and the exception handlers that turn domain errors into pages.
"""

from __future__ import annotations

import functools
import gc
import logging
from pathlib import Path
from typing import Any

from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from alur.core.i18n import current_language, gettext, ngettext, pick_language
from alur.core.plugins import AlurPlugins, create_plugin_manager
from alur.graphql.app import graphql_controller
from alur.graphql.limits import ApiLimits
from alur.tenants import caches
from alur.tenants.storage.database import close_database, open_database
from alur.web.admin.clock import ClockController
from alur.web.admin.controller import AdminController
from alur.web.admin.letterhead import LetterheadController
from alur.web.admin.passwords import PasswordsController
from alur.web.admin.platform import PlatformController
from alur.web.admin.tokens import TokensController
from alur.web.admin.webhooks import WebhooksController
from alur.web.auth.controller import AuthController
from alur.web.auth.password import PasswordController
from alur.web.auth.session_store import DatabaseSessionConfig, DatabaseSessionStore
from alur.web.cases.approve import ApproveController
from alur.web.cases.controller import CasesController
from alur.web.cases.inbox import InboxController
from alur.web.deps import provide_services, provide_tenant, provide_viewer
from alur.web.errors import EXCEPTION_HANDLERS
from alur.web.kinerja.controller import KinerjaController
from alur.web.leaders.controller import LeadersController
from alur.web.monitoring.controller import MutuBakuController
from alur.web.monitoring.evaluation import EvaluationController
from alur.web.monitoring.monev import MonevController
from alur.web.monitoring.monev_print import MonevPrintController
from alur.web.notify.controller import NotifyController
from alur.web.observability import PROBE_PATHS, observe
from alur.web.security_headers import security_headers
from alur.web.services import Services
from alur.web.settings import WebSettings
from alur.web.sops.approval import ApprovalController
from alur.web.sops.controller import SopsController
from alur.web.sops.moving import MovingController
from alur.web.sops.revision_files import RevisionFilesController
from alur.web.sops.revisions import SopRevisionsController
from alur.web.templating import configure_environment
from alur.web.verify import VerifyController

HERE = Path(__file__).parent
log = logging.getLogger(__name__)


@functools.cache
def freeze_startup_heap() -> None:
    """Keep the cyclic garbage collector off what startup built, once per process.

    Modules, the GraphQL schema, templates and plugins are over a hundred thousand objects
    that live as long as the process; without ``gc.freeze()`` every full collection walks
    them all again, in the middle of some request. Requests' own garbage is collected as
    before.
    """
    gc.freeze()


def create_app(
    settings: WebSettings | None = None,
    plugins: AlurPlugins | None = None,
    *,
    extra_controllers: tuple[Any, ...] = (),
    graphql_limits: ApiLimits | None = None,
) -> Litestar:
    settings = settings or WebSettings.from_env()
    caches.configure()  # ALUR_CACHE_MB: what this process's caches may hold
    services = Services(
        settings=settings,
        plugins=plugins or create_plugin_manager(),
    )

    async def startup(app: Litestar) -> None:
        services.db = await open_database(settings.database_url)
        for error in services.plugins.load_errors:
            log.error("plugin %s failed to load: %s", error.plugin, error.message)
        freeze_startup_heap()

    async def shutdown(app: Litestar) -> None:
        if services.db is not None:
            await close_database(services.db)

    async def set_language(request: Request) -> None:
        # The choice lives in the ``lang`` cookie only: choosing needs no session row.
        current_language.set(pick_language(request.cookies.get("lang")))

    session = DatabaseSessionConfig(
        key="alur_session",
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        renew_on_access=False,  # the store renews unchanged sessions every few minutes
        # the API authenticates by token; the verification page is public: no session rows
        exclude=["^/graphql", "^/static", "^/verifikasi", *PROBE_PATHS],
    )
    app = Litestar(
        route_handlers=[
            AuthController,
            PasswordController,
            InboxController,
            NotifyController,
            CasesController,
            ApproveController,
            KinerjaController,
            LeadersController,
            EvaluationController,
            MutuBakuController,
            MonevController,
            MonevPrintController,
            SopsController,
            SopRevisionsController,
            RevisionFilesController,
            MovingController,
            ApprovalController,
            AdminController,
            TokensController,
            ClockController,
            WebhooksController,
            LetterheadController,
            PasswordsController,
            PlatformController,
            VerifyController,
            graphql_controller(graphql_limits),
            *extra_controllers,
            create_static_files_router(path="/static", directories=[HERE / "static"]),
        ],
        state=State({"services": services}),
        dependencies={
            "services": Provide(provide_services, sync_to_thread=False),
            "viewer": Provide(provide_viewer),
            "tenant": Provide(provide_tenant),
        },
        middleware=[session.middleware],
        stores={"sessions": DatabaseSessionStore(settings.session_hours * 3600)},
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            exclude=["/graphql", *PROBE_PATHS],
        ),
        template_config=TemplateConfig(
            directory=HERE / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=lambda engine: configure_environment(engine.engine, gettext, ngettext),
        ),
        before_request=set_language,
        before_send=[security_headers(secure=settings.secure_cookies)],
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[startup],
        on_shutdown=[shutdown],
        logging_config=None,  # logs go through alur.tenants.observability.logs (structlog)
    )
    return observe(app, services)  # /healthz, /readyz, /metrics, request ids, access lines
