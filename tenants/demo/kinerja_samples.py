"""Sample data kinerja, for the demo offices and for tests that walk the installed SOPs.

The rules of bound steps (:mod:`alur.tenants.kinerja.rules`) refuse to complete a design
step without a format or a fill step without the unit's data. :func:`fill_in_sample` gives
an open task at such a step what it needs, through the real service (so with the same
permission checks and versions as a person's form), and leaves anything already there
alone. :func:`seed_sample_format` writes the sample format of a period directly, without a
design task (for a test that drives a case through an API that has no format form). Both
invent data: never call them on real offices.
"""

from __future__ import annotations

from decimal import Decimal

from alur.core.kinerja.forms import read_indicator_set
from alur.core.kinerja.model import Direction, IndicatorSet
from alur.core.kinerja.numbers import decimal_text
from alur.core.model import DataAction
from alur.tenants.cases.service import TenantService
from alur.tenants.kinerja.data import replace_indicators
from alur.tenants.kinerja.service import KinerjaService

SAMPLE_ROWS: tuple[dict[str, str], ...] = (
    {
        "code": "IKU-1",
        "sasaran": "Meningkatnya kualitas pelayanan publik",
        "text": "Persentase kegiatan yang selesai tepat waktu",
        "unit_of_measure": "%",
        "target": "100",
        "direction": "higher",
        "units": "",
        "allow_negative": "",
    },
    {
        "code": "IKU-2",
        "sasaran": "Meningkatnya kualitas pelayanan publik",
        "text": "Jumlah pengaduan masyarakat yang belum ditindaklanjuti",
        "unit_of_measure": "pengaduan",
        "target": "10",
        "direction": "lower",
        "units": "",
        "allow_negative": "",
    },
    {
        "code": "IKU-3",
        "sasaran": "Meningkatnya akuntabilitas kinerja",
        "text": "Nilai evaluasi SAKIP unit",
        "unit_of_measure": "nilai",
        "target": "80",
        "direction": "higher",
        "units": "",
        "allow_negative": "",
    },
)
# How far each unit (in case order) is from the target: some above, some below.
_FACTORS = (Decimal("0.92"), Decimal("1.05"), Decimal("0.98"), Decimal("1.1"))


async def fill_in_sample(
    kinerja: KinerjaService, user_id: int, case_key: str, task_no: int
) -> None:
    """At an open design task: the sample format when the period has none. At an open fill
    task: a sample submission when the unit's latest does not cover its indicators.
    Anything else: nothing. ``user_id`` must be allowed to act on the task."""
    service = kinerja.service
    case = await service.case(case_key)
    task = case.state.open_tasks.get(task_no)
    if task is None:
        return
    binding = (await service.definition_of(case)).step(task.step).data
    if binding is DataAction.DESIGN:
        existing = await kinerja.indicator_set(case.period)
        if existing is None or not existing.indicators:
            await kinerja.save_indicator_set(
                user_id, case_key, task_no, list(SAMPLE_ROWS), language="en"
            )
    elif binding is DataAction.FILL and task.unit is not None:
        indicator_set = await kinerja.indicator_set(case.period)
        if indicator_set is None:
            return
        indicators = indicator_set.for_unit(task.unit, case.state.units)
        latest = (await kinerja.latest(case_key)).get(task.unit)
        if not indicators or (
            latest is not None and all(latest.entry(i.code) is not None for i in indicators)
        ):
            return
        factor = _FACTORS[case.state.units.index(task.unit) % len(_FACTORS)]
        values = {}
        for i in indicators:
            wanted = i.target * (2 - factor if i.direction is Direction.LOWER else factor)
            values[i.code] = {
                "realisasi": decimal_text(wanted.quantize(Decimal("0.01"))),
                "explanation": "Data dari laporan bulanan bidang.",
            }
        await kinerja.save_submission(user_id, case_key, task_no, values, language="en")


async def seed_sample_format(service: TenantService, period: str) -> IndicatorSet:
    """Make :data:`SAMPLE_ROWS` the tenant's format of ``period`` (every unit reports every
    indicator), replacing any; no design task is involved."""
    units = [u["slug"] for u in await service.units()]
    indicator_set = read_indicator_set(period, SAMPLE_ROWS, known_units=units, language="en")
    async with service.store.transaction():
        await replace_indicators(service.ref.id, indicator_set, None, service.clock())
    return indicator_set
