"""Data kinerja types: the format (indicator sets), the units' submissions, the recap and
its approvals, built from :mod:`alur.core.kinerja.model` (the read fields that return them
are in :mod:`alur.graphql.kinerja.reads`).

Numbers (targets, realisasi, capaian, totals and averages) are the ``Decimal`` scalar, always
as a canonical decimal string: no exponent, no grouping, no trailing zeros ("87.5", "1000",
"-3", "0") — :func:`~alur.core.kinerja.numbers.decimal_text`, the text the recap hash uses.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from alur.core.kinerja import model as km
from alur.core.kinerja.numbers import decimal_text
from alur.graphql.context import AlurContext

if TYPE_CHECKING:
    from alur.graphql.types import DelegationKind, Tenant

Info = strawberry.Info[AlurContext, None]
LazyTenant = Annotated["Tenant", strawberry.lazy("alur.graphql.types")]
LazyDelegation = Annotated["DelegationKind", strawberry.lazy("alur.graphql.types")]


@strawberry.enum(description="Which way an indicator improves.")
class Direction(enum.Enum):
    HIGHER = "higher"
    LOWER = "lower"


@strawberry.enum(description="Why a capaian could not be computed.")
class CapaianProblem(enum.Enum):
    ZERO_TARGET = "zero_target"
    NOT_REPORTED = "not_reported"


@strawberry.enum(description="A paraf (initials) or a tanda tangan (signature).")
class ApprovalKind(enum.Enum):
    PARAF = "paraf"
    SIGN = "sign"


def number(value: Decimal) -> Decimal:
    """``value`` in canonical form, so that the scalar prints it as ``decimal_text`` does."""
    return Decimal(decimal_text(value))


def maybe(value: Decimal | None) -> Decimal | None:
    return None if value is None else number(value)


# --- the format ------------------------------------------------------------------------------


@strawberry.type(description="One indikator kinerja (IKU) of a format.")
class Indicator:
    code: str = strawberry.field(description='Unique in its format, e.g. "IKU-1".')
    sasaran: str
    text: str = strawberry.field(description="The indicator.")
    unit_of_measure: str = strawberry.field(description='Satuan, e.g. "%".')
    target: Decimal
    direction: Direction
    units: list[str] = strawberry.field(
        description="The units (slugs) that report it; empty: every unit of the case."
    )
    allow_negative: bool = strawberry.field(description="Whether a negative realisasi is allowed.")


def indicator_node(i: km.Indicator) -> Indicator:
    return Indicator(
        code=i.code,
        sasaran=i.sasaran,
        text=i.text,
        unit_of_measure=i.unit_of_measure,
        target=number(i.target),
        direction=Direction(str(i.direction)),
        units=list(i.units),
        allow_negative=i.allow_negative,
    )


@strawberry.type(
    description="The format data kinerja of an office for one period, shared by every case "
    "of that period."
)
class IndicatorSet:
    period: str
    indicators: list[Indicator]
    tenant_id: strawberry.Private[int]

    @strawberry.field(description="The office it belongs to.")
    async def tenant(self, info: Info) -> LazyTenant:
        from alur.graphql.types import load_tenant  # types.py imports this module

        return await load_tenant(info, self.tenant_id)


def indicator_set_node(found: km.IndicatorSet, tenant_id: int) -> IndicatorSet:
    return IndicatorSet(
        period=found.period,
        indicators=[indicator_node(i) for i in found.indicators],
        tenant_id=tenant_id,
    )


# --- the units' data -------------------------------------------------------------------------


@strawberry.type(description="An evidence file of an entry (a case attachment).")
class Evidence:
    name: str
    sha256: str


def evidence_nodes(found: tuple[km.Evidence, ...]) -> list[Evidence]:
    return [Evidence(name=e.name, sha256=e.sha256) for e in found]


@strawberry.type(description="One unit's realisasi of one indicator.")
class KinerjaEntry:
    indicator: str = strawberry.field(description="The indicator's code.")
    realisasi: Decimal
    explanation: str
    evidence: list[Evidence]


@strawberry.type(description="One version of one unit's data (version 1 is the first save).")
class Submission:
    unit: str
    version: int
    submitted_by: str = strawberry.field(description="The name of who saved it.")
    submitted_at: datetime | None
    entries: list[KinerjaEntry]


def submission_node(s: km.Submission) -> Submission:
    return Submission(
        unit=s.unit,
        version=s.version,
        submitted_by=s.submitted_by,
        submitted_at=s.submitted_at,
        entries=[
            KinerjaEntry(
                indicator=e.indicator,
                realisasi=number(e.realisasi),
                explanation=e.explanation,
                evidence=evidence_nodes(e.evidence),
            )
            for e in s.entries
        ],
    )


@strawberry.type(description="One field of one indicator that changed between two versions.")
class VerificationChange:
    indicator: str = strawberry.field(description="The indicator's code.")
    field: str = strawberry.field(description="realisasi, explanation or evidence.")
    before: str
    after: str


# --- the recap -------------------------------------------------------------------------------


@strawberry.type(description="A capaian in percent (two decimals at most), or why there is none.")
class Capaian:
    value: Decimal | None
    problem: CapaianProblem | None


def capaian_node(c: km.Capaian) -> Capaian:
    problem = CapaianProblem(str(c.problem)) if c.problem is not None else None
    return Capaian(value=maybe(c.value), problem=problem)


@strawberry.type(description="One unit's result for one indicator.")
class UnitResult:
    unit: str
    realisasi: Decimal | None
    capaian: Capaian
    explanation: str
    evidence: list[Evidence]
    version: int | None = strawberry.field(description="The submission version it comes from.")


@strawberry.type(description="An indicator with each reporting unit's result.")
class IndicatorRecap:
    indicator: Indicator
    results: list[UnitResult]
    capaian: Capaian = strawberry.field(description="The mean of the units' capaian.")


@strawberry.type(description="The indicators of one sasaran with their jumlah and rata-rata.")
class SasaranRecap:
    sasaran: str
    indicators: list[IndicatorRecap]
    total: Decimal = strawberry.field(description="Jumlah: the sum of the computable capaian.")
    average: Decimal | None = strawberry.field(description="Rata-rata: total ÷ counted.")
    counted: int = strawberry.field(description="How many capaian could be computed.")


@strawberry.type(
    description="The recap of a case: capaian per indicator and unit, totals per sasaran. "
    "contentHash identifies exactly what a paraf or tanda tangan approved."
)
class Recap:
    period: str
    units: list[str]
    sasaran: list[SasaranRecap]
    content_hash: str
    complete: bool = strawberry.field(
        description="Every reporting unit has entered every indicator it reports."
    )


def recap_node(r: km.Recap) -> Recap:
    return Recap(
        period=r.period,
        units=list(r.units),
        sasaran=[
            SasaranRecap(
                sasaran=s.sasaran,
                indicators=[
                    IndicatorRecap(
                        indicator=indicator_node(i.indicator),
                        results=[
                            UnitResult(
                                unit=u.unit,
                                realisasi=maybe(u.realisasi),
                                capaian=capaian_node(u.capaian),
                                explanation=u.explanation,
                                evidence=evidence_nodes(u.evidence),
                                version=u.version,
                            )
                            for u in i.results
                        ],
                        capaian=capaian_node(i.capaian),
                    )
                    for i in s.indicators
                ],
                total=number(s.total),
                average=maybe(s.average),
                counted=s.counted,
            )
            for s in r.sasaran
        ],
        content_hash=r.content_hash,
        complete=r.complete,
    )


@strawberry.type(description="A paraf or tanda tangan of one exact recap.")
class Approval:
    kind: ApprovalKind
    step: int
    recap_hash: str
    name: str = strawberry.field(description="Who approved.")
    jabatan: str = strawberry.field(
        description="The position approved as (a Plt/Plh: the official's)."
    )
    nip: str
    acting: LazyDelegation | None = strawberry.field(description="Set when acting as Plt/Plh.")
    acting_for: str | None = strawberry.field(description="The official a Plt/Plh stood in for.")
    at: datetime | None
    valid: bool = strawberry.field(
        description="Whether it holds for the current recap: false once the data changed."
    )


def approval_node(a: km.Approval, recap_hash: str) -> Approval:
    from alur.graphql.types import DelegationKind  # types.py imports this module

    return Approval(
        kind=ApprovalKind(str(a.kind)),
        step=a.step,
        recap_hash=a.recap_hash,
        name=a.name,
        jabatan=a.jabatan,
        nip=a.nip,
        acting=DelegationKind(a.acting) if a.acting else None,
        acting_for=a.acting_for or None,
        at=a.at,
        valid=a.valid_for(recap_hash),
    )
