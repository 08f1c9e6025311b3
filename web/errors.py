"""Domain errors mapped to responses, once: pages for browsers, fragments for htmx.

Every answer to an expected error names it for programs without bothering people: the
``X-Alur-Error`` header (:data:`ERROR_HEADER`) and the ``data-error-code`` attribute of the
message element hold the error's stable ``code`` (:class:`~alur.core.errors.AlurError`:
``not_found``, ``invalid_input``, ``wrong_role``, …) — the code GraphQL's error results carry.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template

from alur.core.errors import AlurError
from alur.core.i18n import LANGUAGES, current_language, error_message, gettext, pick_language
from alur.tenants.errors import Forbidden, NotFound, TenantSuspended
from alur.tenants.storage.database import (
    RETRY_AFTER_SECONDS,
    DatabaseUnavailable,
    is_unavailable,
)
from alur.web.deps import PASSWORD_CHANGE_PAGE, PasswordChangeRequired

log = logging.getLogger(__name__)


ERROR_HEADER = "X-Alur-Error"


def error_code(exc: Exception | None, default: str) -> str:
    """The stable code of ``exc`` (an :class:`AlurError`), else ``default``."""
    return exc.code if isinstance(exc, AlurError) else default


def error_headers(code: str | None) -> dict[str, str]:
    """The response headers naming the error ``code`` (none for a success)."""
    return {ERROR_HEADER: code} if code else {}


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def error_page(
    request: Request, status: int, title: str, message: str, code: str = "error"
) -> Response:
    template = "errors/fragment.html" if is_htmx(request) else "errors/page.html"
    session = request.scope.get("session")
    session = session if isinstance(session, dict) else {}
    return Template(
        template_name=template,
        context={
            "status": status,
            "title": title,
            "message": message,
            "request": request,
            "lang": current_language.get(),
            "languages": LANGUAGES,
            "signed_in": bool(session.get("uid") or session.get("op")),
            "error_code": code,
        },
        headers=error_headers(code),
        status_code=status,
        media_type=MediaType.HTML,
    )


def not_found(request: Request, exc: Exception) -> Response:
    return error_page(
        request,
        404,
        gettext("Not found"),
        gettext("This page does not exist, or you do not have access to it."),
        error_code(exc, "not_found"),
    )


def not_signed_in(request: Request, exc: Exception) -> Response:
    target = "/login?next=" + quote(request.url.path)
    if is_htmx(request):
        return Response(content="", status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def password_change_required(request: Request, exc: Exception) -> Response:
    """Signed in with a one-time password: to the change page first (alur.web.deps)."""
    target = PASSWORD_CHANGE_PAGE
    if request.method == "GET" and not is_htmx(request):
        target += "?next=" + quote(request.url.path)
    if is_htmx(request):
        return Response(content="", status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def forbidden(request: Request, exc: Exception) -> Response:
    message = error_message(exc) if isinstance(exc, AlurError) else gettext("You may not do this.")
    return error_page(request, 403, gettext("Not allowed"), message, error_code(exc, "forbidden"))


def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AlurError)
    return error_page(request, 400, gettext("Cannot continue"), error_message(exc), exc.code)


def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code >= 500:
        log.exception("server error on %s", request.url.path, exc_info=exc)
        return error_page(
            request,
            exc.status_code,
            gettext("Something went wrong"),
            gettext("The error has been logged. Please try again."),
        )
    return error_page(request, exc.status_code, gettext("Cannot continue"), str(exc.detail))


def undecodable_form(request: Request, exc: Exception) -> Response:
    """A multipart form field that is not UTF-8: litestar's parser raises
    ``UnicodeDecodeError`` wherever the form is first read (the CSRF middleware, or a
    controller's ``request.form()``), so it is answered here, once, for every form."""
    log.info("undecodable form on %s: %s", request.url.path, exc)
    # raised in a middleware, before ``set_language`` ran: the visitor's language, here
    current_language.set(pick_language(request.cookies.get("lang")))
    return error_page(
        request,
        400,
        gettext("Cannot continue"),
        gettext(
            "The form contains text that is not valid UTF-8. Type the text again "
            "(do not paste it from a binary file) and send the form again."
        ),
    )


def database_unavailable(request: Request, exc: Exception) -> Response:
    """503 with ``Retry-After`` while the database cannot be reached (PostgreSQL restarting,
    SQLite locked beyond its busy timeout): a page, an htmx fragment, or JSON for a client
    that asks for JSON only — in the visitor's language. Nothing was half-applied (see
    :func:`alur.tenants.storage.database.is_unavailable`), so retrying is safe."""
    log.warning("database unavailable on %s: %r", request.url.path, exc)
    # may be raised in the session middleware, before ``set_language`` ran
    current_language.set(pick_language(request.cookies.get("lang")))
    error = DatabaseUnavailable()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), **error_headers(error.code)}
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        body = {"error": {"code": error.code, "message": error_message(error)}}
        return Response(body, status_code=503, headers=headers, media_type=MediaType.JSON)
    response = error_page(
        request, 503, gettext("Service unavailable"), error_message(error), error.code
    )
    response.headers.update(headers)
    return response


def server_error(request: Request, exc: Exception) -> Response:
    if is_unavailable(exc):
        return database_unavailable(request, exc)
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return error_page(
        request,
        500,
        gettext("Something went wrong"),
        gettext("The error has been logged. Please try again."),
    )


EXCEPTION_HANDLERS = {
    NotFound: not_found,
    NotFoundException: not_found,
    NotAuthorizedException: not_signed_in,
    PasswordChangeRequired: password_change_required,
    PermissionDeniedException: forbidden,
    Forbidden: forbidden,
    TenantSuspended: forbidden,
    AlurError: domain_error,
    HTTPException: http_error,
    UnicodeDecodeError: undecodable_form,
    Exception: server_error,
}
