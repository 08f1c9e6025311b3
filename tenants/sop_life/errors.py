"""Errors of an office's SOP revisions, with messages a person can act on."""

from __future__ import annotations

from alur.core.errors import N_
from alur.tenants.errors import Conflict


class StaleRevision(Conflict):
    """A save, submission or approval made on a revision that changed since it was read
    (another admin saved it): nothing was written."""

    code = "stale_revision"
    template = N_(
        "Revisi ke-{number} was changed by {by} since you opened it; reload it, check "
        "their changes and save again"
    )


class RevisionStateRefused(Conflict):
    """An action the revision's state does not allow (submit a revision already approved…)."""

    code = "revision_state"
    template = N_("Revisi ke-{number} is {state}: it cannot be {action}")


class OpenDraftExists(Conflict):
    """A new draft while another draft or submission of the same SOP is open."""

    code = "open_draft_exists"
    template = N_(
        "Revisi ke-{number} of this SOP is still {state}: finish or revoke it before "
        "starting another"
    )
