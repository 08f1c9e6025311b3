"""The SOP monitoring form (monev, Permenpan RB 35/2012): opened every period for each SOP in
force, pre-filled from the measured figures, filled and initialled by the office's assessor.

**Opening.** Per office, SOP and period (:mod:`.monev_policy`: aligned to the year) one form
(unique on office, SOP and period start). The worker opens the forms of the period that has
just ended (:mod:`alur.tenants.clock.monev_forms`); the office administrator may open the
forms of the *current* period so far by hand (:meth:`MonevForms.open_now`: from the period's
start to today) — that form is then the period's form and the worker opens no other one for
it; when the period ends, the worker makes it cover the whole period if it is not yet
initialled (proposals and evidence made again, the assessor's text kept: ``monev_extended``). Each row is pre-filled from :meth:`~alur.tenants.monitoring.report.MutuBakuReports.
report_for_operator` (every step and unit, never per person) with
:func:`alur.core.monitoring.monev.propose_rows`. The evidence is written in Indonesian, the
language of the official form, whoever opens it. A form is due :data:`~alur.tenants.monitoring.monev_open.DUE_WORKING_DAYS`
working days after it opens; its assessors are told when it opens and reminded
:data:`~alur.tenants.monitoring.monev_open.REMIND_WORKING_DAYS_BEFORE` working days before it is due.

**Who.** Everyone who reads the Mutu baku figures reads the forms (:mod:`.access`: the
leaders, the office admin, the assessors). Saving: a holder of the assessor role (in their own
right or as Plt/Plh). Paraf: a holder of the assessor role **in their own right**, with their
password asked again (:mod:`alur.tenants.kinerja.signing`), only when every kegiatan has a
judgement; it binds the paraf to the form's content hash. After the paraf the form is
read-only; the office admin may **reopen** it: a new version with the same content and
without the paraf (the old paraf stays in the versions and on the chain).

**Versions.** Every change is a new version (``alur_monev_version``): opened, saved, diparaf,
reopened. A save or paraf names the version it was made on; on an older one it is refused
(:class:`~.monev_errors.StaleMonev`, naming who saved since) and nothing is written.

Recorded on the office's chain (``office_changed``): ``monev_opened``, ``monev_saved``,
``monev_diparaf``, ``monev_reopened``; details ``form``, ``sop``, ``period``, ``version``,
``content_hash`` (and the paraf's name and NIP).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from alur.core import limits
from alur.core.engine.actors import Actor
from alur.core.i18n import format_message, gettext
from alur.core.model import DataAction
from alur.core.monitoring.monev import JUDGEMENTS, MonevForm
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Forbidden, InvalidInput
from alur.tenants.kinerja.signing import signer_for
from alur.tenants.monitoring.access import holds_assessor_role, reads_figures, require_reader
from alur.tenants.monitoring.monev_errors import (
    MonevInitialled,
    MonevNotInitialled,
    StaleMonev,
)
from alur.tenants.monitoring.monev_open import WORKER, MonevOpening
from alur.tenants.monitoring.monev_policy import policy_of
from alur.tenants.monitoring.monev_rows import (
    DIPARAF,
    INITIALLED,
    OPEN,
    REOPENED,
    SAVED,
    MonevRecord,
    MonevVersionRecord,
    add_version,
    form_rows,
    one_form,
    update_form,
    versions_of,
)
from alur.tenants.storage.tables import User

TEXT_LIMIT = 2000
"""The longest catatan or tindakan, in characters (checked here: the same on both databases)."""


class MonevForms(MonevOpening):
    """The monev forms of one office (module docstring)."""

    def __init__(self, service: TenantService) -> None:
        self.service = service

    # --- who --------------------------------------------------------------------------

    def _role(self) -> str | None:
        return policy_of(self.service.tenant).role

    def may_fill(self, actor: Actor) -> bool:
        """A holder of the assessor role fills the form (a Plt/Plh too)."""
        return holds_assessor_role(actor, self.service.tenant)

    def may_initial(self, actor: Actor) -> bool:
        """Only a holder of the assessor role in their own right initials it."""
        return holds_assessor_role(actor, self.service.tenant, own_right=True)

    async def _reader(self, user_id: int) -> Actor:
        ctx = await self.service.context(user_id)
        require_reader(ctx.actor, self.service.tenant, self.service.sops())
        return ctx.actor

    # --- reading ----------------------------------------------------------------------

    async def list(self, user_id: int) -> list[MonevRecord]:
        """The office's forms, newest period first."""
        await self._reader(user_id)
        return await form_rows(self.service.ref.id)

    async def get(self, user_id: int, form_id: int) -> MonevRecord:
        await self._reader(user_id)
        return await one_form(self.service.ref.id, form_id)

    async def versions(self, user_id: int, form_id: int) -> list[MonevVersionRecord]:
        """Every version of the form, newest first."""
        await self.get(user_id, form_id)
        return await versions_of(self.service.ref.id, form_id)

    async def waiting(self, user_id: int) -> list[MonevRecord]:
        """The open forms ``user_id`` fills (their inbox); none for anyone else."""
        ctx = await self.service.context(user_id)
        if not self.may_fill(ctx.actor):
            return []
        return [r for r in await form_rows(self.service.ref.id) if r.state == OPEN]

    async def readable(self, user_id: int) -> bool:
        ctx = await self.service.context(user_id)
        return reads_figures(ctx.actor, self.service.tenant, self.service.sops())

    # --- filling ----------------------------------------------------------------------

    async def save(
        self, user_id: int, form_id: int, values: Mapping[Any, Mapping[str, Any]], *, version: int
    ) -> MonevRecord:
        """Save the assessor's judgements, catatan and tindakan (``values``: per kegiatan
        number, ``judgement`` ("baik", "tidak" or empty), ``catatan``, ``tindakan``; a
        kegiatan not given keeps what it had). Every problem at once (:class:`InvalidInput`,
        fields ``rows.<n>.<name>``); a save on an older ``version`` is :class:`StaleMonev`."""
        ctx = await self.service.context(user_id)
        record = await one_form(self.service.ref.id, form_id)
        if not self.may_fill(ctx.actor):
            raise Forbidden(what=gettext("fill this monev form: it is for the office's assessor"))
        if record.initialled:
            raise MonevInitialled(name=record.paraf_name)
        form = filled(record.form, values)
        if version != record.version:
            raise StaleMonev(by=record.updated_by)
        now = self.service.clock()
        async with write_transaction(self.service.db):
            await update_form(
                record,
                version,
                ctx.actor.name,
                now,
                form=json.dumps(form.to_dict(), ensure_ascii=False),
                content_hash=form.content_hash(),
            )
            await add_version(
                self.service.ref.id,
                record.id,
                version + 1,
                SAVED,
                form,
                user_id=user_id,
                name=ctx.actor.name,
                at=now,
            )
            saved = await one_form(self.service.ref.id, form_id)
            await self.record_change("monev_saved", ctx.actor, saved, now)
        return saved

    async def paraf(
        self, user_id: int, form_id: int, *, version: int, password: str | None
    ) -> MonevRecord:
        """The assessor initials the form they read (``version``): module docstring."""
        ctx = await self.service.context(user_id)
        record = await one_form(self.service.ref.id, form_id)
        if not self.may_initial(ctx.actor):
            raise Forbidden(
                what=gettext(
                    "initial this monev form: only a holder of the assessor role in their own "
                    "right (not as Plt/Plh) initials it"
                )
            )
        if record.initialled:
            raise MonevInitialled(name=record.paraf_name)
        if version != record.version:
            raise StaleMonev(by=record.updated_by)
        missing = {
            f"rows.{r.step}.judgement": gettext(
                "choose whether it runs well or not before the paraf"
            )
            for r in record.form.rows
            if r.judgement not in JUDGEMENTS
        }
        if missing or not record.form.rows:
            raise InvalidInput(missing or {"rows": gettext("the form has no kegiatan")})
        confirmed = await signer_for(self.service).confirm(
            user_id, password, DataAction.PARAF, record.content_hash
        )
        person = (
            await User.select(User.name, User.jabatan, User.nip).where(User.id == user_id).first()
        )
        assert person is not None
        role = self._role() or ""
        jabatan = person["jabatan"] or _role_name(self.service, role)
        now = self.service.clock()
        async with write_transaction(self.service.db):
            await update_form(
                record,
                version,
                ctx.actor.name,
                now,
                state=DIPARAF,
                paraf_by=user_id,
                paraf_at=now,
                paraf_name=person["name"][:255],
                paraf_jabatan=jabatan[:255],
                paraf_nip=person["nip"][:32],
            )
            await add_version(
                self.service.ref.id,
                record.id,
                version + 1,
                INITIALLED,
                record.form,
                user_id=user_id,
                name=ctx.actor.name,
                at=now,
            )
            done = await one_form(self.service.ref.id, form_id)
            await self.record_change(
                "monev_diparaf",
                ctx.actor,
                done,
                now,
                name=person["name"],
                nip=person["nip"],
                confirmed_by=confirmed.get("method", ""),
            )
        return done

    async def reopen(self, user_id: int, form_id: int, note: str = "") -> MonevRecord:
        """The office admin withdraws the paraf so the form can be changed again: a new
        version with the same content, without the paraf; ``note`` says why."""
        ctx = await self.service.context(user_id)
        if not ctx.actor.administrator:
            raise Forbidden(what=gettext("reopen a monev form: you are not the office admin"))
        record = await one_form(self.service.ref.id, form_id)
        if not record.initialled:
            raise MonevNotInitialled()
        note = note.strip() if isinstance(note, str) else ""
        if problem := limits.text_problem(note, TEXT_LIMIT):
            raise InvalidInput({"note": problem})
        now = self.service.clock()
        async with write_transaction(self.service.db):
            await update_form(
                record,
                record.version,
                ctx.actor.name,
                now,
                state=OPEN,
                paraf_by=None,
                paraf_at=None,
                paraf_name="",
                paraf_jabatan="",
                paraf_nip="",
            )
            await add_version(
                self.service.ref.id,
                record.id,
                record.version + 1,
                REOPENED,
                record.form,
                user_id=user_id,
                name=ctx.actor.name,
                at=now,
            )
            done = await one_form(self.service.ref.id, form_id)
            await self.record_change("monev_reopened", ctx.actor, done, now, note=note)
        return done

    # --- helpers ----------------------------------------------------------------------

    async def record_change(
        self,
        change: str,
        actor: Actor | None,
        record: MonevRecord,
        at: datetime,
        *,
        note: str = "",
        **details: Any,
    ) -> None:
        """Record ``change`` of form ``record`` on the office's chain (``actor`` None: the
        worker), in the caller's transaction; what ``alur audit verify`` checks the form
        row against (:mod:`alur.tenants.audit.monev_check`)."""
        await record_office_change(
            self.service.db,
            self.service.ref,
            change,
            actor=actor.id if actor is not None else None,
            actor_name=actor.name if actor is not None else WORKER,
            details={
                "form": record.id,
                "sop": record.sop_id,
                "period": f"{record.period.start.isoformat()}/{record.period.end.isoformat()}",
                "version": record.version,
                "content_hash": record.content_hash,
                **details,
            },
            note=note,
            at=at,
        )


