"""Health, readiness, metrics and the request observer (issue 15, observability)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar

from alur.tenants.observability import metrics
from alur.tenants.observability.logs import configure_logging
from alur.web.observability.controller import ObservabilityController, ObservabilitySettings
from alur.web.observability.requests import RequestObserver

PROBE_PATHS = ["^/healthz", "^/readyz", "^/metrics"]  # excluded from the session middleware


def observe(app: Litestar, services: Any) -> Litestar:
    """Mount the endpoints on ``app``, wrap it in the request observer, configure the logs."""
    configure_logging()
    metrics.check_multiprocess_dir()
    app.state["observability"] = ObservabilitySettings.from_env()
    app.register(ObservabilityController)
    app.asgi_handler = RequestObserver(
        app.asgi_handler, lambda: services.db.engine if services.db is not None else None
    )

    async def exited(_: Litestar) -> None:
        metrics.process_exited()

    app.on_shutdown.append(exited)
    return app
