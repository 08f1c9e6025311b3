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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_date

from alur.core import limits
from alur.core.engine.actors import Actor
from alur.core.errors import N_
from alur.core.i18n import format_message, gettext
from alur.core.model import Official, SopDefinition
from alur.core.sop_life.part import (
    OWN_HEADER_FIELDS,
    OfficePart,
    apply_part,
    check_part,
    merged,
    part_from_mapping,
)
from alur.core.sop_life.revisions import (
    RevisionAction,
    RevisionRef,
    RevisionState,
    in_force,
    next_state,
)
from alur.core.validation import validate_definition
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.cases.rows import from_json
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.sop_life.errors import OpenDraftExists, RevisionStateRefused, StaleRevision
from alur.tenants.storage.tables import SopRevision, User

# Past tense of each action, for messages ("it cannot be submitted").
_DONE = {
    RevisionAction.SAVE: N_("saved"),
    RevisionAction.SUBMIT: N_("submitted"),
    RevisionAction.RETURN: N_("returned"),
    RevisionAction.APPROVE: N_("approved"),
    RevisionAction.REVOKE: N_("revoked"),
}


@dataclass(frozen=True)
class Revision:
    """One stored revision of an office's SOP."""

    id: int
    sop_id: str
    plugin: str
    number: int
    state: RevisionState
    base_hash: str
    part: OfficePart
    content_hash: str
    version: int
    effective_on: date | None
    note: str
    signatory: Official | None
    updated_by: str
    updated_at: datetime
    created_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    ended_at: datetime | None

    @property
    def ref(self) -> RevisionRef:
        return RevisionRef(
            self.sop_id, self.number, self.state, self.effective_on, self.content_hash
        )


def revision_from_row(row: dict[str, Any]) -> Revision:
    part, _ = part_from_mapping(from_json(row["part"]) or {})
    signed = from_json(row["signatory"]) or {}
    effective = row["effective_on"]
    if isinstance(effective, str):
        effective = date.fromisoformat(effective[:10])
    return Revision(
        id=row["id"],
        sop_id=row["sop_id"],
        plugin=row["plugin"],
        number=row["number"],
        state=RevisionState(row["state"]),
        base_hash=row["base_hash"],
        part=part,
        content_hash=row["content_hash"],
        version=row["version"],
        effective_on=effective,
        note=row["note"],
        signatory=Official(**signed) if signed.get("nama") else None,
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        approved_at=row["approved_at"],
        ended_at=row["ended_at"],
    )


def sop_date(day: date) -> str:
    """A date as SOP sheets write it, in Indonesian whatever the reader's language
    ("8 Januari 2027"): SOP text is the institution's."""
    return format_date(day, "d MMMM y", locale="id_ID")


def parse_effective_on(value: Any) -> tuple[date | None, str | None]:
    """A tanggal efektif from a form or API (``YYYY-MM-DD``; empty: not yet set), or the
    problem with it."""
    if value is None or isinstance(value, date):
        return value, None
    if not isinstance(value, str) or not value.strip():
        return None, None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None, gettext("give the date as YYYY-MM-DD, e.g. 2027-01-04")
    if not 2000 <= day.year <= 2200:
        return None, gettext("give a date between the years 2000 and 2200")
    return day, None


async def office_revision_refs(tenant_id: int) -> list[RevisionRef]:
    """The office's approved revisions (those that can be in force), as refs."""
    rows = await SopRevision.select(
        SopRevision.sop_id,
        SopRevision.number,
        SopRevision.state,
        SopRevision.effective_on,
        SopRevision.content_hash,
    ).where(
        (SopRevision.tenant == tenant_id)
        & SopRevision.state.is_in([str(RevisionState.DISAHKAN), str(RevisionState.BERLAKU)])
    )
    return [
        RevisionRef(
            r["sop_id"],
            r["number"],
            RevisionState(r["state"]),
            date.fromisoformat(r["effective_on"][:10])
            if isinstance(r["effective_on"], str)
            else r["effective_on"],
            r["content_hash"],
        )
        for r in rows
    ]


