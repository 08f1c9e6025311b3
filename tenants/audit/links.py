"""The per-tenant keyed hash chain over events.

Each stored event carries ``prev_hash`` (the link of the tenant's previous event, "" for the
first), ``key_id`` (which audit key signed it, :mod:`alur.tenants.audit.keys`) and
``hash = HMAC-SHA256(key, prev_hash + canonical JSON of the event's content)``; the key id is
part of the content. Changing, removing or reordering any stored event breaks every later
link, and without the key nobody can compute new links: a chain recomputed with a public
hash function does not verify. Events written before the chain was keyed have the key id
"" and ``hash = SHA-256(prev_hash + content)``; verification reports them until
``alur audit rekey`` re-signs them. :meth:`alur.tenants.cases.store.CaseStore.verify_chain`
recomputes the chain and reports the first broken link.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alur.core.engine.codec import event_to_dict
from alur.core.engine.events import Event
from alur.core.snapshot import canonical_json
from alur.tenants.audit.keys import LEGACY, AuditKeys

GENESIS = ""


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def chain_record(
    tenant_slug: str, case_key: str | None, chain_seq: int, e: Event, key_id: str = LEGACY
) -> dict[str, Any]:
    """The linked content of one stored event (times normalised to UTC)."""
    record = event_to_dict(e)
    record["at"] = _utc(e.at)
    record["due"] = _utc(e.due)
    record.update(tenant=tenant_slug, case=case_key, chain_seq=chain_seq)
    if key_id != LEGACY:
        record["key_id"] = key_id
    return record


def event_hash(prev_hash: str, record: dict[str, Any], key: bytes | None = None) -> str:
    """The link of an event: HMAC-SHA256 with ``key``, plain SHA-256 for a legacy link."""
    data = (prev_hash + canonical_json(record)).encode("utf-8")
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def link(keys: AuditKeys, key_id: str, prev_hash: str, record: dict[str, Any]) -> str | None:
    """The link of ``record`` under ``key_id`` (None when that key is not in ``keys``)."""
    if key_id == LEGACY:
        return event_hash(prev_hash, record)
    key = keys.key(key_id)
    return None if key is None else event_hash(prev_hash, record, key)


@dataclass(frozen=True)
class ChainReport:
    tenant: str
    events: int
    ok: bool
    broken_at: int | None = None  # chain_seq of the first bad event
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"{self.tenant}: {self.events} events, chain intact"
        if self.broken_at is None:
            return f"{self.tenant}: {self.reason}"
        return f"{self.tenant}: chain broken at event #{self.broken_at}: {self.reason}"
