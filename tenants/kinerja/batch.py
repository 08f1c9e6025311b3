"""Data kinerja read in batches for the GraphQL API's per-request DataLoaders: formats by
(office, period), an office's periods, a case's submissions — one or two statements
however many are asked for, each confined to the reader's ``scope`` by the one rule of
:func:`alur.tenants.cases.batch.in_scope`. Rows become the model exactly as the service
maps them (:mod:`alur.tenants.kinerja.data`)."""

from __future__ import annotations

from collections.abc import Sequence

from alur.core.kinerja.model import Indicator, IndicatorSet, Submission
from alur.tenants.cases.batch import in_scope, many_each
from alur.tenants.kinerja.data import indicator_from_row, submission_from_row
from alur.tenants.storage.tables import IndicatorRow, IndicatorSetRow, SubmissionRow


async def indicator_sets(
    keys: Sequence[tuple[int, str]], *, scope: int | None
) -> list[IndicatorSet | None]:
    """The format of each (office, period), or ``None``: the sets, then their indicators."""
    tenants = sorted({t for t, _ in keys})
    where = [
        *in_scope(IndicatorSetRow.tenant, tenants, scope),
        IndicatorSetRow.period.is_in(sorted({p for _, p in keys})),
    ]
    heads = await IndicatorSetRow.select(
        IndicatorSetRow.id, IndicatorSetRow.tenant, IndicatorSetRow.period
    ).where(*where)
    wanted = {(h["tenant"], h["period"]): h["id"] for h in heads}
    rows: list[dict] = []
    if wanted:
        rows = (
            await IndicatorRow.select()
            .where(*in_scope(IndicatorRow.indicator_set, list(wanted.values()), scope))
            .order_by(IndicatorRow.position)
            .output(load_json=True)
        )
    indicators: dict[int, list[Indicator]] = {}
    for r in rows:
        indicators.setdefault(r["indicator_set"], []).append(indicator_from_row(r))
    return [
        IndicatorSet(key[1], tuple(indicators.get(wanted[key], ()))) if key in wanted else None
        for key in keys
    ]


async def indicator_periods(tenant_ids: Sequence[int], *, scope: int | None) -> list[list[str]]:
    """Each office's periods with a format, the most recently created first."""
    rows = (
        await IndicatorSetRow.select(IndicatorSetRow.tenant, IndicatorSetRow.period)
        .where(*in_scope(IndicatorSetRow.tenant, tenant_ids, scope))
        .order_by(IndicatorSetRow.id, ascending=False)
    )
    return [[r["period"] for r in found] for found in many_each(tenant_ids, rows, "tenant")]


async def submissions_of(
    case_ids: Sequence[int], *, scope: int | None
) -> list[dict[str, list[Submission]]]:
    """Every version of every unit's data in each case, per unit, oldest first."""
    rows = (
        await SubmissionRow.select(
            SubmissionRow.case,
            SubmissionRow.unit,
            SubmissionRow.version,
            SubmissionRow.entries,
            SubmissionRow.submitted_at,
            SubmissionRow.submitted_by.name.as_alias("submitted_by_name"),
        )
        .where(*in_scope(SubmissionRow.case, case_ids, scope))
        .order_by(SubmissionRow.unit, SubmissionRow.version)
        .output(load_json=True)
    )
    result = []
    for found in many_each(case_ids, rows, "case"):
        per_unit: dict[str, list[Submission]] = {}
        for r in found:
            per_unit.setdefault(r["unit"], []).append(submission_from_row(r))
        result.append(per_unit)
    return result
