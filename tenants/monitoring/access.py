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
from dataclasses import dataclass
from typing import Any

from alur.core.engine.actors import Actor
from alur.core.i18n import gettext
from alur.core.model import SopDefinition
from alur.tenants.cases.rows import from_json
from alur.tenants.errors import Forbidden
from alur.tenants.leaders.access import is_leader

DEFAULT_MONTHS = 6


@dataclass(frozen=True)
class MonevPolicy:
    """The office's monev policy (``alur_tenant.monev_policy``, set by its administrator:
    :mod:`alur.tenants.monitoring.monev_policy`): the assessor role and how often."""

    role: str | None = None
    every_months: int = DEFAULT_MONTHS

    def to_mapping(self) -> dict[str, Any]:
        return {"role": self.role, "every_months": self.every_months} if self.role else {}


def policy_of(tenant: Mapping[str, Any]) -> MonevPolicy:
    """The policy of an office row (``{}`` or unreadable: none chosen)."""
    data = from_json(tenant.get("monev_policy")) or {}
    if not isinstance(data, dict) or not data.get("role"):
        return MonevPolicy()
    months = data.get("every_months", DEFAULT_MONTHS)
    months = months if isinstance(months, int) and 1 <= months <= 12 else DEFAULT_MONTHS
    return MonevPolicy(str(data["role"]), months)


def assessor_role(tenant: Mapping) -> str | None:
    """The role the office chose as its monev assessor, or ``None`` when it chose none yet."""
    return policy_of(tenant).role


def holds_assessor_role(actor: Actor, tenant: Mapping, *, own_right: bool = False) -> bool:
    """Whether ``actor`` holds the office's assessor role (``own_right``: not as Plt/Plh)."""
    role = assessor_role(tenant)
    return role is not None and any(
        m.role == role and (not own_right or m.delegation is None) for m in actor.memberships
    )


def reads_figures(actor: Actor, tenant: Mapping, sops: Mapping[str, SopDefinition]) -> bool:
    """Whether ``actor`` may read the office's Mutu baku figures (module docstring)."""
    return is_leader(actor, sops) or holds_assessor_role(actor, tenant)


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
