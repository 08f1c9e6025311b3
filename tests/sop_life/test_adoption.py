"""Several plugins per office (alur.tenants.sop_life.adoption), on SQLite and PostgreSQL: an
operator allows an office another plugin, its administrator adopts an SOP from it, the office
runs it (roles, cases pinned to that plugin), a clash of SOP ids is refused, and a plugin the
office still runs SOPs from cannot be taken back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import ModuleType

import pytest

from alur.core import hookimpl
from alur.core.plugins import AlurPlugins, create_plugin_manager
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.platform_log import platform_entries
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.sop_life.adoption import OfficeSops, allow_plugin, disallow_plugin
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Event, Tenant

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

SLUG = "satpolpp-cilacap"
OWN = "satpolpp_banyumas"
OTHER = "kesbangpol_pekalongan"
OTHER_SOP = "pengumpulan-pengolahan-data-kinerja"
OWN_SOP = "pengumpulan-data-kinerja"
NOW = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB
OPERATOR = "operator:tester"


async def office(plugins: AlurPlugins) -> tuple[int, int]:
    tenant = await create_tenant(plugins, SLUG, "Satpol PP Cilacap", OWN)
    admin = await create_user("admin.cilacap", "Admin Cilacap", "rahasia-2026")
    await add_membership(tenant.id, admin.id, None, administrator=True)
    staf = await create_user("staf.cilacap", "Staf Cilacap", "rahasia-2026")
    roles = {r.id: r for r in plugins.get(OWN).roles}
    await add_membership(tenant.id, staf.id, roles["staf"])
    return admin.id, staf.id


async def opened(database: Database, plugins: AlurPlugins) -> TenantService:
    return await TenantService.open(database, plugins, SLUG, clock=lambda: NOW)


async def changes(database: Database) -> list[dict]:
    tenant = await Tenant.select(Tenant.id).where(Tenant.slug == SLUG).first()
    rows = await Event.select(Event.payload).where(
        (Event.tenant == tenant["id"]) & (Event.kind == "office_changed")
    )
    return [
        json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"] for r in rows
    ]


async def test_an_office_adopts_an_sop_of_an_allowed_plugin(installed, database) -> None:
    admin, staf = await office(installed)
    service = await opened(database, installed)
    assert list(service.sops()) == [OWN_SOP]
    with pytest.raises(NotFound):  # not allowed yet
        await OfficeSops(service, admin).adopt(OTHER, OTHER_SOP)

    assert await allow_plugin(database, installed, SLUG, OTHER, actor=OPERATOR)
    assert not await allow_plugin(database, installed, SLUG, OTHER, actor=OPERATOR)  # once
    service = await opened(database, installed)
    assert service.allowed_plugins() == (OTHER,)
    sops = OfficeSops(service, admin)
    offered = {(c.plugin, c.sop_id): c.runs for c in await sops.choices()}
    assert offered == {(OWN, OWN_SOP): True, (OTHER, OTHER_SOP): False}
    with pytest.raises(Forbidden):  # only the office's administrator chooses
        await OfficeSops(service, staf).adopt(OTHER, OTHER_SOP)
    await sops.adopt(OTHER, OTHER_SOP)

    row = await Tenant.select(Tenant.sops).where(Tenant.slug == SLUG).first()
    stored = json.loads(row["sops"]) if isinstance(row["sops"], str) else row["sops"]
    assert stored == [OWN_SOP, f"{OTHER}:{OTHER_SOP}"]  # its own written out first
    service = await opened(database, installed)
    assert sorted(service.sops()) == sorted([OWN_SOP, OTHER_SOP])
    assert service.plugin_definition(OTHER_SOP)[0] == OTHER
    assert service.plugin_definition(OWN_SOP)[0] == OWN
    # The roles an office uses: those of the SOPs it runs, from both plugins.
    roles = TenantAdmin(service, admin).roles()
    assert {r.id for r in installed.get(OTHER).roles} <= set(roles)
    assert {r.id for r in installed.get(OWN).roles} <= set(roles)

    # A case of the adopted SOP pins that plugin (its hooks are the ones called).
    other_roles = {r.id: r for r in installed.get(OTHER).roles}
    starter = next(r for r in installed.get(OTHER).sops[OTHER_SOP].roles if not r.per_unit)
    person = await create_user("pelaksana.cilacap", "Pelaksana", "rahasia-2026")
    tenant_id = service.ref.id
    await add_membership(tenant_id, person.id, other_roles[starter.id])
    first_step = installed.get(OTHER).sops[OTHER_SOP].steps[0]
    starter_id = person.id
    if first_step.actor != starter.id:  # whoever starts it holds the first step's role
        await add_membership(tenant_id, person.id, other_roles[first_step.actor])
    case = await service.start_case(starter_id, OTHER_SOP, "Triwulan I 2027")
    assert case.plugin == OTHER
    assert (await Case.select(Case.plugin).where(Case.key == case.key).first())["plugin"] == OTHER

    done = [c["change"] for c in await changes(database)]
    assert done == ["plugin_allowed", "sop_adopted"]
    logged = [(e.action, e.office, dict(e.details)) for e in await platform_entries(SLUG)]
    assert logged == [("plugin_allowed", SLUG, {"plugin": OTHER})]

    # Taken back only once the office no longer runs SOPs from it.
    with pytest.raises(InvalidInput) as refused:
        await disallow_plugin(database, installed, SLUG, OTHER, actor=OPERATOR)
    assert OTHER_SOP in refused.value.errors["plugin"]


async def test_an_sop_id_run_from_another_plugin_is_refused(database) -> None:
    plugins = create_plugin_manager(environ={})
    copy = ModuleType("alur_test_copy")  # a plugin shipping an SOP of the same id
    own = plugins.get(OWN)
    copy.alur_roles = hookimpl(lambda: list(own.roles))  # type: ignore[attr-defined]
    copy.alur_sop_definitions = hookimpl(  # type: ignore[attr-defined]
        lambda: list(own.sops.values())
    )
    assert plugins.register(copy, "banyumas_copy").ok
    admin, _ = await office(plugins)
    await allow_plugin(database, plugins, SLUG, "banyumas_copy", actor=OPERATOR)
    service = await opened(database, plugins)
    with pytest.raises(InvalidInput) as refused:
        await OfficeSops(service, admin).adopt("banyumas_copy", OWN_SOP)
    assert OWN in refused.value.errors["sop"]  # it names where the office runs it from
    assert service.plugin_definition(OWN_SOP)[0] == OWN


async def test_dropping_and_disallowing(installed, database) -> None:
    admin, _ = await office(installed)
    await allow_plugin(database, installed, SLUG, OTHER, actor=OPERATOR)
    service = await opened(database, installed)
    sops = OfficeSops(service, admin)
    await sops.adopt(OTHER, OTHER_SOP)
    await sops.drop(OWN_SOP)
    with pytest.raises(InvalidInput):  # the last SOP stays
        await sops.drop(OTHER_SOP)
    assert list((await opened(database, installed)).sops()) == [OTHER_SOP]
    await sops.adopt(OWN, OWN_SOP)
    await sops.drop(OTHER_SOP)
    assert await disallow_plugin(database, installed, SLUG, OTHER, actor=OPERATOR)
    assert not await disallow_plugin(database, installed, SLUG, OTHER, actor=OPERATOR)
    with pytest.raises(InvalidInput):
        await disallow_plugin(database, installed, SLUG, OWN, actor=OPERATOR)
    with pytest.raises(InvalidInput):
        await allow_plugin(database, installed, SLUG, "no_such_plugin", actor=OPERATOR)
    assert (await opened(database, installed)).allowed_plugins() == ()
    done = [c["change"] for c in await changes(database)]
    assert done == [
        "plugin_allowed",
        "sop_adopted",
        "sop_dropped",
        "sop_adopted",
        "sop_dropped",
        "plugin_disallowed",
    ]
