"""``officeOverview``: the leaders' view of the token's office in GraphQL — open tasks by
step and unit, the overdue ones and whom they wait on, and a period's capaian — the same
figures as the web's dashboard, from the same service
(:meth:`alur.tenants.leaders.service.LeadersService.overview`).

It is the view of the token's person: a token bound to no person, a platform token, or a
person who is not a leader of the office today get ``Forbidden``
(:mod:`alur.tenants.leaders.access` decides).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from alur.core.i18n import gettext
from alur.graphql.errors import Forbidden, from_error
from alur.graphql.kinerja.types import Recap, maybe, recap_node
from alur.graphql.permissions import authenticated
from alur.graphql.types import Info
from alur.tenants.errors import Forbidden as ForbiddenError
from alur.tenants.errors import TenantSuspended
from alur.tenants.leaders.open_work import NO_UNIT
from alur.tenants.leaders.service import LeadersService, Overview


@strawberry.type(description="Open tasks of one unit (null: a step that is not per unit).")
class UnitTasks:
    unit: str | None
    tasks: int


@strawberry.type(description="The open tasks at one step of one SOP.")
class StepTasks:
    sop: str = strawberry.field(description="The SOP's id.")
    step: int
    kegiatan: str
    tasks: int
    overdue: int
    cases: int = strawberry.field(description="How many cases have an open task here.")
    units: list[UnitTasks]


@strawberry.type(description="An overdue open task and whom it waits on.")
class LateTask:
    case_key: str
    period: str
    sop: str
    step: int
    kegiatan: str
    unit: str | None
    role: str = strawberry.field(description="The role's id.")
    role_name: str
    taken_by: str | None = strawberry.field(description="Who took it, if someone did.")
    holders: list[str] = strawberry.field(
        description="Everyone who could take it today (empty when someone took it)."
    )
    due: datetime
    office_minutes_late: int = strawberry.field(
        description="How late, in office minutes of the office's working calendar."
    )
    escalated_to: str | None = strawberry.field(description="The role it was escalated to.")


@strawberry.type(description="A unit's capaian: the mean of its capaian in the recap.")
class UnitCapaian:
    unit: str
    capaian: Decimal | None
    counted: int
    reported: int


@strawberry.type(description="The recap of one case of the period and its units' capaian.")
class CaseCapaian:
    case_key: str
    sop: str
    status: str
    recap: Recap
    units: list[UnitCapaian]


@strawberry.type(description="What the office's leaders see now (the web's dashboard).")
class OfficeOverview:
    now: datetime
    today: date
    open_tasks: int
    steps: list[StepTasks]
    units: list[UnitTasks]
    late: list[LateTask]
    periods: list[str] = strawberry.field(description="The periods of the office's cases.")
    period: str | None = strawberry.field(description="The period of `capaian`.")
    capaian: list[CaseCapaian]


OverviewResult = Annotated[OfficeOverview | Forbidden, strawberry.union("OfficeOverviewResult")]


def _unit(slug: str) -> str | None:
    return None if slug == NO_UNIT else slug


def overview_node(o: Overview) -> OfficeOverview:
    return OfficeOverview(
        now=o.now,
        today=o.today,
        open_tasks=o.work.total,
        steps=[
            StepTasks(
                sop=s.sop_id,
                step=s.step,
                kegiatan=s.kegiatan,
                tasks=s.tasks,
                overdue=s.overdue,
                cases=len(s.cases),
                units=[UnitTasks(unit=_unit(u), tasks=n) for u, n in s.per_unit.items()],
            )
            for s in o.work.steps
        ],
        units=[UnitTasks(unit=_unit(u), tasks=n) for u, n in o.work.units.items()],
        late=[
            LateTask(
                case_key=t.case_key,
                period=t.period,
                sop=t.sop_id,
                step=t.step,
                kegiatan=t.kegiatan,
                unit=t.unit,
                role=t.role,
                role_name=t.role_name,
                taken_by=t.taken_by,
                holders=list(t.holders),
                due=t.due,
                office_minutes_late=t.office_minutes_late,
                escalated_to=t.escalated_to,
            )
            for t in o.work.late
        ],
        periods=list(o.periods),
        period=o.period,
        capaian=[
            CaseCapaian(
                case_key=c.case_key,
                sop=c.sop_id,
                status=c.status,
                recap=recap_node(c.recap),
                units=[
                    UnitCapaian(
                        unit=u.unit,
                        capaian=maybe(u.capaian),
                        counted=u.counted,
                        reported=u.reported,
                    )
                    for u in c.units
                ],
            )
            for c in o.capaian
        ],
    )


@strawberry.type
class LeadersQuery:
    @strawberry.field(
        description="The token's office as its leaders see it (the web's dashboard): open "
        "tasks by step and unit, overdue tasks and whom they wait on, and the capaian of "
        "`period` (one of `periods`; otherwise the period containing today). For the "
        "office's administrator and holders of a role of rank 4 or more (Sekretaris, "
        "Kepala), as themselves or Plt/Plh; anyone else gets Forbidden.",
        extensions=authenticated(),
    )
    async def office_overview(self, info: Info, period: str | None = None) -> OverviewResult:
        identity = info.context.identity
        try:
            if identity is None or identity.tenant_id is None or identity.user_id is None:
                raise ForbiddenError(
                    what=gettext(
                        "read the office overview with this token: it is bound to no person"
                    )
                )
            service = await info.context.tenant_service()
            found = await LeadersService(service).overview(identity.user_id, period)
        except (ForbiddenError, TenantSuspended) as exc:
            return from_error(exc)  # type: ignore[return-value]
        return overview_node(found)
