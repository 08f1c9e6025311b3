"""An office's SOP revisions: drafted, submitted, approved (pengesahan), in force, replaced
or revoked — each transition an event on the office's audit chain.

The states and which revision is in force are pure (:mod:`alur.core.sop_life.revisions`);
this module stores revisions (``alur_sop_revision``), decides who may act and records what
was done. Every door (web, GraphQL, command line) calls :class:`SopRevisions`.

Who may do what (Permenpan RB 35/2012: penyusunan, pengesahan):

* draft, save, submit, revoke a draft: the office administrator, or a holder of the SOP's
  *penyusun* role (``[sop.office] penyusun``; none unless the plugin names one);
* return a submission or approve it: a person holding the SOP's *pengesah* role
  (:attr:`~alur.core.model.SopDefinition.pengesah_role`) in their own right — not as
  Plt/Plh — whose NIP is recorded;
* revoke an approved or in-force revision: the pengesah.

A save names the ``version`` it was made on; a save on an older version is refused
(:class:`~alur.tenants.sop_life.errors.StaleRevision`) so two admins never overwrite each
other silently. Changes recorded on the chain (``office_changed``, payload ``change``):
``sop_revision_drafted``, ``_saved``, ``_submitted``, ``_returned``, ``_approved``,
``_in_force``, ``_superseded``, ``_revoked``; details: ``sop``, ``number``, ``state``,
``content_hash`` (and ``base_hash`` when drafted, ``effective_on`` when approved).
"""

from __future__ import annotations

import json
from typing import Any

from alur.core.engine.actors import Actor
from alur.core.i18n import gettext
from alur.core.model import DataAction
from alur.core.sop_life.part import (
    SIGNATORY,
    OfficePart,
    apply_part,
    approved_part,
    check_part,
    merged,
    own_fields_blank,
    starting_part,
    without_fields,
)
from alur.core.sop_life.revisions import RevisionAction, RevisionState
from alur.tenants.audit.office_log import write_transaction
from alur.tenants.errors import Forbidden, InvalidInput
from alur.tenants.kinerja.signing import signer_for
from alur.tenants.sop_life.errors import OpenDraftExists, StaleRevision
from alur.tenants.sop_life.revision_log import record_revision, restore_previous, take_effect
from alur.tenants.sop_life.revision_notices import (
    APPROVED,
    RETURNED,
    tell_pengesah,
    tell_submitter,
)
from alur.tenants.sop_life.revision_reads import RevisionReads
from alur.tenants.sop_life.revision_rows import (
    Revision,
    definitions_in_force,
    office_revision_refs,
    parse_effective_on,
    revision_from_row,
    sop_date,
    update_revision,
)
from alur.tenants.sop_life.revision_rules import (
    approver,
    checked_draft,
    may_approve,
    may_draft,
    revision_note,
)
from alur.tenants.storage.tables import SopRevision

# Re-exported: the other doors import them from here.
__all__ = [
    "Revision",
    "SopRevisions",
    "definitions_in_force",
    "office_revision_refs",
    "parse_effective_on",
    "revision_from_row",
    "sop_date",
    "take_effect",
]


