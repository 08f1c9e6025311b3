"""The sweep: fire the timers that are due — a reminder or an escalation event on the case's
chain, the notices it tells, their deliveries — each in one transaction.

**Cost follows what is due, not what is open.** Each transaction takes the earliest due timer
with ``SELECT … FROM alur_timer WHERE fires_at <= :now ORDER BY fires_at LIMIT 1`` — an
index scan of ``alur_timer(fires_at)`` (the column's own index) that starts at the earliest
timer and stops at the first row it may take; tasks that are open but not due are never
read (``bench/worker.py`` and ``tests/clock/test_sweep_index.py`` check the plan and the
times). A timer row exists only for an open task (closing events delete theirs), so the
table is as large as the open tasks' pending timers, and the sweep reads ``O(due × log n)``.

**Several workers.** On PostgreSQL the select ends ``FOR UPDATE OF tm, c, t SKIP LOCKED``:
it takes the timer, its case and its office's row (the office's hash chain) at once, or skips
the timer when any of them is taken — by another worker, another of this sweep's ``lanes``
(concurrent transactions), a person acting on the case, or an administrator saving the
office's clock policy. So the sweep never waits for a lock while holding one (no deadlock
with a person's action, which locks case, office, then its task's timers), and once fired a
timer is deleted in the same transaction, so no two workers fire the same timer. On SQLite
every write transaction is ``BEGIN IMMEDIATE`` (one writer at a time), which gives the same
guarantee with one lane.

**One transaction per timer**: load the case; if the task is no longer open, delete the timer
and stop; else find the recipients (:mod:`alur.tenants.clock.recipients`), append the clock
event with :func:`alur.core.clock.clock_event` through :class:`CaseStore` (the same
compare-and-set and chain lock as a person's action: a :class:`Conflict` — someone, or
another lane, acted on the case meanwhile — rolls the whole transaction back; the timer is
tried again at once, and after a few conflicts left for the next sweep), record the notices
and webhook deliveries (idempotency keys), delete the timer. A
worker killed at any point leaves either nothing or all of it. The caller enqueues the
returned delivery ids after the commit (:mod:`alur.tenants.clock.jobs`); a delivery whose job
is lost is picked up again by :func:`alur.tenants.notify.deliver.due_deliveries`.

Timers of a suspended office are not fired (its people cannot act); they wait, and the
index scan passes over them, until the office is resumed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alur.core.calendar import WorkingCalendar
from alur.core.clock import TimerKind, clock_event
from alur.core.engine.events import Event as EngineEvent
from alur.core.engine.state import CaseStatus, Task
from alur.core.model import SopDefinition
from alur.core.plugins import AlurPlugins
from alur.tenants.cases.store import CaseStore, StoredCase, TenantRef, stored_from_row
from alur.tenants.clock.recipients import recipients
from alur.tenants.errors import Conflict
from alur.tenants.notify.contacts import contacts_of
from alur.tenants.notify.records import (
    ESCALATED,
    REMINDED,
    Notice,
    record_notices,
    record_webhook_deliveries,
)
from alur.tenants.notify.webhooks import webhook_event
from alur.tenants.offices.office import load_office
from alur.tenants.offices.provisioning import calendar_from
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Timer

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 5000  # timers per sweep; the rest wait for the next one (a minute later)
CONFLICT_TRIES = 5  # a timer whose case keeps changing under it waits for the next sweep
LANES = 4  # transactions at once on PostgreSQL (each holds a pooled connection)
# A lane that finds every due timer taken looks again after 10, 20, … ms, up to ~2 s in all
# (a long-held lock leaves its timer to the next sweep).
BUSY_WAITS = 20
BUSY_PAUSE = 0.01

# The zone names offices use (Indonesia's three time zones).
ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

_NEXT_TIMER = """
SELECT tm.id, tm.tenant, tm."case", tm.task_no, tm.kind, tm.fires_at, tm.to_role, c.key,
  c.plugin, c.state, c.updated_at, t.slug AS tenant_slug,
  EXISTS (SELECT 1 FROM alur_webhook w WHERE w.tenant = tm.tenant AND w.active) AS hooks
