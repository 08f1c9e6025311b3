"""Helpers of the webhook and channel tests: a real HTTP receiver on 127.0.0.1 (the standard
library's threading server, one thread per request), and an office with an administrator."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from alur.core import AlurPlugins
from alur.core.engine.events import Event, EventKind
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.notify.channels import OutgoingDelivery
from alur.tenants.notify.records import record_webhook_deliveries
from alur.tenants.notify.webhooks import register_webhook, webhook_event
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Delivery

SLUG = "dinas-contoh"
# path -> (status, extra headers) the receiver answers
ANSWERS = {
    "/ok": (204, {}),
    "/fail": (500, {}),
    "/gone": (404, {}),
    "/busy": (429, {"Retry-After": "60"}),
    "/moved": (302, {"Location": "https://elsewhere.example.org/hook"}),
}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    base: str
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free port of 127.0.0.1; ``/slow`` answers only once
    ``release`` is set (at most 10 s later), to make a sender time out."""
    state = Receiver(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            if self.path == "/slow":
                state.release.wait(10)
            status, extra = ANSWERS.get(self.path, (200, {}))
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


async def office(database: Database, plugins: AlurPlugins) -> dict[str, TenantAdmin]:
    """The sample office with its administrator and a Staf, and another office's
    administrator: ``{"admin", "staf", "other"}`` as :class:`TenantAdmin` of their office."""
    here = await create_tenant(plugins, SLUG, "Dinas Contoh", "contoh")
    there = await create_tenant(plugins, "dinas-lain", "Dinas Lain", "contoh")
    service = await TenantService.open(database, plugins, SLUG)
    other_service = await TenantService.open(database, plugins, "dinas-lain")
    staf_role = service.sop("contoh").roles_by_id["staf"]
    admin = await create_user("admin", "Admin", "rahasia-2026")
    await add_membership(here.id, admin.id, None, administrator=True)
    staf = await create_user("staf", "Staf", "rahasia-2026")
    await add_membership(here.id, staf.id, staf_role)
    other = await create_user("admin.lain", "Admin Lain", "rahasia-2026")
    await add_membership(there.id, other.id, None, administrator=True)
    return {
        "admin": TenantAdmin(service, admin.id),
        "staf": TenantAdmin(service, staf.id),
        "other": TenantAdmin(other_service, other.id),
    }


NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
EVENT = Event(
    seq=7,
    kind=EventKind.TASK_REMINDED,
    at=NOW,
    step=2,
    task=4,
    payload={"reason": "due", "to": ["3"], "channels": ["email"]},
)


async def deliveries_to(
    admin: TenantAdmin, url: str, events: tuple[str, ...] | list[str] = ()
) -> tuple[str, list[OutgoingDelivery]]:
    """Register ``url`` and record a delivery of :data:`EVENT` to it, as the sweep does."""
    created = await register_webhook(admin, url, events)
    body = webhook_event(SLUG, "CASE-1", EVENT)
    ids = await record_webhook_deliveries(admin.tenant_id, body, body["id"], now=NOW)
    rows = await Delivery.select().where(Delivery.id.is_in(ids or [0]))
    return created.secret, [
        OutgoingDelivery(
            id=r["id"],
            tenant=SLUG,
            channel=r["channel"],
            recipient=r["recipient"],
            key=r["key"],
            attempt=1,
            payload=json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"],
            webhook_id=r["webhook"],
        )
        for r in rows
    ]
