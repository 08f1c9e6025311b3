"""The keys of the audit chain, kept outside the database.

``ALUR_AUDIT_KEY`` holds one or more keys, separated by commas: ``ID:KEY`` where ``ID`` is a
short name (letters, digits, ``.``, ``_``, ``-``; at most 32) and ``KEY`` at least 32 random
bytes in base64 (``alur audit keygen`` prints a new entry). The first key signs new events;
the others only verify events signed with them, so a key is rotated by putting a new one
first and, once ``alur audit rekey`` has re-signed the chain, dropping the old one.

Without ``ALUR_AUDIT_KEY`` a key is generated once into ``.alur-audit-key`` (mode 0600) in
the working directory — for the SQLite demo and development. On PostgreSQL (production,
several processes) the key must be set: :func:`audit_keys` with ``require=True`` refuses to
start without it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alur.core.errors import N_, AlurError

ENV = "ALUR_AUDIT_KEY"
KEY_FILE = ".alur-audit-key"
LEGACY = ""  # the key id of links written before the chain was keyed (plain SHA-256)
MIN_KEY_BYTES = 32
_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")


class AuditKeyError(AlurError):
    code = "audit_key"
    template = N_(
        "the audit key is not usable: {reason}. Set ALUR_AUDIT_KEY to ID:BASE64KEY (several "
        "separated by commas, the first signs); `alur audit keygen` prints a new one"
    )


@dataclass(frozen=True)
class AuditKeys:
    """The keys by id; ``signing`` is the id of the one that signs new events."""

    keys: dict[str, bytes]
    signing: str
    source: str  # where they came from, for messages: the variable or the file

    def key(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)


def parse_keys(raw: str, source: str = ENV) -> AuditKeys:
    """The keys of an ``ALUR_AUDIT_KEY`` value; :class:`AuditKeyError` says what is wrong."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not _ID.fullmatch(key_id):
            raise AuditKeyError(
                reason=f"{source}: {key_id[:40]!r} is not ID:KEY with an ID of at most 32 "
                "letters, digits, '.', '_' or '-'"
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise AuditKeyError(reason=f"{source}: the key of {key_id} is not base64") from None
        if len(key) < MIN_KEY_BYTES:
            raise AuditKeyError(
                reason=f"{source}: the key of {key_id} has {len(key)} bytes, at least "
                f"{MIN_KEY_BYTES} are needed"
            )
        if key_id in keys:
            raise AuditKeyError(reason=f"{source}: the key id {key_id} is given twice")
        keys[key_id] = key
    if not keys:
        raise AuditKeyError(reason=f"{source} holds no key")
    return AuditKeys(keys=keys, signing=next(iter(keys)), source=source)


def new_key_entry(key_id: str | None = None) -> str:
    """A fresh ``ID:BASE64KEY`` entry (the id defaults to today's date, e.g. ``k20261202``)."""
    key_id = key_id or datetime.now(UTC).strftime("k%Y%m%d")
    if not _ID.fullmatch(key_id):
        raise AuditKeyError(reason=f"{key_id[:40]!r} is not a valid key id")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode()}"


_cached: tuple[str, AuditKeys] | None = None


def audit_keys(environ: dict[str, str] | None = None, *, require: bool = False) -> AuditKeys:
    """The process's audit keys: ``ALUR_AUDIT_KEY``, else the key file (module docstring).

    With ``require`` (PostgreSQL) the variable must be set. Parsed once per value of the
    variable (or key file), so writing an event costs a dictionary lookup.
    """
    global _cached
    env = os.environ if environ is None else environ
    raw = env.get(ENV, "").strip()
    if not raw and require:
        raise AuditKeyError(reason=f"{ENV} is not set, and it is required on PostgreSQL")
    file = None if raw else Path(KEY_FILE).resolve()
    source = raw or f"file:{file}"
    if _cached is not None and _cached[0] == source and environ is None:
        return _cached[1]
    keys = parse_keys(raw) if file is None else _keys_from_file(file)
    if environ is None:
        _cached = (source, keys)
    return keys


def _keys_from_file(path: Path) -> AuditKeys:
    if not path.exists():  # written whole, then linked: a reader never sees half a file
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new_key_entry() + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process made it first: use theirs
            pass
        finally:
            tmp.unlink()
    return parse_keys(path.read_text(encoding="utf-8").strip(), source=str(path))
