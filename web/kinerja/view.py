"""The data kinerja forms on the case page.

At an open task of a bound step (:attr:`~alur.core.model.Step.data`) that the viewer may
act on, the case page shows a :class:`KinerjaPanel` above the task's usual buttons:

- ``design``: :class:`DesignPanel`, the format editor (the period's indicators, spare rows,
  the periods a format can be copied from);
- ``fill``: :class:`FillPanel`, the unit's indicators with its latest values and evidence;
- ``verify``: :class:`~alur.web.kinerja.reads.UnitData` of the task's unit (or of every
  unit, for a step that is not per unit) with the changes since the last "Tidak";
- ``recap``, ``paraf``, ``sign``, ``archive``: :class:`~alur.web.kinerja.reads.RecapView`,
  the recap table, its hash and the approvals.

After a refused save, :func:`design_panel` and :func:`fill_panel` build the form from the
posted values and the errors instead, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from alur.core.kinerja.forms import INDICATOR_FIELDS
from alur.core.kinerja.model import Indicator, Submission
from alur.core.model import DataAction, SopDefinition
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import StoredCase
from alur.web.kinerja.forms import indicator_row, input_number, row_units
from alur.web.kinerja.reads import (
    EvidenceLink,
    KinerjaReader,
    RecapView,
    UnitData,
    evidence_links,
    recap_view,
    unit_data,
)

SPARE_ROWS = 3  # blank rows under the format editor's indicators
FILL_FIELDS = ("code", "realisasi", "explanation", "evidence")  # error keys of an indicator
# error keys of the task's completion (web/cases/completion.py, TenantService.act): shown
# next to the completion's fields inside a format or data form, not at the form's top
COMPLETION_FIELDS = ("note", "attachment", "data", "task")
RECAP_ACTIONS = (DataAction.RECAP, DataAction.PARAF, DataAction.SIGN, DataAction.ARCHIVE)


# --- the panels at bound steps ------------------------------------------------------------


@dataclass(frozen=True)
class DesignRow:
    index: int
    values: dict[str, str]
    units: tuple[str, ...]
    errors: dict[str, str]


@dataclass(frozen=True)
class DesignPanel:
    rows: tuple[DesignRow, ...]
    units: tuple[tuple[str, str], ...]  # (slug, name) offered as checkboxes
    periods: tuple[str, ...]  # formats that can be copied
    from_period: str
    errors: dict[str, str]  # set-level: "indicators", "from_period"

    @property
    def next_index(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class FillLine:
    indicator: Indicator
    target: str
    realisasi: str
    explanation: str
    evidence: tuple[EvidenceLink, ...]
    removed: frozenset[str]
    errors: dict[str, str]  # realisasi, explanation, evidence
    dropped: tuple[str, ...] = ()  # files chosen in a refused form: to be chosen again


@dataclass(frozen=True)
class FillPanel:
    unit: str
    unit_name: str
    lines: tuple[FillLine, ...]
    latest: Submission | None
    errors: dict[str, str]  # messages of no single field ("indicators")


@dataclass(frozen=True)
class KinerjaPanel:
    task: int
    action: str  # a DataAction value
    design: DesignPanel | None = None
    fill: FillPanel | None = None
    verify: tuple[UnitData, ...] = ()
    recap: RecapView | None = None
    notice: str = ""
    # after a refused "Complete": the completion's own errors and the file it could not keep
    completion_errors: dict[str, str] = field(default_factory=dict)
    dropped_attachment: str = ""

    @property
    def takes_completion(self) -> bool:
        """Whether the panel's form carries the task's "Complete" button (save, then
        complete, in one press) instead of a separate completion form."""
        return self.design is not None or (self.fill is not None and bool(self.fill.lines))


def blank_row(index: int) -> DesignRow:
    return DesignRow(index, {"direction": "higher"}, (), {})


async def unit_choices(
    reader: KinerjaReader, rows: Iterable[DesignRow] = ()
) -> tuple[tuple[str, str], ...]:
    """(slug, name) of the units offered as checkboxes: the case's, plus any a row names
    that the case does not have (so that it stays visible, and refused, rather than lost)."""
    names = await reader.unit_names()
    offered = dict.fromkeys(reader.case.state.units)
    for row in rows:
        offered.update(dict.fromkeys(row.units))
    return tuple((u, names.get(u, u)) for u in offered)


async def design_panel(
    reader: KinerjaReader,
    *,
    rows: list[dict[str, str]] | None = None,
    errors: Mapping[str, str] | None = None,
    from_period: str = "",
) -> DesignPanel:
    """The format editor: ``rows`` as posted (kept exactly, with ``errors``) or the
    period's indicators and a few spare rows."""
    errors = dict(errors or {})
    if rows is None:
        indicator_set = await reader.indicator_set()
        rows = [indicator_row(i, reader.language) for i in indicator_set.indicators]
        shown = [DesignRow(n, row, row_units(row), {}) for n, row in enumerate(rows)]
        shown += [blank_row(len(rows) + n) for n in range(SPARE_ROWS)]
    else:
        shown = []
        for n, row in enumerate(rows):
            row_errors = {f: errors[f"{n}.{f}"] for f in INDICATOR_FIELDS if f"{n}.{f}" in errors}
            shown.append(DesignRow(n, row, row_units(row), row_errors))
        if not shown:
            shown = [blank_row(n) for n in range(SPARE_ROWS)]
    periods = tuple(p for p in await reader.periods() if p != reader.case.period)
    row_keys = {f"{row.index}.{f}" for row in shown for f in INDICATOR_FIELDS}
    set_errors = {k: v for k, v in errors.items() if k not in row_keys}
    return DesignPanel(
        rows=tuple(shown),
        units=await unit_choices(reader, shown),
        periods=periods,
        from_period=from_period,
        errors=set_errors,
    )


