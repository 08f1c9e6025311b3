"""The Mutu baku report: how long each step of the office's SOPs actually took, against its
standard time, over a period — the one service the web page, GraphQL and
``alur report mutu-baku`` all call, so the three give the same numbers.

**What counts.** A span (one task at one step, :mod:`alur.core.monitoring.spans`) counts in a
period when it *closed* — completed, or its gate decided — on an office date within
``[start, end]`` (the office's time zone). Spans cancelled (by a cancelled case, or a task
closed by a move) and those still open never count. A case moved to another definition
midway counts under the step numbers of the definition it moved to. Durations are office
minutes on the office's working calendar.

**Filters.** ``sop_id`` (one SOP the office runs; default every one), the period (default
:func:`default_period`: the six months up to today; at most :data:`MAX_PERIOD_DAYS`) and a
``unit`` (only that unit's work at per-unit steps; steps not done per unit then have no
data).

**Province.** Each step also carries the province median: the median of the same step of the
same SOP (same plugin and SOP id, whichever office runs it, this one included) over the
same period (none when the report is of one unit: offices are compared whole), without
naming the other offices (:func:`family_figures` names them, for
operators).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from alur.core.calendar import WorkingCalendar
from alur.core.engine.events import Event as EngineEvent
from alur.core.errors import InvalidInput
from alur.core.i18n import format_message, gettext
from alur.core.model import SopDefinition
from alur.core.monitoring.figures import StepFigures, bottlenecks, figures_of
from alur.core.monitoring.groups import SpanGroups, span_groups, step_medians
from alur.core.monitoring.spans import StepSpan
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import StoredCase
from alur.tenants.monitoring import source
from alur.tenants.monitoring.access import reads_figures, require_reader, sees_per_person
from alur.tenants.offices.provisioning import calendar_for

FIRST_YEAR = 2000
"""No office ran an SOP in Alur before: a report's dates are from this year up to the end of
next year (a date far outside would not even convert to UTC)."""
MAX_PERIOD_DAYS = 3 * 366
"""The longest period a report covers (three years)."""
DEFAULT_MONTHS = 6


@dataclass(frozen=True)
class Period:
    """Office dates, both included."""

    start: date
    end: date

    def bounds(self, timezone) -> tuple[datetime, datetime]:
        """The period as UTC instants ``[start 00:00, day after end 00:00)`` in ``timezone``."""
        start = datetime.combine(self.start, time(0), tzinfo=timezone).astimezone(UTC)
        end = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=timezone)
        return start, end.astimezone(UTC)


def default_period(today: date) -> Period:
    """The six months up to today: from the day after the same date six months ago."""
    month = today.month - DEFAULT_MONTHS
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(today.day, _days_in(year, month))
    return Period(date(year, month, day) + timedelta(days=1), today)


def _days_in(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers (module docstring). Build it from text with :meth:`parse`."""

    sop_id: str | None = None
    period: Period | None = None
    unit: str | None = None

    @classmethod
    def parse(
        cls,
        sop_id: str | None = None,
        start: str | date | None = None,
        end: str | date | None = None,
        unit: str | None = None,
        *,
        today: date,
    ) -> ReportFilter:
        """A filter from what a form, an API call or the command line gave (ISO dates);
        :class:`InvalidInput` naming each bad field (``start``, ``end``). A missing start
        or end takes the default period's."""
        errors: dict[str, str] = {}
        default = default_period(today)
        first = _date(start, "start", errors) or default.start
        last = _date(end, "end", errors) or (default.end if end in (None, "") else None)
        earliest, latest = date(FIRST_YEAR, 1, 1), date(today.year + 1, 12, 31)
        for name, day in (("start", first), ("end", last)):
            if name not in errors and day is not None and not earliest <= day <= latest:
                errors[name] = format_message(
                    "Choose a date from {first} to {last}.",
                    first=earliest.isoformat(),
                    last=latest.isoformat(),
                )
        if not errors and last is not None:
            if first > last:
                errors["end"] = gettext("The end of the period is before its start.")
            elif (last - first).days + 1 > MAX_PERIOD_DAYS:
                errors["end"] = format_message(
                    "A report covers at most {days} days; choose a shorter period.",
                    days=MAX_PERIOD_DAYS,
                )
        if errors:
            raise InvalidInput(errors)
        assert last is not None
        return cls(
            sop_id=(sop_id or "").strip() or None,
            period=Period(first, last),
            unit=(unit or "").strip() or None,
        )


