"""A draft revision as a TOML file in the web UI, for those who prefer files: download it
(``GET /t/{slug}/sops/{sop_id}/revisi/{n}/berkas``, any member of the office) and upload it
back into the draft (``POST`` the same path, multipart: ``file`` and the ``version`` read).

The file's form and every check are :mod:`alur.tenants.sop_life.files`' (the same as
``alur sop export-revision`` / ``import-revision``): a refused file changes nothing and the
editor shows every problem, those of a field next to it.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from alur.core.i18n import error_message, gettext
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Conflict, InvalidInput
from alur.tenants.sop_life.files import MAX_BYTES, import_revision, revision_toml
from alur.web.deps import Viewer
from alur.web.sops import revision_form as rf
from alur.web.sops.revisions import NOTICE, _base_url, _text, _version, editor_page, revisions_for


class RevisionFilesController(Controller):
    path = "/t/{slug:str}/sops/{sop_id:str}/revisi"

    @get("/{number:int}/berkas", name="sop-revision-file")
    async def download(
        self,
        sop_id: FromPath[str],
        number: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        drafts = revisions_for(tenant, viewer)
        revision = await drafts.get(sop_id, number)
        text = revision_toml(revision, await drafts.base(revision), office=tenant.tenant["name"])
        name = f"{sop_id}-revisi-{number}.toml"
        return Response(
            text.encode("utf-8"),
            media_type="application/toml; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @post("/{number:int}/berkas", name="sop-revision-upload", status_code=303)
    async def upload(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        drafts = revisions_for(tenant, viewer)
        revision = await drafts.get(sop_id, number)
        form = await request.form()
        upload = form.get("file")
        content = b""
        if isinstance(upload, UploadFile):
            content = await upload.read(MAX_BYTES + 1)  # one byte more says "too large"
        version = _version({"version": _text(dict(form), "version")})
        try:
            if not content:
                raise InvalidInput({"file": gettext("choose the revision's TOML file")})
            await import_revision(drafts, sop_id, number, content, version=version)
        except InvalidInput as exc:
            values = rf.form_values(await drafts.definition(revision))
            return await editor_page(
                request, viewer, tenant, drafts, revision, values, None, dict(exc.errors), 422
            )
        except Conflict as exc:
            values = rf.form_values(await drafts.definition(revision))
            return await editor_page(
                request,
                viewer,
                tenant,
                drafts,
                revision,
                values,
                status=409,
                conflict=error_message(exc),
                code=exc.code,
            )
        request.session[NOTICE] = gettext("The file is loaded into the draft.")
        return Redirect(f"{_base_url(tenant, sop_id)}/{number}/edit", status_code=303)
