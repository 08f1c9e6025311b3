"""The "Kop surat" sub-page of tenant administration (``/t/{slug}/admin/kop``): the office's
identity (pemerintah, unit name, address, telephone, email, place) and logo, printed on its
SOP sheets and the kop of its signed reports. The rules (image type and size checked with
Pillow, text limits, email and telephone) are :mod:`alur.tenants.offices.letterhead`'s;
this parses the forms, calls it, and shows the page again with the message next to its field
(422) or redirects with a notice (303; htmx: the panel in place). ``GET /kop/logo`` shows the
uploaded logo to the office's administrators.
"""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from alur.core.i18n import gettext
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.letterhead import (
    IDENTITY_FIELDS,
    MAX_LOGO_BYTES,
    kop_fields,
    letterhead,
    logo_of,
    remove_logo,
    save_identity,
    save_logo,
)
from alur.web.admin.base import AdminPages, Form, clean, field_errors, provide_admin
from alur.web.deps import Viewer

SECTION = "kop"


class LetterheadController(AdminPages):
    """The office's kop: show, save its identity, upload or remove the logo."""

    path = "/t/{slug:str}/admin"
    dependencies: ClassVar[dict[str, Provide]] = {"admin": Provide(provide_admin)}

    async def _load_kop(self, admin: TenantAdmin) -> dict[str, Any]:
        kop = await letterhead(admin.service)
        return {
            "kop": kop,
            "saved_kop": await kop_fields(admin.tenant_id),
            "max_logo_kb": MAX_LOGO_BYTES // 1024,
        }

    @get("/kop", name="admin-kop")
    async def show(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Template:
        notice = request.session.pop("admin_notice", None)
        return await self._page(request, viewer, admin, SECTION, notice=notice)

    @get("/kop/logo", name="admin-kop-logo")
    async def logo(self, admin: NamedDependency[TenantAdmin]) -> Response:
        found = await logo_of(admin.tenant_id)
        if found is None:
            raise NotFound(what=gettext("logo"))
        content, media_type = found
        return Response(
            content=content,
            media_type=media_type,
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
        )

    @post("/kop", name="admin-save-kop", status_code=303)
    async def save(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        f = clean(data, *IDENTITY_FIELDS)
        try:
            await save_identity(admin, f)
        except InvalidInput as exc:
            return await self._refused(request, viewer, admin, SECTION, "kop", f, field_errors(exc))
        return await self._done(request, viewer, admin, SECTION, gettext("The kop is saved."))

    @post("/kop/logo", name="admin-upload-logo", status_code=303)
    async def upload(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        form = await request.form()
        upload = form.get("logo")
        content = b""
        if isinstance(upload, UploadFile):
            content = await upload.read(MAX_LOGO_BYTES + 1)  # one byte more says "too big"
        try:
            await save_logo(admin, content)
        except InvalidInput as exc:
            return await self._refused(
                request, viewer, admin, SECTION, "logo", {}, field_errors(exc)
            )
        return await self._done(request, viewer, admin, SECTION, gettext("The logo is saved."))

    @post("/kop/logo/delete", name="admin-remove-logo", status_code=303)
    async def remove(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        admin: NamedDependency[TenantAdmin],
    ) -> Response:
        await remove_logo(admin)
        return await self._done(request, viewer, admin, SECTION, gettext("The logo is removed."))
