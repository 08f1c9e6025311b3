"""Checking an export archive offline, with no database: ``alur audit verify --archive FILE``.

:func:`verify_archive` checks, in order:

1. the manifest: its format, every field an export writes (:data:`MANIFEST_FIELDS`), its
   signature (:func:`alur.tenants.offices.archive.manifest_signature`: made with an audit key
   of the environment, over the manifest as it is — a manifest without one, signed with a
   key we lack, or changed after signing is refused before anything else is read), that it
   lists every table's member (:data:`alur.tenants.offices.archive.MEMBERS`), and that the
   archive holds exactly the members it lists, each with the SHA-256 and row count it lists
   (a member changed, added or removed is named);
2. the chain: every event of ``events.jsonl`` recomputed in chain order with the audit keys
   of the environment (``ALUR_AUDIT_KEY`` or the key file) by the same code as
   ``alur audit verify`` (:class:`alur.tenants.audit.links.ChainCheck`), up to the length
   and head the manifest and the office row give;
3. the content, as ``alur audit verify`` checks a database (:mod:`alur.tenants.audit.content`,
   the same functions): every case replays to its stored state, its row's start facts and
   its task rows follow from its events, its pinned SOP snapshot hashes to its key, every
   attachment's bytes match its hash and the record of the event that closed its task, and
   every recorded data kinerja submission is there unchanged.

Cases are checked :data:`CASES_AT_ONCE` at a time (one pass over the events per group), so
memory stays bounded by the group, not by the office.
"""

from __future__ import annotations

import hashlib
import hmac
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alur.core.engine.codec import state_from_dict
from alur.core.engine.events import Event as EngineEvent
from alur.core.engine.state import replay
from alur.core.loader import definition_from_mapping
from alur.core.model import SopDefinition
from alur.tenants.audit.content import (
    Mismatch,
    attachment_mismatches,
    submission_mismatches,
    task_mismatches,
    verify_case_row,
)
from alur.tenants.audit.keys import AuditKeys
from alur.tenants.audit.links import ChainCheck, ChainReport
from alur.tenants.cases.rows import event_from_row
from alur.tenants.offices.archive import (
    FORMAT,
    MEMBERS,
    SIGNATURE,
    ArchiveReader,
    attachment_member,
    from_json_row,
    manifest_signature,
)
from alur.tenants.storage.tables import Case, Event, Task

CASES_AT_ONCE = 500
# Every field an export writes, with its type (nested: the fields of that object).
MANIFEST_FIELDS: dict[str, Any] = {
    "format": str,
    "alur_version": str,
    "exported_at": str,
    "exported_by": str,
    "office": {"slug": str, "name": str, "plugin": str, "plugin_version": str},
    "migrations": list,
    "chain": {"length": int, "head": str, "key_ids": list},
    "not_moved": list,
    "counts": dict,
    "members": dict,
    SIGNATURE: {"key_id": str, "hmac_sha256": str},
}
# What reading a damaged archive raises (a truncated or corrupt member, a line not JSON, a
# row without a field the checks need).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError, TypeError)
UNREADABLE = (*DAMAGED, OSError)


@dataclass
class ArchiveReport:
    """What :func:`verify_archive` found: the chain's report and every other problem."""

    office: str
    chain: ChainReport | None
    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.chain is not None and self.chain.ok and not self.problems


def stored_event(row: dict[str, Any]) -> tuple[dict[str, Any], EngineEvent]:
    """An archived event row with its values parsed, and the engine event it holds."""
    values = from_json_row(Event, row)
    return values, event_from_row(values)


