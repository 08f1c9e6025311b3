"""Persisting engine transitions: one transaction each, exactly one winner per case.

:meth:`CaseStore.apply` writes a transition atomically:

1. a compare-and-set on the case row (``last_seq`` must still be the one the transition was
   computed from) — of two people acting on the same case at once, the second gets
   :class:`~alur.tenants.errors.Conflict` and nothing of theirs is written;
2. the tenant row is locked by bumping its chain counter, which serialises the tenant's
   hash chain (locks are always taken case first, tenant second, so they cannot deadlock);
3. the events are appended with their chain hashes, the task rows follow the events, and
   the tenant's chain head moves on.

The case row caches the engine state after its last event, so loading a case costs the same
however long its history is. On SQLite every write transaction is ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from alur.core.clock import Timer
from alur.core.engine.codec import state_from_dict, state_to_dict
from alur.core.engine.events import Event as EngineEvent
from alur.core.engine.events import EventKind
from alur.core.engine.machine import Transition
from alur.core.engine.state import CaseState
from alur.core.i18n import format_message
from alur.core.model import SopDefinition
from alur.core.snapshot import definition_to_dict
from alur.tenants.audit.keys import audit_keys
from alur.tenants.audit.links import GENESIS, ChainReport, chain_record, event_hash
from alur.tenants.cases.rows import (
    EVENT_COLUMNS,
    TASK_COLUMNS,
    TIMER_COLUMNS,
    Batch,
    event_from_row,
    event_values,
    follow_task,
    from_json,
    task_values,
    timer_values,
)
from alur.tenants.cases.rows import TASK_FIELDS as TASK_FIELDS  # re-exported
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.errors import Conflict, NotFound
from alur.tenants.observability.metrics import count_transitions
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Attachment, Case, Event, SopSnapshot, Tenant

# Bumping the tenant's chain counter locks its row: the tenant's events are appended one
# transaction at a time (always after the case row is locked, so never a deadlock).
_LOCK_CHAIN = "UPDATE alur_tenant SET chain_seq = chain_seq + {} WHERE id = {}"


@dataclass(frozen=True)
class TenantRef:
    id: int
    slug: str


@dataclass(frozen=True)
class StoredCase:
    id: int
    key: str
    tenant_id: int
    plugin: str
    sop_id: str
    definition_hash: str
    period: str
    status: str
    state: CaseState
    started_at: datetime
    updated_at: datetime

    @property
    def last_seq(self) -> int:
        return self.state.last_seq


class CaseStore:
    """Tenant-scoped reads and atomic writes of cases, tasks and events."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._definitions: dict[str, SopDefinition] = {}

    def transaction(self) -> Any:
        engine = self.db.engine
        if isinstance(engine, SQLiteEngine):
            return engine.transaction(transaction_type=TransactionType.immediate)
        return engine.transaction()

    # --- definitions -----------------------------------------------------------------

    async def pin_definition(self, plugin: str, d: SopDefinition) -> None:
        """Store the definition snapshot under its content hash (once)."""
        if d.content_hash in self._definitions:
            return
        exists = await SopSnapshot.exists().where(SopSnapshot.definition_hash == d.content_hash)
        if not exists:
            body = json.dumps(definition_to_dict(d), ensure_ascii=False)
            await SopSnapshot.raw(
                "INSERT INTO alur_sop_snapshot (definition_hash, plugin, sop_id, version, body) "
                "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (definition_hash) DO NOTHING",
                d.content_hash,
                plugin,
                d.id,
                d.version,
                body,
            )
        self._definitions[d.content_hash] = d

    async def definition(self, definition_hash: str) -> SopDefinition:
        d = self._definitions.get(definition_hash)
        if d is None:
            d = (await pinned_definitions([definition_hash])).get(definition_hash)
        if d is None:
            raise NotFound(what=format_message("SOP snapshot {hash}", hash=definition_hash[:12]))
        self._definitions[definition_hash] = d
        return d

    # --- cases -------------------------------------------------------------------------

    async def create(
        self,
        tenant: TenantRef,
        plugin: str,
        d: SopDefinition,
        t: Transition,
        started_by: int | None,
        timers: Sequence[tuple[int, Timer]] = (),
    ) -> StoredCase:
        await self.pin_definition(plugin, d)
        s = t.state
        async with self.transaction():
            row = await Case.raw(
                "INSERT INTO alur_case (tenant, key, plugin, sop_id, definition_hash, period, "
                "status, state, last_seq, started_by, started_at, updated_at, ended_at) VALUES "
                "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, NULL) RETURNING id",
                tenant.id,
                s.case_id,
                plugin,
                s.sop_id,
                s.definition_hash,
                s.period,
                str(s.status),
                json.dumps(state_to_dict(s)),
                s.last_seq,
                started_by,
                s.started_at,
                s.started_at,
            )
            case_id = row[0]["id"]
            await self._append(tenant, case_id, s.case_id, t.events, timers)
        return _stored(case_id, tenant.id, plugin, s, s.started_at)

    async def get(self, tenant_id: int, key: str) -> StoredCase:
        rows = await Case.raw(
            "SELECT id, plugin, state, updated_at FROM alur_case WHERE tenant = {} AND key = {}",
            tenant_id,
            key,
        )
        if not rows:
            raise NotFound(what=format_message("case {key}", key=key))
        return stored_from_row(tenant_id, rows[0])

    async def apply(
        self,
        tenant: TenantRef,
        case: StoredCase,
        t: Transition,
        attachments: Sequence[Attachment] = (),
        timers: Sequence[tuple[int, Timer]] = (),
    ) -> StoredCase:
        """Write ``t`` (computed from ``case.state``), the unsaved ``attachments`` rows and
        the clock ``timers`` of the tasks it opens (``(task number, timer)``, see
        :func:`alur.tenants.clock.timers.timers_of`), in one transaction — or raise
        :class:`Conflict` and write none."""
        s = t.state
        now = t.events[-1].at if t.events else case.updated_at
        cas = (
            "UPDATE alur_case SET last_seq = {}, state = {}, status = {}, updated_at = {}, "
            "ended_at = {}, definition_hash = {} "
            "WHERE id = {} AND tenant = {} AND last_seq = {} RETURNING id"
        )
        cas_args = (
            s.last_seq,
            json.dumps(state_to_dict(s)),
            str(s.status),
            now,
            s.ended_at,
            s.definition_hash,  # a case_migrated event moves the case to another definition
            case.id,
            tenant.id,
            case.last_seq,
        )
        async with self.transaction():
            if self.db.is_sqlite:
                if not await Case.raw(cas, *cas_args):
                    raise Conflict()
                await self._append(tenant, case.id, case.key, t.events, timers)
            else:  # one round trip: compare-and-set the case, then lock the tenant's chain
                locked = await Tenant.raw(
                    f"WITH c AS ({cas}) {_LOCK_CHAIN} AND EXISTS (SELECT 1 FROM c) "
                    "RETURNING chain_seq, chain_head",
                    *cas_args,
                    len(t.events),
                    tenant.id,
                )
                if not locked:
                    raise Conflict()
                await self._write(tenant, case.id, case.key, t.events, locked[0], timers)
            for row in attachments:  # after the compare-and-set: only the winner's files
                await row.save()
        return _stored(case.id, tenant.id, case.plugin, s, now)

    async def append_office_event(self, tenant: TenantRef, event: EngineEvent) -> int:
        """Append an event of the office itself (no case: :mod:`alur.tenants.audit.office_log`)
        to its chain, in the caller's transaction (or one of its own); its ``chain_seq``."""
        async with self.transaction():
            locked = await Tenant.raw(
                _LOCK_CHAIN + " RETURNING chain_seq, chain_head", 1, tenant.id
            )
            if not locked:
                raise NotFound(what=f"office {tenant.slug}")
            await self._write(tenant, None, None, (event,), locked[0])
        return int(locked[0]["chain_seq"])

    async def _append(
        self,
        tenant: TenantRef,
        case_id: int,
        case_key: str,
        events: tuple[EngineEvent, ...],
        timers: Sequence[tuple[int, Timer]] = (),
    ) -> None:
        locked = await Tenant.raw(
            _LOCK_CHAIN + " RETURNING chain_seq, chain_head",
            len(events),
            tenant.id,
        )
        await self._write(tenant, case_id, case_key, events, locked[0], timers)

    async def _write(
        self,
        tenant: TenantRef,
        case_id: int | None,
        case_key: str | None,
        events: tuple[EngineEvent, ...],
        locked: dict[str, Any],
        timers: Sequence[tuple[int, Timer]] = (),
    ) -> None:
        """Append the events with their chain hashes, make the task rows follow them, and
        move the tenant's chain head — one statement on PostgreSQL, a few on SQLite."""
        head: str = locked["chain_head"] or GENESIS
        chain_seq = locked["chain_seq"] - len(events)
        keys = audit_keys()
        key_id = keys.signing
        key = keys.keys[key_id]
        batch = Batch()
        event_rows = []
        task_rows = []
        for e in events:
            chain_seq += 1
            record = chain_record(tenant.slug, case_key, chain_seq, e, key_id)
            digest = event_hash(head, record, key)
            event_rows.append(event_values(tenant.id, case_id, chain_seq, head, digest, key_id, e))
            head = digest
            if e.kind is EventKind.TASK_OPENED:
                task_rows.append(task_values(tenant.id, case_id, e))
            else:
                follow_task(batch, case_id, e)
        batch.insert("alur_event", EVENT_COLUMNS, event_rows)
        if task_rows:
            batch.insert("alur_task", TASK_COLUMNS, task_rows)
        if timers:
            batch.insert(
                "alur_timer",
                TIMER_COLUMNS,
                [timer_values(tenant.id, case_id, no, tm) for no, tm in timers],
            )
        batch.add("UPDATE alur_tenant SET chain_head = {} WHERE id = {}", head, tenant.id)
        # A move deletes and rewrites its kept tasks' timers (unique per task and kind): the
        # statements of one combined statement would not see each other's rows.
        moved = any(e.kind is EventKind.CASE_MIGRATED for e in events)
        await batch.run(combined=not self.db.is_sqlite and not moved)
        count_transitions(e.kind.value for e in events)  # alur_transitions_total

    # --- history and audit ---------------------------------------------------------------

    async def events(self, tenant_id: int, case_id: int) -> list[EngineEvent]:
        rows = (
            await Event.select()
            .where((Event.tenant == tenant_id) & (Event.case == case_id))
            .order_by(Event.seq)
        )
        return [event_from_row(r) for r in rows]

    async def verify_chain(self, tenant: TenantRef, batch: int = 1000) -> ChainReport:
        """Recompute ``tenant``'s keyed chain; report the first broken link
        (:func:`alur.tenants.audit.verify.verify_chain`)."""
        from alur.tenants.audit.verify import verify_chain

        return await verify_chain(tenant, audit_keys(), batch=batch)

    async def verify_cases(self, tenant: TenantRef) -> list[str]:
        """Keys of the tenant's cases whose stored rows differ from what the chain says
        (:func:`alur.tenants.audit.content.verify_content` tells what differs)."""
        from alur.tenants.audit.content import verify_content

        return sorted({m.case for m in await verify_content(self, tenant) if m.case})


def stored_from_row(tenant_id: int, row: dict[str, Any]) -> StoredCase:
    """A case from its row's ``id``, ``plugin``, ``state`` and ``updated_at`` (read by
    :meth:`CaseStore.get`, or joined into another query such as the clock's sweep)."""
    state = state_from_dict(from_json(row["state"]))
    return _stored(row["id"], tenant_id, row["plugin"], state, row["updated_at"])


def _stored(
    case_id: int, tenant_id: int, plugin: str, s: CaseState, updated: datetime
) -> StoredCase:
    return StoredCase(
        id=case_id,
        key=s.case_id,
        tenant_id=tenant_id,
        plugin=plugin,
        sop_id=s.sop_id,
        definition_hash=s.definition_hash,
        period=s.period,
        status=str(s.status),
        state=s,
        started_at=s.started_at,
        updated_at=updated,
    )
