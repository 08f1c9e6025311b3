"""The sweep never waits for a lock while holding one (PostgreSQL): a person acting on the
case, or an administrator saving the office's policy, holds rows the sweep needs; the sweep
skips that timer instead of waiting (which would deadlock with the person's transaction:
case, office, then the task's timers), and fires it once they are done."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from alur.core import AlurPlugins
from alur.tenants.clock.sweep import sweep
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Timer
from tests.cases.store_helpers import start_contoh
from tests.clock.clock_helpers import clock_events, emailed_office
from tests.conftest import wib

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


@pytest.mark.parametrize("locked", ["case", "office"])
async def test_a_timer_whose_case_or_office_is_busy_is_skipped_not_waited_for(
    database: Database, database_url: str, plugins: AlurPlugins, locked: str
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has one writer at a time: no row locks to wait for")
    office = await emailed_office(database, plugins)
    case = await start_contoh(await office.service(), office)
    holder = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        busy = holder.transaction()
        await busy.start()
        if locked == "case":  # as a person's action does first
            await holder.execute("SELECT 1 FROM alur_case WHERE id = $1 FOR UPDATE", case.id)
        else:  # as saving the office's clock policy does first
            await holder.execute(
                "SELECT 1 FROM alur_tenant WHERE id = $1 FOR UPDATE", office.ref.id
            )
        now = wib(2026, 11, 25, 10)
        skipped = await asyncio.wait_for(sweep(database, plugins, now), timeout=20)
        assert skipped.fired == 0
        assert await clock_events(case.id) == []
        await busy.rollback()
    finally:
        await holder.close()
    fired = await sweep(database, plugins, now)
    assert fired.fired == 2  # the reminders halfway and at the due time
    assert len(await clock_events(case.id)) == 2


async def test_a_timer_that_cannot_be_fired_does_not_stop_the_others(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await emailed_office(database, plugins)
    case = await start_contoh(await office.service(), office)
    await Timer.raw(  # a hand-edited row the code cannot read, the earliest of all
        'INSERT INTO alur_timer (tenant, "case", task_no, kind, fires_at, to_role) '
        "VALUES ({}, {}, 1, 'bogus', {}, '')",
        office.ref.id,
        case.id,
        wib(2026, 11, 23, 10),
    )
    result = await sweep(database, plugins, wib(2026, 11, 25, 10))
    assert (result.fired, result.left) == (2, 1)
    assert len(await clock_events(case.id)) == 2
