"""People: argon2 passwords, credentials and memberships. Plt/Plh delegations: test_delegations.py."""

from __future__ import annotations

from datetime import date

import pytest

from alur.core import AlurPlugins
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.belonging import actor_for
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import (
    authenticate,
    check_new_credentials,
    create_operator,
    create_user,
    hash_password,
    verify_password,
)
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import User
from tests.identity.identity_helpers import PLUGIN, Office

USERNAME_RULE = "use 2–64 lowercase letters, digits, dots, dashes or underscores"


pytestmark = pytest.mark.anyio


# --- passwords (no database) -------------------------------------------------------------


def test_passwords_are_argon2id_hashes() -> None:
    first = hash_password("rahasia-negara-1")
    assert first.startswith("$argon2id$")
    assert "rahasia" not in first
    assert hash_password("rahasia-negara-1") != first  # salted
    assert verify_password(first, "rahasia-negara-1")
    assert not verify_password(first, "rahasia-negara-2")
    assert not verify_password(first, "")
    assert not verify_password("not a hash", "rahasia-negara-1")


@pytest.mark.parametrize(
    "username", ["", "a", "Budi", "budi santoso", "-budi", ".budi", "budí", "x" * 65, "a/b"]
)
def test_bad_usernames_are_explained(username: str) -> None:
    assert check_new_credentials(username, "rahasia-123") == {"username": USERNAME_RULE}


@pytest.mark.parametrize(
    "username", ["ab", "budi", "budi.santoso", "satpolpp.kabid.linmas", "b_2-x"]
)
def test_good_usernames_pass(username: str) -> None:
    assert check_new_credentials(username, "rahasia-123") == {}


@pytest.mark.parametrize("password", ["", "1234567", "rahasia"])
def test_short_passwords_are_explained(password: str) -> None:
    assert check_new_credentials("budi", password) == {"password": "use at least 8 characters"}
    assert check_new_credentials("budi", "12345678") == {}


# --- users, operators, authentication -------------------------------------------------------


async def test_create_user_reports_every_field_at_once(database: Database) -> None:
    with pytest.raises(InvalidInput) as raised:
        await create_user("Bad Name", "  ", "short")
    assert raised.value.errors == {
        "username": USERNAME_RULE,
        "password": "use at least 8 characters",
        "name": "give the person's name",
    }
    await create_user("budi", "Budi Santoso", "rahasia-123")
    with pytest.raises(InvalidInput) as raised:
        await create_user("budi", "Budi Lain", "rahasia-456")
    assert raised.value.errors == {"username": "this username cannot be used: choose another"}
    assert await User.count() == 1


async def test_create_operator_validates(database: Database) -> None:
    op = await create_operator("operator", "Tim TI Provinsi", "rahasia-123")
    assert op.password_hash.startswith("$argon2id$")
    with pytest.raises(InvalidInput) as raised:
        await create_operator("operator", "", "rahasia-123")
    assert raised.value.errors == {"username": '"operator" is already taken'}
    with pytest.raises(InvalidInput) as raised:
        await create_operator("Op", "", "short")
    assert set(raised.value.errors) == {"username", "password"}


async def test_authenticate(database: Database) -> None:
    user = await create_user("budi", "Budi Santoso", "rahasia-123", nip="198001012005011001")
    stored = await User.select(User.password_hash).where(User.id == user.id).first()
    assert stored["password_hash"].startswith("$argon2id$")
    found = await authenticate("budi", "rahasia-123")
    assert found is not None
    assert found.id == user.id
    assert await authenticate("budi", "rahasia-124") is None
    assert await authenticate("budi", "") is None
    assert await authenticate("tidak-ada", "rahasia-123") is None
    await User.update({User.active: False}).where(User.id == user.id)
    assert await authenticate("budi", "rahasia-123") is None


# --- memberships ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "unit", "message"),
    [
        ("kabid", None, "Kabid works per unit: choose the unit"),
        ("staf", "linmas", "Staf is not a per-unit role: leave the unit empty"),
        ("kabid", "nowhere", 'no unit "nowhere" in this office'),
        ("kabid", "ideologi", 'no unit "ideologi" in this office'),  # another office's unit
        (None, None, "choose a role or make the user an administrator"),
    ],
)
async def test_membership_validation(
    office: Office, installed: AlurPlugins, role: str | None, unit: str | None, message: str
) -> None:
    await create_tenant(installed, "kesbangpol-pekalongan", "Kesbangpol", "kesbangpol_pekalongan")
    user = await create_user("baru", "Pegawai Baru", "rahasia-123")
    roles = {r.id: r for r in installed.get(PLUGIN).roles}
    with pytest.raises(InvalidInput) as raised:
        await add_membership(office.tenant_id, user.id, roles.get(role or ""), unit)
    field = "role" if role is None else "unit"
    assert raised.value.errors == {field: message}
    with pytest.raises(NotFound):  # nothing was added
        await actor_for(office.tenant_id, user.id, date(2026, 11, 23))


async def test_memberships_make_the_actor(office: Office) -> None:
    actor = await actor_for(office.tenant_id, office.people["kabid.linmas"], date(2026, 11, 23))
    assert [(m.role, m.unit, m.delegation) for m in actor.memberships] == [
        ("kabid", "linmas", None)
    ]
    assert not actor.administrator
    admin = await create_user("admin", "Admin Satpol PP", "rahasia-123")
    await add_membership(office.tenant_id, admin.id, None, administrator=True)
    actor = await actor_for(office.tenant_id, admin.id, date(2026, 11, 23))
    assert actor.administrator
    assert actor.memberships == ()
    stranger = await create_user("stranger", "Orang Lain", "rahasia-123")
    with pytest.raises(NotFound):
        await actor_for(office.tenant_id, stranger.id, date(2026, 11, 23))
