"""Plain-JSON forms of case states and events, for storage and APIs.

``state_from_dict(state_to_dict(s)) == s`` and likewise for events (tests check both), so
storage can keep a state snapshot beside the event log and restore it exactly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alur.core.durations import Duration
from alur.core.engine.events import Event, EventKind
from alur.core.engine.state import CaseState, CaseStatus, FanOut, Task


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def task_to_dict(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "step": t.step,
        "unit": t.unit,
        "role": t.role,
        "opened_at": _dt(t.opened_at),
        "due": _dt(t.due),
        "assignee": t.assignee,
        "assignee_name": t.assignee_name,
        "returned_from": t.returned_from,
        "return_note": t.return_note,
        "escalated_to": t.escalated_to,
    }


def task_from_dict(d: dict[str, Any]) -> Task:
    return Task(
        id=d["id"],
        step=d["step"],
        unit=d["unit"],
        role=d["role"],
        opened_at=_parse_dt(d["opened_at"]),  # type: ignore[arg-type]
        due=_parse_dt(d["due"]),
        assignee=d["assignee"],
        assignee_name=d["assignee_name"],
        returned_from=d["returned_from"],
        return_note=d["return_note"],
        escalated_to=d.get("escalated_to"),  # absent in states cached before the clock
    )


def state_to_dict(s: CaseState) -> dict[str, Any]:
    return {
        "case_id": s.case_id,
        "sop_id": s.sop_id,
        "version": s.version,
        "definition_hash": s.definition_hash,
        "period": s.period,
        "units": list(s.units),
        "durations": {str(k): d.text for k, d in s.durations.items()},
        "status": str(s.status),
        "open_tasks": [task_to_dict(t) for t in s.open_tasks.values()],
        "fan_out": None
        if s.fan_out is None
        else {
            "join": s.fan_out.join,
            "units": list(s.fan_out.units),
            "arrived": sorted(s.fan_out.arrived),
        },
        "next_task_id": s.next_task_id,
        "last_seq": s.last_seq,
        "started_at": _dt(s.started_at),
        "ended_at": _dt(s.ended_at),
    }


def state_from_dict(d: dict[str, Any]) -> CaseState:
    fo = d["fan_out"]
    return CaseState(
        case_id=d["case_id"],
        sop_id=d["sop_id"],
        version=d["version"],
        definition_hash=d["definition_hash"],
        period=d["period"],
        units=tuple(d["units"]),
        durations={int(k): Duration.parse(v) for k, v in d["durations"].items()},
        status=CaseStatus(d["status"]),
        open_tasks={t["id"]: task_from_dict(t) for t in d["open_tasks"]},
        fan_out=None
        if fo is None
        else FanOut(join=fo["join"], units=tuple(fo["units"]), arrived=frozenset(fo["arrived"])),
        next_task_id=d["next_task_id"],
        last_seq=d["last_seq"],
        started_at=_parse_dt(d["started_at"]),  # type: ignore[arg-type]
        ended_at=_parse_dt(d["ended_at"]),
    )


def event_to_dict(e: Event) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "kind": str(e.kind),
        "at": _dt(e.at),
        "actor": e.actor,
        "actor_name": e.actor_name,
        "role": e.role,
        "delegation": e.delegation,
        "acting_for": e.acting_for,
        "acting_for_name": e.acting_for_name,
        "step": e.step,
        "unit": e.unit,
        "task": e.task,
        "note": e.note,
        "due": _dt(e.due),
        "payload": dict(e.payload),
    }


def event_from_dict(d: dict[str, Any]) -> Event:
    return Event(
        seq=d["seq"],
        kind=EventKind(d["kind"]),
        at=_parse_dt(d["at"]),  # type: ignore[arg-type]
        actor=d["actor"],
        actor_name=d["actor_name"],
        role=d["role"],
        delegation=d["delegation"],
        acting_for=d["acting_for"],
        acting_for_name=d["acting_for_name"],
        step=d["step"],
        unit=d["unit"],
        task=d["task"],
        note=d["note"],
        due=_parse_dt(d["due"]),
        payload=d["payload"],
    )
