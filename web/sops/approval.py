"""A revision of an office's SOP: its page, its pengesahan, and the comparison of versions.

Routes under ``/t/{slug}/sops/{sop_id}/revisi/{number}`` (every member of the office reads;
acting is decided by :class:`~alur.tenants.sop_life.revisions.SopRevisions`):

- ``GET`` — the revision: state, "Revisi ke-n", dates, who drafted, submitted, approved
  (:func:`~alur.tenants.sop_life.review.revision_history`), the last note, the SOP sheet of
  that revision, the comparison selector, and the forms the reader may use: the link to the
  editor for a draf (``…/edit``, :mod:`alur.web.sops.revisions`), "Sahkan" and "Kembalikan"
  for a submission and its pengesah, "Cabut" (``templates/sop/approval.html``);
- ``POST /sahkan`` — pengesahan: the box "I have read the SOP" must be ticked (the web's own
  confirmation), then the service approves with the password asked again (checked like a
  tanda tangan, :mod:`alur.tenants.kinerja.signing`) and the version read (a submission
  that changed meanwhile is refused);
- ``POST /kembalikan`` — back to draf with a note (required);
- ``POST /cabut`` — revoked, with a note;
- ``GET /banding/{other}`` — what changed from ``other`` (a revision number, ``berlaku``,
  ``dasar`` or ``plugin``: :class:`~alur.tenants.sop_life.review.Other`) to the revision,
  header field by field then step by step (``templates/sop/compare.html``); ``GET
  /banding?dengan=…`` is the selector's form without JavaScript.

A refusal (invalid input, a stale or wrong state) shows the page again (422) with the message
next to its form and the note kept (never the password); a non-signer posting directly gets
the 403 page (:class:`~alur.tenants.errors.Forbidden`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from alur.core.errors import N_, ActionError
from alur.core.i18n import error_message, gettext
from alur.core.sop_life.compare import Change
from alur.core.sop_life.revisions import RevisionState
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.sop_life.review import (
    approval_preview,
    comparison,
    comparison_choices,
    may_revoke,
    parse_other,
    revision_history,
)
from alur.tenants.sop_life.revisions import sop_date
from alur.web.admin.base import form_version
from alur.web.deps import Viewer
from alur.web.errors import error_headers
from alur.web.pages import page_context
from alur.web.sops.office_sheet import office_document_html
from alur.web.sops.revisions import revisions_for

CONFIRM, PASSWORD, NOTE, VERSION = "confirm", "password", "note", "version"
FORMS = ("approve", "return", "revoke")
# The fields each form shows its own message next to; any other goes above the form.
FORM_FIELDS = {
    "approve": (CONFIRM, PASSWORD, "nip"),
    "return": (NOTE,),
    "revoke": (NOTE,),
}

# The SOP sheet's own words for its fields (SOP text is the institution's: not translated);
# the procedure's structure (compared for a newer plugin base) in the reader's language.
SHEET_LABELS = {
    "nomor": "Nomor SOP",
    "nama": "Nama SOP",
    "tanggal_pembuatan": "Tanggal Pembuatan",
    "tanggal_revisi": "Tanggal Revisi",
    "tanggal_efektif": "Tanggal Efektif",
    "disahkan_oleh": "Disahkan oleh",
    "dasar_hukum": "Dasar Hukum",
    "kualifikasi_pelaksana": "Kualifikasi Pelaksana",
    "keterkaitan": "Keterkaitan",
    "peralatan_perlengkapan": "Peralatan/Perlengkapan",
    "peringatan": "Peringatan",
    "pencatatan_pendataan": "Pencatatan dan Pendataan",
    "kegiatan": "Kegiatan",
    "actor": "Pelaksana",
    "kelengkapan": "Kelengkapan",
    "waktu": "Waktu",
    "output": "Output",
    "keterangan": "Keterangan",
}
STRUCTURE_LABELS = {
    "kind": N_("Kind of step"),
    "next": N_("Next step"),
    "gate": N_("Decision (gate)"),
    "per_unit": N_("Once per unit"),
    "delegable": N_("May be delegated"),
    "data": N_("Data binding"),
}


def field_labels() -> dict[str, str]:
    return {**SHEET_LABELS, **{k: gettext(v) for k, v in STRUCTURE_LABELS.items()}}


@dataclass(frozen=True)
class Line:
    """One line of a list field's difference: ``kind`` is ``same``, ``removed`` or
    ``added``."""

    kind: str
    text: str


@dataclass(frozen=True)
class ShownChange:
    """A :class:`Change` as the comparison page shows it (``lines`` for a list field)."""

    change: Change
    lines: tuple[Line, ...] = ()


def shown(changes: list[Change]) -> list[ShownChange]:
    """Changes ready to show; a field of several lines (the header's lists) as a line diff
    (:mod:`difflib`)."""
    out = []
    for c in changes:
        if "\n" not in c.before and "\n" not in c.after:
            out.append(ShownChange(c))
            continue
        before, after = c.before.splitlines(), c.after.splitlines()
        lines: list[Line] = []
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                lines += [Line("same", t) for t in before[i1:i2]]
                continue
            lines += [Line("removed", t) for t in before[i1:i2]]
            lines += [Line("added", t) for t in after[j1:j2]]
        out.append(ShownChange(c, tuple(lines)))
    return out


def _base(tenant: TenantService, sop_id: str, number: int) -> str:
    return f"/t/{tenant.ref.slug}/sops/{sop_id}/revisi/{number}"


class ApprovalController(Controller):
    path = "/t/{slug:str}/sops/{sop_id:str}/revisi/{number:int}"

    @get("/", name="sop-revision")
    async def revision(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        return await self._page(request, viewer, tenant, sop_id, number)

    @post("/sahkan", name="sop-revision-approve", status_code=303)
    async def approve(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        revisions = revisions_for(tenant, viewer)
        data = await _form(request)

        async def act() -> None:
            await revisions.require_approver(sop_id)  # "not you" before "tick the box"
            if not data.get(CONFIRM):
                raise InvalidInput(
                    {CONFIRM: gettext("Tick the box to confirm that you have read the SOP.")}
                )
            await revisions.approve(
                sop_id,
                number,
                version=form_version(data.get(VERSION, "")),
                password=data.get(PASSWORD, ""),
            )

        return await self._act(request, viewer, tenant, sop_id, number, "approve", data, act)

    @post("/kembalikan", name="sop-revision-return", status_code=303)
    async def send_back(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        revisions = revisions_for(tenant, viewer)
        data = await _form(request)

        async def act() -> None:
            await revisions.return_to_draft(sop_id, number, data.get(NOTE, ""))

        return await self._act(request, viewer, tenant, sop_id, number, "return", data, act)

    @post("/cabut", name="sop-revision-revoke", status_code=303)
    async def revoke(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        revisions = revisions_for(tenant, viewer)
        data = await _form(request)

        async def act() -> None:
            await revisions.revoke(sop_id, number, data.get(NOTE, ""))

        return await self._act(request, viewer, tenant, sop_id, number, "revoke", data, act)

    @get("/banding", name="sop-revision-compare-choose")
    async def choose(
        self,
        sop_id: FromPath[str],
        number: FromPath[int],
        tenant: NamedDependency[TenantService],
        dengan: FromQuery[str] = "",
    ) -> Redirect:
        """The selector's form without JavaScript: to ``/banding/{dengan}``."""
        if parse_other(dengan) is None:
            raise NotFound(what=gettext("page"))
        return Redirect(f"{_base(tenant, sop_id, number)}/banding/{dengan}", status_code=303)

    @get("/banding/{other:str}", name="sop-revision-compare")
    async def compare(
        self,
        request: Request,
        sop_id: FromPath[str],
        number: FromPath[int],
        other: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        revisions = revisions_for(tenant, viewer)
        if parse_other(other) is None:
            raise NotFound(what=gettext("page"))
        found = await comparison(revisions, sop_id, number, other)
        revision = await revisions.get(sop_id, number)
        context = await page_context(request, viewer, tenant, active="sops")
        context.update(
            revision=revision,
            definition=found.after.definition,
            comparison=found,
            changes=shown(found.changes),
            choices=await comparison_choices(revisions, revision),
            base=_base(tenant, sop_id, number),
            field_labels=field_labels(),
        )
        return Template("sop/compare.html", context=context)

    # --- helpers ----------------------------------------------------------------------------

    async def _act(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        sop_id: str,
        number: int,
        form: str,
        data: dict[str, str],
        act: Any,
    ) -> Response:
        errors: dict[str, str] = {}
        error = code = None
        try:
            await act()
        except InvalidInput as exc:
            errors, code = dict(exc.errors), exc.code
        except ActionError as exc:  # a stale approval, a state that does not allow it
            error, code = error_message(exc), exc.code
        if not errors and error is None:
            return Redirect(_base(tenant, sop_id, number), status_code=303)
        known = {k: v for k, v in errors.items() if k in FORM_FIELDS[form]}
        rest = "; ".join(v for k, v in errors.items() if k not in known)
        refusal = {
            "form": form,
            "fields": known,
            "message": error or rest or None,
            "code": code,
            "draft": {k: v for k, v in data.items() if k != PASSWORD},  # never sent back
        }
        return await self._page(
            request, viewer, tenant, sop_id, number, refusal=refusal, status=422
        )

    async def _page(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        sop_id: str,
        number: int,
        *,
        refusal: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Template:
        revisions = revisions_for(tenant, viewer)
        revision = await revisions.get(sop_id, number)
        definition = await revisions.definition(revision)
        may_approve = await revisions.may_approve(sop_id)
        signing = may_approve and revision.state is RevisionState.DIAJUKAN
        approver, nip_missing = await approval_preview(revisions, sop_id) if signing else (None, "")
        context = await page_context(request, viewer, tenant, active="sops")
        context.update(
            revision=revision,
            definition=definition,
            document=office_document_html(tenant, definition, revision.number),
            history=await revision_history(revisions, revision),
            may_draft=await revisions.may_draft(sop_id),
            signing=signing,
            approver=approver,
            nip_missing=nip_missing,
            may_revoke=await may_revoke(revisions, revision),
            choices=await comparison_choices(revisions, revision),
            effective_on=sop_date(revision.effective_on) if revision.effective_on else "",
            base=_base(tenant, sop_id, number),
            refusal=refusal or {"form": "", "fields": {}, "draft": {}},
        )
        headers = error_headers(refusal.get("code")) if refusal else {}
        return Template("sop/approval.html", context=context, status_code=status, headers=headers)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}
