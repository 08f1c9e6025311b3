"""Writing what people are told: notifications and the deliveries that carry them.

:func:`record_notices` is called inside the transaction that writes the event it tells of
(the worker's sweep, the digest job), so a notice exists exactly when its event does. Every
notification and delivery has a unique idempotency ``key``: recording the same notice twice
(a sweep killed after its commit and run again, two workers) inserts nothing the second time.
It returns the ids of the deliveries it created, for the job queue to send.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alur.core.calendar import WorkingCalendar
from alur.core.clock import next_send_time
from alur.tenants.cases.rows import from_json
from alur.tenants.notify.contacts import contacts_of
from alur.tenants.storage.tables import Delivery, Notification, User, Webhook

#: Kinds of notification (``alur_notification.kind``).
REMINDED = "task_reminded"
ESCALATED = "task_escalated"
DIGEST = "digest"


@dataclass(frozen=True)
class Notice:
    """One thing to tell one person. ``body`` is data (step, kegiatan, due, case key…),
    rendered in the reader's language by :mod:`alur.tenants.notify.messages`. ``key`` is the
    idempotency key, e.g. ``reminded:<case>:<task>:<timer kind>:<user>``."""

    kind: str
    user_id: int
    key: str
    body: Mapping[str, Any] = field(default_factory=dict)
    case_id: int | None = None
    task_no: int | None = None


async def record_notices(
    tenant_id: int,
    notices: Sequence[Notice],
    *,
    now: datetime,
    calendar: WorkingCalendar,
    offered: Collection[str] | None = None,
    people: Mapping[int, Mapping[str, Any]] | None = None,
) -> list[int]:
    """Insert each notice once and one delivery per external channel its person chose
    (none for a reminder when they want the digest only); returns the new delivery ids.

    A delivery to someone who did not ask for messages outside office hours waits for the
    next office moment (``not_before``). No delivery is made through a channel the workers do
    not offer (``offered``, e.g. email without ``ALUR_SMTP_URL``; ``None``: any) or to a
    person without an address for it: the notice stays in the app's list. ``people``: the
    persons' rows (id, active and the contact columns) when the caller has read them already."""
    if not notices:
        return []
    user_ids = sorted({n.user_id for n in notices})
    if people is None or not all(i in people for i in user_ids):
        people = await _people(user_ids)
    created: list[int] = []
    for n in notices:
        person = people.get(n.user_id)
        if person is None or not person["active"]:
            continue
        inserted = await Notification.raw(
            'INSERT INTO alur_notification (tenant, "user", kind, "case", task_no, body, key, '
            "created_at, read_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, NULL) "
            "ON CONFLICT (key) DO NOTHING RETURNING id",
            tenant_id,
            n.user_id,
            n.kind,
            n.case_id,
            n.task_no,
            _dumps(n.body),
            n.key,
            now,
        )
        if not inserted:
            continue  # told before: nothing more to send
        contacts = contacts_of(person)
        if contacts.digest_only and n.kind != DIGEST:
            continue
        not_before = now if contacts.after_hours else next_send_time(now, calendar)
        for channel in contacts.external_channels():
            # email goes to the address; the plugins' channels (a WhatsApp gateway) to the number
            recipient = contacts.email if channel == "email" else contacts.whatsapp
            if not recipient or (offered is not None and channel not in offered):
                continue
            created += await _delivery(
                tenant_id,
                channel,
                recipient,
                key=f"{n.key}:{channel}",
                payload={"language": contacts.language},
                now=now,
                not_before=not_before,
                notification=inserted[0]["id"],
            )
    return created


async def _people(user_ids: Sequence[int]) -> dict[int, Mapping[str, Any]]:
    rows = await User.raw(
        "SELECT id, active, email, whatsapp, channels, digest_only, after_hours, language "
        "FROM alur_user WHERE id IN (" + ", ".join("{}" for _ in user_ids) + ")",
        *user_ids,
    )
    return {r["id"]: r for r in rows}


async def record_webhook_deliveries(
    tenant_id: int, event: Mapping[str, Any], key: str, *, now: datetime
) -> list[int]:
    """One delivery of ``event`` (the JSON body integrators receive) to each active webhook
    of the office that wants its kind; ``key`` identifies the event (e.g. ``<case>:<seq>``)."""
    hooks = await Webhook.select(Webhook.id, Webhook.url, Webhook.events).where(
        (Webhook.tenant == tenant_id) & (Webhook.active == True)  # noqa: E712
    )
    created: list[int] = []
    for hook in hooks:
        wanted = from_json(hook["events"])
        if wanted and event.get("kind") not in wanted:
            continue
        created += await _delivery(
            tenant_id,
            "webhook",
            hook["url"],
            key=f"webhook:{hook['id']}:{key}",
            payload=dict(event),
            now=now,
            not_before=now,
            webhook=hook["id"],
        )
    return created


async def _delivery(
    tenant_id: int,
    channel: str,
    recipient: str,
    *,
    key: str,
    payload: Mapping[str, Any],
    now: datetime,
    not_before: datetime,
    notification: int | None = None,
    webhook: int | None = None,
) -> list[int]:
    rows = await Delivery.raw(
        "INSERT INTO alur_delivery (tenant, notification, webhook, channel, recipient, payload, "
        "key, status, attempts, not_before, next_attempt_at, lease_until, last_error, "
        "created_at, sent_at) VALUES ({}, {}, {}, {}, {}, {}, {}, 'pending', 0, {}, {}, NULL, "
        "'', {}, NULL) ON CONFLICT (key) DO NOTHING RETURNING id",
        tenant_id,
        notification,
        webhook,
        channel,
        recipient,
        _dumps(payload),
        key,
        not_before,
        not_before,
        now,
    )
    return [r["id"] for r in rows]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
