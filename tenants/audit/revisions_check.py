"""An office's SOP revisions checked against its chain: ``alur audit verify``.

Every change of a revision is recorded on the office's chain
(:mod:`alur.tenants.sop_life.revisions`: ``office_changed`` events whose ``change`` is
``sop_revision_*``, with the revision's ``sop``, ``number``, ``state`` and ``content_hash``).
The definition an office runs is read from ``alur_sop_revision`` (its state and content
hash), so a row changed in the database — a revision made berlaku, pointed at another
snapshot, or inserted — would change what the office's new cases run without a trace. This
check replays the recorded changes and names every row that differs from them: its state,
content hash, base, tanggal efektif and who approved it (name and NIP).
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
        for field in ("state", "content_hash", "base_hash", "signatory", "nip"):
            if payload.get(field):
                now[field] = payload[field]
        if "effective_on" in payload:  # a save or an approval states it ("" when not set)
            now["effective_on"] = payload["effective_on"] or ""
    return found


def _stored(row: dict[str, Any]) -> dict[str, str]:
    """A revision row's recorded fields as the chain writes them."""
    signed = from_json(row["signatory"]) or {}
    effective = row["effective_on"]
    return {
        "state": row["state"],
        "content_hash": row["content_hash"],
        "base_hash": row["base_hash"],
        "effective_on": str(effective)[:10] if effective else "",
        "signatory": signed.get("nama", ""),
        "nip": signed.get("nip", ""),
    }


async def verify_revisions(tenant: TenantRef) -> list[Mismatch]:
    """Every revision row of ``tenant`` that differs from what its chain recorded."""
    recorded = await recorded_revisions(tenant.id)
    rows = await SopRevision.select(
        SopRevision.sop_id,
        SopRevision.number,
        SopRevision.state,
        SopRevision.content_hash,
        SopRevision.base_hash,
        SopRevision.effective_on,
        SopRevision.signatory,
    ).where(SopRevision.tenant == tenant.id)
    found: list[Mismatch] = []
    for row in sorted(rows, key=lambda r: (r["sop_id"], r["number"])):
        key = (row["sop_id"], row["number"])
        name = f"SOP {row['sop_id']} Revisi ke-{row['number']}"
        said = recorded.pop(key, None)
        if said is None:
            found.append(Mismatch(None, f"{name} is not on the office's chain"))
            continue
        stored = _stored(row)
        for field, value in stored.items():
            if field in said and value != said[field]:
                found.append(
                    Mismatch(
                        None,
                        f"{name}: its {field} is {value!r}, the chain says {said[field]!r}",
                    )
                )
    for sop, number in sorted(recorded):
        found.append(Mismatch(None, f"SOP {sop} Revisi ke-{number} is on the chain but gone"))
    return found
