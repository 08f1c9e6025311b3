"""An office's monev forms checked against its chain: ``alur audit verify``.

Every change of a monev form is recorded on the office's chain
(:mod:`alur.tenants.monitoring.monev`: ``office_changed`` events whose ``change`` is
``monev_opened``, ``monev_saved``, ``monev_diparaf`` or ``monev_reopened``, with the form's
``sop``, ``period``, ``version`` and ``content_hash``, and for a paraf the assessor's NIP).
A form row changed in the database — its content after the paraf, a paraf added or moved to
another person, a form inserted — is named here. Forms are keyed by SOP and period start
(unique per office), not by row id, so the check holds after an office is moved by export/import.
"""

from __future__ import annotations

from typing import Any

from alur.tenants.audit.content import Mismatch
from alur.tenants.cases.rows import from_json
from alur.tenants.cases.store import TenantRef
from alur.tenants.monitoring.monev_rows import DIPARAF, OPEN
from alur.tenants.storage.tables import Event, MonevForm

CHANGES = {
    "monev_opened": OPEN,
    "monev_saved": OPEN,
    "monev_reopened": OPEN,
    "monev_extended": OPEN,
    "monev_diparaf": DIPARAF,
}


async def recorded_forms(tenant_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (SOP, period start), the state, period, version, content hash and paraf NIP the
    office's chain says the form has now (a form opened early is extended to its whole
    period: its end moves, its start never does)."""
    rows = (
        await Event.select(Event.payload)
        .where(
            (Event.tenant == tenant_id) & (Event.kind == "office_changed") & Event.case.is_null()
        )
        .order_by(Event.chain_seq)
    )
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        payload = from_json(r["payload"]) or {}
        state = CHANGES.get(str(payload.get("change", "")))
        if state is None:
            continue
        key = (str(payload.get("sop")), str(payload.get("period")).split("/")[0])
        found[key] = {
            "state": state,
            "period": str(payload.get("period")),
            "version": int(payload.get("version", 0)),
            "content_hash": str(payload.get("content_hash", "")),
            "paraf_nip": str(payload.get("nip", "")) if state == DIPARAF else "",
        }
    return found


async def verify_monev(tenant: TenantRef) -> list[Mismatch]:
    """Every monev form row of ``tenant`` that differs from what its chain recorded."""
    recorded = await recorded_forms(tenant.id)
    rows = await MonevForm.select(
        MonevForm.sop_id,
        MonevForm.period_start,
        MonevForm.period_end,
        MonevForm.state,
        MonevForm.version,
        MonevForm.content_hash,
        MonevForm.paraf_nip,
    ).where(MonevForm.tenant == tenant.id)
    found: list[Mismatch] = []
    for row in sorted(rows, key=lambda r: (r["sop_id"], str(r["period_start"]))):
        period = f"{str(row['period_start'])[:10]}/{str(row['period_end'])[:10]}"
        name = f"monev form of SOP {row['sop_id']} for {period}"
        said = recorded.pop((row["sop_id"], period.split("/")[0]), None)
        if said is None:
            found.append(Mismatch(None, f"{name} is not on the office's chain"))
            continue
        stored = {
            "state": row["state"],
            "period": period,
            "version": row["version"],
            "content_hash": row["content_hash"],
            "paraf_nip": row["paraf_nip"] if row["state"] == DIPARAF else "",
        }
        for field, value in stored.items():
            if value != said[field]:
                found.append(
                    Mismatch(
                        None, f"{name}: its {field} is {value!r}, the chain says {said[field]!r}"
                    )
                )
    for sop, period in sorted(recorded):
        found.append(
            Mismatch(None, f"monev form of SOP {sop} for {period} is on the chain but gone")
        )
    return found