def _date(value: str | date | None, name: str, errors: dict[str, str]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if len(text) != 10 or not text.isascii():
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = gettext("Write a date as YYYY-MM-DD, e.g. 2026-07-01.")
        return None


@dataclass(frozen=True)
class StepReport:
    """One kegiatan of an SOP: its figures over the period (``figures.count == 0``: no data),
    per unit (``by_unit``, keys are unit slugs) and the province median (office minutes)."""

    number: int
    kegiatan: str
    role: str  # the pelaksana's name
    waktu: str  # the mutu baku as written
    figures: StepFigures
    by_unit: tuple[StepFigures, ...] = ()
    province_median: float | None = None
    per_unit: bool = False  # done once per unit (a report of one unit has data only here)


@dataclass(frozen=True)
class SopReport:
    sop_id: str
    name: str
    nomor: str
    steps: tuple[StepReport, ...]
    bottlenecks: tuple[StepReport, ...]  # the steps that held cases longest
    by_person: tuple[StepFigures, ...] | None  # key (step, actor id, actor name); leaders only
    cases: int  # cases with at least one span counted

    @property
    def has_data(self) -> bool:
        return any(s.figures.has_data for s in self.steps)


@dataclass(frozen=True)
class MutuBakuReport:
    office: str  # slug
    office_name: str
    period: Period
    sop_id: str | None
    unit: str | None
    unit_names: Mapping[str, str]
    sops: tuple[SopReport, ...]
    per_person: bool
    minutes_per_day: int
    generated_at: datetime = field(compare=False, default_factory=lambda: datetime.now(UTC))


class MutuBakuReports:
    """The office's Mutu baku figures (module docstring)."""

    def __init__(self, service: TenantService) -> None:
        self.service = service

    async def readable(self, user_id: int) -> bool:
        """Whether user ``user_id`` may read the figures (:mod:`.access`)."""
        ctx = await self.service.context(user_id)
        return reads_figures(ctx.actor, self.service.tenant, self.service.sops())

    async def require_reader(self, user_id: int) -> None:
        """:class:`~alur.tenants.errors.Forbidden` unless user ``user_id`` may read the
        figures (pages built on them, such as the yearly evaluation, ask this first)."""
        ctx = await self.service.context(user_id)
        require_reader(ctx.actor, self.service.tenant, self.service.sops())

    async def report(self, user_id: int, f: ReportFilter) -> MutuBakuReport:
        """The figures ``f`` asks for, as user ``user_id`` may see them."""
        ctx = await self.service.context(user_id)
        sops = self.service.sops()
        require_reader(ctx.actor, self.service.tenant, sops)
        return await self._report(f, per_person=sees_per_person(ctx.actor, sops))

    async def report_for_operator(self, f: ReportFilter) -> MutuBakuReport:
        """The figures for the platform's operators (``alur report mutu-baku``): every step
        and unit, never per person (those are for the office's leaders)."""
        return await self._report(f, per_person=False)

    async def _report(self, f: ReportFilter, *, per_person: bool) -> MutuBakuReport:
        service = self.service
        sops = service.sops()
        calendar = await calendar_for(service.tenant)
        units = {u["slug"]: u["name"] for u in await service.units()}
        errors: dict[str, str] = {}
        if f.sop_id is not None and f.sop_id not in sops:
            errors["sop"] = format_message("The office runs no SOP {sop}.", sop=f.sop_id)
        if f.unit is not None and f.unit not in units:
            errors["unit"] = format_message("The office has no unit {unit}.", unit=f.unit)
        if errors:
            raise InvalidInput(errors)
        period = f.period or default_period(service.today())
        start, end = period.bounds(calendar.timezone)
        wanted = [f.sop_id] if f.sop_id is not None else sorted(sops)
        # grouped by the database (the projection), the arithmetic in core.monitoring.figures
        groups = await source.office_groups(
            service.ref.id, f.sop_id, start, end, unit=f.unit, per_person=per_person
        )
        reports = []
        for sop_id in wanted:
            plugin = service.plugin_definition(sop_id)[0]
            # offices are compared whole: beside one unit's figures there is no province median
            medians = (
                await source.province_medians(plugin, sop_id, start, end) if f.unit is None else {}
            )
            none = span_groups((), per_person=per_person)
            reports.append(sop_report_of(sops[sop_id], groups.get(sop_id, none), medians))
        return MutuBakuReport(
            office=service.ref.slug,
            office_name=str(service.tenant.get("name", "")),
            period=period,
            sop_id=f.sop_id,
            unit=f.unit,
            unit_names=units,
            sops=tuple(reports),
            per_person=per_person,
            minutes_per_day=calendar.minutes_per_day,
        )

    async def case_spans(
        self,
        case: StoredCase,
        events: Sequence[EngineEvent] | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> list[StepSpan]:
        """Every span of one case (the case page's actual time beside each step's mutu baku);
        whoever sees the case sees these. ``events`` and ``calendar``: the case's history and
        the office's calendar when the caller has read them already (no statement again)."""
        if events is None:
            events = await self.service.history_of(case)
        if calendar is None:
            calendar = await calendar_for(self.service.tenant)
        return await source.case_spans(case.key, events, calendar)


def sop_report(
    d: SopDefinition,
    spans: Sequence[StepSpan],
    *,
    unit: str | None = None,
    per_person: bool = False,
    province: Sequence[StepSpan] = (),
) -> SopReport:
    """One SOP's figures from its counted spans (pure: the report's arithmetic, once)."""
    return sop_report_of(
        d, span_groups(spans, unit=unit, per_person=per_person), step_medians(province)
    )


def sop_report_of(
    d: SopDefinition, groups: SpanGroups, province_medians: Mapping[int, float | None]
) -> SopReport:
    """One SOP's figures from its counted spans' groups (:func:`sop_report`, or a database's
    grouping: :func:`alur.tenants.monitoring.source.office_groups`)."""
    by_step, by_unit = groups.by_step, groups.by_unit
    numbers = [s.number for s in d.steps] + sorted(
        n for n in by_step if isinstance(n, int) and n not in d.steps_by_number
    )
    steps = []
    for n in numbers:
        step = d.steps_by_number.get(n)
        figures = by_step.get(n) or figures_of(n, ())
        steps.append(
            StepReport(
                number=n,
                kegiatan=step.kegiatan if step is not None else "",
                role=_role_name(d, step.actor) if step is not None else "",
                waktu=step.waktu.text if step is not None else "",
                figures=figures,
                by_unit=tuple(
                    replace_key(v, k[1])
                    for k, v in by_unit.items()
                    if isinstance(k, tuple) and k[0] == n
                ),
                province_median=province_medians.get(n),
                per_unit=step.per_unit if step is not None else False,
            )
        )
    ranked = {f.key for f in bottlenecks([s.figures for s in steps])}
    held = sorted((s for s in steps if s.number in ranked), key=lambda s: -s.figures.held)
    people = tuple(groups.by_person.values()) if groups.by_person is not None else None
    return SopReport(
        sop_id=d.id,
        name=d.header.nama,
        nomor=d.header.nomor,
        steps=tuple(steps),
        bottlenecks=tuple(held),
        by_person=people,
        cases=groups.cases,
    )


def replace_key(f: StepFigures, key: object) -> StepFigures:
    return replace(f, key=key)


def _role_name(d: SopDefinition, role_id: str) -> str:
    role = d.roles_by_id.get(role_id)
    return role.name if role is not None else role_id
