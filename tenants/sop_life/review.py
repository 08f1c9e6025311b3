"""Reading one revision of an office's SOP: what was recorded of it, and what it changes.

For the revision page and its pengesahan (web ``/t/{slug}/sops/{sop}/revisi/{number}``) and
the comparison of two versions of the SOP:

* :func:`revision_history` — the changes the office's chain recorded for the revision
  (drafted, saved, submitted, returned, approved, in force, superseded, revoked: who, when,
  the note), oldest first;
* :func:`comparison` — what changed from another version to the revision
  (:func:`alur.core.sop_life.compare.compare`), the other version named by :class:`Other`:
  another revision's number, the SOP in force (``berlaku``), the revision's plugin base
  (``dasar``) or the plugin's definition as shipped now (``plugin``);
* :func:`comparison_choices` — the versions worth comparing a revision with: the previous
  revision, the one in force, its plugin base (and the plugin's newer definition);
* :func:`may_revoke` — whether the reader may revoke it (the rule of ``revoke``);
* :func:`approval_preview` — what an approval by the reader would record as *disahkan oleh*,
  and the refusal it would meet (no NIP recorded).

Every read goes through :class:`~alur.tenants.sop_life.revisions.SopRevisions` (members of
the office only).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from alur.core.model import Official, SopDefinition
from alur.core.sop_life.compare import Change, compare
from alur.core.sop_life.revisions import RevisionAction, RevisionState, next_state
from alur.tenants.audit.office_log import OfficeChange, office_changes
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.sop_life.revision_rules import approver
from alur.tenants.sop_life.revisions import Revision, SopRevisions

CHANGE_PREFIX = "sop_revision_"
# How many of the office's latest recorded changes a revision's history is read from.
HISTORY_WINDOW = 500


class Other(StrEnum):
    """A version of the SOP that is not named by a revision number."""

    BERLAKU = "berlaku"  # what the office runs now: its revision in force, else the plugin's
    DASAR = "dasar"  # the plugin definition the revision builds on
    PLUGIN = "plugin"  # the plugin's definition as installed now (a newer base?)


@dataclass(frozen=True)
class Version:
    """One side of a comparison: ``key`` as in the URL (a number or an :class:`Other`),
    ``number`` and ``state`` when it is (or the SOP in force is) an office revision."""

    key: str
    definition: SopDefinition
    number: int | None = None
    state: RevisionState | None = None


@dataclass(frozen=True)
class Comparison:
    before: Version
    after: Version
    changes: list[Change]


async def revision_history(revisions: SopRevisions, revision: Revision) -> list[OfficeChange]:
    """What the office's chain recorded of ``revision``, oldest first (among the office's
    latest :data:`HISTORY_WINDOW` changes)."""
    await revisions.service.context(revisions.user_id)  # a member, the office not suspended
    recorded = await office_changes(revisions.ref.id, limit=HISTORY_WINDOW)
    mine = [
        c
        for c in recorded
        if c.change.startswith(CHANGE_PREFIX)
        and c.details.get("sop") == revision.sop_id
        and c.details.get("number") == revision.number
    ]
    return list(reversed(mine))


def parse_other(value: str) -> int | Other | None:
    """A comparison's other side as written in the URL, or ``None`` when it is neither."""
    if value.isascii() and value.isdigit() and len(value) < 6:
        return int(value)
    try:
        return Other(value)
    except ValueError:
        return None


async def version_of(
    revisions: SopRevisions, revision: Revision, other: int | Other | str
) -> Version:
    """The definition named by ``other`` (:func:`parse_other`), seen from ``revision``."""
    wanted = (
        parse_other(other) if isinstance(other, str) and not isinstance(other, Other) else other
    )
    service = revisions.service
    if isinstance(wanted, int):
        found = await revisions.get(revision.sop_id, wanted)
        return Version(str(wanted), await revisions.definition(found), wanted, found.state)
    if wanted is Other.DASAR:
        return Version(str(wanted), await revisions.base(revision))
    if wanted is Other.PLUGIN:
        return Version(str(wanted), service.plugin_definition(revision.sop_id)[1])
    if wanted is Other.BERLAKU:
        current = service.sop(revision.sop_id)
        number = await _number_in_force(revisions, revision.sop_id, current.content_hash)
        state = RevisionState.BERLAKU if number is not None else None
        return Version(str(wanted), current, number, state)
    raise NotFound(what=f"{revision.sop_id} {other}")


async def comparison(revisions: SopRevisions, sop_id: str, number: int, other: str) -> Comparison:
    """What changed from ``other`` to revision ``number`` of ``sop_id`` (:class:`NotFound`
    for a revision or version that does not exist)."""
    revision = await revisions.get(sop_id, number)
    before = await version_of(revisions, revision, other)
    after = Version(str(number), await revisions.definition(revision), number, revision.state)
    return Comparison(before, after, compare(before.definition, after.definition))


async def comparison_choices(revisions: SopRevisions, revision: Revision) -> list[Version]:
    """The versions a reader of ``revision`` may want to compare it with, each once: the
    previous revision, the SOP in force, the revision's plugin base, the plugin's current
    definition when it is newer than that base. Versions with the revision's own content
    are left out."""
    all_revisions = await revisions.list(revision.sop_id)
    chosen: list[Version] = []
    previous = next((r for r in all_revisions if r.number < revision.number), None)
    if previous is not None:
        chosen.append(await version_of(revisions, revision, previous.number))
    chosen.append(await version_of(revisions, revision, Other.BERLAKU))
    chosen.append(await version_of(revisions, revision, Other.DASAR))
    plugin = await version_of(revisions, revision, Other.PLUGIN)
    if plugin.definition.content_hash != revision.base_hash:
        chosen.append(plugin)
    own = (await revisions.definition(revision)).content_hash
    seen: set[str] = {own}
    kept = []
    for v in chosen:
        if v.definition.content_hash not in seen and v.number != revision.number:
            seen.add(v.definition.content_hash)
            kept.append(v)
    return kept


async def may_revoke(revisions: SopRevisions, revision: Revision) -> bool:
    """Whether this person may revoke ``revision`` now (the rule of
    :meth:`SopRevisions.revoke`): a draft or submission its drafters or the pengesah, an
    approved or in-force revision the pengesah."""
    if next_state(RevisionAction.REVOKE, revision.state) is None:
        return False
    if await revisions.may_approve(revision.sop_id):
        return True
    drafting = revision.state in (RevisionState.DRAF, RevisionState.DIAJUKAN)
    return drafting and await revisions.may_draft(revision.sop_id)


async def approval_preview(revisions: SopRevisions, sop_id: str) -> tuple[Official, str]:
    """What an approval of ``sop_id`` by this person would record as *disahkan oleh*
    (:func:`~alur.tenants.sop_life.revision_rules.approver`), and the refusal it would meet
    (``""`` when none: the NIP is recorded)."""
    role = revisions.service.sop(sop_id).pengesah_role
    try:
        return await approver(revisions.user_id, role), ""
    except InvalidInput as exc:
        user = await revisions.service.user(revisions.user_id)
        jabatan = user["jabatan"] or (role.name if role else "")
        return Official(nama=user["name"], jabatan=jabatan), exc.errors.get("nip", "")


async def _number_in_force(revisions: SopRevisions, sop_id: str, content_hash: str) -> int | None:
    for r in await revisions.list(sop_id):
        if r.content_hash == content_hash and r.state in (
            RevisionState.BERLAKU,
            RevisionState.DISAHKAN,
        ):
            return r.number
    return None