def verify_archive(path: Path, keys: AuditKeys) -> ArchiveReport:
    """Check the archive at ``path`` (module docstring)."""
    try:
        reader = ArchiveReader(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return ArchiveReport(path.name, None, [f"{path} is not an export archive: {exc}"])
    with reader:
        manifest = reader.manifest
        office = manifest.get("office")
        slug = office.get("slug") if isinstance(office, dict) else None
        report = ArchiveReport(str(slug or path.name), None, manifest=manifest)
        if manifest.get("format") != FORMAT:
            report.problems.append(f"it has no {FORMAT} manifest")
            return report
        missing = missing_fields(manifest, MANIFEST_FIELDS)
        if missing == [SIGNATURE]:
            report.problems.append(
                "its manifest is not signed: it was made before Alur signed archives (export "
                "the office again) or its signature was removed"
            )
        elif missing:
            report.problems.append(
                "its manifest lacks (or holds a wrong type for) what an export writes: "
                + ", ".join(missing)
            )
        else:
            report.problems += signature_problems(manifest, keys)
        if report.problems:
            return report  # the manifest cannot be trusted: nothing more is read
        try:
            report.problems += _members(reader, manifest)
            if report.problems:
                return report  # the members cannot be trusted: nothing more is read
            report.chain = _chain(reader, report.office, manifest, keys)
            if report.chain.ok:
                report.problems += [str(m) for m in _content(reader)]
        except UNREADABLE as exc:
            report.chain = None
            report.problems.append(f"it cannot be read: {type(exc).__name__}: {exc}")
    return report


def missing_fields(manifest: dict[str, Any], fields: dict[str, Any], at: str = "") -> list[str]:
    """The fields of ``fields`` that ``manifest`` lacks or holds with another type."""
    missing = []
    for name, kind in fields.items():
        value = manifest.get(name)
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                missing.append(f"{at}{name}")
            else:
                missing += missing_fields(value, kind, f"{at}{name}.")
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            missing.append(f"{at}{name}")
    return missing


def signature_problems(manifest: dict[str, Any], keys: AuditKeys) -> list[str]:
    """Why the manifest's signature does not hold (none: it does)."""
    key_id = manifest[SIGNATURE]["key_id"]
    expected = manifest_signature(keys, key_id, manifest)
    if expected is None:
        return [
            f"its manifest is signed with audit key {key_id!r}, which {keys.source} lacks: "
            "add that key after this installation's signing key (the first key signs, the "
            "others only verify)"
        ]
    if not hmac.compare_digest(expected, manifest[SIGNATURE]["hmac_sha256"]):
        return [
            "its manifest signature does not match: the manifest was changed after the "
            "export signed it (only a holder of the audit key can make an archive that "
            "verifies)"
        ]
    return []


def _members(reader: ArchiveReader, manifest: dict[str, Any]) -> list[str]:
    listed: dict[str, str] = manifest["members"]
    counts: dict[str, int] = manifest["counts"]
    made_with = set(manifest.get("migrations") or [])
    problems = [
        f"its manifest does not list the member {m.name}"
        for m in MEMBERS
        if (m.name not in listed or m.name not in counts) and (not m.since or m.since in made_with)
    ]
    present = reader.names()
    problems += [
        f"member {n} is listed in the manifest but missing" for n in sorted(set(listed) - present)
    ]
    problems += [f"member {n} is not listed in the manifest" for n in sorted(present - set(listed))]
    for name in sorted(set(listed) & present):
        digest, lines = reader.sha256(name)
        if digest != listed[name]:
            problems.append(f"member {name} does not match its SHA-256 in the manifest")
        elif name in counts and counts[name] != lines:
            problems.append(f"member {name} has {lines} rows, its manifest says {counts[name]}")
    return problems


def _case_keys(reader: ArchiveReader) -> dict[int, str]:
    return {r["id"]: r["key"] for r in reader.rows("cases.jsonl")}


def _chain(
    reader: ArchiveReader, office: str, manifest: dict[str, Any], keys: AuditKeys
) -> ChainReport:
    case_keys = _case_keys(reader)
    check = ChainCheck(office, keys)
    for row in reader.rows("events.jsonl"):
        values, e = stored_event(row)
        broken = check.feed(
            values["chain_seq"],
            values["prev_hash"],
            values["key_id"],
            values["hash"],
            case_keys.get(values["case"]) if values["case"] is not None else None,
            e,
        )
        if broken is not None:
            return broken
    chain = manifest["chain"]
    office_rows = list(reader.rows("office.jsonl"))
    report = check.finish(chain.get("length"), chain.get("head"))
    if report.ok and office_rows:
        row = office_rows[0]
        report = check.finish(row.get("chain_seq"), row.get("chain_head"))
    return report


def _groups(reader: ArchiveReader) -> Iterator[list[dict[str, Any]]]:
    group: list[dict[str, Any]] = []
    for row in reader.rows("cases.jsonl"):
        group.append(row)
        if len(group) >= CASES_AT_ONCE:
            yield group
            group = []
    if group:
        yield group


def _by_case(reader: ArchiveReader, member: str, ids: set[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for row in reader.rows(member):
        if row.get("case") in ids:
            found.setdefault(row["case"], []).append(row)
    return found


def _snapshots(reader: ArchiveReader) -> dict[str, SopDefinition | None]:
    found: dict[str, SopDefinition | None] = {}
    for row in reader.rows("snapshots.jsonl"):
        h = row["definition_hash"]
        d = definition_from_mapping(row["body"], source=f"snapshot {h[:12]}")
        found[h] = d if d.content_hash == h else None
    return found


def _content(reader: ArchiveReader) -> list[Mismatch]:
    snapshots = _snapshots(reader)
    found: list[Mismatch] = []
    for group in _groups(reader):
        ids = {r["id"] for r in group}
        events = _by_case(reader, "events.jsonl", ids)
        tasks = _by_case(reader, "tasks.jsonl", ids)
        files = _by_case(reader, "attachments.jsonl", ids)
        submissions = _by_case(reader, "submissions.jsonl", ids)
        for row in group:
            found += _case(reader, row, events, tasks, files, submissions, snapshots)
    return found


def _case(
    reader: ArchiveReader,
    row: dict[str, Any],
    events: dict[int, list[dict]],
    tasks: dict[int, list[dict]],
    files: dict[int, list[dict]],
    submissions: dict[int, list[dict]],
    snapshots: dict[str, SopDefinition | None],
) -> list[Mismatch]:
    key = row["key"]
    case_events = sorted(
        (stored_event(r)[1] for r in events.get(row["id"], [])), key=lambda e: e.seq
    )
    if not case_events:
        return [Mismatch(key, "it has no events")]
    try:
        state = replay(case_events)
    except (ValueError, KeyError) as exc:
        return [Mismatch(key, f"its events do not replay: {exc}")]
    found = []
    values = from_json_row(Case, row)
    if state != state_from_dict(row["state"]):
        found.append(Mismatch(key, "the stored case state differs from its events"))
    found += verify_case_row(key, values, case_events[0], state)
    found += task_mismatches(
        key, [from_json_row(Task, t) for t in tasks.get(row["id"], [])], case_events
    )
    d = snapshots.get(state.definition_hash)
    if d is None:
        found.append(Mismatch(key, "its SOP snapshot is missing or does not match its hash"))
    stored_files = []
    for f in sorted(files.get(row["id"], []), key=lambda f: f["id"]):
        member = attachment_member(f["id"])
        content = reader.blob(member) if reader.has(member) else b""
        stored_files.append({**f, "actual": hashlib.sha256(content).hexdigest()})
    found += attachment_mismatches(key, stored_files, case_events, state)
    if d is not None:
        found += submission_mismatches(key, submissions.get(row["id"], []), case_events, state, d)
    return found
