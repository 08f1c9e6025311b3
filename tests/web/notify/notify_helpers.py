"""Helpers of the notification page tests: notices recorded as the worker's sweep records
them (:func:`alur.tenants.notify.records.record_notices`), and clock events appended to a
case as the sweep appends them (:func:`alur.core.clock.clock_event`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alur.core.calendar import WorkingCalendar
from alur.core.clock import TimerKind, clock_event
from alur.tenants.cases.service import TenantService
from alur.tenants.notify.records import REMINDED, Notice, record_notices
from alur.tenants.storage.tables import Case, Tenant
from alur.tenants.testing.postgres import run_coroutine
from alur.web.testing import FormSite

SLUG = "dinas-contoh"


def services(site: FormSite) -> Any:
    return site.client.app.state["services"]  # type: ignore[attr-defined]


def the_case(site: FormSite) -> str:
    """The key of the office's one case (provision started it)."""

    async def run() -> str:
        row = await Case.select(Case.key).where(Case.tenant.slug == SLUG).first()
        return row["key"]

    return run_coroutine(run())


def notify(site: FormSite, username: str, count: int, *, start: int = 0) -> None:
    """Record ``count`` reminders for ``username`` about step 1 of the office's case, one
    minute apart (the newest last)."""
    key = the_case(site)

    async def run() -> None:
        tenant = await Tenant.select(Tenant.id).where(Tenant.slug == SLUG).first()
        case = await Case.select(Case.id).where(Case.key == key).first()
        base = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
        for n in range(start, start + count):
            notice = Notice(
                kind=REMINDED,
                user_id=site.ids[username],
                key=f"test:{username}:{n}",
                body={
                    "sop_name": "Contoh Pengumpulan Data Kinerja",
                    "step": 1,
                    "kegiatan": f"Membuat draft nomor {n}",
                    "period": "Triwulan IV 2026",
                    "due_text": "25 Nov 2026 09.00 WIB",
                    "case": key,
                    "reason": "remind_before",
                },
                case_id=case["id"],
                task_no=1,
            )
            await record_notices(
                tenant["id"],
                [notice],
                now=base + timedelta(minutes=n),
                calendar=WorkingCalendar(),
            )

    run_coroutine(run())


def clock_fired(
    site: FormSite,
    step: int,
    kind: TimerKind,
    to: list[str],
    channels: list[str],
    *,
    to_role: str | None = None,
    late: timedelta = timedelta(0),
) -> None:
    """Append a clock event to step ``step``'s task of the office's case, ``late`` after
    its due time (or now), as the sweep would."""
    svc = services(site)
    key = the_case(site)

    async def run() -> None:
        service = await TenantService.open(svc.db, svc.plugins, SLUG)
        case = await service.case(key)
        task = next(t for t in case.state.open_tasks.values() if t.step == step)
        at = task.due + late if task.due is not None and late else datetime.now(UTC)
        t = clock_event(
            case.state,
            task.id,
            kind,
            at=at,
            to=[str(site.ids[u]) for u in to],
            channels=channels,
            to_role=to_role,
        )
        await service.store.apply(service.ref, case, t)

    run_coroutine(run())
