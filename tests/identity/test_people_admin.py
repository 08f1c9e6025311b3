"""The life of a person (alur.tenants.identity.people_admin), on SQLite and PostgreSQL:
edit, deactivate/reactivate, remove a role, end a Plt/Plh early — by an office's
administrator and by a platform operator — each refusal with its field message and nothing
written, each change on the office's chain (which still verifies)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from alur.core import AlurPlugins
from alur.core.engine import Claim
from alur.tenants.audit.office_log import office_changes
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.identity.belonging import actor_for, load_person, office_today
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.people_admin import PeopleAdmin
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.tables import Delegation, Membership, User
from tests.identity.identity_helpers import Office, wib

pytestmark = pytest.mark.anyio
SOP = "pengumpulan-data-kinerja"


async def admin_of(o: Office, key: str = "sekretaris") -> PeopleAdmin:
    """``key`` made the office's administrator, and their administration of people."""
    await add_membership(o.tenant_id, o.people[key], None, administrator=True)
    return await PeopleAdmin.office_admin(o.service.db, o.tenant_id, o.people[key])


async def username(user_id: int) -> str:
    return (await User.select(User.username).where(User.id == user_id).first())["username"]


async def verified(o: Office) -> None:
    report = await o.service.store.verify_chain(o.service.ref)
    assert report.ok, str(report)


async def test_only_an_administrator_of_the_office_administers_people(office: Office) -> None:
    with pytest.raises(Forbidden):
        await PeopleAdmin.office_admin(office.service.db, office.tenant_id, office.people["staf"])


async def test_editing_lists_every_problem_and_changes_nothing(office: Office) -> None:
    admin = await admin_of(office)
    staf = await username(office.people["staf"])
    with pytest.raises(InvalidInput) as refused:
        await admin.edit(
            staf,
            {
                "name": "  ",
                "nip": "19700101 199013 1 001",  # month 13
                "email": "not-an-address",
                "whatsapp": "12",
                "pangkat": "x" * 101,
            },
        )
    assert set(refused.value.errors) == {"name", "nip", "email", "whatsapp", "pangkat"}
    assert "TMT" in refused.value.errors["nip"]
    row = await User.select(User.name, User.nip).where(User.username == staf).first()
    assert row == {"name": office.names["staf"], "nip": ""}
    assert await office_changes(office.tenant_id) == []


async def test_an_edit_is_stored_and_recorded_on_the_chain(office: Office) -> None:
    admin = await admin_of(office)
    staf = await username(office.people["staf"])
    changed = await admin.edit(
        staf,
        {
            "name": "Budi Santoso, S.E.",
            "nip": "19700101 199003 1 001",
            "jabatan": "Analis Kinerja",
            "pangkat": "Penata, III/c",
            "email": "budi@example.org",
            "whatsapp": "0812 3456 7890",
        },
        note="SK mutasi",
    )
    assert set(changed) == {"name", "nip", "jabatan", "pangkat", "email", "whatsapp"}
    row = await User.select(User.name, User.nip, User.whatsapp).where(User.username == staf)
    assert row == [
        {"name": "Budi Santoso, S.E.", "nip": "197001011990031001", "whatsapp": "+6281234567890"}
    ]
    [change] = await office_changes(office.tenant_id)
    assert (change.change, change.note, change.actor) == (
        "person_edited",
        "SK mutasi",
        str(office.people["sekretaris"]),
    )
    assert change.details["user"] == staf
    assert change.details["changed"]["nip"] == ["", "197001011990031001"]
    assert await admin.edit(staf, {"nip": "197001011990031001"}) == []  # nothing new
    assert len(await office_changes(office.tenant_id)) == 1
    await verified(office)


async def test_deactivation_stops_the_person_at_once_and_is_reversible(office: Office) -> None:
    admin = await admin_of(office)
    staf_id = office.people["staf"]
    staf = await username(staf_id)
    case = await office.service.start_case(staf_id, SOP, "Tahun 2031")
    task = min(case.state.open_tasks)
    await office.service.act(staf_id, case.key, Claim(task))
    held = await admin.set_active(staf, False, note="pensiun")
    assert [t["label"] for t in held] == [f"{case.key} #{task}"]  # to reassign
    assert not (await load_person(staf_id)).active
    with pytest.raises(NotFound):
        await actor_for(office.tenant_id, staf_id, wib(23).date())
    with pytest.raises(InvalidInput) as again:
        await admin.set_active(staf, False)
    assert set(again.value.errors) == {"user"}
    await admin.set_active(staf, True)
    assert (await load_person(staf_id)).active
    assert [c.change for c in await office_changes(office.tenant_id)] == [
        "person_reactivated",
        "person_deactivated",
    ]
    await verified(office)


