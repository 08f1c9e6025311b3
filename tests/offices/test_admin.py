"""Tenant administration: only a tenant's administrators, with per-field validation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_operator, create_user
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.provisioning import calendar_for, create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Delegation, Membership, Tenant, User

pytestmark = pytest.mark.anyio


async def setup(installed, database: Database):
    tenant = await create_tenant(
        installed, "kesbangpol-pekalongan", "Kesbangpol", "kesbangpol_pekalongan"
    )
    other = await create_tenant(
        installed, "biro-organisasi-kalbar", "Biro Organisasi", "biro_organisasi_kalbar"
    )
    admin = await create_user("admin.kesbangpol", "Admin", "rahasia-2026")
    await add_membership(tenant.id, admin.id, None, administrator=True)
    staff = await create_user("petugas", "Petugas", "rahasia-2026")
    outsider = await create_user("admin.kalbar", "Admin Kalbar", "rahasia-2026")
    await add_membership(other.id, outsider.id, None, administrator=True)
    clock = lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # noqa: E731
    service = await TenantService.open(database, installed, tenant.slug, clock=clock)
    return service, admin, staff, outsider


async def test_only_this_tenants_administrators(installed, database) -> None:
    service, admin, staff, outsider = await setup(installed, database)
    for user in (staff, outsider):
        with pytest.raises(Forbidden):
            await TenantAdmin(service, user.id).add_unit("baru", "Bidang Baru")
    unit = await TenantAdmin(service, admin.id).add_unit("baru", "Bidang Baru")
    assert unit.slug == "baru"


async def test_units_validate_and_deactivate(installed, database) -> None:
    service, admin, *_ = await setup(installed, database)
    a = TenantAdmin(service, admin.id)
    with pytest.raises(InvalidInput) as info:
        await a.add_unit("Bidang A", "")
    assert set(info.value.errors) == {"slug", "name"}
    with pytest.raises(InvalidInput, match="already exists"):
        await a.add_unit("politik", "Dua kali")
    await a.set_unit_active("politik", False)
    assert "politik" not in [u["slug"] for u in await service.units() if u["active"]]
    with pytest.raises(NotFound):
        await a.set_unit_active("tidak-ada", False)


async def test_calendar_changes_reach_due_times(installed, database) -> None:
    service, admin, *_ = await setup(installed, database)
    a = TenantAdmin(service, admin.id)
    with pytest.raises(InvalidInput) as info:
        await a.set_office_hours("16:00", "08:00")
    assert "office_end" in info.value.errors
    with pytest.raises(InvalidInput):
        await a.set_office_hours("pagi", "16:00")
    await a.set_office_hours("08:00", "15:00")
    await a.add_day_off(date(2026, 11, 24), "Cuti bersama daerah")
    with pytest.raises(InvalidInput, match="already"):
        await a.add_day_off(date(2026, 11, 24), "lagi")
    row = await Tenant.select().where(Tenant.id == service.ref.id).first()
    cal = await calendar_for(row)
    assert cal.minutes_per_day == 420
    assert not cal.is_working_day(date(2026, 11, 24))
    await a.remove_day_off(date(2026, 11, 24))
    assert await a.days_off() == []
    with pytest.raises(NotFound):
        await a.remove_day_off(date(2026, 11, 24))


async def test_roles_and_delegations_stay_in_the_tenant(installed, database) -> None:
    service, admin, staff, outsider = await setup(installed, database)
    a = TenantAdmin(service, admin.id)
    with pytest.raises(InvalidInput, match="no role"):
        await a.grant_role(staff.id, "bupati")
    # staff is no person of this office yet: the service refuses (not only the web form).
    with pytest.raises(InvalidInput) as info:
        await a.grant_role(staff.id, "petugas")
    assert set(info.value.errors) == {"user"}
    await add_membership(service.ref.id, staff.id, a.roles()["petugas"])
    # The other tenant's user is no person of this office, whatever their id: a field error.
    with pytest.raises(InvalidInput) as info:
        await a.grant_role(outsider.id, "petugas")
    assert set(info.value.errors) == {"user"}
    with pytest.raises(InvalidInput) as info:
        await a.delegate(
            outsider.id,
            staff.id,
            "petugas",
            None,
            "Plh",
            date(2026, 11, 23),
            date(2026, 11, 30),
        )
    assert set(info.value.errors) == {"delegate"}
    assert await Membership.count().where(Membership.user == outsider.id) == 1


async def test_admin_forms_are_refused_per_field_all_at_once(installed, database) -> None:
    """Every problem of a form comes back at once, from the one service call the web makes
    (it used to check people, roles and kinds itself, and the service only part of it)."""
    service, admin, _staff, outsider = await setup(installed, database)
    a = TenantAdmin(service, admin.id)
    per_unit = next(r for r in a.roles().values() if r.per_unit)
    with pytest.raises(InvalidInput) as info:
        await a.grant_role(outsider.id, per_unit.id, None)
    assert set(info.value.errors) == {"user", "unit"}
    with pytest.raises(InvalidInput) as info:
        await a.grant_role(None, "", None)
    assert set(info.value.errors) == {"user", "role"}
    with pytest.raises(InvalidInput) as info:
        await a.delegate(None, outsider.id, "nope", None, "Pj", None, date(2026, 11, 30))
    assert set(info.value.errors) == {"delegate", "official", "role", "kind", "starts_on"}
    assert await Delegation.count() == 0


async def test_a_plh_holding_only_a_delegation_can_act_and_tasks_can_be_reassigned(
    installed, database
) -> None:
    from alur.core.engine import Complete
    from alur.tenants.identity.memberships import add_delegation

    service, *_ = await setup(installed, database)
    tid = service.ref.id
    d = service.sop("pengumpulan-pengolahan-data-kinerja")
    kepala = await create_user("kepala", "Kepala Badan", "rahasia-2026")
    await add_membership(tid, kepala.id, d.roles_by_id["kepala_dinas"])
    plh = await create_user("plh.kepala", "Sekretaris (Plh)", "rahasia-2026")
    await add_delegation(
        tid, plh.id, kepala.id, "kepala_dinas", None, "Plh", date(2026, 11, 20), date(2026, 11, 27)
    )
    case = await service.start_case(plh.id, d.id, "Triwulan IV 2026")
    case = await service.act(plh.id, case.key, Complete(1, "Disposisi"))
    (completed,) = [e for e in await service.history(case.key) if e.kind == "task_completed"]
    assert (completed.delegation, completed.acting_for_name) == ("Plh", "Kepala Badan")

    sekretaris = await create_user("sekretaris", "Sekretaris", "rahasia-2026")
    await add_membership(tid, sekretaris.id, d.roles_by_id["sekretaris"])
    other = await create_user("sekretaris.2", "Sekretaris Dua", "rahasia-2026")
    await add_membership(tid, other.id, d.roles_by_id["sekretaris"])
    (task,) = case.state.open_tasks.values()
    case = await service.reassign(kepala.id, case.key, task.id, other.id)
    assert case.state.open_tasks[task.id].assignee == str(other.id)
    assert [i.task_no for i in await service.inbox(other.id)] == [task.id]
    assert await service.inbox(sekretaris.id) == []


async def test_duplicate_roles_and_uninstalled_plugins_are_clear_errors(
    installed, database
) -> None:
    from alur.core import create_plugin_manager

    service, admin, staff, _ = await setup(installed, database)
    a = TenantAdmin(service, admin.id)
    await add_membership(service.ref.id, staff.id, None, administrator=True)
    await a.grant_role(staff.id, "petugas")
    with pytest.raises(InvalidInput, match="already has this role"):
        await a.grant_role(staff.id, "petugas")
    without = create_plugin_manager(load_entrypoints=False, environ={})
    orphan = await TenantService.open(database, without, service.ref.slug)
    with pytest.raises(NotFound, match="is it installed"):
        orphan.sops()


async def test_creating_a_person_tells_no_other_offices_usernames(installed, database) -> None:
    """Usernames are global, but an office administrator learns about another office's only
    what is unavoidable: a form that fails anyway does not look the username up at all, and
    a taken one gets the same message wherever it is taken (here, elsewhere, an operator)."""
    service, admin, *_ = await setup(installed, database)
    await create_operator("tim.ti", "Tim TI", "rahasia-2026")
    a = TenantAdmin(service, admin.id)
    role = next(r for d in service.sops().values() for r in d.roles if not r.per_unit)
    names = ("admin.kalbar", "admin.kesbangpol", "petugas", "tim.ti", "tidak.ada")
    refused = []
    for username in names:
        with pytest.raises(InvalidInput) as info:
            await a.create_person(username, "Budi", "rahasia-2026", role_id="nope")
        refused.append(info.value.errors)
    assert set(refused[0]) == {"role"}
    assert refused == [refused[0]] * len(names)
    for username in names[:-1]:
        with pytest.raises(InvalidInput) as info:
            await a.create_person(username, "Budi", "rahasia-2026", role_id=role.id)
        assert info.value.errors == {"username": "this username cannot be used: choose another"}
    users = await User.count()
    budi = await a.create_person("tidak.ada", "Budi", "rahasia-2026", role_id=role.id)
    assert await User.count() == users + 1
    assert await Membership.exists().where(
        (Membership.user == budi.id) & (Membership.tenant == service.ref.id)
    )
