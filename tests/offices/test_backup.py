"""Backups are restored and their chains verify (issue 15, "Backups and restore").

SQLite: ``alur backup`` copies the database while another process keeps writing to it; the
copy verifies, and holds the chain as it was at one moment. PostgreSQL: a real
``pg_basebackup`` (with its WAL) of a running server is started as a new server in its own
data directory, and ``alur audit verify`` passes on it; ``--anchors`` with an anchor taken
after more writes shows what the restore lost.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alur.core import AlurPlugins
from alur.tenants.testing.postgres import ROLE, TemporaryPostgres
from alur.tenants.testing.postgres_host import free_port
from tests.audit import test_audit_tamper as tamper
from tests.audit.test_audit_tamper import OFFICE, alur, one

banyumas = tamper.banyumas  # the demo office's plugin only

pytestmark = pytest.mark.usefixtures("cheap_hasher")

WRITER = """
import asyncio, sys
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.cases.store import TenantRef
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Tenant

async def main(count):
    db = await open_database(sys.argv[1])
    try:
        row = await Tenant.select(Tenant.id).where(Tenant.slug == sys.argv[2]).first()
        ref = TenantRef(row["id"], sys.argv[2])
        for i in range(count):
            async with write_transaction(db):
                await record_office_change(db, ref, "backup_test", actor="operator:test",
                                           actor_name="test", details={"i": i})
            print(i, flush=True)
    finally:
        await close_database(db)

asyncio.run(main(int(sys.argv[3])))
"""
WRITES = 300


def ok(url: str, plugins: AlurPlugins, *args: str) -> str:
    result = alur(url, plugins, *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_sqlite_backup_while_the_app_writes(tmp_path: Path, banyumas: AlurPlugins) -> None:
    url = f"sqlite:///{tmp_path / 'alur.db'}"
    ok(url, banyumas, "demo")
    before = one(url, "SELECT chain_seq FROM alur_tenant WHERE slug = {}", OFFICE)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, OFFICE, str(WRITES)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert writer.stdout is not None
        for _ in range(20):  # the writer is under way before the backup starts
            writer.stdout.readline()
        copy = tmp_path / "backup.db"
        ok(url, banyumas, "backup", "--output", str(copy))
        assert writer.wait(timeout=120) == 0
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    backup_url = f"sqlite:///{copy}"
    assert "chain intact" in ok(backup_url, banyumas, "audit", "verify")
    copied = one(backup_url, "SELECT chain_seq FROM alur_tenant WHERE slug = {}", OFFICE)
    assert before + 20 <= copied <= before + WRITES
    assert one(url, "SELECT chain_seq FROM alur_tenant WHERE slug = {}", OFFICE) == before + WRITES


def test_sqlite_backup_refuses_postgresql(banyumas: AlurPlugins) -> None:
    result = alur("postgresql://alur@127.0.0.1:1/alur", banyumas, "backup", "--output", "x.db")
    assert result.exit_code == 2
    assert "use pg_basebackup" in result.output


def test_postgresql_base_backup_restores_and_verifies(
    tmp_path: Path,
    banyumas: AlurPlugins,
) -> None:
    settings = {"wal_level": "replica", "max_wal_senders": "4"}
    restored_port = None
    with TemporaryPostgres(settings=settings) as server:
        url = server.create_database("alur")
        ok(url, banyumas, "demo")
        assert server.dir is not None
        assert server.port is not None
        restored = server.dir / "restored"
        started = time.monotonic()
        done = subprocess.run(
            server._command(
                "pg_basebackup",
                *("-D", str(restored), "-X", "stream", "--checkpoint=fast", "--no-sync"),
                *("-h", "127.0.0.1", "-p", str(server.port), "-U", ROLE),
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        # more work after the backup, and an anchor of it kept elsewhere
        ok(url, banyumas, "tenants", "offboard", OFFICE, "--suspend")
        anchor = tmp_path / "anchor.json"
        ok(url, banyumas, "audit", "anchor", "--out", str(anchor))
        restored_port = free_port()
        start = subprocess.run(
            server._command(
                "pg_ctl",
                *("-D", str(restored), "-l", str(server.dir / "restored.log")),
                *("-w", "-t", "60", "-o", f"-p {restored_port}", "start"),
            ),
            capture_output=True,
            text=True,
            timeout=90,
        )
        try:
            assert start.returncode == 0, start.stderr + start.stdout
            restored_url = f"postgresql://{ROLE}@127.0.0.1:{restored_port}/alur"
            verified = ok(restored_url, banyumas, "audit", "verify")
            assert f"{OFFICE}: " in verified
            assert "platform log" not in verified  # the backup was taken before the suspend
            lost = alur(restored_url, banyumas, "audit", "verify", "--anchors", str(anchor))
            assert lost.exit_code == 1
            assert "the chain was cut short" in lost.output
            assert time.monotonic() - started < 120
        finally:
            subprocess.run(
                server._command("pg_ctl", "-D", str(restored), "-m", "immediate", "-w", "stop"),
                capture_output=True,
                timeout=60,
            )
