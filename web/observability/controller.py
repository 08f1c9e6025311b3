"""``/healthz``, ``/readyz`` and ``/metrics``: unauthenticated (``/metrics`` has its own rule),
never creating a session (excluded in the session config), answering JSON (the probes) or
Prometheus text.

* ``/healthz``: the process answers — 200 ``{"status": "ok"}``, no database.
* ``/readyz``: :func:`alur.tenants.observability.readiness.check_readiness` — 200 or 503 with
  each check's word (``{"status": "unavailable", "checks": {"database": "unreachable
  (ConnectionRefusedError)"}}``). The worker fails it only with ``ALUR_READY_REQUIRES_WORKER=1``
  or ``?worker=1`` (the module says why).
* ``/metrics``: with ``Authorization: Bearer $ALUR_METRICS_TOKEN`` or from an address in
  ``ALUR_METRICS_ALLOW`` (:mod:`alur.tenants.observability.access`); 404 to anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException

from alur.tenants.observability import metrics
from alur.tenants.observability.access import MetricsAccess
from alur.tenants.observability.gauges import scrape_gauges
from alur.tenants.observability.readiness import check_readiness
from alur.tenants.settings import is_on
from alur.web.client_address import client_address

NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class ObservabilitySettings:
    """``ALUR_READY_REQUIRES_WORKER`` (0), ``ALUR_METRICS_TOKEN``, ``ALUR_METRICS_ALLOW``."""

    requires_worker: bool = False
    access: MetricsAccess = field(default_factory=MetricsAccess)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ObservabilitySettings:
        import os

        env = os.environ if environ is None else environ
        return cls(
            requires_worker=is_on(env, "ALUR_READY_REQUIRES_WORKER"),
            access=MetricsAccess.from_env(env),
        )


def _settings(request: Request) -> ObservabilitySettings:
    return request.app.state["observability"]


class ObservabilityController(Controller):
    include_in_schema = False

    @get("/healthz", sync_to_thread=False)
    def healthz(self) -> Response[dict[str, str]]:
        return Response({"status": "ok"}, headers=NO_STORE)

    @get("/readyz")
    async def readyz(self, request: Request) -> Response[dict]:
        settings = _settings(request)
        services = request.app.state["services"]
        if services.db is None:
            return Response(
                {"status": "unavailable", "checks": {"database": "not opened yet"}},
                status_code=503,
                headers=NO_STORE,
            )
        required = settings.requires_worker or request.query_params.get("worker") == "1"
        result = await check_readiness(require_worker=required)
        return Response(
            result.as_json(), status_code=200 if result.ready else 503, headers=NO_STORE
        )

    @get("/metrics")
    async def metrics_page(self, request: Request) -> Response[bytes]:
        settings = _settings(request)
        services = request.app.state["services"]
        address = client_address(request.scope, services.settings.trusted_proxies)
        if not settings.access.allows(request.headers.get("authorization"), address):
            raise NotFoundException()
        extra = []
        if services.db is not None:
            extra.append(await scrape_gauges(is_sqlite=services.db.is_sqlite))
        return Response(
            metrics.exposition(*extra), media_type=metrics.CONTENT_TYPE, headers=NO_STORE
        )
