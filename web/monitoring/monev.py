"""The SOP monitoring form (monev) pages: the office's forms, one form, its paraf and versions,
and the office's monev settings.

Routes under ``/t/{slug}/monev`` (who may do what is :class:`~alur.tenants.monitoring.monev.
MonevForms`' and :mod:`~alur.tenants.monitoring.monev_policy`'s to decide):

- ``GET /`` — the forms, newest period first; for the office admin, the settings (assessor
  role, every how many months) and "Buka formulir monev sekarang" (the current period so far);
- ``POST /pengaturan`` — save the settings; ``POST /buka`` — open the forms now;
- ``GET /{id}`` — one form: per kegiatan Alur's proposal and its evidence, the judgement
  (baik / tidak), catatan and tindakan — editable by the assessor while open —, the paraf
  with the password, the versions, and the print links (``/{id}.pdf``, ``/{id}.xlsx``);
- ``POST /{id}`` — save (fields ``rows.<n>.judgement|catatan|tindakan``, ``version``);
- ``POST /{id}/paraf`` — the assessor's paraf (``password``, ``version``);
- ``POST /{id}/buka-kembali`` — the admin reopens an initialled form (``note``).

A refusal shows the page again (422) with each message next to its field and everything
typed kept (never the password).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from alur.core.errors import ActionError
from alur.core.i18n import error_message, format_message, gettext
from alur.core.monitoring.monev import MonevRow
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.monitoring.monev import MonevForms
from alur.tenants.monitoring.monev_policy import read_policy, save_policy
from alur.web.admin.base import form_version
from alur.web.deps import Viewer
from alur.web.errors import error_headers
from alur.web.pages import page_context

ROW_FIELDS = ("judgement", "catatan", "tindakan")


def office_member(viewer: Viewer) -> int:
    if viewer.user_id is None:  # a platform operator: the forms are the office's own
        raise NotFound(what=gettext("page"))
    return viewer.user_id


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


def _version(data: dict[str, str]) -> int:
    return form_version(data.get("version", ""))


def row_values(data: dict[str, str]) -> dict[str, dict[str, str]]:
    """The rows a submitted form gives, by kegiatan number (``rows.<n>.<field>``)."""
    values: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "rows" and parts[2] in ROW_FIELDS:
            values.setdefault(parts[1], {})[parts[2]] = value
    for row in values.values():  # an unticked pair of radios sends nothing: no judgement
        row.setdefault("judgement", "")
    return values


def shown_rows(rows: tuple[MonevRow, ...], typed: dict[str, dict[str, str]]) -> list[dict]:
    """The rows as the page shows them: what was typed (after a refusal) over what is saved."""
    out = []
    for r in rows:
        mine = typed.get(str(r.step), {})
        out.append(
            {
                "row": r,
                "judgement": mine.get("judgement", r.judgement or ""),
                "catatan": mine.get("catatan", r.catatan),
                "tindakan": mine.get("tindakan", r.tindakan),
            }
        )
    return out


class MonevController(Controller):
    path = "/t/{slug:str}/monev"

    @get("/", name="monev-list")
    async def forms(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        return await self._list(request, viewer, tenant)

    @post("/pengaturan", name="monev-settings", status_code=303)
    async def settings(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        user = office_member(viewer)
        data = await _form(request)
        try:
            await save_policy(tenant, user, data.get("role", ""), data.get("every_months", ""))
        except InvalidInput as exc:
            return await self._list(
                request, viewer, tenant, errors=dict(exc.errors), typed=data, status=422
            )
        request.session["monev_notice"] = gettext("The monev settings were saved.")
        return Redirect(f"/t/{tenant.ref.slug}/monev", status_code=303)

    @post("/buka", name="monev-open", status_code=303)
    async def open_now(
        self,
        request: Request,
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        user = office_member(viewer)
        try:
            opened = await MonevForms(tenant).open_now(user)
        except ActionError as exc:
            return await self._list(
                request, viewer, tenant, errors={"open": error_message(exc)}, status=409
            )
        request.session["monev_notice"] = format_message(
            "{count} monev forms opened.", count=len(opened)
        )
        return Redirect(f"/t/{tenant.ref.slug}/monev", status_code=303)

    @get("/{form_id:int}", name="monev-form")
    async def form(
        self,
        request: Request,
        form_id: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Template:
        return await self._page(request, viewer, tenant, form_id)

    @post("/{form_id:int}", name="monev-save", status_code=303)
    async def save(
        self,
        request: Request,
        form_id: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        user = office_member(viewer)
        data = await _form(request)
        values = row_values(data)

        async def act() -> None:
            await MonevForms(tenant).save(user, form_id, values, version=_version(data))

        return await self._act(request, viewer, tenant, form_id, "save", data, act)

    @post("/{form_id:int}/paraf", name="monev-paraf", status_code=303)
    async def paraf(
        self,
        request: Request,
        form_id: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        user = office_member(viewer)
        data = await _form(request)

        async def act() -> None:
            await MonevForms(tenant).paraf(
                user, form_id, version=_version(data), password=data.get("password", "")
            )

        return await self._act(request, viewer, tenant, form_id, "paraf", data, act)

    @post("/{form_id:int}/buka-kembali", name="monev-reopen", status_code=303)
    async def reopen(
        self,
        request: Request,
        form_id: FromPath[int],
        viewer: NamedDependency[Viewer],
        tenant: NamedDependency[TenantService],
    ) -> Response:
        user = office_member(viewer)
        data = await _form(request)

        async def act() -> None:
            await MonevForms(tenant).reopen(user, form_id, data.get("note", ""))

        return await self._act(request, viewer, tenant, form_id, "reopen", data, act)

    # --- helpers ----------------------------------------------------------------------

    async def _list(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        *,
        errors: dict[str, str] | None = None,
        typed: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        user = office_member(viewer)
        forms = MonevForms(tenant)
        records = await forms.list(user)
        ctx = await tenant.context(user)
        policy = await read_policy(tenant, user) if ctx.actor.administrator else None
        context = await page_context(request, viewer, tenant, active="monev")
        context.update(
            records=records,
            policy=policy,
            errors=errors or {},
            typed=typed or {},
            notice=request.session.pop("monev_notice", None),
        )
        return Template("monitoring/monev_list.html", context=context, status_code=status)

    async def _act(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        form_id: int,
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
        except ActionError as exc:  # stale, initialled, not initialled
            error, code = error_message(exc), exc.code
        if not errors and error is None:
            if form == "save":
                request.session["monev_notice"] = gettext("The monev form was saved.")
            elif form == "paraf":
                request.session["monev_notice"] = gettext("You initialled the monev form.")
            return Redirect(f"/t/{tenant.ref.slug}/monev/{form_id}", status_code=303)
        refusal = {
            "form": form,
            "fields": errors,
            "message": error,
            "code": code,
            "draft": {k: v for k, v in data.items() if k != "password"},  # never sent back
        }
        return await self._page(request, viewer, tenant, form_id, refusal=refusal, status=422)

    async def _page(
        self,
        request: Request,
        viewer: Viewer,
        tenant: TenantService,
        form_id: int,
        *,
        refusal: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Template:
        user = office_member(viewer)
        forms = MonevForms(tenant)
        record = await forms.get(user, form_id)
        ctx = await tenant.context(user)
        refusal = refusal or {"form": "", "fields": {}, "message": None, "draft": {}}
        typed = row_values(refusal["draft"]) if refusal["form"] == "save" else {}
        base = f"/t/{tenant.ref.slug}/monev/{form_id}"
        context = await page_context(request, viewer, tenant, active="monev")
        context.update(
            record=record,
            rows=shown_rows(record.form.rows, typed),
            may_fill=forms.may_fill(ctx.actor) and not record.initialled,
            may_initial=forms.may_initial(ctx.actor) and not record.initialled,
            may_reopen=ctx.actor.administrator and record.initialled,
            versions=await forms.versions(user, form_id),
            base=base,
            refusal=refusal,
            notice=request.session.pop("monev_notice", None),
        )
        headers = error_headers(refusal.get("code")) if refusal.get("code") else {}
        return Template(
            "monitoring/monev_form.html", context=context, status_code=status, headers=headers
        )
