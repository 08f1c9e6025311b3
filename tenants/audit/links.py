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


class ChainCheck:
    """Recomputes one chain link by link, wherever its events are read from (the database,
    :func:`alur.tenants.audit.verify.verify_chain`, or an export archive,
    :mod:`alur.tenants.offices.archive_verify`): feed each stored event in ``chain_seq``
    order to :meth:`feed` (a report when it is the first bad one), then :meth:`finish` with
    the stored chain length and head."""

    def __init__(self, tenant: str, keys: AuditKeys) -> None:
        self.tenant = tenant
        self.keys = keys
        self.head = GENESIS
        self.expected = 1
        self.unkeyed = 0
        self.keyed = False

    def _broken(self, seq: int, reason: str) -> ChainReport:
        return ChainReport(self.tenant, seq - 1, False, seq, reason)

    def feed(
        self,
        seq: int,
        prev_hash: str,
        key_id: str | None,
        digest: str,
        case_key: str | None,
        event: Event,
    ) -> ChainReport | None:
        """Check one stored event (its chain fields and content); None while all is well."""
        if seq != self.expected:
            return self._broken(self.expected, f"event #{self.expected} is missing")
        if prev_hash != self.head:
            return self._broken(seq, "its link to the previous event does not match")
        key_id = key_id or LEGACY
        if key_id == LEGACY:
            if self.keyed:
                return self._broken(
                    seq, "an unkeyed link after keyed ones: the chain was rewritten"
                )
            self.unkeyed += 1
        self.keyed = key_id != LEGACY
        computed = link(
            self.keys, key_id, self.head, chain_record(self.tenant, case_key, seq, event, key_id)
        )
        if computed is None:
            return self._broken(
                seq, f"it is signed with audit key {key_id!r}, which {self.keys.source} lacks"
            )
        if computed != digest:
            return self._broken(seq, "its content was changed after it was written")
        self.head = computed
        self.expected += 1
        return None

    def finish(self, stored_seq: int | None, stored_head: str | None) -> ChainReport:
        """The report once every event was fed: the stored length and head must match."""
        last = self.expected - 1
        if stored_seq is not None and (stored_seq != last or (stored_head or "") != self.head):
            return self._broken(last + 1, "events at the end of the chain are missing")
        if self.unkeyed:
            return ChainReport(
                self.tenant,
                last,
                False,
                None,
                f"{self.unkeyed} event(s) were linked before the chain was keyed, so a rewrite "
                "of them cannot be told apart: run `alur audit rekey`",
            )
        return ChainReport(self.tenant, last, True)
