"""The "API tokens" sub-page of tenant administration (``/t/{slug}/admin/tokens``): the
office's tokens for the GraphQL API (name, scope, person, created, last used, revoked),
creating one and revoking one. For the office's administrators only, like the other
sub-pages (everyone else gets 404); the functions are those of ``alur tokens``
(:mod:`alur.tenants.identity.tokens`), confined to this office.

The plain token exists only in the answer to the form that created it: the page (or, with
htmx, the panel) is rendered directly — no redirect — with ``Cache-Control: no-store``,
and Alur keeps nothing but its SHA-256 hash. Revoking works like the other admin forms:
POST, then a 303 redirect with a one-time notice, or the panel swapped in place with htmx.
"""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from alur.core.i18n import gettext
from alur.tenants.cases.listing import tenant_people
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.tokens import SCOPES, create_token, list_tokens, revoke_token
from alur.tenants.offices.admin import TenantAdmin
from alur.web.admin.base import AdminPages, Form, clean, field_errors, provide_admin, shown_once
from alur.web.deps import Viewer

SECTION = "tokens"


class TokensController(AdminPages):
    """The office's API tokens: list, create (the secret shown once), revoke."""

    path = "/t/{slug:str}/admin"
    dependencies: ClassVar[dict[str, Provide]] = {"admin": Provide(provide_admin)}

    async def _load_tokens(self, admin: TenantAdmin) -> dict[str, Any]:
        tenant = admin.service
        people = await tenant_people(tenant.ref.id)
        scope_labels = {"read": gettext("read"), "write": gettext("read and write")}
        return {
            "tokens": await list_tokens(tenant.ref.slug),
            "names": {p["username"]: p["name"] for p in people},
            "scope_labels": scope_labels,
            "scope_options": [(s, scope_labels[s]) for s in SCOPES],
            "person_options": [
                (p["username"], f"{p['name']} ({p['username']})") for p in people if p["active"]
            ],
        }

    @get("/tokens", name="admin-tokens")
    async def tokens(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Template:
        notice = request.session.pop("admin_notice", None)
        return await self._page(request, viewer, admin, SECTION, notice=notice)

    @post("/tokens", name="admin-create-token", status_code=200)
    async def create(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Template:
        f = clean(data, "name", "scope", "user")
        try:
            created = await create_token(
                f["name"], f["scope"], tenant=admin.service.ref.slug, user=f["user"] or None
            )
        except InvalidInput as exc:
            return await self._refused(
                request, viewer, admin, SECTION, "token", f, field_errors(exc)
            )
        page = await self._page(
            request,
            viewer,
            admin,
            SECTION,
            notice=gettext("Token {name} created.").format(name=created.info.name),
        )
        return shown_once(page, "new_token", created)

    @post("/tokens/{token_id:int}/revoke", name="admin-revoke-token", status_code=303)
    async def revoke(
        self,
        request: Request,
        token_id: FromPath[int],
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        info = await revoke_token(token_id, tenant=admin.service.ref.slug)  # another's: 404
        notice = gettext("Token {name} is revoked: requests with it are refused.").format(
            name=info.name
        )
        return await self._done(request, viewer, admin, SECTION, notice)
