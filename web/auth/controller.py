"""Signing in and out, choosing a tenant, switching the language."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from alur.core.i18n import error_message, gettext, pick_language
from alur.core.limits import usable_key
from alur.tenants.identity.passwords import ONE_TIME_EXPIRED, one_time_password_expired
from alur.tenants.identity.throttle import LoginLocked, sign_in_throttled
from alur.tenants.storage.tables import Operator, User
from alur.web.auth.session_store import start_session
from alur.web.client_address import client_address
from alur.web.deps import PASSWORD_CHANGE_PAGE, Viewer
from alur.web.services import Services

Form = URLEncodedBody[dict[str, Any]]


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirects)."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and usable_key(target, 2048)  # no line breaks or NUL in the Location header
    ):
        return target
    return "/"


class AuthController(Controller):
    @get("/login", name="login")
    async def login_page(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return Template(
            "login.html",
            context={"next": safe_next(next), "error": None, "username": "", "request": request},
        )

    @post("/login", status_code=303)
    async def login(
        self, request: Request, data: Form, services: NamedDependency[Services]
    ) -> Response:
        username = str(data.get("username", "")).strip().lower()
        password = str(data.get("password", ""))
        target = safe_next(data.get("next"))
        address = client_address(request.scope, services.settings.trusted_proxies)
        try:
            account = await sign_in_throttled(
                username, password, address, services.settings.login_throttle
            )
        except LoginLocked as locked:
            return self._failed(request, username, target, 429, error_message(locked))
        uid, op = _ids(account)
        if uid is None and op is None:
            return self._failed(
                request, username, target, 401, gettext("The username or password is wrong.")
            )
        assert account is not None
        if one_time_password_expired(account):
            return self._failed(request, username, target, 401, gettext(ONE_TIME_EXPIRED))
        # a new session id (no fixation), with the password version it was opened with
        start_session(request, {"uid": uid, "op": op, "pv": account.password_version})
        if account.must_change_password:
            return Redirect(f"{PASSWORD_CHANGE_PAGE}?next={quote(target)}", status_code=303)
        if op is not None:
            return Redirect("/platform", status_code=303)
        if target != "/":
            return Redirect(target, status_code=303)
        return Redirect("/", status_code=303)

    def _failed(
        self, request: Request, username: str, target: str, status: int, message: str
    ) -> Template:
        return Template(
            "login.html",
            status_code=status,
            context={"next": target, "error": message, "username": username, "request": request},
        )

    @post("/logout", status_code=303)
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()  # the row is deleted and the cookie expired
        return Redirect("/login", status_code=303)

    @get("/", name="home")
    async def home(self, request: Request, viewer: NamedDependency[Viewer]) -> Response:
        if viewer.is_operator:
            return Redirect("/platform", status_code=303)
        if len(viewer.tenants) == 1:
            return Redirect(f"/t/{viewer.tenants[0]['slug']}/inbox", status_code=303)
        return Template("choose_tenant.html", context={"viewer": viewer, "request": request})

    @post("/language", status_code=303)
    async def language(
        self, request: Request, data: Form, services: NamedDependency[Services]
    ) -> Redirect:
        lang = pick_language(str(data.get("lang", "")))
        back = safe_next(data.get("next"))
        response = Redirect(back, status_code=303)
        response.set_cookie(  # the cookie only: choosing a language stores no session
            "lang",
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=services.settings.secure_cookies,
        )
        return response


def _ids(account: User | Operator | None) -> tuple[int | None, int | None]:
    """(user id, operator id) for good credentials; both None otherwise."""
    if isinstance(account, User):
        return account.id, None
    if isinstance(account, Operator):
        return None, account.id
    return None, None
