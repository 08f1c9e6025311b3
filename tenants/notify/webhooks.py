"""Webhooks: an office's URLs that receive its events, signed, and the channel that sends them.

The service (an office's administrators only, checked by
:class:`~alur.tenants.offices.admin.TenantAdmin`; the web admin page and GraphQL both call it):
:func:`register_webhook` checks the URL (:func:`url_problem`: ``http``/``https``, a host, no
user name or password in it, at most :data:`MAX_URL` characters, not registered twice) and the
event kinds, and makes a secret with :mod:`secrets` that the answer carries this once — the
lists never show it again. :func:`list_webhooks`, :func:`set_webhook_active`,
:func:`delete_webhook` (its deliveries go with it) and :func:`recent_deliveries` (the log:
status, attempts, last error, times). Another office's id is "not found".

:func:`webhook_event` is the JSON body integrators receive for an event of a case; the
channel that sends it is :class:`alur.tenants.notify.webhook_channel.WebhookChannel`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from alur.core import limits
from alur.core.engine.events import Event, EventKind
from alur.core.i18n import format_message, gettext
from alur.tenants.cases.rows import from_json
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.notify.signing import verify_signature
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.storage.tables import Delivery, Webhook

__all__ = [
    "MAX_URL",
    "MAX_WEBHOOKS",
    "DeliveryInfo",
    "NewWebhook",
    "WebhookInfo",
    "delete_webhook",
    "list_webhooks",
    "recent_deliveries",
    "register_webhook",
    "set_webhook_active",
    "url_problem",
    "verify_signature",
    "webhook_event",
]

MAX_URL = 2000
MAX_WEBHOOKS = 20  # per office
MAX_LOG = 100
SECRET_PREFIX = "whsec_"
# The kinds of event webhooks receive today: the clock's (more will follow; offering a kind
# that is never sent would only mislead the integrator who ticks it).
EVENT_KINDS = (EventKind.TASK_REMINDED.value, EventKind.TASK_ESCALATED.value)


@dataclass(frozen=True)
class WebhookInfo:
    """A webhook as listed: everything but its secret."""

    id: int
    url: str
    events: tuple[str, ...]
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class NewWebhook:
    """A webhook just registered: ``secret`` is shown this once."""

    secret: str
    info: WebhookInfo


@dataclass(frozen=True)
class DeliveryInfo:
    """One delivery in the log (any channel): what, where, how it went."""

    id: int
    channel: str
    recipient: str
    kind: str
    key: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    webhook_id: int | None


# --- the service ----------------------------------------------------------------------------


def url_problem(url: object) -> str | None:
    """What is wrong with ``url`` as a webhook's address, or ``None``."""
    if not isinstance(url, str) or not url.strip():
        return gettext("give the URL that receives the events, e.g. https://sistem.go.id/alur")
    if problem := limits.text_problem(url, MAX_URL, multiline=False):
        return problem
    if any(c.isspace() for c in url.strip()):
        return gettext("a URL has no spaces; encode them as %20")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return gettext("this is not a URL; write it like https://sistem.go.id/alur")
    if parts.scheme.lower() not in ("http", "https"):
        return gettext("use an http:// or https:// URL")
    if not parts.hostname:
        return gettext("the URL needs a host name, e.g. https://sistem.go.id/alur")
    if parts.username is not None or parts.password is not None:
        return gettext(
            "do not put a user name or password in the URL: receivers check the signature "
            "made with the webhook's secret instead"
        )
    if port == 0:
        return gettext("this is not a URL; write it like https://sistem.go.id/alur")
    return None


def events_problem(events: object) -> str | None:
    """What is wrong with a list of event kinds (empty: every kind), or ``None``."""
    if not isinstance(events, list | tuple) or not all(isinstance(e, str) for e in events):
        return gettext("give a list of event kinds")
    unknown = [e for e in events if e not in EVENT_KINDS]
    if unknown:
        return format_message(
            "unknown event kind {names}; choose from {available}",
            names=", ".join(unknown[:5]),
            available=", ".join(EVENT_KINDS),
        )
    return None


