"""Sending one delivery: claim it, render it, hand it to its channel, record the outcome.

:func:`deliver_one` is what the job queue runs for each delivery id. The ``alur_delivery``
row is the durable record — the queue only says *when* to try:

1. **claim** — one ``UPDATE … RETURNING``: a row that is ``pending`` and due (``not_before``
   and ``next_attempt_at`` passed), or ``sending`` with an expired lease (its worker was
   killed), becomes ``sending`` with ``attempts + 1`` and a lease of ``ALUR_DELIVERY_LEASE``
   (wall-clock time). Two workers given the same id: one claims it, the other gets nothing;
2. render the notification in the person's language (:func:`~alur.tenants.notify.messages.render`),
   with a link under ``ALUR_BASE_URL``;
3. call the channel (:class:`~alur.tenants.notify.channels.Channel`);
4. ``sent``; or, on any failure, ``pending`` again with ``last_error`` and ``next_attempt_at``
   = now + backoff × 2^(attempts−1), or ``failed`` after the last attempt or a permanent
   refusal. An exception in one delivery is recorded on its row and never reaches the others.

**At least once.** A worker killed after the channel accepted a message and before step 4
committed leaves the row ``sending``; after the lease it is sent again. That window (one
SMTP reply or HTTP response long, per delivery in flight) cannot be closed from this side: no
SMTP server takes an idempotency token. What it can do, it does: the same delivery always
carries the same idempotency key (the email's ``Message-ID``, the webhook's
``Alur-Idempotency-Key``) so the receiver can drop the repeat.

:func:`due_deliveries` finds the rows whose job was lost (a killed worker, the in-memory queue
of a stopped ``alur serve``): the sweep re-enqueues them every minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alur.core.plugins import AlurPlugins
from alur.tenants.cases.rows import from_json
from alur.tenants.notify.channels import Channel, DeliveryFailed, OutgoingDelivery
from alur.tenants.notify.email import EmailChannel
from alur.tenants.notify.messages import render
from alur.tenants.notify.plugin_channels import plugin_channels
from alur.tenants.notify.settings import DeliverySettings
from alur.tenants.notify.webhook_channel import WebhookChannel
from alur.tenants.storage.tables import Delivery, Notification, Tenant

log = logging.getLogger(__name__)

SENT = "sent"
RETRY = "retry"
FAILED = "failed"
NOT_TAKEN = "not_taken"  # sent already, not due, or another worker holds it

_CLAIM = """
UPDATE alur_delivery SET status = 'sending', attempts = attempts + 1, lease_until = {}
WHERE id = {} AND (
  (status = 'pending' AND (not_before IS NULL OR not_before <= {})
   AND (next_attempt_at IS NULL OR next_attempt_at <= {}))
  OR (status = 'sending' AND lease_until < {}))
RETURNING id, tenant, notification, webhook, channel, recipient, payload, key, attempts,
  created_at
"""


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    status: str  # SENT | RETRY | FAILED | NOT_TAKEN
    next_attempt_at: datetime | None = None
    error: str = ""


def build_channels(plugins: AlurPlugins, settings: DeliverySettings) -> dict[str, Channel]:
    """The channels by name: ``email`` (when ``ALUR_SMTP_URL`` is set), ``webhook`` and the
    plugins' channels (``alur_notification_channels``)."""
    channels: dict[str, Channel] = dict(plugin_channels(plugins))
    channels["webhook"] = WebhookChannel()
    if settings.smtp is not None:
        channels["email"] = EmailChannel(settings.smtp)
    return channels


