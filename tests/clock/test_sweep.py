"""The sweep and the email channel against a real SMTP server, on SQLite and PostgreSQL:
reminders and escalations become events on the chain and emails, once; recipients follow
claims, units and Plt/Plh; closed tasks fire nothing; office hours hold messages back;
a refusing server is retried with backoff, then failed, without holding up the others."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alur.core import AlurPlugins
from alur.tenants.cases.rows import from_json
from alur.tenants.cases.store import CaseStore
from alur.tenants.clock.jobs import run_round
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Task, Timer, User
from tests.cases.store_helpers import do, start_contoh
from tests.clock.clock_helpers import (
    SmtpServer,
    clock_events,
    deliveries,
    email_channels,
    emailed_office,
    settings_for,
    timers,
)
from tests.conftest import wib

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def test_a_due_task_reminds_its_holder_by_email_once(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await emailed_office(database, plugins)
    case = await start_contoh(await office.service(), office)
    # step 1 (staf, "2 hari") opened Mon 23 Nov 09:00 WIB, due Wed 25 Nov 09:00
    assert [(t["kind"], t["to_role"]) for t in await timers()] == [
        ("remind_before", ""),
        ("remind_due", ""),
        ("escalate", "kasubag"),
    ]
    settings = settings_for(smtp)
    channels = email_channels(settings)

    report = await run_round(database, plugins, wib(2026, 11, 25, 10), channels, settings)
    assert (report.fired, report.outcomes["sent"]) == (2, 2), report.summary()
    events = await clock_events(case.id)
    assert [e["kind"] for e in events] == ["task_reminded", "task_reminded"]
    staf = office.users["staf"]
    for e, reason in zip(events, ("remind_before", "remind_due"), strict=True):
        payload = from_json(e["payload"])
        assert payload == {"reason": reason, "to": [str(staf)], "channels": ["app", "email"]}
    mails = smtp.to("staf@example.org")
    assert len(mails) == 2
    assert len({m.message_id for m in mails}) == 2
    for mail in mails:
        assert mail.sender == "alur@example.org"
        assert "Membuat draft format data kinerja" in mail.text
        assert "2026-11-25 09:00 WIB" in mail.text
        assert f"http://127.0.0.1:8000/t/dinas-contoh/cases/{case.key}" in mail.text
        assert "password" not in mail.text.lower()
    store = CaseStore(database)
    assert (await store.verify_chain(office.ref)).ok
    assert await store.verify_cases(office.ref) == []
    assert [t["kind"] for t in await timers()] == ["escalate"]  # not yet due

    again = await run_round(database, plugins, wib(2026, 11, 25, 10, 5), channels, settings)
    assert (again.fired, sum(again.outcomes.values())) == (0, 0)
    assert len(smtp.all()) == 2
    assert len(await clock_events(case.id)) == 2


async def test_an_overdue_task_escalates_to_the_atasan_without_leaving_its_holder(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await emailed_office(database, plugins)
    svc = await office.service()
    case = await start_contoh(svc, office)
    await do(svc, office, "staf", case.key, 1, None, "claim")
    settings = settings_for(smtp)
    # the staf reads English
    await User.update({User.language: "en"}).where(User.id == office.users["staf"])

    report = await run_round(
        database, plugins, wib(2026, 11, 26, 10), email_channels(settings), settings
    )
    assert (report.fired, report.outcomes["sent"]) == (3, 3), report.summary()
    kinds = [
        (e["kind"], from_json(e["payload"]).get("to_role")) for e in await clock_events(case.id)
    ]
    assert kinds == [
        ("task_reminded", None),
        ("task_reminded", None),
        ("task_escalated", "kasubag"),
    ]
    escalated = from_json((await clock_events(case.id))[-1]["payload"])
    assert escalated["to"] == [str(office.users["kasubag"])]
    task = await Task.select().where((Task.case == case.id) & (Task.task_no == 1)).first()
    assert (task["status"], task["escalated_role"]) == ("open", "kasubag")
    assert task["assignee"] == office.users["staf"]  # still the holder's
    (needs_attention,) = smtp.to("kasubag@example.org")
    # the kasubag reads Indonesian (the default), the staf English
    assert needs_attention.message["Subject"].strip() == (
        "Perlu perhatian: kegiatan 1 Contoh Pengumpulan Data Kinerja terlambat"
    )
    assert "yang dipegang Staf (dinas-contoh) jatuh tempo 2026-11-25 09:00 WIB" in (
        needs_attention.text
    )
    subjects = sorted(m.message["Subject"].strip() for m in smtp.to("staf@example.org"))
    assert subjects == [
        "Reminder: step 1 of Contoh Pengumpulan Data Kinerja is due 2026-11-25 09:00 WIB",
        "Task due now: step 1 of Contoh Pengumpulan Data Kinerja",
    ]
    store = CaseStore(database)
    assert (await store.verify_chain(office.ref)).ok
    assert await store.verify_cases(office.ref) == []  # escalated_role follows the events


async def test_recipients_follow_claims_units_and_plh(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await emailed_office(database, plugins)
    svc = await office.service()
    case = await start_contoh(svc, office)
    await do(svc, office, "staf", case.key, 1, None, "complete", "draft")
    await do(svc, office, "kasubag", case.key, 2, None, "ya")  # step 3 for three bidang
    await do(svc, office, "kabid_b", case.key, 3, "bidang-b", "claim")
    settings = settings_for(smtp)

    # step 3 ("3 hari") opened Mon 23 Nov ~09:20: the halfway reminder is due on the 24th
    report = await run_round(
        database, plugins, wib(2026, 11, 25, 9), email_channels(settings), settings
    )
    assert report.fired >= 3, report.summary()
    told = {}
    for e in await clock_events(case.id):
        payload = from_json(e["payload"])
        if payload["reason"] == "remind_before":
            told[e["task_no"]] = payload["to"]
    rows = await Task.select(Task.task_no, Task.unit).where(
        (Task.case == case.id) & (Task.step == 3)
    )
    unit_of = {r["task_no"]: r["unit"] for r in rows}
    u = office.users
    assert {unit_of[t]: sorted(map(int, to)) for t, to in told.items()} == {
        "bidang-a": sorted([u["kabid_a"], u["kasi_a"]]),  # the Kabid and the Plh of bidang A
        "bidang-b": [u["kabid_b"]],  # claimed: its assignee only
        "bidang-c": [u["kabid_c"]],
    }
    assert smtp.to("kasi_a@example.org")
    assert smtp.to("kabid_b@example.org")
    assert not smtp.to("staf@example.org")  # step 1 was done before its timers fired


async def test_timers_of_closed_tasks_fire_nothing(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await emailed_office(database, plugins)
    svc = await office.service()
    case = await start_contoh(svc, office)
    await do(svc, office, "staf", case.key, 1, None, "complete", "draft")
    # closing the task deleted its timers; a stale row (e.g. written by hand) is dropped
    assert all(t["task_no"] != 1 for t in await timers())
    await Timer.insert(
        Timer(
            tenant=office.tenant_id,
            case=case.id,
            task_no=1,
            kind="remind_due",
            fires_at=wib(2026, 11, 23, 10),
        )
    )
    settings = settings_for(smtp)
    report = await run_round(
        database, plugins, wib(2026, 11, 23, 10), email_channels(settings), settings
    )
    assert (report.fired, report.dropped) == (1, 1), report.summary()  # step 2's due reminder
    assert [e["task_no"] for e in await clock_events(case.id)] == [2]
    assert [m.recipients for m in smtp.all()] == [["kasubag@example.org"]]


@pytest.mark.parametrize("after_hours", [False, True])
async def test_nothing_is_sent_after_office_hours_unless_asked(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer, after_hours: bool
) -> None:
    office = await emailed_office(database, plugins)
    await User.update({User.after_hours: after_hours}).where(User.id == office.users["staf"])
    case = await start_contoh(await office.service(), office)
    settings = settings_for(smtp)
    channels = email_channels(settings)

    evening = await run_round(database, plugins, wib(2026, 11, 25, 17), channels, settings)
    assert evening.fired == 2
    assert len(await clock_events(case.id)) == 2  # the events are written at once
    if after_hours:
        assert len(smtp.all()) == 2
        return
    assert smtp.all() == []
    assert {d["status"] for d in await deliveries()} == {"pending"}
    night = await run_round(database, plugins, wib(2026, 11, 26, 6), channels, settings)
    assert sum(night.outcomes.values()) == 0
    assert smtp.all() == []
    morning = await run_round(database, plugins, wib(2026, 11, 26, 7, 31), channels, settings)
    assert morning.outcomes["sent"] == 2, morning.summary()
    assert len(smtp.to("staf@example.org")) == 2


async def test_a_refusing_server_is_retried_with_backoff_then_failed(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await emailed_office(database, plugins)
    await start_contoh(await office.service(), office)
    smtp.refuse["staf@example.org"] = "451 4.3.0 mailbox busy, try again later"
    settings = settings_for(smtp, ALUR_DELIVERY_ATTEMPTS=3, ALUR_DELIVERY_BACKOFF=60)
    channels = email_channels(settings)
    t0 = wib(2026, 11, 26, 10)

    first = await run_round(database, plugins, t0, channels, settings)
    assert first.outcomes == {"sent": 1, "retry": 2}, first.summary()
    assert len(smtp.to("kasubag@example.org")) == 1  # the escalation went out regardless
    pending = [d for d in await deliveries() if d["status"] != "sent"]
    assert len(pending) == 2
    for d in pending:
        assert (d["status"], d["attempts"]) == ("pending", 1)
        assert d["next_attempt_at"] == t0 + timedelta(seconds=60)
        assert "451" in d["last_error"]

    early = await run_round(database, plugins, t0 + timedelta(seconds=30), channels, settings)
    assert sum(early.outcomes.values()) == 0  # not before its time
    second = await run_round(database, plugins, t0 + timedelta(seconds=61), channels, settings)
    assert second.outcomes == {"retry": 2}
    later = t0 + timedelta(seconds=61 + 120)
    assert {d["next_attempt_at"] for d in await deliveries() if d["status"] == "pending"} == {later}
    third = await run_round(database, plugins, later, channels, settings)
    assert third.outcomes == {"failed": 2}
    for d in await deliveries():
        if d["recipient"] == "staf@example.org":
            assert (d["status"], d["attempts"]) == ("failed", 3)
            assert "451 4.3.0 mailbox busy" in d["last_error"]
    final = await run_round(database, plugins, later + timedelta(days=1), channels, settings)
    assert sum(final.outcomes.values()) == 0
    assert smtp.to("staf@example.org") == []


async def test_a_permanent_refusal_fails_at_once(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await emailed_office(database, plugins)
    await start_contoh(await office.service(), office)
    smtp.refuse["staf@example.org"] = "550 5.1.1 no such mailbox"
    settings = settings_for(smtp)
    report = await run_round(
        database, plugins, wib(2026, 11, 25, 10), email_channels(settings), settings
    )
    assert report.outcomes == {"failed": 2}, report.summary()
    assert {(d["status"], d["attempts"]) for d in await deliveries()} == {("failed", 1)}


async def test_a_claimed_task_whose_assignee_left_reminds_its_role_holders(
    database: Database, plugins: AlurPlugins, smtp: SmtpServer
) -> None:
    office = await emailed_office(database, plugins)
    svc = await office.service()
    case = await start_contoh(svc, office)
    await do(svc, office, "staf", case.key, 1, None, "complete", "draft")
    await do(svc, office, "kasubag", case.key, 2, None, "ya")
    await do(svc, office, "kabid_a", case.key, 3, "bidang-a", "claim")
    u = office.users
    await User.update({User.active: False}).where(User.id == u["kabid_a"])  # has left
    settings = settings_for(smtp)
    await run_round(database, plugins, wib(2026, 11, 25, 9), email_channels(settings), settings)
    task_no = (
        await Task.select(Task.task_no)
        .where((Task.case == case.id) & (Task.unit == "bidang-a"))
        .first()
    )["task_no"]
    told = [
        from_json(e["payload"])["to"]
        for e in await clock_events(case.id)
        if e["task_no"] == task_no
    ]
    assert told
    assert all(to == [str(u["kasi_a"])] for to in told)  # the Plh, not nobody
