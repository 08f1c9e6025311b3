"""Who acts: an :class:`Actor` with the memberships (role, unit) they hold right now.

A membership may be *delegated*: a Plt/Plh (acting official) holds another official's role
for a while. The engine records such actions as "Plh." with both people named, and refuses
them on steps that the definition marks ``delegable = false``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from alur.core.errors import DelegationRefused, NotYourUnit, WrongRole
from alur.core.model import Role, SopDefinition, Step


class Delegation(enum.StrEnum):
    PLT = "Plt"  # pelaksana tugas: the post is vacant
    PLH = "Plh"  # pelaksana harian: the holder is temporarily away


@dataclass(frozen=True, slots=True)
class Membership:
    """A role held in a unit (``unit`` is ``None`` for roles that are not per unit).

    For a delegated membership, ``acting_for`` / ``acting_for_name`` name the official whose
    role is held and ``delegation`` says whether as Plt or Plh.
    """

    role: str
    unit: str | None = None
    delegation: Delegation | None = None
    acting_for: str | None = None
    acting_for_name: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """A person acting on a case. ``administrator`` marks a tenant administrator."""

    id: str
    name: str
    memberships: tuple[Membership, ...] = ()
    administrator: bool = False

    def holds(self, role_id: str) -> bool:
        return any(m.role == role_id for m in self.memberships)

    def max_rank(self, definition: SopDefinition) -> int:
        ranks = [
            definition.roles_by_id[m.role].rank
            for m in self.memberships
            if m.role in definition.roles_by_id
        ]
        return max(ranks, default=0)


def membership_for(
    actor: Actor, definition: SopDefinition, step: Step, unit: str | None
) -> Membership:
    """The membership under which ``actor`` may perform ``step`` for ``unit``.

    Prefers the actor's own membership over a delegated one. Raises :class:`WrongRole`,
    :class:`NotYourUnit` or :class:`DelegationRefused`.
    """
    role: Role = definition.roles_by_id[step.actor]
    delegated: Membership | None = None
    other_unit = False
    for m in actor.memberships:
        if m.role != role.id:
            continue
        if role.per_unit and m.unit != unit:
            other_unit = True
            continue
        if m.delegation is None:
            return m
        delegated = delegated or m
    if delegated is not None:
        if not step.delegable:
            raise DelegationRefused(step=step.number, role=role.name)
        return delegated
    if other_unit:
        raise NotYourUnit(unit=unit, role=role.name)
    raise WrongRole(step=step.number, role=role.name)


def may_act(actor: Actor, definition: SopDefinition, step: Step, unit: str | None) -> bool:
    try:
        membership_for(actor, definition, step, unit)
    except (WrongRole, NotYourUnit, DelegationRefused):
        return False
    return True
