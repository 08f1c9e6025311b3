"""Monev forms as stored and read: the :class:`MonevRecord` read model, its versions, and
the guarded update that refuses a stale save (:mod:`alur.tenants.monitoring.monev`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from alur.core.monitoring.monev import MonevForm
from alur.tenants.cases.rows import from_json
from alur.tenants.errors import NotFound
from alur.tenants.monitoring.monev_errors import StaleMonev
from alur.tenants.monitoring.report import Period
from alur.tenants.storage.tables import MonevForm as MonevFormRow
from alur.tenants.storage.tables import MonevVersion

OPEN, DIPARAF = "open", "diparaf"
# What made a version (alur_monev_version.what).
OPENED, SAVED, INITIALLED, REOPENED = "opened", "saved", "diparaf", "reopened"
EXTENDED = "extended"  # an early form made to cover its whole period (the worker)


@dataclass(frozen=True)
class MonevRecord:
    """One stored monev form (``alur_monev_form``)."""

    id: int
    sop_id: str
    plugin: str
    definition_hash: str
    period: Period
    state: str
    due_on: date
    remind_on: date
    version: int
    form: MonevForm
    content_hash: str
    opened_by: str
    opened_at: datetime
    updated_by: str
    updated_at: datetime
    paraf_by: int | None
    paraf_at: datetime | None
    paraf_name: str
    paraf_jabatan: str
    paraf_nip: str

    @property
    def initialled(self) -> bool:
        return self.state == DIPARAF


@dataclass(frozen=True)
class MonevVersionRecord:
    version: int
    what: str
    form: MonevForm
    content_hash: str
    saved_by: str
    saved_at: datetime


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def record_from_row(row: dict[str, Any]) -> MonevRecord:
    return MonevRecord(
        id=row["id"],
        sop_id=row["sop_id"],
        plugin=row["plugin"],
        definition_hash=row["definition_hash"],
        period=Period(_day(row["period_start"]), _day(row["period_end"])),
        state=row["state"],
        due_on=_day(row["due_on"]),
        remind_on=_day(row["remind_on"]),
        version=row["version"],
        form=MonevForm.from_dict(from_json(row["form"]) or {}),
        content_hash=row["content_hash"],
        opened_by=row["opened_by"],
        opened_at=row["opened_at"],
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
        paraf_by=row["paraf_by"],
        paraf_at=row["paraf_at"],
        paraf_name=row["paraf_name"],
        paraf_jabatan=row["paraf_jabatan"],
        paraf_nip=row["paraf_nip"],
    )


async def form_rows(tenant_id: int, form_id: int | None = None) -> list[MonevRecord]:
    """The office's forms, newest period first (one, ``form_id``, when given)."""
    where = MonevFormRow.tenant == tenant_id
    if form_id is not None:
        where &= MonevFormRow.id == form_id
    rows = (
        await MonevFormRow.select()
        .where(where)
        .order_by(MonevFormRow.period_start, ascending=False)
        .order_by(MonevFormRow.sop_id)
    )
    return [record_from_row(r) for r in rows]


async def one_form(tenant_id: int, form_id: int) -> MonevRecord:
    found = await form_rows(tenant_id, form_id) if 0 < form_id < 2**31 else []
    if not found:
        raise NotFound(what=f"monev {form_id}")
    return found[0]


async def add_version(
    tenant_id: int,
    form_id: int,
    version: int,
    what: str,
    form: MonevForm,
    *,
    user_id: int | None,
    name: str,
    at: datetime,
) -> None:
    await MonevVersion.insert(
        MonevVersion(
            tenant=tenant_id,
            monev=form_id,
            version=version,
            what=what,
            form=json.dumps(form.to_dict(), ensure_ascii=False),
            content_hash=form.content_hash(),
            saved_by=user_id,
            saved_by_name=name[:255],
            saved_at=at,
        )
    )


async def versions_of(tenant_id: int, form_id: int) -> list[MonevVersionRecord]:
    rows = (
        await MonevVersion.select()
        .where((MonevVersion.tenant == tenant_id) & (MonevVersion.monev == form_id))
        .order_by(MonevVersion.version, ascending=False)
    )
    return [
        MonevVersionRecord(
            r["version"],
            r["what"],
            MonevForm.from_dict(from_json(r["form"]) or {}),
            r["content_hash"],
            r["saved_by_name"],
            r["saved_at"],
        )
        for r in rows
    ]


async def update_form(record: MonevRecord, version: int, by: str, now: datetime, **values: Any):
    """Set ``values`` on the form if it is still at ``version`` (and count one more version),
    or raise :class:`StaleMonev` naming who saved it since, and change nothing."""
    sets = "".join(f'"{k}" = {{}}, ' for k in values)
    rows = await MonevFormRow.raw(
        f"UPDATE alur_monev_form SET {sets}version = version + 1, updated_by = {{}}, "
        "updated_at = {} WHERE id = {} AND version = {} RETURNING id",
        *values.values(),
        by[:255],
        now,
        record.id,
        version,
    )
    if not rows:
        current = (await form_rows_by_id(record.id)) or record
        raise StaleMonev(by=current.updated_by or "?")


async def form_rows_by_id(form_id: int) -> MonevRecord | None:
    row = await MonevFormRow.select().where(MonevFormRow.id == form_id).first()
    return record_from_row(row) if row else None
