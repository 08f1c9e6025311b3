"""Helpers of the clock tests: a real SMTP server (aiosmtpd, in a thread) that keeps what it
receives and can be slow or refuse, the sample SOP with atasan, an office whose people have
email addresses, and reading the clock's rows back."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from alur.core import AlurPlugins, SopDefinition, loads_definition
from alur.tenants.notify.email import EmailChannel
from alur.tenants.notify.settings import DeliverySettings, SmtpSettings
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Delivery, Event, Notification, Tenant, Timer, User
from tests.cases.store_helpers import Office, contoh_office, plugins_with
from tests.conftest import SAMPLE_TOML

# The sample SOP with an escalation chain: Staf -> Kasubag -> Kepala, Kabid -> Kepala.
ATASAN = {"staf": "kasubag", "kasubag": "kepala", "kabid": "kepala"}


def sample_with_atasan() -> SopDefinition:
    text = SAMPLE_TOML
    for role, up in ATASAN.items():
        text = re.sub(
            rf'(id = "{role}"\n(?:.*\n)*?rank = \d+\n)', rf'\1atasan = "{up}"\n', text, count=1
        )
    return loads_definition(text, source="sample.toml")


def clock_plugins() -> AlurPlugins:
    return plugins_with(sample_with_atasan())


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def key(self) -> str:
        return str(self.message["X-Alur-Idempotency-Key"])

    @property
    def text(self) -> str:
        return self.message.get_content()  # type: ignore[attr-defined]  # an EmailMessage


@dataclass
class SmtpServer:
    """A real SMTP server on 127.0.0.1. ``refuse`` maps a recipient to an SMTP reply
    (e.g. ``"451 try later"``); ``delay`` seconds before each message is accepted."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        reply = self.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            time.sleep(self.delay)  # a slow server: the whole conversation waits
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    message_from_bytes(
                        envelope.original_content or envelope.content, policy=default
                    ),
                )
            )
        return "250 Message accepted"

    def start(self) -> SmtpServer:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.recipients]

    def all(self) -> list[Received]:
        with self.lock:
            return list(self.received)


def settings_for(smtp: SmtpServer | None, **changes: Any) -> DeliverySettings:
    env = {"ALUR_SMTP_URL": smtp.url if smtp else "", "ALUR_SMTP_FROM": "Alur <alur@example.org>"}
    env.update({k: str(v) for k, v in changes.items()})
    return DeliverySettings.from_env(env)


def email_channels(settings: DeliverySettings) -> dict[str, Any]:
    assert isinstance(settings.smtp, SmtpSettings)
    return {"email": EmailChannel(settings.smtp)}


async def emailed_office(
    db: Database,
    plugins: AlurPlugins,
    *,
    digest: bool = False,
    slug: str = "dinas-contoh",
    after_hours: bool = False,
) -> Office:
    """The contoh office (staf, kasubag, kabid_a/b/c, kepala, kasi_a as Plh of Kabid A from
    23 to 27 Nov 2026, admin), everyone with an address ``<name>@example.org``; without the
    daily digest unless asked. With ``after_hours`` everyone takes messages outside office
    hours too: for worker processes on the real clock, whose messages would otherwise wait
    for the next opening whenever the suite runs after 16:00 WIB."""
    office = await contoh_office(db, plugins, slug)
    if not digest:
        await Tenant.update({Tenant.clock_policy: json.dumps({"digest": False})}).where(
            Tenant.id == office.tenant_id
        )
    for name, user_id in office.users.items():
        address = f"{name}@example.org" if slug == "dinas-contoh" else f"{name}.{slug}@example.org"
        await User.update({User.email: address, User.after_hours: after_hours}).where(
            User.id == user_id
        )
    return office


async def clock_events(case_id: int) -> list[dict[str, Any]]:
    return await (
        Event.select(Event.kind, Event.task_no, Event.payload, Event.at)
        .where((Event.case == case_id) & Event.kind.is_in(["task_reminded", "task_escalated"]))
        .order_by(Event.seq)
    )


async def deliveries() -> list[dict[str, Any]]:
    return await Delivery.select().order_by(Delivery.id)


async def timers() -> list[dict[str, Any]]:
    return await Timer.select().order_by(Timer.fires_at)


async def notifications() -> list[dict[str, Any]]:
    return await Notification.select().order_by(Notification.id)


def wait_until(condition: Any, *, seconds: float, every: float = 0.02) -> bool:
    """Poll ``condition()`` until true or ``seconds`` pass (bounded by time and count)."""
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds / every) + 1):
        if condition():
            return True
        if time.monotonic() > deadline:
            break
        time.sleep(every)
    return bool(condition())


def iso(at: datetime) -> str:
    return at.isoformat()