async def test_deactivation_refuses_oneself_the_last_admin_and_other_offices_people(
    office: Office, installed: AlurPlugins
) -> None:
    admin = await admin_of(office)
    me = await username(office.people["sekretaris"])
    with pytest.raises(InvalidInput) as refused:
        await admin.set_active(me, False)
    assert "yourself" in refused.value.errors["user"]
    operator = await PeopleAdmin.operator(office.service.db, "it.provinsi")
    with pytest.raises(InvalidInput) as refused:
        await operator.set_active(me, False)
    assert "last active administrator" in refused.value.errors["user"]
    other = await create_tenant(installed, "dinas-lain", "Dinas Lain", "satpolpp_banyumas")
    kepala = office.people["kepala_satuan"]
    await add_membership(other.id, kepala, None, administrator=True)
    with pytest.raises(InvalidInput) as refused:
        await admin.set_active(await username(kepala), False)
    assert "another office" in refused.value.errors["user"]
    assert (await load_person(kepala)).active
    # The operator may: recorded on both offices' chains.
    await add_membership(other.id, office.people["staf"], None, administrator=True)
    await operator.set_active(await username(kepala), False)
    for tenant_id in (office.tenant_id, other.id):
        [change] = await office_changes(tenant_id)
        assert (change.change, change.actor) == ("person_deactivated", "operator:it.provinsi")
    await verified(office)


async def test_an_edit_by_the_operator_is_recorded_on_each_office(
    office: Office, installed: AlurPlugins
) -> None:
    other = await create_tenant(installed, "dinas-lain", "Dinas Lain", "satpolpp_banyumas")
    staf = office.people["staf"]
    await add_membership(other.id, staf, None, administrator=True)
    admin = await admin_of(office)
    with pytest.raises(InvalidInput) as refused:  # their contacts are their own
        await admin.edit(await username(staf), {"email": "x@example.org", "name": "Baru"})
    assert set(refused.value.errors) == {"email"}
    assert await admin.edit(await username(staf), {"name": "Nama Baru"}) == ["name"]
    operator = await PeopleAdmin.operator(office.service.db, "it.provinsi")
    assert await operator.edit(await username(staf), {"email": "x@example.org"}) == ["email"]
    assert [c.change for c in await office_changes(other.id)] == ["person_edited"]
    assert len(await office_changes(office.tenant_id)) == 2


async def test_removing_a_role_keeps_an_admin_and_the_holder_open_tasks_wait_on(
    office: Office,
) -> None:
    admin = await admin_of(office)
    me = await username(office.people["sekretaris"])
    with pytest.raises(InvalidInput) as refused:
        await admin.remove_role(me, office.tenant_id, "", None, administrator=True)
    assert "last active administrator" in refused.value.errors["role"]
    staf_id = office.people["staf"]
    staf = await username(staf_id)
    case = await office.service.start_case(staf_id, SOP, "Tahun 2032")
    with pytest.raises(InvalidInput) as refused:
        await admin.remove_role(staf, office.tenant_id, "staf", None)
    assert case.key in refused.value.errors["role"]
    with pytest.raises(InvalidInput) as refused:
        await admin.remove_role(staf, office.tenant_id, "kabid", "linmas")
    assert "does not hold" in refused.value.errors["role"]
    other = await create_user("staf.dua", "Staf Dua", "rahasia-123")
    await add_membership(office.tenant_id, other.id, office.service.sop(SOP).role("staf"))
    await admin.remove_role(staf, office.tenant_id, "staf", None, note="mutasi")
    assert not await Membership.exists().where(Membership.user == staf_id)
    [change] = await office_changes(office.tenant_id)
    assert (change.change, change.details) == (
        "role_removed",
        {"user": staf, "role": "staf", "unit": None},
    )
    # Administration given to a second person: now the first may lose theirs.
    await add_membership(office.tenant_id, office.people["kepala_satuan"], None, administrator=True)
    await admin.remove_role(me, office.tenant_id, "", None, administrator=True)
    assert await Membership.exists().where(Membership.user == office.people["sekretaris"])
    await verified(office)


