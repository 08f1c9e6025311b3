"""Security headers on every response: pages, fragments, redirects, errors, static files and
GraphQL. A litestar ``before_send`` hook, so it also covers answers that never reach a
route handler (404, 405, exceptions).

The Content-Security-Policy allows scripts, styles, fonts and fetches from this site only:
no inline ``<script>``, no ``on*=`` handlers, no ``style=`` attributes, no ``eval`` (htmx's
``hx-on`` and ``js:`` values need eval and are not used; ``tests/web/test_web_headers.py``
scans the templates). The one exception is GraphiQL, strawberry's in-browser IDE at
``/graphql``: its page is an inline script that loads React and GraphiQL from unpkg.com
(pinned with SRI hashes), so that HTML page gets :data:`GRAPHIQL_CSP` instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Pico draws its form icons as data: SVGs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
GRAPHIQL_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'unsafe-inline' https://unpkg.com",
        "style-src 'unsafe-inline' https://unpkg.com",
        "img-src 'self' data:",
        "font-src https://unpkg.com data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "serial",
        "midi",
        "accelerometer",
        "gyroscope",
        "magnetometer",
    )
)
HSTS = "max-age=31536000"  # one year; no includeSubDomains: other hosts of the domain are not ours
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def security_headers(*, secure: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """The ``before_send`` hook; ``secure`` (``ALUR_SECURE_COOKIES``) adds HSTS."""
    fixed = {**HEADERS, **({"Strict-Transport-Security": HSTS} if secure else {})}

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in fixed.items():
            headers[name] = value
        graphiql = scope["path"].startswith("/graphql") and (
            headers.get("content-type", "").startswith("text/html")
        )
        headers["Content-Security-Policy"] = GRAPHIQL_CSP if graphiql else CSP

    return add_headers
