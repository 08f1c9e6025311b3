"""Who may act on an office's SOP revisions, and the small checks every action shares
(:mod:`alur.tenants.sop_life.revisions` docstring: the rule in words)."""

from __future__ import annotations

from datetime import date
from typing import Any

from alur.core import limits
from alur.core.engine.actors import Actor
from alur.core.errors import N_
from alur.core.i18n import gettext
from alur.core.model import Official, Role, SopDefinition
from alur.core.sop_life.part import OfficePart, apply_part, check_part, part_from_mapping
from alur.core.sop_life.revisions import RevisionAction
from alur.core.validation import validate_definition
from alur.tenants.errors import InvalidInput
from alur.tenants.sop_life.revision_rows import parse_effective_on
from alur.tenants.storage.tables import User

# Past tense of each action, for messages ("it cannot be submitted").
DONE = {
    RevisionAction.SAVE: N_("saved"),
    RevisionAction.SUBMIT: N_("submitted"),
    RevisionAction.RETURN: N_("returned"),
    RevisionAction.APPROVE: N_("approved"),
    RevisionAction.REVOKE: N_("revoked"),
}


def may_draft(actor: Actor, d: SopDefinition) -> bool:
    """The office admin, or a holder of the SOP's penyusun role."""
    penyusun = d.office.penyusun if d.office is not None else None
    return actor.administrator or (penyusun is not None and actor.holds(penyusun))


def may_approve(actor: Actor, d: SopDefinition) -> bool:
    """A holder of the SOP's pengesah role in their own right (not as Plt/Plh)."""
    role = d.pengesah_role
    return role is not None and any(
        m.role == role.id and m.delegation is None for m in actor.memberships
    )


def revision_note(note: Any, *, required: bool) -> str:
    """A return or revoke note, stripped and checked (required: \"give the reason\")."""
    if not isinstance(note, str):
        note = ""
    note = note.strip()
    if problem := limits.text_problem(note, limits.NOTE):
        raise InvalidInput({"note": problem})
    if required and not note:
        raise InvalidInput({"note": gettext("give the reason")})
    return note


async def approver(user_id: int, role: Role | None) -> Official:
    """The signatory an approval by ``user_id`` records: their name, jabatan (else the
    pengesah role's name) and NIP — refused without a NIP."""
    user = await User.select(User.name, User.jabatan, User.nip).where(User.id == user_id).first()
    if user is None or not user["nip"].strip():
        raise InvalidInput(
            {"nip": gettext("your NIP is not recorded: ask the office admin to add it")}
        )
    return Official(
        nama=user["name"],
        jabatan=user["jabatan"] or (role.name if role else ""),
        nip=user["nip"],
    )


def checked_draft(
    base: SopDefinition, part: Any, effective_on: Any
) -> tuple[OfficePart, date | None, SopDefinition | None, dict[str, str]]:
    """A draft's ``part`` (mapping form or :class:`OfficePart`) over ``base`` and its
    tanggal efektif, read and checked: the part, the day, the definition (``None`` when
    there are problems) and every problem by field path (what a save refuses)."""
    if isinstance(part, OfficePart):
        problems: dict[str, str] = {}
    else:
        part, problems = part_from_mapping(part)
    problems.update(check_part(base, part))
    day, problem = parse_effective_on(effective_on)
    if problem:
        problems["effective_on"] = problem
    if problems:
        return part, day, None, problems
    definition = apply_part(base, part)
    for p in validate_definition(definition):
        problems.setdefault(f"steps.{p.step}" if p.step is not None else "part", p.message)
    return part, day, None if problems else definition, problems
