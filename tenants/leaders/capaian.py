"""A period's capaian as its leaders see it: the data kinerja recap of each case of the
period, per sasaran and indicator (the recap's own figures), and per bidang.

The recap is the one assembly of data kinerja (:func:`alur.tenants.kinerja.rules.case_recap`);
nothing here computes a capaian again. The one figure the recap does not have is a bidang's
(unit's) capaian: the mean of the capaian the recap shows for that unit over the indicators
it reports and has a computable capaian for, rounded once, half up, to two decimals (``None``
when it has none yet). Cases of the period that were cancelled, or whose SOP collects no data
kinerja, are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from alur.core.kinerja.model import Recap
from alur.core.model import SopDefinition
from alur.tenants.cases.service import TenantService
from alur.tenants.kinerja.rules import case_recap
from alur.tenants.storage.tables import Case

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class UnitCapaian:
    """One bidang's capaian in a recap: the mean (see the module docstring), how many of its
    indicators have a computable capaian and how many it reports."""

    unit: str
    capaian: Decimal | None
    counted: int
    reported: int


@dataclass(frozen=True)
class CaseCapaian:
    """The recap of one case of the period, and its bidang's capaian."""

    case_key: str
    sop_id: str
    sop_name: str
    status: str
    recap: Recap
    units: tuple[UnitCapaian, ...]


def unit_capaian(recap: Recap) -> tuple[UnitCapaian, ...]:
    """Each unit's capaian in ``recap``, in the recap's unit order."""
    values: dict[str, list[Decimal]] = {u: [] for u in recap.units}
    reported: dict[str, int] = dict.fromkeys(recap.units, 0)
    for sasaran in recap.sasaran:
        for indicator in sasaran.indicators:
            for result in indicator.results:
                reported[result.unit] = reported.get(result.unit, 0) + 1
                if result.capaian.value is not None:
                    values.setdefault(result.unit, []).append(result.capaian.value)
    found = []
    for unit in dict.fromkeys((*recap.units, *reported)):
        counted = values.get(unit, [])
        mean = None
        if counted:
            mean = (sum(counted, Decimal(0)) / len(counted)).quantize(_CENT, ROUND_HALF_UP)
        found.append(UnitCapaian(unit, mean, len(counted), reported.get(unit, 0)))
    return tuple(found)


def _collects_data(d: SopDefinition) -> bool:
    return any(s.data is not None for s in d.steps)


async def period_capaian(service: TenantService, period: str) -> tuple[CaseCapaian, ...]:
    """The recap of every case of ``period`` that collects data kinerja and was not
    cancelled, the most recently started first."""
    rows = (
        await Case.select(Case.key)
        .where(
            (Case.tenant == service.ref.id) & (Case.period == period) & (Case.status != "cancelled")
        )
        .order_by(Case.started_at, ascending=False)
        .order_by(Case.id, ascending=False)
    )
    found = []
    for row in rows:
        case = await service.case(row["key"])
        d = await service.definition_of(case)
        if not _collects_data(d):
            continue
        recap = await case_recap(service, case)
        found.append(
            CaseCapaian(
                case_key=case.key,
                sop_id=case.sop_id,
                sop_name=d.header.nama,
                status=case.status,
                recap=recap,
                units=unit_capaian(recap),
            )
        )
    return tuple(found)


async def case_periods(tenant_id: int) -> list[str]:
    """The periods of the office's cases that were not cancelled (unordered, no repeats)."""
    rows = (
        await Case.select(Case.period)
        .where((Case.tenant == tenant_id) & (Case.status != "cancelled"))
        .distinct()
    )
    return [r["period"] for r in rows]
