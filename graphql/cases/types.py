"""The domain types of a case: ``Case``, its ``Task``s and its ``Event``s (the offices and
people they refer to are in :mod:`alur.graphql.types`).

Plain fields are set when the object is built from its row; relations resolve through the
request's DataLoaders (:mod:`alur.graphql.dataloaders`), so a page of 50 cases with their
tasks costs the same number of queries as a page of 5.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from alur.graphql.kinerja import reads as kinerja_reads
from alur.graphql.sops.types import Role, SopDefinitionType, Step
from alur.graphql.types import (
    DelegationKind,
    Info,
    Person,
    Tenant,
    load_person,
    load_tenant,
    pinned,
)


@strawberry.enum(description="Where a case is.")
class CaseStatus(enum.Enum):
    ACTIVE = "active"
    FINISHED = "finished"
    CANCELLED = "cancelled"


@strawberry.enum(description="Where a task is.")
class TaskStatus(enum.Enum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@strawberry.enum(description="What an event records.")
class EventKind(enum.Enum):
    CASE_STARTED = "case_started"
    FAN_OUT_OPENED = "fan_out_opened"
    TASK_OPENED = "task_opened"
    TASK_CLAIMED = "task_claimed"
    TASK_UNCLAIMED = "task_unclaimed"
    TASK_REASSIGNED = "task_reassigned"
    TASK_COMPLETED = "task_completed"
    GATE_DECIDED = "gate_decided"
    UNIT_JOINED = "unit_joined"
    TASK_CANCELLED = "task_cancelled"
    TASK_REMINDED = "task_reminded"
    TASK_ESCALATED = "task_escalated"
    CASE_FINISHED = "case_finished"
    CASE_CANCELLED = "case_cancelled"
    CASE_MIGRATED = "case_migrated"


@strawberry.type(description="One run of an SOP for a period.")
class Case:
    key: str
    sop_id: str
    definition_hash: str
    period: str
    status: CaseStatus
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    row: strawberry.Private[dict]

    @strawberry.field(description="The office it belongs to.")
    async def tenant(self, info: Info) -> Tenant:
        return await load_tenant(info, self.row["tenant"])

    @strawberry.field(description="The SOP exactly as the case pinned it when it started.")
    async def sop(self, info: Info) -> SopDefinitionType:
        return await pinned(info, self.definition_hash, self.row["tenant"])

    @strawberry.field(description="Who started it.")
    async def started_by(self, info: Info) -> Person | None:
        return await load_person(info, self.row["started_by"])

    @strawberry.field(description="Its tasks, open and closed, in the order they opened.")
    async def tasks(self, info: Info, status: TaskStatus | None = None) -> list[Task]:
        rows = await info.context.loaders.tasks.load(self.row["id"])
        wanted = [r for r in rows if status is None or r["status"] == status.value]
        return await task_nodes(info, wanted, case=self)

    @strawberry.field(description="The timeline: every event of the case, in order.")
    async def events(self, info: Info) -> list[Event]:
        return [event_node(r) for r in await info.context.loaders.events.load(self.row["id"])]

    @strawberry.field(description="The earliest due time of its open tasks.")
    async def next_due(self, info: Info) -> datetime | None:
        return await next_due(info, self.row["id"])

    @strawberry.field(description="Whether an open task is past its due time.")
    async def overdue(self, info: Info) -> bool:
        due = await next_due(info, self.row["id"])
        return due is not None and info.context.now > due

    kinerja = kinerja_reads.KINERJA


async def next_due(info: Info, case_id: int) -> datetime | None:
    rows = await info.context.loaders.tasks.load(case_id)
    dues = [r["due"] for r in rows if r["status"] == "open" and r["due"] is not None]
    return min(dues, default=None)


def case_node(row: dict) -> Case:
    return Case(
        key=row["key"],
        sop_id=row["sop_id"],
        definition_hash=row["definition_hash"],
        period=row["period"],
        status=CaseStatus(row["status"]),
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        ended_at=row["ended_at"],
        row=row,
    )


@strawberry.type(description="One step waiting for (or done by) one actor, in one unit.")
class Task:
    number: int = strawberry.field(description="The task's number within its case.")
    unit: str | None
    status: TaskStatus
    opened_at: datetime
    due: datetime | None
    closed_at: datetime | None
    overdue: bool
    return_note: str = strawberry.field(description='The note of a "tidak" that returned it.')
    step: Step = strawberry.field(description="The step with its mutu baku.")
    role: Role = strawberry.field(description="The pelaksana who performs it.")
    case: Case = strawberry.field(description="The case it belongs to.")
    escalated_to: Role | None = strawberry.field(
        description='The role an escalation put it before ("perlu perhatian"); it stays with '
        "its holder. Null when it was not escalated."
    )
    row: strawberry.Private[dict]

    @strawberry.field(description="Who claimed it or was given it.")
    async def assignee(self, info: Info) -> Person | None:
        return await load_person(info, self.row["assignee"])

    @strawberry.field(description="The office it belongs to.")
    async def tenant(self, info: Info) -> Tenant:
        return await load_tenant(info, self.row["tenant"])


async def task_nodes(info: Info, rows: list[dict], case: Case | None = None) -> list[Task]:
    """``rows`` as tasks, with their step, role and case loaded up front (one batch each).

    Building the relations here rather than in per-task resolvers saves three async field
    resolutions per task: an inbox of 50 tasks is 150 fewer awaits on the event loop.
    ``case`` is the case all rows belong to, when the caller has it.
    """
    if not rows:
        return []
    cases: dict[int, Case] = {}
    if case is not None:
        cases[case.row["id"]] = case
    else:
        ids = sorted({r["case"] for r in rows})
        for row in await info.context.loaders.cases.load_many(ids):
            assert row is not None, "a visible task's case is visible"
            cases[row["id"]] = case_node(row)
    sops: dict[tuple[str, int], SopDefinitionType] = {}
    for key in {(r["definition_hash"], r["tenant"]) for r in rows}:
        sops[key] = await pinned(info, *key)
    now = info.context.now
    nodes = []
    for r in rows:
        d = sops[(r["definition_hash"], r["tenant"])]
        due = r["due"]
        nodes.append(
            Task(
                number=r["task_no"],
                unit=r["unit"],
                status=TaskStatus(r["status"]),
                opened_at=r["opened_at"],
                due=due,
                closed_at=r["closed_at"],
                overdue=r["status"] == "open" and due is not None and now > due,
                return_note=r["return_note"],
                step=step_of(info, d, r["step"]),
                role=role_of(info, d, r["role"]),
                case=cases[r["case"]],
                escalated_to=_escalated_role(info, d, r.get("escalated_role")),
                row=r,
            )
        )
    return nodes


def _escalated_role(info: Info, d: SopDefinitionType, role_id: str | None) -> Role | None:
    if not role_id:
        return None
    return _index(info, d)[1].get(role_id)


def step_of(info: Info, d: SopDefinitionType, number: int) -> Step:
    return _index(info, d)[0][number]


def role_of(info: Info, d: SopDefinitionType, role_id: str) -> Role:
    return _index(info, d)[1][role_id]


def _index(info: Info, d: SopDefinitionType) -> tuple[dict[int, Step], dict[str, Role]]:
    """A definition's steps by number and roles by id, built once per request."""
    key = ("index", id(d))
    found = info.context.cache.get(key)
    if found is None:
        found = info.context.cache[key] = (
            {s.number: s for s in d.steps},
            {r.id: r for r in d.roles},
        )
    return found


