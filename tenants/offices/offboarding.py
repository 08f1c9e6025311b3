"""Offboarding an office: suspended → exported → deleted, each step on the platform log.

* :func:`suspend_office` / :func:`resume_office`: sign-ins, pages and the API of the office
  are refused with :class:`~alur.tenants.errors.TenantSuspended` (its clock stops too);
  recorded on the office's chain (``office_suspended`` / ``office_resumed``) and on the
  platform log (:mod:`alur.tenants.offices.platform_log`).
* the export: :func:`alur.tenants.offices.export.export_office` (recorded on both logs).
* :func:`delete_office`: only a suspended office, only after an export of its current chain
  (the platform log's last ``exported`` entry holds the chain length and head the archive
  holds; nothing may have been added since), only when the operator typed the office's
  slug. Every row of the office is removed, and so are its people who belong to no other
  office and are named by no other office's rows. Those of them that another office's
  events name (as actor, as the official acted for, or as whom a task went to — events hold
  user ids as text, so no foreign key keeps them) are deactivated instead: that history
  keeps naming a person who still exists. SOP snapshots are shared by definition hash and
  stay. The Mutu baku projection (:mod:`alur.tenants.monitoring.projection`) goes with it;
  it is derived from the events and no archive carries it. The platform log keeps the ``deleted`` entry with the archive's SHA-256.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from alur.core.engine.events import EventKind
from alur.core.errors import N_, AlurError
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.cases.store import TenantRef
from alur.tenants.offices.export import USER_COLUMNS, event_people, office_ref
from alur.tenants.offices.platform_log import (
    PlatformEntry,
    last_export,
    record_platform_event,
)
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Event, Session, Tenant, User

# Removed in this order (rows before what they refer to); then the people, then the office.
OFFICE_TABLES = (
    "alur_api_rate",
    "alur_delivery",
    "alur_notification",
    "alur_timer",
    "alur_api_token",
    "alur_webhook",
    "alur_kinerja_submission",
    "alur_indicator",
    "alur_indicator_set",
    "alur_attachment",
    "alur_step_span",  # the Mutu baku projection: derived, never archived
    "alur_span_progress",
    "alur_event",
    "alur_task",
    "alur_case",
    "alur_delegation",
    "alur_membership",
    "alur_office_logo",
    "alur_sop_revision",
    "alur_monev_version",
    "alur_monev_form",
    "alur_office_plugin",
    "alur_day_off",
    "alur_unit",
)


class OffboardRefused(AlurError):
    code = "offboard_refused"
    template = N_("office {slug} cannot be deleted: {reason}")


@dataclass(frozen=True)
class Deleted:
    slug: str
    people_removed: list[str]
    export: PlatformEntry
    people_deactivated: list[str] = field(default_factory=list)


async def _head(tenant_id: int) -> tuple[int, str]:
    row = (
        await Tenant.select(Tenant.chain_seq, Tenant.chain_head)
        .where(Tenant.id == tenant_id)
        .first()
    )
    return row["chain_seq"], row["chain_head"] or ""


async def _set_suspended(db: Database, slug: str, suspended: bool, actor: str, note: str) -> bool:
    """Suspend or resume; False when it already was (nothing is recorded then)."""
    async with write_transaction(db):
        ref, row = await office_ref(slug)
        if bool(row["suspended"]) == suspended:
            return False
        await Tenant.update({Tenant.suspended: suspended}).where(Tenant.id == ref.id)
        await record_office_change(
            db,
            ref,
            "office_suspended" if suspended else "office_resumed",
            actor=actor,
            actor_name=actor,
            note=note,
        )
        seq, head = await _head(ref.id)
        await record_platform_event(
            "suspended" if suspended else "resumed",
            slug,
            actor=actor,
            details={"note": note} if note else {},
            chain_seq=seq,
            chain_head=head,
        )
    return True


async def suspend_office(db: Database, slug: str, *, actor: str, note: str = "") -> bool:
    return await _set_suspended(db, slug, True, actor, note)


async def resume_office(db: Database, slug: str, *, actor: str, note: str = "") -> bool:
    return await _set_suspended(db, slug, False, actor, note)


async def delete_office(db: Database, slug: str, *, confirm: str, actor: str) -> Deleted:
    """Remove every row of office ``slug`` (module docstring); ``confirm`` must be its slug."""
    async with write_transaction(db):
        ref, row = await office_ref(slug)
        if confirm != slug:
            raise OffboardRefused(slug=slug, reason=f"the confirmation {confirm!r} is not its slug")
        if not row["suspended"]:
            raise OffboardRefused(
                slug=slug,
                reason="it is not suspended: `alur tenants offboard SLUG --suspend` first",
            )
        export = await last_export(slug)
        seq, head = await _head(ref.id)
        if export is None or (export.chain_seq, export.chain_head) != (seq, head):
            raise OffboardRefused(
                slug=slug,
                reason=f"no export holds its current chain ({seq} events): "
                "`alur tenants offboard SLUG --export FILE` first",
            )
        people = await _people(ref)
        for table in OFFICE_TABLES:
            if table == "alur_api_rate":
                await Tenant.raw(
                    "DELETE FROM alur_api_rate WHERE token IN "
                    "(SELECT id FROM alur_api_token WHERE tenant = {})",
                    ref.id,
                )
                continue
            await Tenant.raw(f"DELETE FROM {table} WHERE tenant = {{}}", ref.id)
        removed, deactivated = await _remove_people(people)
        await _end_sessions({user_id for user_id, _ in removed + deactivated})
        await Tenant.raw("DELETE FROM alur_tenant WHERE id = {}", ref.id)
        await record_platform_event(
            "deleted",
            slug,
            actor=actor,
            details={
                "people_removed": len(removed),
                "people_deactivated": len(deactivated),
                "export_seq": export.seq,
            },
            archive_sha256=export.archive_sha256,
            chain_seq=seq,
            chain_head=head,
        )
    return Deleted(
        slug,
        [username for _, username in removed],
        export,
        [username for _, username in deactivated],
    )


async def _people(ref: TenantRef) -> set[int]:
    ids: set[int] = set()
    for table, column in USER_COLUMNS[:3]:  # memberships and Plt/Plh: who belongs
        rows = await Tenant.raw(
            f"SELECT DISTINCT {column} AS u FROM {table} WHERE tenant = {{}}", ref.id
        )
        ids |= {r["u"] for r in rows if r["u"] is not None}
    return ids


async def _named_by_events(ids: set[int]) -> set[int]:
    """Those of ``ids`` the remaining events name (actor, acting_for, a payload's "to")."""
    named: set[int] = set()
    texts = sorted(str(i) for i in ids)
    for i in range(0, len(texts), 500):
        chunk = texts[i : i + 500]
        for column in ("actor", "acting_for"):
            rows = await Event.select(getattr(Event, column).as_alias("u")).where(
                getattr(Event, column).is_in(chunk)
            )
            named |= {int(r["u"]) for r in rows}
    kinds = [str(k) for k in (EventKind.TASK_REASSIGNED, EventKind.TASK_REMINDED)]
    kinds.append(str(EventKind.TASK_ESCALATED))
    last = 0
    while True:  # bounded: a batch of events at a time, by id
        batch = (
            await Event.select(Event.id, Event.payload)
            .where(Event.kind.is_in(kinds) & (Event.id > last))
            .order_by(Event.id)
            .limit(1000)
        )
        if not batch:
            return named & ids
        for r in batch:
            named |= event_people(r)
        last = batch[-1]["id"]


async def _remove_people(ids: set[int]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Remove those of ``ids`` no other office's row names any more, deactivate those only
    other offices' events name; ``(removed, deactivated)``, (id, username) each."""
    removed, deactivated = [], []
    in_history = await _named_by_events(ids)
    for user_id in sorted(ids):
        named = False
        for table, column in (*USER_COLUMNS, ("alur_api_token", '"user"')):
            if await Tenant.raw(
                f"SELECT 1 AS x FROM {table} WHERE {column} = {{}} LIMIT 1", user_id
            ):
                named = True
                break
        if named:
            continue
        if user_id in in_history:
            rows = (
                await User.update({User.active: False})
                .where(User.id == user_id)
                .returning(User.username)
            )
            deactivated += [(user_id, r["username"]) for r in rows]
            continue
        rows = await Tenant.raw("DELETE FROM alur_user WHERE id = {} RETURNING username", user_id)
        removed += [(user_id, r["username"]) for r in rows]
    return removed, deactivated


async def _end_sessions(user_ids: set[int]) -> None:
    """Remove the web sessions of removed people (a session names its person by id, and
    SQLite may give a removed id to someone new)."""
    if not user_ids:
        return
    last = 0
    while True:
        rows = (
            await Session.select(Session.id, Session.data)
            .where(Session.id > last)
            .order_by(Session.id)
            .limit(1000)
        )
        if not rows:
            return
        for r in rows:
            try:
                data = json.loads(bytes(r["data"]))
            except ValueError:  # not a session of a person: leave it
                continue
            if isinstance(data, dict) and data.get("uid") in user_ids:
                await Session.delete().where(Session.id == r["id"])
        last = rows[-1]["id"]
