"""The platform-level log: what operators do to whole offices, on its own keyed chain.

An office's own chain records its suspension and its exports (``office_changed`` events,
:mod:`alur.tenants.audit.office_log`), but it is deleted with the office: the walk of
offboarding (suspended → exported → deleted), an import and a resume are also recorded
here, in ``alur_platform_event``, outside every office. Each entry holds who (``actor``),
when, what (``action``), the office's slug, the export archive's SHA-256 and the office's
chain length and head at that moment, and is linked to the previous entry exactly as an
office's events are (:mod:`alur.tenants.audit.links`: HMAC-SHA256 with the signing audit
key, the key id in the linked content). ``alur audit verify`` checks it
(:func:`verify_platform_log`, shown as the line ``platform log: …``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alur.core.snapshot import canonical_json
from alur.tenants.audit.keys import LEGACY, AuditKeys, audit_keys
from alur.tenants.audit.links import GENESIS, ChainReport, event_hash, link
from alur.tenants.cases.rows import from_json
from alur.tenants.storage.tables import PlatformEvent

NAME = "platform log"
ACTIONS = (
    "suspended",
    "resumed",
    "exported",
    "imported",
    "deleted",
    "plugin_allowed",  # alur.tenants.sop_life.adoption
    "plugin_disallowed",
)


@dataclass(frozen=True)
class PlatformEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    office: str
    details: Mapping[str, Any]
    archive_sha256: str = ""
    chain_seq: int = 0
    chain_head: str = ""


def _record(e: PlatformEntry, key_id: str) -> dict[str, Any]:
    """The linked content of an entry (the time in UTC, the key id included)."""
    return {
        "seq": e.seq,
        "at": e.at.astimezone(UTC).isoformat(),
        "actor": e.actor,
        "action": e.action,
        "office": e.office,
        "details": canonical_json(dict(e.details)),
        "archive_sha256": e.archive_sha256,
        "chain_seq": e.chain_seq,
        "chain_head": e.chain_head,
        "key_id": key_id,
    }


def _entry(r: Mapping[str, Any]) -> PlatformEntry:
    at = r["at"]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return PlatformEntry(
        r["seq"],
        at,
        r["actor"],
        r["action"],
        r["office"],
        dict(from_json(r["details"]) or {}),
        r["archive_sha256"],
        r["chain_seq"],
        r["chain_head"],
    )


async def record_platform_event(
    action: str,
    office: str,
    *,
    actor: str,
    details: Mapping[str, Any] | None = None,
    archive_sha256: str = "",
    chain_seq: int = 0,
    chain_head: str = "",
    keys: AuditKeys | None = None,
) -> PlatformEntry:
    """Append an entry, in the caller's transaction (its place is unique: of two operators
    appending at the same moment, the second fails and nothing of it is written)."""
    if action not in ACTIONS:
        raise ValueError(f"not a platform action: {action!r}")
    keys = keys or audit_keys()
    last = (
        await PlatformEvent.select(PlatformEvent.seq, PlatformEvent.hash)
        .order_by(PlatformEvent.seq, ascending=False)
        .first()
    )
    seq, prev = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
    entry = PlatformEntry(
        seq,
        datetime.now(UTC),
        actor,
        action,
        office,
        dict(details or {}),
        archive_sha256,
        chain_seq,
        chain_head,
    )
    key_id = keys.signing
    digest = event_hash(prev, _record(entry, key_id), keys.keys[key_id])
    await PlatformEvent.insert(
        PlatformEvent(
            seq=seq,
            at=entry.at,
            actor=actor,
            action=action,
            office=office,
            details=canonical_json(dict(entry.details)),
            archive_sha256=archive_sha256,
            chain_seq=chain_seq,
            chain_head=chain_head,
            prev_hash=prev,
            hash=digest,
            key_id=key_id,
        )
    )
    return entry


async def platform_entries(office: str | None = None) -> list[PlatformEntry]:
    """The entries (of one office when given), oldest first."""
    query = PlatformEvent.select().order_by(PlatformEvent.seq)
    if office is not None:
        query = query.where(PlatformEvent.office == office)
    return [_entry(r) for r in await query]


async def verify_platform_log(keys: AuditKeys, batch: int = 1000) -> ChainReport:
    """Recompute the log's links in order; the first broken one, as for an office."""
    head, expected, last = GENESIS, 1, 0
    while True:
        rows = (
            await PlatformEvent.select()
            .where(PlatformEvent.seq > last)
            .order_by(PlatformEvent.seq)
            .limit(batch)
        )
        if not rows:
            return ChainReport(NAME, expected - 1, True)
        for r in rows:
            seq = r["seq"]
            if seq != expected:
                return ChainReport(
                    NAME, expected - 1, False, expected, f"entry #{expected} is missing"
                )
            if r["prev_hash"] != head:
                return ChainReport(
                    NAME, seq - 1, False, seq, "its link to the previous entry does not match"
                )
            key_id = r["key_id"] or LEGACY
            if key_id == LEGACY:
                return ChainReport(NAME, seq - 1, False, seq, "it is not signed with a key")
            digest = link(keys, key_id, head, _record(_entry(r), key_id))
            if digest is None:
                return ChainReport(
                    NAME,
                    seq - 1,
                    False,
                    seq,
                    f"it is signed with audit key {key_id!r}, which {keys.source} lacks",
                )
            if digest != r["hash"]:
                return ChainReport(
                    NAME, seq - 1, False, seq, "its content was changed after it was written"
                )
            head, expected = digest, expected + 1
        last = rows[-1]["seq"]


async def last_export(office: str) -> PlatformEntry | None:
    """The office's latest ``exported`` entry (what ``--delete`` requires)."""
    row = (
        await PlatformEvent.select()
        .where((PlatformEvent.office == office) & (PlatformEvent.action == "exported"))
        .order_by(PlatformEvent.seq, ascending=False)
        .first()
    )
    return _entry(row) if row else None