async def register_webhook(admin: TenantAdmin, url: str, events: Sequence[str] = ()) -> NewWebhook:
    """Register ``url`` for the office's events of ``events`` kinds (none: all of them).
    Every wrong field is reported at once (``url``, ``events``); the secret is in the answer
    only."""
    await admin._require_admin()
    errors: dict[str, str] = {}
    if problem := url_problem(url):
        errors["url"] = problem
    else:
        url = url.strip()
        existing = await Webhook.select(Webhook.url).where(Webhook.tenant == admin.tenant_id)
        if any(r["url"] == url for r in existing):
            errors["url"] = gettext("this URL is already registered for the office")
        elif len(existing) >= MAX_WEBHOOKS:
            errors["url"] = format_message(
                "an office has at most {count} webhooks; delete one first", count=MAX_WEBHOOKS
            )
    if problem := events_problem(list(events) if isinstance(events, tuple) else events):
        errors["events"] = problem
    if errors:
        raise InvalidInput(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    row = Webhook(
        tenant=admin.tenant_id,
        url=url,
        secret=secret,
        events=json.dumps(list(dict.fromkeys(events))),
        active=True,
        created_by=admin.user_id,
    )
    await row.save()
    return NewWebhook(secret, await _info(admin, row.id))


async def list_webhooks(admin: TenantAdmin) -> list[WebhookInfo]:
    """The office's webhooks, oldest first."""
    await admin._require_admin()
    rows = await _select().where(Webhook.tenant == admin.tenant_id).order_by(Webhook.id)
    return [_webhook(r) for r in rows]


async def set_webhook_active(admin: TenantAdmin, webhook_id: int, active: bool) -> WebhookInfo:
    """Disable (no new deliveries; waiting ones fail as "disabled") or enable a webhook."""
    await admin._require_admin()
    _check_id(webhook_id)
    done = (
        await Webhook.update({Webhook.active: bool(active)})
        .where((Webhook.id == webhook_id) & (Webhook.tenant == admin.tenant_id))
        .returning(Webhook.id)
    )
    if not done:
        raise _not_found(webhook_id)
    return await _info(admin, webhook_id)


async def delete_webhook(admin: TenantAdmin, webhook_id: int) -> WebhookInfo:
    """Delete a webhook and its delivery log."""
    await admin._require_admin()
    _check_id(webhook_id)
    info = await _info(admin, webhook_id)
    await Webhook.delete().where((Webhook.id == webhook_id) & (Webhook.tenant == admin.tenant_id))
    return info


async def recent_deliveries(
    admin: TenantAdmin, *, webhook_id: int | None = None, limit: int = 50
) -> list[DeliveryInfo]:
    """The office's deliveries, newest first (every channel, or one webhook's)."""
    await admin._require_admin()
    where = Delivery.tenant == admin.tenant_id
    if webhook_id is not None:
        _check_id(webhook_id)
        await _info(admin, webhook_id)  # another office's: not found
        where = where & (Delivery.webhook == webhook_id)
    rows = (
        await Delivery.select(
            Delivery.id,
            Delivery.channel,
            Delivery.recipient,
            Delivery.payload,
            Delivery.key,
            Delivery.status,
            Delivery.attempts,
            Delivery.last_error,
            Delivery.created_at,
            Delivery.next_attempt_at,
            Delivery.sent_at,
            Delivery.webhook,
            Delivery.notification.kind.as_alias("notification_kind"),
        )
        .where(where)
        .order_by(Delivery.id, ascending=False)
        .limit(max(1, min(limit, MAX_LOG)))
    )
    return [_delivery(r) for r in rows]


def _select() -> Any:
    return Webhook.select(
        Webhook.id, Webhook.url, Webhook.events, Webhook.active, Webhook.created_at
    )


async def _info(admin: TenantAdmin, webhook_id: int) -> WebhookInfo:
    row = (
        await _select()
        .where((Webhook.id == webhook_id) & (Webhook.tenant == admin.tenant_id))
        .first()
    )
    if row is None:
        raise _not_found(webhook_id)
    return _webhook(row)


def _check_id(webhook_id: object) -> None:
    if not limits.usable_id(webhook_id):
        raise _not_found(webhook_id)


def _not_found(webhook_id: object) -> NotFound:
    return NotFound(what=format_message("webhook {id}", id=str(webhook_id)[:20]))


def _webhook(row: Mapping[str, Any]) -> WebhookInfo:
    return WebhookInfo(
        id=row["id"],
        url=row["url"],
        events=tuple(from_json(row["events"]) or ()),
        active=bool(row["active"]),
        created_at=row["created_at"],
    )


def _delivery(row: Mapping[str, Any]) -> DeliveryInfo:
    payload = from_json(row["payload"]) or {}
    kind = row.get("notification_kind") or (payload.get("kind") if payload else "") or ""
    return DeliveryInfo(
        id=row["id"],
        channel=row["channel"],
        recipient=row["recipient"],
        kind=str(kind),
        key=row["key"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"] or "",
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
        webhook_id=row["webhook"],
    )


# --- the body -------------------------------------------------------------------------------


def webhook_event(tenant_slug: str, case_key: str, event: Event) -> dict[str, Any]:
    """The JSON body integrators receive for ``event`` of the case ``case_key``; ``id``
    (``"<case>:<seq>"``) identifies the event for good."""
    return {
        "id": f"{case_key}:{event.seq}",
        "kind": str(event.kind),
        "office": tenant_slug,
        "case": case_key,
        "step": event.step,
        "unit": event.unit,
        "task": event.task,
        "at": event.at.isoformat(),
        "payload": json.loads(json.dumps(dict(event.payload), default=str)),
    }
