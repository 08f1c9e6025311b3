"""What happens to a revision, on the office's chain: :func:`record_revision` (every change
of a revision, ``office_changed`` with ``change`` ``sop_revision_*``) and :func:`take_effect`
(an approved revision comes into force and the one before it is replaced).
``alur audit verify`` checks the rows against these records
(:mod:`alur.tenants.audit.revisions_check`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alur.core.sop_life.revisions import RevisionState
from alur.tenants.audit.office_log import record_office_change
from alur.tenants.storage.tables import SopRevision


async def record_revision(
    db: Any,
    tenant: Any,
    what: str,
    *,
    actor: str | None,
    actor_name: str,
    sop_id: str,
    number: int,
    state: RevisionState | str,
    content_hash: str,
    at: datetime,
    note: str = "",
    **details: Any,
) -> None:
    """Record ``sop_revision_<what>`` for revision ``number`` of ``sop_id`` in the caller's
    transaction."""
    await record_office_change(
        db,
        tenant,
        f"sop_revision_{what}",
        actor=actor,
        actor_name=actor_name,
        details={
            "sop": sop_id,
            "number": number,
            "state": str(state),
            "content_hash": content_hash,
            **details,
        },
        note=note,
        at=at,
    )


async def take_effect(db: Any, tenant: Any, sop_id: str, number: int, now: datetime) -> None:
    """Revision ``number`` (disahkan) of ``sop_id`` becomes berlaku; the one in force before
    becomes diganti. In the caller's transaction; recorded on the chain (by the system)."""
    rows = await SopRevision.select(
        SopRevision.id, SopRevision.number, SopRevision.state, SopRevision.content_hash
    ).where(
        (SopRevision.tenant == tenant.id)
        & (SopRevision.sop_id == sop_id)
        & SopRevision.state.is_in([str(RevisionState.BERLAKU), str(RevisionState.DISAHKAN)])
    )
    for r in rows:
        if r["number"] < number:
            await _set_state(
                db, tenant, sop_id, r, RevisionState.DIGANTI, "superseded", now, by_number=number
            )
        elif r["number"] == number and r["state"] == str(RevisionState.DISAHKAN):
            await _set_state(db, tenant, sop_id, r, RevisionState.BERLAKU, "in_force", now)


async def restore_previous(db: Any, tenant: Any, sop_id: str, number: int, now: datetime) -> None:
    """Revision ``number`` (was berlaku) of ``sop_id`` was revoked: the newest revision it
    replaced is in force again (berlaku), recorded on the chain — the office runs its own
    previous SOP, not the plugin's. In the caller's transaction."""
    rows = (
        await SopRevision.select(SopRevision.id, SopRevision.number, SopRevision.content_hash)
        .where(
            (SopRevision.tenant == tenant.id)
            & (SopRevision.sop_id == sop_id)
            & (SopRevision.state == str(RevisionState.DIGANTI))
            & (SopRevision.number < number)
        )
        .order_by(SopRevision.number, ascending=False)
        .limit(1)
    )
    if rows:
        await _set_state(
            db,
            tenant,
            sop_id,
            rows[0],
            RevisionState.BERLAKU,
            "in_force",
            now,
            after_revoked=number,
        )


async def _set_state(
    db: Any,
    tenant: Any,
    sop_id: str,
    row: dict[str, Any],
    state: RevisionState,
    change: str,
    now: datetime,
    **details: Any,
) -> None:
    """Put revision ``row`` in ``state`` (ended now when diganti, not ended when berlaku) and
    record ``sop_revision_<change>`` by the system, in the caller's transaction."""
    ended = now if state is RevisionState.DIGANTI else None
    await SopRevision.update({SopRevision.state: str(state), SopRevision.ended_at: ended}).where(
        SopRevision.id == row["id"]
    )
    await record_revision(
        db,
        tenant,
        change,
        actor=None,
        actor_name="Alur",
        sop_id=sop_id,
        number=row["number"],
        state=state,
        content_hash=row["content_hash"],
        at=now,
        **details,
    )
