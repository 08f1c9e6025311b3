"""A SOP family's Mutu baku figures across offices, for the platform's operators.

A **family** is one SOP of one plugin (same plugin name, same SOP id), whichever office runs
it and whatever revision it runs. :func:`family_figures` gives, for every office that ran
a case of it, that office's figures per step (offices named: operators may compare them),
and the province's figures per step: every office's spans together, so their ``median``
is the province median an office sees beside its own figures (without the other offices'
names: :mod:`alur.tenants.monitoring.report`).

Steps are compared by number. The counting rules are the report's: a span counts when it
closed within the period, cancelled spans never, a moved case under the step numbers of
the definition it moved to. The period's office dates are read in the offices' time zone
when every office of the family shares one (a province usually does), else in WIB.

Never per person and never per unit: those are the office's own business.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from alur.core.calendar import JAKARTA
from alur.core.errors import InvalidInput
from alur.core.i18n import format_message
from alur.core.model import SopDefinition
from alur.core.monitoring.figures import StepFigures, figures_of, grouped
from alur.core.monitoring.spans import StepSpan
from alur.core.plugins import AlurPlugins
from alur.tenants.monitoring import source
from alur.tenants.monitoring.report import Period
from alur.tenants.storage.tables import Case


@dataclass(frozen=True)
class OfficeFigures:
    """One office's figures of the family: ``steps`` in step order (``count == 0``: no
    data), ``cases`` with at least one span counted."""

    slug: str
    name: str
    steps: tuple[StepFigures, ...]
    cases: int

    @property
    def has_data(self) -> bool:
        return any(f.has_data for f in self.steps)


@dataclass(frozen=True)
class ProvinceFigures:
    """The family's figures over ``period``: per office, and every office together
    (``steps``, whose ``median`` is the province median of each step)."""

    plugin: str
    sop_id: str
    name: str
    nomor: str
    period: Period
    kegiatan: dict[int, str]
    steps: tuple[StepFigures, ...]
    offices: tuple[OfficeFigures, ...]

    @property
    def has_data(self) -> bool:
        return any(f.has_data for f in self.steps)


def family_definition(plugins: AlurPlugins, plugin: str, sop_id: str) -> SopDefinition:
    """The plugin's definition of the family; :class:`InvalidInput` (``plugin``, ``sop``)
    for a plugin or SOP that is not installed."""
    found = next((p for p in plugins.plugins() if p.name == plugin and p.ok), None)
    if found is None:
        raise InvalidInput(
            {"plugin": format_message("No plugin named {plugin} is installed.", plugin=plugin)}
        )
    d = found.sops.get(sop_id)
    if d is None:
        raise InvalidInput({"sop": format_message("The plugin has no SOP {sop}.", sop=sop_id)})
    return d


async def family_figures(
    plugins: AlurPlugins, plugin: str, sop_id: str, period: Period
) -> ProvinceFigures:
    """The figures of SOP ``sop_id`` of ``plugin`` across offices (module docstring)."""
    d = family_definition(plugins, plugin, sop_id)
    offices = {
        r["tenant.slug"]: r
        for r in await Case.select(Case.tenant.slug, Case.tenant.name, Case.tenant.timezone).where(
            (Case.plugin == plugin) & (Case.sop_id == sop_id)
        )
    }
    zones = {r["tenant.timezone"] for r in offices.values()}
    timezone = ZoneInfo(zones.pop()) if len(zones) == 1 else JAKARTA
    start, end = period.bounds(timezone)
    family = await source.family_spans(plugin, sop_id, start, end)
    numbers = sorted(
        {s.number for s in d.steps} | {s.step for spans in family.values() for s in spans}
    )
    every = [s for spans in family.values() for s in spans]
    return ProvinceFigures(
        plugin=plugin,
        sop_id=sop_id,
        name=d.header.nama,
        nomor=d.header.nomor,
        period=period,
        kegiatan={s.number: s.kegiatan for s in d.steps},
        steps=_per_step(numbers, every),
        offices=tuple(
            OfficeFigures(
                slug=slug,
                name=str(offices.get(slug, {}).get("tenant.name") or slug),
                steps=_per_step(numbers, spans),
                cases=len({s.case for s in spans}),
            )
            for slug, spans in sorted(family.items())
        ),
    )


def _per_step(numbers: list[int], spans: list[StepSpan]) -> tuple[StepFigures, ...]:
    by_step = grouped(spans, lambda s: s.step)
    return tuple(by_step.get(n) or figures_of(n, ()) for n in numbers)
