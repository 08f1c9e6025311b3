"""The daily job that puts approved SOP revisions in force on their tanggal efektif.

An office's revision approved (*disahkan*) with a tanggal efektif still to come stays
disahkan until that day. Reads are right without this job — the revision in force is picked
by date (:func:`alur.core.sop_life.revisions.in_force`) — but the stored state, the list of
revisions and the office's audit chain should say so too: :func:`take_effect_due` turns every
disahkan revision whose day has come in the office's time zone into *berlaku* (the one in
force before becomes *diganti*) with :func:`alur.tenants.sop_life.revisions.take_effect`,
which records both on the office's chain.

Per SOP only the newest revision due takes effect (an older one due too is replaced at once);
one transaction per office; each revision is re-read (and locked on PostgreSQL) inside it, so
two workers, or a run repeated, change nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alur.core.sop_life.revisions import RevisionState
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.sop_life.revisions import take_effect
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import SopRevision, Tenant

log = logging.getLogger(__name__)


@dataclass
class TakeEffectResult:
    offices: int = 0  # offices where a revision took effect
    revisions: int = 0  # revisions now in force
    failed: int = 0  # offices whose revisions could not be changed (logged; tried next run)


async def take_effect_due(db: Database, now: datetime) -> TakeEffectResult:
    """Put in force every approved revision whose tanggal efektif has come (module
    docstring); returns what it did."""
    result = TakeEffectResult()
    latest_day = (now.astimezone(UTC) + timedelta(days=1)).date()  # the earliest zone's today
    rows = await SopRevision.select(
        SopRevision.id,
        SopRevision.tenant,
        SopRevision.sop_id,
        SopRevision.number,
        SopRevision.effective_on,
    ).where(
        (SopRevision.state == str(RevisionState.DISAHKAN))
        & (SopRevision.effective_on <= latest_day)
    )
    by_office: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_office.setdefault(row["tenant"], []).append(row)
    if not by_office:
        return result
    offices = await Tenant.select(Tenant.id, Tenant.slug, Tenant.timezone).where(
        Tenant.id.is_in(list(by_office))
    )
    for office in offices:
        try:
            done = await _office(db, office, by_office[office["id"]], now)
        except Exception:  # one office's trouble: the others go on, this one next run
            log.exception("the SOP revisions of %s did not take effect", office["slug"])
            result.failed += 1
            continue
        if done:
            result.offices += 1
            result.revisions += done
    return result


async def _office(db: Database, office: dict[str, Any], rows: list[dict], now: datetime) -> int:
    """Put the office's due revisions in force in one transaction; how many did."""
    today = now.astimezone(ZoneInfo(office["timezone"])).date()
    newest: dict[str, dict[str, Any]] = {}
    for row in rows:
        if _day(row["effective_on"]) <= today:
            kept = newest.get(row["sop_id"])
            if kept is None or row["number"] > kept["number"]:
                newest[row["sop_id"]] = row
    if not newest:
        return 0
    ref = TenantRef(id=office["id"], slug=office["slug"])
    lock = "" if db.is_sqlite else " FOR UPDATE"
    done = 0
    async with CaseStore(db).transaction():
        for sop_id, row in sorted(newest.items()):
            still = await SopRevision.raw(
                "SELECT id FROM alur_sop_revision WHERE id = {} AND state = {}" + lock,
                row["id"],
                str(RevisionState.DISAHKAN),
            )
            if not still:  # another worker (or the approval itself) was first
                continue
            await take_effect(db, ref, sop_id, row["number"], now.astimezone(UTC))
            done += 1
    return done


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
