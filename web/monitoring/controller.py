"""The Mutu baku page, ``/t/{slug}/mutu-baku``, and its files ``mutu-baku.csv`` and
``mutu-baku.xlsx``: how long each kegiatan of the office's SOPs actually took against its
mutu baku over a period (``?sop=&start=&end=&unit=``, the same filters for the three).

Who may read is :mod:`alur.tenants.monitoring.access`'s (403 for other members of the
office; 404 for everyone else, like every office page). A bad filter is shown next to its
field, in the reader's language, with everything typed kept (422), never a 500.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from alur.core.errors import InvalidInput
from alur.core.i18n import current_language
from alur.tenants.cases.service import TenantService
from alur.tenants.monitoring.report import MutuBakuReport, MutuBakuReports, ReportFilter
from alur.web.deps import Viewer
from alur.web.downloads import download
from alur.web.errors import error_code, error_headers
from alur.web.monitoring.export import CSV_TYPE, XLSX_TYPE, file_name, report_csv, report_xlsx
from alur.web.monitoring.view import report_view
from alur.web.pages import page_context

FIELDS = ("sop", "start", "end", "unit")
MAX_TYPED = 200  # characters of a typed filter shown back in its field


class MutuBakuController(Controller):
    path = "/t/{slug:str}"

    @get("/mutu-baku", name="mutu-baku")
    async def page(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
        sop: FromQuery[str | None] = None,
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
        unit: FromQuery[str | None] = None,
    ) -> Template:
        form = _typed(sop, start, end, unit)
        report = await _report(tenant, viewer, form)
        if isinstance(report, InvalidInput):
            return await _page(request, viewer, tenant, form, None, report)
        return await _page(request, viewer, tenant, form, report, None)

    @get("/mutu-baku.csv", name="mutu-baku-csv")
    async def csv(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
        sop: FromQuery[str | None] = None,
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
        unit: FromQuery[str | None] = None,
    ) -> Response | Template:
        return await _file(request, viewer, tenant, _typed(sop, start, end, unit), "csv")

    @get("/mutu-baku.xlsx", name="mutu-baku-xlsx")
    async def xlsx(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
        sop: FromQuery[str | None] = None,
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
        unit: FromQuery[str | None] = None,
    ) -> Response | Template:
        return await _file(request, viewer, tenant, _typed(sop, start, end, unit), "xlsx")


async def _file(
    request: Request, viewer: Viewer, tenant: TenantService, form: dict[str, str], kind: str
) -> Response | Template:
    """The report as a ``kind`` ("csv" or "xlsx") file, or the page with the filter's error."""
    report = await _report(tenant, viewer, form)
    if isinstance(report, InvalidInput):
        return await _page(request, viewer, tenant, form, None, report)
    if kind == "csv":
        return download(report_csv(report), CSV_TYPE, file_name(report, "csv"))
    return download(report_xlsx(report), XLSX_TYPE, file_name(report, "xlsx"))


def _typed(*values: str | None) -> dict[str, str]:
    return dict(zip(FIELDS, (v or "" for v in values), strict=True))


async def _report(
    tenant: TenantService, viewer: Viewer, form: dict[str, str]
) -> MutuBakuReport | InvalidInput:
    """The report the filters ask for, or the bad filters (the service's messages)."""
    assert viewer.user_id is not None
    reports = MutuBakuReports(tenant)
    if not await reports.readable(viewer.user_id):
        await reports.report(viewer.user_id, ReportFilter())  # the service's Forbidden
    try:
        f = ReportFilter.parse(
            form["sop"], form["start"], form["end"], form["unit"], today=tenant.today()
        )
        return await reports.report(viewer.user_id, f)
    except InvalidInput as bad:
        return bad


async def _page(
    request: Request,
    viewer: Viewer,
    tenant: TenantService,
    form: dict[str, str],
    report: MutuBakuReport | None,
    bad: InvalidInput | None,
) -> Template:
    context: dict[str, Any] = await page_context(request, viewer, tenant, active="mutu-baku")
    shown = {k: v[:MAX_TYPED] for k, v in form.items()}
    if report is not None:  # the period the report covers, when none was typed
        shown["start"] = shown["start"] or report.period.start.isoformat()
        shown["end"] = shown["end"] or report.period.end.isoformat()
        context.update(report_view(report, current_language.get()))
    sops = tenant.sops()
    context.update(
        {
            "form": shown,
            "errors": bad.errors if bad is not None else {},
            "error_code": error_code(bad, "invalid_input") if bad is not None else None,
            "sop_choices": [(i, sops[i].header.nama) for i in sorted(sops)],
            "unit_choices": [(u["slug"], u["name"]) for u in await tenant.units()],
            "query": urlencode({k: v for k, v in shown.items() if v}),
        }
    )
    return Template(
        "monitoring/mutu_baku.html",
        context=context,
        status_code=422 if bad is not None else 200,
        headers=error_headers(context["error_code"]),
    )
