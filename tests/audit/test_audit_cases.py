"""The case rows and task rows are caches of the event log: the audit compares them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from alur.core.engine import Complete
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.tables import Case, Task

pytestmark = pytest.mark.anyio


async def started(installed, database):
    tenant = await create_tenant(installed, "satpolpp-banyumas", "Satpol PP", "satpolpp_banyumas")
    clock = lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # noqa: E731
    svc = await TenantService.open(database, installed, tenant.slug, clock=clock)
    staf = await create_user("staf", "Staf", "rahasia-2026")
    await add_membership(
        tenant.id, staf.id, svc.sop("pengumpulan-data-kinerja").roles_by_id["staf"]
    )
    case = await svc.start_case(staf.id, "pengumpulan-data-kinerja", "Triwulan IV 2026")
    await fill_in_sample(KinerjaService(svc), staf.id, case.key, 1)  # step 1 designs the format
    case = await svc.act(staf.id, case.key, Complete(1, "Draft"))
    return svc, case


async def test_untouched_cases_agree_with_their_events(installed, database) -> None:
    svc, _ = await started(installed, database)
    assert await svc.store.verify_cases(svc.ref) == []


async def test_an_edited_case_state_is_caught(installed, database) -> None:
    svc, case = await started(installed, database)
    row = await Case.select(Case.state).where(Case.key == case.key).first()
    state = json.loads(row["state"]) if isinstance(row["state"], str) else row["state"]
    state["status"] = "finished"
    await Case.update({Case.state: json.dumps(state)}).where(Case.key == case.key)
    assert await svc.store.verify_cases(svc.ref) == [case.key]


async def test_a_closed_task_row_is_caught(installed, database) -> None:
    svc, case = await started(installed, database)
    await Task.update({Task.status: "done"}).where(Task.status == "open")
    assert await svc.store.verify_cases(svc.ref) == [case.key]
