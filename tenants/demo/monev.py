"""The demo's SOP monitoring: each demo office chooses its monev assessor (the role that plans
and evaluates, e.g. Kasubag Perencanaan) and its administrator opens the forms of the current
half-year so far, pre-filled from the demo's history — ready for the assessor to confirm,
initial and print (:mod:`alur.tenants.monitoring.monev`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from alur.core.model import SopDefinition
from alur.core.plugins import AlurPlugins
from alur.tenants.cases.service import TenantService
from alur.tenants.monitoring.monev import MonevForms
from alur.tenants.monitoring.monev_policy import policy_of, save_policy
from alur.tenants.storage.database import Database

# Words of the role ids offices give their planning and evaluation officer, in order of
# preference (Banyumas: kasubag_perencanaan, Pekalongan: kasubbag_renval).
PLANNING = ("perencanaan", "renval", "program", "evaluasi", "tatalaksana")


def assessor_role(sops: Mapping[str, SopDefinition]) -> str | None:
    """The role the demo office makes its monev assessor: one whose id names planning or
    evaluation, else the most senior role below the pengesah that is not per unit."""
    roles = {r.id: r for d in sops.values() for r in d.roles}
    for word in PLANNING:
        for role_id in sorted(roles):
            if word in role_id and not roles[role_id].per_unit:
                return role_id
    ranked = sorted(
        (r for r in roles.values() if not r.per_unit and 1 < r.rank < 4),
        key=lambda r: (-r.rank, r.id),
    )
    return ranked[0].id if ranked else None


async def open_demo_monev(
    db: Database,
    plugins: AlurPlugins,
    slug: str,
    admin_id: int,
    clock: Callable[[], datetime],
) -> int:
    """Choose the assessor (once) and open the current period's forms; how many opened."""
    service = await TenantService.open(db, plugins, slug, clock=clock)
    if policy_of(service.tenant).role is None:
        role = assessor_role(service.sops())
        if role is None:
            return 0
        await save_policy(service, admin_id, role, 6)
        service = await TenantService.open(db, plugins, slug, clock=clock)
    return len(await MonevForms(service).open_now(admin_id))
