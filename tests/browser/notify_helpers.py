"""Helpers of the notification browser tests: writing into the live server's SQLite database
what the worker (another part of issue 13) would write — notifications
(:func:`alur.tenants.notify.records.record_notices`) and clock events on a case's chain
(:func:`alur.core.clock.clock_event`) — through the same service functions, from the test
process (SQLite serialises the writers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alur.core.calendar import WorkingCalendar
from alur.core.clock import TimerKind, clock_event
from alur.core.plugins import create_plugin_manager
from alur.tenants.cases.service import TenantService
from alur.tenants.notify.records import REMINDED, Notice, record_notices
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Case, Membership, Task, Tenant, User
from alur.tenants.testing.postgres import run_coroutine


def _url(log_path: Path) -> str:
    return f"sqlite:///{log_path.parent / 'alur.db'}"


def _run(log_path: Path, work: Any) -> Any:
    async def main() -> Any:
        db = await open_database(_url(log_path), run_migrations=False)
        try:
            return await work(db)
        finally:
            await close_database(db)

    return run_coroutine(main())  # Playwright's sync API runs a loop in this thread


def remind(log_path: Path, slug: str, username: str, count: int, tag: str) -> str:
    """``count`` reminders for ``username`` about an open task of the office (one of theirs
    if they have one), one minute apart, the newest last; returns the case key."""

    async def work(db: Any) -> str:
        tenant = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
        user = await User.select(User.id).where(User.username == username).first()
        roles = [
            m["role"]
            for m in await Membership.select(Membership.role).where(
                (Membership.tenant == tenant["id"]) & (Membership.user == user["id"])
            )
        ]
        columns = (Task.case, Task.task_no, Task.step, Task.case.key.as_alias("key"))
        open_here = (Task.tenant == tenant["id"]) & (Task.status == "open")
        task = await Task.select(*columns).where(open_here & Task.role.is_in(roles)).first()
        if task is None:  # none of theirs: any open task of the office
            task = await Task.select(*columns).where(open_here).first()
        case = await Case.select(Case.period, Case.sop_id).where(Case.id == task["case"]).first()
        now = datetime.now(UTC) - timedelta(minutes=count)
        for n in range(count):
            await record_notices(
                tenant["id"],
                [
                    Notice(
                        kind=REMINDED,
                        user_id=user["id"],
                        key=f"browser:{tag}:{n}",
                        body={
                            "sop_name": "Pengumpulan Data Kinerja",
                            "step": task["step"],
                            "kegiatan": f"Kegiatan {task['step']} (pengingat {n + 1})",
                            "period": case["period"],
                            "due_text": "besok 09.00 WIB",
                            "case": task["key"],
                            "reason": "remind_before",
                        },
                        case_id=task["case"],
                        task_no=task["task_no"],
                    )
                ],
                now=now + timedelta(minutes=n),
                calendar=WorkingCalendar(),
            )
        return task["key"]

    return _run(log_path, work)


def remind_and_escalate(log_path: Path, slug: str, case_key: str, to_role: str) -> None:
    """A due-time reminder to the holders of the case's first open task, then its
    escalation to ``to_role``, appended to the case's chain as the sweep does."""

    async def work(db: Any) -> None:
        service = await TenantService.open(db, create_plugin_manager(), slug)
        case = await service.case(case_key)
        task = min(case.state.open_tasks.values(), key=lambda t: t.id)
        holders = [
            str(m["user"])
            for m in await Membership.select(Membership.user).where(
                (Membership.tenant == service.ref.id) & (Membership.role == task.role)
            )
        ]
        now = datetime.now(UTC)
        reminded = clock_event(
            case.state,
            task.id,
            TimerKind.REMIND_DUE,
            at=now,
            to=holders,
            channels=["app", "email"],
        )
        case = await service.store.apply(service.ref, case, reminded)
        escalated = clock_event(
            case.state,
            task.id,
            TimerKind.ESCALATE,
            at=now + timedelta(seconds=1),
            to=[],
            channels=["app"],
            to_role=to_role,
        )
        await service.store.apply(service.ref, case, escalated)

    _run(log_path, work)