async def fill_panel(
    reader: KinerjaReader,
    unit: str,
    *,
    values: Mapping[str, Mapping[str, str]] | None = None,
    removed: Mapping[str, Iterable[str]] | None = None,
    errors: Mapping[str, str] | None = None,
    dropped: Mapping[str, Iterable[str]] | None = None,
) -> FillPanel:
    """``unit``'s form: the typed ``values`` (after a refusal) or its latest saved ones;
    ``dropped`` names the files a refused form could not keep, per indicator code."""
    indicator_set = await reader.indicator_set()
    latest = (await reader.latest()).get(unit)
    ids = await reader.evidence_ids()
    errors = dict(errors or {})
    lines = []
    shown: set[str] = set()
    for indicator in indicator_set.for_unit(unit, reader.case.state.units):
        entry = latest.entry(indicator.code) if latest is not None else None
        if values is not None:
            typed = values.get(indicator.code, {})
            realisasi, explanation = typed.get("realisasi", ""), typed.get("explanation", "")
        elif entry is not None:
            realisasi = input_number(entry.realisasi, reader.language)
            explanation = entry.explanation
        else:
            realisasi = explanation = ""
        keys = {name: f"{indicator.code}.{name}" for name in FILL_FIELDS}
        mine = {name: errors[key] for name, key in keys.items() if key in errors}
        shown.update(keys[name] for name in mine)
        lines.append(
            FillLine(
                indicator=indicator,
                target=reader.number(indicator.target),
                realisasi=realisasi,
                explanation=explanation,
                evidence=evidence_links(entry.evidence, ids) if entry is not None else (),
                removed=frozenset((removed or {}).get(indicator.code, ())),
                errors=mine,
                dropped=tuple((dropped or {}).get(indicator.code, ())),
            )
        )
    names = await reader.unit_names()
    other = {k: v for k, v in errors.items() if k not in shown}
    return FillPanel(unit, names.get(unit, unit), tuple(lines), latest, other)


async def task_panel(
    reader: KinerjaReader, d: SopDefinition, task_id: int, step: int, unit: str | None
) -> KinerjaPanel | None:
    """The panel of an open task at a bound step (``None`` when the step is not bound)."""
    action = d.step(step).data
    if action is None:
        return None
    if action is DataAction.DESIGN:
        return KinerjaPanel(task_id, str(action), design=await design_panel(reader))
    if action is DataAction.FILL and unit is not None:
        return KinerjaPanel(task_id, str(action), fill=await fill_panel(reader, unit))
    if action is DataAction.VERIFY:
        units = (unit,) if unit is not None else reader.case.state.units
        verify = tuple([await unit_data(reader, u) for u in units])
        return KinerjaPanel(task_id, str(action), verify=verify)
    if action in RECAP_ACTIONS:
        return KinerjaPanel(task_id, str(action), recap=await recap_view(reader))
    return KinerjaPanel(task_id, str(action))


async def kinerja_panels(
    tenant: TenantService,
    case: StoredCase,
    d: SopDefinition,
    tasks: Iterable[tuple[int, int, str | None]],
) -> dict[int, KinerjaPanel]:
    """The panels of ``tasks`` (id, step, unit) that are at bound steps, by task id."""
    wanted = [t for t in tasks if d.step(t[1]).data is not None]
    if not wanted:
        return {}
    reader = KinerjaReader(tenant, case)
    panels = {}
    for task_id, step, unit in wanted:
        panel = await task_panel(reader, d, task_id, step, unit)
        if panel is not None:
            panels[task_id] = panel
    return panels
