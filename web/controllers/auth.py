"""Signing in and out, choosing a tenant, switching the language."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from alur.core.i18n import gettext, pick_language
from alur.core.limits import usable_key
from alur.tenants.identity import sign_in
from alur.tenants.tables import Operator, User
from alur.web.deps import Viewer
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
        address = request.client.host if request.client else "?"
        wait = services.limiter.retry_after(username, address)
        if wait:
            return self._failed(
                request,
                username,
                target,
                429,
                gettext("Too many failed attempts. Try again in {minutes} minute(s).").format(
                    minutes=max(1, wait // 60)
                ),
            )
        uid, op = await _check(username, password)
        if uid is None and op is None:
            services.limiter.failed(username, address)
            return self._failed(
                request, username, target, 401, gettext("The username or password is wrong.")
            )
        services.limiter.succeeded(username, address)
        lang = request.session.get("lang")
        request.clear_session()  # a new session on login (no fixation)
        request.set_session(
            {"uid": uid, "op": op, "lang": lang} if lang else {"uid": uid, "op": op}
        )
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
        lang = request.session.get("lang")
        request.clear_session()
        if lang:
            request.set_session({"lang": lang})
        return Redirect("/login", status_code=303)

    @get("/", name="home")
    async def home(self, request: Request, viewer: NamedDependency[Viewer]) -> Response:
        if viewer.is_operator:
            return Redirect("/platform", status_code=303)
        if len(viewer.tenants) == 1:
            return Redirect(f"/t/{viewer.tenants[0]['slug']}/inbox", status_code=303)
        return Template("choose_tenant.html", context={"viewer": viewer, "request": request})

    @post("/language", status_code=303)
    async def language(self, request: Request, data: Form) -> Redirect:
        lang = pick_language(str(data.get("lang", "")))
        request.session["lang"] = lang
        back = safe_next(data.get("next"))
        response = Redirect(back, status_code=303)
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
        return response


async def _check(username: str, password: str) -> tuple[int | None, int | None]:
    """(user id, operator id) for good credentials; both None otherwise."""
    account = await sign_in(username, password)
    if isinstance(account, User):
        return account.id, None
    if isinstance(account, Operator):
        return None, account.id
    return None, None
