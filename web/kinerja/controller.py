"""Data kinerja in the web UI: the forms of bound steps, the read-only page and the exports.

Routes under ``/t/{slug}/cases/{key}/kinerja`` (members of the office only: anyone else,
and any case of another office, gets 404):

- ``GET  /`` — the case's format, each unit's data and versions, the recap, the approvals;
- ``GET  /rekap.xlsx`` and ``GET /laporan.pdf`` — the exports of :mod:`alur.reports`;
- ``POST /tasks/{task}/format`` — save the format editor (a ``design`` task);
- ``POST /tasks/{task}/copy`` — copy the format of another period (a ``design`` task);
- ``POST /tasks/{task}/data`` — save a unit's values and evidence (a ``fill`` task);
- ``GET  /tasks/{task}/row?index=n`` — one more blank row of the format editor (htmx).

The format and data forms have two buttons: "Save" and "Complete" (``then=complete``).
"Complete" saves the form and completes the task in one transaction
(:meth:`~alur.tenants.kinerja.service.KinerjaService.save_format_and_complete`,
:meth:`~alur.tenants.kinerja.service.KinerjaService.save_data_and_complete`), with the
task's output note, data rows and attachment, which these forms then carry. A save answers
like the case's other actions: a 303 back to the case page — for a save without htmx at the
form (``#task-N``) with a one-time notice (:mod:`alur.web.kinerja.submit`) — or with htmx
the case's live region. A refusal of the save or of the completion re-renders the same form
with status 422, each message next to its field and every typed value kept (files cannot
be: the form asks for them again). Who may write is decided by
:class:`~alur.tenants.kinerja.service.KinerjaService` (the task's step binding and the engine's
rule), not here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from alur.core.errors import ActionError
from alur.core.i18n import current_language, error_message, format_message, gettext
from alur.reports.xlsx import recap_workbook
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.kinerja.service import KinerjaService, check_editor_row
from alur.tenants.offices.letterhead import office_name
from alur.web.cases.approve import report_response  # the kop, the QR code
from alur.web.cases.completion import completion_of, decision_of
from alur.web.cases.view import CaseView, case_view
from alur.web.deps import Viewer
from alur.web.downloads import download, file_name
from alur.web.errors import is_htmx
from alur.web.kinerja.forms import design_rows, fill_form
from alur.web.kinerja.reads import KinerjaReader, bound_case, kinerja_page
from alur.web.kinerja.submit import THEN, Posted, asks_completion, remember_saved
from alur.web.kinerja.view import (
    COMPLETION_FIELDS,
    KinerjaPanel,
    blank_row,
    design_panel,
    fill_panel,
    unit_choices,
)
from alur.web.pages import page_context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class KinerjaController(Controller):
    path = "/t/{slug:str}/cases/{key:str}/kinerja"

    # --- reading ---------------------------------------------------------------------

    @get("/", name="kinerja")
    async def page(
        self,
        request: Request,
        key: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        case, d = await bound_case(tenant, viewer, key)
        reader = KinerjaReader(tenant, case)
        context = await page_context(request, viewer, tenant, active="cases")
        return Template(
            "kinerja/page.html",
            context={
                **context,
                "case": case,
                "sop_name": d.header.nama,
                "page": await kinerja_page(reader),
            },
        )

    @get("/rekap.xlsx", name="kinerja-xlsx")
    async def workbook(
        self,
        key: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        case, d = await bound_case(tenant, viewer, key)
        reader = KinerjaReader(tenant, case)
        make = partial(
            recap_workbook,
            await reader.recap(),
            office=office_name(tenant),
            sop_name=d.header.nama,
            period=case.period,
            unit_names=await reader.unit_names(),
            approvals=await reader.approvals(),
            language=reader.language,
            timezone=reader.zone,
        )
        content = await anyio.to_thread.run_sync(make)
        return download(content, XLSX, file_name("rekap-data-kinerja", case.period, "xlsx"))

    @get("/laporan.pdf", name="kinerja-pdf")
    async def report(
        self,
        key: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:

        return await report_response(tenant, viewer, key)

    @get("/tasks/{task:int}/row", name="kinerja-row")
    async def row(
        self,
        key: FromPath[str],
        task: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
        index: FromQuery[int] = 0,
    ) -> Template:
        case, _d = await bound_case(tenant, viewer, key)
        check_editor_row(case, task, index)
        units = await unit_choices(KinerjaReader(tenant, case))
        return Template(
            "kinerja/_row.html",
            context={
                "tenant": {"slug": tenant.ref.slug},
                "key": key,
                "task_id": task,
                "units": units,
                "r": blank_row(index),
                "add_oob": True,
            },
        )

    # --- writing ---------------------------------------------------------------------

    @post("/tasks/{task:int}/format", name="kinerja-format", status_code=303)
    async def save_format(
        self,
        request: Request,
        key: FromPath[str],
        task: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        user_id = _user_id(viewer)
        rows = design_rows(await request.form())
        service = KinerjaService(tenant)
        language = current_language.get()
        completing, draft = await asks_completion(request)

        async def form(reader: KinerjaReader, errors: dict[str, str]) -> KinerjaPanel:
            return KinerjaPanel(
                task, "design", design=await design_panel(reader, rows=rows, errors=errors)
            )

        async def write() -> object:
            if not completing:
                return await service.save_indicator_set(user_id, key, task, rows, language=language)
            if draft.get(THEN) in ("ya", "tidak"):  # a gate's format editor: save, answer
                decision = decision_of(task, str(draft[THEN]), draft)
                return await service.save_format_and_decide(
                    user_id, key, task, rows, decision, language=language
                )
            completion, files = await completion_of(task, draft)
            return await service.save_format_and_complete(
                user_id, key, task, rows, completion, files, language=language
            )

        return await self._save(
            request,
            viewer,
            tenant,
            Posted(key, task, completing, draft),
            write,
            form,
            gettext("The format data kinerja is saved."),
        )

    @post("/tasks/{task:int}/copy", name="kinerja-copy", status_code=303)
    async def copy_format(
        self,
        request: Request,
        key: FromPath[str],
        task: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        user_id = _user_id(viewer)
        from_period = str((await request.form()).get("from_period") or "").strip()
        service = KinerjaService(tenant)

        async def form(reader: KinerjaReader, errors: dict[str, str]) -> KinerjaPanel:
            panel = await design_panel(reader, from_period=from_period)
            return KinerjaPanel(task, "design", design=replace(panel, errors=errors))

        async def copy() -> object:
            if not from_period:
                raise InvalidInput({"from_period": gettext("choose the period to copy from")})
            return await service.copy_indicator_set(user_id, key, task, from_period)

        return await self._save(
            request,
            viewer,
            tenant,
            Posted(key, task),
            copy,
            form,
            format_message("The format data kinerja of {period} is copied.", period=from_period),
        )

    @post("/tasks/{task:int}/data", name="kinerja-data", status_code=303)
    async def save_data(
        self,
        request: Request,
        key: FromPath[str],
        task: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        user_id = _user_id(viewer)
        posted = await fill_form(await request.form())
        service = KinerjaService(tenant)
        language = current_language.get()
        completing, draft = await asks_completion(request)

        async def form(reader: KinerjaReader, errors: dict[str, str]) -> KinerjaPanel:
            unit = reader.case.state.open_tasks[task].unit
            if unit is None:
                raise NotFound(what=gettext("task"))
            panel = await fill_panel(
                reader,
                unit,
                values=posted.typed(),
                removed=posted.remove,
                errors=errors,
                dropped=posted.file_names(),
            )
            return KinerjaPanel(task, "fill", fill=panel)

        async def write() -> object:
            if not completing:
                return await service.save_submission(
                    user_id,
                    key,
                    task,
                    posted.values,
                    posted.evidence,
                    language=language,
                    remove_evidence=posted.remove,
                )
            completion, files = await completion_of(task, draft)
            return await service.save_data_and_complete(
                user_id,
                key,
                task,
                posted.values,
                completion,
                files,
                evidence=posted.evidence,
                remove_evidence=posted.remove,
                language=language,
            )

        return await self._save(
            request,
            viewer,
            tenant,
            Posted(key, task, completing, draft),
            write,
            form,
            gettext("The data kinerja is saved."),
        )

    async def _save(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        posted: Posted,
        write: Callable[[], Awaitable[object]],
        form: Callable[[KinerjaReader, dict[str, str]], Awaitable[KinerjaPanel]],
        notice: str,
    ) -> Response:
        """Run ``write`` (a save, or a save and the task's completion); answer the case page
        (303, or the live region for htmx) — a save without htmx at the form again, with a
        one-time notice — or, refused, the form again as it was typed with each message
        next to its field (422)."""
        key, task = posted.key, posted.task
        errors: dict[str, str] | None = None
        try:
            await write()
        except InvalidInput as exc:
            errors = exc.errors
        except ActionError as exc:  # e.g. the task was completed or claimed meanwhile
            errors = {"form": error_message(exc)}
        slug = tenant.ref.slug
        if errors is None and not is_htmx(request):
            if posted.completing:
                return Redirect(f"/t/{slug}/cases/{key}", status_code=303)
            remember_saved(request, key, task, notice)
            return Redirect(f"/t/{slug}/cases/{key}#task-{task}", status_code=303)
        view = await case_view(tenant, viewer, key)
        if errors is not None:
            reader = KinerjaReader(tenant, await tenant.case(key))
            if task in reader.case.state.open_tasks and task in view.kinerja:
                ours = {k: v for k, v in errors.items() if k not in COMPLETION_FIELDS}
                panel = await form(reader, ours)
                panel = replace(
                    panel,
                    completion_errors={k: v for k, v in errors.items() if k in COMPLETION_FIELDS},
                    dropped_attachment=posted.attachment_name,
                )
                view = replace(_with_panel(view, panel), draft=posted.draft, error_task=task)
            else:  # the task is gone (completed by someone else meanwhile): say why
                view = replace(view, error="; ".join(errors.values()), error_task=task)
        elif task in view.kinerja:
            view = _with_panel(view, replace(view.kinerja[task], notice=notice))
        context = await page_context(request, viewer, tenant, active="cases")
        if not is_htmx(request):
            return Template("case.html", status_code=422, context={**context, "view": view})
        headers = {"HX-Trigger": "inbox-changed"} if errors is None and posted.completing else {}
        return Template(
            "_case_live.html",
            status_code=200 if errors is None else 422,
            headers=headers,
            context={**context, "view": view, "oob": True},
        )


def _user_id(viewer: Viewer) -> int:
    if viewer.user_id is None:  # a platform operator: not a member of any office
        raise NotFound(what=gettext("task"))
    return viewer.user_id


def _with_panel(view: CaseView, panel: KinerjaPanel) -> CaseView:
    return replace(view, kinerja={**view.kinerja, panel.task: panel})
