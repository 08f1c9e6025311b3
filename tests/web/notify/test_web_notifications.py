"""The header's unread count, the notification list, the person's own settings, the clock
events in a case's history, and the inbox's "perlu perhatian" (with its GraphQL twin)."""

from __future__ import annotations

import re
from datetime import timedelta

from alur.core.clock import TimerKind
from alur.tenants.identity.tokens import create_token
from alur.tenants.storage.tables import Notification, User
from alur.tenants.testing.postgres import run_coroutine
from tests.web.admin.web_admin_helpers import Site, db, field_error
from tests.web.notify.notify_helpers import SLUG, clock_fired, notify, the_case

BASE = f"/t/{SLUG}"


def badge(html: str) -> str | None:
    """The unread count the header shows (None: no count)."""
    link = re.search(r'<a id="notice-badge"[^>]*>.*?</a>', html, re.S)
    assert link is not None, "no notifications link in the header"
    count = re.search(r'data-count="(\d+)"', link.group(0))
    return count.group(1) if count else None


def test_the_header_counts_unread_notifications_on_every_page(site: Site) -> None:
    site.as_user("staf")
    assert badge(site.get(f"{BASE}/inbox").text) is None
    notify(site, "staf", 3)
    notify(site, "kasubag", 1)  # someone else's: never counted here
    for path in ("/inbox", "/cases", "/sops", "/settings"):
        page = site.get(BASE + path)
        assert page.status_code == 200, path
        assert badge(page.text) == "3", path
        assert f'href="{BASE}/notifications"' in page.text  # a plain link: works without JS
    fragment = site.get(f"{BASE}/notifications/count")
    assert fragment.status_code == 200
    assert badge(fragment.text) == "3"
    assert 'hx-trigger="notices-refresh from:body"' in fragment.text


def test_opening_the_list_shows_newest_first_and_marks_them_read(site: Site) -> None:
    notify(site, "staf", 2)
    site.as_user("staf")
    page = site.get(f"{BASE}/notifications")
    assert page.status_code == 200
    titles = re.findall(r'<a href="([^"]+)" class="title">([^<]+)</a>', page.text)
    assert [t for _, t in titles] == [
        "Pengingat: kegiatan 1 Contoh Pengumpulan Data Kinerja jatuh tempo 25 Nov 2026 09.00 WIB"
    ] * 2
    assert {href for href, _ in titles} == {f"{BASE}/cases/{the_case(site)}"}
    texts = re.findall(r"Membuat draft nomor (\d)", page.text)
    assert texts == ["1", "0"]  # newest first
    assert page.text.count('class="new"') == 2  # unread when opened
    assert badge(page.text) is None  # the header already counts them read
    assert badge(site.get(f"{BASE}/notifications/count").text) is None
    again = site.get(f"{BASE}/notifications")
    assert 'class="new"' not in again.text
    # the other person's are untouched
    assert db(Notification.count().where(Notification.read_at.is_null())) == 0
    notify(site, "kasubag", 1)
    assert db(Notification.count().where(Notification.read_at.is_null())) == 1


def test_the_list_pages_on(site: Site) -> None:
    notify(site, "staf", 23)
    site.as_user("staf")
    first = site.get(f"{BASE}/notifications")
    shown = re.findall(r'id="notification-(\d+)"', first.text)
    assert len(shown) == 20
    older = re.search(r'href="(/t/[^"]+/notifications\?before=\d+)"', first.text)
    assert older is not None
    second = site.get(older.group(1).replace("&amp;", "&"))
    rest = re.findall(r'id="notification-(\d+)"', second.text)
    assert len(rest) == 3
    assert max(map(int, rest)) < min(map(int, shown))
    assert "?before=" not in second.text  # no page after the last