@strawberry.type(description="One entry of a case's append-only, hash-chained log.")
class Event:
    seq: int
    kind: EventKind
    at: datetime
    actor_name: str = strawberry.field(description="Who acted, as recorded.")
    role: str | None = strawberry.field(description="The role (id) they acted in.")
    delegation: DelegationKind | None = strawberry.field(description="Set for a Plt/Plh.")
    acting_for_name: str | None = strawberry.field(description="The official a Plt/Plh acted for.")
    step: int | None
    unit: str | None
    task: int | None
    note: str
    due: datetime | None = strawberry.field(description="task_opened: when it falls due.")
    payload: JSON
    row: strawberry.Private[dict]

    @strawberry.field(description="The person who acted.")
    async def actor(self, info: Info) -> Person | None:
        return await load_person(info, self.row["actor"])

    @strawberry.field(description="The official a Plt/Plh acted for.")
    async def acting_for(self, info: Info) -> Person | None:
        return await load_person(info, self.row["acting_for"])


def event_node(row: dict) -> Event:
    payload = row["payload"]
    if isinstance(payload, str):
        payload = json.loads(payload)
    return Event(
        seq=row["seq"],
        kind=EventKind(row["kind"]),
        at=row["at"],
        actor_name=row["actor_name"],
        role=row["role"],
        delegation=DelegationKind(row["delegation"]) if row["delegation"] else None,
        acting_for_name=row["acting_for_name"],
        step=row["step"],
        unit=row["unit"],
        task=row["task_no"],
        note=row["note"],
        due=row["due"],
        payload=payload or {},
        row=row,
    )
