"""Checking the stored rows a decision rests on against the chain.

:func:`verify_content` compares, for every case of an office, what is stored with what the
(verified) event log says or recorded (:mod:`alur.tenants.audit.records`):

* the case row: its cached state, and the facts fixed at its start (SOP, snapshot hash,
  period, started by, started at) against its ``case_started`` event; every task row (step, unit, role, status, times, due,
  assignee, return note), recomputed from the events (a ``case_migrated`` event moves the
  snapshot hash and its kept tasks' step, role and due);
* the pinned SOP snapshot (its body must hash to the hash the case started with);
* every attachment: its bytes against its stored SHA-256, and against the record of the
  event that closed its task (name, hash; a file no such record names, or a recorded file
  that is gone);
* every data kinerja submission a fill completion recorded (its ``sha256``), and a newer
  version no completion recorded once the unit's fill task is closed;
* the format (indicator set) of each period, against the ``set_hash`` of the last design
  step completed for that period — unless a design task of that period is open (a draft).

Content written at a task that is still open is a draft and is checked only against itself;
events written before these records existed carry none, and their content is not compared.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alur.core.engine.events import Event as EngineEvent
from alur.core.engine.events import EventKind
from alur.core.engine.state import CaseState, replay
from alur.core.kinerja.model import IndicatorSet
from alur.core.model import DataAction, SopDefinition
from alur.tenants.audit.records import ATTACHMENTS
from alur.tenants.cases.rows import TASK_FIELDS, kept_due
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.errors import NotFound
from alur.tenants.kinerja.data import (
    KEY,
    load_indicator_set,
    set_hash,
    stored_submissions,
    submission_hash,
)
from alur.tenants.storage.tables import Attachment, Case, Task

_CLOSING = {
    EventKind.TASK_COMPLETED: "done",
    EventKind.GATE_DECIDED: "done",
    EventKind.TASK_CANCELLED: "cancelled",
}


@dataclass(frozen=True)
class Mismatch:
    """One stored fact that differs from the chain: in which case (None: the office's
    format of a period) and what differs."""

    case: str | None
    what: str

    def __str__(self) -> str:
        return f"case {self.case}: {self.what}" if self.case else self.what


@dataclass
class _Designs:
    """The last recorded ``set_hash`` per period, and the periods with an open design task."""

    recorded: dict[str, tuple[datetime, str, str, int]]  # period -> (at, hash, case, task)
    open_periods: set[str]


async def verify_content(store: CaseStore, tenant: TenantRef) -> list[Mismatch]:
    """Every stored row of ``tenant`` that differs from its chain (module docstring)."""
    found: list[Mismatch] = []
    designs = _Designs({}, set())
    cases = await Case.raw(
        "SELECT id, key, sop_id, definition_hash, period, started_by, started_at, state "
        "FROM alur_case WHERE tenant = {} ORDER BY id",
        tenant.id,
    )
    for row in cases:
        found += await _verify_case(store, tenant, row, designs)
    for period, (_, recorded, case_key, task) in sorted(designs.recorded.items()):
        if period in designs.open_periods:
            continue
        stored = await load_indicator_set(tenant.id, period)
        if set_hash(IndicatorSet.or_empty(stored, period)) != recorded:
            found.append(
                Mismatch(
                    None,
                    f"the format data kinerja of {period} differs from the one recorded when "
                    f"case {case_key} completed task {task}",
                )
            )
    return found


async def _verify_case(
    store: CaseStore, tenant: TenantRef, row: Mapping[str, Any], designs: _Designs
) -> list[Mismatch]:
    key = row["key"]
    events = await store.events(tenant.id, row["id"])
    try:
        state = replay(events)
    except (ValueError, KeyError) as exc:
        return [Mismatch(key, f"its events do not replay: {exc}")]
    found = []
    if state != _state(row["state"]):
        found.append(Mismatch(key, "the stored case state differs from its events"))
    found += verify_case_row(key, row, events[0], state)
    found += await _verify_tasks(key, row["id"], events)
    d: SopDefinition | None = None
    try:
        d = await store.definition(state.definition_hash)
    except NotFound:
        found.append(Mismatch(key, "its SOP snapshot is missing or does not match its hash"))
    found += await _verify_attachments(tenant.id, key, row["id"], events, state)
    if d is not None:
        found += await _verify_submissions(tenant.id, key, row["id"], events, state, d)
        _note_designs(designs, key, state.period, events, state, d)
    return found


def verify_case_row(
    key: str, row: Mapping[str, Any], started: EngineEvent, state: CaseState
) -> list[Mismatch]:
    """The case row's facts fixed at its start against its ``case_started`` event: the
    SOP, its snapshot's hash, the period, who started it and when (the row is what lists,
    filters and the period's format are read by)."""
    want = {
        "sop_id": state.sop_id,
        "definition_hash": state.definition_hash,
        "period": state.period,
        "started_by": _user_id(started.actor),
        "started_at": started.at,
    }
    return [
        Mismatch(
            key,
            f"the case row's {field} is {_shown(row[field])}, its events say {_shown(value)}",
        )
        for field, value in want.items()
        if not _same(field, row[field], value)
    ]


