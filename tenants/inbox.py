"""A person's inbox: the open tasks they may act on in one office, most urgent first.

Every page of the web UI shows the inbox's size in its header, so it is read on every
request; it is also the one read whose result is known not to have changed: a task is
opened, claimed, reassigned or closed only by an event, every event advances the office's
hash chain (``chain_seq`` on the tenant row, read fresh at the start of each request), and
who may act on a task depends only on the person's memberships and delegations of today
(the engine :class:`~alur.core.engine.Actor`). :class:`InboxCache` therefore remembers
each inbox under *(office, chain_seq, actor)*, per process. A write anywhere in the office
moves ``chain_seq`` on and the next request reads afresh; a change of roles, units or
delegations gives another actor. Only ``overdue`` depends on the clock: it is worked out
again at every use.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from alur.core.engine import Context, may_act
from alur.core.engine.actors import Actor
from alur.core.model import SopDefinition
from alur.tenants.tables import Task

_FAR = datetime.max.replace(tzinfo=UTC)

# built once: a joined column is a copy made on each attribute access
_COLUMNS = (
    Task.task_no,
    Task.step,
    Task.unit,
    Task.role,
    Task.due,
    Task.assignee,
    Task.return_note,
    Task.case.key.as_alias("case_key"),
    Task.case.sop_id.as_alias("sop_id"),
    Task.case.period.as_alias("period"),
    Task.case.definition_hash.as_alias("definition_hash"),
)


@dataclass(frozen=True)
class InboxTask:
    case_key: str
    sop_id: str
    period: str
    task_no: int
    step: int
    kegiatan: str
    unit: str | None
    role: str
    due: datetime | None
    overdue: bool
    assigned_to_me: bool
    return_note: str


async def open_tasks(
    tenant_id: int, ctx: Context, definition: Callable[[str], Awaitable[SopDefinition]]
) -> list[InboxTask]:
    """The open tasks of the office that ``ctx.actor`` may act on, most urgent first: those
    of their roles, units and active delegations, unclaimed or claimed by them."""
    actor = ctx.actor
    roles = sorted({m.role for m in actor.memberships})
    if not roles:
        return []
    rows = await Task.select(*_COLUMNS).where(
        (Task.tenant == tenant_id) & (Task.status == "open") & Task.role.is_in(roles)
    )
    items = []
    for r in rows:
        if r["assignee"] is not None and str(r["assignee"]) != actor.id:
            continue
        d = await definition(r["definition_hash"])
        step = d.step(r["step"])
        if not may_act(actor, d, step, r["unit"]):
            continue
        due = r["due"]
        items.append(
            InboxTask(
                case_key=r["case_key"],
                sop_id=r["sop_id"],
                period=r["period"],
                task_no=r["task_no"],
                step=r["step"],
                kegiatan=step.kegiatan,
                unit=r["unit"],
                role=r["role"],
                due=due,
                overdue=due is not None and ctx.now > due,
                assigned_to_me=r["assignee"] is not None,
                return_note=r["return_note"],
            )
        )
    return sorted(items, key=lambda i: (i.due or _FAR, i.case_key, i.task_no))


def as_of(items: list[InboxTask], now: datetime) -> list[InboxTask]:
    """``items`` with their overdue marks as of ``now`` (later than when they were read)."""
    return [
        dataclasses.replace(i, overdue=True)
        if not i.overdue and i.due is not None and now > i.due
        else i
        for i in items
    ]


InboxKey = tuple[int, int, Actor]


class InboxCache:
    """The most recently used inboxes, by (office id, office ``chain_seq``, actor)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[InboxKey, list[InboxTask]] = OrderedDict()

    def get(self, key: InboxKey) -> list[InboxTask] | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: InboxKey, items: list[InboxTask]) -> None:
        self._items[key] = items
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


inboxes = InboxCache()
"""This process's inboxes (one event loop per process: no locking needed)."""
