"""Paraf and tanda tangan in the web UI: the confirmation form's action and the report preview.

Routes under ``/t/{slug}/cases/{key}/approve/{task}`` (the case's readers; acting is decided by
the service):

- ``POST`` — the "Paraf" / "Tandatangani" form of ``cases/_task_approve.html``: the box "I have
  checked…" must be ticked (the web's own confirmation), then
  :meth:`~alur.tenants.cases.service.TenantService.act` completes the step (or answers "ya" at a
  gate) with the password given — the rule that asks it is the service's
  (:mod:`alur.tenants.kinerja.signing`). A refusal shows the case page again (422) with the
  message next to its field and the note kept (never the password);
- ``GET /pratinjau.pdf`` — the signed report as it will be once this person approves: their
  paraf in the list or their signature block, marked "PRATINJAU" (nothing is recorded).

:func:`report_response` builds the report for both the preview and the case's
``/kinerja/laporan.pdf``: the kop of :func:`alur.tenants.offices.letterhead.letterhead`, the
place and the date (of the signature, else today), the QR code to the public verification page
at ``ALUR_BASE_URL``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from alur.core.engine import Complete, Decide
from alur.core.errors import ActionError
from alur.core.i18n import error_message, gettext
from alur.core.model import Answer, StepKind
from alur.reports.approvals import valid_signature
from alur.reports.letter import place_and_date
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.kinerja.signing import APPROVALS, preview_approval
from alur.tenants.notify.settings import DeliverySettings
from alur.tenants.offices.letterhead import letterhead
from alur.web.cases.view import case_view
from alur.web.deps import Viewer
from alur.web.downloads import download, file_name
from alur.web.errors import error_headers, is_htmx
from alur.web.kinerja.reads import KinerjaReader, bound_case
from alur.web.pages import page_context

CONFIRM, PASSWORD, NOTE = "confirm", "password", "note"


def _file_name(prefix: str, period: str) -> str:
    return file_name(prefix, period, "pdf")


async def report_response(
    tenant: TenantService, viewer: Viewer, key: str, *, preview_task: int | None = None
) -> Response:
    """The signed report of case ``key`` as a PDF download; with ``preview_task``, the
    preview of the approval ``viewer`` would give at that task."""
    from alur.reports.pdf import signed_report_pdf  # WeasyPrint: loaded when first asked

    case, d = await bound_case(tenant, viewer, key)
    reader = KinerjaReader(tenant, case)
    recap = await reader.recap()
    approvals = list(await reader.approvals())
    if preview_task is not None:
        assert viewer.user_id is not None
        approvals.append(await preview_approval(tenant, viewer.user_id, case, d, preview_task))
    signed = valid_signature(approvals, recap.content_hash)
    day = (signed.at if signed is not None and signed.at else datetime.now(UTC)).astimezone(
        ZoneInfo(reader.zone)
    )
    kop = await letterhead(tenant)
    make = partial(
        signed_report_pdf,
        recap,
        office=kop.office,
        government=kop.government,
        sop_name=d.header.nama,
        period=case.period,
        unit_names=await reader.unit_names(),
        approvals=approvals,
        place_and_date=place_and_date(kop.place, day.date(), reader.language),
        language=reader.language,
        timezone=reader.zone,
        address=kop.address,
        contact=kop.contact,
        logo=(kop.logo, kop.logo_type) if kop.logo else None,
        base_url=DeliverySettings.from_env().base_url,
        preview=preview_task is not None,
    )
    content = await anyio.to_thread.run_sync(make)
    prefix = "pratinjau-laporan-data-kinerja" if preview_task else "laporan-data-kinerja"
    return download(content, "application/pdf", _file_name(prefix, case.period))


class ApproveController(Controller):
    path = "/t/{slug:str}/cases/{key:str}/approve/{task:int}"

    @get("/pratinjau.pdf", name="approve-preview")
    async def preview(
        self,
        key: FromPath[str],
        task: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        return await report_response(tenant, viewer, key, preview_task=task)

    @post("/", name="approve", status_code=303)
    async def approve(
        self,
        request: Request,
        key: FromPath[str],
        task: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        assert viewer.user_id is not None
        form = await request.form()
        data: dict[str, Any] = {k: str(v) for k, v in form.items()}
        errors: dict[str, str] = {}
        error = code = None
        try:
            await self._apply(tenant, viewer.user_id, key, task, data)
        except InvalidInput as exc:
            errors, code = dict(exc.errors), exc.code
        except ActionError as exc:
            error, code = error_message(exc), exc.code
        if not errors and error is None and not is_htmx(request):
            return Redirect(f"/t/{tenant.ref.slug}/cases/{key}", status_code=303)
        draft = {k: v for k, v in data.items() if k != PASSWORD}  # never sent back
        view = await case_view(tenant, viewer, key)
        if errors or error:
            known = {k: v for k, v in errors.items() if k in (CONFIRM, PASSWORD, NOTE)}
            rest = "; ".join(v for k, v in errors.items() if k not in known)
            view = replace(
                view, error=error or rest or None, error_code=code, error_task=task, draft=draft
            )
            errors = known
        context = await page_context(request, viewer, tenant, active="cases")
        context.update(view=view, approve_errors=errors)
        failed = bool(errors or error)
        if not is_htmx(request):
            return Template(
                "case.html", status_code=422, context=context, headers=error_headers(code)
            )
        context["oob"] = True
        return Template(
            "_case_live.html",
            status_code=422 if failed else 200,
            context=context,
            headers=error_headers(code) if failed else {"HX-Trigger": "inbox-changed"},
        )

    async def _apply(
        self, tenant: TenantService, user_id: int, key: str, task: int, data: dict[str, str]
    ) -> None:
        case = await tenant.case(key)
        d = await tenant.definition_of(case)
        open_task = case.state.open_tasks.get(task)
        step = d.step(open_task.step) if open_task is not None else None
        if step is None or step.data not in APPROVALS:
            raise NotFound(what=gettext("paraf or tanda tangan"))
        if not data.get(CONFIRM):
            raise InvalidInput(
                {CONFIRM: gettext("Tick the box to confirm that you have checked the recap.")}
            )
        note = data.get(NOTE, "").strip()
        password = data.get(PASSWORD) or None
        if step.kind is StepKind.DECISION:
            await tenant.act(user_id, key, Decide(task, Answer.YA, note), password=password)
        else:
            await tenant.act(user_id, key, Complete(task, note), password=password)
