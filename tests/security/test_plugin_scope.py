"""Plugin hooks reach only the plugin that owns the case's definition (issue 11, point 11):
through the real service layer, on SQLite and PostgreSQL, two throwaway plugins with the
same SOP run one office each; plugin A never sees office B's cases and cannot veto B's data.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from alur.core import (
    AlurPlugins,
    Answer,
    Institution,
    SopDefinition,
    Unit,
    create_plugin_manager,
)
from alur.core.engine import Complete, Decide
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

VETO = "A menolak data ini"


def spy_hooks(name: str, sample: SopDefinition, calls: list[str], veto: bool) -> dict[str, Any]:
    """The hooks of a plugin shipping the sample SOP that records every case hook call; with
    ``veto`` its data check refuses everything."""
    return {
        "alur_institution": lambda: Institution(slug=f"dinas-{name}", name=f"Dinas {name}"),
        "alur_roles": lambda: list(sample.roles),
        "alur_units": lambda: [Unit("bidang-a", "Bidang A"), Unit("bidang-b", "Bidang B")],
        "alur_sop_definitions": lambda: [sample],
        "alur_case_started": lambda case: calls.append("case_started"),
        "alur_step_completed": lambda step: calls.append(f"step_completed {step.number}"),
        "alur_gate_decided": lambda step: calls.append(f"gate_decided {step.number}"),
        "alur_validate_step_data": lambda step: (
            calls.append(f"validate {step.number}") or ([VETO] if veto else [])
        ),
    }


@pytest.fixture
def calls() -> dict[str, list[str]]:
    return {"alpha": [], "beta": []}


@pytest.fixture
def two_plugins(
    sample: SopDefinition, calls: dict[str, list[str]], make_plugin: Callable[..., ModuleType]
) -> AlurPlugins:
    """Plugin "alpha" (vetoes all data) and plugin "beta" (accepts), both with the sample."""
    manager = create_plugin_manager(load_entrypoints=False, environ={})
    for name in ("alpha", "beta"):
        hooks = spy_hooks(name, sample, calls[name], veto=name == "alpha")
        loaded = manager.register(make_plugin(name, **hooks), name)
        assert loaded.ok, loaded.errors
    return manager


async def office(db: Database, plugins: AlurPlugins, plugin: str) -> tuple[TenantService, dict]:
    slug = f"dinas-{plugin}"
    tenant = await create_tenant(plugins, slug, f"Dinas {plugin}", plugin)
    service = await TenantService.open(db, plugins, slug)
    roles = service.sop("contoh").roles_by_id
    people = {}
    for role in ("staf", "kasubag"):
        user = await create_user(f"{plugin}.{role}", f"{role} {plugin}", "rahasia-2026")
        await add_membership(tenant.id, user.id, roles[role])
        people[role] = user.id
    return service, people


async def test_a_plugin_never_sees_nor_vetoes_another_plugins_case(
    database: Database, two_plugins: AlurPlugins, calls: dict[str, list[str]]
) -> None:
    a, a_people = await office(database, two_plugins, "alpha")
    b, b_people = await office(database, two_plugins, "beta")
    case = await b.start_case(b_people["staf"], "contoh", "Triwulan IV 2026", {3: "3 hari"})
    case = await b.act(b_people["staf"], case.key, Complete(1, "Draft format"))  # not vetoed
    (gate,) = case.state.open_tasks
    await b.act(b_people["kasubag"], case.key, Decide(gate, Answer.YA, "Sudah benar"))
    assert calls["alpha"] == []
    assert calls["beta"] == ["case_started", "validate 1", "step_completed 1", "gate_decided 2"]
    # The control: alpha is called, and vetoes, for its own office's cases.
    own = await a.start_case(a_people["staf"], "contoh", "Triwulan IV 2026", {3: "3 hari"})
    with pytest.raises(InvalidInput) as refused:
        await a.act(a_people["staf"], own.key, Complete(1, "Draft format"))
    assert refused.value.errors == {"data": VETO}
    assert calls["alpha"] == ["case_started", "validate 1"]
    assert len(calls["beta"]) == 4
