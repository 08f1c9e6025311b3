"""The office overview for its leaders — the one service the page (``/t/{slug}/dashboard``)
and GraphQL's ``officeOverview`` both call.

:meth:`LeadersService.overview` checks that the person is a leader
(:func:`~alur.tenants.leaders.access.require_leader`), then reads the open work
(:mod:`~alur.tenants.leaders.open_work`) and the chosen period's capaian
(:mod:`~alur.tenants.leaders.capaian`). The period is the one asked for when it is a period
of the office's cases, otherwise "this period" on the office's today
(:func:`~alur.tenants.leaders.periods.current`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from alur.tenants.cases.service import TenantService
from alur.tenants.leaders import periods
from alur.tenants.leaders.access import require_leader
from alur.tenants.leaders.capaian import CaseCapaian, case_periods, period_capaian
from alur.tenants.leaders.open_work import OpenWork, open_work


@dataclass(frozen=True)
class Overview:
    """What the leaders of an office see at ``now``: the open work, the periods of the
    office's cases (latest first), the chosen ``period`` (``None`` when the office has no
    case yet) and its cases' capaian; ``units`` maps each unit slug to its name."""

    now: datetime
    today: date
    work: OpenWork
    periods: tuple[str, ...]
    period: str | None
    capaian: tuple[CaseCapaian, ...]
    units: dict[str, str]
    minutes_per_day: int  # office minutes of a working day, to say how late in days


class LeadersService:
    """The overview of one office (see the module docstring)."""

    def __init__(self, service: TenantService) -> None:
        self.service = service

    async def overview(self, user_id: int, period: str | None = None) -> Overview:
        service = self.service
        await require_leader(service, user_id)
        ctx = await service.context(user_id)
        today = ctx.now.astimezone(ctx.calendar.timezone).date()
        known = periods.ordered(await case_periods(service.ref.id))
        chosen = period if period in known else periods.current(known, today)
        if chosen is None and known:
            chosen = known[0]
        work = await open_work(service.ref.id, service.store.definition, ctx.calendar, ctx.now)
        capaian = await period_capaian(service, chosen) if chosen is not None else ()
        units = {u["slug"]: u["name"] for u in await service.units()}
        return Overview(
            ctx.now,
            today,
            work,
            tuple(known),
            chosen,
            capaian,
            units,
            ctx.calendar.minutes_per_day,
        )
