"""Rewriting an imported office's events with their new row ids, and linking its chain
again with this installation's signing key (:mod:`alur.tenants.offices.importing`).

Events name row ids: who acted (``actor``, ``acting_for``), to whom a task went or a
reminder was sent (``payload["to"]``), which attachments a completion recorded
(``payload["data"]["attachments"][*]["id"]``), and the data kinerja submission hash a fill
recorded (``payload["data"]["kinerja"]["sha256"]``, over ``submitted_by`` and the evidence's
attachment ids). Each is replaced by its new value; nothing else of an event changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from alur.core.engine.codec import state_to_dict
from alur.core.engine.events import Event as EngineEvent
from alur.core.engine.state import replay
from alur.core.snapshot import canonical_json
from alur.tenants.audit.keys import AuditKeys
from alur.tenants.audit.links import GENESIS, chain_record, event_hash
from alur.tenants.cases.rows import EVENT_COLUMNS, Batch, event_from_row, event_values
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.offices.archive import ArchiveReader, from_json_row
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Event, Tenant

EVENT_BATCH = 500


@dataclass
class Ids:
    """Source id -> new id, per table."""

    maps: dict[str, dict[int, int]] = field(default_factory=dict)

    def of(self, member: str) -> dict[int, int]:
        return self.maps.setdefault(member, {})

    def user(self, value: Any) -> Any:
        return self.of("people.jsonl").get(value, value) if value is not None else None

    def actor(self, value: Any) -> Any:
        if isinstance(value, str) and value.isdigit():
            return str(self.of("people.jsonl").get(int(value), int(value)))
        return value


def from_json_row_entries(v: dict) -> dict:
    """A submission row as :func:`submission_hash` reads it (entries as a list)."""
    entries = v["entries"]
    return {
        "unit": v["unit"],
        "version": v["version"],
        "entries": json.loads(entries) if isinstance(entries, str) else list(entries or []),
        "submitted_by": v["submitted_by"],
    }


def canonical_entries(entries: list) -> str:
    return json.dumps(entries, ensure_ascii=False)


def rewrite_event(e: EngineEvent, ids: Ids, hashes: dict[str, str]) -> EngineEvent:
    """``e`` naming the new row ids (module docstring)."""
    payload = dict(e.payload)
    to = payload.get("to")
    if isinstance(to, str):
        payload["to"] = ids.actor(to)
    elif isinstance(to, list):
        payload["to"] = [ids.actor(t) for t in to]
    data = payload.get("data")
    if isinstance(data, dict):
        data = dict(data)
        files = data.get("attachments")
        if isinstance(files, list):
            attachments = ids.of("attachments.jsonl")
            data["attachments"] = [
                {**f, "id": attachments.get(f["id"], f["id"])}
                if isinstance(f, dict) and "id" in f
                else f
                for f in files
            ]
        record = data.get("kinerja")
        if isinstance(record, dict) and record.get("sha256") in hashes:
            data["kinerja"] = {**record, "sha256": hashes[record["sha256"]]}
        payload["data"] = data
    return e._replace(actor=ids.actor(e.actor), acting_for=ids.actor(e.acting_for), payload=payload)


async def relink_events(
    db: Database,
    reader: ArchiveReader,
    ref: TenantRef,
    ids: Ids,
    hashes: dict[str, str],
    keys: AuditKeys,
) -> int:
    cases = ids.of("cases.jsonl")
    case_keys = {r["id"]: r["key"] for r in reader.rows("cases.jsonl")}
    key_id = keys.signing
    head, seq = GENESIS, 0
    rows: list[tuple[Any, ...]] = []

    async def flush() -> None:
        batch = Batch()
        batch.insert("alur_event", EVENT_COLUMNS, rows)
        await batch.run(combined=not db.is_sqlite)
        rows.clear()

    for row in reader.rows("events.jsonl"):
        values = from_json_row(Event, row)
        e = rewrite_event(event_from_row(values), ids, hashes)
        seq = values["chain_seq"]
        source_case = values["case"]
        case_key = case_keys.get(source_case) if source_case is not None else None
        digest = event_hash(
            head, chain_record(ref.slug, case_key, seq, e, key_id), keys.keys[key_id]
        )
        case_id = cases[source_case] if source_case is not None else None
        rows.append(event_values(ref.id, case_id, seq, head, digest, key_id, e))
        head = digest
        if len(rows) >= EVENT_BATCH:
            await flush()
    if rows:
        await flush()
    await Tenant.update({Tenant.chain_seq: seq, Tenant.chain_head: head}).where(Tenant.id == ref.id)
    return seq


async def restate_cases(db: Database, tenant_id: int) -> None:
    """Each case's cached state, replayed from its rewritten events."""
    store = CaseStore(db)
    last = 0
    while True:
        rows = (
            await Case.select(Case.id)
            .where((Case.tenant == tenant_id) & (Case.id > last))
            .order_by(Case.id)
            .limit(500)
        )
        if not rows:
            return
        for r in rows:
            state = replay(await store.events(tenant_id, r["id"]))
            await Case.update({Case.state: canonical_json(state_to_dict(state))}).where(
                Case.id == r["id"]
            )
        last = rows[-1]["id"]
