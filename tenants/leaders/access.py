"""Who is a leader of an office: who may see its overview (``/t/{slug}/dashboard``).

The rule, once: a person is a leader of an office *today* when they are

* an administrator of the office (the office admin), or
* holding, today, a role that ranks :data:`LEADER_RANK` or higher in one of the SOPs the
  office runs (:attr:`alur.core.model.Role.rank`: Staf 1 … Sekretaris 4, Kepala 5; the
  Kalbar biro's Karo Organisasi is 4) — as their own membership or as Plt/Plh between the
  delegation's dates (the engine actor of :meth:`TenantService.context` holds exactly those).

Everyone else of the office is refused with :class:`~alur.tenants.errors.Forbidden`; people
outside the office never get this far (404 like every page of an office).
"""

from __future__ import annotations

from collections.abc import Mapping

from alur.core.engine.actors import Actor
from alur.core.i18n import gettext
from alur.core.model import SopDefinition
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Forbidden

LEADER_RANK = 4
"""The lowest :attr:`~alur.core.model.Role.rank` of a leader's role (Sekretaris)."""


def leader_roles(sops: Mapping[str, SopDefinition]) -> frozenset[str]:
    """The ids of the roles that rank :data:`LEADER_RANK` or higher in any of ``sops``."""
    return frozenset(r.id for d in sops.values() for r in d.roles if r.rank >= LEADER_RANK)


def is_leader(actor: Actor, sops: Mapping[str, SopDefinition]) -> bool:
    """Whether ``actor`` (memberships and today's Plt/Plh) is a leader (module docstring)."""
    if actor.administrator:
        return True
    roles = leader_roles(sops)
    return any(m.role in roles for m in actor.memberships)


async def leads(service: TenantService, user_id: int) -> bool:
    """Whether user ``user_id`` is a leader of the service's office today."""
    ctx = await service.context(user_id)
    return is_leader(ctx.actor, service.sops())


async def require_leader(service: TenantService, user_id: int) -> None:
    """:class:`Forbidden` unless user ``user_id`` is a leader of the office today."""
    if not await leads(service, user_id):
        raise Forbidden(
            what=gettext(
                "see the office overview: it is for the head of the office, the secretary "
                "and the office administrator"
            )
        )
