"""The database commands of ``alur`` against a real SQLite file (and once PostgreSQL):
migrate, tenants, users, operators, demo and audit verify; and the demo's cases."""

from __future__ import annotations

import contextlib
import json
import shlex
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from alur.cli.main import cli
from alur.core import AlurPlugins
from alur.core.calendar import JAKARTA
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import CaseStore
from alur.tenants.demo.offices import DEMO_PASSWORD, RETURN_NOTE, provision_demo
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Event, Tenant, User

MIGRATIONS = Path(__file__).resolve().parents[2] / "tenants" / "storage" / "piccolo_migrations"

PASSWORD = "rahasia-123"
TABLES = (
    "alur_tenant",
    "alur_unit",
    "alur_user",
    "alur_operator",
    "alur_membership",
    "alur_case",
    "alur_task",
    "alur_event",
    "alur_attachment",
)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "alur.db"


@pytest.fixture
def run(installed: AlurPlugins, db_file: Path):
    """``run("tenants list", *more_args, input=None, url=None, columns=250)``: ``alur`` on
    the SQLite file (or ``url``) in a ``columns`` wide console; the command line is split
    like a shell does."""

    def invoke(
        command: str,
        *more: str,
        input: str | None = None,
        url: str | None = None,
        columns: int = 250,
    ) -> Result:
        env = {"ALUR_DATABASE_URL": url or f"sqlite:///{db_file}", "COLUMNS": str(columns)}
        args = [*shlex.split(command), *more]
        return CliRunner().invoke(cli, args, obj=lambda: installed, env=env, input=input)

    return invoke


def query(db_file: Path, sql: str, *params: object) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db_file)) as connection:
        rows = connection.execute(sql, params).fetchall()
        connection.commit()
        return rows


def counts(db_file: Path) -> dict[str, int]:
    return {t: query(db_file, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def usage_error(result: Result, *texts: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for text in texts:
        assert text in result.stderr


# --- migrate -------------------------------------------------------------------------------


def test_migrate_creates_the_file_then_has_nothing_to_do(run, db_file: Path) -> None:
    first = ok(run("migrate"))
    assert db_file.is_file()
    assert f"Database: sqlite:///{db_file}" in first.stdout
    migrations = len(list(MIGRATIONS.glob("alur_tenants_*.py")))
    assert f"Applied {migrations} migration(s):" in first.stdout
    assert query(db_file, "PRAGMA journal_mode") == [("wal",)]
    again = ok(run("migrate"))
    assert f"Up to date: all {migrations} migration(s) had already been applied." in again.stdout


def test_a_bad_database_url_is_a_usage_error(run) -> None:
    usage_error(run("migrate", url="mysql://x@y/z"), "ALUR_DATABASE_URL 'mysql://x@y/z'")


# --- tenants -------------------------------------------------------------------------------


def test_tenants_create_and_list(run) -> None:
    out = ok(run("tenants create --slug satpol-pp --name 'Satpol PP' --plugin satpolpp_banyumas"))
    out = out.stdout
    assert 'Created office "satpol-pp"' in out
    assert "Units: gakperda, tibumtranmas, linmas, sda" in out
    ok(
        run(
            "tenants create --slug kesbangpol --name 'Kesbangpol Kota Pekalongan' "
            "--plugin kesbangpol_pekalongan --sop pengumpulan-pengolahan-data-kinerja"
        )
    )
    listed = json.loads(ok(run("tenants list --format json")).stdout)
    assert [(t["slug"], t["plugin"], t["sops"]) for t in listed] == [
        ("kesbangpol", "kesbangpol_pekalongan", ["pengumpulan-pengolahan-data-kinerja"]),
        ("satpol-pp", "satpolpp_banyumas", []),
    ]
    assert listed[1]["units"] == ["gakperda", "tibumtranmas", "linmas", "sda"]
    assert listed[1]["cases"] == {"total": 0, "active": 0}
    table = ok(run("tenants list")).stdout
    assert "satpol-pp" in table
    assert "Kesbangpol Kota Pekalongan" in table


def test_tenants_list_when_empty(run) -> None:
    assert "No offices yet" in ok(run("tenants list")).stdout
    assert json.loads(ok(run("tenants list --format json")).stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "Satpol PP"], "--slug: use 2–63 lowercase letters, digits and dashes"),
        (["--slug", "ada"], '--slug: an office with slug "ada" already exists'),
        (["--name", "  "], "--name: give the office's name"),
        (["--plugin", "tidak_ada"], '--plugin: no plugin "tidak_ada" (installed: '),
        (["--sop", "tidak-ada"], "--sop: tidak-ada not in satpolpp_banyumas"),
    ],
)
def test_tenants_create_explains_each_bad_field(run, args: list[str], message: str) -> None:
    ok(run("tenants create --slug ada --name Ada --plugin satpolpp_banyumas"))
    given = {"--slug": "baru", "--name": "Kantor Baru", "--plugin": "satpolpp_banyumas"}
    given.update(dict(zip(args[::2], args[1::2], strict=True)))
    usage_error(run("tenants", "create", *[x for kv in given.items() for x in kv]), message)
    assert len(json.loads(run("tenants list --format json").stdout)) == 1