def test_settings_keep_what_was_typed_and_say_what_is_wrong(site: Site) -> None:
    site.as_user("staf")
    page = site.get(f"{BASE}/settings")
    assert page.status_code == 200
    for name in ("email", "whatsapp", "channels", "digest_only", "after_hours", "language"):
        assert f'name="{name}"' in page.text, name
    typed = {
        "email": "budi@",
        "whatsapp": "12",
        "channels": "email",
        "digest_only": "on",
        "language": "en",
    }
    refused = site.post(f"{BASE}/settings", typed)
    assert refused.status_code == 422
    assert "bukan alamat email yang sah" in field_error(refused.text, "settings", "email")
    assert field_error(refused.text, "settings", "whatsapp")
    assert 'value="budi@"' in refused.text
    assert 'value="12"' in refused.text
    assert re.search(r'name="digest_only" value="on"\s+checked', refused.text)
    assert re.search(r'<option value="en"\s*selected', refused.text)
    assert db(User.select(User.email).where(User.username == "staf").first())["email"] == ""

    saved = site.post(
        f"{BASE}/settings",
        {**typed, "email": "Budi@Contoh.go.id", "whatsapp": "0812 3456 7890"},
    )
    assert saved.status_code == 303
    row = db(
        User.select(User.email, User.whatsapp, User.channels, User.digest_only, User.language)
        .where(User.username == "staf")
        .first()
    )
    assert row["email"] == "Budi@contoh.go.id"
    assert row["whatsapp"] == "+6281234567890"
    assert row["digest_only"] is True
    assert row["language"] == "en"
    assert "tersimpan" in site.get(f"{BASE}/settings").text


def test_the_case_history_tells_of_reminders_and_escalations(site: Site) -> None:
    clock_fired(site, 1, TimerKind.REMIND_DUE, ["staf"], ["app", "email"])
    clock_fired(
        site,
        1,
        TimerKind.ESCALATE,
        ["kasubag"],
        ["app"],
        to_role="kasubag",
        late=timedelta(days=1),
    )
    site.as_user("staf")
    page = site.get(f"{BASE}/cases/{the_case(site)}")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "Pengingat dikirim ke Staf (di Alur, email) — jatuh tempo" in text
    assert "Dieskalasi ke Kasubag Perencanaan — terlambat 1 hari kerja" in text
    assert "perlu perhatian Kasubag Perencanaan" in text  # the task, still staf's
    assert 'class="event event-task_escalated"' in page.text


def test_perlu_perhatian_in_the_inbox_and_in_graphql(site: Site) -> None:
    site.as_user("kasubag")
    assert 'id="attention"' not in site.get(f"{BASE}/inbox").text
    clock_fired(
        site, 1, TimerKind.ESCALATE, ["kasubag"], ["app"], to_role="kasubag", late=timedelta(1)
    )
    page = site.get(f"{BASE}/inbox").text
    section = page[page.index('id="attention"') :]
    web = re.findall(r'data-case="(\w+)" data-task="(\d+)"', section)
    assert web == [(the_case(site), "1")], section
    assert "Perlu perhatian Anda" in page
    site.as_user("staf")  # the task stays with its holder
    staf_inbox = site.get(f"{BASE}/inbox").text
    assert f"/cases/{the_case(site)}#task-1" in staf_inbox
    assert 'id="attention"' not in staf_inbox

    async def token() -> str:
        return (await create_token("uji", "read", tenant=SLUG, user="kasubag")).token

    answer = site.client.post(
        "/graphql",
        json={
            "query": "{ attentionTasks { number case { key } escalatedTo { id name } "
            "role { id } } }"
        },
        headers={"Authorization": f"Bearer {run_coroutine(token())}"},
    ).json()
    assert "errors" not in answer, answer
    tasks = answer["data"]["attentionTasks"]
    assert [(t["case"]["key"], str(t["number"])) for t in tasks] == web  # the same as the web
    assert tasks[0]["escalatedTo"] == {"id": "kasubag", "name": "Kasubag Perencanaan"}
    assert tasks[0]["role"]["id"] == "staf"
