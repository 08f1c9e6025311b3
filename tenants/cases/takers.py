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
from alur.tenants.storage.tables import Membership as MembershipRow


@dataclass(frozen=True)
class TaskChoices:
    """What the case page offers ``actor`` on one open task."""

    claim: bool = False  # "Ambil": unclaimed, theirs to work, and others could take it too
    unclaim: bool = False  # "Kembalikan": they hold it (claimed or handed to them)
    reassign: bool = False  # "Serahkan": they may hand it over and someone would take it
    people: list[dict] = field(default_factory=list)  # {id, name}: whom it may go to


# The office's members and its Plt/Plh of a day in ONE statement (a round trip fewer on
# every case page with an open task): members first (``src`` 0), then the delegations.
HOLDERS_SQL = """
SELECT 0 AS src, u.id AS id, u.name AS name, m.role AS role, un.slug AS unit,
       NULL AS kind, NULL AS official, NULL AS official_name
FROM alur_membership m
JOIN alur_user u ON u.id = m."user"
LEFT JOIN alur_unit un ON un.id = m.unit
WHERE m.tenant = {} AND m.role <> '' AND u.active = {}
UNION ALL
SELECT 1 AS src, u.id, u.name, d.role, un.slug, d.kind, o.id, o.name
FROM alur_delegation d
JOIN alur_user u ON u.id = d.delegate
LEFT JOIN alur_user o ON o.id = d.official
LEFT JOIN alur_unit un ON un.id = d.unit
WHERE d.tenant = {} AND d.starts_on <= {} AND d.ends_on >= {} AND u.active = {}
ORDER BY src
"""


async def office_holders(tenant_id: int, on: date) -> list[Actor]:
    """The office's active people as engine actors with their role memberships of day
    ``on``: their own, and the Plt/Plh delegations whose dates include ``on``. (Only the
    memberships a step's role needs; not the administrator flag.)"""
    rows = await MembershipRow.raw(HOLDERS_SQL, tenant_id, True, tenant_id, on, on, True)
    names: dict[int, str] = {}
    held: dict[int, list[Membership]] = defaultdict(list)
    for r in rows:
        names[r["id"]] = r["name"]
        if r["src"] == 0:
            held[r["id"]].append(Membership(r["role"], r["unit"]))
            continue
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