async def definitions_in_force(refs: list[RevisionRef], today: date) -> dict[str, SopDefinition]:
    """Per SOP id, the definition of the revision in force on ``today`` (parsed once per
    process, :func:`~alur.tenants.cases.snapshots.pinned_definitions`)."""
    chosen = in_force(refs, today)
    if not chosen:
        return {}
    found = await pinned_definitions([r.content_hash for r in chosen.values()])
    return {sop: found[r.content_hash] for sop, r in chosen.items() if r.content_hash in found}


class SopRevisions:
    """The revisions of one office's SOPs, as one person (``user_id``) sees and changes
    them. Opened on a :class:`~alur.tenants.cases.service.TenantService` (the office)."""

    def __init__(self, service: Any, user_id: int) -> None:
        self.service = service
        self.user_id = user_id
        self.ref = service.ref

    # --- reads ----------------------------------------------------------------------------

    async def list(self, sop_id: str | None = None) -> list[Revision]:
        """The office's revisions (of ``sop_id``), newest number first per SOP."""
        await self.service.context(self.user_id)  # a member of the office, not suspended
        where = SopRevision.tenant == self.ref.id
        if sop_id is not None:
            where &= SopRevision.sop_id == sop_id
        rows = await SopRevision.select().where(where).order_by(SopRevision.sop_id)
        revisions = [revision_from_row(r) for r in rows]
        return sorted(revisions, key=lambda r: (r.sop_id, -r.number))

    async def get(self, sop_id: str, number: int) -> Revision:
        await self.service.context(self.user_id)
        return await self._row(sop_id, number)

    async def base(self, revision: Revision) -> SopDefinition:
        """The plugin definition ``revision`` builds on."""
        return await self.service.store.definition(revision.base_hash)

    async def definition(self, revision: Revision) -> SopDefinition:
        """The definition ``revision`` gives: its snapshot from submission on, else its base
        with its part laid over it."""
        if revision.state is not RevisionState.DRAF and revision.content_hash:
            return await self.service.store.definition(revision.content_hash)
        return apply_part(await self.base(revision), revision.part)

    async def may_draft(self, sop_id: str) -> bool:
        actor = (await self.service.context(self.user_id)).actor
        return _may_draft(actor, self.service.sop(sop_id))

    async def may_approve(self, sop_id: str) -> bool:
        actor = (await self.service.context(self.user_id)).actor
        return _may_approve(actor, self.service.sop(sop_id))

    # --- drafting ---------------------------------------------------------------------------

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
        in_force_now = next(
            (
                r
                for r in existing
                if r.content_hash == current.content_hash
                and r.state.value in ("berlaku", "disahkan")
            ),
            None,
        )
        clear = OfficePart(
            header={
                "tanggal_revisi": "",
                "tanggal_efektif": "",
                "disahkan_oleh": Official(nama=""),
            }
        )
        if in_force_now is not None:
            part = merged(in_force_now.part, clear)
            base_hash = plugin_def.content_hash if on_newer_base else in_force_now.base_hash
        else:
            own = self.service.is_institution_office(plugin_name)
            part = (
                OfficePart()
                if own
                else OfficePart(
                    header={
                        f: (Official(nama="") if f == "disahkan_oleh" else "")
                        for f in OWN_HEADER_FIELDS
                    }
                )
            )
            base_hash = plugin_def.content_hash
        base = plugin_def if base_hash == plugin_def.content_hash else None
        if base is None:
            base = await self.service.store.definition(base_hash)
        await self.service.store.pin_definition(plugin_name, base)
        problems = check_part(base, part)
        if problems:  # an old part on a newer base: keep only what still applies
            part = _without(part, problems)
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
            await row.save()
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
        if isinstance(part, OfficePart):
            problems: dict[str, str] = {}
        else:
            part, problems = part_from_mapping(part)
        problems.update(check_part(base, part))
        day, problem = parse_effective_on(effective_on)
        if problem:
            problems["effective_on"] = problem
        definition = None
        if not problems:
            definition = apply_part(base, part)
            for p in validate_definition(definition):
                key = f"steps.{p.step}" if p.step is not None else "part"
                problems.setdefault(key, p.message)
        if problems:
            raise InvalidInput(problems)
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
                "saved", ctx.actor, sop_id, number, RevisionState.DRAF, definition.content_hash
            )
        return await self._row(sop_id, number)

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
        return await self._row(sop_id, number)

    async def return_to_draft(self, sop_id: str, number: int, note: str) -> Revision:
        """The pengesah returns a submission to draf with a note (required)."""
        ctx = await self.service.context(self.user_id)
        revision = await self._row(sop_id, number)
        self._require_approve(ctx.actor, self.service.sop(sop_id))
        self._allowed(revision, RevisionAction.RETURN)
        note = _note(note, required=True)
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
        return await self._row(sop_id, number)

    async def approve(self, sop_id: str, number: int, *, version: int) -> Revision:
        """Pengesahan: the pengesah approves the submission they read (``version``). The
        approver's name, jabatan and NIP become the SOP's *disahkan oleh*; empty dates are
        filled (tanggal pembuatan or revisi: today; tanggal efektif: the revision's). In force
        at once when its tanggal efektif has come, else from that day (:func:`take_effect`).
        Nothing of a running case changes."""
        ctx = await self.service.context(self.user_id)
        revision = await self._row(sop_id, number)
        self._require_approve(ctx.actor, self.service.sop(sop_id))
        self._allowed(revision, RevisionAction.APPROVE)
        if version != revision.version:
            raise StaleRevision(number=number, by=revision.updated_by)
        user = (
            await User.select(User.name, User.jabatan, User.nip)
            .where(User.id == self.user_id)
            .first()
        )
        assert user is not None
        if not user["nip"].strip():
            raise InvalidInput(
                {"nip": gettext("your NIP is not recorded: ask the office admin to add it")}
            )
        role = self.service.sop(sop_id).pengesah_role
        signatory = Official(
            nama=user["name"],
            jabatan=user["jabatan"] or (role.name if role else ""),
            nip=user["nip"],
        )
        today = self._today()
        assert revision.effective_on is not None
        header: dict[str, Any] = {"disahkan_oleh": signatory}
        dated = "tanggal_pembuatan" if number == 0 else "tanggal_revisi"
        if not revision.part.header.get(dated):
            header[dated] = sop_date(today)
        if not revision.part.header.get("tanggal_efektif"):
            header["tanggal_efektif"] = sop_date(revision.effective_on)
        part = merged(revision.part, OfficePart(header=header))
        definition = apply_part(await self.base(revision), part)
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
            )
            if revision.effective_on <= today:
                await take_effect(self.service.db, self.ref, sop_id, number, now)
        return await self._row(sop_id, number)

    async def revoke(self, sop_id: str, number: int, note: str) -> Revision:
        """Dicabut: a draft or submission by its drafters, an approved or in-force revision
        by the pengesah (the SOP then runs the previous revision in force, or the plugin's)."""
        ctx = await self.service.context(self.user_id)
        revision = await self._row(sop_id, number)
        d = self.service.sop(sop_id)
        if revision.state in (RevisionState.DRAF, RevisionState.DIAJUKAN):
            if not (_may_draft(ctx.actor, d) or _may_approve(ctx.actor, d)):
                raise Forbidden(what=gettext("revoke this revision"))
        else:
            self._require_approve(ctx.actor, d)
        self._allowed(revision, RevisionAction.REVOKE)
        note = _note(note, required=revision.state not in (RevisionState.DRAF,))
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
        return await self._row(sop_id, number)

    # --- helpers ----------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.service.clock().astimezone(UTC)

    def _today(self) -> date:
        return self.service.today()

    async def _row(self, sop_id: str, number: int) -> Revision:
        row = None
        if limits.usable_key(sop_id) and isinstance(number, int) and 0 <= number < 100_000:
            row = (
                await SopRevision.select()
                .where(
                    (SopRevision.tenant == self.ref.id)
                    & (SopRevision.sop_id == sop_id)
                    & (SopRevision.number == number)
                )
                .first()
            )
        if row is None:
            raise NotFound(
                what=format_message("revision {number} of SOP {sop}", number=number, sop=sop_id)
            )
        return revision_from_row(row)

    def _allowed(self, revision: Revision, action: RevisionAction) -> None:
        if next_state(action, revision.state) is None:
            raise RevisionStateRefused(
                number=revision.number, state=str(revision.state), action=gettext(_DONE[action])
            )

    def _require_draft(self, actor: Actor, d: SopDefinition) -> None:
        if not _may_draft(actor, d):
            raise Forbidden(what=gettext("draft revisions of this SOP"))

    def _require_approve(self, actor: Actor, d: SopDefinition) -> None:
        if not _may_approve(actor, d):
            role = d.pengesah_role
            raise Forbidden(
                what=format_message(
                    "approve this SOP: only the {role} (not as Plt/Plh) approves it",
                    role=role.name if role else "?",
                )
            )

    async def _update(self, revision: Revision, version: int, by: str, **values: Any) -> None:
        sets = ", ".join(f'"{k}" = {{}}' for k in values)
        rows = await SopRevision.raw(
            f"UPDATE alur_sop_revision SET {sets}, version = version + 1, updated_by = {{}}, "
            "updated_at = {} WHERE id = {} AND tenant = {} AND version = {} RETURNING id",
            *values.values(),
            by,
            self._now(),
            revision.id,
            self.ref.id,
            version,
        )
        if not rows:
            raise StaleRevision(number=revision.number, by=revision.updated_by)

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
        await record_office_change(
            self.service.db,
            self.ref,
            f"sop_revision_{what}",
            actor=actor.id,
            actor_name=actor.name,
            details={
                "sop": sop_id,
                "number": number,
                "state": str(state),
                "content_hash": content_hash,
                **details,
            },
            note=note,
            at=self._now(),
        )