def test_tenants_create_reports_every_bad_field_at_once(run) -> None:
    result = run("tenants create --slug X --name '' --plugin nope")
    usage_error(result, "--slug: ", "--name: ", '--plugin: no plugin "nope"')


# --- users and operators -------------------------------------------------------------------


def office(run) -> None:
    ok(run("tenants create --slug satpol --name Satpol --plugin satpolpp_banyumas"))


def test_users_create_with_a_role_an_admin_and_none(run, db_file: Path) -> None:
    office(run)
    out = ok(
        run(
            "users create --username kabid.linmas --name 'Budi Santoso' --nip 198001012005011001 "
            f"--jabatan 'Kepala Bidang Linmas' --password {PASSWORD} "
            "--tenant satpol --role kabid --unit linmas"
        )
    ).stdout
    assert 'Created user "kabid.linmas" (Budi Santoso).' in out
    assert "Now Kabid (linmas) in satpol." in out
    admin = f"users create --username admin.satpol --name Admin --password {PASSWORD}"
    ok(run(admin, "--tenant", "satpol", "--admin"))
    ok(run(f"users create --username tamu --name Tamu --password {PASSWORD}"))
    listed = json.loads(ok(run("users list --format json")).stdout)
    assert [(u["username"], u["nip"], u["roles"]) for u in listed] == [
        (
            "admin.satpol",
            "",
            [{"tenant": "satpol", "role": "", "unit": None, "administrator": True}],
        ),
        (
            "kabid.linmas",
            "198001012005011001",
            [{"tenant": "satpol", "role": "kabid", "unit": "linmas", "administrator": False}],
        ),
        ("tamu", "", []),
    ]
    only = json.loads(ok(run("users list --tenant satpol --format json")).stdout)
    assert [u["username"] for u in only] == ["admin.satpol", "kabid.linmas"]
    hashes = [h for (h,) in query(db_file, "SELECT password_hash FROM alur_user")]
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_users_create_prompts_for_the_password_without_echoing_it(run, db_file: Path) -> None:
    secret = "sangat-rahasia-99"
    result = ok(run("users create --username budi --name Budi", input=f"{secret}\n{secret}\n"))
    assert "Password" in result.output
    assert "Repeat for confirmation" in result.output
    assert secret not in result.output
    (stored,) = query(db_file, "SELECT password_hash FROM alur_user")
    assert stored[0].startswith("$argon2id$")
    assert secret not in stored[0]


@pytest.mark.parametrize(
    ("changes", "extra", "messages"),
    [
        ({"--username": "Budi"}, [], ["--username: use 2–64 lowercase"]),
        ({"--password": "pendek"}, [], ["--password: use at least 8 characters"]),
        ({"--name": " "}, [], ["--name: give the person's name"]),
        ({}, ["--tenant", "satpol", "--role", "kabid"], ["--unit: Kabid works per unit"]),
        ({}, ["--tenant", "satpol", "--role", "kabid", "--unit", "x"], ['--unit: no unit "x"']),
        ({}, ["--tenant", "satpol", "--role", "raja"], ['--role: no role "raja" in plugin']),
        ({}, ["--tenant", "satpol"], ["--role: give --role ROLE"]),
        ({}, ["--role", "staf"], ["--tenant: name the office"]),
        ({}, ["--tenant", "tidak-ada", "--role", "staf"], ["Error: office tidak-ada not found"]),
    ],
)
def test_users_create_explains_bad_input_and_creates_nothing(
    run, db_file: Path, changes: dict[str, str], extra: list[str], messages: list[str]
) -> None:
    office(run)
    given = {"--username": "budi", "--name": "Budi", "--password": PASSWORD, **changes}
    args = [x for option in given.items() for x in option]
    usage_error(run("users", "create", *args, *extra), *messages)
    assert counts(db_file)["alur_user"] == 0  # not even when only the role is wrong


