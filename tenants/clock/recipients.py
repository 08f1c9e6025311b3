"""Who a fired timer tells: the holders of a task, or of the role it escalates to.

A claimed task is its assignee's (while they still hold its role; else, as an unclaimed one,
everyone's); an unclaimed one is everyone's who holds its role in the office on the office's
today — by membership, or by a Plt/Plh delegation whose dates include
today (the rule of :mod:`alur.tenants.identity.belonging`) — and for a per-unit role only
those of the task's unit. An escalation tells the holders of the role it goes to. Inactive
people are told nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from alur.core.engine.state import Task
from alur.core.model import SopDefinition
from alur.tenants.storage.tables import User

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


# The active holders of a role (and unit) on a day, with their contact columns: members and
# the Plt/Plh delegates whose dates include the day, in one statement.
_HOLDERS = """
SELECT u.id, u.name, u.active, u.email, u.whatsapp, u.channels, u.digest_only, u.after_hours,
  u.language
FROM alur_user u
WHERE u.active AND u.id IN (
  SELECT m."user" FROM alur_membership m LEFT JOIN alur_unit un ON un.id = m.unit
  WHERE m.tenant = {} AND m.role = {} UNIT_M
  UNION
  SELECT d.delegate FROM alur_delegation d LEFT JOIN alur_unit un ON un.id = d.unit
  WHERE d.tenant = {} AND d.role = {} AND d.starts_on <= {} AND d.ends_on >= {} UNIT_D)
ORDER BY u.id
"""


async def holders(
    tenant_id: int, definition: SopDefinition, role: str, unit: str | None, on: date
) -> list[dict[str, Any]]:
    """The active people who hold ``role`` (in ``unit``, for a per-unit role) on day ``on``,
    as rows with :data:`PERSON_COLUMNS`."""
    r = definition.roles_by_id.get(role)
    by_unit = unit if r is not None and r.per_unit else None
    sql = _HOLDERS.replace("UNIT_M", "AND un.slug = {}" if by_unit else "")
    sql = sql.replace("UNIT_D", "AND un.slug = {}" if by_unit else "")
    args: list[Any] = [tenant_id, role, *([by_unit] if by_unit else [])]
    args += [tenant_id, role, on, on, *([by_unit] if by_unit else [])]
    return await User.raw(sql, *args)


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
        return await holders(tenant_id, definition, to_role, task.unit, on)
    found = await holders(tenant_id, definition, task.role, task.unit, on)
    if task.assignee is not None and task.assignee.isdigit():
        mine = [p for p in found if p["id"] == int(task.assignee)]
        if mine:
            return mine
        # the assignee has left, been deactivated or lost the role: the holders are told
    return found
