"""Opening the monev forms (:mod:`alur.tenants.monitoring.monev`): the forms of a period for
every SOP in force, pre-filled from the Mutu baku report (:meth:`MonevOpening.open_period`,
the worker's and the administrator's "Buka formulir monev sekarang",
:meth:`MonevOpening.open_now`), and a form opened before its period ended made to cover the
whole period when it ends (``monev_extended``). A mixin of
:class:`~alur.tenants.monitoring.monev.MonevForms`, which gives it ``service``, ``_role``
and ``record_change``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from alur.core.engine.actors import Actor
from alur.core.i18n import current_language, gettext
from alur.core.monitoring.monev import MonevForm, propose_rows
from alur.tenants.audit.office_log import write_transaction
from alur.tenants.errors import Forbidden
from alur.tenants.monitoring.monev_errors import NoAssessor
from alur.tenants.monitoring.monev_notices import OPENED_KIND, tell_assessors
from alur.tenants.monitoring.monev_policy import period_of, policy_of
from alur.tenants.monitoring.monev_rows import (
    EXTENDED,
    OPEN,
    OPENED,
    MonevRecord,
    add_version,
    form_rows,
    one_form,
    update_form,
)
from alur.tenants.monitoring.report import MutuBakuReports, Period, ReportFilter
from alur.tenants.offices.provisioning import calendar_for
from alur.tenants.storage.tables import MonevForm as MonevFormRow

DUE_WORKING_DAYS = 10
REMIND_WORKING_DAYS_BEFORE = 2
WORKER = "Alur"  # the actor name of what the worker does


def working_days_after(calendar: Any, day: date, n: int) -> date:
    for _ in range(n):
        day = calendar.next_working_day(day)
    return day


class MonevOpening:
    """Opening and extending the office's monev forms (module docstring)."""

    service: Any  # TenantService, set by MonevForms
    _role: Any
    record_change: Any

    async def open_now(self, user_id: int) -> list[MonevRecord]:
        """The administrator opens the forms of the current period so far (module
        docstring); returns those opened now (none for an SOP whose form is open already)."""
        ctx = await self.service.context(user_id)
        if not ctx.actor.administrator:
            raise Forbidden(what=gettext("open the monev forms: you are not the office admin"))
        policy = policy_of(self.service.tenant)
        if policy.role is None:
            raise NoAssessor()
        today = self.service.today()
        period = Period(period_of(today, policy.every_months).start, today)
        return await self.open_period(period, actor=ctx.actor)

    async def open_period(self, period: Period, *, actor: Actor | None = None) -> list[MonevRecord]:
        """Open the form of every SOP in force for ``period`` unless it has one (idempotent:
        two workers, or a round repeated, open each form once); returns those opened."""
        service = self.service
        role = self._role()
        if role is None:
            return []
        calendar = await calendar_for(service.tenant)
        today = service.today()
        due = working_days_after(calendar, today, DUE_WORKING_DAYS)
        remind = working_days_after(calendar, today, DUE_WORKING_DAYS - REMIND_WORKING_DAYS_BEFORE)
        existing = {
            r.sop_id: r for r in await form_rows(service.ref.id) if r.period.start == period.start
        }
        opened: list[MonevRecord] = []
        for sop_id, definition in sorted(service.sops().items()):
            found = existing.get(sop_id)
            if found is not None:
                if found.state == OPEN and found.period.end < period.end:
                    await self._extend(found, definition, period, actor)
                continue
            form = await self._proposed(definition, period)
            plugin = service.plugin_definition(sop_id)[0]
            await service.store.pin_definition(plugin, definition)
            now = service.clock()
            name = actor.name if actor is not None else WORKER
            async with write_transaction(service.db):
                inserted = await MonevFormRow.raw(
                    "INSERT INTO alur_monev_form (tenant, plugin, sop_id, definition_hash, "
                    "period_start, period_end, state, due_on, remind_on, version, form, "
                    "content_hash, opened_by, opened_at, updated_by, updated_at, paraf_by, "
                    "paraf_at, paraf_name, paraf_jabatan, paraf_nip) VALUES ({}, {}, {}, {}, "
                    "{}, {}, {}, {}, {}, 1, {}, {}, {}, {}, {}, {}, NULL, NULL, '', '', '') "
                    "ON CONFLICT (tenant, sop_id, period_start) DO NOTHING RETURNING id",
                    service.ref.id,
                    plugin,
                    sop_id,
                    definition.content_hash,
                    period.start,
                    period.end,
                    OPEN,
                    due,
                    remind,
                    json.dumps(form.to_dict(), ensure_ascii=False),
                    form.content_hash(),
                    name[:255] if actor is not None else "",
                    now,
                    name[:255],
                    now,
                )
                if not inserted:  # opened at the same moment by another worker
                    continue
                form_id = inserted[0]["id"]
                user_id = int(actor.id) if actor is not None and actor.id.isdigit() else None
                await add_version(
                    service.ref.id, form_id, 1, OPENED, form, user_id=user_id, name=name, at=now
                )
                record = await one_form(service.ref.id, form_id)
                await self.record_change("monev_opened", actor, record, now)
                await tell_assessors(
                    service.ref.id,
                    role,
                    record,
                    OPENED_KIND,
                    now=now,
                    calendar=calendar,
                    skip=actor.id if actor is not None else None,
                )
            opened.append(record)
        return opened

    async def _proposed(
        self, definition: Any, period: Period, keep: MonevForm | None = None
    ) -> MonevForm:
        """The form of ``definition`` over ``period``, pre-filled from the report's figures
        (in Indonesian, the official form's language); the assessor's judgement, catatan and
        tindakan of ``keep`` are kept per kegiatan."""
        report = await MutuBakuReports(self.service).report_for_operator(
            ReportFilter(definition.id, period)
        )
        (sop,) = report.sops
        token = current_language.set("id")
        try:
            rows = propose_rows(
                definition, {s.number: s.figures for s in sop.steps}, report.minutes_per_day
            )
        finally:
            current_language.reset(token)
        if keep is not None:
            theirs = {r.step: r for r in keep.rows}
            rows = tuple(
                replace(r, judgement=t.judgement, catatan=t.catatan, tindakan=t.tindakan)
                if (t := theirs.get(r.step)) is not None
                else r
                for r in rows
            )
        return MonevForm(
            sop_id=definition.id,
            sop_name=definition.header.nama,
            sop_nomor=definition.header.nomor,
            start=period.start,
            end=period.end,
            rows=rows,
        )

    async def _extend(
        self, record: MonevRecord, definition: Any, period: Period, actor: Actor | None
    ) -> MonevRecord:
        """A form the admin opened before its period ended, not yet initialled, now covers
        the whole period: its proposals and evidence are made again from the period's
        figures, the assessor's judgements, catatan and tindakan are kept; a new version,
        recorded on the chain (``monev_extended``)."""
        form = await self._proposed(definition, period, keep=record.form)
        now = self.service.clock()
        name = actor.name if actor is not None else WORKER
        async with write_transaction(self.service.db):
            await update_form(
                record,
                record.version,
                name,
                now,
                period_end=period.end,
                form=json.dumps(form.to_dict(), ensure_ascii=False),
                content_hash=form.content_hash(),
            )
            await add_version(
                self.service.ref.id,
                record.id,
                record.version + 1,
                EXTENDED,
                form,
                user_id=None,
                name=name,
                at=now,
            )
            done = await one_form(self.service.ref.id, record.id)
            await self.record_change("monev_extended", actor, done, now)
        return done
