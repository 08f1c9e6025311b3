"""Each HTTP request observed once, around the whole app: its request id, its access line and
its metrics.

:class:`RequestObserver` wraps litestar's ``asgi_handler`` (outside routing and the exception
handlers, the same place litestar's OpenTelemetry plugin takes), so unmatched paths (404) and
errors are counted too. Per request:

* the request id: an incoming ``X-Request-ID`` if it is short and plain (:data:`SAFE_ID`),
  else a new one; returned in the response's ``X-Request-ID`` and bound to every log line
  written while the request runs;
* one access line (logger ``alur.access``, event ``request``): request_id, method, route (the
  route *template*, e.g. ``/t/{slug}/cases/{key}``), status, duration_ms, office (the
  ``/t/{slug}`` of the URL) and user_id (``op:N`` for an operator) from the session. Never the
  raw path, its query string, a header or a body. The probes and ``/metrics`` log at DEBUG.
* ``alur_http_requests_total`` / ``alur_http_request_duration_seconds`` by route template
  (unmatched paths share the route ``unmatched``), and the pool gauges.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from alur.tenants.observability import metrics
from alur.tenants.observability.logs import request_notes

SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
QUIET = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: DEBUG lines

log = structlog.stdlib.get_logger("alur.access")


def request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-request-id":
            text = value.decode("latin-1").strip()
            if SAFE_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


def _user(scope: Scope) -> str | None:
    session = scope.get("session")
    if not isinstance(session, dict):
        return None
    if session.get("uid") is not None:
        return str(session["uid"])
    if session.get("op") is not None:
        return f"op:{session['op']}"
    return None


class RequestObserver:
    """The ASGI wrapper (see the module docstring); ``engine()`` gives the database engine
    whose pool to report, or None before startup."""

    def __init__(self, app: ASGIApp, engine: Any) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        tokens = structlog.contextvars.bind_contextvars(request_id=rid)
        notes = request_notes.set({})
        started = time.perf_counter()
        status = 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("path_template") if "route_handler" in scope else None
            route = route or "unmatched"
            method = scope.get("method", "GET")
            metrics.observe_request(method, route, status, seconds)
            engine = self.engine()
            if engine is not None:
                metrics.observe_pool(engine)
            fields = request_notes.get() or {}
            office = (scope.get("path_params") or {}).get("slug") or fields.get("office")
            user = _user(scope) or fields.get("user_id")
            line = log.debug if route in QUIET else log.info
            line(
                "request",
                method=method,
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 1),
                office=office,
                user_id=user,
            )
            request_notes.reset(notes)
            structlog.contextvars.reset_contextvars(**tokens)
