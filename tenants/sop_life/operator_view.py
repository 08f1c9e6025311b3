"""An office's SOP revisions as a platform operator reads them (``alur sop revisions``,
``alur sop export-revision``): across offices, without being a member of the office.

Operators read; they change nothing here. Changing a revision goes through
:class:`~alur.tenants.sop_life.revisions.SopRevisions` as a person of the office
(``alur sop import-revision --as USERNAME``), with that person's rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alur.core.i18n import format_message
from alur.core.model import SopDefinition
from alur.core.plugins import AlurPlugins
from alur.core.sop_life.revisions import APPROVED, in_force
from alur.tenants.cases.service import TenantService, utcnow
from alur.tenants.errors import NotFound
from alur.tenants.sop_life.revisions import Revision, revision_from_row
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import SopRevision, User


@dataclass(frozen=True)
class RevisionLine:
    """One revision of the listing, and whether it is the one in force today."""

    revision: Revision
    in_force: bool


async def office_revisions(
    db: Database,
    plugins: AlurPlugins,
    slug: str,
    sop_id: str | None = None,
    *,
    now: datetime | None = None,
) -> tuple[TenantService, list[RevisionLine]]:
    """The office ``slug`` and its revisions (of ``sop_id``, which the office must run), by
    SOP then newest number first, each marked when it is in force on the office's today."""
    when = now or utcnow()
    service = await TenantService.open(db, plugins, slug, clock=lambda: when)
    if sop_id is not None:
        service.sop(sop_id)  # NotFound for an SOP the office does not run
    where = SopRevision.tenant == service.ref.id
    if sop_id is not None:
        where &= SopRevision.sop_id == sop_id
    revisions = sorted(
        (revision_from_row(r) for r in await SopRevision.select().where(where)),
        key=lambda r: (r.sop_id, -r.number),
    )
    chosen = in_force([r.ref for r in revisions if r.state in APPROVED], service.today())
    return service, [
        RevisionLine(r, r.sop_id in chosen and chosen[r.sop_id].number == r.number)
        for r in revisions
    ]


async def office_revision(
    db: Database, plugins: AlurPlugins, slug: str, sop_id: str, number: int
) -> tuple[TenantService, Revision, SopDefinition]:
    """The office, its revision ``number`` of ``sop_id`` and the plugin definition it builds
    on."""
    service, lines = await office_revisions(db, plugins, slug, sop_id)
    found = next((line.revision for line in lines if line.revision.number == number), None)
    if found is None:
        raise NotFound(
            what=format_message("revision {number} of SOP {sop}", number=number, sop=sop_id)
        )
    return service, found, await service.store.definition(found.base_hash)


async def user_id_of(username: str) -> int:
    """The id of the account ``username`` (:class:`NotFound` when there is none)."""
    row = await User.select(User.id).where(User.username == username).first()
    if row is None:
        raise NotFound(what=format_message("user {username}", username=username[:64]))
    return row["id"]
