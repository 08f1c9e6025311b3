"""The ``office`` fixture of the people tests (helpers: identity_helpers.py)."""

from __future__ import annotations

import pytest

from alur.core import AlurPlugins
from alur.tenants.cases.service import TenantService
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.testing.people import add_staff
from tests.identity.identity_helpers import PLUGIN, SLUG, Clock, Office, wib


@pytest.fixture
async def office(database: Database, installed: AlurPlugins, cheap_hasher: None) -> Office:
    tenant = await create_tenant(installed, SLUG, "Satpol PP Kabupaten Banyumas", PLUGIN)
    plugin = installed.get(PLUGIN)
    staff = await add_staff(
        tenant.id,
        plugin.roles,
        [u.id for u in plugin.units],
        "rahasia-123",
        name=lambda role, unit: f"{role.name} {unit or ''}".strip().title(),
    )
    people = {m.key: m.user_id for m in staff.values()}
    names = {m.key: m.name for m in staff.values()}
    clock = Clock(wib(23))
    service = await TenantService.open(database, installed, SLUG, clock=clock)
    return Office(tenant.id, service, clock, people, names)
