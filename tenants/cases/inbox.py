"""A person's inbox: the open tasks they may act on in one office, most urgent first.

Every page of the web UI shows the inbox's size in its header, so it is read on every
request; it is also the one read whose result is known not to have changed: a task is
opened, claimed, reassigned or closed only by an event, every event advances the office's
hash chain (``chain_seq`` on the tenant row, read fresh at the start of each request), and
who may act on a task depends only on the person's memberships and delegations of today
(the engine :class:`~alur.core.engine.Actor`). :class:`InboxCache` therefore remembers
one inbox per *(office, actor)*, per process, with the ``chain_seq`` it was read at. A
write anywhere in the office moves ``chain_seq`` on: the next request reads afresh and its
inbox replaces the stale one (it is not kept beside it); a change of roles, units or
delegations gives another actor. Only ``overdue`` depends on the clock: it is worked out
again at every use. The cache is bounded by the bytes its inboxes hold
(:mod:`alur.tenants.caches`), not by their number: an inbox is as large as its cases'
texts.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from alur.core.engine import Context
from alur.core.engine.actors import Actor, membership_for
from alur.core.errors import DelegationRefused, NotYourUnit, WrongRole
from alur.core.model import SopDefinition
from alur.tenants.caches import ByteBoundedCache, text_bytes
from alur.tenants.storage.tables import Task

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
    escalated_to: str | None = None  # attention_tasks: the role it was escalated to
    # open_tasks: held as Plt/Plh ("Plt" / "Plh") for the official named, when delegated
    acting_as: str | None = None
    acting_for_name: str | None = None


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
        try:  # the membership the person would act in (a Plt/Plh says so in the inbox)
            held = membership_for(actor, d, step, r["unit"])
        except (WrongRole, NotYourUnit, DelegationRefused):
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
                acting_as=str(held.delegation) if held.delegation else None,
                acting_for_name=held.acting_for_name if held.delegation else None,
            )
        )
    return sorted(items, key=lambda i: (i.due or _FAR, i.case_key, i.task_no))


async def attention_tasks(
    tenant_id: int, ctx: Context, definition: Callable[[str], Awaitable[SopDefinition]]
) -> list[InboxTask]:
    """The office's open tasks that need ``ctx.actor``'s attention ("perlu perhatian"): those
    a ``task_escalated`` event put before a role they hold today (their own or as Plt/Plh;
    for a role held per unit, in the task's unit). The task stays with its holder —
    ``assigned_to_me`` says whether that is this person — and is read by the index on
    ``(tenant, status, escalated_role)``. Most overdue first."""
    roles = sorted({m.role for m in ctx.actor.memberships})
    if not roles:
        return []
    rows = await Task.select(*_COLUMNS, Task.escalated_role).where(
        (Task.tenant == tenant_id) & (Task.status == "open") & Task.escalated_role.is_in(roles)
    )
    items = []
    for r in rows:
        d = await definition(r["definition_hash"])
        role = d.roles_by_id.get(r["escalated_role"])
        if role is None:
            continue
        held = [m for m in ctx.actor.memberships if m.role == role.id]
        if role.per_unit and r["unit"] is not None and all(m.unit != r["unit"] for m in held):
            continue
        due = r["due"]
        items.append(
            InboxTask(
                case_key=r["case_key"],
                sop_id=r["sop_id"],
                period=r["period"],
                task_no=r["task_no"],
                step=r["step"],
                kegiatan=d.step(r["step"]).kegiatan,
                unit=r["unit"],
                role=r["role"],
                due=due,
                overdue=due is not None and ctx.now > due,
                assigned_to_me=r["assignee"] is not None and str(r["assignee"]) == ctx.actor.id,
                return_note=r["return_note"],
                escalated_to=role.id,
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
"""(office id, office ``chain_seq`` as the request read it, actor)"""

# An InboxTask without its texts: the object, its attribute dict, the due datetime
# (measured with sys.getsizeof on CPython 3.11–3.13: 56 + 296 + 48), and a list slot.
_TASK_BYTES = 408


def inbox_bytes(entry: tuple[int, list[InboxTask]]) -> int:
    """About what a remembered inbox keeps alive."""
    _seq, items = entry
    return sys.getsizeof(items) + sum(
        _TASK_BYTES
        + text_bytes(
            i.case_key,
            i.sop_id,
            i.period,
            i.kegiatan,
            i.unit,
            i.role,
            i.return_note,
            i.acting_for_name,
        )
        for i in items
    )


class InboxCache:
    """Each person's inbox in each office, as read at the office's latest ``chain_seq``
    this process has seen, the most recently used ones within a budget of bytes."""

    def __init__(self) -> None:
        self.entries: ByteBoundedCache[tuple[int, Actor], tuple[int, list[InboxTask]]] = (
            ByteBoundedCache("inboxes", 1 / 2, inbox_bytes)
        )

    def get(self, key: InboxKey) -> list[InboxTask] | None:
        office, seq, actor = key
        found = self.entries.get((office, actor))
        if found is None:
            return None
        if found[0] < seq:  # the office has moved on: this inbox will not be asked for again
            self.entries.pop((office, actor))
            return None
        return found[1] if found[0] == seq else None

    def put(self, key: InboxKey, items: list[InboxTask]) -> None:
        office, seq, actor = key
        found = self.entries.get((office, actor))
        if found is not None and found[0] > seq:  # read before a write another request saw
            return
        self.entries.put((office, actor), (seq, items))

    def clear(self) -> None:
        self.entries.clear()


inboxes = InboxCache()
"""This process's inboxes (one event loop per process: no locking needed)."""
