"""Exporting one office into an archive (:mod:`alur.tenants.offices.archive`).

:func:`export_office` first records ``office_exported`` on the office's own chain (so the
archive holds the record of its own making: who exported, into which file, at which chain
length), then reads every row of the office inside one read transaction (a snapshot) and
streams it into the archive, then records the export on the platform-level log with the
archive's SHA-256 and the chain head it holds (:mod:`alur.tenants.offices.platform_log`) —
the archive cannot hold its own hash. The file is written under a temporary name and
renamed when complete: a failed export leaves no half archive behind. That temporary file
is created in the target directory *before* anything is recorded, so an output that cannot
be written (:class:`ExportOutputError`) leaves the chain untouched. The manifest is signed
with the audit signing key (:func:`alur.tenants.offices.archive.signed`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from alur.core.engine.events import EventKind
from alur.core.errors import N_, AlurError, PluginNotFound
from alur.core.limits import usable_key
from alur.core.plugins import AlurPlugins
from alur.tenants.audit.keys import AuditKeys, audit_keys
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.cases.rows import from_json
from alur.tenants.cases.store import TenantRef
from alur.tenants.errors import NotFound
from alur.tenants.offices.archive import (
    ATTACHMENT_BATCH,
    BATCH,
    FORMAT,
    LOGO_MEMBER,
    MEMBERS,
    NOT_MOVED,
    ArchiveWriter,
    Member,
    alur_version,
    attachment_member,
    to_json_row,
)
from alur.tenants.offices.platform_log import record_platform_event
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import (
    Attachment,
    Event,
    OfficeLogo,
    SopSnapshot,
    Tenant,
    User,
)

# The user references of an office's rows (table, column), and where events name people.
USER_COLUMNS = (
    ("alur_membership", '"user"'),
    ("alur_delegation", "delegate"),
    ("alur_delegation", "official"),
    ("alur_case", "started_by"),
    ("alur_task", "assignee"),
    ("alur_attachment", "uploaded_by"),
    ("alur_kinerja_submission", "submitted_by"),
    ("alur_indicator_set", "updated_by"),
    ("alur_notification", '"user"'),
    ("alur_webhook", "created_by"),
    ("alur_sop_revision", "approved_by"),
    ("alur_monev_form", "paraf_by"),
    ("alur_monev_version", "saved_by"),
)


class ExportOutputError(AlurError):
    code = "export_output"
    template = N_(
        "cannot write the archive {path}: {reason}. Give an --output in an existing, "
        "writable directory"
    )


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    chain_seq: int
    chain_head: str
    counts: dict[str, int]


async def office_ref(slug: str) -> tuple[TenantRef, dict[str, Any]]:
    """The office ``slug`` names and its row; :class:`NotFound` for an unknown or unusable
    slug (a NUL, undecodable bytes: never sent to the database)."""
    row = await Tenant.select().where(Tenant.slug == slug).first() if usable_key(slug) else None
    if row is None:
        raise NotFound(what=f"office {slug}")
    return TenantRef(row["id"], row["slug"]), row


def event_people(row: dict[str, Any]) -> set[int]:
    """The user ids an event names: its actor, the official it acted for, those it went to."""
    found = {v for v in (row.get("actor"), row.get("acting_for")) if isinstance(v, str)}
    to = (from_json(row.get("payload")) or {}).get("to")
    found |= {to} if isinstance(to, str) else {t for t in to or () if isinstance(t, str)}
    return {int(v) for v in found if v.isdigit()}


async def _people_ids(tenant_id: int) -> set[int]:
    ids: set[int] = set()
    for table, column in USER_COLUMNS:
        rows = await Tenant.raw(
            f"SELECT DISTINCT {column} AS u FROM {table} WHERE tenant = {{}} "
            f"AND {column} IS NOT NULL",
            tenant_id,
        )
        ids |= {r["u"] for r in rows}
    rows = await Event.raw(
        "SELECT DISTINCT actor, acting_for, NULL AS payload FROM alur_event WHERE tenant = {}",
        tenant_id,
    )
    for r in rows:
        ids |= event_people(r)
    kinds = (EventKind.TASK_REASSIGNED, EventKind.TASK_REMINDED, EventKind.TASK_ESCALATED)
    last = 0
    while True:
        batch = (
            await Event.select(Event.id, Event.payload)
            .where(
                (Event.tenant == tenant_id)
                & Event.kind.is_in([str(k) for k in kinds])
                & (Event.id > last)
            )
            .order_by(Event.id)
            .limit(BATCH)
        )
        if not batch:
            return ids
        for r in batch:
            ids |= event_people(r)
        last = batch[-1]["id"]


async def _rows(table: type[Table], where: Any, order: Any = None) -> AsyncIterator[dict]:
    """Every row matching ``where``, :data:`BATCH` at a time, by ``order`` (default id)."""
    order = order if order is not None else table.id
    last: Any = None
    while True:
        query = table.select().where(where)
        if last is not None:
            query = query.where(order > last)
        rows = await query.order_by(order).limit(BATCH)
        if not rows:
            return
        for r in rows:
            yield r
        last = rows[-1][order._meta.name]


def _chunks(ids: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    items = sorted(ids)
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def _write_member(writer: ArchiveWriter, m: Member, tenant_id: int, people: set[int]) -> None:
    table = m.table
    with writer.lines(m.name) as out:
        if table is Tenant:
            async for r in _rows(Tenant, Tenant.id == tenant_id):
                out.write(to_json_row(table, r, m.drop))
        elif table is User:
            for chunk in _chunks(people):
                async for r in _rows(User, User.id.is_in(chunk)):
                    out.write(to_json_row(table, r, m.drop))
        elif table is SopSnapshot:
            hashes = await Tenant.raw(
                "SELECT DISTINCT definition_hash AS h FROM alur_case WHERE tenant = {} "
                "UNION SELECT base_hash FROM alur_sop_revision WHERE tenant = {} "
                "UNION SELECT content_hash FROM alur_sop_revision WHERE tenant = {}",
                tenant_id,
                tenant_id,
                tenant_id,
            )
            for chunk in _chunks(r["h"] for r in hashes):
                async for r in _rows(SopSnapshot, SopSnapshot.definition_hash.is_in(chunk)):
                    out.write(to_json_row(table, r, m.drop))
        elif table is Event:
            async for r in _rows(Event, Event.tenant == tenant_id, Event.chain_seq):
                out.write(to_json_row(table, r, m.drop))
        else:
            async for r in _rows(table, table.tenant == tenant_id):  # type: ignore[attr-defined]
                out.write(to_json_row(table, r, m.drop))


async def _write_blobs(writer: ArchiveWriter, tenant_id: int) -> None:
    last = 0
    while True:
        rows = (
            await Attachment.select(Attachment.id, Attachment.content)
            .where((Attachment.tenant == tenant_id) & (Attachment.id > last))
            .order_by(Attachment.id)
            .limit(ATTACHMENT_BATCH)
        )
        if not rows:
            break
        for r in rows:
            writer.blob(attachment_member(r["id"]), bytes(r["content"]))
        last = rows[-1]["id"]
    logo = await OfficeLogo.select(OfficeLogo.content).where(OfficeLogo.tenant == tenant_id).first()
    if logo is not None:
        writer.blob(LOGO_MEMBER, bytes(logo["content"]))


def _snapshot(db: Database) -> Any:
    """A read transaction that sees one snapshot of the database."""
    if isinstance(db.engine, SQLiteEngine):
        return db.engine.transaction(transaction_type=TransactionType.deferred)
    return db.engine.transaction()


async def applied_migrations() -> list[str]:
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists():
        return []
    rows = (
        await Migration.select(Migration.name)
        .where(Migration.app_name == "alur_tenants")
        .order_by(Migration.id)
    )
    return [r["name"] for r in rows]


async def export_office(
    db: Database,
    plugins: AlurPlugins,
    slug: str,
    output: Path,
    *,
    actor: str,
    actor_name: str = "",
    keys: AuditKeys | None = None,
) -> ExportResult:
    """Write office ``slug`` into ``output`` (module docstring); ``actor`` is who exports,
    as ``operator:<name>``; the manifest is signed with ``keys`` (default: the process's)."""
    keys = keys or audit_keys()
    ref, _ = await office_ref(slug)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        writer = ArchiveWriter(tmp)
    except OSError as exc:
        raise ExportOutputError(path=str(output), reason=exc.strerror or str(exc)) from None
    try:
        async with write_transaction(db):
            await record_office_change(
                db,
                ref,
                "office_exported",
                actor=actor,
                actor_name=actor_name or actor,
                details={"file": output.name},
            )
        async with _snapshot(db):
            if not db.is_sqlite:
                await Tenant.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            ref, row = await office_ref(slug)
            people = await _people_ids(ref.id)
            for m in MEMBERS:
                await _write_member(writer, m, ref.id, people)
            await _write_blobs(writer, ref.id)
            key_ids = await Event.raw(
                "SELECT DISTINCT key_id FROM alur_event WHERE tenant = {}", ref.id
            )
            migrations = await applied_migrations()
        try:
            version = plugins.get(row["plugin"]).version
        except PluginNotFound:  # not installed here: the archive still names it
            version = ""
        writer.close(
            {
                "format": FORMAT,
                "alur_version": alur_version(),
                "exported_at": datetime.now(UTC).isoformat(),
                "exported_by": actor,
                "office": {
                    "slug": row["slug"],
                    "name": row["name"],
                    "plugin": row["plugin"],
                    "plugin_version": version,
                },
                "migrations": migrations,
                "chain": {
                    "length": row["chain_seq"],
                    "head": row["chain_head"] or "",
                    "key_ids": sorted(r["key_id"] for r in key_ids),
                },
                "not_moved": list(NOT_MOVED),
            },
            keys,
        )
    except BaseException:
        writer.abort()
        tmp.unlink(missing_ok=True)
        raise
    try:
        os.replace(tmp, output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportOutputError(path=str(output), reason=exc.strerror or str(exc)) from None
    digest = file_sha256(output)
    async with write_transaction(db):
        await record_platform_event(
            "exported",
            slug,
            actor=actor,
            details={"file": output.name},
            archive_sha256=digest,
            chain_seq=row["chain_seq"],
            chain_head=row["chain_head"] or "",
        )
    return ExportResult(output, digest, row["chain_seq"], row["chain_head"] or "", writer.counts)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