def _state(value: Any) -> CaseState:
    from alur.core.engine.codec import state_from_dict

    return state_from_dict(json.loads(value) if isinstance(value, str) else value)


def _user_id(actor: str | None) -> int | None:
    return int(actor) if actor is not None and actor.isdigit() else None


def _instant(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return None


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return (_instant(value) or value).isoformat()
    return repr(value)


def _same(field: str, have: Any, want: Any) -> bool:
    if field in ("opened_at", "due", "closed_at", "started_at"):
        return _instant(have) == _instant(want)
    return have == want


def _data(e: EngineEvent) -> Mapping[str, Any]:
    data = e.payload.get("data")
    return data if isinstance(data, dict) else {}


def project_tasks(events: Sequence[EngineEvent]) -> dict[int, dict[str, Any]]:
    """The task rows the events make (what :class:`~alur.tenants.cases.store.CaseStore` writes)."""
    tasks: dict[int, dict[str, Any]] = {}
    for e in events:
        if e.kind is EventKind.CASE_MIGRATED:  # the kept tasks move to their new step
            for kept in e.payload["kept"]:
                task = tasks.get(kept["task"])
                if task is not None:
                    task.update(step=kept["step"], role=kept["role"], due=kept_due(kept))
            continue
        if e.kind is EventKind.TASK_OPENED and e.task is not None:
            tasks[e.task] = {
                "step": e.step,
                "unit": e.unit,
                "role": e.payload["role"],
                "status": "open",
                "opened_at": e.at,
                "due": e.due,
                "assignee": None,
                "return_note": e.note,
                "closed_at": None,
                "escalated_role": None,
            }
            continue
        task = tasks.get(e.task) if e.task is not None else None
        if task is None:
            continue
        if e.kind in _CLOSING:
            task.update(status=_CLOSING[e.kind], closed_at=e.at)
        elif e.kind is EventKind.TASK_CLAIMED:
            task["assignee"] = _user_id(e.actor)
        elif e.kind is EventKind.TASK_UNCLAIMED:
            task["assignee"] = None
        elif e.kind is EventKind.TASK_REASSIGNED:
            task["assignee"] = _user_id(e.payload["to"])
        elif e.kind is EventKind.TASK_ESCALATED:
            task["escalated_role"] = e.payload["to_role"]
    return tasks


async def _verify_tasks(key: str, case_id: int, events: Sequence[EngineEvent]) -> list[Mismatch]:
    rows = await Task.raw(
        "SELECT task_no, step, unit, role, status, opened_at, due, assignee, return_note, "
        'closed_at, escalated_role FROM alur_task WHERE "case" = {}',
        case_id,
    )
    return task_mismatches(key, rows, events)


def task_mismatches(
    key: str, rows: Sequence[Mapping[str, Any]], events: Sequence[EngineEvent]
) -> list[Mismatch]:
    """The case's task rows against the rows its events make. Shared with the archive check."""
    expected = project_tasks(events)
    found = []
    stored = {r["task_no"]: r for r in rows}
    for task_no in sorted(stored.keys() - expected.keys()):
        found.append(Mismatch(key, f"task {task_no} has a row but no task_opened event"))
    for task_no in sorted(expected.keys() - stored.keys()):
        found.append(Mismatch(key, f"task {task_no} was opened by its events but has no row"))
    for task_no in sorted(expected.keys() & stored.keys()):
        want, have = expected[task_no], stored[task_no]
        found += [
            Mismatch(
                key,
                f"task {task_no}: {field} is {_shown(have[field])}, its events say "
                f"{_shown(want[field])}",
            )
            for field in TASK_FIELDS
            if not _same(field, have[field], want[field])
        ]
    return found


async def _verify_attachments(
    tenant_id: int, key: str, case_id: int, events: Sequence[EngineEvent], state: CaseState
) -> list[Mismatch]:
    rows = await Attachment.raw(
        "SELECT id, task_no, filename, sha256, content FROM alur_attachment "
        'WHERE tenant = {} AND "case" = {} ORDER BY id',
        tenant_id,
        case_id,
    )
    stored = [{**r, "actual": hashlib.sha256(bytes(r.pop("content"))).hexdigest()} for r in rows]
    return attachment_mismatches(key, stored, events, state)


def attachment_mismatches(
    key: str,
    rows: Sequence[Mapping[str, Any]],
    events: Sequence[EngineEvent],
    state: CaseState,
) -> list[Mismatch]:
    """The case's stored files (``id``, ``task_no``, ``filename``, ``sha256`` and
    ``actual``, the SHA-256 of their bytes, in id order) against their stored hashes and
    the records of the events that closed their tasks. Shared by ``alur audit verify`` and
    the offline check of an export archive."""
    recorded: dict[int, list[Mapping[str, Any]]] = {}  # task -> the records of its files
    for e in events:
        files = _data(e).get(ATTACHMENTS)
        if e.kind in _CLOSING and e.task is not None and isinstance(files, list):
            recorded[e.task] = [f for f in files if isinstance(f, dict)]
    found = []
    for r in rows:
        label = f"attachment #{r['id']} ({r['filename']}) of task {r['task_no']}"
        actual = r["actual"]
        if actual != r["sha256"]:
            found.append(Mismatch(key, f"{label}: its content does not match its stored hash"))
        records = recorded.get(r["task_no"])
        if records is None or r["task_no"] in state.open_tasks:
            continue  # a draft of an open task, or closed before files were recorded
        entry = _claim_record(records, r["id"], r["filename"], actual)
        if entry is None:
            found.append(Mismatch(key, f"{label}: not recorded when the task was closed"))
        elif (entry.get("name"), entry.get("sha256")) != (r["filename"], actual):
            found.append(Mismatch(key, f"{label}: differs from what its task's event recorded"))
    for task_no, records in sorted(recorded.items()):
        for entry in records:
            what = f"#{entry['id']}" if "id" in entry else repr(entry.get("name"))
            found.append(Mismatch(key, f"attachment {what} recorded at task {task_no} is missing"))
    return found


def _claim_record(
    records: list[Mapping[str, Any]], attachment_id: int, name: str, sha256: str
) -> Mapping[str, Any] | None:
    """Take (remove) the record of one stored file from its task's records: the one with its
    id, else one without an id and with its name and hash (written before the row's id was
    known)."""
    for i, entry in enumerate(records):
        if entry.get("id") == attachment_id or (
            "id" not in entry and (entry.get("name"), entry.get("sha256")) == (name, sha256)
        ):
            return records.pop(i)
    return None


def _done(e: EngineEvent) -> bool:
    return e.kind is EventKind.TASK_COMPLETED or (
        e.kind is EventKind.GATE_DECIDED and e.payload.get("answer") == "ya"
    )


def _bound(d: SopDefinition, e: EngineEvent, action: DataAction) -> bool:
    if e.step is None:
        return False
    try:
        return d.step(e.step).data is action
    except (KeyError, ValueError, IndexError):
        return False


async def _verify_submissions(
    tenant_id: int,
    key: str,
    case_id: int,
    events: Sequence[EngineEvent],
    state: CaseState,
    d: SopDefinition,
) -> list[Mismatch]:
    if not recorded_submissions(events, d):
        return []
    rows = await stored_submissions(tenant_id, case_id)
    return submission_mismatches(key, rows, events, state, d)


def recorded_submissions(
    events: Sequence[EngineEvent], d: SopDefinition
) -> dict[tuple[str, int], str]:
    """``(unit, version) -> sha256`` of every submission a completed fill step recorded."""
    recorded: dict[tuple[str, int], str] = {}
    for e in events:
        record = _data(e).get(KEY)
        if (
            _done(e)
            and _bound(d, e, DataAction.FILL)
            and isinstance(record, dict)
            and record.get("sha256")
            and record.get("version") is not None
        ):
            recorded[(record["unit"], record["version"])] = record["sha256"]
    return recorded


def submission_mismatches(
    key: str,
    stored: Sequence[Mapping[str, Any]],
    events: Sequence[EngineEvent],
    state: CaseState,
    d: SopDefinition,
) -> list[Mismatch]:
    """The case's stored submissions (as :func:`~alur.tenants.kinerja.data.submission_hash`
    reads them) against what its fill steps recorded. Shared with the archive check."""
    recorded = recorded_submissions(events, d)
    if not recorded:
        return []
    rows = {(r["unit"], r["version"]): r for r in stored}
    open_units = {
        t.unit for t in state.open_tasks.values() if d.step(t.step).data is DataAction.FILL
    }
    found = []
    for (unit, version), digest in sorted(recorded.items()):
        row = rows.get((unit, version))
        if row is None:
            found.append(Mismatch(key, f"data kinerja of {unit}, version {version}, is missing"))
        elif submission_hash(row) != digest:
            found.append(
                Mismatch(
                    key,
                    f"data kinerja of {unit}, version {version}, differs from what its fill "
                    "step recorded",
                )
            )
    last: dict[str, int] = {}
    for unit, version in recorded:
        last[unit] = max(version, last.get(unit, 0))
    for unit, version in sorted(rows):
        if unit in last and version > last[unit] and unit not in open_units:
            found.append(
                Mismatch(
                    key,
                    f"data kinerja of {unit}, version {version}, was not recorded by a "
                    "completed fill step",
                )
            )
    return found


def _note_designs(
    designs: _Designs,
    key: str,
    period: str,
    events: Sequence[EngineEvent],
    state: CaseState,
    d: SopDefinition,
) -> None:
    for e in events:
        record = _data(e).get(KEY)
        if _done(e) and _bound(d, e, DataAction.DESIGN) and isinstance(record, dict):
            digest = record.get("set_hash")
            previous = designs.recorded.get(period)
            if digest and (previous is None or e.at >= previous[0]):
                designs.recorded[period] = (e.at, digest, key, e.task or 0)
    if any(d.step(t.step).data is DataAction.DESIGN for t in state.open_tasks.values()):
        designs.open_periods.add(period)
