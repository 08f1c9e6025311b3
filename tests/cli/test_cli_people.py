"""``alur users edit | deactivate | reactivate | remove-role | end-delegation`` on SQLite and
PostgreSQL: every problem listed with exit code 2 and nothing written, each change on the
chain of the person's offices, ``alur audit verify`` still passing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import anyio
import pytest

from alur.tenants.audit.office_log import office_changes
from alur.tenants.identity.memberships import add_delegation
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Tenant, User
from tests.cli.cli_helpers import ok, usage_error

PASSWORD = "rahasia-123"
pytestmark = pytest.mark.usefixtures("cheap_hasher")


def changes(url: str, slug: str) -> list:
    async def work() -> list:
        db = await open_database(url, run_migrations=False)
        try:
            tenant = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
            return await office_changes(tenant["id"])
        finally:
            await close_database(db)

    return anyio.run(work)


def delegate(url: str, slug: str, delegate: str, official: str, role: str) -> None:
    async def work() -> None:
        db = await open_database(url, run_migrations=False)
        try:
            tenant = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
            ids = {
                r["username"]: r["id"]
                for r in await User.select(User.id, User.username).where(
                    User.username.is_in([delegate, official])
                )
            }
            today = datetime.now(UTC).date()
            await add_delegation(
                tenant["id"],
                ids[delegate],
                ids[official],
                role,
                None,
                "Plh",
                today - timedelta(days=2),
                today + timedelta(days=5),
            )
        finally:
            await close_database(db)

    anyio.run(work)


def people(run, url: str) -> dict[str, dict]:
    listed = json.loads(ok(run("users list --format json", url=url)).stdout)
    return {p["username"]: p for p in listed}


def test_the_life_of_a_person_at_the_command_line(run, database_url: str) -> None:
    url = database_url
    for slug in ("satpol", "kesbang"):
        ok(run(f"tenants create --slug {slug} --name {slug} --plugin satpolpp_banyumas", url=url))
    create = f"users create --password {PASSWORD} --username"
    ok(run(f"{create} admin --name Admin --tenant satpol --admin", url=url))
    ok(run(f"{create} staf --name Staf --tenant satpol --role staf", url=url))
    ok(run(f"{create} kepala --name Kepala --tenant satpol --role kepala_satuan", url=url))
    ok(run("users add-role --username staf --tenant kesbang --role staf", url=url))
    usage_error(
        run(f"{create} baru --name Baru --nip 197002301990031001", url=url),
        "--nip: the first 8 digits of a NIP are the date of birth",
    )

    # edit: every problem at once, nothing written; then a change on both offices' chains
    usage_error(
        run("users edit staf --nip 19700101199013100 --email nope --name ''", url=url),
        "--nip: a NIP is 18 digits",
        "--email: not a valid email address",
        "--name: give the person's name",
    )
    assert people(run, url)["staf"]["name"] == "Staf"
    out = ok(run("users edit staf --nip '19700101 199003 1 001' --phone 081234567890", url=url))
    assert "Changed nip, phone of staf." in out.stdout
    assert people(run, url)["staf"]["nip"] == "197001011990031001"
    for slug in ("satpol", "kesbang"):
        change = changes(url, slug)[0]
        assert change.change == "person_edited"
        assert change.by_operator
    # the people created with a role, and the role added, are on the chains too
    assert [c.change for c in changes(url, "satpol")][1:] == ["person_created"] * 3
    assert [c.change for c in changes(url, "kesbang")][1:] == ["role_granted"]
    usage_error(run("users edit staf", url=url), "give at least one of")
    usage_error(run("users edit nobody --name X", url=url), "person nobody")

    # deactivate / reactivate
    out = ok(run("users deactivate staf --note pensiun", url=url)).stdout
    assert "deactivated" in out
    assert people(run, url)["staf"]["active"] is False
    usage_error(run("users deactivate staf", url=url), "already deactivated")
    usage_error(run("users deactivate admin", url=url), "last active administrator")
    ok(run("users reactivate staf --tenant satpol", url=url))
    assert people(run, url)["staf"]["active"] is True
    assert [c.change for c in changes(url, "satpol")][:2] == [
        "person_reactivated",
        "person_deactivated",
    ]
    assert [c.change for c in changes(url, "kesbang")][:2] == [
        "person_deactivated",  # --tenant satpol: the reactivation recorded there only
        "person_edited",
    ]

    # remove-role
    usage_error(run("users remove-role staf --tenant satpol", url=url), "--role")
    usage_error(
        run("users remove-role staf --tenant satpol --role kabid --unit linmas", url=url),
        "does not hold this role here",
    )
    ok(run("users remove-role staf --tenant kesbang --role staf", url=url))
    assert [m["tenant"] for m in people(run, url)["staf"]["roles"]] == ["satpol"]
    usage_error(
        run("users remove-role admin --tenant satpol --admin", url=url), "last active admin"
    )

    # end-delegation
    usage_error(
        run("users end-delegation staf --tenant satpol", url=url), "acts in no Plt/Plh here"
    )
    delegate(url, "satpol", "staf", "kepala", "kepala_satuan")
    out = ok(run("users end-delegation staf --tenant satpol --note kembali", url=url)).stdout
    assert "Ended Plh kepala_satuan: staf for kepala" in out
    usage_error(run("users end-delegation staf --tenant satpol", url=url), "acts in no")
    assert changes(url, "satpol")[0].change == "delegation_ended"

    verified = ok(run("audit verify", url=url)).stdout
    assert verified.count("chain intact") == 2
