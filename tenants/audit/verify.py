"""Verifying and re-signing an office's keyed chain (:mod:`alur.tenants.audit.links`).

:func:`verify_chain` recomputes every link in ``chain_seq`` order, with the key each event
names, and reports the first broken one; a chain that still holds unkeyed (legacy) links is
reported too, because anyone can recompute those. :func:`rekey` re-signs a whole chain with
the signing key, once it verifies: for chains written before the chain was keyed, and to
retire an old key after a rotation.
"""

from __future__ import annotations

from typing import Any

from alur.tenants.audit.keys import AuditKeys
from alur.tenants.audit.links import GENESIS, ChainCheck, ChainReport, chain_record, link
from alur.tenants.cases.rows import event_from_row
from alur.tenants.cases.store import TenantRef
from alur.tenants.storage.tables import Event, Tenant


async def chain_rows(tenant: TenantRef, batch: int = 1000) -> Any:
    """The tenant's events in chain order, ``batch`` rows per statement."""
    last = 0
    while True:
        rows = (
            await Event.select(Event.all_columns(), Event.case.key.as_alias("case_key"))
            .where((Event.tenant == tenant.id) & (Event.chain_seq > last))
            .order_by(Event.chain_seq)
            .limit(batch)
        )
        if not rows:
            return
        for r in rows:
            yield r
        last = rows[-1]["chain_seq"]


async def verify_chain(tenant: TenantRef, keys: AuditKeys, batch: int = 1000) -> ChainReport:
    """Recompute ``tenant``'s chain; report the first broken link (module docstring)."""
    check = ChainCheck(tenant.slug, keys)
    async for r in chain_rows(tenant, batch):
        broken = check.feed(
            r["chain_seq"], r["prev_hash"], r["key_id"], r["hash"], r["case_key"], event_from_row(r)
        )
        if broken is not None:
            return broken
    stored = (
        await Tenant.select(Tenant.chain_seq, Tenant.chain_head)
        .where(Tenant.id == tenant.id)
        .first()
    )
    if stored is None:
        return check.finish(None, None)
    return check.finish(stored["chain_seq"], stored["chain_head"])


async def rekey(tenant: TenantRef, keys: AuditKeys, batch: int = 1000) -> tuple[ChainReport, int]:
    """Re-sign ``tenant``'s chain with the signing key; ``(report, events re-signed)``.

    Run inside one write transaction (the caller's). The chain must verify first, apart from
    its unkeyed links; otherwise nothing is changed and the report says where it is broken.
    """
    await Tenant.raw("UPDATE alur_tenant SET chain_seq = chain_seq WHERE id = {}", tenant.id)
    report = await verify_chain(tenant, keys, batch)
    if not report.ok and report.broken_at is not None:
        return report, 0
    key_id = keys.signing
    head = GENESIS
    changed = 0
    updates: list[tuple[int, str, str]] = []
    async for r in chain_rows(tenant, batch):
        record = chain_record(tenant.slug, r["case_key"], r["chain_seq"], event_from_row(r), key_id)
        digest = link(keys, key_id, head, record)
        assert digest is not None
        if (r["prev_hash"], r["hash"], r["key_id"]) != (head, digest, key_id):
            updates.append((r["id"], head, digest))
        head = digest
    for event_id, prev, digest in updates:
        await Event.raw(
            "UPDATE alur_event SET prev_hash = {}, hash = {}, key_id = {} WHERE id = {}",
            prev,
            digest,
            key_id,
            event_id,
        )
        changed += 1
    await Tenant.raw("UPDATE alur_tenant SET chain_head = {} WHERE id = {}", head, tenant.id)
    return await verify_chain(tenant, keys, batch), changed
