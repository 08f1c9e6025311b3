"""Who reads an office's Mutu baku figures, and who sees them per person.

* **Readers:** the office's leaders (:func:`alur.tenants.leaders.access.is_leader`: the office
  admin, and whoever holds today a role ranking Sekretaris or higher, in their own right or
  as Plt/Plh) and the holders of the office's **monev assessor** role (the role the office
  chose to fill the SOP monitoring form, typically Kasubag Perencanaan:
  :func:`assessor_role`).
* **Per person figures** (how long each person took): the leaders only.

Everyone else of the office gets :class:`~alur.tenants.errors.Forbidden`.
"""

from __future__ import annotations

from collections.abc import Mapping

from alur.core.engine.actors import Actor
from alur.core.i18n import gettext
from alur.core.model import SopDefinition
from alur.tenants.cases.rows import from_json
from alur.tenants.errors import Forbidden
from alur.tenants.leaders.access import is_leader


def assessor_role(tenant: Mapping) -> str | None:
    """The role the office chose as its monev assessor (``alur_tenant.monev_policy``'s
    ``role``), or ``None`` when it chose none yet."""
    policy = from_json(tenant.get("monev_policy")) or {}
    role = policy.get("role") if isinstance(policy, dict) else None
    return str(role) if role else None


def reads_figures(actor: Actor, tenant: Mapping, sops: Mapping[str, SopDefinition]) -> bool:
    """Whether ``actor`` may read the office's Mutu baku figures (module docstring)."""
    if is_leader(actor, sops):
        return True
    role = assessor_role(tenant)
    return role is not None and any(m.role == role for m in actor.memberships)


def sees_per_person(actor: Actor, sops: Mapping[str, SopDefinition]) -> bool:
    """Whether ``actor`` may see the figures per person (the leaders only)."""
    return is_leader(actor, sops)


def require_reader(actor: Actor, tenant: Mapping, sops: Mapping[str, SopDefinition]) -> None:
    """:class:`Forbidden` unless ``actor`` reads the figures."""
    if not reads_figures(actor, tenant, sops):
        raise Forbidden(
            what=gettext(
                "see the Mutu baku figures: they are for the office's leaders, its monev "
                "assessor and the office administrator"
            )
        )
