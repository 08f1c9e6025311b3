"""Reading an office's SOP revisions as one person, and the checks every change of them
shares (who may draft or approve, what a state allows): the base of
:class:`~alur.tenants.sop_life.revisions.SopRevisions`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from alur.core import limits
from alur.core.engine.actors import Actor
from alur.core.i18n import format_message, gettext
from alur.core.model import SopDefinition
from alur.core.sop_life.part import apply_part
from alur.core.sop_life.revisions import RevisionAction, RevisionState, next_state
from alur.tenants.errors import Forbidden, NotFound
from alur.tenants.sop_life.errors import RevisionStateRefused
from alur.tenants.sop_life.revision_rows import Revision, revision_from_row
from alur.tenants.sop_life.revision_rules import DONE, may_approve, may_draft
from alur.tenants.storage.tables import SopRevision


class RevisionReads:
    """The revisions of one office's SOPs as one person (``user_id``) reads them. Opened on
    a :class:`~alur.tenants.cases.service.TenantService` (the office)."""

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
        return may_draft(actor, self.service.sop(sop_id))

    async def require_approver(self, sop_id: str) -> None:
        """Refuse (:class:`Forbidden`, saying who approves) unless this person may approve
        revisions of ``sop_id`` — for a door that asks more of the approver (a tick, a
        password) and must say "not you" first."""
        actor = (await self.service.context(self.user_id)).actor
        self._require_approve(actor, self.service.sop(sop_id))

    async def may_approve(self, sop_id: str) -> bool:
        actor = (await self.service.context(self.user_id)).actor
        return may_approve(actor, self.service.sop(sop_id))

    # --- drafting ---------------------------------------------------------------------------

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
                number=revision.number, state=str(revision.state), action=gettext(DONE[action])
            )

    def _require_draft(self, actor: Actor, d: SopDefinition) -> None:
        if not may_draft(actor, d):
            raise Forbidden(what=gettext("draft revisions of this SOP"))

    def _require_approve(self, actor: Actor, d: SopDefinition) -> None:
        if not may_approve(actor, d):
            role = d.pengesah_role
            raise Forbidden(
                what=format_message(
                    "approve this SOP: only the {role} (not as Plt/Plh) approves it",
                    role=role.name if role else "?",
                )
            )
