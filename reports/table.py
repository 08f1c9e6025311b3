"""The rekap data kinerja table, laid out once for both exports.

Offices print the recap as: No, Sasaran, Indikator Kinerja, Satuan, Target, then for each
unit its Realisasi and Capaian (%), then the indicator's Capaian (%); indicators grouped by
sasaran, each group closed by a "Jumlah" and a "Rata-rata" row. :func:`recap_table` turns a
:class:`~alur.core.kinerja.model.Recap` into that layout with typed cells, so that the XLSX
writer stores numbers as numbers and the PDF template shows them in the reader's notation,
and both say the same thing for a zero target ("target 0") or a missing value ("—").

Labels are translated with :mod:`alur.core.i18n`: call inside :func:`in_language`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

from alur.core.errors import N_
from alur.core.i18n import current_language, format_message, gettext
from alur.core.kinerja.model import (
    Capaian,
    CapaianProblem,
    Direction,
    IndicatorRecap,
    Recap,
    UnitResult,
)

NOT_REPORTED = "—"  # a value nobody has entered yet (same in every language)

# Column and row labels, translated where they are shown.
LABELS = {
    "title": N_("Data kinerja recap"),
    "period": N_("Period"),
    "no": N_("No."),
    "sasaran": N_("Sasaran"),
    "indicator": N_("Performance indicator"),
    "unit_of_measure": N_("Unit of measure"),
    "target": N_("Target"),
    "realisasi": N_("Realisasi"),
    "capaian": N_("Capaian (%)"),
    "indicator_capaian": N_("Capaian of the indicator (%)"),
    "total": N_("Total"),
    "average": N_("Average"),
    "zero_target": N_("target 0"),
    "lower_is_better": N_("lower is better"),
    "incomplete": N_("Incomplete: not every unit has entered every value."),
    "recap_hash": N_("Recap hash"),
    "unit": N_("Unit"),
    "code": N_("Code"),
    "explanation": N_("Explanation"),
    "evidence": N_("Evidence"),
    "version": N_("Version"),
}


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Translate with ``language`` inside the block (restoring the caller's language)."""
    token = current_language.set(language)
    try:
        yield
    finally:
        current_language.reset(token)


def labels() -> dict[str, str]:
    """:data:`LABELS` in the current language."""
    return {key: gettext(message) for key, message in LABELS.items()}


class CellKind(enum.StrEnum):
    NUMBER = "number"  # a target or realisasi, as typed
    PERCENT = "percent"  # a capaian, two decimals
    MARKER = "marker"  # a label standing where a number cannot: "target 0", "—"
    BLANK = "blank"  # the unit does not report this indicator


@dataclass(frozen=True, slots=True)
class Cell:
    kind: CellKind
    value: Decimal | str | None = None

    def text(self, language: str) -> str:
        """The cell as printed: numbers in ``language``'s notation ("1.234,5" in Indonesian)."""
        if self.kind is CellKind.BLANK or self.value is None:
            return ""
        if isinstance(self.value, str):
            return self.value
        return format_number(self.value, language, percent=self.kind is CellKind.PERCENT)


BLANK = Cell(CellKind.BLANK)


def format_number(value: Decimal, language: str, *, percent: bool = False) -> str:
    """``value`` in ``language``'s notation; a capaian with exactly two decimals."""
    locale = "id_ID" if language == "id" else "en_US"
    if percent:
        return format_decimal(value, format="#,##0.00", locale=locale)
    return format_decimal(value, format="#,##0.###", locale=locale, decimal_quantization=False)


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    number: int  # "No.", running over the whole table
    code: str
    sasaran: str  # on the first row of its sasaran only, blank below
    text: str  # the indicator, with "(lower is better)" when it is
    unit_of_measure: str
    target: Cell
    units: tuple[tuple[Cell, Cell], ...]  # (realisasi, capaian) per unit of the recap
    capaian: Cell


@dataclass(frozen=True, slots=True)
class SasaranGroup:
    sasaran: str
    rows: tuple[IndicatorRow, ...]
    total: Cell
    average: Cell
    counted: int  # how many capaian the total and average are computed from
    note: str  # "2 of 3 indicators counted" when not every capaian is computable, else ""


