"""An office's SOP revisions as read: the :class:`Revision` read model, the dates a revision
carries, and which definition of each SOP is in force (:mod:`alur.tenants.sop_life.revisions`
changes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_date

from alur.core.i18n import gettext
from alur.core.model import Official, SopDefinition
from alur.core.sop_life.part import OfficePart, part_from_mapping
from alur.core.sop_life.revisions import RevisionRef, RevisionState, in_force
from alur.tenants.cases.rows import from_json
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.sop_life.errors import StaleRevision
from alur.tenants.storage.tables import SopRevision


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
            self.sop_id, self.number, self.state, self.effective_on, self.content_hash, self.plugin
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


async def definitions_in_force(
    refs: list[RevisionRef], today: date
) -> dict[str, tuple[str, SopDefinition]]:
    """Per SOP id, the plugin and the definition of the revision in force on ``today``
    (parsed once per process, :func:`~alur.tenants.cases.snapshots.pinned_definitions`).
    The caller keeps only those of the SOPs, from those plugins, the office runs now."""
    chosen = in_force(refs, today)
    if not chosen:
        return {}
    found = await pinned_definitions([r.content_hash for r in chosen.values()])
    return {
        sop: (r.plugin, found[r.content_hash])
        for sop, r in chosen.items()
        if r.content_hash in found
    }


async def update_revision(
    revision: Revision, version: int, by: str, now: datetime, **values: Any
) -> None:
    """Set ``values`` on ``revision`` if it is still at ``version`` (and count one more
    version), or raise :class:`StaleRevision` and change nothing: how two editors never
    overwrite each other silently."""
    sets = ", ".join(f'"{k}" = {{}}' for k in values)
    rows = await SopRevision.raw(
        f"UPDATE alur_sop_revision SET {sets}, version = version + 1, updated_by = {{}}, "
        "updated_at = {} WHERE id = {} AND version = {} RETURNING id",
        *values.values(),
        by,
        now,
        revision.id,
        version,
    )
    if not rows:
        raise StaleRevision(number=revision.number, by=revision.updated_by)
