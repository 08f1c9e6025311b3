"""The database commands of ``alur`` against a real SQLite file: migrate, tenants, users and
operators. The demo and ``audit verify``: test_cli_demo.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_helpers import counts, ok, query, usage_error

MIGRATIONS = Path(__file__).resolve().parents[2] / "tenants" / "storage" / "piccolo_migrations"


PASSWORD = "rahasia-123"


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
