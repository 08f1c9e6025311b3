"""The Mutu baku figures as GraphQL types: office minutes as numbers (on the office's
working calendar), ``null`` where there is no data — "belum ada data" is never a zero."""

from __future__ import annotations

from datetime import date

import strawberry

from alur.core.monitoring.figures import StepFigures as Figures
from alur.tenants.monitoring import report as service
from alur.tenants.monitoring.province import ProvinceFigures


@strawberry.type(
    description="How long a group of spans (one task at one step) actually took, against "
    "the mutu baku: office minutes; null where the group has no finished span."
)
class StepFigures:
    count: int = strawberry.field(description="Finished spans (done, or a gate decided).")
    median_minutes: float | None
    p75_minutes: float | None
    p90_minutes: float | None
    waiting_median_minutes: float | None = strawberry.field(
        description="Median of the time before someone took the task."
    )
    working_median_minutes: float | None = strawberry.field(
        description="Median of the time from taking the task to closing it."
    )
    standard_minutes: int | None = strawberry.field(description="The mutu baku's waktu.")
    within: int | None = strawberry.field(description="Spans no longer than the standard.")
    with_standard: int | None = strawberry.field(description="Spans that had a standard.")
    within_share: float | None = strawberry.field(
        description="within / withStandard (0–1); null when no span had a standard."
    )
    returned: int | None = strawberry.field(description="Times a gate here answered 'tidak'.")
    rework: int | None = strawberry.field(
        description="Spans opened again after work came back (rounds of rework)."
    )
    held_minutes: int | None = strawberry.field(
        description="Office minutes of every finished span together (what ranks bottlenecks)."
    )


def figures_node(f: Figures) -> StepFigures:
    data = f.has_data
    return StepFigures(
        count=f.count,
        median_minutes=f.median,
        p75_minutes=f.p75,
        p90_minutes=f.p90,
        waiting_median_minutes=f.waiting_median,
        working_median_minutes=f.working_median,
        standard_minutes=f.standard,
        within=f.within if data else None,
        with_standard=f.with_standard if data else None,
        within_share=f.within_share,
        returned=f.returned if data else None,
        rework=f.rework if data else None,
        held_minutes=f.held if data else None,
    )


@strawberry.type(description="A step's figures for one unit (a step done per unit).")
class UnitFigures:
    unit: str = strawberry.field(description="The unit's slug.")
    unit_name: str
    figures: StepFigures


@strawberry.type(description="A step's figures for the person who closed the tasks.")
class PersonFigures:
    step: int
    person: str = strawberry.field(description="The person's name.")
    figures: StepFigures


@strawberry.type(description="One kegiatan of an SOP: actual time against its mutu baku.")
class MutuBakuStep:
    number: int
    kegiatan: str
    role: str = strawberry.field(description="The pelaksana's name.")
    waktu: str = strawberry.field(description="The mutu baku's waktu as the SOP writes it.")
    figures: StepFigures
    units: list[UnitFigures]
    province_median_minutes: float | None = strawberry.field(
        description="The median of this step across every office running the same SOP "
        "(this one included), over the same period."
    )


@strawberry.type(description="One SOP's figures over the period.")
class MutuBakuSop:
    sop: str = strawberry.field(description="The SOP's id.")
    name: str
    nomor: str
    cases: int = strawberry.field(description="Cases with at least one span counted.")
    has_data: bool = strawberry.field(description="False: 'belum ada data' for the period.")
    steps: list[MutuBakuStep]
    bottlenecks: list[int] = strawberry.field(
        description="The numbers of the steps that held cases longest, longest first."
    )
    people: list[PersonFigures] | None = strawberry.field(
        description="Per person and step: only for the office's leaders (null otherwise)."
    )


@strawberry.type(description="An office's Mutu baku report (the web's Mutu baku page).")
class MutuBakuReport:
    office: str = strawberry.field(description="The office's slug.")
    office_name: str
    start: date = strawberry.field(name="from", description="The period's first office date.")
    end: date = strawberry.field(name="to", description="The period's last office date.")
    unit: str | None
    minutes_per_day: int = strawberry.field(
        description="Office minutes in a working day (a 'hari' of the mutu baku)."
    )
    per_person: bool
    sops: list[MutuBakuSop]


def _step_node(s: service.StepReport, unit_names: dict[str, str]) -> MutuBakuStep:
    return MutuBakuStep(
        number=s.number,
        kegiatan=s.kegiatan,
        role=s.role,
        waktu=s.waktu,
        figures=figures_node(s.figures),
        units=[
            UnitFigures(
                unit=str(f.key),
                unit_name=unit_names.get(str(f.key), str(f.key)),
                figures=figures_node(f),
            )
            for f in s.by_unit
        ],
        province_median_minutes=s.province_median,
    )


def _sop_node(s: service.SopReport, unit_names: dict[str, str]) -> MutuBakuSop:
    people = None
    if s.by_person is not None:
        people = [
            PersonFigures(step=int(f.key[0]), person=str(f.key[2]), figures=figures_node(f))  # type: ignore[index]
            for f in s.by_person
        ]
    return MutuBakuSop(
        sop=s.sop_id,
        name=s.name,
        nomor=s.nomor,
        cases=s.cases,
        has_data=s.has_data,
        steps=[_step_node(step, unit_names) for step in s.steps],
        bottlenecks=[b.number for b in s.bottlenecks],
        people=people,
    )


def report_node(r: service.MutuBakuReport) -> MutuBakuReport:
    names = dict(r.unit_names)
    return MutuBakuReport(
        office=r.office,
        office_name=r.office_name,
        start=r.period.start,
        end=r.period.end,
        unit=r.unit,
        minutes_per_day=r.minutes_per_day,
        per_person=r.per_person,
        sops=[_sop_node(s, names) for s in r.sops],
    )


@strawberry.type(description="One office's figures of an SOP family, per step.")
class OfficeMutuBaku:
    office: str = strawberry.field(description="The office's slug.")
    office_name: str
    cases: int = strawberry.field(description="Cases with at least one span counted.")
    has_data: bool
    steps: list[StepFigures] = strawberry.field(
        description="In the order of `ProvinceMutuBaku.steps` (same step numbers)."
    )


@strawberry.type(description="A step of the family: every office's spans together.")
class ProvinceStep:
    number: int
    kegiatan: str
    figures: StepFigures = strawberry.field(
        description="Every office together: its median is the province median."
    )


@strawberry.type(
    description="An SOP family (one SOP of one plugin, whichever office runs it) across "
    "offices, for the platform's operators."
)
class ProvinceMutuBaku:
    plugin: str
    sop: str
    name: str
    nomor: str
    start: date = strawberry.field(name="from")
    end: date = strawberry.field(name="to")
    has_data: bool
    steps: list[ProvinceStep]
    offices: list[OfficeMutuBaku]


def province_node(p: ProvinceFigures) -> ProvinceMutuBaku:
    return ProvinceMutuBaku(
        plugin=p.plugin,
        sop=p.sop_id,
        name=p.name,
        nomor=p.nomor,
        start=p.period.start,
        end=p.period.end,
        has_data=p.has_data,
        steps=[
            ProvinceStep(
                number=int(f.key),  # type: ignore[call-overload]
                kegiatan=p.kegiatan.get(int(f.key), ""),  # type: ignore[call-overload]
                figures=figures_node(f),
            )
            for f in p.steps
        ],
        offices=[
            OfficeMutuBaku(
                office=o.slug,
                office_name=o.name,
                cases=o.cases,
                has_data=o.has_data,
                steps=[figures_node(f) for f in o.steps],
            )
            for o in p.offices
        ],
    )