async def acting(o: Office, key: str, on: date) -> list[str]:
    actor = await actor_for(o.tenant_id, o.people[key], on)
    return [m.role for m in actor.memberships if m.delegation is not None]


async def test_a_delegation_ended_early_ends_yesterday(office: Office) -> None:
    admin = await admin_of(office)
    today = office_today("Asia/Jakarta", datetime.now(UTC))
    row = await add_delegation(
        office.tenant_id,
        office.people["staf"],
        office.people["kepala_satuan"],
        "kepala_satuan",
        None,
        "Plh",
        today - timedelta(days=3),
        today + timedelta(days=10),
    )
    assert await acting(office, "staf", today) == ["kepala_satuan"]
    ended = await admin.end_delegation(row.id, note="kembali bertugas")
    assert await acting(office, "staf", today) == []  # at once
    stored = await Delegation.select(Delegation.ends_on).where(Delegation.id == row.id).first()
    assert ended["ends_on"] < today
    assert str(stored["ends_on"])[:10] == ended["ends_on"].isoformat()
    with pytest.raises(InvalidInput) as refused:
        await admin.end_delegation(row.id)
    assert "already ended" in refused.value.errors["delegation"]
    [change] = await office_changes(office.tenant_id)
    assert change.change == "delegation_ended"
    assert change.details["was_ending_on"] == (today + timedelta(days=10)).isoformat()
    with pytest.raises(NotFound):
        await admin.end_delegation(row.id + 1000)
    await verified(office)


async def test_creating_a_person_checks_the_nip_by_the_same_rule(office: Office) -> None:
    with pytest.raises(InvalidInput) as refused:  # 18 digits, but born on 30 February
        await create_user("baru", "Orang Baru", "rahasia-123", nip="197002301990031001")
    assert "date of birth" in refused.value.errors["nip"]
    user = await create_user("baru", "Orang Baru", "rahasia-123", nip="19700201 199003 2 001")
    assert user.nip == "197002011990032001"


async def test_the_people_lists_pangkat_and_contacts_forms_are_recorded_too(office: Office) -> None:
    await admin_of(office)
    admin = TenantAdmin(office.service, office.people["sekretaris"])
    await admin.set_person_pangkat(office.people["staf"], "Penata, III/c")
    await admin.set_person_contacts(office.people["staf"], "staf@example.org", "")
    changes = await office_changes(office.tenant_id)
    assert [(c.change, list(c.details["changed"])) for c in changes] == [
        ("person_edited", ["email"]),
        ("person_edited", ["pangkat"]),
    ]
    await verified(office)


async def test_a_reason_is_limited_like_every_note(office: Office) -> None:
    admin = await admin_of(office)
    staf = await username(office.people["staf"])
    with pytest.raises(InvalidInput) as refused:
        await admin.edit(staf, {"jabatan": "Analis"}, note="x\x00")
    assert set(refused.value.errors) == {"note"}
    with pytest.raises(InvalidInput) as refused:
        await admin.remove_role(staf, office.tenant_id, "staf", None, note="n" * 10_001)
    assert set(refused.value.errors) == {"note"}
    assert await office_changes(office.tenant_id) == []


async def test_creating_a_person_and_granting_a_role_or_a_plt_are_recorded(office: Office) -> None:
    await admin_of(office)
    admin = TenantAdmin(office.service, office.people["sekretaris"])
    created = await admin.create_person("baru", "Orang Baru", "rahasia-123", role_id="staf")
    await admin.grant_role(created.id, "kabid", "linmas")
    today = office_today("Asia/Jakarta", datetime.now(UTC))
    await admin.delegate(
        created.id,
        office.people["kepala_satuan"],
        "kepala_satuan",
        None,
        "Plh",
        today,
        today + timedelta(days=3),
    )
    changes = await office_changes(office.tenant_id)
    assert [(c.change, c.details["user"], c.actor) for c in changes] == [
        ("delegation_granted", "baru", str(office.people["sekretaris"])),
        ("role_granted", "baru", str(office.people["sekretaris"])),
        ("person_created", "baru", str(office.people["sekretaris"])),
    ]
    assert changes[0].details["official"] == await username(office.people["kepala_satuan"])
    await verified(office)
