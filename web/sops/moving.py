"""Moving running cases to the revision in force: ``/t/{slug}/sops/{sop_id}/pindah``.

Office administrators only (:class:`~alur.tenants.sop_life.moving.CaseMoves` decides; anyone
else gets the 403 page). The page lists the SOP's running cases that are not on the
definition in force; the person ticks cases (and may map steps, ``OLD=NEW``), asks "Lihat
dulu (dry run)" — a POST that changes nothing and shows, per case, the tasks kept with their
new due time, closed and opened, or why the case cannot move — and only then "Pindahkan",
which moves the cases previewed (each a ``case_migrated`` event on its history) and shows
what happened to each. Wrong input shows the page again with the message (422).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from alur.core.i18n import gettext
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Forbidden, InvalidInput
from alur.tenants.sop_life.moving import CaseMovePlan, CaseMoveResult, CaseMoves, parse_mapping
from alur.web.deps import Viewer
from alur.web.errors import error_headers
from alur.web.pages import page_context

TEMPLATE = "sop/moving.html"


def _form_cases(form: Any) -> list[str]:
    return [str(v) for v in form.getall("case", [])] if hasattr(form, "getall") else []


def _pairs(text: str) -> list[str]:
    """``4=5, 6=7`` or one per line, as the mapping's pairs."""
    return [p for p in re.split(r"[\s,;]+", text.strip()) if p]


class MovingController(Controller):
    path = "/t/{slug:str}/sops/{sop_id:str}/pindah"

    @get("/", name="sop-moving")
    async def show(
        self,
        request: Request,
        sop_id: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        return await self._page(request, viewer, tenant, sop_id)

    @post("/lihat", name="sop-moving-preview", status_code=200)
    async def preview(
        self,
        request: Request,
        sop_id: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        return await self._act(request, viewer, tenant, sop_id, dry_run=True)

    @post("/", name="sop-moving-move", status_code=200)
    async def move(
        self,
        request: Request,
        sop_id: FromPath[str],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        return await self._act(request, viewer, tenant, sop_id, dry_run=False)

    async def _act(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        sop_id: str,
        *,
        dry_run: bool,
    ) -> Template:
        """The dry run or the move of the cases and mapping the form names; wrong input
        shows the page again with what was typed."""
        form = await request.form()
        cases, mapping_text = _form_cases(form), str(form.get("mapping", ""))
        moves = self._moves(tenant, viewer)
        try:
            mapping = parse_mapping(_pairs(mapping_text))
            if dry_run:
                plans = await moves.preview(cases, mapping, sop_id=sop_id)
            else:
                results = await moves.move(cases, mapping, sop_id=sop_id)
        except InvalidInput as exc:
            return await self._page(
                request, viewer, tenant, sop_id, chosen=cases, mapping=mapping_text, error=exc
            )
        if dry_run:
            return await self._page(
                request, viewer, tenant, sop_id, chosen=cases, mapping=mapping_text, plans=plans
            )
        return await self._page(request, viewer, tenant, sop_id, results=results)

    def _moves(self, tenant: TenantService, viewer: Viewer) -> CaseMoves:
        if viewer.user_id is None:  # a platform operator: moving is the office's business
            raise Forbidden(what=gettext("move running cases to another revision"))
        return CaseMoves(tenant, viewer.user_id)

    async def _page(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        sop_id: str,
        *,
        chosen: list[str] | None = None,
        mapping: str = "",
        plans: list[CaseMovePlan] | None = None,
        results: list[CaseMoveResult] | None = None,
        error: InvalidInput | None = None,
    ) -> Template:
        moves = self._moves(tenant, viewer)
        behind = await moves.running_cases_behind(sop_id)  # Forbidden for anyone but admins
        definition = tenant.sop(sop_id)
        revision = await moves.in_force_revision(sop_id)
        context = await page_context(request, viewer, tenant, active="sops")
        context.update(
            definition=definition,
            sop_id=sop_id,
            revision=revision,
            behind=behind,
            chosen=set(chosen or ()),
            mapping=mapping,
            plans=plans or [],
            results=results or [],
            errors=dict(error.errors) if error is not None else {},
        )
        return Template(
            TEMPLATE,
            context=context,
            status_code=422 if error is not None else 200,
            headers=error_headers(error.code if error is not None else None),
        )
