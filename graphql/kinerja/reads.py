"""Data kinerja, read: ``Tenant.indicatorSet(period)``, ``Tenant.indicatorPeriods`` and
``Case.kinerja`` (:class:`CaseKinerja`; null for an SOP without data kinerja steps).

Every token of an office reads them (a platform token: of every office); they are written
only through the step actions (:mod:`alur.graphql.kinerja.mutations`, then ``completeTask`` /
``decideGate``). :mod:`alur.graphql.types` and :mod:`alur.graphql.cases.types` attach the fields to ``Tenant`` and ``Case``.

The format and the submissions come from the request's DataLoaders (per office and period;
per case), and the recap is built from them by
:func:`~alur.tenants.kinerja.rules.recap_of` — the function ``KinerjaService.recap``, the web
pages and the exports use — so a page of cases asking ``kinerja { recap { ... } }``
costs as many statements as one case. Approvals and verification changes are read through
:class:`~alur.tenants.kinerja.service.KinerjaService` (the one reader of the case's hash-chained event
log that knows which events to trust): a few statements per case that asks for them.
"""

from __future__ import annotations

from typing import Any

import strawberry

from alur.core.kinerja import model as km
from alur.graphql.kinerja.types import (
    Approval,
    IndicatorSet,
    Info,
    Recap,
    Submission,
    VerificationChange,
    approval_node,
    indicator_set_node,
    recap_node,
    submission_node,
)
from alur.tenants.cases.service import TenantService
from alur.tenants.kinerja import rules
from alur.tenants.kinerja.service import KinerjaService


async def tenant_indicator_set(root: Any, info: Info, period: str) -> IndicatorSet | None:
    tenant_id = root.row["id"]
    found = await info.context.loaders.indicator_sets.load((tenant_id, period))
    return indicator_set_node(found, tenant_id) if found is not None else None


async def tenant_indicator_periods(root: Any, info: Info) -> list[str]:
    return await info.context.loaders.indicator_periods.load(root.row["id"])


INDICATOR_SET = strawberry.field(
    resolver=tenant_indicator_set,
    description='Its format data kinerja of a period (e.g. "Triwulan III 2026"), if any.',
)
INDICATOR_PERIODS = strawberry.field(
    resolver=tenant_indicator_periods,
    description="The periods it has a format data kinerja for, the newest first.",
)


async def office_service(info: Info, tenant_id: int) -> TenantService:
    """The service layer of an office the token reads (its own, or any for a platform
    token), opened once per request."""
    context = info.context
    identity = context.identity
    if identity is not None and identity.tenant_id == tenant_id:
        return await context.tenant_service()
    key = ("office service", tenant_id)
    found = context.cache.get(key)
    if found is None:
        row = await context.loaders.tenants.load(tenant_id)
        assert row is not None, "a visible case's office is visible"
        found = context.cache[key] = await TenantService.open(
            context.db, context.plugins, row["slug"]
        )
    return found


@strawberry.type(
    description="The data kinerja of a case: the format of its period, the units' data, the "
    "recap and its paraf and tanda tangan."
)
class CaseKinerja:
    case_id: strawberry.Private[int]
    tenant_id: strawberry.Private[int]
    key: strawberry.Private[str]
    period: strawberry.Private[str]

    async def _set(self, info: Info) -> km.IndicatorSet | None:
        return await info.context.loaders.indicator_sets.load((self.tenant_id, self.period))

    async def _recap(self, info: Info) -> km.Recap:
        """The recap (:func:`~alur.tenants.kinerja.rules.recap_of`, as every reader builds
        it) from the request's loaders."""
        loaders = info.context.loaders
        found = await self._set(info)
        units = await loaders.case_units.load(self.case_id)
        history = await loaders.submissions.load(self.case_id)
        return rules.recap_of(self.period, units, found, km.latest_of(history))

    @strawberry.field(description="The format of the case's period (null while it has none).")
    async def indicator_set(self, info: Info) -> IndicatorSet | None:
        found = await self._set(info)
        return indicator_set_node(found, self.tenant_id) if found is not None else None

    @strawberry.field(description="Every version of the units' data, per unit, oldest first.")
    async def submissions(self, info: Info, unit: str | None = None) -> list[Submission]:
        history = await info.context.loaders.submissions.load(self.case_id)
        return [
            submission_node(s)
            for u, versions in history.items()
            if unit is None or u == unit
            for s in versions
        ]

    @strawberry.field(description="The newest version of each unit's data.")
    async def latest(self, info: Info) -> list[Submission]:
        history = await info.context.loaders.submissions.load(self.case_id)
        return [submission_node(s) for s in km.latest_of(history).values()]

    @strawberry.field(description="The recap of the units' latest data.")
    async def recap(self, info: Info) -> Recap:
        return recap_node(await self._recap(info))

    @strawberry.field(description="Every paraf and tanda tangan of the case, oldest first.")
    async def approvals(self, info: Info) -> list[Approval]:
        service = await office_service(info, self.tenant_id)
        found = await KinerjaService(service).approvals(self.key)
        if not found:
            return []
        current = (await self._recap(info)).content_hash
        return [approval_node(a, current) for a in found]

    @strawberry.field(
        description='What a unit changed since its data was last returned ("tidak") at '
        "verification; empty when it was not returned."
    )
    async def changes(self, info: Info, unit: str) -> list[VerificationChange]:
        service = await office_service(info, self.tenant_id)
        found = await KinerjaService(service).verification_changes(self.key, unit)
        return [
            VerificationChange(indicator=c.indicator, field=c.field, before=c.before, after=c.after)
            for c in found
        ]


async def case_kinerja(root: Any, info: Info) -> CaseKinerja | None:
    row = root.row
    d = await info.context.loaders.definitions.load(row["definition_hash"])
    if d is None or not d.binds_data:
        return None
    return CaseKinerja(
        case_id=row["id"], tenant_id=row["tenant"], key=row["key"], period=row["period"]
    )


KINERJA = strawberry.field(
    resolver=case_kinerja,
    description="Its data kinerja (null when its SOP has no data kinerja steps).",
)