FROM alur_timer tm
JOIN alur_tenant t ON t.id = tm.tenant
JOIN alur_case c ON c.id = tm."case"
WHERE tm.fires_at <= {} AND NOT t.suspended {skip}
ORDER BY tm.fires_at
LIMIT 1 {lock}
"""


@dataclass
class SweepResult:
    """What one sweep did: events written (``fired``), timers of closed tasks removed
    (``dropped``), timers left for the next sweep (``left``: a concurrent action on the case,
    or an error, logged) and the new deliveries to enqueue."""

    fired: int = 0
    dropped: int = 0
    left: int = 0
    deliveries: list[int] = field(default_factory=list)


@dataclass
class _Office:
    ref: TenantRef
    calendar: WorkingCalendar
    webhooks: bool  # whether it had an active webhook when the sweep first fired one of its timers


class _Sweep:
    def __init__(
        self,
        db: Database,
        plugins: AlurPlugins,
        now: datetime,
        offered: Collection[str] | None = None,
    ) -> None:
        self.offered = offered
        self.db = db
        self.plugins = plugins
        self.now = now
        self.store = CaseStore(db)
        self.offices: dict[int, _Office] = {}
        self.result = SweepResult()
        self.conflicts: Counter[int] = Counter()  # compare-and-set failures per timer

    async def office(self, timer: dict[str, Any]) -> _Office:
        """The timer's office (its row, days off and calendar: one statement, once a sweep)."""
        found = self.offices.get(timer["tenant"])
        if found is None:
            loaded = await load_office(timer["tenant_slug"], sqlite=self.db.is_sqlite)
            assert loaded is not None  # the timer's foreign key
            row = loaded.row
            calendar = calendar_from(row, loaded.days_off)
            found = _Office(TenantRef(row["id"], row["slug"]), calendar, bool(timer["hooks"]))
            self.offices[timer["tenant"]] = found
        return found

    async def next_timer(self, skip: list[int]) -> dict[str, Any] | None:
        rows = await self._due(skip, lock=not self.db.is_sqlite)
        return rows[0] if rows else None

    async def taken_due(self, skip: list[int]) -> bool:
        """Whether due timers remain that someone else holds (read without locking)."""
        return bool(await self._due(skip, lock=False))

    async def _due(self, skip: list[int], *, lock: bool) -> list[dict[str, Any]]:
        """The earliest due timer not in ``skip``; with ``lock``, taken with its case and
        office (or skipped when any of them is taken)."""
        sql = _NEXT_TIMER.format(
            "{}",
            skip=f"AND tm.id NOT IN ({', '.join('{}' for _ in skip)})" if skip else "",
            lock="FOR UPDATE OF tm, c, t SKIP LOCKED" if lock else "",
        )
        return await Timer.raw(sql, self.now, *skip)

    async def fire(self, timer: dict[str, Any]) -> list[int]:
        """Fire one timer inside the caller's transaction; the new delivery ids."""
        office = await self.office(timer)
        # the case row was read (and is locked by the compare-and-set) with the timer
        case = stored_from_row(office.ref.id, {**timer, "id": timer["case"]})
        task = case.state.task(timer["task_no"])
        if case.state.status is not CaseStatus.ACTIVE or task is None:
            await Timer.raw("DELETE FROM alur_timer WHERE id = {}", timer["id"])
            self.result.dropped += 1
            return []
        d = await self.store.definition(case.definition_hash)
        kind = TimerKind(timer["kind"])
        to_role = (timer["to_role"] or None) if kind is TimerKind.ESCALATE else None
        if kind is TimerKind.ESCALATE and to_role is None:  # a policy without a role to go to
            await Timer.raw("DELETE FROM alur_timer WHERE id = {}", timer["id"])
            self.result.dropped += 1
            return []
        today = self.now.astimezone(office.calendar.timezone).date()
        people = await recipients(office.ref.id, d, task, today, to_role)
        if not people:  # recorded all the same (to: []); an administrator should know
            log.warning(
                "%s of task %s of case %s (%s): nobody holds role %s today",
                kind,
                task.id,
                case.key,
                office.ref.slug,
                to_role or task.role,
            )
        channels = {"app"}
        for person in people:
            contacts = contacts_of(person)
            if not contacts.digest_only:
                channels.update(contacts.external_channels())
        t = clock_event(
            case.state,
            task.id,
            kind,
            at=self.now,
            to=[str(p["id"]) for p in people],
            channels=sorted(channels),
            to_role=to_role,
            reason=str(kind),
        )
        await self.store.apply(office.ref, case, t)  # joins this transaction
        event = t.events[0]
        body = notice_body(d, case, task, event, office.calendar, kind, to_role)
        notice_kind = ESCALATED if kind is TimerKind.ESCALATE else REMINDED
        notices = [
            Notice(
                kind=notice_kind,
                user_id=p["id"],
                key=f"{notice_kind}:{case.key}:{task.id}:{kind}:{p['id']}",
                body=body,
                case_id=case.id,
                task_no=task.id,
            )
            for p in people
        ]
        created = await record_notices(
            office.ref.id,
            notices,
            now=self.now,
            calendar=office.calendar,
            offered=self.offered,
            people={p["id"]: p for p in people},  # read by the recipients query already
        )
        if office.webhooks:
            created += await record_webhook_deliveries(
                office.ref.id,
                webhook_event(office.ref.slug, case.key, event),
                f"{case.key}:{event.seq}",
                now=self.now,
            )
        await Timer.raw("DELETE FROM alur_timer WHERE id = {}", timer["id"])
        self.result.fired += 1
        return created


