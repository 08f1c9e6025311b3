"""The Webhooks administration page in Chromium: an administrator registers a webhook (htmx:
the secret appears in place, once), a refused URL keeps what was typed with the message under
the field, and the deliveries log shows waiting, sent and failing deliveries with their
attempts and last error — at 1366×900 and on a 390×844 phone without sideways scrolling.
Screenshots: artifacts/screenshots/admin-webhooks-*.png."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from alur.tenants.notify.records import record_webhook_deliveries
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Delivery, Tenant
from alur.tenants.testing.postgres import run_coroutine

SLUG = "satpolpp-banyumas"


async def _seed_log(url: str) -> None:
    """Three deliveries of the office's webhooks as the worker leaves them."""
    db = await open_database(url, run_migrations=False)
    try:
        tenant = await Tenant.select(Tenant.id).where(Tenant.slug == SLUG).first()
        now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
        outcomes = (
            ("sent", 1, ""),
            ("failed", 8, "HTTP 500 Internal Server Error"),
            ("pending", 2, "no answer within 10 s (ReadTimeout)"),
        )
        for n, (status, attempts, error) in enumerate(outcomes, start=1):
            body = {"id": f"K{n}:4", "kind": "task_reminded" if n != 2 else "task_escalated"}
            ids = await record_webhook_deliveries(tenant["id"], body, body["id"], now=now)
            await Delivery.update(
                {
                    Delivery.status: status,
                    Delivery.attempts: attempts,
                    Delivery.last_error: error,
                    Delivery.sent_at: now if status == "sent" else None,
                }
            ).where(Delivery.id.is_in(ids))
    finally:
        await close_database(db)


def test_the_webhooks_page(live_server, new_page, screenshot) -> None:
    office = live_server.offices[SLUG]
    admin = new_page(office.login_for("administrator"))
    admin.goto(f"/t/{SLUG}/admin/webhooks")
    expect(admin.locator("h2", has_text="Webhook")).to_be_visible()

    admin.fill("input[name=url]", "https://pengguna:rahasia@sistem.banyumaskab.go.id/alur")
    admin.locator("#admin-panel form [type=submit]", has_text="Daftarkan webhook").click()
    error = admin.locator("#webhook-url-error")
    expect(error).to_contain_text("jangan cantumkan nama pengguna atau kata sandi")
    expect(admin.locator("input[name=url]")).to_have_value(
        "https://pengguna:rahasia@sistem.banyumaskab.go.id/alur"
    )
    screenshot(admin, "admin-webhooks-refused-1366")

    admin.fill("input[name=url]", "https://sistem.banyumaskab.go.id/alur/webhook")
    admin.locator("#admin-panel form [type=submit]", has_text="Daftarkan webhook").click()
    secret = admin.locator("#new-webhook input[readonly]")
    expect(secret).to_have_value(re.compile(r"^whsec_"))
    db_url = f"sqlite:///{live_server.log_path.parent / 'alur.db'}"  # see conftest
    run_coroutine(_seed_log(db_url))
    screenshot(admin, "admin-webhooks-secret-1366")

    admin.goto(f"/t/{SLUG}/admin/webhooks")
    expect(admin.locator("#new-webhook")).to_have_count(0)  # shown once
    # this webhook's three (other tests of the live server may have left email deliveries)
    rows = admin.locator("table.deliveries tbody tr", has_text="sistem.banyumaskab.go.id")
    expect(rows).to_have_count(3)
    expect(admin.locator("table.deliveries")).to_contain_text("HTTP 500 Internal Server Error")
    screenshot(admin, "admin-webhooks-1366")
    admin.set_viewport_size({"width": 390, "height": 844})
    admin.reload()
    width = admin.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(admin, "admin-webhooks-390")
