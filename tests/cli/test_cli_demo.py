"""The ``alur demo`` and ``alur audit verify`` commands against a real SQLite file (and once
PostgreSQL), and the demo's cases in their states with work in the inboxes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alur.core import AlurPlugins
from alur.core.calendar import JAKARTA
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import CaseStore
from alur.tenants.demo.history import HISTORY_CASES
from alur.tenants.demo.offices import DEMO_PASSWORD, RETURN_NOTE, provision_demo
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Event, Tenant, User
from tests.cli.cli_helpers import counts, ok, query, usage_error

# --- demo and audit ------------------------------------------------------------------------

LOGINS = (
    "satpolpp.kabid.linmas",
    "kesbangpol.petugas",
    "biro.karo_organisasi",
    "cilacap.admin",
    "cilacap.kepala_satuan",
    "operator",
)


def test_demo_twice_then_audit(run, db_file: Path) -> None:
    first = ok(run("demo")).stdout
    for text in (*LOGINS, DEMO_PASSWORD, "satpolpp-banyumas", "menunggu bidang", "Created 4"):
        assert text in first
    after_first = counts(db_file)
    assert "satpolpp-cilacap — Satuan Polisi Pamong Praja Kabupaten Cilacap" in first
    assert after_first["alur_tenant"] == 4  # the three institutions and Satpol PP Cilacap
    assert after_first["alur_case"] == 13 + 4 * HISTORY_CASES  # the stories, the history
    assert query(db_file, "SELECT state FROM alur_sop_revision") == [("berlaku",)]
    assert after_first["alur_operator"] == 1
    assert after_first["alur_attachment"] > 0

    second = ok(run("demo")).stdout
    assert counts(db_file) == after_first
    assert "Everything was already there: nothing created." in second
    assert "already there" in second
    assert DEMO_PASSWORD in second
    assert all(login in second for login in LOGINS)

    verified = ok(run("audit verify")).stdout.splitlines()
    assert len(verified) == 4
    assert all("chain intact" in line for line in verified)

    tenant, key, seq = query(
        db_file,
        'SELECT t.id, c.key, e.seq FROM alur_event e JOIN alur_case c ON c.id = e."case" '
        "JOIN alur_tenant t ON t.id = e.tenant WHERE t.slug = 'satpolpp-banyumas' "
        "AND e.chain_seq = 7",
    )[0]
    query(
        db_file, "UPDATE alur_event SET note = 'diubah' WHERE tenant = ? AND chain_seq = 7", tenant
    )
    broken = run("audit verify")
    assert broken.exit_code == 1, broken.output
    assert (
        f"satpolpp-banyumas: chain broken at event #7: its content was changed after it was "
        f"written (case {key}, event {seq} of the case" in broken.stdout
    )
    assert "kesbangpol-pekalongan: " in broken.stdout
    assert "FAILED: 1 of 4" in broken.stderr
    ok(run("audit verify --tenant kesbangpol-pekalongan"))
    assert run("audit verify --tenant satpolpp-banyumas").exit_code == 1
    usage_error(run("audit verify --tenant tidak-ada"), "office tidak-ada not found")


def test_audit_verify_notices_a_removed_last_event(run, db_file: Path) -> None:
    ok(run("demo"))
    query(db_file, "DELETE FROM alur_event WHERE id = (SELECT max(id) FROM alur_event)")
    result = run("audit verify")
    assert result.exit_code == 1
    assert "events at the end of the chain are missing" in result.stdout


def test_demo_on_postgresql(run, fresh_databases) -> None:
    url = fresh_databases.url("postgresql", migrated=False)
    out = ok(run("demo", url=url)).stdout
    assert "Created 4 office(s)" in out
    assert DEMO_PASSWORD in out
    listed = json.loads(ok(run("tenants list --format json", url=url)).stdout)
    assert [t["cases"] for t in listed] == [{"total": 4 + HISTORY_CASES, "active": 3}] * 3 + [
        {"total": 1 + HISTORY_CASES, "active": 1}  # satpolpp-cilacap: its one running case
    ]
    assert "nothing created" in ok(run("demo", url=url)).stdout
    assert ok(run("audit verify", url=url)).stdout.count("chain intact") == 4


# --- what the demo cases show ----------------------------------------------------------------

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=JAKARTA)  # a Wednesday


@pytest.mark.anyio
async def test_demo_cases_are_in_their_states(database: Database, installed: AlurPlugins) -> None:
    report = await provision_demo(installed, db=database, now=NOW)
    assert report.created_cases == 12 + 1 + 4 * HISTORY_CASES
    assert report.created_logins == 1 + 9 + 8 + 9 + 9
    for t in report.tenants[:3]:  # the institutions; Satpol PP Cilacap: its own test
        service = await TenantService.open(database, installed, t.slug)
        stories = {c.story: await service.case(c.key) for c in t.cases}
        assert stories["selesai"].status == "finished"
        started = stories["baru dimulai"].state
        assert [task.step for task in started.open_tasks.values()] == [1]
        waiting = stories["menunggu bidang"].state
        assert waiting.fan_out is not None
        assert waiting.fan_out.arrived
        assert waiting.fan_out.waiting_for
        returned = stories["dikembalikan"].state
        assert RETURN_NOTE in {task.return_note for task in returned.open_tasks.values()}
        for c in t.cases:
            history = await service.history(c.key)
            assert all(e.at <= NOW for e in history)
            assert history[0].at < history[-1].at or c.story == "baru dimulai"
        returned_key = stories["dikembalikan"].key
        decided = [e for e in await service.history(returned_key) if e.kind == "gate_decided"]
        assert decided[-1].payload["answer"] == "tidak"
        assert decided[-1].note == RETURN_NOTE
        assert (await CaseStore(database).verify_chain(service.ref)).ok
    events = await Event.count()
    again = await provision_demo(installed, db=database, now=NOW)
    assert not again.created_anything
    assert all(not login.created for login in again.logins)
    assert (await Tenant.count(), await User.count()) == (4, 35)
    assert (await Case.count(), await Event.count()) == (13 + 4 * HISTORY_CASES, events)


@pytest.mark.anyio
async def test_demo_inboxes_have_work(database: Database, installed: AlurPlugins) -> None:
    await provision_demo(installed, db=database, now=NOW)
    service = await TenantService.open(
        database, installed, "satpolpp-banyumas", clock=lambda: datetime.now(UTC)
    )
    staf = await User.select(User.id).where(User.username == "satpolpp.staf").first()
    inbox = await service.inbox(staf["id"])
    assert {i.step for i in inbox} >= {1}  # the new case and the returned draft
    assert any(i.return_note == RETURN_NOTE for i in inbox)
    kabid = await User.select(User.id).where(User.username == "satpolpp.kabid.sda").first()
    waiting = await service.inbox(kabid["id"])
    assert [(i.step, i.unit) for i in waiting] == [(4, "sda")]  # its bidang is not done yet
