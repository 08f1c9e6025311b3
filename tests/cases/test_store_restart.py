"""Persistence of cases across restarts, on SQLite and PostgreSQL:

* restart: a case half-way through (fan-out with units done, a returned task, a claim, a
  Plh) reads back exactly the same after the database is closed and reopened, also from a
  fresh Python process, and its events replay to the stored state;
* definition pinning: a running case keeps the definition it started with (its snapshot).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from typing import Any

import pytest
from piccolo.engine.postgres import PostgresEngine

from alur.core import (
    SopDefinition,
)
from alur.core.engine import (
    EventKind,
    replay,
)
from alur.core.engine.codec import event_from_dict, state_from_dict
from alur.core.loader import definition_from_mapping
from alur.core.snapshot import definition_to_dict
from alur.tenants.cases.service import InboxTask, TenantService
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.cases.store import CaseStore
from alur.tenants.errors import NotFound
from alur.tenants.storage.database import Database, bind, close_database, open_database
from alur.tenants.storage.tables import SopSnapshot
from tests.cases.store_helpers import (
    CONTOH,
    Office,
    assert_consistent,
    contoh_office,
    do,
    half_way,
    plugins_with,
    start_contoh,
    task_at,
    task_rows,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def snapshot(svc: TenantService, office: Office, key: str) -> dict[str, Any]:
    case = await svc.case(key)
    return {
        "state": case.state,
        "history": await svc.history(key),
        "tasks": await task_rows(case.id),
        "inbox": {who: await svc.inbox(uid) for who, uid in office.users.items()},
        "chain": await CaseStore(office.db).verify_chain(office.ref),
    }


async def restore(database: Database) -> None:
    """Bind the tables to the ``database`` fixture's engine again, pool restarted, so that
    its teardown closes it as usual."""
    bind(database.engine)
    if isinstance(database.engine, PostgresEngine):
        await database.engine.start_connection_pool(min_size=1, max_size=20)


async def test_a_case_survives_closing_and_reopening_the_database(
    database, plugins, sample
) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = await half_way(svc, office)
    office.clock.tick(60 * 24 * 3)  # three days later: some tasks are overdue now
    before = await snapshot(svc, office, key)
    assert replay(before["history"]) == before["state"]
    assert any(i.overdue for inbox in before["inbox"].values() for i in inbox)
    assert [(i.step, i.unit, i.assigned_to_me) for i in before["inbox"]["kabid_a"]] == [
        (3, "bidang-a", True)
    ]
    assert before["inbox"]["kasi_a"] == []  # claimed by the Kabid himself

    await close_database(database)
    reopened = await open_database(database.url)
    try:
        office.db = reopened
        svc = await office.service(plugins_with(sample))  # a new process would make a new one
        after = await snapshot(svc, office, key)
        assert after == before
        assert replay(after["history"]) == after["state"]
        # and the case goes on where it stopped
        await do(svc, office, "kabid_a", key, 3, "bidang-a", "complete", "sudah diisi")
        await assert_consistent(office, (await svc.case(key)).id, 1, EventKind.TASK_COMPLETED)
    finally:
        await close_database(reopened)
        office.db = database
        await restore(database)


READER = textwrap.dedent(
    """
    import asyncio, dataclasses, json, sys
    from datetime import datetime, timezone
    from alur.core import create_plugin_manager
    from alur.core.engine.codec import event_to_dict, state_to_dict
    from alur.tenants.storage.database import close_database, open_database
    from alur.tenants.cases.service import TenantService

    url, slug, key, users, now = sys.argv[1:]

    async def main():
        db = await open_database(url, run_migrations=False)
        try:
            # no plugins at all: everything needed comes from the database
            svc = await TenantService.open(
                db, create_plugin_manager(load_entrypoints=False, environ={}), slug,
                clock=lambda: datetime.fromisoformat(now),
            )
            case = await svc.case(key)
            inbox = {}
            for who, uid in json.loads(users).items():
                inbox[who] = [
                    {**dataclasses.asdict(i), "due": i.due and i.due.isoformat()}
                    for i in await svc.inbox(uid)
                ]
            report = await svc.store.verify_chain(svc.ref)
            print(json.dumps({
                "state": state_to_dict(case.state),
                "history": [event_to_dict(e) for e in await svc.history(key)],
                "inbox": inbox,
                "chain": [report.ok, report.events],
            }))
        finally:
            await close_database(db)

    asyncio.run(main())
    """
)


async def test_a_fresh_process_reads_the_same_case(database, plugins) -> None:
    """Nothing lives only in memory: another Python process, with no plugin installed,
    reads the same state, history and inboxes from the database."""
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = await half_way(svc, office)
    before = await snapshot(svc, office, key)
    await close_database(database)
    try:
        done = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-c",
                READER,
                database.url,
                office.slug,
                key,
                json.dumps(office.users),
                office.clock.now.isoformat(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        await restore(database)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert state_from_dict(seen["state"]) == before["state"]
    assert [event_from_dict(e) for e in seen["history"]] == before["history"]
    for who, items in seen["inbox"].items():
        parsed = [
            InboxTask(**{**i, "due": i["due"] and datetime.fromisoformat(i["due"])}) for i in items
        ]
        assert parsed == before["inbox"][who], who
    assert seen["chain"] == [True, before["chain"].events]


# --- definition pinning -----------------------------------------------------------------------


def revised(sample: SopDefinition) -> SopDefinition:
    """The sample SOP, revised under the same id: version 2, step 2 now takes 1 hari."""
    data = definition_to_dict(sample)
    data["sop"]["version"] = "2"
    step2 = next(s for s in data["steps"] if s["number"] == 2)
    step2["waktu"] = "1 hari"
    step2["kegiatan"] = "Mengoreksi format data kinerja (revisi)"
    return definition_from_mapping(data, source="revised.toml")


async def test_a_running_case_keeps_its_pinned_definition(database, plugins, sample) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    old = await start_contoh(svc, office)
    new_definition = revised(sample)
    assert new_definition.id == sample.id
    assert new_definition.content_hash != sample.content_hash

    # The plugin is upgraded: a fresh plugin manager holds the revised SOP.
    upgraded = await office.service(plugins_with(new_definition, "2.0"))
    assert upgraded.sop("contoh").content_hash == new_definition.content_hash
    pinned = await upgraded.store.definition(old.definition_hash)
    assert pinned == sample
    assert pinned.content_hash == sample.content_hash
    assert (await upgraded.definition_of(await upgraded.case(old.key))).version == "1"

    # the old case still acts with the old snapshot: step 2 takes 10 menit
    stored = await do(upgraded, office, "staf", old.key, 1, None, "complete")
    step2 = task_at(stored.state, 2)
    assert step2.due - step2.opened_at == timedelta(minutes=10)
    inbox = await upgraded.inbox(office.users["kasubag"])
    assert [(i.case_key, i.kegiatan) for i in inbox] == [
        (old.key, "Mengoreksi format data kinerja")
    ]

    # a new case uses the new definition: step 2 takes 1 hari
    new = await start_contoh(upgraded, office, "Triwulan IV 2026")
    assert new.definition_hash == new_definition.content_hash
    stored = await do(upgraded, office, "staf", new.key, 1, None, "complete")
    step2 = task_at(stored.state, 2)
    assert step2.due - step2.opened_at == timedelta(days=1)
    kegiatan = {i.case_key: i.kegiatan for i in await upgraded.inbox(office.users["kasubag"])}
    assert kegiatan[new.key].endswith("(revisi)")
    assert await SopSnapshot.count() == 2
    rows = await SopSnapshot.select(SopSnapshot.version).order_by(SopSnapshot.id)
    assert [r["version"] for r in rows] == ["1", "2"]

    # both cases go on, each with its own definition
    await do(upgraded, office, "kasubag", old.key, 2, None, "ya")
    await do(upgraded, office, "kasubag", new.key, 2, None, "ya")
    for c in (old, new):
        assert (await upgraded.case(c.key)).state.current_steps == (3,)
        assert (await upgraded.history(c.key))[0].payload["version"] in ("1", "2")
    assert (await upgraded.store.verify_chain(office.ref)).ok


async def test_the_old_plugin_version_gone_the_case_still_loads(database, plugins, sample):
    """Even when the running process has never seen the old definition (no cache), the
    snapshot in the database is enough."""
    office = await contoh_office(database, plugins)
    old = await start_contoh(await office.service(), office)
    fresh = CaseStore(database)
    d = await fresh.definition(old.definition_hash)
    assert d.content_hash == old.definition_hash == sample.content_hash
    with pytest.raises(NotFound):
        await fresh.definition("0" * 64)


async def test_a_snapshot_whose_body_does_not_match_its_hash_is_not_found(database, sample) -> None:
    body = json.dumps(definition_to_dict(sample), ensure_ascii=False)
    for definition_hash in (sample.content_hash, "f" * 64):  # the right hash; a wrong one
        await SopSnapshot.insert(
            SopSnapshot(
                definition_hash=definition_hash,
                plugin=CONTOH,
                sop_id=sample.id,
                version=sample.version,
                body=body,
            )
        )
    found = await pinned_definitions([sample.content_hash, "f" * 64, "0" * 64])
    assert list(found) == [sample.content_hash]
    assert found[sample.content_hash] == sample
    with pytest.raises(NotFound):
        await CaseStore(database).definition("f" * 64)
