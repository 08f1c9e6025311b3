"""The email channel: one plain-text message per delivery over SMTP (``aiosmtplib``).

Settings (:class:`~alur.tenants.notify.settings.SmtpSettings`): ``ALUR_SMTP_URL`` —
``smtp://`` (plain, or ``?starttls=1`` to upgrade), ``smtps://`` (implicit TLS), with
optional ``user:password@`` — ``ALUR_SMTP_FROM`` and ``ALUR_SMTP_TIMEOUT``. TLS certificates
are verified (the system's trust store).

The ``Message-ID`` is derived from the delivery's idempotency key, so a message sent twice
(a worker killed after the server accepted it, before it recorded so) carries the same id and
mail systems can drop the copy; the key is also in ``X-Alur-Idempotency-Key``. The message
holds what the notification says, the due time and a link to the case (``ALUR_BASE_URL``):
never a password, a token or a session.

A refusal the server gives as permanent (a 5xx reply, e.g. an unknown mailbox) is a permanent
:class:`DeliveryFailed`; anything else (cannot connect, 4xx, time-out) is retried.
"""

from __future__ import annotations

import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from alur.tenants.notify.channels import DeliveryFailed, OutgoingDelivery
from alur.tenants.notify.settings import SmtpSettings


def message_id(key: str, sender: str) -> str:
    """``<sha256(key)[:32]@sender's domain>``: the same for every try of one delivery."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "alur.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def email_message(delivery: OutgoingDelivery, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = Address(addr_spec=delivery.recipient)
    msg["Subject"] = " ".join(delivery.title.split())  # SOP text with a line break: one line
    msg["Message-ID"] = message_id(delivery.key, sender)
    if delivery.created_at is not None:
        msg["Date"] = format_datetime(delivery.created_at)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    msg["X-Alur-Idempotency-Key"] = delivery.key
    lines = [delivery.text]
    if delivery.url:
        lines += ["", delivery.url]
    lines += ["", "-- ", "Alur"]
    msg.set_content("\n".join(lines))
    return msg


class EmailChannel:
    """Sends a delivery as an email (see the module docstring)."""

    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def send(self, delivery: OutgoingDelivery) -> None:
        s = self.settings
        try:
            msg = email_message(delivery, s.sender)
        except (ValueError, IndexError) as exc:  # an address the email package refuses
            raise DeliveryFailed(f"not a usable address: {exc}", permanent=True) from exc
        try:
            await aiosmtplib.send(
                msg,
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password,
                use_tls=s.implicit_tls,
                start_tls=s.starttls,
                timeout=s.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            reasons = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            permanent = all(500 <= r.code < 600 for r in exc.recipients)  # 4xx: try later
            raise DeliveryFailed(
                f"mail server refused the recipient: {reasons}", permanent=permanent
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.code < 600
            raise DeliveryFailed(
                f"mail server said {exc.code} {exc.message}", permanent=permanent
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryFailed(
                f"cannot reach the mail server {s.host}:{s.port}: {exc or type(exc).__name__}"
            ) from exc
