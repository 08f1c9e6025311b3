"""Errors of the storage and tenancy layer, with messages a user can act on.

:class:`InvalidInput` lives in :mod:`alur.core.errors` (pure form readers raise it too) and
is re-exported here.
"""

from __future__ import annotations

from alur.core.errors import N_, ActionError, AlurError, InvalidInput

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "RateLimited", "TenantSuspended"]


class NotFound(AlurError):
    """Asked for something that does not exist *in this tenant* (another tenant's object
    is indistinguishable from a missing one)."""

    code = "not_found"
    template = N_("{what} not found")


class Conflict(ActionError):
    code = "conflict"
    template = N_(
        "someone else acted on this case at the same moment; reload the case and try again"
    )


class Forbidden(AlurError):
    code = "forbidden"
    template = N_("you may not {what}")


class TenantSuspended(AlurError):
    code = "tenant_suspended"
    template = N_("the office {slug} is suspended; ask the platform operators")


class RateLimited(AlurError):
    """An API token made more requests than its window allows; ``retry_after`` is the
    number of seconds until the next window."""

    code = "rate_limited"
    template = N_(
        "this API token made more than {limit} requests in {window} seconds: "
        "try again in {retry_after} seconds"
    )
