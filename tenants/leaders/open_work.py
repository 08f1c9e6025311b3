"""The office's open work as its leaders see it: open tasks counted per step and per bidang
(unit), and the overdue ones with whom they wait on.

Read from the task rows (kept in step with the events) of the office's open tasks, with each
case's pinned definition for the step's kegiatan and the role's name. A task is overdue when
its due time has passed (``due < now``); how long, in office minutes, is counted on the
office's working calendar (:meth:`~alur.core.calendar.WorkingCalendar.office_minutes_between`:
working days and office hours only).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from alur.core.calendar import WorkingCalendar
from alur.core.engine import Actor, takers
from alur.core.engine import Task as EngineTask
from alur.core.model import SopDefinition
from alur.tenants.cases.takers import label, office_holders
from alur.tenants.storage.tables import Task

NO_UNIT = ""
"""The "unit" of a step that is not per unit (one task for the whole office)."""

_COLUMNS = (
    Task.task_no,
    Task.step,
    Task.unit,
    Task.role,
    Task.opened_at,
    Task.due,
    Task.assignee.name.as_alias("assignee_name"),
    Task.escalated_role,
    Task.case.key.as_alias("case_key"),
    Task.case.sop_id.as_alias("sop_id"),
    Task.case.period.as_alias("period"),
    Task.case.definition_hash.as_alias("definition_hash"),
)


@dataclass
class StepLoad:
    """The open tasks at one step of one SOP: in all, per unit (:data:`NO_UNIT` for a step
    that is not per unit), how many cases are there and how many of the tasks are overdue."""

    sop_id: str
    sop_name: str
    step: int
    kegiatan: str
    tasks: int = 0
    overdue: int = 0
    cases: set[str] = field(default_factory=set)
    per_unit: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Late:
    """An overdue open task and whom it waits on: the person who took it, or everyone who
    could take it (``holders``: names, "Plt."/"Plh." before an acting person's)."""

    case_key: str
    sop_id: str
    period: str
    step: int
    kegiatan: str
    unit: str | None
    role: str
    role_name: str
    taken_by: str | None
    holders: tuple[str, ...]
    opened_at: datetime
    due: datetime
    office_minutes_late: int
    escalated_to: str | None  # the name of the role it was escalated to, if it was


@dataclass(frozen=True)
class OpenWork:
    """Open tasks by step (SOP, then step number) and by unit, and the overdue ones (most
    overdue first). ``units`` counts per unit slug (:data:`NO_UNIT` included when any)."""

    steps: tuple[StepLoad, ...]
    units: dict[str, int]
    overdue_units: dict[str, int]
    late: tuple[Late, ...]

    @property
    def total(self) -> int:
        return sum(s.tasks for s in self.steps)


async def open_work(
    tenant_id: int,
    definition: Callable[[str], Awaitable[SopDefinition]],
    calendar: WorkingCalendar,
    now: datetime,
) -> OpenWork:
    """The office's open work at ``now`` (see the module docstring)."""
    rows = await Task.select(*_COLUMNS).where((Task.tenant == tenant_id) & (Task.status == "open"))
    today = now.astimezone(calendar.timezone).date()
    steps: dict[tuple[str, int], StepLoad] = {}
    units: dict[str, int] = {}
    overdue_units: dict[str, int] = {}
    late: list[Late] = []
    people: list[Actor] | None = None  # the office's role holders today, read once if needed
    for r in rows:
        d = await definition(r["definition_hash"])
        step = d.step(r["step"])
        unit = r["unit"] or NO_UNIT
        load = steps.get((r["sop_id"], step.number))
        if load is None:
            load = StepLoad(r["sop_id"], d.header.nama, step.number, step.kegiatan)
            steps[(r["sop_id"], step.number)] = load
        load.tasks += 1
        load.cases.add(r["case_key"])
        load.per_unit[unit] = load.per_unit.get(unit, 0) + 1
        units[unit] = units.get(unit, 0) + 1
        due = r["due"]
        if due is None or due >= now:
            continue
        load.overdue += 1
        overdue_units[unit] = overdue_units.get(unit, 0) + 1
        role = d.roles_by_id.get(r["role"])
        could: tuple[str, ...] = ()
        if r["assignee_name"] is None:
            if people is None:
                people = await office_holders(tenant_id, today)
            could = _takers(d, r, people)
        late.append(
            Late(
                case_key=r["case_key"],
                sop_id=r["sop_id"],
                period=r["period"],
                step=step.number,
                kegiatan=step.kegiatan,
                unit=r["unit"],
                role=r["role"],
                role_name=role.name if role is not None else r["role"],
                taken_by=r["assignee_name"],
                holders=could,
                opened_at=r["opened_at"],
                due=due,
                office_minutes_late=calendar.office_minutes_between(due, now),
                escalated_to=_role_name(d, r["escalated_role"]),
            )
        )
    ordered = sorted(steps.values(), key=lambda s: (s.sop_name, s.sop_id, s.step))
    late.sort(key=lambda t: (t.due, t.case_key, t.step, t.unit or ""))
    return OpenWork(tuple(ordered), units, overdue_units, tuple(late))


def _role_name(d: SopDefinition, role_id: str | None) -> str | None:
    if role_id is None:
        return None
    role = d.roles_by_id.get(role_id)
    return role.name if role is not None else role_id


def _takers(d: SopDefinition, r: dict, people: list[Actor]) -> tuple[str, ...]:
    """Who could take the open task of row ``r``, as the engine judges it (the case list's
    rule, :func:`alur.core.engine.takers`): "Plh. Dewi" for an acting official, and no
    Plt/Plh for a step that is not delegable."""
    task = EngineTask(r["task_no"], r["step"], r["unit"], r["role"], r["opened_at"], r["due"])
    return tuple(sorted(label(a, d, task) for a in takers(d, task, people)))