async def deliver_one(
    delivery_id: int,
    now: datetime,
    channels: Mapping[str, Channel],
    settings: DeliverySettings | None = None,
) -> Outcome:
    """Try to send delivery ``delivery_id`` as of ``now`` (see the module docstring)."""
    settings = settings or DeliverySettings.from_env()
    wall = wall_clock()
    rows = await Delivery.raw(_CLAIM, wall + settings.lease, delivery_id, now, now, wall)
    if not rows:
        return Outcome(delivery_id, NOT_TAKEN)
    row = rows[0]
    try:
        outgoing = await _outgoing(row, settings)
        channel = channels.get(row["channel"])
        if channel is None:
            raise DeliveryFailed(f"no channel {row['channel']!r} is configured on this worker")
        # never past the lease: after it another worker may take the delivery and send again
        budget = settings.lease.total_seconds() * 0.8
        try:
            async with asyncio.timeout(budget):
                await channel.send(outgoing)
        except TimeoutError as exc:
            raise DeliveryFailed(
                f"the {row['channel']} channel did not finish within {budget:g} s "
                "(0.8 × ALUR_DELIVERY_LEASE)"
            ) from exc
    except asyncio.CancelledError:
        raise  # the worker is stopping: the lease runs out and another try follows
    except Exception as exc:  # recorded on the row, shown in the admin pages
        return await _failed(row, now, settings, exc)
    await Delivery.raw(
        "UPDATE alur_delivery SET status = 'sent', sent_at = {}, lease_until = NULL, "
        "last_error = '' WHERE id = {} AND status = 'sending' AND attempts = {}",
        now,
        row["id"],
        row["attempts"],
    )
    return Outcome(row["id"], SENT)


async def _failed(
    row: dict[str, Any], now: datetime, settings: DeliverySettings, exc: Exception
) -> Outcome:
    reason = exc.reason if isinstance(exc, DeliveryFailed) else f"{type(exc).__name__}: {exc}"
    reason = reason[:2000]
    permanent = isinstance(exc, DeliveryFailed) and exc.permanent
    if permanent or row["attempts"] >= settings.attempts:
        status, next_at = FAILED, None
        log.warning(
            "delivery %s failed for good after %s tries: %s", row["id"], row["attempts"], reason
        )
    else:
        status, next_at = RETRY, now + settings.retry_after(row["attempts"])
        log.info(
            "delivery %s failed (try %s), again at %s: %s",
            row["id"],
            row["attempts"],
            next_at,
            reason,
        )
    await Delivery.raw(
        "UPDATE alur_delivery SET status = {}, next_attempt_at = {}, lease_until = NULL, "
        "last_error = {} WHERE id = {} AND status = 'sending' AND attempts = {}",
        "failed" if status == FAILED else "pending",
        next_at,
        reason,
        row["id"],
        row["attempts"],
    )
    return Outcome(row["id"], status, next_at, reason)


async def _outgoing(row: dict[str, Any], settings: DeliverySettings) -> OutgoingDelivery:
    tenant = await Tenant.select(Tenant.slug).where(Tenant.id == row["tenant"]).first()
    slug = tenant["slug"] if tenant else ""
    payload = from_json(row["payload"]) or {}
    common = {
        "id": row["id"],
        "tenant": slug,
        "channel": row["channel"],
        "recipient": row["recipient"],
        "key": row["key"],
        "attempt": row["attempts"],
        "created_at": row["created_at"],
    }
    if row["notification"] is None:  # a webhook's event
        return OutgoingDelivery(**common, payload=payload, webhook_id=row["webhook"])
    note = (
        await Notification.select(Notification.kind, Notification.body)
        .where(Notification.id == row["notification"])
        .first()
    )
    if note is None:
        raise DeliveryFailed("its notification is gone", permanent=True)
    language = payload.get("language") or "id"
    message = render(note["kind"], from_json(note["body"]) or {}, slug, language)
    return OutgoingDelivery(
        **common,
        title=message.title,
        text=message.text,
        url=settings.base_url + message.path,
        language=language,
        payload=payload,
    )


async def due_deliveries(now: datetime, *, limit: int = 1000) -> list[int]:
    """Deliveries that should be tried now but may have no job: ``pending`` ones whose time
    has come, and ``sending`` ones whose lease ran out. Read by the
    ``alur_delivery(status, next_attempt_at)`` index."""
    rows = await Delivery.raw(
        "SELECT id FROM alur_delivery WHERE status = 'pending' AND next_attempt_at <= {} "
        "UNION SELECT id FROM alur_delivery WHERE status = 'sending' AND lease_until < {} "
        "ORDER BY id LIMIT {}",
        now,
        wall_clock(),
        limit,
    )
    return [r["id"] for r in rows]
