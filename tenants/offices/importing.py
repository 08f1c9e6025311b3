"""Importing an office's export archive into another installation: ``alur tenants import``.

:func:`import_office` refuses, with the reason and what to do, when:

* the file is not a readable export archive (not a ZIP, truncated, a member or the manifest
  damaged), or it does not verify offline (:mod:`alur.tenants.offices.archive_verify`: its
  manifest's signature among the rest), or its chain or manifest is signed with an audit key
  this installation lacks (add it to ``ALUR_AUDIT_KEY`` after the signing key: the first key
  signs, the others only verify);
* it was made by a newer Alur (a migration this database has not run);
* the office's slug, or one of its case keys, already exists here;
* its plugin is not installed (or failed to load). A different version of the plugin is
  accepted: every imported case runs on the SOP snapshot it pinned, which travels in the
  archive; new cases use the installed version;
* a person's username exists here as someone else. A username that exists with the same
  NIP (not empty) and name is the same person: the imported office is linked to them.

Then everything is written in one transaction, with new row ids. The chain's events name
row ids (who acted, to whom a task went, which attachment a completion recorded, and the
data kinerja hashes that cover them), so each event is rewritten with the new ids and the
chain is linked again with this installation's signing key, in the same order; the
archive's SHA-256, its chain length, head and key ids are recorded on the new chain
(``office_imported``, the archive stays the proof of the chain as it was) and on the
platform log. Before the transaction commits, the office is verified as ``alur audit
verify`` would (chain and content): an import that would not verify is rolled back.
Imported people get no usable password (password hashes never move): they are listed, and
an administrator gives each a new one. API tokens do not move; webhooks get a new secret
and are left inactive until their administrator checks them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from piccolo.table import Table

from alur.core.plugins import AlurPlugins
from alur.tenants.audit.content import verify_content
from alur.tenants.audit.keys import AuditKeys
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.audit.verify import verify_chain
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.kinerja.data import submission_hash
from alur.tenants.offices.archive import (
    BY_NAME,
    LOGO_MEMBER,
    ArchiveReader,
    attachment_member,
    from_json_row,
)
from alur.tenants.offices.archive_verify import DAMAGED, verify_archive
from alur.tenants.offices.export import file_sha256
from alur.tenants.offices.import_checks import (
    ArchiveDoesNotVerify,
    archive_keys_missing,
    preflight,
    refuse,
)
from alur.tenants.offices.platform_log import record_platform_event
from alur.tenants.offices.relink import (
    EVENT_BATCH,
    Ids,
    canonical_entries,
    from_json_row_entries,
    relink_events,
    restate_cases,
)
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import SopSnapshot, Tenant, User

UNUSABLE_PASSWORD = "!imported: no password until an administrator sets one"


@dataclass
class ImportResult:
    slug: str
    events: int
    cases: int
    new_people: list[str] = field(default_factory=list)
    linked_people: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _insertable(table: type[Table], values: dict[str, Any]) -> dict[str, Any]:
    known = {c._meta.name for c in table._meta.columns}
    return {k: v for k, v in values.items() if k in known and k != "id"}


async def _insert(table: type[Table], values: dict[str, Any]) -> int:
    rows = await table.insert(table(**_insertable(table, values))).returning(table.id)
    return int(rows[0]["id"])


async def _copy(
    reader: ArchiveReader, member: str, ids: Ids, fix: Any, *, keep_ids: bool = True
) -> None:
    """Insert every row of ``member``, changed by ``fix(values)`` (None: leave it out)."""
    table = BY_NAME[member].table
    mapping = ids.of(member)
    pending: list[Table] = []
    for row in reader.rows(member):
        values = fix(from_json_row(table, row))
        if values is None:
            continue
        if keep_ids:
            mapping[row["id"]] = await _insert(table, values)
        else:
            pending.append(table(**_insertable(table, values)))
            if len(pending) >= EVENT_BATCH:
                await table.insert(*pending)
                pending = []
    if pending:
        await table.insert(*pending)


async def import_office(
    db: Database, plugins: AlurPlugins, path: Path, keys: AuditKeys, *, actor: str
) -> ImportResult:
    """Import the archive at ``path`` (module docstring)."""
    try:
        return await _import(db, plugins, path, keys, actor)
    except DAMAGED as exc:
        # an archive whose manifest verified holds every field, so this is a damaged file
        # (OSError is left alone: it is the database's, the CLI checked the file exists)
        raise ArchiveDoesNotVerify(
            reason=f"it is not a readable export archive ({type(exc).__name__}: {exc}); "
            "run `alur audit verify --archive FILE`"
        ) from None


async def _import(
    db: Database, plugins: AlurPlugins, path: Path, keys: AuditKeys, actor: str
) -> ImportResult:
    with ArchiveReader(path) as probe:
        manifest = probe.manifest
    missing = archive_keys_missing(manifest, keys)
    if not missing:
        report = verify_archive(path, keys)
        if not report.ok:
            problems = [str(report.chain)] if report.chain and not report.chain.ok else []
            raise ArchiveDoesNotVerify(
                reason="it does not verify: "
                + "; ".join((problems + report.problems)[:5])
                + " (run `alur audit verify --archive FILE`)"
            )
    digest = file_sha256(path)
    with ArchiveReader(path) as reader:
        async with write_transaction(db):
            notes, linked = await preflight(reader, plugins, keys)
            result = await _write(db, reader, keys, actor, digest)
            result.notes, result.linked_people = notes, linked
    return result


async def _write(
    db: Database, reader: ArchiveReader, keys: AuditKeys, actor: str, digest: str
) -> ImportResult:
    manifest = reader.manifest
    slug = manifest["office"]["slug"]
    ids = Ids()
    people = ids.of("people.jsonl")
    new_people: list[str] = []

    def office(v: dict) -> dict:
        return {**v, "chain_seq": 0, "chain_head": "", "suspended": False}

    await _copy(reader, "office.jsonl", ids, office)
    tenant_id = ids.of("office.jsonl")[next(iter(ids.of("office.jsonl")))]
    ref = TenantRef(tenant_id, slug)
    units = ids.of("units.jsonl")

    def owned(v: dict) -> dict:
        return {**v, "tenant": tenant_id}

    await _copy(reader, "units.jsonl", ids, owned)
    await _copy(reader, "days_off.jsonl", ids, owned, keep_ids=False)
    for row in reader.rows("people.jsonl"):
        existing = await User.select(User.id).where(User.username == row["username"]).first()
        if existing is not None:
            people[row["id"]] = existing["id"]
            continue
        values = {**from_json_row(User, row), "password_hash": UNUSABLE_PASSWORD}
        people[row["id"]] = await _insert(User, values)
        new_people.append(row["username"])

    def unit_of(v: Any) -> Any:
        return units.get(v) if v is not None else None

    await _copy(
        reader,
        "memberships.jsonl",
        ids,
        lambda v: {**owned(v), "user": people[v["user"]], "unit": unit_of(v["unit"])},
        keep_ids=False,
    )
    await _copy(
        reader,
        "delegations.jsonl",
        ids,
        lambda v: {
            **owned(v),
            "delegate": people[v["delegate"]],
            "official": people[v["official"]],
            "unit": unit_of(v["unit"]),
        },
        keep_ids=False,
    )
    for row in reader.rows("snapshots.jsonl"):
        if not await SopSnapshot.exists().where(
            SopSnapshot.definition_hash == row["definition_hash"]
        ):
            await _insert(SopSnapshot, from_json_row(SopSnapshot, row))
    cases = ids.of("cases.jsonl")
    await _copy(
        reader, "cases.jsonl", ids, lambda v: {**owned(v), "started_by": ids.user(v["started_by"])}
    )
    await _copy(
        reader,
        "tasks.jsonl",
        ids,
        lambda v: {**owned(v), "case": cases[v["case"]], "assignee": ids.user(v["assignee"])},
        keep_ids=False,
    )
    await _copy(
        reader,
        "timers.jsonl",
        ids,
        lambda v: {**owned(v), "case": cases[v["case"]]},
        keep_ids=False,
    )
    attachments = ids.of("attachments.jsonl")
    for row in reader.rows("attachments.jsonl"):
        values = from_json_row(BY_NAME["attachments.jsonl"].table, row)
        values.update(
            tenant=tenant_id,
            case=cases[values["case"]],
            uploaded_by=ids.user(values["uploaded_by"]),
            content=reader.blob(attachment_member(row["id"])),
        )
        attachments[row["id"]] = await _insert(BY_NAME["attachments.jsonl"].table, values)
    sets = ids.of("indicator_sets.jsonl")
    await _copy(
        reader,
        "indicator_sets.jsonl",
        ids,
        lambda v: {**owned(v), "updated_by": ids.user(v["updated_by"])},
    )
    await _copy(
        reader,
        "indicators.jsonl",
        ids,
        lambda v: {**owned(v), "indicator_set": sets[v["indicator_set"]]},
        keep_ids=False,
    )
    hashes: dict[str, str] = {}  # a submission's recorded hash -> its hash with the new ids

    def submission(v: dict) -> dict:
        source = from_json_row_entries(v)
        entries = [
            {
                **entry,
                "evidence": [
                    {
                        **ev,
                        "attachment_id": attachments.get(
                            ev.get("attachment_id"), ev.get("attachment_id")
                        ),
                    }
                    for ev in entry.get("evidence", [])
                ],
            }
            for entry in source["entries"]
        ]
        new = {**source, "entries": entries, "submitted_by": people[v["submitted_by"]]}
        hashes[submission_hash(source)] = submission_hash(new)
        return {
            **owned(v),
            "case": cases[v["case"]],
            "submitted_by": new["submitted_by"],
            "entries": canonical_entries(entries),
        }

    await _copy(reader, "submissions.jsonl", ids, submission, keep_ids=False)
    await _copy(
        reader,
        "notifications.jsonl",
        ids,
        lambda v: {
            **owned(v),
            "user": people[v["user"]],
            "case": cases.get(v["case"]) if v["case"] is not None else None,
            "key": f"import:{slug}:{v['key']}"[:200],
        },
        keep_ids=False,
    )
    await _copy(
        reader,
        "webhooks.jsonl",
        ids,
        lambda v: {
            **owned(v),
            "secret": secrets.token_urlsafe(32),
            "active": False,
            "created_by": ids.user(v["created_by"]),
        },
        keep_ids=False,
    )
    if reader.has(LOGO_MEMBER):
        await _copy(
            reader,
            "logo.jsonl",
            ids,
            lambda v: {**owned(v), "content": reader.blob(LOGO_MEMBER)},
            keep_ids=False,
        )
    await _copy(reader, "office_plugins.jsonl", ids, owned, keep_ids=False)
    await _copy(
        reader,
        "sop_revisions.jsonl",
        ids,
        lambda v: {**owned(v), "approved_by": ids.user(v["approved_by"])},
        keep_ids=False,
    )
    await _copy(
        reader,
        "monev_forms.jsonl",
        ids,
        lambda v: {**owned(v), "paraf_by": ids.user(v["paraf_by"])},
    )
    forms = ids.of("monev_forms.jsonl")
    await _copy(
        reader,
        "monev_versions.jsonl",
        ids,
        lambda v: {**owned(v), "monev": forms[v["monev"]], "saved_by": ids.user(v["saved_by"])},
        keep_ids=False,
    )
    await relink_events(db, reader, ref, ids, hashes, keys)
    await restate_cases(db, tenant_id)
    chain = manifest["chain"]
    await record_office_change(
        db,
        ref,
        "office_imported",
        actor=actor,
        actor_name=actor,
        details={
            "archive_sha256": digest,
            "source_chain_length": chain["length"],
            "source_chain_head": chain["head"],
            "source_key_ids": chain.get("key_ids", []),
            "exported_at": manifest.get("exported_at", ""),
        },
    )
    head = (
        await Tenant.select(Tenant.chain_seq, Tenant.chain_head)
        .where(Tenant.id == tenant_id)
        .first()
    )
    await record_platform_event(
        "imported",
        slug,
        actor=actor,
        details={"file": reader.path.name, "source_chain_head": chain["head"]},
        archive_sha256=digest,
        chain_seq=head["chain_seq"],
        chain_head=head["chain_head"],
        keys=keys,
    )
    await _check(db, ref, keys)
    return ImportResult(slug, head["chain_seq"], len(cases), new_people)


async def _check(db: Database, ref: TenantRef, keys: AuditKeys) -> None:
    """The imported office as ``alur audit verify`` sees it; refuse (roll back) otherwise."""
    report = await verify_chain(ref, keys)
    problems = [] if report.ok else [str(report)]
    problems += [str(m) for m in await verify_content(CaseStore(db), ref)]
    if problems:
        raise refuse(
            "the imported office would not verify, so nothing was imported: "
            + "; ".join(problems[:5])
        )
