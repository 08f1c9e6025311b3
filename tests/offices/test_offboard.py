"""Offboarding an office (issue 15): suspended → exported → deleted, on SQLite and PostgreSQL.

Each step is refused until the one before it is done (and the export must hold the chain
as it is when the office is deleted), each is recorded on the platform-level log, which
``alur audit verify`` checks, and the delete leaves no row of the office — nor its people,
except one who also works in another office.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from alur.cli.main import cli
from alur.core import AlurPlugins, create_plugin_manager
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import TenantSuspended
from alur.tenants.offices.export import office_ref
from alur.tenants.offices.offboarding import OFFICE_TABLES
from alur.tenants.storage.database import close_database, open_database
from tests.audit.test_audit_tamper import OFFICE, alur, one, sql

pytestmark = pytest.mark.usefixtures("cheap_hasher")
OTHER_OFFICE = "kesbangpol-pekalongan"


@pytest.fixture(scope="module")
def two_offices() -> AlurPlugins:
    return create_plugin_manager(environ={"ALUR_DISABLE_PLUGINS": "biro_organisasi_kalbar"})


def refused(url: str, plugins: AlurPlugins, *args: str) -> str:
    result = alur(url, plugins, *args)
    assert result.exit_code == 2, result.output
    return result.output


def ok(url: str, plugins: AlurPlugins, *args: str, typed: str | None = None) -> str:
    result = CliRunner().invoke(
        cli,
        list(args),
        obj=lambda: plugins,
        env={"ALUR_DATABASE_URL": url, "COLUMNS": "250"},
        input=typed,
    )
    assert result.exit_code == 0, result.output
    return result.output


def start_case(url: str, plugins: AlurPlugins) -> None:
    async def work() -> None:
        db = await open_database(url)
        try:
            service = await TenantService.open(db, plugins, OFFICE)
            await service.start_case(1, "pengumpulan-data-kinerja", "Triwulan I 2027")
        finally:
            await close_database(db)

    asyncio.run(work())


def test_offboarding_walk(database_url: str, two_offices: AlurPlugins, tmp_path: Path) -> None:
    url, plugins = database_url, two_offices
    ok(url, plugins, "demo")
    tenant = one(url, "SELECT id FROM alur_tenant WHERE slug = {}", OFFICE)
    other = one(url, "SELECT id FROM alur_tenant WHERE slug = {}", OTHER_OFFICE)
    staf = one(url, "SELECT id FROM alur_user WHERE username = 'satpolpp.staf'")
    sql(
        url,
        'INSERT INTO alur_membership (tenant, "user", role, administrator) VALUES ({}, {}, {}, {})',
        other,
        staf,
        "staf",
        False,
    )
    admin = one(url, "SELECT id FROM alur_user WHERE username = 'satpolpp.admin'")
    for key, uid in (("s-admin", admin), ("s-staf", staf)):  # signed in on the web
        sql(
            url,
            "INSERT INTO alur_session (session_id, data, expires_at) VALUES ({}, {}, {})",
            key,
            json.dumps({"uid": uid}).encode(),
            datetime.now(UTC) + timedelta(hours=1),
        )
    kepala = one(url, "SELECT id FROM alur_user WHERE username = 'satpolpp.kepala_satuan'")
    sql(  # an SOP revision of the office, approved by one of its people
        url,
        "INSERT INTO alur_sop_revision (tenant, plugin, sop_id, number, base_hash, approved_by) "
        "VALUES ({}, {}, {}, {}, {}, {})",
        tenant,
        "satpolpp_banyumas",
        "pengumpulan-data-kinerja",
        0,
        "x",
        kepala,
    )
    delete = ("tenants", "offboard", OFFICE, "--delete", "--confirm", OFFICE)
    assert "it is not suspended" in refused(url, plugins, *delete)

    ok(url, plugins, "tenants", "offboard", OFFICE, "--suspend")
    with pytest.raises(TenantSuspended):
        start_case(url, plugins)
    assert "no export holds its current chain" in refused(url, plugins, *delete)

    first = tmp_path / "first.zip"
    ok(url, plugins, "tenants", "offboard", OFFICE, "--export", str(first))
    assert "chain intact" in ok(url, plugins, "audit", "verify", "--archive", str(first))
    wrong = ("tenants", "offboard", OFFICE, "--delete", "--confirm", "salah")
    assert "is not its slug" in refused(url, plugins, *wrong)
    # something happens after the export: the export no longer holds the chain
    ok(url, plugins, "tenants", "resume", OFFICE)
    ok(url, plugins, "tenants", "offboard", OFFICE, "--suspend")
    assert "no export holds its current chain" in refused(url, plugins, *delete)

    second = tmp_path / "second.zip"
    ok(url, plugins, "tenants", "offboard", OFFICE, "--export", str(second))
    done = ok(url, plugins, "tenants", "offboard", OFFICE, "--delete", typed=f"{OFFICE}\n")
    assert "deleted, with 8 people who belonged to no other office" in done

    for table in (*OFFICE_TABLES[1:], "alur_tenant"):
        column = "id" if table == "alur_tenant" else "tenant"
        assert one(url, f"SELECT COUNT(*) FROM {table} WHERE {column} = {{}}", tenant) == 0, table
    people = {r[0] for r in sql(url, "SELECT username FROM alur_user")}
    assert "satpolpp.staf" in people
    assert [r[0] for r in sql(url, "SELECT session_id FROM alur_session")] == ["s-staf"]
    assert not {p for p in people if p.startswith("satpolpp.") and p != "satpolpp.staf"}
    log = sql(url, "SELECT action, office FROM alur_platform_event ORDER BY seq")
    assert [a for a, _ in log] == [
        "suspended",
        "exported",
        "resumed",
        "suspended",
        "exported",
        "deleted",
    ]
    verified = ok(url, plugins, "audit", "verify")
    assert "platform log: 6 events, chain intact" in verified
    # the log is chained: an entry changed afterwards is caught
    sql(url, "UPDATE alur_platform_event SET office = 'lain' WHERE seq = 2")
    broken = alur(url, plugins, "audit", "verify")
    assert broken.exit_code == 1
    assert "platform log: chain broken at event #2" in broken.output


def record_in_other_office(url: str, plugins: AlurPlugins, actor: str) -> None:
    """Someone of the deleted office once acted in the other office (its history names them
    by id, as text: no foreign key keeps them)."""

    async def work() -> None:
        db = await open_database(url)
        try:
            async with write_transaction(db):
                ref, _ = await office_ref(OTHER_OFFICE)
                await record_office_change(
                    db, ref, "letterhead_changed", actor=actor, actor_name="Kepala"
                )
        finally:
            await close_database(db)

    asyncio.run(work())


def test_people_other_offices_history_names_are_deactivated_not_deleted(
    database_url: str, two_offices: AlurPlugins, tmp_path: Path
) -> None:
    url, plugins = database_url, two_offices
    ok(url, plugins, "demo")
    kepala = one(url, "SELECT id FROM alur_user WHERE username = 'satpolpp.kepala_satuan'")
    record_in_other_office(url, plugins, str(kepala))
    ok(url, plugins, "tenants", "offboard", OFFICE, "--suspend", "--export", str(tmp_path / "a"))
    done = ok(url, plugins, "tenants", "offboard", OFFICE, "--delete", "--confirm", OFFICE)
    assert "deleted, with 8 people who belonged to no other office" in done  # 9 in the office
    names = "deactivated (not deleted: other offices' history names them): satpolpp.kepala_satuan"
    assert names in done
    rows = sql(url, "SELECT id, active FROM alur_user WHERE username = 'satpolpp.kepala_satuan'")
    assert [(r[0], bool(r[1])) for r in rows] == [(kepala, False)]
    assert not {
        r[0]
        for r in sql(url, "SELECT username FROM alur_user")
        if r[0].startswith("satpolpp.") and r[0] != "satpolpp.kepala_satuan"
    }
    ok(url, plugins, "audit", "verify")
