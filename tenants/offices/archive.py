"""The export archive of one office: its format, writing it and reading it back.

``alur tenants export SLUG --output FILE`` writes one ZIP file (``FORMAT``):

* ``manifest.json``, written last: the format, the Alur version, when and by whom, the
  office (slug, name, plugin and the plugin's version), the migration ids of the source
  database, the chain (length, head, the audit key ids that signed it), the row count and
  the SHA-256 of every other member, and what does not move (:data:`NOT_MOVED`); and its
  ``signature``: ``{"key_id": ..., "hmac_sha256": ...}``, the HMAC-SHA256 under the audit
  signing key of the canonical JSON of every other field (:func:`manifest_signature`). The
  members' hashes are in the manifest, so only a holder of an audit key can make an archive
  whose people, memberships or any other member verify;
* one JSON Lines member per table (:data:`MEMBERS`), one row per line, in id order (events
  in chain order): dates and times as ISO 8601 text, JSON columns as JSON;
* the bytes of every attachment (``attachments/<id>``) and of the office's logo (``logo``).

What moves: the office row and its settings, units, days off, memberships, Plt/Plh, the
people (without password hashes), the SOP snapshots its cases and its SOP revisions pin,
cases, tasks, timers, events with their chain fields (the office's own ``office_changed``
events among them), data kinerja (formats, indicators, submissions), attachments,
notifications, webhooks (without their secrets), the logo, the office's SOP revisions and the
plugins it is allowed (members that an archive made before they existed lacks:
``Member.since``). What does not (:data:`NOT_MOVED`): API tokens (only
their hashes are stored: new ones must be made), sessions, sign-in throttling, the delivery
queue, webhook secrets and password hashes. Nor does the Mutu baku projection
(``alur_step_span``, ``alur_span_progress``): it is derived from the events, and the first
refresh after an import computes it (:mod:`alur.tenants.monitoring.projection`).

Rows are read and written :data:`BATCH` at a time (attachments a few at a time), inside
one read transaction (a snapshot: ``REPEATABLE READ`` on PostgreSQL), so an office with a
hundred thousand events is exported in bounded memory and consistent with itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from piccolo.columns import JSON, Date, Timestamptz
from piccolo.table import Table

from alur.core.snapshot import canonical_json
from alur.tenants.audit.keys import AuditKeys
from alur.tenants.storage.tables import (
    Attachment,
    Case,
    DayOff,
    Delegation,
    Event,
    IndicatorRow,
    IndicatorSetRow,
    Membership,
    MonevForm,
    MonevVersion,
    Notification,
    OfficeLogo,
    OfficePlugin,
    SopRevision,
    SopSnapshot,
    SubmissionRow,
    Task,
    Tenant,
    Timer,
    Unit,
    User,
    Webhook,
)

FORMAT = "alur-office-export/1"
MANIFEST = "manifest.json"
SIGNATURE = "signature"
BATCH = 1000
ATTACHMENT_BATCH = 20
NOT_MOVED = (
    "API tokens (only their hashes are stored): make new ones with `alur tokens create`",
    "password hashes: every imported person must be given a new password",
    "webhook secrets: each webhook must be given a new secret",
    "sessions, sign-in throttling and API rate windows",
    "the delivery queue (messages not yet sent)",
)


@dataclass(frozen=True)
class Member:
    """One table's JSON Lines member: its table, which columns are left out."""

    name: str
    table: type[Table]
    drop: tuple[str, ...] = ()
    # The migration that made the table: an archive made before it has no such member.
    since: str = ""


# In the order an import inserts them (a row's references come before it).
MEMBERS: tuple[Member, ...] = (
    Member("office.jsonl", Tenant),
    Member("units.jsonl", Unit),
    Member("days_off.jsonl", DayOff),
    Member("people.jsonl", User, ("password_hash",)),
    Member("memberships.jsonl", Membership),
    Member("delegations.jsonl", Delegation),
    Member("snapshots.jsonl", SopSnapshot),
    Member("cases.jsonl", Case),
    Member("tasks.jsonl", Task),
    Member("timers.jsonl", Timer),
    Member("events.jsonl", Event),
    Member("attachments.jsonl", Attachment, ("content",)),
    Member("indicator_sets.jsonl", IndicatorSetRow),
    Member("indicators.jsonl", IndicatorRow),
    Member("submissions.jsonl", SubmissionRow),
    Member("notifications.jsonl", Notification),
    Member("webhooks.jsonl", Webhook, ("secret",)),
    Member("logo.jsonl", OfficeLogo, ("content",)),
    Member("office_plugins.jsonl", OfficePlugin, since="2026-12-03T12:00:00:000000"),
    Member("sop_revisions.jsonl", SopRevision, since="2026-12-03T12:00:00:000000"),
    Member("monev_forms.jsonl", MonevForm, since="2026-12-04T10:00:00:000000"),
    Member("monev_versions.jsonl", MonevVersion, since="2026-12-04T10:00:00:000000"),
)
BY_NAME = {m.name: m for m in MEMBERS}


def attachment_member(attachment_id: int) -> str:
    return f"attachments/{attachment_id}"


