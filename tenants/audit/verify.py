"""Verifying and re-signing an office's keyed chain (:mod:`alur.tenants.audit.links`).

:func:`verify_chain` recomputes every link in ``chain_seq`` order, with the key each event
names, and reports the first broken one; a chain that still holds unkeyed (legacy) links is
reported too, because anyone can recompute those. :func:`rekey` re-signs a whole chain with
the signing key, once it verifies: for chains written before the chain was keyed, and to
retire an old key after a rotation.
"""

from __future__ import annotations

from typing import Any

from alur.tenants.audit.keys import LEGACY, AuditKeys
from alur.tenants.audit.links import GENESIS, ChainReport, chain_record, link
from alur.tenants.cases.rows import event_from_row
from alur.tenants.cases.store import TenantRef
from alur.tenants.storage.tables import Event, Tenant


def _broken(tenant: TenantRef, seq: int, reason: str) -> ChainReport:
    return ChainReport(tenant.slug, seq - 1, False, seq, reason)


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
    head = GENESIS
    expected = 1
    unkeyed = 0
    keyed = False
    async for r in chain_rows(tenant, batch):
        seq = r["chain_seq"]
        if seq != expected:
            return _broken(tenant, expected, f"event #{expected} is missing")
        if r["prev_hash"] != head:
            return _broken(tenant, seq, "its link to the previous event does not match")
        key_id = r["key_id"] or LEGACY
        if key_id == LEGACY:
            if keyed:
                return _broken(
                    tenant, seq, "an unkeyed link after keyed ones: the chain was rewritten"
                )
            unkeyed += 1
        keyed = key_id != LEGACY
        record = chain_record(tenant.slug, r["case_key"], seq, event_from_row(r), key_id)
        digest = link(keys, key_id, head, record)
        if digest is None:
            return _broken(
                tenant, seq, f"it is signed with audit key {key_id!r}, which {keys.source} lacks"
            )
        if digest != r["hash"]:
            return _broken(tenant, seq, "its content was changed after it was written")
        head = digest
        expected += 1
    last = expected - 1
    stored = (
        await Tenant.select(Tenant.chain_seq, Tenant.chain_head)
        .where(Tenant.id == tenant.id)
        .first()
    )
    if stored is not None and (stored["chain_seq"] != last or (stored["chain_head"] or "") != head):
        return _broken(tenant, last + 1, "events at the end of the chain are missing")
    if unkeyed:
        return ChainReport(
            tenant.slug,
            last,
            False,
            None,
            f"{unkeyed} event(s) were linked before the chain was keyed, so a rewrite of "
            "them cannot be told apart: run `alur audit rekey`",
        )
    return ChainReport(tenant.slug, last, True)


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
