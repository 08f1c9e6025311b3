"""``alur sop migrate`` on SQLite and PostgreSQL: the dry run prints what would happen and
writes nothing; the move moves; a refused case exits 1; wrong input exits 2."""

from __future__ import annotations

import anyio
import pytest
from click.testing import CliRunner, Result

from alur.cli.main import cli
from alur.tenants.cases.service import TenantService
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Case, Event
from tests.sop_life.test_revisions import SOP, office

pytestmark = pytest.mark.usefixtures("cheap_hasher")


def prepare(url: str, installed) -> str:
    """An office with a running case and, approved after it started, a revision in force
    today that gives step 1 "4 hari"; the case's key."""

    async def work() -> str:
        db = await open_database(url, run_migrations=False)
        try:
            slug, admin, kepala, staf = await office(installed, db)
            service = await TenantService.open(db, installed, slug)
            case = await service.start_case(staf, SOP, "Triwulan I 2027")
            drafts = SopRevisions(service, admin)
            draft = await drafts.start_draft(SOP)
            draft = await drafts.save_draft(
                SOP,
                0,
                {"steps": [{"number": 1, "waktu": "4 hari"}]},
                effective_on=service.today().isoformat(),
                version=draft.version,
            )
            draft = await drafts.submit(SOP, 0, version=draft.version)
            await SopRevisions(service, kepala).approve(
                SOP, 0, version=draft.version, password="rahasia-2026"
            )
            return case.key
        finally:
            await close_database(db)

    return anyio.run(work)


def migrations(url: str) -> tuple[int, str]:
    async def work() -> tuple[int, str]:
        db = await open_database(url, run_migrations=False)
        try:
            count = await Event.count().where(Event.kind == "case_migrated")
            row = await Case.select(Case.definition_hash).first()
            return count, row["definition_hash"]
        finally:
            await close_database(db)

    return anyio.run(work)


def alur(installed, url: str, *args: str) -> Result:
    env = {"ALUR_DATABASE_URL": url, "COLUMNS": "200"}
    return CliRunner().invoke(cli, list(args), obj=lambda: installed, env=env)


def test_dry_run_then_move(installed, database_url) -> None:
    key = prepare(database_url, installed)
    base = ["sop", "migrate", "--tenant", "satpolpp-cilacap", "--case", key]
    admin = ["--as", "admin.satpolpp-cilacap"]
    dry = alur(installed, database_url, *base, *admin, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"Case {key} (Triwulan I 2027)" in dry.output
    assert "-> Revisi ke-0: can move" in dry.output
    assert "keeps  task 1 at step 1 (Staf)" in dry.output
    before = migrations(database_url)
    assert before[0] == 0
    moved = alur(installed, database_url, *base, *admin)
    assert moved.exit_code == 0, moved.output
    assert ": moved" in moved.output
    count, definition_hash = migrations(database_url)
    assert count == 1
    assert definition_hash != before[1]
    again = alur(installed, database_url, *base, *admin)
    assert again.exit_code == 1
    assert "already runs" in again.output
    audit = alur(installed, database_url, "audit", "verify", "--tenant", "satpolpp-cilacap")
    assert audit.exit_code == 0, audit.output


def test_wrong_input_exits_2(installed, database_url) -> None:
    key = prepare(database_url, installed)
    base = ["sop", "migrate", "--tenant", "satpolpp-cilacap", "--case", key]
    for args, text in (
        (["--as", "staf.satpolpp-cilacap"], "you may not move running cases"),
        (["--as", "nobody"], "user nobody not found"),
        (["--as", "admin.satpolpp-cilacap", "--map", "x"], "--map: write a step mapping"),
    ):
        result = alur(installed, database_url, *base, *args)
        assert result.exit_code == 2, result.output
        assert text in result.output
