"""The monev forms on SQLite and PostgreSQL: the office's policy, the worker opening each
form once pre-filled from the Mutu baku report, reminders, saving (stale saves, limits),
the paraf (judgements, password, person, content hash) and reopening, each on the chain."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from alur.core.calendar import JAKARTA
from alur.core.errors import InvalidInput
from alur.core.i18n import current_language
from alur.core.monitoring.monev import BAIK, TIDAK, propose_rows
from alur.tenants.audit.monev_check import verify_monev
from alur.tenants.audit.office_log import office_changes
from alur.tenants.clock.jobs import run_round
from alur.tenants.clock.monev_forms import monev_round
from alur.tenants.errors import Forbidden
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.monitoring.monev import MonevForms
from alur.tenants.monitoring.monev_errors import MonevInitialled, NoAssessor, StaleMonev
from alur.tenants.monitoring.monev_notices import assessors
from alur.tenants.monitoring.monev_policy import (
    last_ended_period,
    period_of,
    read_policy,
    save_policy,
)
from alur.tenants.monitoring.report import MutuBakuReports, Period, ReportFilter
from alur.tenants.notify.messages import render
from alur.tenants.notify.settings import DeliverySettings
from alur.tenants.storage.tables import Notification, User
from tests.kinerja.kinerja_helpers import Office, design, start

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

JANUARY = datetime(2027, 1, 4, 9, 0, tzinfo=JAKARTA)  # Monday: Jul–Dec 2026 has ended
SECOND_HALF = Period(date(2026, 7, 1), date(2026, 12, 31))
PASSWORD = "x" * 12


async def admin(office: Office) -> int:
    user = await create_user(f"{office.slug}.admin", "Admin Uji", PASSWORD)
    await add_membership(office.tenant_id, user.id, None, administrator=True)
    office.users["admin"] = user.id
    return user.id


async def forms(office: Office) -> MonevForms:
    return MonevForms(await office.service())


async def with_policy(office: Office, role: str = "kasubag", months: object = 6) -> None:
    await save_policy(await office.service(), await admin(office), role, months)


async def kinds(office: Office, who: str) -> list[str]:
    rows = await Notification.select(Notification.kind).where(
        Notification.user == office.users[who]
    )
    return sorted(r["kind"] for r in rows)


def test_periods_are_aligned_to_the_year() -> None:
    assert period_of(date(2026, 11, 23), 6) == SECOND_HALF
    assert period_of(date(2026, 2, 28), 3) == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert period_of(date(2026, 12, 1), 5) == Period(date(2026, 11, 1), date(2026, 12, 31))
    assert last_ended_period(date(2027, 1, 4), 6) == SECOND_HALF
    assert last_ended_period(date(2026, 7, 1), 12) == Period(date(2025, 1, 1), date(2025, 12, 31))


async def test_policy_is_the_admins_with_field_errors_and_a_chain_event(office: Office) -> None:
    service = await office.service()
    admin_id = await admin(office)
    with pytest.raises(InvalidInput) as bad:
        await save_policy(service, admin_id, "bupati", "13")
    assert set(bad.value.errors) == {"role", "every_months"}
    with pytest.raises(Forbidden):
        await save_policy(service, office.users["kasubag"], "kasubag", 6)
    await save_policy(service, admin_id, "kasubag", " 6 ")
    info = await read_policy(await office.service(), admin_id)
    assert (info.policy.role, info.policy.every_months) == ("kasubag", 6)
    assert "Kasubag Perencanaan" in info.roles.values()
    (change,) = await office_changes(office.tenant_id, change="monev_policy_changed")
    assert change.details == {"role": "kasubag", "every_months": 6}


async def test_the_worker_opens_each_form_once_prefilled_from_the_report(office: Office) -> None:
    case = await start(office)  # Monday 23 November 2026
    office.clock.now += timedelta(hours=2)
    await design(office, case)
    # Without an assessor nothing opens.
    assert (await monev_round(office.db, office.plugins, JANUARY)).opened == 0
    await with_policy(office)
    office.clock.now = JANUARY
    first = await monev_round(office.db, office.plugins, JANUARY)
    again = await monev_round(office.db, office.plugins, JANUARY + timedelta(hours=1))
    assert (first.opened, again.opened, first.failed) == (1, 0, 0)

    (record,) = await (await forms(office)).list(office.users["kepala"])
    assert record.period == SECOND_HALF
    assert record.version == 1
    assert record.state == "open"
    # ten working days after Monday 4 January (Tuesday 5 is Isra Mi'raj), reminded two before
    assert record.due_on == date(2027, 1, 19)
    assert record.remind_on == date(2027, 1, 15)
    service = await office.service()
    report = await MutuBakuReports(service).report_for_operator(
        ReportFilter("uji-kinerja", SECOND_HALF)
    )
    token = current_language.set("id")
    try:
        expected = propose_rows(
            service.sop("uji-kinerja"),
            {s.number: s.figures for s in report.sops[0].steps},
            report.minutes_per_day,
        )
    finally:
        current_language.reset(token)
    assert record.form.rows == expected
    assert record.form.rows[0].proposed == BAIK
    assert record.form.rows[0].evidence.startswith("median 2 jam 7 menit terhadap mutu baku 1 hari")
    assert record.form.rows[1].evidence == "belum ada data"
    assert record.content_hash == record.form.content_hash()
    assert record.definition_hash == service.sop("uji-kinerja").content_hash
    # Both holders of the assessor role are told once; nobody else.
    assert await kinds(office, "kasubag") == ["monev_opened"]
    assert await kinds(office, "sekretaris") == ["monev_opened"]
    assert await kinds(office, "staf") == []
    (opened,) = await office_changes(office.tenant_id, change="monev_opened")
    assert opened.details["content_hash"] == record.content_hash
    assert opened.actor_name == "Alur"


async def test_reminder_once_when_its_day_comes(office: Office) -> None:
    await with_policy(office)
    await monev_round(office.db, office.plugins, JANUARY)
    await monev_round(office.db, office.plugins, datetime(2027, 1, 14, 9, tzinfo=JAKARTA))
    assert await kinds(office, "kasubag") == ["monev_opened"]
    reminded = await monev_round(
        office.db, office.plugins, datetime(2027, 1, 15, 9, tzinfo=JAKARTA)
    )
    await monev_round(office.db, office.plugins, datetime(2027, 1, 18, 9, tzinfo=JAKARTA))
    assert reminded.reminded == 1
    assert await kinds(office, "kasubag") == ["monev_opened", "monev_reminded"]
    # The reminder is on the office's chain, once; a deactivated assessor is not told.
    assert len(await office_changes(office.tenant_id, change="monev_reminded")) == 1
    await User.update({User.active: False}).where(User.id == office.users["kasubag"])
    assert await assessors(office.tenant_id, "kasubag") == [office.users["sekretaris"]]


async def test_admin_opens_the_current_period_so_far(office: Office) -> None:
    admin_id = await admin(office)
    with pytest.raises(NoAssessor):
        await (await forms(office)).open_now(admin_id)
    await save_policy(await office.service(), admin_id, "kasubag", 6)
    with pytest.raises(Forbidden):
        await (await forms(office)).open_now(office.users["kasubag"])
    (record,) = await (await forms(office)).open_now(admin_id)
    assert record.period == Period(date(2026, 7, 1), date(2026, 11, 23))
    assert await (await forms(office)).open_now(admin_id) == []
    saved = await (await forms(office)).save(
        office.users["kasubag"],
        record.id,
        {"1": {"judgement": "tidak", "tindakan": "latih staf"}},
        version=record.version,
    )
    # When the period ends, the worker opens no second form for it: it makes the early one
    # cover the whole half-year (proposals made again), keeping what the assessor wrote.
    assert (await monev_round(office.db, office.plugins, JANUARY)).opened == 0
    office.clock.now = JANUARY
    whole = await (await forms(office)).get(office.users["kasubag"], record.id)
    assert whole.period == SECOND_HALF
    assert (whole.form.end, whole.version) == (date(2026, 12, 31), saved.version + 1)
    assert (whole.form.rows[0].judgement, whole.form.rows[0].tindakan) == (TIDAK, "latih staf")
    assert whole.content_hash == whole.form.content_hash()
    (event,) = await office_changes(office.tenant_id, change="monev_extended")
    assert event.details["content_hash"] == whole.content_hash
    assert await verify_monev((await office.service()).ref) == []
    assert (await monev_round(office.db, office.plugins, JANUARY)).opened == 0
    assert len(await office_changes(office.tenant_id, change="monev_extended")) == 1


async def _opened(office: Office) -> int:
    await with_policy(office)
    await monev_round(office.db, office.plugins, JANUARY)
    office.clock.now = JANUARY
    (record,) = await (await forms(office)).list(office.users["kasubag"])
    return record.id


ALL_BAIK = {n: {"judgement": "baik", "catatan": "", "tindakan": "lanjutkan"} for n in range(1, 8)}


async def test_saving_versions_stale_saves_and_limits(office: Office) -> None:
    form_id = await _opened(office)
    f = await forms(office)
    saved = await f.save(
        office.users["kasubag"],
        form_id,
        {"1": {"judgement": "tidak", "catatan": "format terlambat", "tindakan": "latih staf"}},
        version=1,
    )
    assert saved.version == 2
    assert (saved.form.rows[0].judgement, saved.form.rows[0].tindakan) == (TIDAK, "latih staf")
    assert saved.form.rows[1].judgement is None
    with pytest.raises(StaleMonev) as stale:
        await f.save(office.users["sekretaris"], form_id, {"2": {"judgement": "baik"}}, version=1)
    assert "Kasubag dinas-uji" in str(stale.value.params)
    with pytest.raises(InvalidInput) as bad:
        await f.save(
            office.users["kasubag"],
            form_id,
            {"1": {"judgement": "mungkin", "catatan": "x" * 2001, "tindakan": "a\x00b"}},
            version=2,
        )
    assert set(bad.value.errors) == {"rows.1.judgement", "rows.1.catatan", "rows.1.tindakan"}
    with pytest.raises(Forbidden):
        await f.save(office.users["staf"], form_id, {"1": {"judgement": "baik"}}, version=2)
    versions = await f.versions(office.users["kepala"], form_id)
    assert [(v.version, v.what) for v in versions] == [(2, "saved"), (1, "opened")]
    assert (await f.get(office.users["kepala"], form_id)).form.rows[0].catatan == (
        "format terlambat"
    )


async def test_paraf_needs_every_judgement_the_password_and_the_assessor(office: Office) -> None:
    form_id = await _opened(office)
    f = await forms(office)
    kasubag = office.users["kasubag"]
    with pytest.raises(InvalidInput) as incomplete:
        await f.paraf(kasubag, form_id, version=1, password=PASSWORD)
    assert set(incomplete.value.errors) == {f"rows.{n}.judgement" for n in range(1, 8)}
    # A Plt of the assessor role fills the form but cannot initial it.
    await add_delegation(
        office.tenant_id,
        office.users["staf"],
        kasubag,
        "kasubag",
        None,
        "Plt",
        date(2027, 1, 1),
        date(2027, 1, 31),
    )
    saved = await f.save(office.users["staf"], form_id, ALL_BAIK, version=1)
    with pytest.raises(Forbidden):
        await f.paraf(office.users["staf"], form_id, version=saved.version, password=PASSWORD)
    with pytest.raises(Forbidden):
        await f.paraf(office.users["kepala"], form_id, version=saved.version, password=PASSWORD)
    with pytest.raises(InvalidInput) as wrong:
        await f.paraf(kasubag, form_id, version=saved.version, password="salah")
    assert set(wrong.value.errors) == {"password"}
    with pytest.raises(StaleMonev):
        await f.paraf(kasubag, form_id, version=1, password=PASSWORD)

    done = await f.paraf(kasubag, form_id, version=saved.version, password=PASSWORD)
    assert done.state == "diparaf"
    assert done.version == saved.version + 1
    assert (done.paraf_name, done.paraf_nip) == ("Kasubag dinas-uji", "198001012006011002")
    assert done.content_hash == saved.content_hash == done.form.content_hash()
    (event,) = await office_changes(office.tenant_id, change="monev_diparaf")
    assert event.details["content_hash"] == done.content_hash
    assert event.details["nip"] == done.paraf_nip
    with pytest.raises(MonevInitialled):
        await f.save(kasubag, form_id, {"1": {"judgement": "tidak"}}, version=done.version)

    # Reopening: the admin only; the paraf goes, the content stays, a new version.
    with pytest.raises(Forbidden):
        await f.reopen(kasubag, form_id, "salah ketik")
    reopened = await f.reopen(office.users["admin"], form_id, "salah ketik di kegiatan 3")
    assert reopened.state == "open"
    assert reopened.paraf_name == ""
    assert reopened.paraf_by is None
    assert reopened.version == done.version + 1
    assert reopened.content_hash == done.content_hash
    versions = await f.versions(kasubag, form_id)
    assert [v.what for v in versions][:2] == ["reopened", "diparaf"]
    assert [c.change for c in await office_changes(office.tenant_id)][:2] == [
        "monev_reopened",
        "monev_diparaf",
    ]


async def test_waiting_forms_are_the_assessors_only(office: Office) -> None:
    form_id = await _opened(office)
    f = await forms(office)
    assert [r.id for r in await f.waiting(office.users["kasubag"])] == [form_id]
    assert await f.waiting(office.users["kepala"]) == []
    with pytest.raises(Forbidden):
        await f.list(office.users["staf"])


async def test_worker_round_opens_once_and_the_chain_verifies(office: Office) -> None:
    await with_policy(office)
    settings = DeliverySettings.from_env({})
    first = await run_round(office.db, office.plugins, JANUARY, {}, settings)
    again = await run_round(office.db, office.plugins, JANUARY + timedelta(minutes=1), {}, settings)
    assert (first.monev_opened, again.monev_opened) == (1, 0)
    assert "monev forms opened 1" in first.summary()
    office.clock.now = JANUARY
    form_id = (await (await forms(office)).list(office.users["kasubag"]))[0].id
    f = await forms(office)
    saved = await f.save(office.users["kasubag"], form_id, ALL_BAIK, version=1)
    await f.paraf(office.users["kasubag"], form_id, version=saved.version, password=PASSWORD)
    service = await office.service()
    report = await service.store.verify_chain(service.ref)
    assert report.ok, str(report)


def test_the_notices_say_what_waits_and_link_to_the_form() -> None:
    body = {"form": 7, "sop_name": "Uji", "start": "2026-07-01", "end": "2026-12-31"}
    body["due"] = "2027-01-19"
    opened = render("monev_opened", body, "dinas-uji", "id")
    assert opened.title == "Formulir monev untuk diisi: Uji"
    assert opened.path == "/t/dinas-uji/monev/7"
    reminded = render("monev_reminded", body, "dinas-uji", "en")
    assert reminded.title == "Reminder: the monev form of Uji is due 2027-01-19"
    assert "2026-07-01 – 2026-12-31" in reminded.text
