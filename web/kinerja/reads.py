"""The data kinerja of one case as the web UI shows it.

:class:`KinerjaReader` reads each part once per request, through
:class:`~alur.tenants.kinerja.service.KinerjaService` (so only the office's own data); numbers are
shown in the page's language. :func:`unit_data` is one unit's latest data with what changed
since the last "Tidak" at verification (old → new), :func:`recap_view` the recap in the
exports' layout (:func:`alur.reports.table.recap_table`) with its hash and approvals, and
:func:`kinerja_page` the read-only "Data kinerja" page of a case. The forms of the bound
steps are in :mod:`alur.web.kinerja.view`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from alur.core.i18n import current_language, gettext
from alur.core.kinerja.changes import EVIDENCE, EXPLANATION, REALISASI, Change
from alur.core.kinerja.model import (
    Approval,
    Entry,
    Evidence,
    Indicator,
    IndicatorSet,
    Recap,
    Submission,
    latest_of,
)
from alur.core.model import SopDefinition
from alur.reports.approvals import ApprovalLine, approval_lines
from alur.reports.table import NOT_REPORTED, RecapTable, format_number, recap_table
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import StoredCase
from alur.tenants.errors import NotFound
from alur.tenants.kinerja import rules
from alur.tenants.kinerja.service import KinerjaService
from alur.web.deps import Viewer

T = TypeVar("T")


class KinerjaReader:
    """The data kinerja of one case, each part read once (for one request)."""

    def __init__(self, tenant: TenantService, case: StoredCase) -> None:
        self.tenant = tenant
        self.case = case
        self.kinerja = KinerjaService(tenant)
        self.language = current_language.get()
        self.zone: str = tenant.tenant["timezone"]
        self._cache: dict[str, Any] = {}

    async def _once(self, name: str, read: Callable[[], Awaitable[T]]) -> T:
        if name not in self._cache:
            self._cache[name] = await read()
        return self._cache[name]

    async def unit_names(self) -> dict[str, str]:
        async def read() -> dict[str, str]:
            return {u["slug"]: u["name"] for u in await self.tenant.units()}

        return await self._once("units", read)

    async def indicator_set(self) -> IndicatorSet:
        async def read() -> IndicatorSet:
            found = await self.kinerja.indicator_set(self.case.period)
            return IndicatorSet.or_empty(found, self.case.period)

        return await self._once("set", read)

    async def latest(self) -> dict[str, Submission]:
        return latest_of(await self.submissions())

    async def submissions(self) -> dict[str, list[Submission]]:
        return await self._once("submissions", lambda: self.kinerja.submissions(self.case.key))

    async def recap(self) -> Recap:
        """The recap (:func:`~alur.tenants.kinerja.rules.recap_of`, as every reader builds
        it) from the format and data this reader has read, without reading them again."""

        async def read() -> Recap:
            case = self.case
            found = await self.indicator_set()
            return rules.recap_of(case.period, case.state.units, found, await self.latest())

        return await self._once("recap", read)

    async def approvals(self) -> list[Approval]:
        return await self._once("approvals", lambda: self.kinerja.approvals(self.case.key))

    async def periods(self) -> list[str]:
        return await self._once("periods", self.kinerja.periods)

    async def evidence_ids(self) -> dict[str, int]:
        """Attachment ids of the case's files by SHA-256 (to link evidence for download)."""

        async def read() -> dict[str, int]:
            return {a.sha256: a.id for a in await self.tenant.attachments_of(self.case)}

        return await self._once("evidence", read)

    def number(self, value: Decimal | None) -> str:
        return NOT_REPORTED if value is None else format_number(value, self.language)


# --- pieces shared by the panels and the page ---------------------------------------------


@dataclass(frozen=True)
class EvidenceLink:
    name: str
    sha256: str
    attachment: int | None  # the case attachment to download, when found


@dataclass(frozen=True)
class ChangeView:
    """A change since the last "Tidak", as shown: old → new ("" when absent)."""

    indicator: str
    field: str  # realisasi | explanation | evidence
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class DataLine:
    """One indicator of one unit's data, as saved, with what changed since a "Tidak"."""

    indicator: Indicator
    target: str
    realisasi: str
    explanation: str
    evidence: tuple[EvidenceLink, ...]
    changed: dict[str, ChangeView] = field(default_factory=dict)  # realisasi, explanation
    evidence_changes: tuple[ChangeView, ...] = ()


