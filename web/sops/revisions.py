"""Drafting an office's SOP revision in the web UI (issue 16): the SOP's revisions, starting
a draft, the editor with its live check, the preview of the sheet as it will print, and
submitting the draft for pengesahan. Every rule is :class:`~alur.tenants.sop_life.revisions.
SopRevisions`'; this parses forms, calls it and shows its answer (form: ``revision_form``).

Routes under ``/t/{slug}/sops/{sop_id}/revisi`` (members of the office; drafting is decided
by the service: the office admin or the SOP's penyusun role):

- ``GET /`` — the revisions (Revisi ke-n, state, tanggal efektif, disahkan oleh, who changed
  it when), the one in force, "Mulai draf revisi", and when the plugin ships a newer base
  than the revision in force, what it changes and "Mulai draf pada versi dasar baru";
- ``POST /`` — start a draft (``base=new``: on the plugin's newer base), then its editor;
- ``GET /{n}/edit`` — the editor of draft ``n``: every field with its effective value, those
  the plugin keeps fixed read-only; ``POST`` saves it with the version read (the problems
  next to their fields, 422; a stale save says who changed it, 409; what was typed kept);
- ``POST /{n}/periksa?field=PATH`` — the live check of one field (htmx, on change): its
  message, or nothing; nothing is saved;
- ``GET /{n}/pratinjau`` — the SOP sheet of the revision as it will print;
- ``POST /{n}/ajukan`` — submit the draft for pengesahan (diajukan).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from alur.core.i18n import error_message, gettext
from alur.core.sop_life.compare import compare
from alur.core.sop_life.part import HEADER_LISTS, HEADER_TEXT
from alur.core.sop_life.revisions import RevisionState, in_force
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Conflict, InvalidInput, NotFound
from alur.tenants.sop_life.revisions import Revision, SopRevisions
from alur.web.admin.base import Form, day_label, form_version
from alur.web.deps import Viewer
from alur.web.errors import error_headers
from alur.web.pages import page_context
from alur.web.sops import revision_form as rf
from alur.web.sops.office_sheet import office_document_html

NOTICE = "sop_revision_notice"
OPEN = (RevisionState.DRAF, RevisionState.DIAJUKAN)


def revisions_for(tenant: TenantService, viewer: Viewer) -> SopRevisions:
    """The office's revisions as the viewer acts on them; a platform operator is no member
    of the office: 404 (the revision pages are the office's own)."""
    if viewer.user_id is None:
        raise NotFound(what=gettext("page"))
    return SopRevisions(tenant, viewer.user_id)


def _base_url(tenant: TenantService, sop_id: str) -> str:
    return f"/t/{tenant.ref.slug}/sops/{sop_id}/revisi"


class SopRevisionsController(Controller):
    path = "/t/{slug:str}/sops/{sop_id:str}/revisi"

    @get("/", name="sop-revisions")
    async def revisions(
        self,
        request: Request,
        sop_id: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        return await self._list(request, sop_id, viewer, tenant)

    @post("/", name="sop-revision-start", status_code=303)
    async def start(
        self,
        request: Request,
        sop_id: FromPath[str],
        data: Form,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        drafts = revisions_for(tenant, viewer)
        try:
            revision = await drafts.start_draft(sop_id, on_newer_base=data.get("base") == "new")
        except Conflict as exc:  # another draft is open
            return await self._list(request, sop_id, viewer, tenant, error=exc)
        return Redirect(f"{_base_url(tenant, sop_id)}/{revision.number}/edit", status_code=303)

    @get("/{number:int}/edit", name="sop-revision-edit")
    async def edit(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template | Redirect:
        drafts = revisions_for(tenant, viewer)
        revision = await drafts.get(sop_id, number)
        await _require_editor(drafts, revision)
        if revision.state is not RevisionState.DRAF:  # submitted meanwhile: its sheet
            return Redirect(f"{_base_url(tenant, sop_id)}/{number}/pratinjau", status_code=303)
        notice = request.session.pop(NOTICE, None)
        values = rf.form_values(await drafts.definition(revision))
        return await editor_page(request, viewer, tenant, drafts, revision, values, notice=notice)

    @post("/{number:int}/edit", name="sop-revision-save", status_code=303)
    async def save(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        data: Form,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        drafts = revisions_for(tenant, viewer)
        revision = await drafts.get(sop_id, number)
        base = await drafts.base(revision)
        typed = rf.posted_values(base, data)
        effective_on = _text(data, "effective_on")
        values = {**rf.form_values(await drafts.definition(revision)), **typed}
        try:
            await drafts.save_draft(
                sop_id,
                number,
                rf.form_part(base, revision.part, typed),
                effective_on=effective_on,
                version=_version(data),
            )
        except InvalidInput as exc:
            errors = {k: gettext(m) for k, m in exc.errors.items()}
            return await editor_page(
                request, viewer, tenant, drafts, revision, values, effective_on, errors, 422
            )
        except Conflict as exc:  # changed by someone else, or no longer a draft
            current = await drafts.get(sop_id, number)  # as saved now: its version
            saved = rf.form_values(await drafts.definition(current))
            changed = {p: saved[p] for p, v in typed.items() if v.strip() != saved[p].strip()}
            return await editor_page(
                request,
                viewer,
                tenant,
                drafts,
                current,
                values,
                effective_on,
                status=409,
                conflict=error_message(exc),
                code=exc.code,
                theirs=changed,
            )
        request.session[NOTICE] = gettext("The draft is saved.")
        return Redirect(f"{_base_url(tenant, sop_id)}/{number}/edit", status_code=303)

    @post("/{number:int}/periksa", name="sop-revision-check")
    async def check(
        self,
        sop_id: FromPath[str],
        number: FromPath[int],
        data: Form,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
        field: FromQuery[str] = "",
    ) -> Template:
        drafts = revisions_for(tenant, viewer)
        revision = await drafts.get(sop_id, number)
        base = await drafts.base(revision)
        typed = rf.posted_values(base, data)
        problems = await drafts.check_draft(
            sop_id,
            number,
            rf.form_part(base, revision.part, typed),
            effective_on=_text(data, "effective_on"),
        )
        known = set(rf.form_values(base)) | {"effective_on"}
        path = field if field in known else ""
        message = rf.messages_for(path, problems) if path else ""
        return Template(
            "sop/editor_check.html",
            context={"field": rf.Field(path, "", True), "message": message},
        )

    @get("/{number:int}/pratinjau", name="sop-revision-preview")
    async def preview(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        drafts = revisions_for(tenant, viewer)
        revision = await drafts.get(sop_id, number)
        d = await drafts.definition(revision)
        html = office_document_html(tenant, d, revision.number)
        context = await page_context(request, viewer, tenant, active="sops")
        context.update(
            definition=d,
            revision=revision,
            document=html,
            base_url=_base_url(tenant, sop_id),
            may_draft=await drafts.may_draft(sop_id),
        )
        return Template("sop/editor_preview.html", context=context)

    @post("/{number:int}/ajukan", name="sop-revision-submit", status_code=303)
    async def submit(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        data: Form,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        drafts = revisions_for(tenant, viewer)
        revision = await drafts.get(sop_id, number)
        try:
            await drafts.submit(sop_id, number, version=_version(data))
        except (InvalidInput, Conflict) as exc:
            values = rf.form_values(await drafts.definition(revision))
            if isinstance(exc, InvalidInput):
                errors = {k: gettext(m) for k, m in exc.errors.items()}
                return await editor_page(
                    request, viewer, tenant, drafts, revision, values, errors=errors, status=422
                )
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
        request.session[NOTICE] = gettext("Revisi ke-{number} is submitted for pengesahan.").format(
            number=number
        )
        return Redirect(_base_url(tenant, sop_id), status_code=303)

    # --- rendering ------------------------------------------------------------------------

    async def _list(
        self,
        request: Request,
        sop_id: str,
        viewer: Viewer,
        tenant: TenantService,
        error: Exception | None = None,
    ) -> Template:
        drafts = revisions_for(tenant, viewer)
        d = tenant.sop(sop_id)  # NotFound for an SOP the office does not run
        revisions = await drafts.list(sop_id)
        current = in_force([r.ref for r in revisions], tenant.today()).get(sop_id)
        in_force_rev = next((r for r in revisions if current and r.number == current.number), None)
        newer: list[Any] | None = None
        _, plugin_def = tenant.plugin_definition(sop_id)
        if in_force_rev is not None and in_force_rev.base_hash != plugin_def.content_hash:
            newer = compare(await drafts.base(in_force_rev), plugin_def)
        context = await page_context(request, viewer, tenant, active="sops")
        context.update(
            definition=d,
            sop_id=sop_id,
            revisions=revisions,
            in_force=in_force_rev,
            open_draft=next((r for r in revisions if r.state in OPEN), None),
            may_draft=await drafts.may_draft(sop_id),
            newer=newer,
            labels=rf.FIELD_LABELS,
            day_label=day_label,
            base_url=_base_url(tenant, sop_id),
            notice=request.session.pop(NOTICE, None),
            error=error_message(error) if error is not None else None,
        )
        code = getattr(error, "code", None)
        return Template(
            "sop/revisions.html",
            context=context,
            status_code=409 if error is not None else 200,
            headers=error_headers(code),
        )


async def editor_page(
    request: Request,
    viewer: Viewer,
    tenant: TenantService,
    drafts: SopRevisions,
    revision: Revision,
    values: dict[str, str],
    effective_on: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    *,
    notice: str | None = None,
    conflict: str | None = None,
    code: str | None = None,
    theirs: dict[str, str] | None = None,
) -> Template:
    base = await drafts.base(revision)
    errors = errors or {}
    all_fields = rf.fields(base, values)
    shown = set(all_fields) | {"effective_on", "file"}
    context = await page_context(request, viewer, tenant, active="sops")
    context.update(
        definition=await drafts.definition(revision),
        base_definition=base,
        revision=revision,
        fields=all_fields,
        header_text=[all_fields[f"header.{n}"] for n in HEADER_TEXT],
        header_lists=[all_fields[f"header.{n}"] for n in HEADER_LISTS],
        labels=rf.FIELD_LABELS,
        effective_on=(
            effective_on
            if effective_on is not None
            else (revision.effective_on.isoformat() if revision.effective_on else "")
        ),
        errors=errors,
        messages_for=rf.messages_for,
        other_errors=rf.other_problems(shown, errors),
        base_url=_base_url(tenant, revision.sop_id),
        notice=notice,
        conflict=conflict,
        theirs=theirs or {},
    )
    if errors and code is None:
        code = "invalid_input"
    return Template(
        "sop/editor.html", context=context, status_code=status, headers=error_headers(code)
    )


async def _require_editor(drafts: SopRevisions, revision: Revision) -> None:
    """The editor opens to those who may draft (else the service's refusal, 403)."""
    if not await drafts.may_draft(revision.sop_id):
        await drafts.check_draft(revision.sop_id, revision.number, {})  # raises Forbidden


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


def _version(data: dict[str, Any]) -> int:
    return form_version(_text(data, "version"))
