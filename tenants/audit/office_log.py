"""The office's own audit log: administrative changes on the office's keyed hash chain.

A change to the office itself — a person edited, deactivated or reactivated, a role removed,
a Plt/Plh ended early, a password reset, the office exported or suspended — is recorded as
an event of kind ``office_changed`` on the same chain as the office's case events
(:mod:`alur.tenants.audit.links`), with no case (``alur_event.case`` is NULL, ``seq`` 0).
``alur audit verify`` checks its link like every other one, so a changed or removed record
breaks the chain; and because it advances the office's ``chain_seq``, every process's
caches keyed on it (the inbox, :mod:`alur.tenants.cases.inbox`) are read afresh.

:func:`record_office_change` is called by the service that makes the change, **inside the
transaction of the change itself** (``async with write_transaction(db): ...``; it joins the
caller's transaction, or opens one of its own when there is none), so a change and its
record are written together or not at all.

What an event holds:

* ``payload["change"]``: what changed, a short identifier (``person_deactivated``,
  ``role_removed``, ``password_reset``…): the services that record changes list theirs;
* the rest of the payload: the details (``{"user": "budi", "role": "kabid", "unit": …}``):
  plain JSON, never a password, a token or a hash of one;
* ``actor`` / ``actor_name``: who made the change — a user id as text (an office
  administrator), or ``"operator:<username>"`` for a platform operator at the command line;
* ``note``: an optional reason typed by the actor.

:func:`office_changes` reads them back, newest first, for an administrator's page or an
export.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from alur.core.engine.events import Event as EngineEvent
from alur.core.engine.events import EventKind
from alur.tenants.cases.rows import from_json
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Event

CHANGE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
OPERATOR_PREFIX = "operator:"


@dataclass(frozen=True)
class OfficeChange:
    """One recorded change of an office (module docstring)."""

    chain_seq: int
    change: str
    at: datetime
    actor: str | None
    actor_name: str
    note: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def by_operator(self) -> bool:
        return (self.actor or "").startswith(OPERATOR_PREFIX)


def operator_actor(username: str) -> str:
    """The ``actor`` of a change made by a platform operator."""
    return OPERATOR_PREFIX + username


def write_transaction(db: Database) -> Any:
    """A write transaction on ``db`` (joins the current one when there is one)."""
    return CaseStore(db).transaction()


async def record_office_change(
    db: Database,
    tenant: TenantRef,
    change: str,
    *,
    actor: str | None,
    actor_name: str,
    details: Mapping[str, Any] | None = None,
    note: str = "",
    at: datetime | None = None,
) -> OfficeChange:
    """Append ``change`` to ``tenant``'s chain in the current transaction (module docstring).

    ``change`` is a short identifier (``[a-z][a-z0-9_]*``, at most 48 characters); ``details``
    must not hold the key ``change``. Raises ``ValueError`` for a wrong identifier (a
    programming error, not user input).
    """
    if not CHANGE.fullmatch(change):
        raise ValueError(f"not a change identifier: {change!r}")
    details = dict(details or {})
    if "change" in details:
        raise ValueError("details must not hold the key 'change'")
    when = (at or datetime.now(UTC)).astimezone(UTC)
    event = EngineEvent(
        seq=0,
        kind=EventKind.OFFICE_CHANGED,
        at=when,
        actor=actor,
        actor_name=actor_name,
        note=note,
        payload={"change": change, **details},
    )
    chain_seq = await CaseStore(db).append_office_event(tenant, event)
    return OfficeChange(chain_seq, change, when, actor, actor_name, note, details)


async def office_changes(
    tenant_id: int, *, limit: int = 50, before: int | None = None, change: str | None = None
) -> list[OfficeChange]:
    """The office's recorded changes, newest first: at most ``limit``, those before chain
    position ``before`` (to page back), only of kind ``change`` when given."""
    where = (
        (Event.tenant == tenant_id)
        & (Event.kind == str(EventKind.OFFICE_CHANGED))
        & (Event.case.is_null())
    )
    if before is not None:
        where &= Event.chain_seq < before
    rows = (
        await Event.select(
            Event.chain_seq, Event.at, Event.actor, Event.actor_name, Event.note, Event.payload
        )
        .where(where)
        .order_by(Event.chain_seq, ascending=False)
        .limit(max(1, min(limit, 500)) if change is None else 5000)
    )
    found: list[OfficeChange] = []
    for r in rows:
        payload = dict(from_json(r["payload"]) or {})
        kind = str(payload.pop("change", ""))
        if change is not None and kind != change:
            continue
        found.append(
            OfficeChange(
                r["chain_seq"], kind, r["at"], r["actor"], r["actor_name"], r["note"], payload
            )
        )
        if len(found) >= limit:
            break
    return found
