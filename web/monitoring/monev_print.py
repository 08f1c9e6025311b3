"""The monev form printed: ``/t/{slug}/monev/{id}/cetak.pdf`` and ``cetak.xlsx``, in the
official layout with the office's letterhead (:mod:`alur.reports.monev_pdf`,
:mod:`alur.reports.monev_xlsx`). Whoever may read the form may print it
(:meth:`~alur.tenants.monitoring.monev.MonevForms.get` decides); the paraf prints as given,
bound to the content it was given on."""

from __future__ import annotations

import anyio
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from alur.core.i18n import current_language
from alur.reports.monev_form import MonevParaf
from alur.reports.monev_pdf import monev_pdf
from alur.reports.monev_xlsx import monev_xlsx
from alur.tenants.cases.service import TenantService
from alur.tenants.monitoring.monev import MonevForms
from alur.tenants.monitoring.monev_rows import MonevRecord
from alur.tenants.offices.letterhead import letterhead
from alur.web.deps import Viewer
from alur.web.downloads import download
from alur.web.monitoring.export import XLSX_TYPE
from alur.web.monitoring.monev import office_member

PDF_TYPE = "application/pdf"


def paraf_of(record: MonevRecord) -> MonevParaf | None:
    """The assessor's paraf as the print shows it (``None`` before it was given)."""
    if not record.initialled:
        return None
    return MonevParaf(
        name=record.paraf_name,
        jabatan=record.paraf_jabatan,
        nip=record.paraf_nip,
        at=record.paraf_at,
        form_hash=record.content_hash,
    )


def _file_name(record: MonevRecord, extension: str) -> str:
    p = record.period
    return f"monev-{record.sop_id}-{p.start.isoformat()}-{p.end.isoformat()}.{extension}"


class MonevPrintController(Controller):
    path = "/t/{slug:str}/monev/{form_id:int}"

    @get("/cetak.pdf", name="monev-pdf")
    async def pdf(
        self,
        form_id: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        return await self._print(tenant, viewer, form_id, "pdf")

    @get("/cetak.xlsx", name="monev-xlsx")
    async def xlsx(
        self,
        form_id: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        return await self._print(tenant, viewer, form_id, "xlsx")

    async def _print(
        self, tenant: TenantService, viewer: Viewer, form_id: int, extension: str
    ) -> Response:
        record = await MonevForms(tenant).get(office_member(viewer), form_id)
        office = await letterhead(tenant)
        render = monev_pdf if extension == "pdf" else monev_xlsx
        language, zone = current_language.get(), str(tenant.tenant["timezone"])

        def make() -> bytes:
            token = current_language.set(language)
            try:
                return render(
                    record.form, office, paraf_of(record), language=language, timezone=zone
                )
            finally:
                current_language.reset(token)

        content = await anyio.to_thread.run_sync(make)
        media = PDF_TYPE if extension == "pdf" else XLSX_TYPE
        return download(content, media, _file_name(record, extension))
