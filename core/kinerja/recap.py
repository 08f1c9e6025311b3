"""Capaian and the recap: the one place where data kinerja is computed.

The formulas, for an indicator with target *T* and a unit's realisasi *R*:

- higher is better: capaian = R ÷ T × 100
- lower is better: capaian = (2 × T − R) ÷ T × 100
- T = 0: no capaian, the problem :attr:`~CapaianProblem.ZERO_TARGET` is reported (never
  divided by); no realisasi: no capaian, :attr:`~CapaianProblem.NOT_REPORTED` (for a unit
  without a realisasi this comes first, even when T = 0).

Lower-is-better capaian is *not* clamped: R = 0 gives 200 %, R above 2 × T gives a negative
capaian, so the recap shows how far off a unit is. Higher-is-better capaian is not capped
at 100 % either. The formulas are applied as written to a negative target too (an indicator
that allows negative values, e.g. a growth rate).

Aggregates:

- an indicator's capaian is the mean of its reporting units' computable capaian; it is
  ZERO_TARGET when T = 0 and NOT_REPORTED when no unit has a computable capaian;
- per sasaran, ``total`` (jumlah) is the sum of its indicators' computable capaian,
  ``average`` (rata-rata) is ``total ÷ counted`` (``None`` when nothing was computable).

Rounding: every figure is computed from the exact values (the unit capaian before rounding,
the indicator means before rounding) and rounded once, ROUND_HALF_UP to two decimals. So a
total may differ by 0.01 from the sum of the rounded figures printed above it.

A recap is ``complete`` when the set has at least one indicator and every unit that reports
an indicator has a realisasi for it in its latest submission. Its ``content_hash`` is the
SHA-256 of the canonical JSON (:func:`alur.core.snapshot.canonical_json`, decimals as
:func:`~alur.core.kinerja.numbers.decimal_text`) of the period, the units, every field of
every indicator, every unit's realisasi, explanation, evidence (name and SHA-256, in name
order) and submission version, and every capaian: any change to what was approved changes
the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from alur.core.kinerja.model import (
    Capaian,
    CapaianProblem,
    Direction,
    Indicator,
    IndicatorRecap,
    IndicatorSet,
    Recap,
    SasaranRecap,
    Submission,
    UnitResult,
)
from alur.core.kinerja.numbers import decimal_text
from alur.core.snapshot import canonical_json

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_PRECISION = 60  # digits kept before the one rounding: far beyond any input


def capaian(target: Decimal, realisasi: Decimal | None, direction: Direction) -> Capaian:
    """A unit's capaian of one indicator, in percent with two decimals (module docstring)."""
    return _rounded(*_exact(target, realisasi, direction))


def _exact(
    target: Decimal, realisasi: Decimal | None, direction: Direction
) -> tuple[Decimal | None, CapaianProblem | None]:
    if realisasi is None:
        return None, CapaianProblem.NOT_REPORTED
    if target == 0:
        return None, CapaianProblem.ZERO_TARGET
    with localcontext() as context:
        context.prec = _PRECISION
        if Direction(direction) is Direction.LOWER:
            return (2 * target - realisasi) / target * _HUNDRED, None
        return realisasi / target * _HUNDRED, None


def _mean(values: list[Decimal]) -> Decimal:
    with localcontext() as context:
        context.prec = _PRECISION
        return sum(values, Decimal(0)) / len(values)


def _round(value: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = _PRECISION
        return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _rounded(value: Decimal | None, problem: CapaianProblem | None) -> Capaian:
    return Capaian(None if value is None else _round(value), problem)


def build_recap(
    indicator_set: IndicatorSet, case_units: tuple[str, ...], latest: Mapping[str, Submission]
) -> Recap:
    """The recap of ``indicator_set`` over ``case_units`` from each unit's ``latest``
    submission (unit slug → its newest :class:`Submission`; other units are ignored)."""
    groups: dict[str, list[tuple[IndicatorRecap, Decimal | None]]] = {}
    complete = bool(indicator_set.indicators)
    for indicator in indicator_set.indicators:
        recap, exact = _indicator_recap(indicator, case_units, latest)
        complete = complete and all(r.realisasi is not None for r in recap.results)
        groups.setdefault(indicator.sasaran, []).append((recap, exact))
    sasaran = tuple(_sasaran_recap(name, members) for name, members in groups.items())
    hash_ = _content_hash(indicator_set.period, case_units, sasaran)
    return Recap(
        period=indicator_set.period,
        units=case_units,
        sasaran=sasaran,
        content_hash=hash_,
        complete=complete,
    )


def _indicator_recap(
    indicator: Indicator, case_units: tuple[str, ...], latest: Mapping[str, Submission]
) -> tuple[IndicatorRecap, Decimal | None]:
    results: list[UnitResult] = []
    computable: list[Decimal] = []
    for unit in indicator.reported_by(case_units):
        submission = latest.get(unit)
        entry = submission.entry(indicator.code) if submission is not None else None
        realisasi = entry.realisasi if entry is not None else None
        version = submission.version if submission is not None and entry is not None else None
        value, problem = _exact(indicator.target, realisasi, indicator.direction)
        if value is not None:
            computable.append(value)
        results.append(
            UnitResult(
                unit=unit,
                realisasi=realisasi,
                capaian=_rounded(value, problem),
                explanation=entry.explanation if entry is not None else "",
                evidence=entry.evidence if entry is not None else (),
                version=version,
            )
        )
    exact: Decimal | None = None
    if indicator.target == 0:
        own = Capaian(None, CapaianProblem.ZERO_TARGET)
    elif not computable:
        own = Capaian(None, CapaianProblem.NOT_REPORTED)
    else:
        exact = _mean(computable)
        own = Capaian(_round(exact))
    return IndicatorRecap(indicator=indicator, results=tuple(results), capaian=own), exact


def _sasaran_recap(name: str, members: list[tuple[IndicatorRecap, Decimal | None]]) -> SasaranRecap:
    values = [exact for _, exact in members if exact is not None]
    total = sum(values, Decimal(0))
    return SasaranRecap(
        sasaran=name,
        indicators=tuple(recap for recap, _ in members),
        total=_round(total),
        average=_round(_mean(values)) if values else None,
        counted=len(values),
    )


# --- the content hash ----------------------------------------------------------------------


def _number(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def _capaian(c: Capaian) -> dict[str, Any]:
    return {"value": _number(c.value), "problem": None if c.problem is None else str(c.problem)}


def _indicator_data(recap: IndicatorRecap) -> dict[str, Any]:
    i = recap.indicator
    return {
        "code": i.code,
        "sasaran": i.sasaran,
        "text": i.text,
        "unit_of_measure": i.unit_of_measure,
        "target": decimal_text(i.target),
        "direction": str(i.direction),
        "units": list(i.units),
        "allow_negative": i.allow_negative,
        "capaian": _capaian(recap.capaian),
        "results": [
            {
                "unit": r.unit,
                "realisasi": _number(r.realisasi),
                "explanation": r.explanation,
                "evidence": sorted([e.name, e.sha256] for e in r.evidence),
                "version": r.version,
                "capaian": _capaian(r.capaian),
            }
            for r in recap.results
        ],
    }


def _content_hash(period: str, units: tuple[str, ...], sasaran: tuple[SasaranRecap, ...]) -> str:
    data = {
        "period": period,
        "units": list(units),
        "sasaran": [
            {
                "sasaran": s.sasaran,
                "total": decimal_text(s.total),
                "average": _number(s.average),
                "counted": s.counted,
                "indicators": [_indicator_data(i) for i in s.indicators],
            }
            for s in sasaran
        ],
    }
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
