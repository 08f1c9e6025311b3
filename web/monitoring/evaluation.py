"""The yearly evaluation of an SOP in the web UI: new mutu baku proposed from a year's
measured times, and the accepted ones made into a draft revision. Every rule is
:class:`~alur.tenants.monitoring.evaluation.SopEvaluations`' (and, for the draft,
:class:`~alur.tenants.sop_life.revisions.SopRevisions`'); this parses the form, calls it and
shows its answer.

Routes under ``/t/{slug}/mutu-baku/evaluasi`` (the readers of the Mutu baku figures: the
office's leaders and its monev assessor; others get 403):

- ``GET /?sop=ID&tahun=YYYY`` — pick the SOP and the year (default: the office's first SOP,
  this year so far); the table of its kegiatan: mutu baku now, finished spans, measured p75,
  the proposal (or why none: "belum cukup data", "sesuai", "ditentukan per kasus"), a tick
  box per proposal for those who may draft revisions of the SOP;
- ``POST /`` (``sop``, ``tahun``, ``step`` per ticked proposal) — "Buat draf revisi": the
  proposals ticked become those steps' waktu in the office's draft revision (the open draft,
  else a new one), then the draft's editor. Refusals show the page again with the message
  next to its field or row (422) or above the table (409: a submitted revision is open, the
  draft changed meanwhile).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from alur.core.i18n import error_message, gettext
from alur.core.monitoring.evaluation import MIN_SPANS
from alur.core.monitoring.office_time import office_time_text
from alur.core.sop_life.revisions import RevisionState
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Conflict, InvalidInput
from alur.tenants.monitoring.evaluation import Evaluation, SopEvaluations
from alur.tenants.monitoring.report import MutuBakuReports
from alur.tenants.sop_life.revisions import SopRevisions
from alur.web.deps import Viewer
from alur.web.errors import error_headers
from alur.web.pages import page_context

SOP, YEAR, STEP = "sop", "tahun", "step"
# The service's field names → this form's.
FIELDS = {"sop": SOP, "year": YEAR, "steps": STEP}
MAX_STEPS = 500  # more ticked boxes than any SOP has kegiatan: a forged form


def _user(viewer: Viewer) -> int:
    assert viewer.user_id is not None  # operators are no office's members: 404 before this
    return viewer.user_id


def _errors(exc: InvalidInput) -> tuple[dict[str, str], dict[int, str]]:
    """The service's problems by this form's fields, and those of one step's waktu
    (``steps.3.waktu``) by step number."""
    fields: dict[str, str] = {}
    rows: dict[int, str] = {}
    for key, message in exc.errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "steps" and parts[1].isdigit():
            rows[int(parts[1])] = gettext(message)
        else:
            fields[FIELDS.get(key, STEP)] = gettext(message)
    return fields, rows


def _steps(values: list[str]) -> list[int] | None:
    """The ticked step numbers, or ``None`` when one is not a number."""
    steps = []
    for value in values[:MAX_STEPS]:
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 5):
            return None
        steps.append(int(text))
    return steps


class EvaluationController(Controller):
    path = "/t/{slug:str}/mutu-baku/evaluasi"

    @get("/", name="mutu-baku-evaluation")
    async def page(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
        sop: FromQuery[str | None] = None,
        tahun: FromQuery[str | None] = None,
    ) -> Template:
        return await self._page(request, viewer, tenant, sop, tahun)

    @post("/", name="mutu-baku-evaluation-accept", status_code=303)
    async def accept(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        form = await request.form()
        sop_id = str(form.get(SOP) or "")[:200]
        year = str(form.get(YEAR) or "")[:20]
        ticked = [str(v) for v in form.getall(STEP)] if STEP in form else []
        steps = _steps(ticked)
        chosen = set(steps or ())
        if steps is None:
            errors = {STEP: gettext("Tick the proposals in the table.")}
            return await self._page(request, viewer, tenant, sop_id, year, errors=errors)
        try:
            draft = await SopEvaluations(tenant).accept(_user(viewer), sop_id, year, steps)
        except InvalidInput as exc:
            errors, rows = _errors(exc)
            return await self._page(
                request, viewer, tenant, sop_id, year, errors=errors, rows=rows, chosen=chosen
            )
        except Conflict as exc:
            return await self._page(
                request, viewer, tenant, sop_id, year, conflict=exc, chosen=chosen
            )
        return Redirect(
            f"/t/{tenant.ref.slug}/sops/{draft.sop_id}/revisi/{draft.number}/edit",
            status_code=303,
        )

    async def _page(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        sop_id: str | None,
        year: str | None,
        *,
        errors: dict[str, str] | None = None,
        rows: dict[int, str] | None = None,
        conflict: Conflict | None = None,
        chosen: set[int] | None = None,
    ) -> Template:
        user = _user(viewer)
        await MutuBakuReports(tenant).require_reader(user)
        errors = dict(errors or {})
        sops = tenant.sops()
        sop_id = (sop_id or "").strip() or (sorted(sops)[0] if sops else "")
        year = (year or "").strip() or str(tenant.today().year)
        evaluation: Evaluation | None = None
        if sops:  # an office running no SOP has nothing to evaluate: the page says so, 200
            try:
                evaluation = await SopEvaluations(tenant).proposals(user, sop_id, year)
            except InvalidInput as exc:
                errors.update(_errors(exc)[0])
        may_draft = open_state = open_number = None
        if evaluation is not None:
            revisions = SopRevisions(tenant, user)
            may_draft = await revisions.may_draft(evaluation.sop_id)
            open_rev = next(
                (
                    r
                    for r in await revisions.list(evaluation.sop_id)
                    if r.state in (RevisionState.DRAF, RevisionState.DIAJUKAN)
                ),
                None,
            )
            if open_rev is not None:
                open_state, open_number = open_rev.state.value, open_rev.number
        context: dict[str, Any] = await page_context(request, viewer, tenant, active="mutu-baku")
        context.update(
            sops=[(key, sops[key].header.nama) for key in sorted(sops)],
            sop_id=sop_id,
            year=year,
            this_year=tenant.today().year,
            evaluation=evaluation,
            may_draft=may_draft,
            open_state=open_state,
            open_number=open_number,
            duration=_duration(evaluation),
            errors=errors,
            row_errors=rows or {},
            conflict=error_message(conflict) if conflict is not None else None,
            chosen=chosen,
            base_url=f"/t/{tenant.ref.slug}/mutu-baku/evaluasi",
            min_spans=MIN_SPANS,
        )
        status, code = 200, None
        if conflict is not None:
            status, code = 409, conflict.code
        elif errors or rows:
            status, code = 422, "invalid_input"
        return Template(
            "monitoring/evaluation.html",
            context=context,
            status_code=status,
            headers=error_headers(code),
        )


def _duration(evaluation: Evaluation | None):
    minutes_per_day = evaluation.minutes_per_day if evaluation is not None else 0

    def text(minutes: float | None) -> str:
        return office_time_text(minutes, minutes_per_day) if minutes is not None else ""

    return text
