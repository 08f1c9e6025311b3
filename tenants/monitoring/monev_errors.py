"""Errors of the monev forms, with messages a person can act on."""

from __future__ import annotations

from alur.core.errors import N_
from alur.tenants.errors import Conflict


class StaleMonev(Conflict):
    """A save or paraf on a form that changed since it was read: nothing was written."""

    code = "stale_monev"
    template = N_(
        "This monev form was changed by {by} since you opened it; nothing was saved. Reload "
        "it, check their changes and save again"
    )


class MonevInitialled(Conflict):
    """A change to a form the assessor has initialled."""

    code = "monev_initialled"
    template = N_(
        "This monev form was initialled by {name}: it can no longer be changed. The office "
        "admin can reopen it"
    )


class MonevNotInitialled(Conflict):
    """Reopening a form that is still open."""

    code = "monev_not_initialled"
    template = N_("This monev form is still open: there is no paraf to withdraw")


class NoAssessor(Conflict):
    """Opening forms before the office chose its assessor."""

    code = "monev_no_assessor"
    template = N_(
        "The office has not chosen its monev assessor yet: choose the role in the monev "
        "settings first"
    )
