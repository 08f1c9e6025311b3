"""The rows a transition writes: events with their chain hashes, and the task rows that
follow them — their columns, their values, and an event read back from its row.

:meth:`~alur.tenants.cases.store.CaseStore.apply` builds one :class:`Batch` per transition;
``alur audit verify`` recomputes the task rows from the events (:data:`TASK_FIELDS`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from alur.core.clock import Timer
from alur.core.engine.events import Event as EngineEvent
from alur.core.engine.events import EventKind
from alur.tenants.storage.tables import Tenant

HEX64 = re.compile(r"[0-9a-f]{64}")  # a recap's content hash (sha256, lower-case hex)

_CLOSING = {
    EventKind.TASK_COMPLETED: "done",
    EventKind.GATE_DECIDED: "done",
    EventKind.TASK_CANCELLED: "cancelled",
}


def from_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _user_id(actor: str | None) -> int | None:
    return int(actor) if actor is not None and actor.isdigit() else None


def event_from_row(r: dict[str, Any]) -> EngineEvent:
    return EngineEvent(
        seq=r["seq"],
        kind=EventKind(r["kind"]),
        at=r["at"],
        actor=r["actor"],
        actor_name=r["actor_name"],
        role=r["role"],
        delegation=r["delegation"],
        acting_for=r["acting_for"],
        acting_for_name=r["acting_for_name"],
        step=r["step"],
        unit=r["unit"],
        task=r["task_no"],
        note=r["note"],
        due=r["due"],
        payload=from_json(r["payload"]) or {},
    )


EVENT_COLUMNS = (
    "tenant",
    '"case"',
    "seq",
    "chain_seq",
    "kind",
    "at",
    "actor",
    "actor_name",
    "role",
    "delegation",
    "acting_for",
    "acting_for_name",
    "step",
    "unit",
    "task_no",
    "note",
    "due",
    "payload",
    "prev_hash",
    "hash",
    "key_id",
    "approval_hash",
)
# A task row's fields that its events determine (``alur audit verify`` recomputes them).
TASK_FIELDS = (
    "step",
    "unit",
    "role",
    "status",
    "opened_at",
    "due",
    "assignee",
    "return_note",
    "closed_at",
    "escalated_role",
)
TASK_COLUMNS = ("tenant", '"case"', "task_no", *TASK_FIELDS)
# A clock timer of an open task (alur.core.clock): written with it, deleted when it closes.
TIMER_COLUMNS = ("tenant", '"case"', "task_no", "kind", "fires_at", "to_role")


def timer_values(tenant_id: int, case_id: int, task_no: int, timer: Timer) -> tuple[Any, ...]:
    return (tenant_id, case_id, task_no, str(timer.kind), timer.fires_at, timer.to_role or "")


class Batch:
    """Statements of one write, run one by one (SQLite) or as one statement of
    data-modifying CTEs (PostgreSQL: one round trip)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any]]] = []

    def add(self, sql: str, *args: Any) -> None:
        self.statements.append((sql, list(args)))

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        one = "(" + ", ".join(["{}"] * len(columns)) + ")"
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one] * len(rows))
        self.add(sql, *[v for row in rows for v in row])

    async def run(self, *, combined: bool) -> None:
        if combined and len(self.statements) > 1:
            parts = [f"w{i} AS ({sql})" for i, (sql, _) in enumerate(self.statements)]
            args = [a for _, stmt_args in self.statements for a in stmt_args]
            await Tenant.raw("WITH " + ", ".join(parts) + " SELECT 1", *args)
            return
        for sql, args in self.statements:
            await Tenant.raw(sql, *args)


def follow_task(batch: Batch, case_id: int, e: EngineEvent) -> None:
    where = 'WHERE "case" = {} AND task_no = {}'
    status = _CLOSING.get(e.kind)
    if status is not None:
        batch.add(
            f"UPDATE alur_task SET status = {{}}, closed_at = {{}} {where}",
            status,
            e.at,
            case_id,
            e.task,
        )
    elif e.kind is EventKind.TASK_CLAIMED:
        batch.add(
            f"UPDATE alur_task SET assignee = {{}} {where}", _user_id(e.actor), case_id, e.task
        )
    elif e.kind is EventKind.TASK_UNCLAIMED:
        batch.add(f"UPDATE alur_task SET assignee = NULL {where}", case_id, e.task)
    elif e.kind is EventKind.TASK_REASSIGNED:
        batch.add(
            f"UPDATE alur_task SET assignee = {{}} {where}",
            _user_id(e.payload["to"]),
            case_id,
            e.task,
        )
    elif e.kind is EventKind.CASE_MIGRATED:  # kept tasks: new step, role and due; new timers
        for kept in e.payload["kept"]:
            batch.add(
                f"UPDATE alur_task SET step = {{}}, role = {{}}, due = {{}} {where}",
                kept["step"],
                kept["role"],
                kept_due(kept),
                case_id,
                kept["task"],
            )
            batch.add(f"DELETE FROM alur_timer {where}", case_id, kept["task"])
    elif e.kind is EventKind.TASK_ESCALATED:
        batch.add(
            f"UPDATE alur_task SET escalated_role = {{}} {where}",
            e.payload["to_role"],
            case_id,
            e.task,
        )
    if status is not None:  # a closed task has no more timers (alur.core.clock)
        batch.add(f"DELETE FROM alur_timer {where}", case_id, e.task)


def kept_due(kept: Mapping[str, Any]) -> datetime | None:
    """The due time of a task a ``case_migrated`` event kept (its payload's ``kept`` entry)."""
    return datetime.fromisoformat(kept["due"]) if kept.get("due") else None


def approval_hash(payload: Mapping[str, Any]) -> str | None:
    """The recap hash a paraf/tanda tangan event approved (``data.kinerja`` of
    :mod:`alur.tenants.kinerja.rules`), indexed for the public verification page."""
    data = payload.get("data")
    record = data.get("kinerja") if isinstance(data, dict) else None
    if not isinstance(record, dict) or record.get("approval") not in ("paraf", "sign"):
        return None
    recap_hash = record.get("recap_hash")
    if isinstance(recap_hash, str) and HEX64.fullmatch(recap_hash):
        return recap_hash
    return None


def event_values(
    tenant_id: int,
    case_id: int | None,
    chain_seq: int,
    prev: str,
    digest: str,
    key_id: str,
    e: EngineEvent,
) -> tuple[Any, ...]:
    return (
        tenant_id,
        case_id,
        e.seq,
        chain_seq,
        str(e.kind),
        e.at,
        e.actor,
        e.actor_name,
        e.role,
        e.delegation,
        e.acting_for,
        e.acting_for_name,
        e.step,
        e.unit,
        e.task,
        e.note,
        e.due,
        json.dumps(dict(e.payload), ensure_ascii=False),
        prev,
        digest,
        key_id,
        approval_hash(e.payload),
    )


def task_values(tenant_id: int, case_id: int, e: EngineEvent) -> tuple[Any, ...]:
    return (
        tenant_id,
        case_id,
        e.task,
        e.step,
        e.unit,
        e.payload["role"],
        "open",
        e.at,
        e.due,
        None,
        e.note,
        None,
        None,
    )
