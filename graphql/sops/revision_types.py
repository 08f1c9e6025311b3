"""An office's SOP revisions as GraphQL types: ``SopRevision`` (its state, dates, the
office's own part and the definition it gives), ``SopChange`` and ``SopComparison``.

A node is built from the service's read model
(:class:`~alur.tenants.sop_life.revisions.Revision`); the fields that cost something resolve
only when asked: ``definition`` (through the request's definitions DataLoader, one statement
for every revision of a list, then the service's :meth:`SopRevisions.definition`) and
``inForce`` (the office's approved revisions, read once per request).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from alur.core.sop_life.compare import Change
from alur.core.sop_life.revisions import in_force
from alur.graphql.sops.types import Official, SopDefinitionType
from alur.graphql.types import Info, convert
from alur.tenants.sop_life.revisions import Revision, SopRevisions, office_revision_refs

_IN_FORCE = "sop_revisions_in_force"  # context.cache key: {sop_id: number} of the request


@strawberry.enum(
    description="Where a revision is in its life (Permenpan RB 35/2012): draf → diajukan → "
    "disahkan → berlaku → diganti, or dicabut."
)
class SopRevisionState(enum.Enum):
    DRAF = "draf"
    DIAJUKAN = "diajukan"
    DISAHKAN = "disahkan"
    BERLAKU = "berlaku"
    DIGANTI = "diganti"
    DICABUT = "dicabut"


@strawberry.type(
    description="One revision of an office's SOP: the plugin's definition (its base) with "
    "the office's own part laid over it. Number 0 is the office's first version; the sheet "
    'of number n says "Revisi ke-n".'
)
class SopRevision:
    sop: str = strawberry.field(description="The SOP's id.")
    number: int
    state: SopRevisionState
    base_hash: str = strawberry.field(
        description="The hash of the plugin definition it builds on (its base)."
    )
    content_hash: str = strawberry.field(
        description="The hash of the definition it gives (base ⊕ part); fixed from submission "
        "on, and what the office's new cases pin while it is in force."
    )
    version: int = strawberry.field(
        description="Its edit counter: give it back to save, submit or approve, so that a "
        "change made meanwhile by someone else is refused (`stale_revision`), not overwritten."
    )
    effective_on: date | None = strawberry.field(description="Its tanggal efektif.")
    note: str = strawberry.field(description="The last return note, or why it was revoked.")
    signatory: Official | None = strawberry.field(
        description="Who approved it (disahkan oleh: name, jabatan, NIP); null until approved."
    )
    updated_by: str = strawberry.field(description="The name of who changed it last.")
    updated_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    ended_at: datetime | None = strawberry.field(description="When it was replaced or revoked.")
    part: JSON = strawberry.field(
        description="The office's own part, in the shape of the SOP TOML: "
        '`{"header": {...}, "steps": [{"number": 3, "waktu": "2 hari"}]}`; a field it does '
        "not name follows the base."
    )
    revision: strawberry.Private[Revision]
    revisions: strawberry.Private[SopRevisions]

    @strawberry.field(
        description="Whether it is the revision the office runs today (its tanggal efektif "
        "has come and no newer approved revision has taken over)."
    )
    async def in_force(self, info: Info) -> bool:
        return (await _numbers_in_force(info, self.revisions)).get(self.sop) == self.number

    @strawberry.field(
        description="The SOP as this revision gives it: header, pelaksana and steps with "
        "their mutu baku, as the sheet prints them."
    )
    async def definition(self, info: Info) -> SopDefinitionType:
        # One statement for every revision of the answer; the service then reads them
        # from the process's cache of definitions.
        await info.context.loaders.definitions.load_many(
            [self.revision.base_hash, self.revision.content_hash]
        )
        d = await self.revisions.definition(self.revision)
        return convert(info, d, self.revisions.service.tenant)


async def _numbers_in_force(info: Info, revisions: SopRevisions) -> dict[str, int]:
    found = info.context.cache.get(_IN_FORCE)
    if found is None:
        refs = await office_revision_refs(revisions.ref.id)
        chosen = in_force(refs, revisions.service.today())
        found = info.context.cache[_IN_FORCE] = {sop: r.number for sop, r in chosen.items()}
    return found


def revision_node(revision: Revision, revisions: SopRevisions) -> SopRevision:
    signed = revision.signatory
    return SopRevision(
        sop=revision.sop_id,
        number=revision.number,
        state=SopRevisionState(str(revision.state)),
        base_hash=revision.base_hash,
        content_hash=revision.content_hash,
        version=revision.version,
        effective_on=revision.effective_on,
        note=revision.note,
        signatory=Official(nama=signed.nama, jabatan=signed.jabatan, nip=signed.nip)
        if signed is not None
        else None,
        updated_by=revision.updated_by,
        updated_at=revision.updated_at,
        submitted_at=revision.submitted_at,
        approved_at=revision.approved_at,
        ended_at=revision.ended_at,
        part=revision.part.to_mapping(),
        revision=revision,
        revisions=revisions,
    )


@strawberry.type(description="The office's revisions (of one SOP, when asked), newest first.")
class SopRevisionList:
    revisions: list[SopRevision]


@strawberry.type(
    description="The revision after an action: what the office's chain recorded is in its "
    "state and dates."
)
class SopRevisionChanged:
    revision: SopRevision


@strawberry.type(description="One difference between two definitions of an SOP.")
class SopChange:
    path: str = strawberry.field(
        description="`header.nomor`, `steps.3.waktu`, or `steps.7` for a step added or removed."
    )
    where: str = strawberry.field(description='"header" or "step".')
    step: int | None = strawberry.field(description="The step's number (null in the header).")
    field: str = strawberry.field(
        description='The field\'s name ("" for a whole step added or removed).'
    )
    before: str = strawberry.field(description='The value before, as text ("" for none).')
    after: str = strawberry.field(description='The value after, as text ("" for none).')


def change_node(change: Change) -> SopChange:
    return SopChange(
        path=change.path,
        where=change.where,
        step=change.step,
        field=change.field,
        before=change.before,
        after=change.after,
    )


@strawberry.type(
    description="What changed from one definition of an SOP to another: header fields in "
    "the sheet's order, then step by step, field by field."
)
class SopComparison:
    sop: str
    from_number: int | None = strawberry.field(
        description="The revision compared from; null: a plugin definition (the base)."
    )
    from_hash: str
    to_number: int | None = strawberry.field(
        description="The revision compared to; null: the plugin's definition as it ships now."
    )
    to_hash: str
    changes: list[SopChange]