LOGO_MEMBER = "logo"


def _columns(table: type[Table], kind: type) -> set[str]:
    return {c._meta.name for c in table._meta.columns if isinstance(c, kind)}


def to_json_row(table: type[Table], row: dict[str, Any], drop: tuple[str, ...] = ()) -> dict:
    """A stored row as archive JSON: times and dates as ISO text, JSON columns parsed."""
    json_columns = _columns(table, JSON)
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name in drop:
            continue
        if name in json_columns and isinstance(value, str):
            value = json.loads(value)
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, bytes | bytearray | memoryview):
            continue
        out[name] = value
    return out


def from_json_row(table: type[Table], row: dict[str, Any]) -> dict[str, Any]:
    """An archive row as values to insert: times and dates parsed, JSON columns as text."""
    times, dates, jsons = (
        _columns(table, Timestamptz),
        _columns(table, Date),
        _columns(table, JSON),
    )
    out: dict[str, Any] = {}
    for name, value in row.items():
        if value is not None and name in times:
            value = datetime.fromisoformat(value)
        elif value is not None and name in dates:
            value = date.fromisoformat(value)
        elif name in jsons:
            value = json.dumps(value, ensure_ascii=False)
        out[name] = value
    return out


def manifest_signature(keys: AuditKeys, key_id: str, manifest: dict[str, Any]) -> str | None:
    """The HMAC-SHA256 (hex) under audit key ``key_id`` of the canonical JSON of ``manifest``
    without its signature; None when ``keys`` lack that key."""
    key = keys.key(key_id)
    if key is None:
        return None
    body = {k: v for k, v in manifest.items() if k != SIGNATURE}
    return hmac.new(key, canonical_json(body).encode("utf-8"), hashlib.sha256).hexdigest()


def signed(manifest: dict[str, Any], keys: AuditKeys) -> dict[str, Any]:
    """``manifest`` with its signature by the signing key of ``keys``."""
    signature = manifest_signature(keys, keys.signing, manifest)
    return {**manifest, SIGNATURE: {"key_id": keys.signing, "hmac_sha256": signature}}


def alur_version() -> str:
    try:
        return metadata.version("alur")
    except metadata.PackageNotFoundError:
        return ""


class ArchiveWriter:
    """Writes the members of one archive, hashing each; :meth:`close` adds the manifest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.members: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    def lines(self, name: str) -> _Lines:
        return _Lines(self, name)

    def blob(self, name: str, content: bytes) -> None:
        self.zip.writestr(name, content)
        self.members[name] = hashlib.sha256(content).hexdigest()

    def close(self, manifest: dict[str, Any], keys: AuditKeys) -> None:
        body = signed({**manifest, "counts": self.counts, "members": self.members}, keys)
        self.zip.writestr(MANIFEST, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        self.zip.close()

    def abort(self) -> None:
        self.zip.close()


class _Lines:
    """One JSON Lines member being written (a context manager)."""

    def __init__(self, writer: ArchiveWriter, name: str) -> None:
        self.writer, self.name = writer, name
        self.digest = hashlib.sha256()
        self.count = 0
        self.stream: BinaryIO | None = None

    def __enter__(self) -> _Lines:
        self.stream = self.writer.zip.open(self.name, "w", force_zip64=True)
        return self

    def write(self, row: dict[str, Any]) -> None:
        data = (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        assert self.stream is not None
        self.stream.write(data)
        self.digest.update(data)
        self.count += 1

    def __exit__(self, *exc: object) -> None:
        assert self.stream is not None
        self.stream.close()
        self.writer.members[self.name] = self.digest.hexdigest()
        self.writer.counts[self.name] = self.count


class ArchiveReader:
    """Reads an archive's manifest and members (a context manager).

    Opening raises :class:`zipfile.BadZipFile` (not a ZIP, or truncated) or ``OSError``; a
    manifest that is missing or not a JSON object reads as ``{}``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        try:
            manifest = json.loads(self.zip.read(MANIFEST))
        except (KeyError, ValueError):  # missing, or not JSON (UnicodeDecodeError included)
            manifest = {}
        self.manifest: dict[str, Any] = manifest if isinstance(manifest, dict) else {}

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def names(self) -> set[str]:
        return {n for n in self.zip.namelist() if n != MANIFEST}

    def sha256(self, name: str) -> tuple[str, int]:
        """The SHA-256 of member ``name`` and its number of lines."""
        digest, lines = hashlib.sha256(), 0
        with self.zip.open(name) as stream:
            for chunk in iter(lambda: stream.read(1 << 16), b""):
                digest.update(chunk)
                lines += chunk.count(b"\n")
        return digest.hexdigest(), lines

    def rows(self, name: str) -> Iterator[dict[str, Any]]:
        if name not in self.zip.namelist():
            return
        with self.zip.open(name) as stream:
            for line in stream:
                if line.strip():
                    yield json.loads(line)

    def blob(self, name: str) -> bytes:
        return self.zip.read(name)

    def has(self, name: str) -> bool:
        return name in self.zip.namelist()
