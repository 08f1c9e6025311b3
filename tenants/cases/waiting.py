"""Whom each case of a list is waiting on, and when that is due (the case list's column).

For each open step of a case: the role, and the person — the task's assignee, else the
people holding the role (in the task's unit) today — or, for a per-unit step open in
several units, the role and how many units ("Kabid (3 bidang)").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from alur.core.engine import Task as EngineTask
from alur.core.engine import takers
from alur.core.model import SopDefinition
from alur.tenants.cases.takers import office_holders
from alur.tenants.storage.tables import Task


@dataclass(frozen=True)
class Waiting:
    """One open step of a case: whose move it is."""

    step: int
    role: str  # the role's name
    people: tuple[str, ...]  # the assignee, or the role's holders ("" when several units)
    units: int  # how many units it is open in (0: a step done once)
    assigned: bool  # ``people`` is the task's assignee
    due: datetime | None  # the earliest due time of its open tasks
    overdue: bool


async def waiting_on(
    tenant_id: int,
    cases: Sequence[tuple[int, str]],
    now: datetime,
    on: date,
    definition: Callable[[str], Awaitable[SopDefinition]],
) -> dict[int, list[Waiting]]:
    """For each ``(case id, definition hash)``, the steps it waits on, in step order."""
    ids = [case_id for case_id, _ in cases]
    if not ids:
        return {}
    rows = await Task.select(
        Task.case,
        Task.task_no,
        Task.step,
        Task.unit,
        Task.role,
        Task.opened_at,
        Task.due,
        Task.assignee.id.as_alias("assignee"),
        Task.assignee.name.as_alias("assignee_name"),
    ).where((Task.tenant == tenant_id) & (Task.status == "open") & Task.case.is_in(ids))
    if not rows:
        return {}
    holders = await office_holders(tenant_id, on)
    hashes = dict(cases)
    by_step: dict[tuple[int, int], list[dict]] = {}
    for r in rows:
        by_step.setdefault((r["case"], r["step"]), []).append(r)
    result: dict[int, list[Waiting]] = {}
    for (case_id, step), tasks in sorted(by_step.items()):
        d = await definition(hashes[case_id])
        result.setdefault(case_id, []).append(_waiting(d, step, tasks, holders, now))
    return result


def _waiting(
    d: SopDefinition, step: int, tasks: list[dict], holders: list, now: datetime
) -> Waiting:
    role = d.roles_by_id.get(tasks[0]["role"])
    dues = [t["due"] for t in tasks if t["due"] is not None]
    due = min(dues) if dues else None
    common = {"step": step, "role": role.name if role else tasks[0]["role"], "due": due}
    common["overdue"] = due is not None and due < now
    if len(tasks) > 1:
        return Waiting(people=(), units=len(tasks), assigned=False, **common)
    t = tasks[0]
    if t["assignee_name"]:
        return Waiting(people=(t["assignee_name"],), units=0, assigned=True, **common)
    task = EngineTask(t["task_no"], step, t["unit"], t["role"], t["opened_at"], t["due"])
    names = tuple(a.name for a in takers(d, task, holders))
    return Waiting(people=names, units=0, assigned=False, **common)
