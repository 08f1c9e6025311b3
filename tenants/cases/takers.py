"""Who could take a task, and whom it may be handed over to: the office's role holders as
engine actors, judged by the engine's own rules (:func:`alur.core.engine.takers`,
:func:`alur.core.engine.reassign_targets`), so that the case page offers "Ambil" only when
more than one person could take a task and "Serahkan" only to the people the engine accepts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from alur.core.engine import Actor, Membership, Task, may_reassign, reassign_targets, takers
from alur.core.engine.actors import Delegation as DelegationKind
from alur.core.model import SopDefinition
from alur.tenants.storage.tables import Delegation
from alur.tenants.storage.tables import Membership as MembershipRow


@dataclass(frozen=True)
class TaskChoices:
    """What the case page offers ``actor`` on one open task."""

    claim: bool = False  # "Ambil": unclaimed, theirs to work, and others could take it too
    unclaim: bool = False  # "Kembalikan": they hold it (claimed or handed to them)
    reassign: bool = False  # "Serahkan": they may hand it over and someone would take it
    people: list[dict] = field(default_factory=list)  # {id, name}: whom it may go to


async def office_holders(tenant_id: int, on: date) -> list[Actor]:
    """The office's active people as engine actors with their role memberships of day
    ``on``: their own, and the Plt/Plh delegations whose dates include ``on``. (Only the
    memberships a step's role needs; not the administrator flag.)"""
    members = await MembershipRow.select(
        MembershipRow.user.id.as_alias("id"),
        MembershipRow.user.name.as_alias("name"),
        MembershipRow.role,
        MembershipRow.unit.slug.as_alias("unit"),
    ).where(
        (MembershipRow.tenant == tenant_id)
        & (MembershipRow.role != "")
        & (MembershipRow.user.active == True)  # noqa: E712 - piccolo builds SQL from ==
    )
    acting = await Delegation.select(
        Delegation.delegate.id.as_alias("id"),
        Delegation.delegate.name.as_alias("name"),
        Delegation.role,
        Delegation.unit.slug.as_alias("unit"),
        Delegation.kind,
        Delegation.official.id.as_alias("official"),
        Delegation.official.name.as_alias("official_name"),
    ).where(
        (Delegation.tenant == tenant_id)
        & (Delegation.starts_on <= on)
        & (Delegation.ends_on >= on)
        & (Delegation.delegate.active == True)  # noqa: E712
    )
    names: dict[int, str] = {}
    held: dict[int, list[Membership]] = defaultdict(list)
    for r in members:
        names[r["id"]] = r["name"]
        held[r["id"]].append(Membership(r["role"], r["unit"]))
    for r in acting:
        names[r["id"]] = r["name"]
        held[r["id"]].append(
            Membership(
                r["role"],
                r["unit"],
                DelegationKind(r["kind"]),
                str(r["official"]),
                r["official_name"],
            )
        )
    return sorted(
        (Actor(str(i), names[i], tuple(held[i])) for i in held), key=lambda a: (a.name, a.id)
    )


def label(actor: Actor, d: SopDefinition, task: Task) -> str:
    """``actor``'s name as offered for ``task``: "Plh. Dewi" when they would act as Plt/Plh."""
    role = d.steps_by_number[task.step].actor
    own = any(m.role == role and m.delegation is None for m in actor.memberships)
    acting = next((m for m in actor.memberships if m.role == role and m.delegation), None)
    if own or acting is None:
        return actor.name
    return f"{acting.delegation}. {actor.name}"


def task_choices(d: SopDefinition, task: Task, actor: Actor, holders: list[Actor]) -> TaskChoices:
    """The actions on ``task`` the engine would accept from ``actor``, given the office's
    role ``holders`` (:func:`office_holders`)."""
    could = takers(d, task, holders)
    mine = any(a.id == actor.id for a in takers(d, task, [actor]))
    targets = reassign_targets(d, task, actor, holders) if may_reassign(d, task, actor) else []
    return TaskChoices(
        claim=task.assignee is None and mine and len(could) > 1,
        unclaim=task.assignee == actor.id,
        reassign=bool(targets),
        people=[{"id": int(a.id), "name": label(a, d, task)} for a in targets if a.id.isdigit()],
    )