def filled(form: MonevForm, values: Mapping[Any, Mapping[str, Any]]) -> MonevForm:
    """``form`` with the assessor's ``values`` (:meth:`MonevForms.save`), or
    :class:`InvalidInput` naming every bad field."""
    errors: dict[str, str] = {}
    given: dict[int, Mapping[str, Any]] = {}
    for key, row in values.items():
        text = str(key).strip()
        step = int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None
        if step is None or not isinstance(row, Mapping):
            errors["rows"] = gettext("the form has no such kegiatan")
            continue
        given[step] = row
    known = {r.step for r in form.rows}
    for step in given:
        if step not in known:
            errors[f"rows.{step}"] = format_message("the form has no kegiatan {step}", step=step)
    rows = []
    for r in form.rows:
        row = given.get(r.step)
        if row is None:
            rows.append(r)
            continue
        judgement = row.get("judgement", r.judgement)
        judgement = judgement.strip().lower() if isinstance(judgement, str) else judgement
        if judgement in ("", None):
            judgement = None
        elif judgement not in JUDGEMENTS:
            errors[f"rows.{r.step}.judgement"] = gettext("choose whether it runs well or not")
        texts = {}
        for name in ("catatan", "tindakan"):
            value = row.get(name, getattr(r, name))
            value = value.strip() if isinstance(value, str) else value
            if problem := limits.text_problem(value, TEXT_LIMIT, multiline=True):
                errors[f"rows.{r.step}.{name}"] = problem
            texts[name] = value if isinstance(value, str) else ""
        rows.append(replace(r, judgement=judgement if judgement in JUDGEMENTS else None, **texts))
    if errors:
        raise InvalidInput(errors)
    return replace(form, rows=tuple(rows))


def _role_name(service: TenantService, role: str) -> str:
    for d in service.sops().values():
        if role in d.roles_by_id:
            return d.roles_by_id[role].name
    return role
