"""The states of an office SOP revision, and which revision is in force.

::

    draf ──submit──▶ diajukan ──approve──▶ disahkan ──(tanggal efektif)──▶ berlaku ──▶ diganti
     ▲                  │                     │                                │
     └────return────────┘                     └──────────revoke────────────────┴──▶ dicabut

A draft is edited by the office admin or the SOP's penyusun role; a submission is approved
(pengesahan) by the official who signs SOPs in the office, or returned to draf with a note.
An approved revision is in force from its tanggal efektif; the one it replaces is then
*diganti*. Each revision from diajukan on is an immutable snapshot with its own content
hash; each transition is an event on the office's audit chain
(:mod:`alur.tenants.sop_life.revisions`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


class RevisionState(enum.StrEnum):
    DRAF = "draf"
    DIAJUKAN = "diajukan"
    DISAHKAN = "disahkan"
    BERLAKU = "berlaku"
    DIGANTI = "diganti"
    DICABUT = "dicabut"


class RevisionAction(enum.StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    TAKE_EFFECT = "take_effect"
    SUPERSEDE = "supersede"
    REVOKE = "revoke"


# (action, from state) -> to state. Anything else is refused.
TRANSITIONS: dict[tuple[RevisionAction, RevisionState], RevisionState] = {
    (RevisionAction.SAVE, RevisionState.DRAF): RevisionState.DRAF,
    (RevisionAction.SUBMIT, RevisionState.DRAF): RevisionState.DIAJUKAN,
    (RevisionAction.RETURN, RevisionState.DIAJUKAN): RevisionState.DRAF,
    (RevisionAction.APPROVE, RevisionState.DIAJUKAN): RevisionState.DISAHKAN,
    (RevisionAction.TAKE_EFFECT, RevisionState.DISAHKAN): RevisionState.BERLAKU,
    (RevisionAction.SUPERSEDE, RevisionState.BERLAKU): RevisionState.DIGANTI,
    (RevisionAction.REVOKE, RevisionState.DRAF): RevisionState.DICABUT,
    (RevisionAction.REVOKE, RevisionState.DIAJUKAN): RevisionState.DICABUT,
    (RevisionAction.REVOKE, RevisionState.DISAHKAN): RevisionState.DICABUT,
    (RevisionAction.REVOKE, RevisionState.BERLAKU): RevisionState.DICABUT,
}

# States whose content can no longer change (the snapshot is fixed from submission on).
FROZEN = frozenset(
    {
        RevisionState.DIAJUKAN,
        RevisionState.DISAHKAN,
        RevisionState.BERLAKU,
        RevisionState.DIGANTI,
        RevisionState.DICABUT,
    }
)
# States a revision can be in force from (once its tanggal efektif has come).
APPROVED = frozenset({RevisionState.DISAHKAN, RevisionState.BERLAKU})


def next_state(action: RevisionAction, state: RevisionState) -> RevisionState | None:
    """The state after ``action``, or ``None`` when it is not allowed in ``state``."""
    return TRANSITIONS.get((action, state))


@dataclass(frozen=True)
class RevisionRef:
    """What deciding the revision in force needs of a stored revision."""

    sop_id: str
    number: int
    state: RevisionState
    effective_on: date | None
    content_hash: str
    plugin: str = ""  # the plugin whose SOP it revises ("": not known to the reader)


def in_force(revisions: Iterable[RevisionRef], today: date) -> dict[str, RevisionRef]:
    """Per SOP, the revision in force on ``today``: of the approved ones (disahkan or
    berlaku) whose tanggal efektif has come, the highest number. An SOP with none runs the
    plugin's definition."""
    found: dict[str, RevisionRef] = {}
    for r in revisions:
        if r.state not in APPROVED or r.effective_on is None or r.effective_on > today:
            continue
        current = found.get(r.sop_id)
        if current is None or r.number > current.number:
            found[r.sop_id] = r
    return found