async def take_effect(db: Any, tenant: Any, sop_id: str, number: int, now: datetime) -> None:
    """Revision ``number`` (disahkan) of ``sop_id`` becomes berlaku; the one in force before
    becomes diganti. In the caller's transaction; recorded on the chain (by the system)."""
    rows = await SopRevision.select(SopRevision.id, SopRevision.number, SopRevision.state).where(
        (SopRevision.tenant == tenant.id)
        & (SopRevision.sop_id == sop_id)
        & SopRevision.state.is_in([str(RevisionState.BERLAKU), str(RevisionState.DISAHKAN)])
    )
    for r in rows:
        if r["number"] < number and r["state"] in ("berlaku", "disahkan"):
            await SopRevision.update(
                {SopRevision.state: str(RevisionState.DIGANTI), SopRevision.ended_at: now}
            ).where(SopRevision.id == r["id"])
            await record_office_change(
                db,
                tenant,
                "sop_revision_superseded",
                actor=None,
                actor_name="Alur",
                details={
                    "sop": sop_id,
                    "number": r["number"],
                    "state": "diganti",
                    "by_number": number,
                },
                at=now,
            )
        elif r["number"] == number and r["state"] == "disahkan":
            await SopRevision.update({SopRevision.state: str(RevisionState.BERLAKU)}).where(
                SopRevision.id == r["id"]
            )
            await record_office_change(
                db,
                tenant,
                "sop_revision_in_force",
                actor=None,
                actor_name="Alur",
                details={"sop": sop_id, "number": number, "state": "berlaku"},
                at=now,
            )


