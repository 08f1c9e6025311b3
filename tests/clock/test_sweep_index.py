"""The sweep reads the due timers by the ``fires_at`` index: with many timers not yet due, the
query plan is an index range scan (SQLite and PostgreSQL), never a scan of the table, and
the sweep fires exactly the due ones. Times are measured in bench/worker.py, not here."""

from __future__ import annotations

import pytest

from alur.core import AlurPlugins
from alur.tenants.clock.sweep import _NEXT_TIMER, sweep
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Timer
from tests.cases.store_helpers import start_contoh
from tests.clock.clock_helpers import emailed_office
from tests.conftest import wib

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

NOT_DUE = 20_000


async def test_the_sweep_query_uses_the_fires_at_index(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await emailed_office(database, plugins)
    case = await start_contoh(await office.service(), office)
    # many timers of (made-up) tasks far in the future, in one statement
    far = wib(2027, 6, 1)
    series = (
        "SELECT generate_series(1000, 1000 + {}) AS n"
        if not database.is_sqlite
        else "WITH RECURSIVE s(n) AS (SELECT 1000 UNION ALL SELECT n + 1 FROM s "
        "WHERE n < 1000 + {}) SELECT n FROM s"
    )
    await Timer.raw(
        f'INSERT INTO alur_timer (tenant, "case", task_no, kind, fires_at, to_role) '
        f"SELECT {{}}, {{}}, n, 'remind_due', {{}}, '' FROM ({series}) AS x",
        office.tenant_id,
        case.id,
        far,
        NOT_DUE - 1,
    )
    assert await Timer.count() == NOT_DUE + 3
    now = wib(2026, 11, 25, 10)
    query = _NEXT_TIMER.format(
        "{}", skip="", lock="" if database.is_sqlite else "FOR UPDATE OF tm SKIP LOCKED"
    )
    if database.is_sqlite:
        plan = " | ".join(r["detail"] for r in await Timer.raw("EXPLAIN QUERY PLAN " + query, now))
        assert "USING INDEX alur_timer_fires_at (fires_at<?)" in plan, plan
    else:
        await Timer.raw("ANALYZE alur_timer")
        plan = " | ".join(r["QUERY PLAN"] for r in await Timer.raw("EXPLAIN " + query, now))
        assert "Index Scan using alur_timer_fires_at on alur_timer" in plan, plan
        assert "Seq Scan on alur_timer" not in plan, plan

    result = await sweep(database, plugins, now)
    assert (result.fired, result.dropped) == (2, 0)  # the two reminders of step 1
    assert await Timer.count() == NOT_DUE + 1
