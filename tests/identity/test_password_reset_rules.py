"""Who may reset whose password (review of issue 15), on SQLite and PostgreSQL: an office
administrator only a person whose every office is theirs (a reset lets its maker sign in as
the person everywhere), the operator anyone (recorded on every office of the person); an
unusable username or slug is "not found", never sent to the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from alur.cli.main import cli
from alur.core import create_plugin_manager
from alur.tenants.audit.office_log import office_changes
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.passwords import (
    office_ref,
    reset_operator_password,
    reset_password,
)
from alur.tenants.identity.throttle import ThrottleRules
from alur.tenants.offices import export
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Membership, Tenant, User
from alur.web.app import create_app
from alur.web.settings import WebSettings
from tests.identity.password_helpers import (
    OFFICE,
    ONE_TIME,
    OTHER,
    call,
    provision,
    reset_on_web,
    signed_in_as,
)

pytestmark = pytest.mark.usefixtures("cheap_hasher")
RULES = ThrottleRules(per_username=3, per_address=50, window_seconds=600)
ELSEWHERE = "Orang ini juga bekerja di kantor lain"


async def _ids() -> tuple[dict[str, int], dict[str, int]]:
    offices = {r["slug"]: r["id"] for r in await Tenant.select(Tenant.id, Tenant.slug)}
    people = {r["username"]: r["id"] for r in await User.select(User.id, User.username)}
    return offices, people


async def _also_admin_of_other(username: str) -> None:
    offices, people = await _ids()
    await add_membership(offices[OTHER], people[username], None, administrator=True)


async def _plh_in_other(username: str, starts_on: date, ends_on: date) -> None:
    """``username`` acts as Plh of ``sari`` (the Staf of OTHER) from ``starts_on``."""
    offices, people = await _ids()
    unit = (
        await Membership.select(Membership.unit.slug.as_alias("unit"))
        .where(Membership.user == people["sari"])
        .first()
    )
    await add_delegation(
        offices[OTHER], people[username], people["sari"], "staf", unit["unit"], "Plh",
        starts_on, ends_on,
    )  # fmt: skip


def _changes(c: TestClient, slug: str) -> list:
    async def read() -> list:
        offices, _ = await _ids()
        return await office_changes(offices[slug])

    return call(c, read)


def _must_change(c: TestClient, username: str) -> bool:
    row = call(c, lambda: User.select().where(User.username == username).first())
    return bool(row["must_change_password"])


@pytest.fixture
def c(database_url: str) -> Iterator[TestClient]:
    import asyncio

    asyncio.run(provision(database_url))
    settings = WebSettings(database_url=database_url, secret_key="k" * 40, login_throttle=RULES)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_an_office_admin_cannot_reset_a_person_of_another_office_too(c: TestClient) -> None:
    call(c, _also_admin_of_other, "budi")  # budi: Staf here, administrator of OTHER
    signed_in_as(c, "admin")
    refused = reset_on_web(c, "budi")
    assert refused.status_code == 422, refused.text[:500]
    assert ELSEWHERE in refused.text
    assert ONE_TIME.search(refused.text) is None
    assert not _must_change(c, "budi")
    assert _changes(c, OFFICE) == []
    assert _changes(c, OTHER) == []


def test_a_current_or_coming_plt_plh_elsewhere_is_refused_an_ended_one_is_not(
    c: TestClient,
) -> None:
    today = datetime.now(UTC).date()
    call(c, _plh_in_other, "budi", today + timedelta(days=3), today + timedelta(days=9))
    signed_in_as(c, "admin")
    assert reset_on_web(c, "budi").status_code == 422  # a Plh that has not begun yet
    assert not _must_change(c, "budi")

    async def service_reset(when: datetime) -> object:
        _offices, people = await _ids()
        return await reset_password(
            c.app.state["services"].db,
            "budi",
            actor=str(people["admin"]),
            actor_name="Admin Kantor",
            office=(await office_ref(OFFICE)),
            admin_id=people["admin"],
            now=when,
        )

    with pytest.raises(InvalidInput) as raised:
        call(c, service_reset, datetime.now(UTC) + timedelta(days=5))  # during it
    assert "another office" in str(raised.value.errors["user"])
    after = datetime.now(UTC) + timedelta(days=12)  # once it has ended
    assert call(c, service_reset, after).username == "budi"
    assert [r.change for r in _changes(c, OFFICE)] == ["password_reset"]
    assert _changes(c, OTHER) == []


def test_the_operator_resets_anyone_recorded_on_every_office(database_url: str) -> None:
    import asyncio

    async def setup() -> None:
        await provision(database_url)
        db = await open_database(database_url)
        try:
            await _also_admin_of_other("budi")
        finally:
            await close_database(db)

    asyncio.run(setup())
    env = {"ALUR_DATABASE_URL": database_url, "COLUMNS": "250"}
    runner = CliRunner()
    for args in (["budi"], ["budi", "--tenant", OTHER]):
        done = runner.invoke(
            cli, ["users", "reset-password", *args], obj=create_plugin_manager, env=env
        )
        assert done.exit_code == 0, done.output
    settings = WebSettings(database_url=database_url, secret_key="k" * 40, login_throttle=RULES)
    with TestClient(create_app(settings)) as c:
        for slug in (OFFICE, OTHER):
            recorded = _changes(c, slug)
            assert [r.change for r in recorded] == ["password_reset"] * 2, slug
            assert all(r.by_operator and r.details["user"] == "budi" for r in recorded)


@pytest.mark.parametrize("username", ["bu%00di", "bu%01di", "%EF%BF%BD", "x" * 65])
def test_an_unusable_username_is_not_found_on_the_web(c: TestClient, username: str) -> None:
    signed_in_as(c, "admin")
    assert reset_on_web(c, username).status_code == 404


def test_unusable_keys_are_not_found_in_the_services(c: TestClient) -> None:
    db = c.app.state["services"].db
    for bad in ("bu\x00di", "bu\udcffdi", "\ufffd"):
        for lookup, args in (
            (reset_password, (db, bad)),
            (reset_operator_password, (bad,)),
            (office_ref, (bad,)),
            (export.office_ref, (bad,)),
        ):
            kwargs = {"actor": "x", "actor_name": "x"} if lookup is reset_password else {}
            with pytest.raises(NotFound):
                call(c, lookup, *args, **kwargs)
