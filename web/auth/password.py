"""The "Ganti kata sandi" page (``/akun/kata-sandi``): changing one's own password.

Open to everyone signed in — people and platform operators — from the header menu, and the
only page open to someone signed in with a one-time password (:data:`PASSWORD_CHANGE` on
its routes; every other page sends them here, :mod:`alur.web.deps`). The rules are in
:func:`alur.tenants.identity.passwords.change_password`; a refusal shows every message next
to its field, and the passwords typed are never sent back. After a change the session is
started again under a new id with the new password version, so this browser stays signed in
and every other session of the person is signed out.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from alur.core.i18n import gettext
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.passwords import account_of, change_password
from alur.web.auth.controller import safe_next
from alur.web.auth.session_store import start_session
from alur.web.deps import PASSWORD_CHANGE, PASSWORD_CHANGE_PAGE, Viewer
from alur.web.pages import page_context
from alur.web.services import Services

Form = URLEncodedBody[dict[str, Any]]
OPEN = {PASSWORD_CHANGE: True}  # open while the password must be changed
NOTICE = "password_notice"


class PasswordController(Controller):
    path = PASSWORD_CHANGE_PAGE

    async def _page(
        self,
        request: Request,
        viewer: Viewer,
        target: str,
        *,
        errors: dict[str, str] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Template:
        context = await page_context(request, viewer, None, active="password")
        context.update(
            forced=viewer.must_change_password,
            next=target,
            errors=errors or {},
            form={},  # passwords are never sent back
            notice=notice,
        )
        page = Template("account_password.html", context=context, status_code=status)
        page.headers["Cache-Control"] = "no-store"
        return page

    @get("/", name="password-change", opt=OPEN)
    async def page(
        self, request: Request, viewer: NamedDependency[Viewer], next: FromQuery[str | None] = None
    ) -> Template:
        notice = request.session.pop(NOTICE, None)
        return await self._page(request, viewer, safe_next(next), notice=notice)

    @post("/", status_code=303, opt=OPEN)
    async def change(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        services: NamedDependency[Services],
    ) -> Response:
        target = safe_next(str(data.get("next", "")))
        account = await account_of(viewer.user_id, viewer.operator_id)
        try:
            version = await change_password(
                services.database,
                account,
                str(data.get("current", "")),
                str(data.get("new", "")),
                str(data.get("confirm", "")),
                services.settings.login_throttle,
            )
        except InvalidInput as exc:
            errors = {name: gettext(message) for name, message in exc.errors.items()}
            return await self._page(request, viewer, target, errors=errors, status=422)
        session = {"uid": viewer.user_id, "op": viewer.operator_id, "pv": version}
        if viewer.must_change_password:  # chosen: on to the page first asked for
            start_session(request, session)
            return Redirect(target, status_code=303)
        session[NOTICE] = gettext(
            "Your password is changed. Your other sessions have been signed out."
        )
        start_session(request, session)
        return Redirect(PASSWORD_CHANGE_PAGE, status_code=303)