@dataclass(frozen=True)
class UnitData:
    """One unit's latest data, its versions (newest first) and the changes since the last
    "Tidak" at verification."""

    unit: str
    unit_name: str
    latest: Submission | None
    lines: tuple[DataLine, ...]
    changes: tuple[ChangeView, ...]
    history: tuple[Submission, ...] = ()


@dataclass(frozen=True)
class RecapView:
    table: RecapTable
    recap_hash: str
    complete: bool
    approvals: tuple[ApprovalLine, ...]

    @property
    def short_hash(self) -> str:
        return self.recap_hash[:12]


def evidence_links(
    evidence: Iterable[Evidence], ids: Mapping[str, int]
) -> tuple[EvidenceLink, ...]:
    return tuple(EvidenceLink(e.name, e.sha256, ids.get(e.sha256)) for e in evidence)


def _change_view(reader: KinerjaReader, change: Change) -> ChangeView:
    labels = {
        REALISASI: gettext("Realisasi"),
        EXPLANATION: gettext("Explanation"),
        EVIDENCE: gettext("Evidence"),
    }
    before, after = change.before, change.after
    if change.field == REALISASI:
        before = reader.number(Decimal(before)) if before else ""
        after = reader.number(Decimal(after)) if after else ""
    return ChangeView(change.indicator, change.field, labels[change.field], before, after)


async def unit_data(reader: KinerjaReader, unit: str, *, history: bool = False) -> UnitData:
    """``unit``'s latest data with the changes since it was last sent back."""
    indicator_set = await reader.indicator_set()
    latest = (await reader.latest()).get(unit)
    ids = await reader.evidence_ids()
    changes = tuple(
        _change_view(reader, c)
        for c in await reader.kinerja.verification_changes(reader.case.key, unit)
    )
    lines = []
    for indicator in indicator_set.for_unit(unit, reader.case.state.units):
        entry: Entry | None = latest.entry(indicator.code) if latest is not None else None
        mine = [c for c in changes if c.indicator == indicator.code]
        lines.append(
            DataLine(
                indicator=indicator,
                target=reader.number(indicator.target),
                realisasi=reader.number(entry.realisasi if entry is not None else None),
                explanation=entry.explanation if entry is not None else "",
                evidence=evidence_links(entry.evidence, ids) if entry is not None else (),
                changed={c.field: c for c in mine if c.field != EVIDENCE},
                evidence_changes=tuple(c for c in mine if c.field == EVIDENCE),
            )
        )
    versions = tuple(reversed((await reader.submissions()).get(unit, []))) if history else ()
    names = await reader.unit_names()
    return UnitData(unit, names.get(unit, unit), latest, tuple(lines), changes, versions)


async def recap_view(reader: KinerjaReader) -> RecapView:
    recap = await reader.recap()
    lines = approval_lines(
        await reader.approvals(),
        recap.content_hash,
        language=reader.language,
        timezone=reader.zone,
    )
    table = recap_table(recap, await reader.unit_names())
    return RecapView(table, recap.content_hash, recap.complete, lines)


# --- the read-only page -------------------------------------------------------------------


@dataclass(frozen=True)
class KinerjaPage:
    indicators: tuple[Indicator, ...]
    units: tuple[UnitData, ...]
    recap: RecapView
    unit_names: dict[str, str]
    targets: dict[str, str]  # indicator code -> target as shown


async def kinerja_page(reader: KinerjaReader) -> KinerjaPage:
    indicator_set = await reader.indicator_set()
    units = tuple([await unit_data(reader, u, history=True) for u in reader.case.state.units])
    return KinerjaPage(
        indicators=indicator_set.indicators,
        units=units,
        recap=await recap_view(reader),
        unit_names=await reader.unit_names(),
        targets={i.code: reader.number(i.target) for i in indicator_set.indicators},
    )


async def bound_case(
    tenant: TenantService, viewer: Viewer, key: str
) -> tuple[StoredCase, SopDefinition]:
    """The office's case ``key`` of an SOP with data kinerja steps (otherwise 404), for a
    viewer who may read the case (:meth:`~alur.tenants.cases.service.TenantService.case_for`, as
    the case page)."""
    case = await tenant.case_for(viewer.user_id, key)
    d = await tenant.definition_of(case)
    if not d.binds_data:
        raise NotFound(what=gettext("data kinerja"))
    return case, d
