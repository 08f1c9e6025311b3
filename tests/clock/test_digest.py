"""The daily digest (at the office's opening time on working days, once per person and day,
only to people with something open; digest-only people get it and no reminders) and the
clean-up of expired sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alur.core import AlurPlugins
from alur.tenants.cases.rows import from_json
from alur.tenants.clock.digest import send_digests
from alur.tenants.clock.jobs import run_round
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Notification, Session, Tenant, User
from tests.cases.store_helpers import start_contoh
from tests.clock.clock_helpers import SmtpServer, email_channels, emailed_office, settings_for
from tests.conftest import wib

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def digests() -> list[dict]:
    return (
        await Notification.select().where(Notification.kind == "digest").order_by(Notification.id)
    )


async def test_the_digest_goes_out_at_opening_time_once_a_day_to_people_with_work(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await emailed_office(database, plugins, digest=True)
    staf = office.users["staf"]
    await User.update({User.digest_only: True}).where(User.id == staf)
    await start_contoh(await office.service(), office)  # Mon 23 Nov 09:00: step 1 for the staf
    settings = settings_for(smtp)
    channels = email_channels(settings)

    early = await run_round(database, plugins, wib(2026, 11, 24, 7, 0), channels, settings)
    assert early.digests == 0
    opening = await run_round(database, plugins, wib(2026, 11, 24, 7, 31), channels, settings)
    assert opening.digests == 1, opening.summary()
    (digest,) = await digests()
    assert digest["user"] == staf
    body = from_json(digest["body"])
    assert (body["open"], body["overdue"], body["day"]) == (1, 0, "2026-11-24")
    assert body["tasks"][0]["kegiatan"] == "Membuat draft format data kinerja"
    (mail,) = smtp.all()
    assert mail.recipients == ["staf@example.org"]
    assert mail.message["Subject"].strip() == "Tugas Anda yang terbuka hari ini"
    assert "1 terbuka, 0 terlambat." in mail.text

    again = await run_round(database, plugins, wib(2026, 11, 24, 11), channels, settings)
    assert again.digests == 0
    assert again.fired == 1  # the halfway reminder: recorded, but not emailed (digest only)
    assert len(smtp.all()) == 1

    next_day = await run_round(database, plugins, wib(2026, 11, 25, 10), channels, settings)
    assert next_day.digests == 1
    assert [from_json(d["body"])["overdue"] for d in await digests()] == [0, 1]
    saturday = await run_round(database, plugins, wib(2026, 11, 28, 10), channels, settings)
    assert saturday.digests == 0
    assert len(smtp.all()) == 2  # two digests, no reminders


async def test_no_digest_when_the_office_turned_it_off(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await emailed_office(database, plugins, digest=False)
    await start_contoh(await office.service(), office)
    settings = settings_for(smtp)
    report = await run_round(
        database, plugins, wib(2026, 11, 24, 8), email_channels(settings), settings
    )
    assert report.digests == 0
    assert await digests() == []


async def test_expired_sessions_are_removed(database: Database, plugins: AlurPlugins) -> None:
    now = wib(2026, 11, 24, 8)
    await Session.insert(
        Session(session_id="old", data=b"x", expires_at=now - timedelta(minutes=1)),
        Session(session_id="current", data=b"x", expires_at=now + timedelta(hours=1)),
    )
    settings = settings_for(None)
    report = await run_round(database, plugins, now, {}, settings)
    assert report.sessions_removed == 1
    assert [s["session_id"] for s in await Session.select(Session.session_id)] == ["current"]


async def test_an_office_whose_digest_fails_does_not_stop_the_others(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await emailed_office(database, plugins, digest=True)
    await start_contoh(await office.service(), office)
    broken = await emailed_office(database, plugins, digest=True, slug="dinas-rusak")
    await start_contoh(await broken.service(), broken)
    # a hand-edited office row whose hours cannot be read (its calendar raises)
    await Tenant.update({Tenant.office_start: "25:99"}).where(Tenant.id == broken.tenant_id)
    result = await send_digests(database, wib(2026, 11, 24, 7, 31))
    assert (result.offices, result.failed) == (1, 1)
    assert [d["tenant"] for d in await digests()] == [office.tenant_id]
