"""The data kinerja rows: reading and writing indicator sets and submissions.

Plain functions over the piccolo tables (:class:`~alur.tenants.storage.tables.IndicatorSetRow`,
:class:`~alur.tenants.storage.tables.IndicatorRow`, :class:`~alur.tenants.storage.tables.SubmissionRow`),
each taking the tenant id and filtering on it. They turn rows into the plain data of
:mod:`alur.core.kinerja.model` and back; decimals are stored as their canonical text
(:func:`~alur.core.kinerja.numbers.decimal_text`), never as floats. Writers expect the caller
to hold the transaction (:meth:`alur.tenants.cases.store.CaseStore.transaction`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from alur.core.kinerja.model import (
    Direction,
    Entry,
    Evidence,
    Indicator,
    IndicatorSet,
    Submission,
    latest_of,
)
from alur.core.kinerja.numbers import decimal_text
from alur.core.snapshot import canonical_json
from alur.tenants.storage.tables import IndicatorRow, IndicatorSetRow, SubmissionRow

KEY = "kinerja"  # the key of a bound step's record in its event's payload data


# --- indicator sets ---------------------------------------------------------------------


def indicator_to_dict(i: Indicator) -> dict[str, Any]:
    return {
        "code": i.code,
        "sasaran": i.sasaran,
        "text": i.text,
        "unit_of_measure": i.unit_of_measure,
        "target": decimal_text(i.target),
        "direction": str(i.direction),
        "units": list(i.units),
        "allow_negative": i.allow_negative,
    }


def set_hash(indicator_set: IndicatorSet) -> str:
    """SHA-256 of the canonical JSON of the set (period and every field of every indicator,
    in order): what a completed design step recorded."""
    data = {
        "period": indicator_set.period,
        "indicators": [indicator_to_dict(i) for i in indicator_set.indicators],
    }
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def indicator_from_row(r: Mapping[str, Any]) -> Indicator:
    return Indicator(
        code=r["code"],
        sasaran=r["sasaran"],
        text=r["text"],
        unit_of_measure=r["unit_of_measure"],
        target=Decimal(r["target"]),
        direction=Direction(r["direction"]),
        units=tuple(r["units"] or ()),
        allow_negative=bool(r["allow_negative"]),
    )


async def load_indicator_set(tenant_id: int, period: str) -> IndicatorSet | None:
    """The tenant's set for ``period`` (``None`` when it has none)."""
    head = (
        await IndicatorSetRow.select(IndicatorSetRow.id)
        .where((IndicatorSetRow.tenant == tenant_id) & (IndicatorSetRow.period == period))
        .first()
    )
    if head is None:
        return None
    rows = (
        await IndicatorRow.select()
        .where((IndicatorRow.tenant == tenant_id) & (IndicatorRow.indicator_set == head["id"]))
        .order_by(IndicatorRow.position)
        .output(load_json=True)
    )
    return IndicatorSet(period=period, indicators=tuple(indicator_from_row(r) for r in rows))


async def load_periods(tenant_id: int) -> list[str]:
    """The periods that have a set, the most recently created first."""
    rows = (
        await IndicatorSetRow.select(IndicatorSetRow.period)
        .where(IndicatorSetRow.tenant == tenant_id)
        .order_by(IndicatorSetRow.id, ascending=False)
    )
    return [r["period"] for r in rows]


async def replace_indicators(
    tenant_id: int, indicator_set: IndicatorSet, user_id: int | None, now: datetime
) -> None:
    """Make ``indicator_set`` the tenant's set of its period (creating the set row or
    replacing every indicator of the existing one). Run it inside a transaction."""
    head = await IndicatorSetRow.raw(
        "INSERT INTO alur_indicator_set (tenant, period, updated_at, updated_by) "
        "VALUES ({}, {}, {}, {}) ON CONFLICT (tenant, period) DO UPDATE SET "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by RETURNING id",
        tenant_id,
        indicator_set.period,
        now,
        user_id,
    )
    set_id = head[0]["id"]
    await IndicatorRow.delete().where(
        (IndicatorRow.tenant == tenant_id) & (IndicatorRow.indicator_set == set_id)
    )
    if indicator_set.indicators:
        await IndicatorRow.insert(
            *[
                IndicatorRow(
                    tenant=tenant_id,
                    indicator_set=set_id,
                    position=position,
                    **{**indicator_to_dict(i), "units": json.dumps(list(i.units))},
                )
                for position, i in enumerate(indicator_set.indicators, start=1)
            ]
        )


