"""Resetting a person's password from tenant administration (issue 15).

``POST /t/{slug}/admin/people/{username}/password`` gives the person a one-time password
(:func:`alur.tenants.identity.passwords.reset_password`: the rules — a person with a
membership in this office, not oneself, working in no other office (else 422 with a message:
the platform operator resets it) — the record on the office's chain, the end of the
person's sessions). The answer is a page rendered directly (no redirect) with
``Cache-Control: no-store`` that shows the one-time password this once, to hand over in
person or by a trusted channel; Alur keeps only its hash. The form is
``admin/_person_password.html``, included in the People list and on a person's page.
"""

from __future__ import annotations

from typing import ClassVar

from litestar import Request, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from alur.tenants.errors import InvalidInput
from alur.tenants.identity.passwords import reset_password
from alur.tenants.offices.admin import TenantAdmin
from alur.web.admin.base import AdminPages, field_errors, provide_admin, shown_once
from alur.web.deps import Viewer
from alur.web.pages import page_context


class PasswordsController(AdminPages):
    """The reset of a person's password by the office's administrators."""

    path = "/t/{slug:str}/admin"
    dependencies: ClassVar[dict[str, Provide]] = {"admin": Provide(provide_admin)}

    @post("/people/{username:str}/password", name="admin-reset-password", status_code=200)
    async def reset(
        self,
        request: Request,
        username: FromPath[str],
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Template:
        context = await page_context(request, viewer, admin.service, active="admin")
        context.update(username=username, errors={}, one_time=None)
        try:
            one_time = await reset_password(
                admin.service.db,
                username,
                actor=str(viewer.user_id),
                actor_name=viewer.name,
                office=admin.service.ref,
                admin_id=viewer.user_id,
            )
        except InvalidInput as exc:
            context["errors"] = field_errors(exc)
            return Template("admin/password_reset.html", context=context, status_code=422)
        page = Template("admin/password_reset.html", context=context)
        return shown_once(page, "one_time", one_time)