async def sweep(
    db: Database,
    plugins: AlurPlugins,
    now: datetime,
    *,
    limit: int = DEFAULT_LIMIT,
    lanes: int = LANES,
    offered: Collection[str] | None = None,
) -> SweepResult:
    """Fire every timer due at ``now`` (at most ``limit``), one transaction each; returns
    what was done and the deliveries to enqueue (see the module docstring).

    On PostgreSQL ``lanes`` transactions run at once (each takes the next timer the others
    have not locked); on SQLite, which has one writer, one. ``offered``: the channels the
    workers can send through (deliveries are made only for those; ``None``: every one)."""
    s = _Sweep(db, plugins, now, offered)
    skip: list[int] = []
    budget = [limit]

    async def lane() -> None:
        waits = 0
        while budget[0] > 0:
            budget[0] -= 1
            if await one(s, skip):
                waits = 0
                continue
            budget[0] += 1  # nothing was taken
            # Nothing free: done, unless due timers are only taken (by another lane or worker
            # firing the same office's timers, or a person acting on the case) — then wait a
            # little and look again, so that one sweep still does all that is due.
            if db.is_sqlite or waits >= BUSY_WAITS or not await s.taken_due(skip):
                return
            waits += 1
            await asyncio.sleep(BUSY_PAUSE * waits)

    await asyncio.gather(*(lane() for _ in range(1 if db.is_sqlite else max(lanes, 1))))
    return s.result


async def one(s: _Sweep, skip: list[int]) -> bool:
    """Fire the next due timer in its own transaction; False when there is none."""
    timer: dict[str, Any] | None = None
    try:
        async with s.store.transaction():
            timer = await s.next_timer(skip)
            if timer is None:
                return False
            created = await s.fire(timer)
    except Conflict:  # the case moved on meanwhile (a person, or another lane): read again
        assert timer is not None
        s.conflicts[timer["id"]] += 1
        if s.conflicts[timer["id"]] >= CONFLICT_TRIES:
            skip.append(timer["id"])
            s.result.left += 1
        return True
    except Exception as exc:  # a bad row, a lost connection, a deadlock: the others go on
        if timer is None:
            raise  # the database itself cannot be read: the sweep fails, the job retries
        log.error(
            "timer %s of case %s not fired (left for the next sweep): %s: %s",
            timer["id"],
            timer["key"],
            type(exc).__name__,
            exc,
        )
        if timer["id"] not in skip:  # another lane may have taken it meanwhile: count it once
            skip.append(timer["id"])
            s.result.left += 1
        return True
    s.result.deliveries += created
    return True


def due_text(at: datetime | None, calendar: WorkingCalendar) -> str:
    """``2026-12-07 16:00 WIB``: a due time in the office's time, readable in any language."""
    if at is None:
        return ""
    local = at.astimezone(calendar.timezone)
    zone = ZONE_NAMES.get(str(calendar.timezone), str(calendar.timezone))
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def notice_body(
    d: SopDefinition,
    case: StoredCase,
    task: Task,
    event: EngineEvent,
    calendar: WorkingCalendar,
    kind: TimerKind,
    to_role: str | None,
) -> dict[str, Any]:
    """What a reminder or escalation says, as data (:mod:`alur.tenants.notify.messages`
    renders it in the reader's language)."""
    step = d.steps_by_number.get(task.step)
    role = d.roles_by_id.get(task.role)
    holder = task.assignee_name or (role.name if role is not None else task.role)
    if task.unit and not task.assignee_name:
        holder = f"{holder} ({task.unit})"
    body: dict[str, Any] = {
        "case": case.key,
        "sop": d.id,
        "sop_name": d.header.nama,
        "period": case.period,
        "step": task.step,
        "kegiatan": step.kegiatan if step is not None else "",
        "unit": task.unit or "",
        "task": task.id,
        "due": task.due.isoformat() if task.due else "",
        "due_text": due_text(task.due, calendar),
        "holder": holder,
        "reason": str(kind),
        "seq": event.seq,
    }
    if to_role:
        target = d.roles_by_id.get(to_role)
        body["to_role"] = to_role
        body["to_role_name"] = target.name if target is not None else to_role
    return body
