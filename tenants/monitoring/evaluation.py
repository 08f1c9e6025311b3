"""The yearly evaluation of an SOP (Permenpan RB 35/2012): new mutu baku proposed from a
calendar year's measured times, and the accepted ones turned into a draft revision.

* :meth:`SopEvaluations.proposals` — the SOP's Mutu baku report over the calendar year (up
  to today for the year in progress; :class:`~alur.tenants.monitoring.report.MutuBakuReports`,
  so its reader rule applies: the office's leaders and its monev assessor) and, per kegiatan
  of the SOP in force, what :func:`alur.core.monitoring.evaluation.assess_steps` proposes
  (the p75 rounded up to the units offices write; at least five finished spans).
* :meth:`SopEvaluations.accept` — the proposals of the steps ticked become the ``waktu`` of
  those steps in the office's **draft revision** of the SOP
  (:class:`~alur.tenants.sop_life.revisions.SopRevisions`): the open draft when there is one
  (saved on its version, its other changes and tanggal efektif kept), else a new draft.
  SopRevisions decides who may draft (the office admin, the SOP's penyusun) and what an
  office may change: its typed errors come through as they are (:class:`Forbidden`,
  :class:`~alur.tenants.sop_life.errors.OpenDraftExists` while a revision is submitted,
  :class:`InvalidInput` by field path, e.g. ``steps.3.waktu`` for a waktu the plugin keeps
  fixed, :class:`~alur.tenants.sop_life.errors.StaleRevision`).

Errors of the request itself are :class:`InvalidInput` keyed ``year``, ``sop`` and
``steps``; every door maps those onto its own field names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alur.core.errors import InvalidInput
from alur.core.i18n import format_message, gettext
from alur.core.monitoring.evaluation import StandardProposal, StepAssessment, assess_steps
from alur.core.sop_life.part import OfficePart
from alur.core.sop_life.revisions import RevisionState
from alur.tenants.cases.service import TenantService
from alur.tenants.monitoring.report import FIRST_YEAR, MutuBakuReports, Period, ReportFilter
from alur.tenants.sop_life.revisions import Revision, SopRevisions


@dataclass(frozen=True)
class Evaluation:
    """One SOP's yearly evaluation: every kegiatan's assessment over ``period``."""

    sop_id: str
    sop_name: str
    sop_nomor: str
    year: int
    period: Period
    minutes_per_day: int
    steps: tuple[StepAssessment, ...]
    cases: int  # cases with at least one span counted in the year

    @property
    def proposals(self) -> tuple[StandardProposal, ...]:
        return tuple(s.proposal for s in self.steps if s.proposal is not None)

    @property
    def has_data(self) -> bool:
        return any(s.count for s in self.steps)


def year_period(year: int, today: date) -> Period:
    """The calendar ``year`` (up to ``today`` for the year in progress)."""
    return Period(date(year, 1, 1), min(date(year, 12, 31), today))


def parse_year(value: object, today: date) -> int:
    """A year from a form or an API call: :class:`InvalidInput` ``{"year": …}`` unless it is
    a whole year from 2000 up to this one."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise InvalidInput({"year": gettext("Write the year as four digits, e.g. 2026.")})
    year = int(text)
    if not FIRST_YEAR <= year <= today.year:
        raise InvalidInput(
            {
                "year": format_message(
                    "Choose a year from {first} to {last}.", first=FIRST_YEAR, last=today.year
                )
            }
        )
    return year


class SopEvaluations:
    """The yearly evaluations of ``service``'s office (module docstring)."""

    def __init__(self, service: TenantService) -> None:
        self.service = service

    async def proposals(self, user_id: int, sop_id: str, year: int | str) -> Evaluation:
        """SOP ``sop_id``'s evaluation over ``year``, as user ``user_id`` may read it."""
        today = self.service.today()
        number = parse_year(year, today)
        if not str(sop_id or "").strip():
            raise InvalidInput({"sop": gettext("Choose an SOP.")})
        sop_id = str(sop_id).strip()
        period = year_period(number, today)
        report = await MutuBakuReports(self.service).report(
            user_id, ReportFilter(sop_id=sop_id, period=period)
        )
        (sop,) = report.sops
        definition = self.service.sop(sop_id)
        figures = {s.number: s.figures for s in sop.steps}
        steps = assess_steps(definition, figures, report.minutes_per_day)
        return Evaluation(
            sop_id=sop_id,
            sop_name=definition.header.nama,
            sop_nomor=definition.header.nomor,
            year=number,
            period=period,
            minutes_per_day=report.minutes_per_day,
            steps=tuple(steps),
            cases=sop.cases,
        )

    async def accept(
        self, user_id: int, sop_id: str, year: int | str, steps: list[int]
    ) -> Revision:
        """The proposals of ``steps`` written as those steps' waktu into the office's draft
        revision of ``sop_id`` (module docstring); the draft saved."""
        evaluation = await self.proposals(user_id, sop_id, year)
        offered = {p.step: p for p in evaluation.proposals}
        if not steps:
            raise InvalidInput({"steps": gettext("Tick at least one proposal to accept.")})
        unknown = sorted({n for n in steps if n not in offered})
        if unknown:
            raise InvalidInput(
                {
                    "steps": format_message(
                        "There is no proposal for kegiatan {steps} in {year}.",
                        steps=", ".join(str(n) for n in unknown),
                        year=evaluation.year,
                    )
                }
            )
        revisions = SopRevisions(self.service, user_id)
        sop_id = evaluation.sop_id
        draft = next(
            (r for r in await revisions.list(sop_id) if r.state == RevisionState.DRAF), None
        )
        if draft is None:
            draft = await revisions.start_draft(sop_id)
        part = _with_waktu(draft.part, {n: offered[n].proposed for n in steps})
        return await revisions.save_draft(
            sop_id,
            draft.number,
            part,
            effective_on=draft.effective_on,
            version=draft.version,
        )


def _with_waktu(part: OfficePart, waktu: dict[int, str]) -> OfficePart:
    """``part`` with the waktu of the steps of ``waktu`` set (everything else kept)."""
    steps = {number: dict(fields) for number, fields in part.steps.items()}
    for number, text in waktu.items():
        steps.setdefault(number, {})["waktu"] = text
    return OfficePart(header=part.header, steps=steps)