class SopRevisions(RevisionReads):
    """The revisions of one office's SOPs, as one person (``user_id``) sees and changes
    them (the reads and the checks every action shares: :class:`RevisionReads`)."""

    async def start_draft(self, sop_id: str, *, on_newer_base: bool = False) -> Revision:
        """A new draft of ``sop_id``: a copy of the revision in force (its part, without its
        signatory and dates), on the same base — or on the plugin's current definition when
        ``on_newer_base``. An office's first draft starts from the plugin's definition, with
        the header fields that name an office (nomor, dates, disahkan oleh) left empty
        unless the office is the plugin's own institution."""
        ctx = await self.service.context(self.user_id)
        current = self.service.sop(sop_id)  # NotFound for an SOP the office does not run
        self._require_draft(ctx.actor, current)
        plugin_name, plugin_def = self.service.plugin_definition(sop_id)
        existing = await self.list(sop_id)
        for r in existing:
            if r.state in (RevisionState.DRAF, RevisionState.DIAJUKAN):
                raise OpenDraftExists(number=r.number, state=str(r.state))
        # The newest approved revision (in force, or approved to take effect later): a new
        # draft never loses approved changes.
        in_force_now = next(
            (r for r in existing if r.state in (RevisionState.BERLAKU, RevisionState.DISAHKAN)),
            None,
        )
        part = starting_part(
            in_force_now.part if in_force_now is not None else None,
            institution=self.service.is_institution_office(plugin_name),
        )
        base_hash = plugin_def.content_hash
        if in_force_now is not None and not on_newer_base:
            base_hash = in_force_now.base_hash
        base = plugin_def if base_hash == plugin_def.content_hash else None
        if base is None:
            base = await self.service.store.definition(base_hash)
        await self.service.store.pin_definition(plugin_name, base)
        problems = check_part(base, part)
        if problems:  # an old part on a newer base: keep only what still applies
            part = without_fields(part, problems)
        number = max((r.number for r in existing), default=-1) + 1
        name = ctx.actor.name
        definition = apply_part(base, part)
        async with write_transaction(self.service.db):
            row = SopRevision(
                tenant=self.ref.id,
                plugin=plugin_name,
                sop_id=sop_id,
                number=number,
                state=str(RevisionState.DRAF),
                base_hash=base_hash,
                part=json.dumps(part.to_mapping(), ensure_ascii=False),
                content_hash=definition.content_hash,
                version=1,
                updated_by=name,
            )
            try:
                await row.save()
            except Exception as exc:  # a draft started at the same moment took the number
                raced = [r for r in await self.list(sop_id) if r.number == number]
                if raced:
                    raise OpenDraftExists(number=number, state=str(raced[0].state)) from exc
                raise
            await self._record(
                "drafted",
                ctx.actor,
                sop_id,
                number,
                RevisionState.DRAF,
                definition.content_hash,
                base_hash=base_hash,
            )
        return await self._row(sop_id, number)

    async def save_draft(
        self,
        sop_id: str,
        number: int,
        part: Any,
        *,
        effective_on: Any = None,
        version: int,
    ) -> Revision:
        """Save the draft's part (mapping form or :class:`OfficePart`) and tanggal efektif.
        Every problem at once (:class:`InvalidInput`, by field path); a save on an older
        ``version`` is :class:`StaleRevision`."""
        ctx = await self.service.context(self.user_id)
        revision = await self._row(sop_id, number)
        self._require_draft(ctx.actor, self.service.sop(sop_id))
        self._allowed(revision, RevisionAction.SAVE)
        base = await self.base(revision)
        part, day, definition, problems = checked_draft(base, part, effective_on)
        if SIGNATORY in part.header:  # who signed is recorded at pengesahan, never typed
            part = OfficePart(
                header={k: v for k, v in part.header.items() if k != SIGNATORY}, steps=part.steps
            )
            definition = apply_part(base, part) if not problems else None
        if problems:
            raise InvalidInput(problems)
        if not self.service.is_institution_office(revision.plugin):
            # A field naming the office that the save leaves out stays empty: never the
            # institution's nomor, dates or signatory.
            part = merged(own_fields_blank(base), part)
            definition = apply_part(base, part)
        assert definition is not None
        async with write_transaction(self.service.db):
            await self._update(
                revision,
                version,
                ctx.actor.name,
                part=json.dumps(part.to_mapping(), ensure_ascii=False),
                content_hash=definition.content_hash,
                effective_on=day,
            )
            await self._record(
                "saved",
                ctx.actor,
                sop_id,
                number,
                RevisionState.DRAF,
                definition.content_hash,
                effective_on=day.isoformat() if day else "",
            )
        return await self._row(sop_id, number)

    async def check_draft(
        self, sop_id: str, number: int, part: Any, *, effective_on: Any = None
    ) -> dict[str, str]:
        """Every problem :meth:`save_draft` would refuse ``part`` and ``effective_on``
        with, by field path, without saving anything (an editor's live check)."""
        ctx = await self.service.context(self.user_id)
        revision = await self._row(sop_id, number)
        self._require_draft(ctx.actor, self.service.sop(sop_id))
        self._allowed(revision, RevisionAction.SAVE)
        return checked_draft(await self.base(revision), part, effective_on)[3]

    async def submit(self, sop_id: str, number: int, *, version: int) -> Revision:
        """Submit the draft for approval (diajukan): it needs a tanggal efektif; its content
        is fixed from now on (its snapshot stored under its hash)."""
        ctx = await self.service.context(self.user_id)
        revision = await self._row(sop_id, number)
        self._require_draft(ctx.actor, self.service.sop(sop_id))
        self._allowed(revision, RevisionAction.SUBMIT)
        if revision.effective_on is None:
            raise InvalidInput({"effective_on": gettext("give the tanggal efektif first")})
        definition = await self.definition(revision)
        await self.service.store.pin_definition(revision.plugin, definition)
        async with write_transaction(self.service.db):
            await self._update(
                revision,
                version,
                ctx.actor.name,
                state=str(RevisionState.DIAJUKAN),
                content_hash=definition.content_hash,
                submitted_at=self._now(),
                note="",
            )
            await self._record(
                "submitted",
                ctx.actor,
                sop_id,
                number,
                RevisionState.DIAJUKAN,
                definition.content_hash,
            )
            await tell_pengesah(self.ref.id, ctx, definition, number, version + 1)
        return await self._row(sop_id, number)

    async def return_to_draft(self, sop_id: str, number: int, note: str) -> Revision:
        """The pengesah returns a submission to draf with a note (required)."""
        ctx = await self.service.context(self.user_id)
        revision = await self._row(sop_id, number)
        self._require_approve(ctx.actor, self.service.sop(sop_id))
        self._allowed(revision, RevisionAction.RETURN)
        note = revision_note(note, required=True)
        async with write_transaction(self.service.db):
            await self._update(
                revision,
                revision.version,
                ctx.actor.name,
                state=str(RevisionState.DRAF),
                note=note,
            )
            await self._record(
                "returned",
                ctx.actor,
                sop_id,
                number,
                RevisionState.DRAF,
                revision.content_hash,
                note=note,
            )
            d = await self.definition(revision)
            await tell_submitter(self.ref.id, ctx, RETURNED, d, number, revision.version, note)
        return await self._row(sop_id, number)

    async def approve(
        self, sop_id: str, number: int, *, version: int, password: str | None
    ) -> Revision:
        """Pengesahan: the pengesah approves the submission they read (``version``). The
        approver's name, jabatan and NIP become the SOP's *disahkan oleh*; empty dates are
        filled (tanggal pembuatan or revisi: today; tanggal efektif: the revision's). In force
        at once when its tanggal efektif has come, else from that day (:func:`take_effect`).
        Nothing of a running case changes. ``password``: the approver's own, asked again on
        every door (an API token alone cannot approve an SOP, as it cannot sign a recap),
        checked like a tanda tangan's (:mod:`alur.tenants.kinerja.signing`: missing or wrong
        is :class:`InvalidInput` on ``password``, counted as a failed sign-in) before anything
        is written."""
        ctx = await self.service.context(self.user_id)
        revision = await self._row(sop_id, number)
        self._require_approve(ctx.actor, self.service.sop(sop_id))
        self._allowed(revision, RevisionAction.APPROVE)
        if version != revision.version:
            raise StaleRevision(number=number, by=revision.updated_by)
        signatory = await approver(self.user_id, self.service.sop(sop_id).pengesah_role)
        confirmed = await signer_for(self.service).confirm(
            self.user_id, password, DataAction.SIGN, revision.content_hash
        )
        today = self._today()
        assert revision.effective_on is not None
        base = await self.base(revision)
        part = approved_part(
            revision.part,
            number,
            signatory,
            approved_on=sop_date(today),
            effective=sop_date(revision.effective_on),
            base=base.header,
        )
        definition = apply_part(base, part)
        await self.service.store.pin_definition(revision.plugin, definition)
        now = self._now()
        async with write_transaction(self.service.db):
            await self._update(
                revision,
                version,
                ctx.actor.name,
                state=str(RevisionState.DISAHKAN),
                part=json.dumps(part.to_mapping(), ensure_ascii=False),
                content_hash=definition.content_hash,
                signatory=json.dumps(
                    {"nama": signatory.nama, "jabatan": signatory.jabatan, "nip": signatory.nip}
                ),
                approved_by=self.user_id,
                approved_at=now,
                note="",
            )
            await self._record(
                "approved",
                ctx.actor,
                sop_id,
                number,
                RevisionState.DISAHKAN,
                definition.content_hash,
                effective_on=revision.effective_on.isoformat(),
                signatory=signatory.nama,
                nip=signatory.nip,
                confirmed_by=confirmed.get("method", ""),
            )
            if revision.effective_on <= today:
                await take_effect(self.service.db, self.ref, sop_id, number, now)
            await tell_submitter(self.ref.id, ctx, APPROVED, definition, number, version)
        return await self._row(sop_id, number)

    async def revoke(self, sop_id: str, number: int, note: str) -> Revision:
        """Dicabut: a draft or submission by its drafters, an approved or in-force revision
        by the pengesah (the SOP then runs the previous revision in force, or the plugin's)."""
        ctx = await self.service.context(self.user_id)
        revision = await self._row(sop_id, number)
        d = self.service.sop(sop_id)
        if revision.state in (RevisionState.DRAF, RevisionState.DIAJUKAN):
            if not (may_draft(ctx.actor, d) or may_approve(ctx.actor, d)):
                raise Forbidden(what=gettext("revoke this revision"))
        else:
            self._require_approve(ctx.actor, d)
        self._allowed(revision, RevisionAction.REVOKE)
        note = revision_note(note, required=revision.state not in (RevisionState.DRAF,))
        async with write_transaction(self.service.db):
            await self._update(
                revision,
                revision.version,
                ctx.actor.name,
                state=str(RevisionState.DICABUT),
                note=note,
                ended_at=self._now(),
            )
            await self._record(
                "revoked",
                ctx.actor,
                sop_id,
                number,
                RevisionState.DICABUT,
                revision.content_hash,
                note=note,
            )
            if revision.state is RevisionState.BERLAKU:
                await restore_previous(self.service.db, self.ref, sop_id, number, self._now())
        return await self._row(sop_id, number)

    # --- helpers ----------------------------------------------------------------------------

    async def _update(self, revision: Revision, version: int, by: str, **values: Any) -> None:
        await update_revision(revision, version, by, self._now(), **values)

    async def _record(
        self,
        what: str,
        actor: Actor,
        sop_id: str,
        number: int,
        state: RevisionState,
        content_hash: str,
        *,
        note: str = "",
        **details: Any,
    ) -> None:
        await record_revision(
            self.service.db,
            self.ref,
            what,
            actor=actor.id,
            actor_name=actor.name,
            sop_id=sop_id,
            number=number,
            state=state,
            content_hash=content_hash,
            at=self._now(),
            note=note,
            **details,
        )
