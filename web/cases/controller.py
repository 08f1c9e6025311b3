"""Cases: the list with filters, starting a case, the case page and the actions on it.

Every form works without JavaScript (POST, then a 303 redirect back to the case). With
htmx the same forms swap the case's live region (status, action panel, timeline) in place
and send ``HX-Trigger: inbox-changed`` so the navigation badge refreshes.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from alur.core import periods
from alur.core.engine import Claim, Unclaim
from alur.core.errors import ActionError
from alur.core.i18n import error_message, gettext
from alur.tenants.cases.listing import CaseFilter
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput
from alur.web.cases.completion import completion_of, decision_of, read_form
from alur.web.cases.view import case_view
from alur.web.deps import Viewer
from alur.web.downloads import content_disposition
from alur.web.errors import ERROR_HEADER, error_headers, is_htmx
from alur.web.kinerja.submit import with_saved_notice
from alur.web.pages import page_context

Form = URLEncodedBody[dict[str, Any]]
STATUSES = ("active", "finished", "cancelled")
DURATION_FIELD = re.compile(r"duration_[0-9]{1,4}")


class CasesController(Controller):
    path = "/t/{slug:str}"

    @get("/cases", name="cases")
    async def cases(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
        sop: FromQuery[str | None] = None,
        period: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        overdue: FromQuery[str | None] = None,
    ) -> Template:
        return await self._list(
            request,
            viewer,
            tenant,
            {
                "sop": sop or "",
                "period": period or "",
                "status": status or "",
                "overdue": overdue or "",
            },
        )

    async def _list(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        filters: dict[str, str],
        form: dict | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Template:
        f = CaseFilter(
            sop_id=filters["sop"] or None,
            period=filters["period"] or None,
            status=filters["status"] if filters["status"] in STATUSES else None,
            overdue=True if filters["overdue"] == "1" else None,
        )
        rows = await tenant.case_list(f)
        context = await page_context(request, viewer, tenant, active="cases")
        units = [u for u in await tenant.units() if u["active"]]
        today = datetime.now(UTC).astimezone(ZoneInfo(tenant.tenant["timezone"])).date()
        form = form or {}
        if "period_part" not in form:  # a fresh form: this quarter of this year
            now = periods.current(today)
            form = {**form, "period_part": now.part, "period_year": str(now.year)}
        sops = tenant.sops()
        if "sop" not in form and len(sops) == 1:  # the office's one SOP, chosen
            form["sop"] = next(iter(sops))
        return Template(
            "cases.html",
            status_code=status_code,
            headers=headers,
            context={
                **context,
                "rows": rows,
                "filters": filters,
                "statuses": STATUSES,
                "form": form,
                "errors": errors or {},
                "period_parts": periods.PARTS,
                "period_years": periods.years(today),
                "error_code": (headers or {}).get(ERROR_HEADER),
                "units": units,
            },
        )

    @post("/cases", name="start-case", status_code=303)
    async def start(
        self,
        request: Request,
        data: Form,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        assert viewer.user_id is not None
        durations = {
            int(name.removeprefix("duration_")): str(value)
            for name, value in data.items()
            if DURATION_FIELD.fullmatch(name) and str(value).strip()
        }
        errors: dict[str, str] = {}
        try:
            sop_id, period = str(data.get("sop", "")), _period(data)
            case = await tenant.start_case(viewer.user_id, sop_id, period, durations)
        except InvalidInput as exc:
            errors, code = exc.errors, exc.code
        except ActionError as exc:
            errors, code = {"form": error_message(exc)}, exc.code
        else:
            return Redirect(f"/t/{tenant.ref.slug}/cases/{case.key}", status_code=303)
        empty = {"sop": "", "period": "", "status": "", "overdue": ""}
        return await self._list(
            request,
            viewer,
            tenant,
            empty,
            form=dict(data),
            errors=errors,
            status_code=422,
            headers=error_headers(code),
        )

    @get("/cases/{key:str}", name="case")
    async def case(
        self,
        request: Request,
        key: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        view = with_saved_notice(request, await case_view(tenant, viewer, key))
        context = await page_context(request, viewer, tenant, active="cases")
        return Template("case.html", context={**context, "view": view})

    @post("/cases/{key:str}/cancel", name="cancel-case", status_code=303)
    async def cancel(
        self,
        request: Request,
        key: FromPath[str],
        data: Form,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        """Cancel the case with a reason (:meth:`TenantService.cancel_case`); a refusal shows
        the case page again with the error by the reason and the reason kept."""
        assert viewer.user_id is not None
        reason = str(data.get("reason", ""))
        try:
            await tenant.cancel_case(viewer.user_id, key, reason)
        except InvalidInput as exc:
            code, error, by_field = exc.code, "; ".join(exc.errors.values()), True
        except ActionError as exc:
            code, error, by_field = exc.code, error_message(exc), False
        else:
            return Redirect(f"/t/{tenant.ref.slug}/cases/{key}", status_code=303)
        view = await case_view(tenant, viewer, key)
        if by_field:  # by the reason field, with what was typed
            view = replace(view, cancel_error=error, cancel_reason=reason, cancel_code=code)
        else:  # the engine's refusal (not allowed, no longer active): the page's alert
            view = replace(view, error=error, error_code=code)
        context = await page_context(request, viewer, tenant, active="cases")
        return Template(
            "case.html",
            status_code=422,
            context={**context, "view": view},
            headers=error_headers(code),
        )

    @post("/cases/{key:str}/tasks/{task:int}/{action:str}", name="act", status_code=303)
    async def act(
        self,
        request: Request,
        key: FromPath[str],
        task: FromPath[int],
        action: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        assert viewer.user_id is not None
        data = await read_form(request)
        error = code = None
        try:
            await self._apply(tenant, viewer.user_id, key, task, action, data)
        except (ActionError, InvalidInput) as exc:
            code = exc.code
            error = (
                error_message(exc)
                if isinstance(exc, ActionError)
                else "; ".join(exc.errors.values())
            )
        if not is_htmx(request) and error is None:
            return Redirect(f"/t/{tenant.ref.slug}/cases/{key}", status_code=303)
        view = await case_view(tenant, viewer, key)
        if error is not None:
            view = replace(view, error=error, error_code=code, error_task=task, draft=data)
        context = await page_context(request, viewer, tenant, active="cases")
        if not is_htmx(request):
            return Template(
                "case.html",
                status_code=422,
                context={**context, "view": view},
                headers=error_headers(code),
            )
        return Template(
            "_case_live.html",
            status_code=422 if error else 200,
            context={**context, "view": view, "oob": True},
            headers=error_headers(code) if error else {"HX-Trigger": "inbox-changed"},
        )

    async def _apply(
        self,
        tenant: TenantService,
        user_id: int,
        key: str,
        task: int,
        action: str,
        data: dict[str, Any],
    ) -> None:
        if action == "claim":
            await tenant.act(user_id, key, Claim(task))
        elif action == "unclaim":
            await tenant.act(user_id, key, Unclaim(task))
        elif action == "complete":
            completion, files = await completion_of(task, data)
            await tenant.act(user_id, key, completion, files)  # one transaction
        elif action in ("ya", "tidak"):
            await tenant.act(user_id, key, decision_of(task, action, data))
        elif action == "reassign":
            to = str(data.get("to", ""))
            if not to.isdigit():
                raise InvalidInput({"to": gettext("Choose who takes over the task.")})
            await tenant.reassign(user_id, key, task, int(to))
        else:
            raise InvalidInput({"action": gettext("Unknown action.")})

    @get("/cases/{key:str}/attachments/{attachment:int}", name="attachment")
    async def attachment(
        self,
        key: FromPath[str],
        attachment: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        info, content = await tenant.attachment(viewer.user_id, key, attachment)
        return Response(
            content=content,
            media_type=info.content_type,
            headers={
                "Content-Disposition": content_disposition(info.filename),
                "X-Content-Type-Options": "nosniff",
            },
        )


def _period(data: dict[str, Any]) -> str:
    """The period the start form's two choices name ("Triwulan III" and "2026"), as text for
    the service to check (:mod:`alur.core.periods`); a ``period`` text field still works."""
    part, year = str(data.get("period_part", "")), str(data.get("period_year", ""))
    if not part and not year:
        return str(data.get("period", ""))
    return f"{part} {year}".strip()
