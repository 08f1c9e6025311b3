"""The plain data of data kinerja.

An office (tenant) keeps one :class:`IndicatorSet` per period: the *format data kinerja*,
a list of :class:`Indicator` (IKU / indikator kinerja) grouped by sasaran. During a case,
each unit (bidang, bagian) fills the indicators it reports; every save of a unit's form is a
new :class:`Submission` version, so a verifier sees what changed after a "Tidak". The
:class:`Recap` is computed from the set and the latest submissions
(:func:`alur.core.kinerja.recap.build_recap`); a paraf or tanda tangan is an
:class:`Approval` of one recap, identified by its content hash.

Numbers are :class:`~decimal.Decimal` throughout: targets and realisasi are what people
typed, and capaian is rounded once, at two decimals, where it is computed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


class Direction(enum.StrEnum):
    """Which way an indicator improves."""

    HIGHER = "higher"  # higher is better: realisasi above target is more than 100 %
    LOWER = "lower"  # lower is better (e.g. number of complaints)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indikator kinerja of the format.

    ``code`` is unique within its set (e.g. "IKU-1") and is how submissions refer to it.
    ``units`` are the slugs of the units that report it; empty means every unit of the case.
    ``allow_negative`` admits a negative realisasi (e.g. a growth rate); otherwise a
    negative value is refused.
    """

    code: str
    sasaran: str
    text: str
    unit_of_measure: str
    target: Decimal
    direction: Direction = Direction.HIGHER
    units: tuple[str, ...] = ()
    allow_negative: bool = False

    def reported_by(self, case_units: tuple[str, ...]) -> tuple[str, ...]:
        """The units of ``case_units`` that report this indicator, in case order."""
        if not self.units:
            return case_units
        return tuple(u for u in case_units if u in self.units)


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    """The format data kinerja of one office for one period."""

    period: str
    indicators: tuple[Indicator, ...] = ()

    def indicator(self, code: str) -> Indicator:
        for i in self.indicators:
            if i.code == code:
                return i
        raise KeyError(code)

    def for_unit(self, unit: str, case_units: tuple[str, ...]) -> tuple[Indicator, ...]:
        """The indicators ``unit`` fills in a case running over ``case_units``."""
        return tuple(i for i in self.indicators if unit in i.reported_by(case_units))

    def sasaran(self) -> tuple[str, ...]:
        """The sasaran in order of first appearance."""
        return tuple(dict.fromkeys(i.sasaran for i in self.indicators))

    @classmethod
    def or_empty(cls, found: IndicatorSet | None, period: str) -> IndicatorSet:
        """``found``, or the empty format of ``period`` when the office has none yet."""
        return found if found is not None else cls(period=period)


@dataclass(frozen=True, slots=True)
class Evidence:
    """An evidence attachment of an entry, by file name and SHA-256 of its content."""

    name: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One unit's realisasi of one indicator, with its explanation and evidence."""

    indicator: str  # Indicator.code
    realisasi: Decimal
    explanation: str = ""
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Submission:
    """One version of one unit's filled format (version 1 is the first save)."""

    unit: str
    version: int
    entries: tuple[Entry, ...]
    submitted_by: str = ""  # display name of who saved it
    submitted_at: datetime | None = None

    def entry(self, code: str) -> Entry | None:
        for e in self.entries:
            if e.indicator == code:
                return e
        return None


def latest_of(history: Mapping[str, Sequence[Submission]]) -> dict[str, Submission]:
    """The newest version of each unit's data, from every unit's versions (oldest first)."""
    return {unit: versions[-1] for unit, versions in history.items() if versions}


# --- the recap ---------------------------------------------------------------------------


class CapaianProblem(enum.StrEnum):
    """Why a capaian could not be computed."""

    ZERO_TARGET = "zero_target"  # the target is 0: reported, never divided by
    NOT_REPORTED = "not_reported"  # no realisasi yet


@dataclass(frozen=True, slots=True)
class Capaian:
    """A capaian in percent (two decimals), or why there is none."""

    value: Decimal | None
    problem: CapaianProblem | None = None


@dataclass(frozen=True, slots=True)
class UnitResult:
    """One unit's row for one indicator in the recap."""

    unit: str
    realisasi: Decimal | None
    capaian: Capaian
    explanation: str = ""
    evidence: tuple[Evidence, ...] = ()
    version: int | None = None  # the submission version the value comes from


@dataclass(frozen=True, slots=True)
class IndicatorRecap:
    """An indicator with each reporting unit's result and its own capaian (the mean of the
    units' computable capaian)."""

    indicator: Indicator
    results: tuple[UnitResult, ...]
    capaian: Capaian


@dataclass(frozen=True, slots=True)
class SasaranRecap:
    """The indicators of one sasaran with the total (jumlah) and average (rata-rata) of
    their computable capaian; ``counted`` is how many were computable."""

    sasaran: str
    indicators: tuple[IndicatorRecap, ...]
    total: Decimal
    average: Decimal | None
    counted: int


@dataclass(frozen=True, slots=True)
class Recap:
    """The recap of one case's data kinerja. ``content_hash`` identifies exactly what an
    approval approved: the indicators, every value, explanation and evidence, and capaian."""

    period: str
    units: tuple[str, ...]
    sasaran: tuple[SasaranRecap, ...]
    content_hash: str
    complete: bool  # every reporting unit has a realisasi for every indicator


# --- approvals ---------------------------------------------------------------------------


class ApprovalKind(enum.StrEnum):
    PARAF = "paraf"
    SIGN = "sign"  # tanda tangan


@dataclass(frozen=True, slots=True)
class Approval:
    """A paraf or tanda tangan of one exact recap (``recap_hash``).

    ``acting_for`` is the name of the official an acting person (Plh./Plt.) stands in for,
    empty when acting in their own right; ``jabatan`` is the position signed as.
    """

    kind: ApprovalKind
    step: int
    recap_hash: str
    name: str
    jabatan: str = ""
    nip: str = ""
    acting: str = ""  # "" or a Delegation value: "Plh", "Plt"
    acting_for: str = ""
    at: datetime | None = None
    pangkat: str = ""  # pangkat/golongan of the person, e.g. "Pembina Tingkat I, IV/b"

    def valid_for(self, recap_hash: str) -> bool:
        """Whether this approval still holds: the recap has not changed since."""
        return self.recap_hash == recap_hash
