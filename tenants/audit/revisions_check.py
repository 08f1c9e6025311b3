"""An office's SOP revisions checked against its chain: ``alur audit verify``.

Every change of a revision is recorded on the office's chain
(:mod:`alur.tenants.sop_life.revisions`: ``office_changed`` events whose ``change`` is
``sop_revision_*``, with the revision's ``sop``, ``number``, ``state`` and ``content_hash``).
The definition an office runs is read from ``alur_sop_revision`` (its state and content
hash), so a row changed in the database — a revision made berlaku, pointed at another
snapshot, or inserted — would change what the office's new cases run without a trace. This
check replays the recorded changes and names every row that differs from them.
"""

from __future__ import annotations

from typing import Any

from alur.tenants.audit.content import Mismatch
from alur.tenants.cases.rows import from_json
from alur.tenants.cases.store import TenantRef
from alur.tenants.storage.tables import Event, SopRevision

PREFIX = "sop_revision_"


async def recorded_revisions(tenant_id: int) -> dict[tuple[str, int], dict[str, Any]]:
    """Per (SOP, number), the state and content hash the office's chain says it has now."""
    rows = (
        await Event.select(Event.payload)
        .where(
            (Event.tenant == tenant_id) & (Event.kind == "office_changed") & Event.case.is_null()
        )
        .order_by(Event.chain_seq)
    )
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for r in rows:
        payload = from_json(r["payload"]) or {}
        if not str(payload.get("change", "")).startswith(PREFIX):
            continue
        key = (str(payload.get("sop")), int(payload.get("number", -1)))
        now = found.setdefault(key, {})
        for field in ("state", "content_hash"):
            if payload.get(field):
                now[field] = payload[field]
    return found


async def verify_revisions(tenant: TenantRef) -> list[Mismatch]:
    """Every revision row of ``tenant`` that differs from what its chain recorded."""
    recorded = await recorded_revisions(tenant.id)
    rows = await SopRevision.select(
        SopRevision.sop_id, SopRevision.number, SopRevision.state, SopRevision.content_hash
    ).where(SopRevision.tenant == tenant.id)
    found: list[Mismatch] = []
    for row in sorted(rows, key=lambda r: (r["sop_id"], r["number"])):
        key = (row["sop_id"], row["number"])
        name = f"SOP {row['sop_id']} Revisi ke-{row['number']}"
        said = recorded.pop(key, None)
        if said is None:
            found.append(Mismatch(None, f"{name} is not on the office's chain"))
            continue
        for field in ("state", "content_hash"):
            if field in said and row[field] != said[field]:
                found.append(
                    Mismatch(
                        None,
                        f"{name}: its {field} is {row[field]!r}, the chain says {said[field]!r}",
                    )
                )
    for sop, number in sorted(recorded):
        found.append(Mismatch(None, f"SOP {sop} Revisi ke-{number} is on the chain but gone"))
    return found