def _may_draft(actor: Actor, d: SopDefinition) -> bool:
    penyusun = d.office.penyusun if d.office is not None else None
    return actor.administrator or (penyusun is not None and actor.holds(penyusun))


def _may_approve(actor: Actor, d: SopDefinition) -> bool:
    role = d.pengesah_role
    return role is not None and any(
        m.role == role.id and m.delegation is None for m in actor.memberships
    )


def _note(note: Any, *, required: bool) -> str:
    if not isinstance(note, str):
        note = ""
    note = note.strip()
    if problem := limits.text_problem(note, limits.NOTE):
        raise InvalidInput({"note": problem})
    if required and not note:
        raise InvalidInput({"note": gettext("give the reason")})
    return note


def _without(part: OfficePart, problems: dict[str, str]) -> OfficePart:
    """``part`` without the fields named by ``problems`` (paths ``header.x``,
    ``steps.n`` and ``steps.n.x``)."""
    header = {k: v for k, v in part.header.items() if f"header.{k}" not in problems}
    steps: dict[int, dict[str, str]] = {}
    for n, fields in part.steps.items():
        if f"steps.{n}" in problems:
            continue
        kept = {k: v for k, v in fields.items() if f"steps.{n}.{k}" not in problems}
        if kept:
            steps[n] = kept
    return OfficePart(header=header, steps=steps)
