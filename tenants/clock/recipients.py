"""Who a fired timer tells: the holders of a task, or of the role it escalates to.

A claimed task is its assignee's; an unclaimed one is everyone's who holds its role in the
office on the office's today — by membership, or by a Plt/Plh delegation whose dates include
today (the rule of :mod:`alur.tenants.identity.belonging`) — and for a per-unit role only
those of the task's unit. An escalation tells the holders of the role it goes to. Inactive
people are told nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from alur.core.engine.state import Task
from alur.core.model import SopDefinition
from alur.tenants.storage.tables import Delegation, Membership, User

# The columns of a person the sweep needs: who they are and how they want to be told.
PERSON_COLUMNS = (
    User.id,
    User.name,
    User.active,
    User.email,
    User.whatsapp,
    User.channels,
    User.digest_only,
    User.after_hours,
    User.language,
)


async def holders(
    tenant_id: int, definition: SopDefinition, role: str, unit: str | None, on: date
) -> list[int]:
    """Ids of the people who hold ``role`` (in ``unit``, for a per-unit role) on day ``on``."""
    r = definition.roles_by_id.get(role)
    by_unit = unit if r is not None and r.per_unit else None
    members = Membership.tenant == tenant_id
    members &= Membership.role == role
    delegates = Delegation.tenant == tenant_id
    delegates &= Delegation.role == role
    delegates &= (Delegation.starts_on <= on) & (Delegation.ends_on >= on)
    if by_unit is not None:
        members &= Membership.unit.slug == by_unit
        delegates &= Delegation.unit.slug == by_unit
    found = {row["user"] for row in await Membership.select(Membership.user).where(members)}
    found |= {
        row["delegate"] for row in await Delegation.select(Delegation.delegate).where(delegates)
    }
    return sorted(found)


async def recipients(
    tenant_id: int,
    definition: SopDefinition,
    task: Task,
    on: date,
    to_role: str | None = None,
) -> list[dict[str, Any]]:
    """The active people a timer of ``task`` tells (rows with :data:`PERSON_COLUMNS`):
    the holders of ``to_role`` for an escalation, else the assignee or the task's holders."""
    if to_role:
        ids = await holders(tenant_id, definition, to_role, task.unit, on)
    elif task.assignee is not None and task.assignee.isdigit():
        ids = [int(task.assignee)]
    else:
        ids = await holders(tenant_id, definition, task.role, task.unit, on)
    return await people(ids)


async def people(ids: Sequence[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    rows = await User.select(*PERSON_COLUMNS).where(User.id.is_in(list(ids))).order_by(User.id)
    return [r for r in rows if r["active"]]