@dataclass(frozen=True, slots=True)
class RecapTable:
    labels: dict[str, str]
    units: tuple[str, ...]  # unit slugs, in recap order
    unit_names: tuple[str, ...]  # their display names
    groups: tuple[SasaranGroup, ...]

    @property
    def column_count(self) -> int:
        return 5 + 2 * len(self.units) + 1


def capaian_cell(capaian: Capaian, zero_target: str) -> Cell:
    if capaian.value is not None:
        return Cell(CellKind.PERCENT, capaian.value)
    if capaian.problem is CapaianProblem.ZERO_TARGET:
        return Cell(CellKind.MARKER, zero_target)
    return Cell(CellKind.MARKER, NOT_REPORTED)


def _unit_cells(result: UnitResult | None, zero_target: str) -> tuple[Cell, Cell]:
    if result is None:
        return BLANK, BLANK
    realisasi = (
        Cell(CellKind.NUMBER, result.realisasi)
        if result.realisasi is not None
        else Cell(CellKind.MARKER, NOT_REPORTED)
    )
    return realisasi, capaian_cell(result.capaian, zero_target)


def _indicator_row(
    number: int, item: IndicatorRecap, units: tuple[str, ...], first: bool, words: dict[str, str]
) -> IndicatorRow:
    indicator = item.indicator
    by_unit = {r.unit: r for r in item.results}
    text = indicator.text
    if indicator.direction is Direction.LOWER:
        text = f"{text} ({words['lower_is_better']})"
    return IndicatorRow(
        number=number,
        code=indicator.code,
        sasaran=indicator.sasaran if first else "",
        text=text,
        unit_of_measure=indicator.unit_of_measure,
        target=Cell(CellKind.NUMBER, indicator.target),
        units=tuple(_unit_cells(by_unit.get(u), words["zero_target"]) for u in units),
        capaian=capaian_cell(item.capaian, words["zero_target"]),
    )


def recap_table(recap: Recap, unit_names: Mapping[str, str]) -> RecapTable:
    """The table of ``recap`` in the current language; units without a name show their slug."""
    words = labels()
    groups = []
    number = 0
    for sasaran in recap.sasaran:
        rows = []
        for position, item in enumerate(sasaran.indicators):
            number += 1
            rows.append(_indicator_row(number, item, recap.units, position == 0, words))
        groups.append(
            SasaranGroup(
                sasaran=sasaran.sasaran,
                rows=tuple(rows),
                total=Cell(CellKind.PERCENT, sasaran.total),
                average=(
                    Cell(CellKind.PERCENT, sasaran.average)
                    if sasaran.average is not None
                    else Cell(CellKind.MARKER, NOT_REPORTED)
                ),
                counted=sasaran.counted,
                note=(
                    format_message(
                        N_("{counted} of {count} indicators counted"),
                        counted=sasaran.counted,
                        count=len(rows),
                    )
                    if sasaran.counted < len(rows)
                    else ""
                ),
            )
        )
    return RecapTable(
        labels=words,
        units=recap.units,
        unit_names=tuple(unit_names.get(u, u) for u in recap.units),
        groups=tuple(groups),
    )


@dataclass(frozen=True, slots=True)
class ExplanationRow:
    """One unit's explanation and evidence for one indicator (the "Penjelasan" sheet)."""

    number: int
    code: str
    indicator: str
    unit: str  # display name
    realisasi: Cell
    explanation: str
    evidence: tuple[str, ...]  # file names
    version: int | None


def explanation_rows(recap: Recap, unit_names: Mapping[str, str]) -> tuple[ExplanationRow, ...]:
    """Every reporting unit's entry, indicator by indicator, in table order."""
    rows = []
    number = 0
    for sasaran in recap.sasaran:
        for item in sasaran.indicators:
            number += 1
            for result in item.results:
                realisasi, _capaian = _unit_cells(result, "")
                rows.append(
                    ExplanationRow(
                        number=number,
                        code=item.indicator.code,
                        indicator=item.indicator.text,
                        unit=unit_names.get(result.unit, result.unit),
                        realisasi=realisasi,
                        explanation=result.explanation,
                        evidence=tuple(e.name for e in result.evidence),
                        version=result.version,
                    )
                )
    return tuple(rows)
