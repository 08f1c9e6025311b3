"""``alur worker --metrics-port PORT``: the worker's own metrics (``alur_jobs_total``, the
process's CPU and memory) on a port of its own, since a worker answers no HTTP otherwise.

The same rule as the app's ``/metrics`` (:class:`~alur.tenants.observability.access.MetricsAccess`:
the bearer token or an allowed address, else 404); the address is the direct peer's (no proxy
is trusted here: Prometheus scrapes the worker directly). Served by the standard library's WSGI
server on a daemon thread, as prometheus-client's own ``start_http_server`` does. With
``PROMETHEUS_MULTIPROC_DIR`` set it reports that directory (the app's processes too).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from alur.tenants.observability import metrics
from alur.tenants.observability.access import MetricsAccess


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # no raw request lines in the logs
        pass


def metrics_wsgi_app(access: MetricsAccess) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        allowed = access.allows(environ.get("HTTP_AUTHORIZATION"), environ.get("REMOTE_ADDR"))
        if environ.get("PATH_INFO") != "/metrics" or not allowed:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        start_response(
            "200 OK", [("Content-Type", metrics.CONTENT_TYPE), ("Cache-Control", "no-store")]
        )
        return [metrics.exposition()]

    return app


def start_metrics_server(
    port: int, address: str = "0.0.0.0", access: MetricsAccess | None = None
) -> _Server:
    """Serve ``/metrics`` on ``address:port`` until the process exits; returns the server
    (``shutdown()`` stops it)."""
    server = make_server(
        address,
        port,
        metrics_wsgi_app(access or MetricsAccess.from_env()),
        server_class=_Server,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, name="alur-metrics", daemon=True).start()
    return server
