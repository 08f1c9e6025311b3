"""The token's person's notifications in GraphQL: their own only (another person's or
office's never), rendered by alur.tenants.notify.messages, the unread count, marking read with a
write token; tokens bound to no person are refused. Both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alur.graphql.testing import OFFICE_A, World
from alur.tenants.identity.tokens import create_token
from alur.tenants.storage.tables import Notification, Tenant

pytestmark = pytest.mark.anyio

LIST = """query($first: Int!, $before: Int) { notifications(first: $first, before: $before) {
  __typename
  ... on NotificationList { unreadCount notifications { id kind task title text path unread } }
  ... on Error { code } } }"""
COUNT = "{ unreadNotificationCount }"
MARK = """mutation($ids: [Int!]) { markNotificationsRead(ids: $ids) { __typename
  ... on NotificationsMarked { marked unreadCount } ... on Error { code } } }"""
BODY = {
    "sop_name": "Pengumpulan Data Kinerja",
    "step": 2,
    "kegiatan": "Memverifikasi data",
    "period": "Triwulan IV 2026",
    "due_text": "Kamis 3 Des 2026 16.00",
}


async def seed(world: World) -> list[int]:
    """Three notifications of staf (one of them read) and one of staf-2, in office A."""
    ids = []
    at = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    for n, user in enumerate(("staf", "staf", "staf", "staf-2")):
        row = Notification(
            tenant=world.a.ref.id,
            user=world.users[user],
            kind="task_reminded",
            case=None,
            task_no=n + 1,
            body=BODY,
            key=f"test:{n}",
            created_at=at,
            read_at=at if n == 0 else None,
        )
        await row.save()
        ids.append(row.id)
    world.tokens["a-staf-read"] = (
        await create_token("staf-read", "read", tenant=OFFICE_A, user="staf")
    ).token
    return ids


async def test_a_person_reads_their_own_notifications(world: World) -> None:
    ids = await seed(world)
    page = (await world.data(LIST, "a-staf-read", first=2))["notifications"]
    assert page["unreadCount"] == 2
    assert [n["id"] for n in page["notifications"]] == [ids[2], ids[1]]
    first = page["notifications"][0]
    assert first["kind"] == "task_reminded"
    assert first["task"] == 3
    assert "Pengumpulan Data Kinerja" in first["title"]
    assert "Memverifikasi data" in first["text"]
    assert first["path"] == f"/t/{OFFICE_A}/inbox"
    assert first["unread"] is True
    rest = (await world.data(LIST, "a-staf-read", first=2, before=ids[1]))["notifications"]
    assert [(n["id"], n["unread"]) for n in rest["notifications"]] == [(ids[0], False)]
    for before, expected in ((2**31 - 1, 3), (-5, 0), (ids[0], 0)):  # past the ends
        edge = (await world.data(LIST, "a-staf-read", first=10, before=before))["notifications"]
        assert len(edge["notifications"]) == expected, before
    other = (await world.data(LIST, "a-staf-2", first=10))["notifications"]
    assert [n["id"] for n in other["notifications"]] == [ids[3]]
    assert (await world.data(COUNT, "a-staf"))["unreadNotificationCount"] == 2


async def test_marking_read_and_refusals(world: World) -> None:
    ids = await seed(world)
    done = (await world.data(MARK, "a-staf", ids=[ids[1], ids[3]]))["markNotificationsRead"]
    assert done == {"__typename": "NotificationsMarked", "marked": 1, "unreadCount": 1}
    assert (await world.data(COUNT, "a-staf-2"))["unreadNotificationCount"] == 1  # untouched
    all_read = (await world.data(MARK, "a-staf"))["markNotificationsRead"]
    assert all_read["unreadCount"] == 0
    for token in ("a-read", "platform"):  # bound to no person
        result = (await world.data(LIST, token, first=5))["notifications"]
        assert result == {"__typename": "Forbidden", "code": "forbidden"}
        assert (await world.data(COUNT, token))["unreadNotificationCount"] == 0
    read_only = (await world.data(MARK, "a-staf-read"))["markNotificationsRead"]
    assert read_only["__typename"] == "Forbidden"


async def test_a_suspended_office_answers_forbidden_like_its_other_queries(world: World) -> None:
    await seed(world)
    await Tenant.update({Tenant.suspended: True}).where(Tenant.slug == OFFICE_A)
    page = (await world.data(LIST, "a-staf-read", first=2))["notifications"]
    assert page == {"__typename": "Forbidden", "code": "tenant_suspended"}
    assert (await world.data(COUNT, "a-staf-read"))["unreadNotificationCount"] == 0