@pytest.mark.parametrize(
    ("extra", "messages"),
    [
        (
            ["--tenant", "satpol"],
            ["--username: use 2–64", "--password: use at least 8", "--role: give --role ROLE"],
        ),
        (
            ["--tenant", "satpol", "--role", "raja"],
            ["--username: use 2–64", "--password: use at least 8", '--role: no role "raja"'],
        ),
        (
            ["--role", "staf"],
            ["--username: use 2–64", "--name: ", "--password: ", "--tenant: name the office"],
        ),
    ],
)
def test_users_create_reports_every_bad_field_at_once(
    run, db_file: Path, extra: list[str], messages: list[str]
) -> None:
    office(run)
    name = " " if "--name: " in messages else "Budi"
    args = ["--username", "Budi", "--name", name, "--password", "pendek", *extra]
    result = run("users", "create", *args)
    usage_error(result, *messages)
    assert result.stderr.count("\n  --") == len(messages), result.stderr
    assert counts(db_file)["alur_user"] == 0


def test_users_add_role(run, db_file: Path) -> None:
    office(run)
    ok(run(f"users create --username sari --name Sari --password {PASSWORD}"))
    out = ok(run("users add-role --username sari --tenant satpol --role staf")).stdout
    assert "Now Staf in satpol." in out
    again = ok(run("users add-role --username sari --tenant satpol --role staf")).stdout
    assert "Already Staf in satpol: nothing to add." in again
    assert counts(db_file)["alur_membership"] == 1
    usage_error(
        run("users add-role --username nobody --tenant satpol --role staf"),
        "user nobody not found",
    )


def test_operators_create(run, db_file: Path) -> None:
    ok(run(f"operators create --username tim-ti --name 'Tim TI' --password {PASSWORD}"))
    usage_error(
        run(f"operators create --username tim-ti --password {PASSWORD}"),
        '--username: "tim-ti" is already taken',
    )
    assert query(db_file, "SELECT username, name FROM alur_operator") == [("tim-ti", "Tim TI")]


# --- demo and audit ------------------------------------------------------------------------

LOGINS = ("satpolpp.kabid.linmas", "kesbangpol.petugas", "biro.karo_organisasi", "operator")


def test_demo_twice_then_audit(run, db_file: Path) -> None:
    first = ok(run("demo")).stdout
    for text in (*LOGINS, DEMO_PASSWORD, "satpolpp-banyumas", "menunggu bidang", "Created 3"):
        assert text in first
    after_first = counts(db_file)
    assert after_first["alur_tenant"] == 3
    assert after_first["alur_case"] == 12
    assert after_first["alur_operator"] == 1
    assert after_first["alur_attachment"] > 0

    second = ok(run("demo")).stdout
    assert counts(db_file) == after_first
    assert "Everything was already there: nothing created." in second
    assert "already there" in second
    assert DEMO_PASSWORD in second
    assert all(login in second for login in LOGINS)

    verified = ok(run("audit verify")).stdout.splitlines()
    assert len(verified) == 3
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
    assert "FAILED: 1 of 3" in broken.stderr
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
    assert "Created 3 office(s)" in out
    assert DEMO_PASSWORD in out
    listed = json.loads(ok(run("tenants list --format json", url=url)).stdout)
    assert [t["cases"] for t in listed] == [{"total": 4, "active": 3}] * 3
    assert "nothing created" in ok(run("demo", url=url)).stdout
    assert ok(run("audit verify", url=url)).stdout.count("chain intact") == 3


# --- what the demo cases show ----------------------------------------------------------------

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=JAKARTA)  # a Wednesday


@pytest.mark.anyio
async def test_demo_cases_are_in_their_states(database: Database, installed: AlurPlugins) -> None:
    report = await provision_demo(installed, db=database, now=NOW)
    assert report.created_cases == 12
    assert report.created_logins == 1 + 9 + 8 + 9
    for t in report.tenants:
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
    assert (await Tenant.count(), await User.count()) == (3, 26)
    assert (await Case.count(), await Event.count()) == (12, events)


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


def test_tenants_list_piped_at_80_columns_keeps_slugs_whole(run, installed) -> None:
    slugs = []
    for p in installed.plugins():
        if p.ok and p.institution:
            slugs.append(p.institution.slug)
            name = f"{p.institution.name} ({p.institution.government})"
            ok(run("tenants", "create", "--slug", p.institution.slug, "--name", name,
                   "--plugin", p.name))  # fmt: skip
    assert "satpolpp-banyumas" in slugs
    listed = ok(run("tenants list", columns=80)).stdout  # CliRunner: not a terminal
    for identifier in [*slugs, *(p.name for p in installed.plugins() if p.ok)]:
        assert identifier in listed, f"{identifier!r} is broken:\n{listed}"
