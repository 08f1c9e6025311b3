"""The per-tenant hash chain over events, and its verification.

Each stored event carries ``prev_hash`` (the hash of the tenant's previous event, "" for the
first) and ``hash = SHA-256(prev_hash + canonical JSON of the event's content)``. Changing,
removing or reordering any stored event breaks every later link; :func:`verify_tenant`
recomputes the chain and reports the first broken link.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alur.core.engine.codec import event_to_dict
from alur.core.engine.events import Event
from alur.core.snapshot import canonical_json

GENESIS = ""


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def chain_record(tenant_slug: str, case_key: str, chain_seq: int, e: Event) -> dict[str, Any]:
    """The hashed content of one stored event (times normalised to UTC)."""
    record = event_to_dict(e)
    record["at"] = _utc(e.at)
    record["due"] = _utc(e.due)
    record.update(tenant=tenant_slug, case=case_key, chain_seq=chain_seq)
    return record


def event_hash(prev_hash: str, record: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(record)).encode("utf-8")).hexdigest()


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
