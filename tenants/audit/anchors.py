"""Anchors: the signed chain heads of every office, kept by the operator outside the database.

``alur audit anchor --out FILE`` writes, for each office, how long its chain is and the link
of its last event; ``alur audit verify --anchors FILE`` then checks that each office's chain
still holds that event with that link. A chain rewritten with the key, or cut short with
its head fixed up, after the anchor was taken, no longer does. The file is JSON::

    {"format": "alur-audit-anchor/1", "signed_at": "2026-12-02T11:00:00+00:00",
     "key_id": "k20261202",
     "offices": {"dinas-a": {"seq": 120, "head": "<hex>", "key_id": "k20261202"}},
     "signature": "<hex HMAC-SHA256 of the canonical JSON of all the other fields>"}
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from alur.core.errors import N_, AlurError
from alur.core.snapshot import canonical_json
from alur.tenants.audit.keys import AuditKeys
from alur.tenants.cases.store import TenantRef
from alur.tenants.storage.tables import Event, Tenant

FORMAT = "alur-audit-anchor/1"


class AnchorError(AlurError):
    code = "audit_anchor"
    template = N_("the anchor file {file} cannot be used: {reason}")


def _signature(keys: AuditKeys, key_id: str, body: dict[str, Any]) -> str | None:
    key = keys.key(key_id)
    if key is None:
        return None
    return hmac.new(key, canonical_json(body).encode("utf-8"), hashlib.sha256).hexdigest()


async def office_head(tenant: TenantRef) -> dict[str, Any]:
    """``{seq, head, key_id}`` of the office's chain, as its tenant row and last event agree;
    :class:`AnchorError` when they do not (verify the chain first)."""
    row = (
        await Tenant.select(Tenant.chain_seq, Tenant.chain_head)
        .where(Tenant.id == tenant.id)
        .first()
    )
    last = (
        await Event.select(Event.chain_seq, Event.hash, Event.key_id)
        .where(Event.tenant == tenant.id)
        .order_by(Event.chain_seq, ascending=False)
        .first()
    )
    seq, head = (row["chain_seq"], row["chain_head"] or "") if row else (0, "")
    if last is None and seq == 0:
        return {"seq": 0, "head": "", "key_id": ""}
    if last is None or (last["chain_seq"], last["hash"]) != (seq, head):
        raise AnchorError(
            file="-",
            reason=f"the chain head of {tenant.slug} does not match its last event: run "
            "`alur audit verify`",
        )
    return {"seq": seq, "head": head, "key_id": last["key_id"]}


async def make_anchor(keys: AuditKeys, tenants: list[TenantRef], now: datetime) -> dict[str, Any]:
    body: dict[str, Any] = {
        "format": FORMAT,
        "signed_at": now.isoformat(),
        "key_id": keys.signing,
        "offices": {t.slug: await office_head(t) for t in tenants},
    }
    return {**body, "signature": _signature(keys, keys.signing, body)}


def read_anchor(text: str, keys: AuditKeys, file: str) -> dict[str, Any]:
    """The checked content of an anchor file; :class:`AnchorError` when it is not one, or
    its signature does not hold (it was changed, or signed with a key we do not have)."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise AnchorError(file=file, reason=f"it is not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AnchorError(file=file, reason=f"it is not an {FORMAT} file")
    body = {k: v for k, v in doc.items() if k != "signature"}
    key_id = str(doc.get("key_id", ""))
    expected = _signature(keys, key_id, body)
    if expected is None:
        raise AnchorError(file=file, reason=f"it is signed with key {key_id!r}, which we lack")
    if not hmac.compare_digest(expected, str(doc.get("signature", ""))):
        raise AnchorError(file=file, reason="its signature does not match: it was changed")
    offices = doc.get("offices")
    if not isinstance(offices, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("seq"), int) and isinstance(v.get("head"), str)
        for v in offices.values()
    ):
        raise AnchorError(file=file, reason="its offices are not {seq, head} entries")
    return doc


async def check_anchor(anchored: dict[str, Any], tenant: TenantRef) -> str | None:
    """What is wrong with ``tenant``'s chain against its anchored head (None: it holds)."""
    seq, head = anchored["seq"], anchored["head"]
    if seq == 0:
        return None
    row = (
        await Event.select(Event.hash)
        .where((Event.tenant == tenant.id) & (Event.chain_seq == seq))
        .first()
    )
    if row is None:
        return f"event #{seq}, anchored with its head, is gone: the chain was cut short"
    if row["hash"] != head:
        return f"event #{seq} no longer has the anchored link: the chain was rewritten"
    return None