# --- submissions ---------------------------------------------------------------------------


def entry_to_dict(entry: Entry, attachment_ids: Mapping[str, int]) -> dict[str, Any]:
    """The stored form of one entry; ``attachment_ids`` maps an evidence's SHA-256 to the
    attachment row holding its file."""
    return {
        "indicator": entry.indicator,
        "realisasi": decimal_text(entry.realisasi),
        "explanation": entry.explanation,
        "evidence": [
            {"name": e.name, "sha256": e.sha256, "attachment_id": attachment_ids.get(e.sha256)}
            for e in entry.evidence
        ],
    }


def _entry(d: Mapping[str, Any]) -> Entry:
    return Entry(
        indicator=d["indicator"],
        realisasi=Decimal(d["realisasi"]),
        explanation=d.get("explanation", ""),
        evidence=tuple(Evidence(e["name"], e["sha256"]) for e in d.get("evidence", ())),
    )


def submission_from_row(r: Mapping[str, Any]) -> Submission:
    return Submission(
        unit=r["unit"],
        version=r["version"],
        entries=tuple(_entry(e) for e in r["entries"] or ()),
        submitted_by=r["submitted_by_name"] or "",
        submitted_at=r["submitted_at"],
    )


async def load_submissions(
    tenant_id: int, case_id: int, unit: str | None = None
) -> dict[str, list[Submission]]:
    """Every submission of the case (or of one ``unit``), per unit, oldest version first."""
    where = (SubmissionRow.tenant == tenant_id) & (SubmissionRow.case == case_id)
    if unit is not None:
        where &= SubmissionRow.unit == unit
    rows = (
        await SubmissionRow.select(
            SubmissionRow.unit,
            SubmissionRow.version,
            SubmissionRow.entries,
            SubmissionRow.submitted_at,
            SubmissionRow.submitted_by.name.as_alias("submitted_by_name"),
        )
        .where(where)
        .order_by(SubmissionRow.unit, SubmissionRow.version)
        .output(load_json=True)
    )
    result: dict[str, list[Submission]] = {}
    for r in rows:
        result.setdefault(r["unit"], []).append(submission_from_row(r))
    return result


async def latest_submissions(tenant_id: int, case_id: int) -> dict[str, Submission]:
    return latest_of(await load_submissions(tenant_id, case_id))


async def latest_stored_entries(
    tenant_id: int, case_id: int, unit: str
) -> tuple[int, list[dict[str, Any]]]:
    """The newest version number of ``unit``'s submission (0: none yet) and its stored
    entries (with the attachment ids of their evidence)."""
    row = (
        await SubmissionRow.select(SubmissionRow.version, SubmissionRow.entries)
        .where(
            (SubmissionRow.tenant == tenant_id)
            & (SubmissionRow.case == case_id)
            & (SubmissionRow.unit == unit)
        )
        .order_by(SubmissionRow.version, ascending=False)
        .first()
        .output(load_json=True)
    )
    if row is None:
        return 0, []
    return row["version"], list(row["entries"] or [])


def submission_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 of a stored submission (unit, version, entries as stored, submitted_by): what
    a completed fill step records, so that a changed row is caught by the audit."""
    data = {
        "unit": row["unit"],
        "version": row["version"],
        "entries": list(row["entries"] or []),
        "submitted_by": row["submitted_by"],
    }
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


async def stored_submissions(
    tenant_id: int, case_id: int, unit: str | None = None
) -> list[dict[str, Any]]:
    """The stored submission rows of a case (or of one ``unit``), as :func:`submission_hash`
    reads them, by unit and version."""
    where = (SubmissionRow.tenant == tenant_id) & (SubmissionRow.case == case_id)
    if unit is not None:
        where &= SubmissionRow.unit == unit
    return (
        await SubmissionRow.select(
            SubmissionRow.unit,
            SubmissionRow.version,
            SubmissionRow.entries,
            SubmissionRow.submitted_by,
        )
        .where(where)
        .order_by(SubmissionRow.unit, SubmissionRow.version)
        .output(load_json=True)
    )


async def insert_submission(
    tenant_id: int,
    case_id: int,
    submission: Submission,
    entries: Sequence[Mapping[str, Any]],
    user_id: int,
) -> None:
    await SubmissionRow.insert(
        SubmissionRow(
            tenant=tenant_id,
            case=case_id,
            unit=submission.unit,
            version=submission.version,
            entries=json.dumps(list(entries), ensure_ascii=False),
            submitted_by=user_id,
            submitted_at=submission.submitted_at,
        )
    )
