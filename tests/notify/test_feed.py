"""A person's notification list (``alur.tenants.notify.feed``) on both databases: newest
first, paged by id, one person's never another's, and ids no row can have (a hand-typed
``?before=``) answered, never sent to the driver (PostgreSQL's ids are 32-bit)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alur.core import AlurPlugins, SopDefinition
from alur.core.calendar import WorkingCalendar
from alur.tenants.notify.feed import mark_read, notifications_for, unread_count
from alur.tenants.notify.records import REMINDED, Notice, record_notices
from alur.tenants.storage.database import Database
from tests.cases.store_helpers import contoh_office, plugins_with

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


@pytest.fixture
def plugins(sample: SopDefinition) -> AlurPlugins:
    return plugins_with(sample)


async def test_the_list_pages_by_id_and_refuses_impossible_ids_quietly(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    staf, kasubag = office.users["staf"], office.users["kasubag"]
    for n in range(5):
        await record_notices(
            office.tenant_id,
            [Notice(REMINDED, staf, f"k{n}", {"step": 1}), Notice(REMINDED, kasubag, f"o{n}")],
            now=office.clock() + timedelta(minutes=n),
            calendar=WorkingCalendar(),
        )
    first = await notifications_for(office.tenant_id, staf, limit=3)
    assert [i.id for i in first] == sorted((i.id for i in first), reverse=True)
    assert len(first) == 3
    rest = await notifications_for(office.tenant_id, staf, limit=3, before_id=first[-1].id)
    assert len(rest) == 2
    assert max(i.id for i in rest) < first[-1].id
    everything = await notifications_for(office.tenant_id, staf, before_id=2**40)
    assert len(everything) == 5  # larger than any id: the newest page
    assert await notifications_for(office.tenant_id, staf, before_id=0) == []
    assert await unread_count(office.tenant_id, staf) == 5
    assert await mark_read(office.tenant_id, staf, [2**40, -1], now=office.clock()) == 0
    ids = [i.id for i in everything]
    other = [i.id for i in await notifications_for(office.tenant_id, kasubag)]
    assert await mark_read(office.tenant_id, staf, ids + other, now=office.clock()) == 5
    assert await unread_count(office.tenant_id, staf) == 0
    assert await unread_count(office.tenant_id, kasubag) == 5  # never another's
